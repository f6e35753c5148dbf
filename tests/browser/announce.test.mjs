/*
 * Announcements and the work queue in the browser: staff land on 待办 and
 * reach each item in a click; they publish an announcement to one building
 * in the console (1366×768) and print it; the resident sees it on her H5
 * home (390×844, normal and elder mode), opens it, and staff see her
 * household in the receipts; the street admin's first page compares the
 * street's communities; import templates come as .xlsx and CSV.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { COMMUNITY, PASSWORD, apiAs, consoleLogin, launchBrowser, newPage, shot, startLinli } from './helpers.mjs';

const CONSOLE = { width: 1366, height: 768 };
let srv;
let browser;

before(async () => {
  srv = await startLinli();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

async function consolePage() {
  const page = await newPage(browser);
  await page.setViewportSize(CONSOLE);
  return page;
}

async function h5Login(page, username) {
  await page.goto(srv.url + '/h5/');
  await page.waitForSelector('input[name=username]');
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', PASSWORD);
  await page.click('button[type=submit]');
}

const fitsPhone = (page) => page.evaluate(() => document.documentElement.scrollWidth <= 390);

describe('work queue and announcements', () => {
  test('staff land on 待办: each section counts its work and an item opens in one click', async () => {
    const staff = await apiAs(srv.url, 'staff');
    const wq = (await staff('/workqueue')).body;
    const page = await consolePage();
    await consoleLogin(page, srv.url, 'staff');
    await page.waitForSelector('[data-test=wq-bookings_pending] [data-test=wq-item]');
    for (const s of wq.sections)
      assert.equal((await page.textContent(`[data-test=wq-${s.key}] [data-test=wq-count]`)).trim(), String(s.count), s.key);
    /* the queue is the first thing on the page: above the fold at 1366×768 */
    const box = await page.locator('[data-test=workqueue]').boundingBox();
    assert.ok(box.y + 120 < 768, `the queue starts at ${box.y}`);
    await shot(page, 'console-workqueue');

    await page.click('[data-test=wq-handoffs] [data-test=wq-item]');
    await page.waitForURL(/assistant\/unanswered\?tab=handoffs/);
    await page.waitForSelector('[data-test=handoff-table] .el-table__row');
    assert.match(await page.textContent('[data-test=handoff-table]'), /助浴/);

    await page.goBack();
    await page.click('[data-test=wq-imports] [data-test=wq-item]');
    await page.waitForURL(/import\?log=\d+/);
    await page.waitForSelector('[data-test=import-log-rows] .el-table__row');
    assert.equal(await page.locator('[data-test=import-log-rows] .el-table__row').count(), 2);
    await shot(page, 'console-import-log');
    await page.click('[data-test=import-resolve]');
    await page.waitForSelector('[data-test=import-logs]', { state: 'detached' });
    assert.equal((await staff('/workqueue')).body.sections.find((s) => s.key === 'imports').count, 0);

    await page.goBack();
    await page.waitForSelector('[data-test=wq-cases_waiting] [data-test=wq-item]');
    await page.click('[data-test=wq-cases_waiting] [data-test=wq-item]');
    await page.waitForURL(/#\/cases\/\d+$/);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('a property user lands on her unit\'s 待办 at 1366×768: waiting and overdue cases, each a click away', async () => {
    const property = await apiAs(srv.url, 'property');
    const staff = await apiAs(srv.url, 'staff');
    const json = (method, body) => ({ method, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    /* one case dispatched to her unit by the demo's rule, and one of hers past its deadline */
    const building = (await staff(`/buildings?community=${COMMUNITY}&per_page=1`)).body.items[0].id;
    const c = (await staff('/cases', json('POST', { category: 'corridor_clutter', description: '物业待办：楼道纸箱堆积', building_id: building }))).body;
    assert.equal(c.state, 'dispatched', JSON.stringify(c));
    const wq = (await property('/workqueue')).body;
    const waiting = wq.sections.find((s) => s.key === 'cases_waiting');
    assert.ok(waiting.count > 0, 'her unit has cases waiting');
    assert.deepEqual(wq.sections.map((s) => s.key), ['cases_waiting', 'cases_overdue']);

    const page = await consolePage();
    await page.goto(srv.url + '/');
    await page.waitForSelector('input[name=username]');
    await page.fill('input[name=username]', 'property');
    await page.fill('input[name=password]', PASSWORD);
    await page.click('button.login-btn');
    /* the landing page is her 待办, first on the page, no registry figures */
    await page.waitForSelector('[data-test=wq-cases_waiting] [data-test=wq-item]');
    await page.waitForURL(/#\/dashboard/);
    const box = await page.locator('[data-test=workqueue]').boundingBox();
    assert.ok(box.y + 120 < 768, `the queue starts at ${box.y}`);
    assert.equal(await page.locator('[data-test=stat-residents]').count(), 0, 'no registry figures for a unit');
    for (const s of wq.sections)
      assert.equal((await page.textContent(`[data-test=wq-${s.key}] [data-test=wq-count]`)).trim(), String(s.count), s.key);
    const menu = (await page.locator('.aside .el-menu-item').allTextContents()).map((x) => x.trim());
    assert.deepEqual(menu, ['工作台', '案件']);
    await shot(page, 'console-workqueue-property');

    /* the section title opens her list, the overdue one with only overdue cases */
    await page.click('[data-test=wq-cases_overdue] .wq-title');
    await page.waitForURL(/#\/cases\?state=open&overdue=1/);
    await page.waitForSelector('[data-test=case-table]');
    assert.equal(await page.isChecked('[data-test=filter-overdue] input'), true, 'the list opens filtered to overdue cases');
    await page.goBack();
    /* an item opens the case in one click */
    await page.locator('[data-test=wq-cases_waiting] [data-test=wq-item]').first().click();
    await page.waitForURL(/#\/cases\/\d+$/);
    await page.waitForSelector('[data-test=actions]');
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('import templates download as Excel and as CSV', async () => {
    const page = await consolePage();
    await consoleLogin(page, srv.url, 'staff');
    await page.goto(srv.url + '/#/import');
    await page.waitForSelector('[data-test=template-xlsx]');
    const [xlsx] = await Promise.all([page.waitForEvent('download'), page.click('[data-test=template-xlsx]')]);
    assert.equal(xlsx.suggestedFilename(), '居民台账导入模板.xlsx');
    const bytes = await (await import('node:fs/promises')).readFile(await xlsx.path());
    assert.equal(bytes.subarray(0, 2).toString(), 'PK', 'a zip (xlsx) file');
    const [csv] = await Promise.all([page.waitForEvent('download'), page.click('[data-test=template-csv]')]);
    assert.equal(csv.suggestedFilename(), '居民台账导入模板.csv');
    const text = (await (await import('node:fs/promises')).readFile(await csv.path(), 'utf8')).replace(/^\uFEFF/, '');
    assert.match(text.split(/\r?\n/)[0], /^楼栋,单元,楼层,室号/);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('staff publish to one building; the resident reads it on her phone; the receipt counts her household', async () => {
    const staff = await apiAs(srv.url, 'staff');
    const resident = await apiAs(srv.url, 'resident');
    const me = (await resident('/me')).body;
    const building = me.household.building_id;

    const page = await consolePage();
    await consoleLogin(page, srv.url, 'staff');
    await page.click('[data-test=menu-announcements]');
    await page.waitForSelector('[data-test=announce-table] .el-table__row');
    await shot(page, 'console-announcements');
    await page.click('[data-test=announce-new]');
    await page.waitForSelector('[data-test=announce-dialog]');
    await page.click('[data-test=announce-target] >> text=楼栋');
    await page.click('[data-test=announce-building]');
    const name = (await staff(`/buildings/${building}`)).body.name;
    assert.ok(name, 'the building has a name');
    await page.getByRole('option', { name, exact: true }).click();
    await page.fill('[data-test=announce-title-input]', '楼道粉刷通知');
    await page.fill('[data-test=announce-body-input]', '本周六上午粉刷楼道墙面。\n请勿在楼道堆放物品。');
    await page.click('[data-test=announce-pinned]');
    await shot(page, 'console-announce-new');
    await page.click('[data-test=announce-publish]');
    await page.waitForSelector('[data-test=announce-dialog]', { state: 'hidden' });
    const row = page.locator('[data-test=announce-table] .el-table__row', { hasText: '楼道粉刷通知' });
    await row.waitFor();
    const list = (await staff(`/announcements?community=${COMMUNITY}&state=active`)).body.items;
    const ann = list.find((a) => a.title === '楼道粉刷通知');
    assert.equal(ann.building_id, building);
    assert.equal(ann.pinned, true);
    assert.equal(ann.body, '本周六上午粉刷楼道墙面。\n请勿在楼道堆放物品。');
    assert.match(await row.locator('[data-test=announce-receipt]').textContent(), new RegExp(`已读 0 / ${ann.households} 户`));

    /* the resident: on her home, first (pinned), unread; opening it reads it */
    const phone = await newPage(browser, { phone: true });
    await h5Login(phone, 'resident');
    await phone.waitForSelector('[data-test=home-announcement]');
    const first = phone.locator('[data-test=home-announcement]').first();
    assert.match(await first.textContent(), /楼道粉刷通知/);
    assert.equal(await first.locator('.ann-dot').count(), 1, 'unread');
    assert.ok(await fitsPhone(phone));
    await shot(phone, 'h5-home-announcements');
    await first.click();
    await phone.waitForSelector('[data-test=announcement-read]');
    assert.equal((await phone.textContent('[data-test=announcement-title]')).trim(), '楼道粉刷通知');
    assert.match(await phone.textContent('[data-test=announcement-body]'), /粉刷楼道墙面。\n请勿/);
    assert.ok(await fitsPhone(phone));
    await shot(phone, 'h5-announcement');
    const after = (await staff(`/announcements/${ann.id}`)).body;
    assert.equal(after.read_households, 1);
    /* her notice of it in 消息 is read too */
    const inbox = (await resident('/notices')).body.items.find((n) => n.link === `/announcements/${ann.id}`);
    assert.ok(inbox && inbox.read_at, 'the notice is read');

    /* elder mode: bigger type, still within the phone */
    const normal = await phone.$eval('[data-test=announcement-body]', (el) => parseFloat(getComputedStyle(el).fontSize));
    await phone.evaluate(() => localStorage.setItem('linli.elder', '1'));
    await phone.reload();
    await phone.waitForSelector('[data-test=announcement-body]');
    const big = await phone.$eval('[data-test=announcement-body]', (el) => parseFloat(getComputedStyle(el).fontSize));
    assert.ok(big > normal, `${big} > ${normal}`);
    assert.ok(await fitsPhone(phone));
    await shot(phone, 'h5-announcement-elder');
    await phone.goto(srv.url + '/h5/#/announcements');
    await phone.waitForSelector('[data-test=announcement]');
    assert.ok(await fitsPhone(phone));
    await shot(phone, 'h5-announcements-elder');
    await phone.goto(srv.url + '/h5/#/home');
    await phone.waitForSelector('[data-test=home-announcement]');
    assert.ok(await fitsPhone(phone));
    await shot(phone, 'h5-home-announcements-elder');
    assert.deepEqual(phone.errors, []);
    await phone.context().close();

    /* staff: the receipt shows her household read; the printable sheet */
    await page.reload();
    await row.waitFor();
    assert.match(await row.locator('[data-test=announce-receipt]').textContent(), new RegExp(`已读 1 / ${ann.households} 户`));
    await row.click();
    await page.waitForSelector('[data-test=announce-reads] .el-table__row');
    assert.match(await page.textContent('[data-test=drawer-receipt]'), /已读 1 /);
    await shot(page, 'console-announce-drawer');
    const print = await consolePage();
    await consoleLogin(print, srv.url, 'staff');
    await print.goto(`${srv.url}/#/announcements/${ann.id}/print`);
    await print.waitForSelector('[data-test=print-title]');
    assert.equal((await print.textContent('[data-test=print-title]')).trim(), '楼道粉刷通知');
    await print.emulateMedia({ media: 'print' });
    assert.equal(await print.locator('[data-test=print-now]').isVisible(), false, 'the button does not print');
    await shot(print, 'console-announce-print');
    assert.deepEqual(page.errors, []);
    assert.deepEqual(print.errors, []);
    await print.context().close();
    await page.context().close();
  });

  test('a resident of another building does not see it; the H5 list is empty of it', async () => {
    const staff = await apiAs(srv.url, 'staff');
    const ann = (await staff(`/announcements?community=${COMMUNITY}`)).body.items.find((a) => a.title === '楼道粉刷通知');
    const resident = await apiAs(srv.url, 'resident');
    const home = (await resident('/me')).body.household;
    const other = (await staff(`/buildings?community=${COMMUNITY}&per_page=200`)).body.items.find((b) => b.id !== home.building_id);
    assert.ok(other, 'another building');
    const hh = (await staff(`/households?building_id=${other.id}&per_page=1`)).body;
    const h = (hh.items || hh)[0];
    assert.ok(h, JSON.stringify(hh));
    const { linli } = await import('../lib/server.mjs');
    if (!srv.db) return; /* LINLI_URL: no database to add a user to */
    linli(['user', 'add', '--db', srv.db, '--username', 'neighbour', '--password', PASSWORD, '--role', 'resident', '--scope', String(h.id)]);
    const phone = await newPage(browser, { phone: true });
    await h5Login(phone, 'neighbour');
    await phone.waitForSelector('[data-test=household-card], [data-test=home-announcements]');
    await phone.goto(srv.url + '/h5/#/announcements');
    await phone.waitForSelector('[data-test=announcement]');
    assert.equal(await phone.locator('[data-test=announcement]', { hasText: ann.title }).count(), 0);
    await phone.goto(`${srv.url}/h5/#/announcements/${ann.id}`);
    await phone.waitForSelector('text=这条通知已撤回或过期');
    assert.ok(await fitsPhone(phone));
    assert.deepEqual(phone.errors, []);
    await phone.context().close();
  });

  test('the street admin opens on her street: its communities compared, then one community', async () => {
    const street = await apiAs(srv.url, 'street');
    const cmp = (await street('/stats/communities')).body;
    const page = await consolePage();
    await consoleLogin(page, srv.url, 'street');
    await page.waitForSelector('[data-test=so-table] .el-table__row');
    /* the header names her street, not one community picked for her */
    assert.match(await page.textContent('[data-test=street-scope]'), new RegExp(`全街道 ${cmp.items.length} 个社区`));
    assert.equal(await page.locator('[data-test=community-picker]').count(), 0);
    assert.equal(await page.locator('[data-test=so-table] .el-table__body-wrapper .el-table__row').count(), cmp.items.length);
    const overdue = cmp.items.reduce((t, x) => t + x.cases_overdue, 0);
    assert.equal((await page.textContent('[data-test=so-overdue]')).trim(), String(overdue));
    await page.waitForSelector('[data-test=so-chart] canvas');
    const box = await page.locator('[data-test=street-overview]').boundingBox();
    assert.ok(box.y < 768, 'the comparison starts above the fold');
    await shot(page, 'console-street-overview');
    /* a row opens that community below */
    const target = cmp.items.find((x) => x.code !== COMMUNITY);
    await page.click(`[data-test=so-table] .el-table__row >> text="${target.name}"`);
    await page.waitForSelector(`[data-test=community-head] >> text=${target.name}`);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
});
