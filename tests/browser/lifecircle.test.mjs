/*
 * The 15-minute life circle's pages (issue 19): the console map (streets
 * and buildings drawn from the imported data, buildings coloured by
 * coverage as the API counts them, facilities added, dragged, closed and
 * reopened on the map, a facility's walking range, the what-if tool and
 * suggested sites, the coverage table, the 完整社区 checklist) and the H5
 * "我家附近" (distances as the API gives them; a plain message when the
 * home has no point). The street network is a hand-made grid city
 * imported with `linli geo import`, the community's buildings placed on it
 * through the API, so that every figure is known.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { COMMUNITY, apiAs, consoleLogin, elderProblems, launchBrowser, menuGo, newPage, phoneAs, shot, startLinli } from './helpers.mjs';
import { dbSql } from '../lib/server.mjs';
import { grid } from '../lib/osm.mjs';

const LAT0 = 30.0, LON0 = 104.0, N = 12, STEP = 100;
const at = grid({ n: N, step: STEP, lat0: LAT0, lon0: LON0 }).at;

const gridCity = () => grid({ n: N, step: STEP, lat0: LAT0, lon0: LON0 }).xml();

const json = (method, body) => ({ method, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

let srv, browser, page, staff, resident, dir, buildings, residentBuilding, kg;

before(async () => {
  srv = await startLinli();
  dir = mkdtempSync(path.join(tmpdir(), 'linli-geo-browser-'));
  writeFileSync(path.join(dir, 'grid.osm'), gridCity());
  srv.linli(['geo', 'import', '--db', srv.db, path.join(dir, 'grid.osm')]);
  staff = await apiAs(srv.url, 'staff');
  resident = await apiAs(srv.url, 'resident');
  buildings = dbSql(srv.db, `SELECT id FROM building WHERE community = '${COMMUNITY}' ORDER BY id`).trim().split('\n').map(Number);
  assert.ok(buildings.length >= 3, `${buildings.length} buildings`);
  /* spread along the diagonal: near the kindergarten, farther, beyond every band */
  for (const [i, id] of buildings.entries()) {
    const k = Math.round((i * (N - 2)) / (buildings.length - 1));
    const r = await staff(`/geo/buildings/${id}/point`, json('PUT', at(k, k, 15, 15)));
    assert.equal(r.status, 200, JSON.stringify(r.body));
  }
  const f = await staff('/geo/facilities', json('POST', { category: 'kindergarten', name: '阳光幼儿园', ...at(0, 1, 0, 20) }));
  assert.equal(f.status, 201, JSON.stringify(f.body));
  kg = f.body;
  residentBuilding = (await resident('/geo/nearby')).body?.building_id;
  browser = await launchBrowser();
  page = await newPage(browser);
  await page.setViewportSize({ width: 1366, height: 768 });
  await consoleLogin(page, srv.url, 'staff');
});

after(async () => {
  await browser?.close();
  await srv?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const coverage = async (category, minutes) => (await staff(`/geo/coverage?community=${COMMUNITY}&category=${category}&minutes=${minutes}`)).body.communities[0];
const painted = (cls) => page.locator(`path.lc-building.lc-${cls}`).count();

async function openMap(category, minutes) {
  await page.goto(`${srv.url}/#/lifecircle?category=${category}&minutes=${minutes}&at=${Date.now()}`); /* a new page each time */
  await page.waitForSelector('path.lc-building');
  await page.waitForSelector('.leaflet-overlay-pane path:not(.lc-building)'); /* the streets */
}

test('the map: streets and buildings from the data, coloured as the API counts them, with the attribution', async () => {
  await menuGo(page, 'menu-lifecircle');
  await page.waitForSelector('path.lc-building');
  await openMap('kindergarten', 5);
  const cov = await coverage('kindergarten', 5);
  const cat = cov.categories.find((c) => c.key === 'kindergarten');
  assert.equal(await page.locator('path.lc-building').count(), buildings.length);
  assert.ok(cat.buildings_covered >= 1 && cov.uncovered.length >= 1, JSON.stringify(cat));
  assert.equal(await painted('covered'), cat.buildings_covered);
  assert.equal((await painted('near')) + (await painted('far')), cov.uncovered.length);
  assert.equal(await painted('far'), cov.uncovered.filter((b) => b.meters === null).length);
  assert.equal(Number(await page.textContent('[data-test=lc-covered]')), cat.buildings_covered);
  assert.match(await page.textContent('.leaflet-control-attribution'), /© OpenStreetMap contributors/);
  assert.match(await page.textContent('[data-test=lc-legend]'), /5 分钟内（≤ 300 米）/);
  /* the kindergarten, as a marker of its category */
  assert.equal(await page.locator('.lc-fac').count(), 1);
  assert.equal(await page.locator('.lc-fac').textContent(), '幼');
  /* 15 minutes: every building the API covers is green */
  await page.click('[data-test=lc-minutes] label:has-text("15 分钟")');
  const cov15 = await coverage('kindergarten', 15);
  await page.waitForFunction((n) => document.querySelectorAll('path.lc-building.lc-covered').length === n,
    cov15.categories.find((c) => c.key === 'kindergarten').buildings_covered);
  assert.ok(cov15.categories.find((c) => c.key === 'kindergarten').buildings_covered > cat.buildings_covered);
  await shot(page, 'lifecircle-map');
});

test('what-if: a kindergarten placed at an uncovered building covers it, as the API says; suggested sites', async () => {
  await openMap('kindergarten', 5);
  const cov = await coverage('kindergarten', 5);
  const target = cov.uncovered[cov.uncovered.length - 1];
  const want = (await staff(`/geo/whatif?community=${COMMUNITY}`, json('POST', { category: 'kindergarten', minutes: 5, lat: target.lat, lon: target.lon }))).body;
  assert.ok(want.gain_buildings >= 1);
  await page.click('[data-test=lc-tool] label:has-text("假设选址")');
  const far = page.locator('path.lc-building.lc-far, path.lc-building.lc-near').last();
  const box = await far.boundingBox();
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await page.waitForSelector('[data-test=lc-whatif]');
  assert.equal(Number(await page.textContent('[data-test=lc-gain-buildings]')), want.gain_buildings);
  assert.equal(Number(await page.textContent('[data-test=lc-gain-residents]')), want.gain_residents);
  assert.equal(await page.locator('path.lc-newly').count(), want.gain_buildings);
  await page.click('[data-test=lc-suggest]');
  await page.waitForSelector('[data-test=lc-suggestions] li');
  const sug = (await staff(`/geo/suggest?community=${COMMUNITY}`, json('POST', { category: 'kindergarten', minutes: 5 }))).body;
  const first = sug.order[0];
  assert.match(await page.textContent('[data-test=lc-suggestions] li'), new RegExp(`\\+${first.gain_buildings} 栋 / \\+${first.gain_residents} 人`));
  await shot(page, 'lifecircle-whatif');
});

test("a facility's walking range; closed and reopened on the map, coverage follows", async () => {
  await openMap('kindergarten', 10);
  await page.click('[data-test=lc-tool] label:has-text("查看")');
  await page.locator('.lc-fac').click({ force: true });
  await page.waitForSelector('[data-test=lc-facility]');
  assert.match(await page.textContent('[data-test=lc-facility]'), /阳光幼儿园/);
  await page.click('[data-test=lc-isochrone]');
  await page.waitForSelector('[data-test=lc-iso-legend]');
  for (const m of [5, 10, 15]) assert.ok(await page.locator(`path.lc-iso-streets.lc-iso-${m}`).count() >= 1, `${m} min streets`);
  assert.ok(await page.locator('path.lc-iso-outline').count() >= 1);
  const km = (await page.locator('[data-test=lc-iso-legend] > div').allTextContents()).map((t) => Number(t.match(/([\d.]+) 公里/)[1]));
  assert.ok(km[0] > 0 && km[0] < km[1] && km[1] < km[2], km.join(' '));
  await shot(page, 'lifecircle-isochrone');

  const before = (await coverage('kindergarten', 10)).categories.find((c) => c.key === 'kindergarten').buildings_covered;
  assert.ok(before >= 1);
  await page.click('[data-test=lc-close]');
  await page.click('.el-message-box__btns .el-button--primary');
  await page.waitForSelector('.lc-fac.lc-fac-closed');
  assert.equal((await staff(`/geo/facilities?category=kindergarten&status=closed`)).body.items.filter((f) => f.id === kg.id).length, 1);
  await page.waitForFunction(() => document.querySelectorAll('path.lc-building.lc-covered').length === 0);
  assert.equal(Number(await page.textContent('[data-test=lc-covered]')), 0);
  await page.click('[data-test=lc-reopen]');
  await page.waitForSelector('.lc-fac:not(.lc-fac-closed)');
  await page.waitForFunction((n) => document.querySelectorAll('path.lc-building.lc-covered').length === n, before);
});

test('staff add a facility by a click on the map, and move it by dragging', async () => {
  await openMap('clinic', 15);
  assert.equal(await page.locator('.lc-fac').count(), 0);
  await page.click('[data-test=lc-tool] label:has-text("新增设施")');
  const mapBox = await page.locator('[data-test=lc-map]').boundingBox();
  await page.mouse.click(mapBox.x + mapBox.width / 2, mapBox.y + mapBox.height / 2);
  await page.waitForSelector('input[data-test=lc-add-name]').catch(async (e) => { await shot(page, 'lifecircle-add-failed'); throw e; });
  await page.fill('input[data-test=lc-add-name]', '街角诊所');
  await page.click('[data-test=lc-add-save]');
  await page.waitForSelector('.lc-fac');
  const made = (await staff('/geo/facilities?category=clinic')).body.items.find((f) => f.name === '街角诊所');
  assert.ok(made, 'the clinic is saved');
  assert.equal(made.source, 'staff');
  /* it is the one selected; drag it 80 px to the right */
  await page.waitForSelector('[data-test=lc-facility]:has-text("街角诊所")');
  await page.waitForSelector('.el-message', { state: 'detached' });
  const m = await page.locator('.lc-fac').boundingBox();
  await page.mouse.move(m.x + m.width / 2, m.y + m.height / 2);
  await page.mouse.down();
  await page.mouse.move(m.x + m.width / 2 + 80, m.y + m.height / 2, { steps: 16 });
  await page.mouse.up();
  await page.click('.el-message-box__btns .el-button--primary');
  await page.waitForSelector('.el-message--success');
  const moved = (await staff('/geo/facilities?category=clinic')).body.items.find((f) => f.id === made.id);
  assert.ok(moved.lon > made.lon + 1e-5, `${made.lon} → ${moved.lon}`);
  assert.ok(Math.abs(moved.lat - made.lat) < 1e-4);
});

test('the coverage table and the uncovered buildings; the 完整社区 checklist kept by staff', async () => {
  await openMap('kindergarten', 5);
  await page.click('.el-tabs__item:has-text("覆盖率")');
  await page.waitForSelector('[data-test=lc-coverage-table] .el-table__row');
  assert.equal(await page.locator('[data-test=lc-coverage-table] .el-table__body-wrapper .el-table__row').count(), 20);
  const cov = await coverage('kindergarten', 5);
  assert.equal(await page.locator('[data-test=lc-uncovered] .el-table__body-wrapper .el-table__row').count(), cov.uncovered.length);
  const row = page.locator('[data-test=lc-coverage-table] .el-table__row', { hasText: '幼儿园' }).first();
  const cat = cov.categories.find((c) => c.key === 'kindergarten');
  assert.match(await row.textContent(), new RegExp(`${cat.buildings_covered} / ${cov.buildings} 栋`));
  await shot(page, 'lifecircle-coverage');

  await page.click('.el-tabs__item:has-text("完整社区")');
  await page.waitForSelector('[data-test=lc-checklist] .el-table__row');
  assert.equal(await page.locator('[data-test=lc-checklist] .el-table__body-wrapper .el-table__row').count(), 20);
  await page.click('[data-test=lc-check-status-9]');
  await page.locator('.el-select-dropdown__item:visible', { hasText: /^达标$/ }).click();
  await page.locator('[data-test=lc-checklist] .el-table__row').nth(8).locator('input[placeholder=备注]').fill('水电路气已通');
  await page.click('[data-test=lc-check-save]');
  await page.waitForSelector('.el-message--success');
  const list = (await staff(`/geo/checklist?community=${COMMUNITY}`)).body;
  const item9 = list.items.find((i) => i.item === 9);
  assert.equal(item9.status, 'met');
  assert.equal(item9.note, '水电路气已通');
  assert.match(await page.textContent('[data-test=lc-check-sum]'), new RegExp(`达标 ${list.met} / 20 项`));
  await shot(page, 'lifecircle-checklist');
});

test('staff place a building on the map by a click; it is drawn and counted at once', async () => {
  const last = buildings[buildings.length - 1];
  dbSql(srv.db, `DELETE FROM geo_building_point WHERE building_id = ${last}`);
  await openMap('kindergarten', 15);
  assert.equal(await page.locator('path.lc-building').count(), buildings.length - 1);
  await page.click('[data-test=lc-tool] label:has-text("标注楼栋")');
  await page.waitForSelector('[data-test=lc-place]');
  const name = dbSql(srv.db, `SELECT name FROM building WHERE id = ${last}`).trim();
  assert.match(await page.textContent('[data-test=lc-place] .el-select'), new RegExp(`${name}（未标注）`));
  const mapBox = await page.locator('[data-test=lc-map]').boundingBox();
  await page.mouse.click(mapBox.x + mapBox.width * 0.3, mapBox.y + mapBox.height * 0.3);
  await page.waitForFunction((n) => document.querySelectorAll('path.lc-building').length === n, buildings.length);
  const geo = (await staff(`/geo/buildings.geojson?community=${COMMUNITY}`)).body;
  assert.ok(geo.features.some((f) => f.properties.id === last), 'the building has a point');
  assert.equal(Number(dbSql(srv.db, `SELECT count(*) FROM audit WHERE action = 'geo.building_point' AND object_id = ${last}`).trim()), 2);
});

test('H5 我家附近: the nearest service of each kind, as the API gives it; a message when the home has no point', async () => {
  assert.ok(residentBuilding, 'the resident lives in a placed building');
  const want = (await resident('/geo/nearby')).body;
  for (const elder of [false, true]) {
    const h5 = await phoneAs(browser, srv.url, 'resident', elder);
    await h5.goto(`${srv.url}/h5/#/home`);
    await h5.click('[data-test=nearby-link]');
    await h5.waitForSelector('[data-test=nearby-item]');
    const found = want.items.filter((i) => i.facility).sort((a, b) => a.meters - b.meters);
    assert.ok(found.length >= 1);
    const rows = h5.locator('[data-test=nearby-item]');
    assert.equal(await rows.count(), found.length);
    for (const [k, i] of found.entries()) {
      assert.equal(await rows.nth(k).getAttribute('data-category'), i.category);
      assert.equal(await rows.nth(k).locator('[data-test=nearby-meters]').textContent(), `${Math.round(i.meters)} 米`);
      assert.match(await rows.nth(k).textContent(), new RegExp(i.category_name.replace('/', '\\/')));
    }
    assert.match(await h5.textContent('[data-test=nearby-missing]'), /托儿所/);
    if (elder) assert.deepEqual(await elderProblems(h5), []);
    await shot(h5, elder ? 'lifecircle-h5-elder' : 'lifecircle-h5');
    await h5.close();
  }
  /* the home loses its point: a plain message */
  dbSql(srv.db, `DELETE FROM geo_building_point WHERE building_id = ${residentBuilding}`);
  const h5 = await phoneAs(browser, srv.url, 'resident', false);
  await h5.goto(`${srv.url}/h5/#/nearby`);
  await h5.waitForSelector('[data-test=nearby-not-placed]');
  assert.match(await h5.textContent('[data-test=nearby-not-placed]'), /还没有标注在地图上/);
  assert.equal(await h5.locator('[data-test=nearby-item]').count(), 0);
  await h5.close();
});

test('the street\'s admin sees every community of her street for a category and band, and opens one from the table', async () => {
  const street = await apiAs(srv.url, 'street');
  const want = (await street('/geo/coverage?minutes=15')).body.communities;
  assert.ok(want.length >= 3, 'several communities in her street');
  /* a category that some of the street's placed buildings reach and some do not (the earlier tests moved things) */
  const sum = (key, f) => want.reduce((n, c) => n + f(c, c.categories.find((x) => x.key === key)), 0);
  const key = want[0].categories.map((x) => x.key).find((k) => {
    const covered = sum(k, (c, x) => x.buildings_covered);
    return covered >= 1 && covered < sum(k, (c) => c.buildings);
  });
  assert.ok(key, 'some category covers part of the street');
  const p = await newPage(browser);
  await p.setViewportSize({ width: 1366, height: 768 });
  await p.goto(srv.url + '/');
  await p.fill('input[name=username]', 'street');
  await p.fill('input[name=password]', 'linli2026');
  await p.click('button.login-btn');
  await p.waitForSelector('.aside');
  await p.goto(`${srv.url}/#/lifecircle?category=${key}&minutes=15&at=${Date.now()}`);
  await p.click('#tab-street');
  await p.waitForSelector('[data-test=lc-street-table] .el-table__row');
  const rows = p.locator('[data-test=lc-street-table] .el-table__body-wrapper .el-table__row');
  assert.equal(await rows.count(), want.length);
  const kg = (c) => c.categories.find((x) => x.key === key);
  const covered = want.reduce((n, c) => n + kg(c).buildings_covered, 0);
  const placed = want.reduce((n, c) => n + c.buildings, 0);
  assert.match(await p.textContent('[data-test=lc-street-sum]'), new RegExp(`楼栋 ${covered} / ${placed} 栋`));
  /* the staff's community, with its counts, and a click opens its map */
  const own = want.find((c) => c.code === COMMUNITY);
  const row = rows.filter({ hasText: own.name });
  assert.match(await row.textContent(), new RegExp(`${kg(own).buildings_covered} / ${own.buildings} 栋`));
  await row.click();
  await p.waitForSelector('path.lc-building');
  assert.equal(await p.locator('path.lc-building').count(), own.buildings);
  await shot(p, 'lifecircle-street');
  assert.deepEqual(p.errors, []);
  await p.close();
});
