/*
 * Cases in chromium: a resident reports from the phone (390×844) with a photo
 * (a text file posing as a photo is refused with the server's Chinese message),
 * the routing rule dispatches it to the property unit, the property user
 * handles it on the console, staff verify and close, and the resident reads
 * the timeline and rates. Screenshots of every case page go to SHOTS_DIR.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PASSWORD, apiAs, consoleLogin, launchBrowser, newPage, shot, startLinli } from './helpers.mjs';
import { COMMUNITY } from '../lib/server.mjs';

/* A 1×1 PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

let srv, browser, dir, caseId;

before(async () => {
  srv = await startLinli();
  browser = await launchBrowser();
  dir = mkdtempSync(join(tmpdir(), 'linli-cases-'));
  writeFileSync(join(dir, 'stair.png'), PNG);
  writeFileSync(join(dir, 'notes.png'), '这不是图片，只是文字');
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

async function h5Login(page, { elder = false } = {}) {
  if (elder) await page.context().addInitScript(() => localStorage.setItem('linli.elder', '1'));
  await page.goto(srv.url + '/h5/');
  await page.waitForSelector('input[name=username]');
  await page.fill('input[name=username]', 'resident');
  await page.fill('input[name=password]', PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForSelector('[data-test=household-address]');
}

/* Console login for a user whose landing page may not be the dashboard. */
async function consoleAs(page, username) {
  if (username !== 'property') return consoleLogin(page, srv.url, username);
  await page.goto(srv.url + '/');
  await page.waitForSelector('input[name=username]');
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', PASSWORD);
  await page.click('button.login-btn');
  /* a unit's user lands on her 待办, the case list a click away */
  await page.waitForSelector('[data-test=workqueue]');
  await page.click('.aside [data-test=menu-cases]');
  await page.waitForSelector('[data-test=case-table]');
}

async function stateIs(page, label) {
  try {
    await page.waitForFunction((l) => (document.querySelector('[data-test=case-state]') || {}).textContent?.trim() === l, label);
  } catch (e) {
    await shot(page, 'fail-state');
    throw new Error(e.message + ' html: ' + (await page.evaluate(() => (document.querySelector('[data-test=case-state]') || {}).outerHTML)));
  }
}

async function step(page, action, reason) {
  await page.click(`[data-test=actions] [data-action=${action}]`);
  if (reason !== undefined) {
    await page.fill('textarea[data-test=action-reason], [data-test=action-reason] textarea', reason);
    await page.click('[data-test=action-submit]');
  }
}

describe('cases', () => {
  test('a resident reports from her phone with a photo; a text file is refused', async () => {
    const page = await newPage(browser, { phone: true });
    await h5Login(page);
    await shot(page, 'h5-home-cases');
    await page.click('[data-test=report-link]');
    await page.waitForSelector('[data-test=categories] [data-code=corridor_clutter], [data-test=categories] .chip');
    assert.ok((await page.locator('[data-test=categories] .chip').count()) >= 12);
    /* the building of her household is picked for her */
    assert.notEqual(await page.inputValue('[data-test=building]'), '0');

    await page.setInputFiles('[data-test=photo-input]', join(dir, 'notes.png'));
    const err = await page.textContent('[data-test=photo-error]');
    assert.match(err, /notes\.png/);
    assert.match(err, /[\u4e00-\u9fff]/, 'a Chinese message: ' + err);
    assert.equal(await page.locator('[data-test=photo]').count(), 0);
    await shot(page, 'h5-case-report-bad-photo');

    /* nothing chosen: the form says what is missing */
    await page.click('[data-test=submit]');
    await page.waitForSelector('text=请选择问题类别');

    await page.setInputFiles('[data-test=photo-input]', join(dir, 'stair.png'));
    await page.waitForSelector('[data-test=photo] img');
    await page.waitForFunction(() => !document.querySelector('[data-test=photo] .photo-busy'));
    await page.locator('[data-test=categories] .chip', { hasText: '楼道堆物' }).click();
    await page.fill('[data-test=description] textarea', '3单元楼道堆放大量纸箱，影响通行');
    await shot(page, 'h5-case-report');
    await page.click('[data-test=submit]');
    await page.click('.van-dialog__confirm');
    await page.waitForSelector('[data-test=timeline]');
    caseId = Number(/#\/cases\/(\d+)/.exec(page.url())[1]);
    assert.ok(caseId > 0);
    const steps = await page.locator('[data-test=step]').evaluateAll((els) => els.map((e) => e.dataset.action));
    assert.deepEqual(steps, ['report'], 'she sees her own steps; the dispatch is internal');
    assert.equal(await page.getAttribute('[data-test=progress] [data-key=received]', 'data-done'), '1');
    assert.equal(await page.getAttribute('[data-test=progress] [data-key=done]', 'data-done'), '0');
    assert.equal(await page.locator('[data-test=case-photo]').count(), 1);
    await page.waitForFunction(() => document.querySelector('[data-test=case-photo]').naturalWidth === 1, null, { timeout: 5000 });
    await shot(page, 'h5-case');
    assert.deepEqual(page.errors, []);
  });

  test('the property user handles it, staff verify and close on the console', async () => {
    const prop = await newPage(browser);
    await consoleAs(prop, 'property');
    /* her menu has her 待办 and the cases only */
    const menu = await prop.locator('.menu .el-menu-item').allTextContents();
    assert.deepEqual(menu.map((s) => s.trim()), ['工作台', '案件']);
    await shot(prop, 'console-cases-property');
    await prop.click(`[data-test=case-table] .el-table__row >> text="${caseId}"`);
    await prop.waitForSelector('[data-test=actions]');
    const acts = await prop.locator('[data-test=actions] button').evaluateAll((els) => els.map((e) => e.dataset.action));
    assert.deepEqual(acts.sort(), ['handle', 'return']);
    await step(prop, 'handle', '已安排保洁清运');
    await stateIs(prop, '处置中');
    await step(prop, 'complete', '纸箱已全部清运，楼道畅通');
    await prop.waitForSelector('[data-test=reply] >> text=纸箱已全部清运');
    await shot(prop, 'console-case-property');

    const staff = await newPage(browser);
    await consoleLogin(staff, srv.url, 'staff');
    await staff.goto(`${srv.url}/#/cases?state=handling`);
    await staff.waitForSelector(`[data-test=case-table] .el-table__row >> text="${caseId}"`);
    await shot(staff, 'console-cases');
    await staff.goto(`${srv.url}/#/cases/${caseId}`);
    await staff.waitForSelector('[data-test=actions] [data-action=verify]');
    await step(staff, 'verify', '现场查看，已清理');
    await stateIs(staff, '已核查');
    /* an empty return reason: the server's message in the dialog */
    await staff.click('[data-test=actions] [data-action=return]');
    await staff.click('[data-test=action-submit]');
    assert.match(await staff.textContent('[data-test=action-error]'), /[\u4e00-\u9fff]/);
    await staff.click('[data-test=action-dialog] .el-dialog__footer button:first-child');
    await step(staff, 'close', '');
    await stateIs(staff, '已结案');
    await shot(staff, 'console-case');
    assert.equal(await staff.locator('[data-test=timeline] [data-test=step]').count(), 6);
    assert.deepEqual([...prop.errors, ...staff.errors], []);
  });

  test('the resident reads the timeline and rates, in elder mode', async () => {
    const page = await newPage(browser, { phone: true });
    await h5Login(page, { elder: true });
    await page.click('[data-test=tab-cases]');
    await page.waitForSelector(`[data-test=case][data-id="${caseId}"]`);
    assert.equal(await page.textContent(`[data-test=case][data-id="${caseId}"] [data-test=case-state]`), '已结案');
    await shot(page, 'h5-my-cases-elder');
    await page.click(`[data-test=case][data-id="${caseId}"]`);
    await page.waitForSelector('[data-test=rate-card]');
    const steps = await page.locator('[data-test=step]').allTextContents();
    assert.equal(steps.length, 4, 'report, handle, complete, close: not the dispatch or the check');
    assert.match(steps[0], /结案/);
    assert.match(steps.join('|'), /物业/, 'the property user\'s role is shown');
    assert.match(steps.join('|'), /已安排保洁清运/);
    /* the unit's reply before she rates */
    assert.match(await page.textContent('[data-test=reply]'), /纸箱已全部清运/);
    assert.equal(await page.locator('[data-test=progress] li[data-done="1"]').count(), 3);
    await page.click('[data-rating=basically_satisfied]');
    await page.fill('[data-test=rate-comment] textarea', '清理了，希望保持');
    await shot(page, 'h5-case-rate-elder');
    await page.click('[data-test=rate-submit]');
    await page.waitForSelector('[data-test=rated] >> text=基本满意');
    assert.equal(await page.locator('[data-test=rate-card]').count(), 0);
    await shot(page, 'h5-case-rated-elder');
    assert.deepEqual(page.errors, []);
  });

  test('staff place an Open311 case that came with a free-text address', async () => {
    const key = srv.linli(['open311', 'key', '--db', srv.db, '--community', COMMUNITY]).trim();
    const r = await fetch(`${srv.url}/open311/v2/requests.json`, {
      method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ api_key: key, jurisdiction_id: COMMUNITY, service_code: 'greenery', address_string: '东门花坛旁', description: '树枝挡路' }).toString(),
    });
    assert.equal(r.status, 201);
    const [{ service_request_id: id }] = await r.json();
    const page = await newPage(browser);
    await consoleLogin(page, srv.url, 'staff');
    await page.goto(`${srv.url}/#/cases/${id}`);
    await page.waitForSelector('[data-test=to-place]');
    assert.match(await page.textContent('[data-test=to-place]'), /东门花坛旁/);
    await page.click('[data-test=place-building]');
    await page.locator('.el-select-dropdown__item:visible').first().click();
    await page.click('[data-test=place-submit]');
    await page.waitForSelector('[data-test=to-place]', { state: 'detached' });
    const api = await apiAs(srv.url, 'staff');
    const c = (await api(`/cases/${id}`)).body;
    assert.equal(c.open311.to_place, false);
    assert.ok(c.building_id > 0);
  });

  test('staff pages: settings, calendar, dashboard', async () => {
    const page = await newPage(browser);
    await consoleLogin(page, srv.url, 'staff');
    await page.goto(`${srv.url}/#/case-settings`);
    await page.waitForSelector('[data-test=categories-table] .el-table__row');
    await shot(page, 'console-case-settings');
    await page.click('.el-tabs__item >> text=派单规则');
    await page.waitForSelector('[data-test=routes-table] .el-table__row');
    await shot(page, 'console-case-routes');
    await page.goto(`${srv.url}/#/case-calendar`);
    await page.waitForSelector('[data-test=case-calendar] .cell');
    await shot(page, 'console-case-calendar');
    await page.goto(`${srv.url}/#/case-dashboard`);
    await page.waitForSelector('[data-test=kpi-satisfaction]');
    await page.waitForSelector('[data-test=chart-unit] canvas');
    await shot(page, 'console-case-dashboard');
    const api = await apiAs(srv.url, 'staff');
    const s = await api('/cases/stats');
    assert.equal(await page.textContent('[data-test=kpi-total] .kpi-value'), String(s.body.total.total));
    // the building view: one tile per building; a tile opens the inbox filtered to it
    const bv = (await api('/cases/by-building')).body;
    await page.waitForSelector('[data-test=building-view] .tile');
    assert.equal(await page.locator('[data-test=building-view] .tile').count(), bv.items.length);
    await page.locator('[data-test=building-view]').scrollIntoViewIfNeeded();
    await shot(page, 'console-case-buildings');
    const busy = bv.items.filter((b) => b.open > 0).sort((a, b) => b.overdue - a.overdue || b.open - a.open)[0];
    assert.ok(busy, 'the demo has a building with open cases');
    await page.click(`[data-test=building-view] .tile[data-building="${busy.id}"]`);
    await page.waitForSelector('[data-test=filter-building]');
    await page.waitForFunction((n) => document.querySelectorAll('[data-test=case-table] .el-table__body tr').length === n, Math.min(busy.open, 50));
    assert.match(await page.textContent('[data-test=filter-building]'), new RegExp(busy.name));
    await shot(page, 'console-cases-building');
    assert.deepEqual(page.errors, []);
  });
});
