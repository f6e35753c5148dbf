/*
 * 服务清单 in the browser. The street admin (1366×768) sees the demo street's
 * list of a type by kind as GET /analytics/services gives it, adds a service
 * by hand and one from a suggestion of demand (the form comes pre-filled),
 * and both are then in the API's list; the demo resident (390×844) finds
 * them on 我的社区 → 社区服务清单, grouped by kind exactly as
 * GET /analytics/services/mine says, and the page passes the 长辈版 rules.
 * Community staff see what their residents see; a deleted service is gone.
 * The suggestions of activity sign-ups (with waitlists) and of the 15-minute
 * life circle's gaps (a short street imported, a building of the demo
 * community placed on it) show beside the others as the API orders them,
 * and 加入清单 pre-fills the form with the kind the API guesses and saves.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dbSql } from '../lib/server.mjs';
import { apiAs, consoleLogin, elderProblems, launchBrowser, menuGo, newPage, phoneAs, shot, startLinli } from './helpers.mjs';

const STREET = '310105004';
const TYPE = '混合型'; /* the demo resident's community (幸福居委会) is of this type */
let srv;
let browser;
let street;
let resident;
let geoDir;

before(async () => {
  srv = await startLinli();
  browser = await launchBrowser();
  street = await apiAs(srv.url, 'street');
  resident = await apiAs(srv.url, 'resident');
});

after(async () => {
  await browser?.close();
  await srv?.stop();
  if (geoDir) rmSync(geoDir, { recursive: true, force: true });
});

const list = async () => (await street(`/analytics/services?scope=${STREET}&type=${encodeURIComponent(TYPE)}`)).body.items;
const texts = (page, sel) => page.locator(sel).allTextContents().then((a) => a.map((t) => t.trim()));

async function consolePage(username) {
  const page = await newPage(browser);
  await page.setViewportSize({ width: 1366, height: 768 });
  await consoleLogin(page, srv.url, username);
  await menuGo(page, 'menu-analytics-services');
  await page.waitForSelector('[data-test=services-kind]');
  await page.waitForSelector('.el-loading-mask', { state: 'detached' }).catch(() => {});
  return page;
}

describe('service lists', () => {
  test('street admin: the list by kind, a service added by hand and one from a suggestion', async () => {
    const page = await consolePage('street');
    const before = await list();
    assert.ok(before.length >= 3, 'the demo street has a list for ' + TYPE);
    for (const kind of ['basic', 'welfare', 'market']) {
      const want = before.filter((x) => x.kind === kind).map((x) => x.name);
      await page.waitForFunction(([k, n]) => document.querySelectorAll(`[data-test=services-kind][data-kind=${k}] .el-table__body tr`).length === n, [kind, want.length]);
      const rows = await texts(page, `[data-test=services-kind][data-kind=${kind}] .el-table__body tr td:first-child`);
      assert.deepEqual(rows, want, `${kind}: the API's services of that kind`);
    }

    // by hand
    await page.click('[data-test=services-add-market]');
    await page.waitForSelector('[data-test=form-name]');
    assert.equal((await page.textContent('.el-dialog .el-radio.is-checked')).trim(), '便民利民服务', 'the kind of the card');
    assert.equal((await page.textContent('[data-test=form-type]')).trim(), TYPE);
    await page.fill('[data-test=form-name]', '社区助浴点');
    await page.fill('[data-test=form-provider]', '康乐助浴服务社');
    await page.fill('[data-test=form-frequency]', '每周一、三、五');
    await shot(page, 'services-console-add');
    await page.click('[data-test=form-save]');
    await page.waitForSelector('[data-test=services-kind][data-kind=market] .el-table__body tr:has-text("社区助浴点")');
    const added = (await list()).find((x) => x.name === '社区助浴点');
    assert.ok(added, 'the API has it');
    assert.deepEqual([added.kind, added.provider, added.frequency, added.type, added.scope], ['market', '康乐助浴服务社', '每周一、三、五', TYPE, STREET]);

    // from a suggestion of demand: the form comes pre-filled
    const sg = (await street(`/analytics/services/suggestions?scope=${STREET}&type=${encodeURIComponent(TYPE)}`)).body;
    assert.ok(sg.cases.length > 0, 'the demo has cases to suggest from');
    const shown = await page.locator('[data-test=suggest-cases] [data-test=suggest-row]').evaluateAll((els) => els.map((e) => e.dataset.key));
    assert.deepEqual(shown, sg.cases.slice(0, 6).map((x) => x.key), 'the most reported categories, as the API orders them');
    const top = sg.cases.slice(0, 6).find((x) => x.key !== 'other' && x.label !== '其他');
    assert.ok(top, 'a category other than 其他 among the most reported');
    await shot(page, 'services-console');
    if (sg.cases.slice(0, 6).some((x) => x.key === 'other'))
      assert.equal(await page.locator('[data-test=suggest-cases] [data-test=suggest-row][data-key=other] [data-test=suggest-add]').count(), 0, '其他 is not offered');
    await page.click(`[data-test=suggest-cases] [data-test=suggest-row][data-key=${top.key}] [data-test=suggest-add]`);
    await page.waitForSelector('[data-test=form-why]');
    const name = await page.inputValue('[data-test=form-name]');
    assert.ok(name.includes(top.label), `pre-filled from "${top.label}": ${name}`);
    assert.equal((await page.textContent('.el-dialog .el-radio.is-checked')).trim(), '基本公共服务');
    assert.match(await page.textContent('[data-test=form-why]'), new RegExp(`${top.value} 件`));
    await page.fill('[data-test=form-provider]', '街道城管中队');
    await page.click('[data-test=form-save]');
    await page.waitForSelector(`[data-test=services-kind][data-kind=basic] .el-table__body tr:has-text("${name}")`);
    const fromSg = (await list()).find((x) => x.name === name);
    assert.ok(fromSg, 'the API has the suggested one');
    assert.deepEqual([fromSg.kind, fromSg.provider], ['basic', '街道城管中队']);
    await page.close();
  });

  test('resident: 我的社区 → 社区服务清单, grouped by kind as the API says; 长辈版 passes', async () => {
    const mine = (await resident('/analytics/services/mine')).body;
    assert.equal(mine.type, TYPE);
    assert.ok(mine.items.some((x) => x.name === '社区助浴点'), 'the street\'s new service reaches her community');
    const page = await phoneAs(browser, srv.url, 'resident', false);
    await page.goto(srv.url + '/h5/#/community');
    await page.click('[data-test=community-services]');
    await page.waitForSelector('[data-test=services-kind]');
    const kinds = await page.locator('[data-test=services-kind]').evaluateAll((els) => els.map((e) => e.dataset.kind));
    const want = mine.kinds.map((k) => k.key).filter((k) => mine.items.some((x) => x.kind === k));
    assert.deepEqual(kinds, want, 'the kinds in the API\'s order');
    for (const k of mine.kinds) {
      if (!want.includes(k.key)) continue;
      const sec = page.locator(`[data-test=services-kind][data-kind=${k.key}]`);
      assert.equal((await sec.locator('h2').textContent()).trim(), k.label);
      const names = await sec.locator('.s-name').allTextContents();
      assert.deepEqual(names.map((t) => t.trim()), mine.items.filter((x) => x.kind === k.key).map((x) => x.name));
    }
    const bath = page.locator('[data-test=service-item]:has-text("社区助浴点")');
    assert.equal((await bath.locator('[data-test=service-provider]').textContent()).trim(), '康乐助浴服务社');
    assert.equal((await bath.locator('[data-test=service-frequency]').textContent()).trim(), '每周一、三、五');
    assert.equal((await page.textContent('[data-test=services-type]')).trim(), TYPE);
    await shot(page, 'services-h5');
    await page.close();

    const elder = await phoneAs(browser, srv.url, 'resident', true);
    await elder.goto(srv.url + '/h5/#/community/services');
    await elder.waitForSelector('[data-test=service-item]');
    assert.deepEqual(await elderProblems(elder), []);
    await shot(elder, 'services-h5-elder');
    await elder.close();
  });

  test('staff: her residents\' list beside hers; a service deleted is gone for the resident', async () => {
    const page = await consolePage('staff');
    const mine = (await resident('/analytics/services/mine')).body;
    await page.waitForSelector('[data-test=services-mine-table] .el-table__body tr');
    const rows = await texts(page, '[data-test=services-mine-table] .el-table__body tr td:nth-child(2)');
    assert.deepEqual(rows, mine.items.map((x) => x.name), 'what the resident sees');
    await shot(page, 'services-console-staff');
    await page.close();

    const st = await consolePage('street');
    await st.waitForSelector('[data-test=services-kind][data-kind=market] .el-table__body tr:has-text("社区助浴点")');
    await st.click('[data-test=services-kind][data-kind=market] .el-table__body tr:has-text("社区助浴点") [data-test=services-delete]');
    await st.click('.el-message-box__btns .el-button--primary');
    await st.waitForSelector('[data-test=services-kind][data-kind=market] .el-table__body tr:has-text("社区助浴点")', { state: 'detached' });
    assert.ok(!(await list()).some((x) => x.name === '社区助浴点'), 'deleted in the API');
    assert.ok(!(await resident('/analytics/services/mine')).body.items.some((x) => x.name === '社区助浴点'), 'and gone for her');
    await st.close();
  });
  test('street admin: activity demand and life-circle gaps beside the others; 加入清单 pre-fills and saves', async () => {
    // a short street with a kindergarten at its end; one building of the demo community at its start
    geoDir = mkdtempSync(path.join(tmpdir(), 'linli-services-geo-'));
    writeFileSync(path.join(geoDir, 'line.osm'), `<?xml version="1.0" encoding="UTF-8"?><osm version="0.6">
<node id="1" lat="30.0000" lon="104.0000"/><node id="2" lat="30.0010" lon="104.0000"/><node id="3" lat="30.0020" lon="104.0000"/>
<node id="9" lat="30.0021" lon="104.0000"><tag k="amenity" v="kindergarten"/><tag k="name" v="阳光幼儿园"/></node>
<way id="10"><nd ref="1"/><nd ref="2"/><nd ref="3"/><tag k="highway" v="residential"/></way>
</osm>`);
    srv.linli(['geo', 'import', '--db', srv.db, path.join(geoDir, 'line.osm')]);
    const staff = await apiAs(srv.url, 'staff');
    const community = (await resident('/analytics/services/mine')).body.community.code;
    const building = Number(dbSql(srv.db, `SELECT min(id) FROM building WHERE community = '${community}'`).trim());
    const put = await staff(`/geo/buildings/${building}/point`, { method: 'PUT', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ lat: 30.0, lon: 104.0001 }) });
    assert.equal(put.status, 200, JSON.stringify(put.body));

    const sg = (await street(`/analytics/services/suggestions?scope=${STREET}&type=${encodeURIComponent(TYPE)}`)).body;
    const acts = sg.activities.filter((x) => x.signups > 0).slice(0, 6);
    assert.ok(acts.length > 0 && acts[0].waitlisted > 0, 'the demo has activities with a waitlist');
    const gaps = sg.gaps.filter((x) => x.gap).slice(0, 6);
    assert.ok(gaps.length > 0, 'a gap of the life circle');

    const page = await consolePage('street');
    await page.waitForSelector('[data-test=suggest-activities] [data-test=suggest-row]');
    const keys = (sec) => page.locator(`[data-test=suggest-${sec}] [data-test=suggest-row]`).evaluateAll((els) => els.map((e) => e.dataset.key));
    assert.deepEqual(await keys('activities'), acts.map((x) => x.key), 'the kinds most in demand, as the API orders them');
    assert.deepEqual(await keys('gaps'), gaps.map((x) => x.key), 'the gaps, least covered first');
    const top = acts[0], t = top.titles[0];
    const words = await page.textContent(`[data-test=suggest-activities] [data-test=suggest-row][data-key=${top.key}]`);
    assert.ok(words.includes(`近12个月报名 ${t.signups} 人，候补 ${t.waitlisted} 人`), words);
    const g0 = gaps[0];
    const gw = await page.textContent(`[data-test=suggest-gaps] [data-test=suggest-row][data-key=${g0.key}]`);
    assert.ok(gw.includes(`${g0.uncovered} 栋步行15分钟到不了${g0.label}`), gw);
    await shot(page, 'services-console-suggestions');

    // 加入清单 on the activity demand: a 公益服务 named after the activity
    await page.click(`[data-test=suggest-activities] [data-test=suggest-row][data-key=${top.key}] [data-test=suggest-add]`);
    await page.waitForSelector('[data-test=form-why]');
    const name = await page.inputValue('[data-test=form-name]');
    assert.ok(name.length > 0 && t.title.startsWith(name), `pre-filled from "${t.title}": ${name}`);
    assert.equal((await page.textContent('.el-dialog .el-radio.is-checked')).trim(), '公益服务');
    assert.match(await page.textContent('[data-test=form-why]'), new RegExp(`候补 ${t.waitlisted} 人`));
    await page.fill('[data-test=form-provider]', '社区老年大学');
    await page.fill('[data-test=form-frequency]', '每周一次');
    await page.click('[data-test=form-save]');
    await page.waitForSelector(`[data-test=services-kind][data-kind=welfare] .el-table__body tr:has-text("${name}")`);
    const saved = (await list()).find((x) => x.name === name);
    assert.deepEqual([saved?.kind, saved?.provider, saved?.frequency], ['welfare', '社区老年大学', '每周一次']);

    // 加入清单 on a gap: the service that answers it, of the kind the API guesses
    const gap = gaps.find((x) => x.key === 'fresh_market') || gaps[0];
    await page.waitForSelector('[data-test=services-dialog]', { state: 'hidden' });
    await page.click(`[data-test=suggest-gaps] [data-test=suggest-row][data-key=${gap.key}] [data-test=suggest-add]`);
    await page.waitForSelector('[data-test=form-why]:has-text("15分钟生活圈")');
    assert.equal(await page.inputValue('[data-test=form-name]'), gap.service);
    const label = { basic: '基本公共服务', welfare: '公益服务', market: '便民利民服务' }[gap.service_kind];
    assert.equal((await page.textContent('.el-dialog .el-radio.is-checked')).trim(), label);
    await page.click('[data-test=form-save]');
    await page.waitForSelector(`[data-test=services-kind][data-kind=${gap.service_kind}] .el-table__body tr:has-text("${gap.service}")`);
    assert.equal((await list()).find((x) => x.name === gap.service)?.kind, gap.service_kind);
    await page.close();
  });
});
