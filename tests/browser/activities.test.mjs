/*
 * 社区活动 in the browser. The demo resident (390×844) finds an activity
 * from her home page, signs herself up and sees it in 我的活动; a full one
 * offers the waitlist and gives her place; she signs in and out with the
 * session's QR code. Staff (1366×768) publish an activity in the console,
 * open its QR poster and sign a resident without a phone in from the list.
 * Each step is checked against the server, not only the page.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PASSWORD, apiAs, consoleLogin, launchBrowser, menuGo, newPage, shot, startLinli } from './helpers.mjs';

const MIN = 60000;
const HOUR = 60 * MIN;
let srv;
let browser;
let staffApi;
let residentApi;
let self; // the demo resident's own resident id and name
let kin; // another of her household

/* @ms as RFC 3339 in China's time */
const iso = (ms) => new Date(ms + 8 * HOUR).toISOString().slice(0, 19) + '+08:00';

before(async () => {
  srv = await startLinli();
  browser = await launchBrowser();
  staffApi = await apiAs(srv.url, 'staff');
  residentApi = await apiAs(srv.url, 'resident');
  const me = await residentApi('/me');
  const members = me.body.household.members.filter((m) => m.status === 'active');
  assert.ok(members.length >= 2, 'the demo resident lives with family');
  /* /activities/mine's self tells which she is */
  const mine = await residentApi('/activities/mine');
  const own = mine.body.items.find((x) => x.self);
  self = members.find((m) => m.id === own.resident_id);
  kin = members.find((m) => m.id !== self.id);
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

async function publish(extra) {
  const start = Date.now() + 2 * 24 * HOUR;
  const r = await staffApi('/activities', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ community: '310105004017', title: '测试活动', kind: 'course', start: iso(start), end: iso(start + HOUR), capacity: 5, place: '社区活动室 101', ...extra }),
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}

async function h5Login(page, username) {
  await page.goto(srv.url + '/h5/');
  await page.waitForSelector('input[name=username]');
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForURL(/#\/home/);
}

async function noSideScroll(page, what) {
  const w = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(w <= 390, `${what}: ${w} px wide, scrolls sideways`);
}

describe('activities', () => {
  test('resident: from the home page to an activity, signs herself up, sees it in 我的活动', async () => {
    const a = await publish({ title: '手工课：剪纸', capacity: 3, age_min: 0 });
    const page = await newPage(browser, { phone: true });
    await h5Login(page, 'resident');
    await page.click('[data-test=activities-link]');
    await page.waitForSelector(`[data-test=activity][data-id="${a.id}"]`);
    await noSideScroll(page, 'the list');
    assert.match(await page.textContent(`[data-test=activity][data-id="${a.id}"] [data-test=places]`), /剩 3 个名额/);
    /* the kind filter: courses only */
    await page.click('[data-test=kinds] [data-kind=market]');
    await page.waitForSelector('[data-test=kinds] [data-kind=market].on');
    await page.waitForFunction((id) => !document.querySelector(`[data-test=activity][data-id="${id}"]`), a.id);
    const kinds = await page.$$eval('[data-test=activity] .act-head .van-tag:first-child', (els) => els.map((e) => e.textContent.trim()));
    assert.ok(kinds.length >= 1 && kinds.every((k) => k === '便民集市'), JSON.stringify(kinds));
    await page.click('[data-test=kinds] [data-kind=course]');
    await page.click(`[data-test=activity][data-id="${a.id}"]`);
    await page.waitForSelector('[data-test=title]');
    assert.equal((await page.textContent('[data-test=title]')).trim(), '手工课：剪纸');
    assert.match(await page.textContent('[data-test=cancel-until]'), /取消报名请在 \d+月\d+日 周. \d\d:\d\d 之前/);
    await noSideScroll(page, 'the activity');
    await page.click('[data-test=signup]');
    await page.waitForSelector('[data-test=who-sheet] [data-test=person]');
    await shot(page, 'activities-h5-who');
    await page.click(`[data-test=who-sheet] [data-test=person][data-id="${self.id}"]`);
    await page.waitForSelector('[data-test=my-signup][data-state=confirmed]');
    assert.match(await page.textContent('[data-test=my-signups]'), new RegExp(self.name));
    assert.match(await page.textContent('[data-test=capacity]'), /剩 2 个名额/);
    /* her family member is still free to sign up: the button stays, for the family */
    assert.match(await page.textContent('[data-test=signup]'), /为家人报名/);
    await shot(page, 'activities-h5-signed-up');
    const g = await residentApi(`/activities/${a.id}`);
    assert.deepEqual(g.body.my_signups.map((s) => [s.resident_id, s.state]), [[self.id, 'confirmed']]);

    await page.goto(srv.url + '/h5/#/mine');
    await page.click('[data-test=to-activities]');
    await page.waitForSelector(`[data-test=mine][data-activity="${a.id}"]`);
    assert.equal(await page.getAttribute(`[data-test=mine][data-activity="${a.id}"]`, 'data-state'), 'confirmed');
    assert.match(await page.textContent(`[data-test=mine][data-activity="${a.id}"]`), /手工课：剪纸/);
    await noSideScroll(page, '我的活动');
    await shot(page, 'activities-h5-mine');
    assert.deepEqual(page.errors, []);
  });

  test('resident: a full activity offers the waitlist and gives her place; a cancellation before the deadline moves her up', async () => {
    const a = await publish({ title: '满员的讲座', capacity: 1, kind: 'civic' });
    const r = await residentApi(`/activities/${a.id}/signups`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ resident_id: kin.id }) });
    assert.equal(r.body.state, 'confirmed');
    const page = await newPage(browser, { phone: true });
    await h5Login(page, 'resident');
    await page.goto(srv.url + '/h5/#/activities');
    await page.waitForSelector(`[data-test=activity][data-id="${a.id}"]`);
    assert.match(await page.textContent(`[data-test=activity][data-id="${a.id}"] [data-test=places]`), /已满，可候补/);
    await page.click(`[data-test=activity][data-id="${a.id}"]`);
    await page.waitForSelector('[data-test=signup]');
    assert.match(await page.textContent('[data-test=signup]'), /名额已满，加入候补/);
    await page.click('[data-test=signup]');
    await page.click(`[data-test=who-sheet] [data-test=person][data-id="${self.id}"]`);
    await page.waitForSelector('.van-dialog >> text=已加入候补');
    assert.match(await page.textContent('.van-dialog'), /候补第 1 位/);
    await page.click('.van-dialog__confirm');
    await page.waitForSelector('[data-test=my-signup][data-state=waitlisted]');
    assert.match(await page.textContent('[data-test=my-signup][data-state=waitlisted] [data-test=position]'), /候补第 1 位/);
    await shot(page, 'activities-h5-waitlist');
    /* before the deadline she cancels her family member's place: she moves up from the waitlist */
    await page.locator('[data-test=my-signup][data-state=confirmed] [data-test=cancel-signup]').click();
    await page.click('.van-dialog__confirm');
    await page.waitForFunction(() => document.querySelectorAll('[data-test=my-signup]').length === 1
      && document.querySelector('[data-test=my-signup]').dataset.state === 'confirmed');
    assert.match(await page.textContent('[data-test=my-signups]'), new RegExp(self.name));
    assert.doesNotMatch(await page.textContent('[data-test=my-signups]'), new RegExp(kin.name));
    assert.deepEqual((await residentApi(`/activities/${a.id}`)).body.my_signups.map((x) => [x.resident_id, x.state]), [[self.id, 'confirmed']]);
    /* and her family member joins the waitlist again, first in line */
    await page.click('[data-test=signup]');
    await page.click(`[data-test=who-sheet] [data-test=person][data-id="${kin.id}"]`);
    await page.waitForSelector('.van-dialog >> text=已加入候补');
    assert.match(await page.textContent('.van-dialog'), /候补第 1 位/);
    await page.click('.van-dialog__confirm');
    const s = (await residentApi('/activities/mine')).body.items.find((x) => x.activity_id === a.id && x.resident_id === kin.id);
    assert.equal(s.state, 'waitlisted');
    assert.equal(s.position, 1);
    await page.goto(srv.url + '/h5/#/activities/mine');
    await page.waitForSelector(`[data-test=mine][data-activity="${a.id}"][data-state=waitlisted]`);
    assert.match(await page.textContent(`[data-test=mine][data-activity="${a.id}"][data-state=waitlisted]`), new RegExp(kin.name));
    assert.match(await page.textContent(`[data-test=mine][data-activity="${a.id}"][data-state=waitlisted]`), /候补第 1 位/);
    assert.deepEqual(page.errors, []);
  });

  test('staff publish in the console, open the QR poster and sign a resident in from the list; she signs in and out by QR', async () => {
    const page = await newPage(browser);
    await page.setViewportSize({ width: 1366, height: 768 });
    await consoleLogin(page, srv.url, 'staff');
    await menuGo(page, 'menu-activities');
    await page.waitForSelector('[data-test=activities-table] .el-table__row');
    await page.click('[data-test=publish]');
    await page.waitForSelector('[data-test=f-title]');
    await page.fill('[data-test=f-title]', '楼道清理（浏览器）');
    await page.click('[data-test=f-kind] >> text=志愿服务');
    /* starts in 10 minutes: within the half hour before the start, sign-in is open */
    const start = new Date(Date.now() + 10 * MIN + 8 * HOUR).toISOString().slice(0, 16).replace('T', ' ');
    await page.fill('[data-test=f-start] input', start);
    await page.keyboard.press('Enter');
    await page.fill('[data-test=f-place]', '3号楼门口');
    await page.fill('[data-test=f-capacity] input', '6');
    await shot(page, 'activities-console-form');
    await page.click('[data-test=f-save]');
    await page.waitForSelector('[data-test=activity-head] [data-test=title]');
    assert.equal((await page.textContent('[data-test=activity-head] [data-test=title]')).trim(), '楼道清理（浏览器）');
    const id = Number(page.url().match(/activities\/(\d+)/)[1]);
    const a = (await staffApi(`/activities/${id}`)).body;
    assert.equal(a.kind, 'volunteer');
    assert.equal(a.capacity, 6);
    assert.equal(a.place, '3号楼门口');
    assert.equal(a.start.slice(0, 16).replace('T', ' '), start, 'the time typed is the time published');

    /* the QR poster of its session is a PNG */
    const href = await page.getAttribute('[data-test=qr-link]', 'href');
    assert.equal(href, `/api/v1/activities/${id}/qr.png?session=1`);
    const png = await page.request.get(srv.url + href);
    assert.equal(png.status(), 200);
    assert.equal(png.headers()['content-type'], 'image/png');

    /* she signs up herself and her family member; staff sign the family member in */
    for (const who of [self, kin]) {
      const r = await residentApi(`/activities/${id}/signups`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ resident_id: who.id }) });
      assert.equal(r.status, 201, JSON.stringify(r.body));
    }
    await page.reload();
    await page.waitForSelector('[data-test=checkin-table] .el-table__row');
    const row = page.locator('[data-test=checkin-table] .el-table__row', { hasText: kin.name });
    assert.equal((await row.locator('[data-test=in-at]').textContent()).trim(), '—');
    await row.locator('[data-test=staff-sign-in]').click();
    await row.locator('[data-test=staff-sign-out]').waitFor();
    assert.match((await row.locator('[data-test=in-at]').textContent()).trim(), /^\d\d:\d\d$/);
    await shot(page, 'activities-console-checkin');
    const att = (await staffApi(`/activities/${id}/signups`)).body.attendance;
    assert.deepEqual(att.map((t) => [t.resident_id, t.out_at]), [[kin.id, null]]);
    assert.deepEqual(page.errors, []);

    /* she scans the poster's code: her own sign-in and sign-out */
    const token = a.sessions[0].token;
    const phone = await newPage(browser, { phone: true });
    await h5Login(phone, 'resident');
    await phone.goto(`${srv.url}/h5/#/activities/${id}/checkin?token=${token}`);
    await phone.waitForSelector('[data-test=person]');
    const mine = phone.locator(`[data-test=person][data-resident="${self.id}"]`);
    await mine.locator('[data-test=sign-in]').click();
    await mine.locator('[data-test=state]').waitFor();
    assert.match(await mine.locator('[data-test=state]').textContent(), /已签到 \d\d:\d\d/);
    await mine.locator('[data-test=sign-out]').click();
    await phone.waitForFunction((rid) => /已签退/.test(document.querySelector(`[data-test=person][data-resident="${rid}"] [data-test=state]`).textContent), self.id);
    await noSideScroll(phone, 'the sign-in page');
    await shot(phone, 'activities-h5-checkin');
    const rows = (await staffApi(`/activities/${id}/signups`)).body.attendance.filter((t) => t.resident_id === self.id);
    assert.equal(rows.length, 1);
    assert.ok(rows[0].in_at && rows[0].out_at, JSON.stringify(rows));
    /* a foreign token is refused in words */
    await phone.goto(`${srv.url}/h5/#/activities/${id}/checkin?token=nottherightone`);
    await phone.locator(`[data-test=person][data-resident="${kin.id}"] [data-test=sign-out]`).waitFor();
    await phone.locator(`[data-test=person][data-resident="${kin.id}"] [data-test=sign-in]`).click();
    await phone.waitForSelector('.van-dialog >> text=未能签到');
    assert.match(await phone.textContent('.van-dialog'), /二维码不是本活动的签到码/);
    assert.deepEqual(phone.errors, []);
  });

  test('resident: rates an activity she came to, from 我的活动', async () => {
    const before = (await residentApi('/activities/mine')).body.items.find((x) => x.self && x.status === 'ended' && x.attended && !x.rated);
    assert.ok(before, 'the demo resident came to a past activity and has not rated it');
    const count = (await residentApi(`/activities/${before.activity_id}`)).body.ratings;
    const page = await newPage(browser, { phone: true });
    await h5Login(page, 'resident');
    await page.goto(srv.url + '/h5/#/activities/mine?tab=past');
    const card = page.locator(`[data-test=past][data-activity="${before.activity_id}"]`);
    await card.locator('[data-test=rate]').click();
    await page.waitForSelector('[data-test=rate-card]');
    assert.equal(await page.isDisabled('[data-test=rate-submit]'), true, 'no score, no rating');
    await page.click('[data-test=rate-card] [data-score="4"]');
    await page.fill('[data-test=rate-card] textarea', '老人们很开心');
    await noSideScroll(page, 'the rating');
    await shot(page, 'activities-h5-rate');
    await page.click('[data-test=rate-submit]');
    await page.waitForSelector('[data-test=rated]');
    assert.equal(await page.locator('[data-test=rate-card]').count(), 0);
    const after = (await residentApi(`/activities/${before.activity_id}`)).body;
    assert.equal(after.ratings, count + 1);
    assert.equal((await residentApi('/activities/mine')).body.items.find((x) => x.self && x.activity_id === before.activity_id).rated, true);
    assert.deepEqual(page.errors, []);
  });

  test('staff sign in a walk-in at a market: anyone of the community, found by name', async () => {
    const a = await publish({ title: '便民集市（浏览器）', kind: 'market', walk_in: true, waitlist: false, capacity: 100,
      start: iso(Date.now() + 10 * MIN), end: iso(Date.now() + 3 * HOUR) });
    const page = await newPage(browser);
    await page.setViewportSize({ width: 1366, height: 768 });
    await consoleLogin(page, srv.url, 'staff');
    await page.goto(`${srv.url}/#/activities/${a.id}`);
    await page.waitForSelector('[data-test=walk-in]');
    await page.locator('[data-test=walk-in-select] input').fill(kin.name);
    const option = page.locator('.el-select-dropdown__item:visible', { hasText: kin.name }).first();
    await option.click();
    await page.click('[data-test=walk-in-sign]');
    const row = page.locator('[data-test=checkin-table] .el-table__row', { hasText: `${kin.name}（现场）` });
    await row.waitFor();
    assert.match((await row.locator('[data-test=in-at]').textContent()).trim(), /^\d\d:\d\d$/);
    const att = (await staffApi(`/activities/${a.id}/signups`)).body.attendance;
    assert.equal(att.length, 1);
    assert.equal(att[0].signup_id, null, 'a walk-in, not a sign-up');
    assert.equal(att[0].resident_name, kin.name);
    await shot(page, 'activities-console-walk-in');
    assert.deepEqual(page.errors, []);
  });

  test('staff read the figures: attendance, ratings, and which ages and buildings the activities reach or miss', async () => {
    const st = (await staffApi('/activities/stats?community=310105004017')).body;
    const page = await newPage(browser);
    await page.setViewportSize({ width: 1366, height: 768 });
    await consoleLogin(page, srv.url, 'staff');
    await page.goto(`${srv.url}/#/activity-stats`);
    await page.waitForFunction(() => /%/.test(document.querySelector('[data-test=kpi-rate]')?.textContent || ''));
    assert.equal((await page.textContent('[data-test=kpi-rate]')).trim(), (st.attendance_rate * 100).toFixed(1) + '%');
    for (const c of ['chart-kinds', 'chart-scores', 'chart-reach-age'])
      assert.equal(await page.locator(`[data-test=${c}] canvas`).count(), 1, c + ' is drawn');
    // the buildings' table: the least reached first, as many rows as buildings
    const rows = page.locator('[data-test=reach-buildings] .el-table__body-wrapper .el-table__row');
    await rows.first().waitFor();
    const least = Math.min(...st.reach.by_building.map((b) => b.rate));
    const cell = async (i) => Number((await rows.first().locator('td').nth(i).textContent()).trim());
    assert.equal(Math.floor(((await cell(2)) * 1000) / (await cell(1))) / 1000, least);
    assert.equal(await rows.count(), st.reach.by_building.length);
    assert.ok(st.reach.by_building.length > 0 && st.reach.by_age.some((x) => x.reached > 0));
    await shot(page, 'activities-console-stats');
    assert.deepEqual(page.errors, []);
  });
});
