/*
 * 志愿者 in the browser. Console (1366×768): the 居民自治 group with the
 * four volunteers' pages still fits the side bar; the list with masked
 * phones and a volunteer's ledger, where a correction is written; the teams
 * and their members; the pending hours, one confirmed; the totals with their
 * charts; an upcoming activity's posts. H5 (390×844): the demo resident's
 * 志愿者中心 with her hours and ledger, a post taken; another resident
 * registers herself.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { COMMUNITY, apiAs, consoleLogin, launchBrowser, menuGo, newPage, phoneAs, shot, startLinli } from './helpers.mjs';

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

const hours = (m) => {
  const t = Math.floor((Math.abs(m) * 10 + 30) / 60);
  return (m < 0 ? '-' : '') + Math.floor(t / 10) + '.' + (t % 10);
};

describe('volunteers in the console', () => {
  test('志愿者 in view at 1366×768; the list, a ledger and a correction', async () => {
    const api = await apiAs(srv.url, 'staff');
    const page = await newPage(browser);
    await page.setViewportSize({ width: 1366, height: 768 });
    await consoleLogin(page, srv.url, 'staff');
    await menuGo(page, 'menu-volunteers');
    await page.waitForURL(/#\/volunteers$/);
    await page.waitForSelector('[data-test=volunteers-table] .el-table__row');
    /*
     * 志愿者 is one item of 居民自治 (its four pages are tabs), in view with the
     * group open. NEEDSWORK: with 居民自治 open the side bar already ran past
     * 768 px before it (自治金, 社区信息 … below the fold on /activities too);
     * browser-console checks the closed groups.
     */
    const item = await page.locator('.aside [data-test=menu-volunteers]').boundingBox();
    assert.ok(item.y + item.height <= 768, `志愿者 ends at ${item.y + item.height}, below the fold`);
    for (const t of ['志愿者', '志愿队', '时长审核', '时长统计'])
      assert.ok(await page.locator(`[data-test=vol-tabs] .el-tabs__item:text-is("${t}")`).isVisible(), t);
    const list = (await api(`/volunteers?community=${COMMUNITY}&per_page=20`)).body;
    assert.equal(await page.locator('[data-test=volunteers-table] .el-table__row').count(), list.items.length);
    const firstRow = await page.textContent('[data-test=volunteers-table] .el-table__row');
    assert.ok(firstRow.includes(list.items[0].name) && firstRow.includes(list.items[0].phone), 'the first row: name and masked phone');
    assert.doesNotMatch(firstRow, /\d{11}/, 'no whole phone number');
    await shot(page, 'volunteers-console-list');
    await page.click('[data-test=volunteers-table] .el-table__row');
    await page.waitForSelector('[data-test=vol-ledger] .el-table__row');
    assert.equal((await page.textContent('[data-test=detail-hours]')).trim(), hours(list.items[0].minutes));
    await page.fill('[data-test=corr-minutes] input', '45');
    await page.fill('input[data-test=corr-reason], [data-test=corr-reason] input', '补录：帮忙搬运物资');
    await page.click('[data-test=corr-save]');
    await page.waitForSelector('[data-test=vol-ledger] .el-table__row:first-child:has-text("补录：帮忙搬运物资")');
    assert.equal((await page.textContent('[data-test=detail-hours]')).trim(), hours(list.items[0].minutes + 45));
    await shot(page, 'volunteers-console-detail');
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('teams with leads and members; pending hours confirmed; totals charts; posts of an activity', async () => {
    const api = await apiAs(srv.url, 'staff');
    const page = await newPage(browser);
    await page.setViewportSize({ width: 1366, height: 768 });
    await consoleLogin(page, srv.url, 'staff');
    await menuGo(page, 'menu-volunteers');
    await page.click('#tab-volunteer-teams');
    await page.waitForURL(/#\/volunteers\/teams$/);
    await page.waitForSelector('[data-test=teams-table] .el-table__row');
    assert.equal(await page.locator('[data-test=teams-table] .el-table__row').count(), 3);
    await page.click('[data-test=teams-table] .el-table__row:has-text("红旗手志愿队")');
    await page.waitForSelector('[data-test=team-members] .el-table__row');
    const team = (await api(`/volunteers/teams?community=${COMMUNITY}`)).body.items.find((t) => t.name === '红旗手志愿队');
    assert.equal(await page.locator('[data-test=team-members] .el-table__row').count(), team.members);
    await shot(page, 'volunteers-console-teams');

    await page.click('#tab-volunteer-hours');
    await page.waitForSelector('[data-test=hours-table] .el-table__row');
    const pending = (await api(`/volunteers/hours?community=${COMMUNITY}&state=pending`)).body.items;
    assert.equal(await page.locator('[data-test=hours-table] .el-table__row').count(), pending.length);
    await shot(page, 'volunteers-console-hours');
    await page.locator('[data-test=hours-confirm]').first().click();
    await page.waitForFunction((n) => document.querySelectorAll('[data-test=hours-table] .el-table__row').length === n, pending.length - 1);
    const after = (await api(`/volunteers/${pending[0].volunteer_id}/hours`)).body.items.find((e) => e.id === pending[0].id);
    assert.equal(after.state, 'confirmed');

    await page.click('#tab-volunteer-totals');
    await page.waitForSelector('[data-test=chart-months] canvas');
    await page.waitForSelector('[data-test=chart-teams] canvas');
    const totals = (await api(`/volunteers/totals?community=${COMMUNITY}`)).body;
    await page.waitForFunction(() => !document.querySelector('[data-test=kpi-hours]').textContent.startsWith('—'));
    assert.ok(totals.total_minutes > 0);
    await shot(page, 'volunteers-console-totals');

    const act = (await api(`/activities?community=${COMMUNITY}&kind=volunteer`)).body.items.find((a) => a.status === 'upcoming');
    await page.goto(`${srv.url}/#/activities/${act.id}`);
    await page.waitForSelector('[data-test=posts-table] .el-table__row');
    const posts = (await api(`/activities/${act.id}/posts`)).body.items;
    assert.equal(await page.locator('[data-test=posts-table] .el-table__row').count(), posts.length);
    assert.match(await page.textContent('[data-test=posts-table]'), new RegExp(posts[0].name));
    await shot(page, 'volunteers-console-posts');
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
});

describe('志愿者中心 on the phone', () => {
  test('the demo resident: her hours and ledger, a post taken', async () => {
    const api = await apiAs(srv.url, 'resident');
    const me = (await api('/volunteers/me')).body.volunteer;
    const page = await phoneAs(browser, srv.url, 'resident', false);
    await page.goto(srv.url + '/h5/#/mine');
    await page.click('[data-test=to-volunteers]');
    await page.waitForSelector('[data-test=vol-me]');
    assert.equal((await page.textContent('[data-test=my-hours]')).trim(), hours(me.minutes));
    const ledger = (await api('/volunteers/me/hours')).body.items;
    assert.equal(await page.locator('[data-test=ledger-row]').count(), ledger.length);
    assert.equal(await page.getAttribute('[data-test=vol-certificate]', 'href'), '/api/v1/volunteers/me/certificate');
    await shot(page, 'volunteers-h5-me');
    await page.click('.van-tab:has-text("报名岗位")');
    const open = (await api('/volunteers/posts')).body.items.filter((p) => !p.mine && p.taken < p.needed);
    const n = await page.locator('[data-test=post-leave]').count();
    await page.locator('[data-test=post-take]:not([disabled])').first().click();
    await page.waitForFunction((k) => document.querySelectorAll('[data-test=post-leave]').length === k + 1, n);
    const mine = (await api('/volunteers/posts')).body.items.filter((p) => p.mine);
    assert.equal(mine.length, n + 1);
    assert.ok(open.some((p) => p.id === mine.at(-1).id || mine.some((m) => m.id === p.id)));
    await shot(page, 'volunteers-h5-posts');
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('a long ledger comes 50 entries at a time on the phone; 查看更早的记录 brings the rest', async () => {
    const api = await apiAs(srv.url, 'resident');
    const staff = await apiAs(srv.url, 'staff');
    const me = (await api('/volunteers/me')).body.volunteer;
    for (let i = 0; i < 60; i++) {
      const r = await staff(`/volunteers/${me.id}/corrections`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ minutes: i % 2 ? -30 : 30, reason: `补录 ${i}` }),
      });
      assert.equal(r.status, 201, JSON.stringify(r.body));
    }
    const total = (await api('/volunteers/me/hours')).body.total;
    assert.ok(total > 60 && total <= 100);
    const page = await phoneAs(browser, srv.url, 'resident', false);
    await page.goto(srv.url + '/h5/#/volunteers');
    await page.waitForSelector('[data-test=ledger-row]');
    assert.equal(await page.locator('[data-test=ledger-row]').count(), 50);
    await page.click('[data-test=ledger-more]');
    await page.waitForFunction((n) => document.querySelectorAll('[data-test=ledger-row]').length === n, total);
    assert.equal(await page.locator('[data-test=ledger-more]').count(), 0, 'nothing more to load');
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('a resident who is no volunteer registers herself', async () => {
    const api = await apiAs(srv.url, 'elder');
    assert.equal((await api('/volunteers/me')).body.volunteer, null, 'the demo elder is no volunteer');
    const page = await phoneAs(browser, srv.url, 'elder', false);
    await page.goto(srv.url + '/h5/#/volunteers');
    await page.waitForSelector('[data-test=vol-form]');
    await shot(page, 'volunteers-h5-register');
    await page.click('[data-test=skill]:has-text("陪伴助老")');
    await page.click('[data-test=slot]:has-text("周末上午")');
    await page.fill('[data-test=skills-other] input', '会包馄饨');
    await page.click('[data-test=vol-save]');
    await page.waitForSelector('[data-test=vol-me]');
    const v = (await api('/volunteers/me')).body.volunteer;
    assert.deepEqual([v.skills, v.availability, v.skills_other], [['elder_care'], ['weekend_morning'], '会包馄饨']);
    assert.equal((await page.textContent('[data-test=my-hours]')).trim(), '0.0');
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
});
