/*
 * The grid worker on her phone (390×844, normal and elder mode): the 网格工作台
 * with her grid's open cases (the one waiting for a check marked), a map
 * drawn from our own data (no tiles, no internet), the grid's buildings and
 * households with masked phones (the whole number on request, audited);
 * she checks a case on the spot with a note and a photo; choosing a location
 * when reporting shows it on a map and lists the open reports nearby.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { COMMUNITY, PASSWORD, apiAs, consoleLogin, launchBrowser, newPage, shot, startLinli } from './helpers.mjs';

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

let srv, browser, dir, caseId, gridId, pointCase;
const sql = (q) => execFileSync('sqlite3', ['-cmd', '.timeout 10000', srv.db, q], { encoding: 'utf8' }).trim();

before(async () => {
  srv = await startLinli();
  browser = await launchBrowser();
  dir = mkdtempSync(join(tmpdir(), 'linli-grid-'));
  writeFileSync(join(dir, 'spot.png'), PNG);
  const staff = await apiAs(srv.url, 'staff');
  const resident = await apiAs(srv.url, 'resident');
  const property = await apiAs(srv.url, 'property');
  const json = (method, body) => ({ method, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  let r = await staff('/case-settings', json('PUT', { area: { min_lat: 31.19, min_lon: 121.41, max_lat: 31.22, max_lon: 121.44 } }));
  assert.equal(r.status, 200, JSON.stringify(r.body));
  /* a case at a building of a grid, handled by the property company: hers to check */
  const b = sql("SELECT b.id || ',' || b.grid_id FROM building b WHERE b.community = '310105004017' AND b.grid_id IS NOT NULL ORDER BY b.id LIMIT 1").split(',');
  gridId = Number(b[1]);
  r = await resident('/cases', json('POST', { category: 'corridor_clutter', description: '5单元楼道堆满旧家具', building_id: Number(b[0]) }));
  assert.equal(r.status, 201, JSON.stringify(r.body));
  caseId = r.body.id;
  assert.equal((await property(`/cases/${caseId}/handle`, { method: 'POST' })).status, 200);
  assert.equal((await property(`/cases/${caseId}/complete`, json('POST', { reply: '旧家具已清运' }))).status, 200);
  /* a report at a map point, near where she will report */
  r = await resident('/cases', json('POST', { category: 'parking', description: '消防通道被电动车堵住', lat: 31.2050, long: 121.4250 }));
  assert.equal(r.status, 201, JSON.stringify(r.body));
  pointCase = r.body.id;
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

async function gridLogin(page, { elder = false } = {}) {
  if (elder) await page.context().addInitScript(() => localStorage.setItem('linli.elder', '1'));
  await page.goto(srv.url + '/h5/');
  await page.waitForSelector('input[name=username]');
  await page.fill('input[name=username]', 'grid');
  await page.fill('input[name=password]', PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForSelector('[data-test=grid-link]');
}

async function openWorkspace(page) {
  await page.click('[data-test=grid-link]');
  await page.waitForSelector('[data-test=grid-select]');
  await page.selectOption('[data-test=grid-select]', String(gridId));
  await page.waitForSelector(`[data-test=grid-case][data-id="${caseId}"]`);
}

const fitsWidth = (page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);

describe('grid worker', () => {
  test('her workspace: open cases, the map, households with masked phones and an audited full view', async () => {
    const page = await newPage(browser, { phone: true });
    await gridLogin(page);
    await openWorkspace(page);
    assert.equal(await page.locator(`[data-test=grid-case][data-id="${caseId}"] [data-test=can-verify]`).count(), 1);
    assert.ok(await fitsWidth(page), 'nothing wider than the phone');
    await shot(page, 'h5-grid-cases');

    await page.click('.van-tab >> text=地图');
    await page.waitForSelector('[data-test=map].leaflet-container');
    await page.waitForSelector('[data-test=map] .map-case', { state: 'attached' });
    assert.match(await page.textContent('[data-test=map-count]'), /^[1-9]\d* 件有点位/, 'the map point report is drawn');
    assert.equal(await page.locator('[data-test=map] .leaflet-tile').count(), 0, 'no tiles: our own data only');
    await shot(page, 'h5-grid-map');

    await page.click('.van-tab >> text=楼栋住户');
    await page.locator('[data-test=building] .van-cell').first().click();
    await page.waitForSelector('[data-test=household]');
    /* the first household with a phone on record */
    const hh = page.locator('[data-test=household]');
    let found = false;
    for (let i = 0; i < Math.min(await hh.count(), 8) && !found; i++) {
      await hh.nth(i).click();
      await page.waitForSelector('[data-test=member]');
      found = (await page.locator('[data-test=phone-masked]').count()) > 0;
      if (!found) await hh.nth(i).click();
    }
    assert.ok(found, 'a member with a phone');
    assert.match(await page.locator('[data-test=phone-masked]').first().textContent(), /\*/, 'masked');
    const before = Number(sql("SELECT count(*) FROM audit WHERE action = 'resident.view_full' AND username = 'grid'"));
    await page.locator('[data-test=reveal]').first().click();
    await page.waitForSelector('[data-test=phone-full]');
    assert.match(await page.locator('[data-test=phone-full]').first().textContent(), /^1\d{10}$/);
    assert.equal(Number(sql("SELECT count(*) FROM audit WHERE action = 'resident.view_full' AND username = 'grid'")), before + 1, 'audited');
    await shot(page, 'h5-grid-households');
    assert.deepEqual(page.errors, []);
  });

  test('she checks a case on the spot with a note and a photo', async () => {
    const page = await newPage(browser, { phone: true });
    await gridLogin(page);
    await openWorkspace(page);
    await page.click(`[data-test=grid-case][data-id="${caseId}"]`);
    await page.waitForSelector('[data-test=verify-card]');
    assert.match(await page.textContent('[data-test=reply]'), /旧家具已清运/, 'the unit\'s reply is there to check against');
    await page.fill('[data-test=verify-note] textarea', '现场查看，楼道已畅通');
    await page.setInputFiles('[data-test=verify-photo-input]', join(dir, 'spot.png'));
    await page.waitForSelector('[data-test=verify-photo] img');
    await page.waitForFunction(() => !document.querySelector('[data-test=verify-photo] .supp-busy'));
    await shot(page, 'h5-grid-verify');
    await page.click('[data-test=verify-submit]');
    await page.waitForFunction(() => document.querySelector('[data-test=case-state]')?.textContent.trim() === '已核查');
    assert.equal(sql(`SELECT reason FROM case_step WHERE case_id = ${caseId} AND action = 'verify'`), '现场查看，楼道已畅通');
    assert.equal(sql(`SELECT count(*) FROM case_photo WHERE case_id = ${caseId} AND kind = 'verify'`), '1');
    assert.deepEqual(page.errors, []);
  });

  test('reporting at a location: a map with the place, and the open reports nearby before sending; elder mode', async () => {
    const page = await newPage(browser, { phone: true });
    await page.context().grantPermissions(['geolocation'], { origin: srv.url });
    await page.context().setGeolocation({ latitude: 31.2051, longitude: 121.4251 });
    await gridLogin(page, { elder: true });
    await page.click('[data-test=grid-link]');
    await page.waitForSelector('[data-test=grid-report]');
    await shot(page, 'h5-grid-elder');
    assert.ok(await fitsWidth(page), 'elder mode fits the phone');
    await page.click('[data-test=grid-report]');
    /* in 长辈版 the report is one question a screen: the place is the second */
    await page.click('[data-test=categories] .chip >> nth=0');
    await page.click('[data-test=step-next]');
    await page.click('[data-test=place-map]');
    await page.waitForSelector('[data-test=map] .map-picked');
    await page.waitForSelector(`[data-test=nearby-item][data-id="${pointCase}"]`);
    assert.match(await page.textContent(`[data-test=nearby-item][data-id="${pointCase}"]`), /停车管理/);
    assert.ok(await page.locator('[data-test=map] .map-case').count() >= 1, 'the nearby report drawn on the map');
    await page.locator('[data-test=map]').scrollIntoViewIfNeeded();
    await shot(page, 'h5-report-nearby-elder');
    /* a tap on the map moves the place */
    const before = await page.textContent('[data-test=point]');
    const map = page.locator('[data-test=map]');
    const box = await map.boundingBox();
    await map.click({ position: { x: 30, y: box.height - 30 } });
    await page.waitForFunction((b) => document.querySelector('[data-test=point]').textContent !== b, before);
    assert.ok(await fitsWidth(page));
    assert.deepEqual(page.errors, []);
  });

  test('the secretary assigns her one grid in 账号管理 (1366×768); her phone\'s workspace then offers only it', async () => {
    const secretary = await apiAs(srv.url, 'secretary');
    const grids = (await secretary(`/grids?community=${COMMUNITY}`)).body.items;
    const mine = grids.find((g) => g.id !== gridId);
    const page = await newPage(browser);
    await page.setViewportSize({ width: 1366, height: 768 });
    await consoleLogin(page, srv.url, 'secretary');
    await page.goto(srv.url + '/#/users');
    const row = page.locator('[data-test=users-table] .el-table__body-wrapper tr', { hasText: '赵网格员' });
    await row.waitFor();
    await row.locator('[data-test=grids-user]').click();
    await page.waitForSelector('[data-test=grids-options] .el-checkbox');
    assert.equal(await page.locator('[data-test=grids-options] .el-checkbox').count(), grids.length);
    await page.click(`[data-test=grids-options] .el-checkbox:has-text("${mine.name}")`);
    await shot(page, 'console-user-grids');
    await page.click('[data-test=save-grids]');
    await page.waitForSelector(`.el-message:has-text("已为 赵网格员 分配：${mine.name}")`);
    await page.waitForSelector('[data-test=grids-dialog]', { state: 'hidden' });
    /* the list's 网格 column says it at once */
    assert.equal((await row.locator('[data-test=user-grids]').textContent()).trim(), mine.name);
    const me = (await (await apiAs(srv.url, 'grid'))('/me')).body.user;
    assert.deepEqual((await secretary(`/users/${me.id}/grids`)).body.grids.map((g) => g.id), [mine.id]);
    assert.deepEqual(page.errors, []);
    await page.context().close();

    /* in her console, 待核查的案件 opens the cases of her grid only */
    const desk = await newPage(browser);
    await desk.setViewportSize({ width: 1366, height: 768 });
    await consoleLogin(desk, srv.url, 'grid');
    await desk.click('[data-test=wq-cases_waiting] .wq-title');
    await desk.waitForURL(/#\/cases\?.*grid=mine/);
    await desk.waitForSelector('[data-test=case-table]');
    await desk.waitForFunction(() => !document.querySelector('[data-test=case-table] .el-loading-mask'));
    const gridCells = await desk.$$eval('[data-test=case-table] .el-table__body-wrapper tr', (rows) => rows.map((r) => r.textContent));
    assert.ok(gridCells.every((t) => t.includes(mine.name)), 'only her grid\'s cases');
    const waitingCount = (await (await apiAs(srv.url, 'grid'))('/workqueue')).body.sections.find((s) => s.key === 'cases_waiting').count;
    assert.ok(waitingCount > 0, 'the demo has cases to check in her grid');
    assert.equal(gridCells.length, Math.min(waitingCount, 20));
    assert.match(await desk.textContent('[data-test=filter-grid]'), /我的网格/, 'the filter says whose grids');
    assert.deepEqual(desk.errors, []);
    await desk.context().close();

    const phone = await newPage(browser, { phone: true });
    await gridLogin(phone);
    await phone.click('[data-test=grid-link]');
    await phone.waitForSelector('[data-test=grid-select]');
    const options = await phone.$$eval('[data-test=grid-select] option', (els) => els.map((o) => o.textContent.trim()));
    assert.deepEqual(options, [mine.name], 'only her grid');
    await shot(phone, 'h5-grid-assigned');
    assert.deepEqual(phone.errors, []);
    await phone.context().close();
    assert.equal((await secretary(`/users/${me.id}/grids`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ grid_ids: [] }) })).status, 200);
  });
});
