/*
 * Function rooms in chromium: a resident books on the H5 at 390×844, sees a
 * conflict when someone else took the slot meanwhile (and joins the
 * waitlist), checks in from the door page; elder mode on the room page;
 * staff see the booking on the console calendar, day and week, and the
 * closures (blackouts with their reason, hours outside the opening hours)
 * greyed out.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { COMMUNITY, PASSWORD, apiAs, consoleLogin, launchBrowser, menuGo, newPage, shot, startLinli } from './helpers.mjs';

const MIN = 60000, DAY = 86400000, OFF = 8 * 3600000, UNIT = 5 * MIN;
const todayDay = () => Math.floor((Date.now() + OFF) / DAY);
const dateOf = (d) => new Date((todayDay() + d) * DAY).toISOString().slice(0, 10);
const at = (d, h, m = 0) => (todayDay() + d) * DAY - OFF + (h * 60 + m) * MIN;
const iso = (ms) => new Date(ms + OFF).toISOString().replace(/\.\d{3}Z$/, '+08:00');

let srv, browser, staff, grid, resident;
const rooms = {};

async function makeRoom(name, rules = {}) {
  const json = { 'Content-Type': 'application/json' };
  let r = await staff('/rooms', { method: 'POST', headers: json, body: JSON.stringify({ community: COMMUNITY, name, capacity: 12 }) });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  if (Object.keys(rules).length) {
    r = await staff(`/rooms/${r.body.id}`, { method: 'PATCH', headers: json, body: JSON.stringify({ rules }) });
    assert.equal(r.status, 200, JSON.stringify(r.body));
  }
  return r.body;
}

const bookAs = (who, room, start, end) => who('/bookings', {
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({ room_id: room.id, start: iso(start), end: iso(end) }),
});

before(async () => {
  srv = await startLinli();
  browser = await launchBrowser();
  staff = await apiAs(srv.url, 'staff');
  grid = await apiAs(srv.url, 'grid');
  resident = await apiAs(srv.url, 'resident');
  rooms.main = await makeRoom('书画室');
  rooms.door = await makeRoom('签到室', { slot_minutes: 5, min_minutes: 5 });
  rooms.quiet = await makeRoom('会议室');
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

async function h5Page({ elder = false } = {}) {
  const page = await newPage(browser, { phone: true });
  if (elder) await page.context().addInitScript(() => localStorage.setItem('linli.elder', '1'));
  await page.goto(srv.url + '/h5/');
  await page.waitForSelector('input[name=username]');
  await page.fill('input[name=username]', 'resident');
  await page.fill('input[name=password]', PASSWORD);
  await page.click('button[type=submit]');
  await page.waitForSelector('[data-test=household-address]');
  return page;
}

/* Opens the room page on tomorrow's column. */
async function openTomorrow(page, room) {
  await page.goto(`${srv.url}/h5/#/rooms/${room.id}`);
  await page.waitForSelector('[data-test=slots]');
  await page.click(`[data-test=days] [data-date="${dateOf(1)}"]`);
  await page.waitForSelector(`[data-test=slots] [data-time="10:00"]`);
}

describe('function rooms', () => {
  test('a resident books a slot in two taps on a phone', async () => {
    const page = await h5Page();
    await page.click('.van-tabbar >> text="活动室"');
    await page.waitForSelector('[data-test=room]');
    assert.ok((await page.locator('[data-test=room]').count()) >= 2);
    await shot(page, 'h5-rooms');
    await page.click('[data-test=room] >> text=书画室');
    await page.waitForSelector('[data-test=slots]');
    await page.click(`[data-test=days] [data-date="${dateOf(1)}"]`);
    const slot = page.locator('[data-test=slots] [data-time="10:00"]');
    assert.equal(await slot.getAttribute('data-mark'), 'F');
    const box = await slot.boundingBox();
    assert.ok(box.height >= 48 && box.width >= 88, `a large target: ${box.width}×${box.height}`);
    await slot.click(); // tap one
    await page.waitForSelector('[data-test=book-sheet] [data-test=confirm-book]');
    assert.match(await page.textContent('[data-test=sheet-when]'), /10:00-11:00/);
    await shot(page, 'h5-book-sheet');
    await page.click('[data-test=confirm-book]'); // tap two
    await page.waitForSelector('.van-dialog >> text=预约成功');
    await shot(page, 'h5-booked');
    await page.click('.van-dialog__confirm');

    const mine = (await resident('/bookings?mine=1&state=active')).body.items.filter((b) => b.room_id === rooms.main.id);
    assert.equal(mine.length, 1);
    assert.equal(mine[0].start, iso(at(1, 10)));
    assert.equal(mine[0].end, iso(at(1, 11)));
    await page.waitForSelector('[data-test=slots] [data-time="10:00"][data-mark=M]');
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390), 'nothing wider than the phone');

    /* the week grid shows it too */
    await page.click('[data-test=mode-week]');
    await page.waitForSelector('[data-test=week] .cell.m-M');
    await shot(page, 'h5-room-week');

    /* my bookings lists it, and cancelling asks first */
    await page.click('[data-test=mode-day]');
    await page.goto(`${srv.url}/h5/#/bookings`);
    await page.waitForSelector(`[data-test=booking][data-id="${mine[0].id}"]`);
    await shot(page, 'h5-my-bookings');
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('a slot taken meanwhile is shown as a conflict, and she can queue for it', async () => {
    const page = await h5Page();
    await openTomorrow(page, rooms.main);
    await page.click('[data-test=slots] [data-time="14:00"]');
    await page.waitForSelector('[data-test=confirm-book]');
    /* someone else books it while the sheet is open */
    const r = await bookAs(grid, rooms.main, at(1, 14), at(1, 15));
    assert.equal(r.status, 201);
    await page.click('[data-test=confirm-book]');
    await page.waitForSelector('.van-dialog >> text=该时段刚被预约');
    assert.match(await page.textContent('.van-dialog'), /已被预约/);
    await shot(page, 'h5-conflict');
    await page.click('.van-dialog__confirm'); // 加入候补
    await page.waitForSelector('.van-dialog >> text=已加入候补');
    assert.match(await page.textContent('.van-dialog'), /第 1 位/);
    await page.click('.van-dialog__confirm');
    await page.waitForSelector('[data-test=slots] [data-time="14:00"][data-mark=T]');
    const waits = (await resident('/waitlist')).body.items.filter((w) => w.room_id === rooms.main.id && w.state === 'waiting');
    assert.equal(waits.length, 1);
    assert.equal(waits[0].start, iso(at(1, 14)));
    assert.equal(waits[0].position, 1);
    assert.equal((await resident('/bookings?mine=1&state=active')).body.items.filter((b) => b.start === iso(at(1, 14))).length, 0, 'no booking of hers');

    await page.goto(`${srv.url}/h5/#/bookings?tab=waitlist`);
    await page.waitForSelector('[data-test=wait] >> text=候补第 1 位');
    await shot(page, 'h5-waitlist');
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('the door QR page checks her in and shows the access code', async () => {
    const t0 = Math.floor(Date.now() / UNIT) * UNIT;
    const r = await bookAs(resident, rooms.door, t0, t0 + 30 * MIN);
    assert.equal(r.status, 201, JSON.stringify(r.body));
    /* the page the poster's QR code opens */
    const page = await h5Page();
    await page.goto(`${srv.url}/h5/#/rooms/${rooms.door.id}/checkin`);
    await page.waitForSelector('[data-test=checkin]');
    await shot(page, 'h5-checkin');
    await page.click('[data-test=checkin]');
    await page.waitForSelector('[data-test=access-code]');
    const code = (await page.textContent('[data-test=access-code]')).trim();
    assert.match(code, /^\d{6}$/);
    const b = (await resident(`/bookings/${r.body.id}`)).body;
    assert.equal(b.state, 'checked_in');
    assert.equal(b.access.code, code);
    await shot(page, 'h5-checked-in');

    /* no booking of hers in the other room: the page offers to book it */
    await page.goto(`${srv.url}/h5/#/rooms/${rooms.quiet.id}/checkin`);
    await page.waitForSelector('[data-test=no-booking]');
    await page.click('[data-test=no-booking] >> text=预约该活动室');
    await page.waitForSelector('[data-test=slots]');
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('elder mode makes the room page larger and keeps targets big', async () => {
    const page = await h5Page({ elder: true });
    await openTomorrow(page, rooms.main);
    const slot = page.locator('[data-test=slots] [data-time="16:00"]');
    const box = await slot.boundingBox();
    assert.ok(box.height >= 60, `elder slot is ${box.height}px tall`);
    assert.ok(box.width >= 150, `two columns: ${box.width}px wide`);
    const fs = await slot.locator('.slot-time').evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    assert.ok(fs >= 20, `slot time at ${fs}px`);
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390));
    await shot(page, 'h5-room-elder');
    await slot.click();
    await page.waitForSelector('[data-test=confirm-book]');
    const btn = await page.locator('[data-test=confirm-book]').boundingBox();
    assert.ok(btn.height >= 56, `confirm button is ${btn.height}px tall`);
    await shot(page, 'h5-sheet-elder');
    await page.context().close();
  });

  test('staff see the bookings on the calendar of all rooms, day and week', async () => {
    const mine = (await resident('/bookings?mine=1&state=active')).body.items.find((b) => b.room_id === rooms.main.id);
    const page = await newPage(browser);
    await consoleLogin(page, srv.url, 'staff');
    await menuGo(page, 'menu-room-calendar');
    await page.waitForSelector('[data-test=calendar] .col-head');
    assert.ok(await page.locator('.col-head >> text=书画室').count());
    await page.click('[aria-label=下一段]');
    await page.waitForSelector(`[data-test=booking-${mine.id}]`);
    assert.match(await page.textContent(`[data-test=booking-${mine.id}]`), /10:00-11:00/);
    await shot(page, 'console-room-calendar-day');
    await page.click(`[data-test=booking-${mine.id}]`);
    await shot(page, 'console-room-calendar-popover');
    await page.waitForSelector('.el-popover:visible >> text=/预约人/');
    await page.keyboard.press('Escape');
    await page.click('[data-test=cal-mode] >> text=周');
    await page.waitForSelector(`[data-test=booking-${mine.id}]`);
    await shot(page, 'console-room-calendar-week');

    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('the calendar of all rooms draws closures greyed out with their reason', async () => {
    const json = { 'Content-Type': 'application/json' };
    const close = async (room, start, end, reason) => {
      const r = await staff(`/rooms/${room.id}/blackouts`, { method: 'POST', headers: json, body: JSON.stringify({ start: iso(start), end: iso(end), reason }) });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      return r.body;
    };
    const daily = ['09:00-12:00', '14:00-18:00'];
    const hoursRoom = await makeRoom('阅览室', { open_24h: false, opening_hours: { mon: daily, tue: daily, wed: daily, thu: daily, fri: daily, sat: daily, sun: daily } });
    const repair = await close(rooms.quiet, at(1, 14), at(1, 16, 30), '空调检修');
    const overnight = await close(hoursRoom, at(0, 17), at(1, 10), '闭馆盘点');
    const page = await newPage(browser);
    await consoleLogin(page, srv.url, 'staff');
    await menuGo(page, 'menu-room-calendar');
    await page.waitForSelector('[data-test=calendar] .col-head');
    await page.click('[aria-label=下一段]');
    const block = page.locator(`[data-test=closure-${repair.id}]`);
    await block.waitFor();
    assert.match(await block.textContent(), /暂停开放/);
    assert.match(await block.textContent(), /空调检修/);
    /* where it is: in 会议室's column, 14:00 to 16:30 */
    const heads = await page.locator('.col-head .ch-main').allTextContents();
    const col = heads.indexOf('会议室');
    const body = page.locator('.col-body').nth(col);
    const bb = await body.boundingBox();
    const b = await block.boundingBox();
    assert.ok(b.x >= bb.x && b.x + b.width <= bb.x + bb.width + 1, 'inside the room\'s column');
    const px = 44;
    const topOf = async (hh) => bb.y + (hh - Number((await page.locator('.hour-label').first().textContent()).slice(0, 2))) * px;
    assert.ok(Math.abs(b.y - (await topOf(14))) <= 2, `starts at 14:00: ${b.y} vs ${await topOf(14)}`);
    assert.ok(Math.abs(b.height - 2.5 * px) <= 3, `2.5 hours tall: ${b.height}`);
    const bg = await block.evaluate((el) => getComputedStyle(el).backgroundImage);
    assert.match(bg, /repeating-linear-gradient/, 'greyed with stripes');
    /* a closure over midnight shows its part of the day, from midnight */
    const night = page.locator(`[data-test=closure-${overnight.id}]`);
    assert.match(await night.textContent(), /闭馆盘点/);
    /* hours outside the opening hours are shaded too, in that room's column only */
    const shutCol = heads.indexOf('阅览室');
    assert.ok((await page.locator('.col-body').nth(shutCol).locator('[data-test=shut]').count()) >= 2, '12:00-14:00 and after 18:00');
    assert.equal(await page.locator('.col-body').nth(col).locator('[data-test=shut]').count(), 0, 'a 24-hour room has no closed hours');
    await shot(page, 'console-room-calendar-closures');
    await block.click();
    await page.waitForSelector('.el-popover:visible >> text=原因：空调检修');
    await shot(page, 'console-room-calendar-closure-popover');
    await page.keyboard.press('Escape');
    /* the week shows them as well, named by room */
    await page.click('[data-test=cal-mode] >> text=周');
    await page.waitForSelector(`[data-test=closure-${repair.id}] >> text=会议室：空调检修`);
    await shot(page, 'console-room-calendar-week-closures');
    /* staff reopen the time from the calendar */
    await page.click(`[data-test=closure-${repair.id}]`);
    await page.click('.el-popover:visible >> text=恢复开放');
    await page.click('.el-message-box__btns >> text=恢复开放');
    await page.waitForSelector(`[data-test=closure-${repair.id}]`, { state: 'detached' });
    assert.ok(!(await staff(`/rooms/${rooms.quiet.id}/blackouts`)).body.items.some((x) => x.id === repair.id));
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test('staff see the room list and utilisation charts', async () => {
    const page = await newPage(browser);
    await consoleLogin(page, srv.url, 'staff');
    await menuGo(page, 'menu-rooms');
    await page.waitForSelector('[data-test=rooms-table] .el-table__row');
    await shot(page, 'console-rooms');
    await menuGo(page, 'menu-room-stats');
    await page.waitForSelector('[data-test=chart-heatmap] canvas');
    await shot(page, 'console-room-stats');
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
});
