// Function rooms, continued: the smart-lock webhook and code verification,
// door links and the kiosk view, calendar subscriptions (parsed with ical.js),
// bookings on behalf of a resident or a team, utilisation stats, PNG posters.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import ICAL from 'ical.js';
import { startServer, linli, COMMUNITY, dbSql } from '../lib/server.mjs';
import { expectError } from '../lib/check.mjs';

const OTHER = '310105004001';
const MIN = 60000, DAY = 86400000, OFF = 8 * 3600000, UNIT = 5 * MIN;

let srv, lock;
const tok = {}, uid = {}, user = {};
const sql = (q) => dbSql(srv.db, q).trim();
const api = (method, p, token, body) => srv.api(method, p, { token, body });
const todayDay = () => Math.floor((Date.now() + OFF) / DAY);
const at = (d, h, m = 0) => (todayDay() + d) * DAY - OFF + (h * 60 + m) * MIN;
const iso = (ms) => new Date(ms + OFF).toISOString().replace(/\.\d{3}Z$/, '+08:00');
const dateOf = (d) => new Date((todayDay() + d) * DAY).toISOString().slice(0, 10);
const book = (who, room, start, end, extra = {}) =>
  api('POST', '/api/v1/bookings', tok[who], { room_id: room.id, start: iso(start), end: iso(end), ...extra });
const counts = () => sql(`SELECT (SELECT count(*) FROM booking) || '/' || (SELECT count(*) FROM booking_slot) || '/' || (SELECT count(*) FROM booking_link) || '/' || (SELECT count(*) FROM waitlist)`);

async function addUser(name, role, scope, display) {
  const args = ['user', 'add', '--db', srv.db, '--username', name, '--password', 'linli2026', '--role', role, '--scope', String(scope)];
  srv.linli(args);
  if (display) sql(`UPDATE app_user SET display_name = '${display}' WHERE username = '${name}'`);
  const r = await srv.login(name);
  tok[name] = r.token;
  uid[name] = r.user.id;
  user[name] = r.user;
}

async function makeRoom(name, rules = {}, extra = {}) {
  let r = await api('POST', '/api/v1/rooms', tok.staff, { community: COMMUNITY, name, capacity: 10, ...extra });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  if (Object.keys(rules).length) {
    r = await api('PATCH', `/api/v1/rooms/${r.body.id}`, tok.staff, { rules });
    assert.equal(r.status, 200, JSON.stringify(r.body));
  }
  return r.body;
}

/* A small HTTP server standing in for a smart lock: it records every POST and answers with the next status. */
function startLock() {
  const got = [];
  const statuses = [];
  const waiters = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      got.push({ path: req.url, type: req.headers['content-type'], body: JSON.parse(body) });
      res.writeHead(statuses.shift() || 200);
      res.end('ok');
      for (const w of waiters.splice(0)) w();
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => {
    const { port } = server.address();
    resolve({
      url: `http://127.0.0.1:${port}`,
      got,
      statuses,
      async waitFor(n, ms = 10000) {
        const deadline = Date.now() + ms;
        while (got.length < n) {
          if (Date.now() > deadline) throw new Error(`lock got ${got.length} of ${n} posts`);
          await new Promise((r) => { waiters.push(r); setTimeout(r, 200); });
        }
      },
      close: () => new Promise((r) => server.close(r)),
    });
  }));
}

before(async () => {
  lock = await startLock();
  srv = await startServer({ demo: true, residents: 300 });
  for (const u of ['admin', 'street', 'secretary', 'staff', 'grid', 'resident']) {
    const r = await srv.login(u);
    tok[u] = r.token;
    uid[u] = r.user.id;
    user[u] = r.user;
  }
  const own = sql(`SELECT id FROM household WHERE community = '${COMMUNITY}' ORDER BY id LIMIT 6`).split('\n');
  await addUser('wang', 'resident', own[2], '王秀英');
  await addUser('li', 'resident', own[3], '李建国');
  await addUser('far', 'resident', sql(`SELECT id FROM household WHERE community = '${OTHER}' ORDER BY id LIMIT 1`));
  await addUser('farstaff', 'staff', OTHER);
});
after(async () => {
  await srv.stop();
  await lock.close();
});

/* ---- smart lock ---- */

test('check-in posts the access code to the room\'s lock webhook, in the background, retrying a failure', async () => {
  const room = await makeRoom('门锁室', { slot_minutes: 5, min_minutes: 5 }, { lock_webhook: lock.url + '/hook' });
  assert.equal(room.lock_webhook, lock.url + '/hook', 'staff see the webhook');
  let r = await api('GET', `/api/v1/rooms/${room.id}`, tok.wang);
  assert.equal(r.body.lock_webhook, undefined, 'residents do not');
  const t0 = Math.floor(Date.now() / UNIT) * UNIT;
  r = await book('wang', room, t0, t0 + 30 * MIN);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const id = r.body.id;
  lock.statuses.push(503); // the lock is down the first time
  const t = Date.now();
  r = await api('POST', `/api/v1/bookings/${id}/checkin`, tok.wang);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.ok(Date.now() - t < 900, 'check-in does not wait for the lock (its retry is a second later)');
  const access = r.body.access;
  await lock.waitFor(2);
  assert.equal(lock.got.length, 2, 'one failure, one retry');
  for (const g of lock.got) {
    assert.equal(g.path, '/hook');
    assert.equal(g.type, 'application/json');
    assert.deepEqual(g.body, {
      room: room.id, room_name: '门锁室', booking_id: id, code: access.code,
      valid_from: access.valid_from, valid_to: iso(t0 + 30 * MIN),
    });
  }
  assert.match(srv.stderr(), /lock webhook failed, will retry/);

  /* a second look at the code does not post again */
  r = await api('POST', `/api/v1/bookings/${id}/checkin`, tok.wang);
  assert.equal(r.body.access.code, access.code);
  await new Promise((res) => setTimeout(res, 300));
  assert.equal(lock.got.length, 2);
  lock.got.length = 0;
});

test('a bad lock webhook is refused with a Chinese message and nothing written', async () => {
  const room = await makeRoom('门锁二室');
  for (const bad of ['ftp://x/y', 'javascript:alert(1)', '', 42]) {
    const r = await api('PATCH', `/api/v1/rooms/${room.id}`, tok.staff, { lock_webhook: bad });
    assert.ok(r.status === 422, JSON.stringify(r.body));
    assert.equal(r.body.error.field, 'lock_webhook');
  }
  assert.equal(sql(`SELECT CASE WHEN lock_webhook IS NULL THEN 1 ELSE 0 END FROM room WHERE id = ${room.id}`), '1');
  let r = await api('PATCH', `/api/v1/rooms/${room.id}`, tok.staff, { lock_webhook: 'https://lock.example/x' });
  assert.equal(r.status, 200);
  r = await api('PATCH', `/api/v1/rooms/${room.id}`, tok.staff, { lock_webhook: null });
  assert.equal(r.body.lock_webhook, null, 'null clears it');
});

test('a global lock_webhook in the configuration serves rooms without their own', async () => {
  const conf = path.join(srv.dir, 'lock.conf');
  writeFileSync(conf, `lock_webhook = ${lock.url}/global\n`);
  const other = await startServer({ demo: true, residents: 50, extraArgs: ['--config', conf] });
  try {
    const staff = (await other.login('staff')).token;
    const resident = (await other.login('resident')).token;
    let r = await other.api('POST', '/api/v1/rooms', { token: staff, body: { community: COMMUNITY, name: '全局门锁室', capacity: 5 } });
    const room = r.body;
    r = await other.api('PATCH', `/api/v1/rooms/${room.id}`, { token: staff, body: { rules: { slot_minutes: 5, min_minutes: 5 } } });
    const t0 = Math.floor(Date.now() / UNIT) * UNIT;
    r = await other.api('POST', '/api/v1/bookings', { token: resident, body: { room_id: room.id, start: iso(t0), end: iso(t0 + 10 * MIN) } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    r = await other.api('POST', `/api/v1/bookings/${r.body.id}/checkin`, { token: resident });
    assert.equal(r.status, 200);
    await lock.waitFor(1);
    assert.equal(lock.got[0].path, '/global');
    assert.equal(lock.got[0].body.code, r.body.access.code);
    lock.got.length = 0;
  } finally {
    await other.stop();
  }
  writeFileSync(conf, 'lock_webhook = ftp://x\n');
  assert.throws(() => linli(['serve', '--db', srv.db, '--listen', '127.0.0.1:1', '--config', conf], { timeout: 10000 }),
    (e) => e.status === 2 && /lock_webhook/.test(String(e.stderr)), 'a bad URL in the configuration stops start-up');
});

/* ---- door links, kiosk, verification ---- */

let door = {};

test('staff make a door link; the kiosk shows now (masked), next, and the next free slot', async () => {
  const room = await makeRoom('门牌室', { slot_minutes: 5, min_minutes: 15 });
  door.room = room;
  let r = await api('GET', `/api/v1/rooms/${room.id}/door-link`, tok.staff);
  assert.deepEqual(r.body, { active: false, created_at: null });
  r = await api('POST', `/api/v1/rooms/${room.id}/door-link`, tok.wang);
  assert.equal(r.status, 403, 'residents cannot');
  r = await api('POST', `/api/v1/rooms/${room.id}/door-link`, tok.farstaff);
  assert.equal(r.status, 404, 'staff of another community do not see the room');
  r = await api('POST', `/api/v1/rooms/${room.id}/door-link`, tok.staff);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.active, true);
  assert.ok(r.body.token.length >= 32);
  assert.ok(r.body.kiosk_url.endsWith(`/h5/#/kiosk/${r.body.token}`));
  assert.ok(r.body.verify_url.endsWith(`/api/v1/door/${r.body.token}/verify`));
  assert.equal(sql(`SELECT count(*) FROM booking_link WHERE room_id = ${room.id}`), '1');
  assert.equal(sql(`SELECT count(*) FROM booking_link WHERE token_hash = '${r.body.token}'`), '0', 'only a hash is kept');
  door.token = r.body.token;

  const t0 = Math.floor(Date.now() / UNIT) * UNIT;
  assert.equal((await book('wang', room, t0, t0 + 20 * MIN)).status, 201);
  assert.equal((await book('li', room, t0 + 20 * MIN, t0 + 40 * MIN)).status, 201);
  assert.equal((await book('staff', room, t0 + 40 * MIN, t0 + 60 * MIN, { team: '书法班' })).status, 201);
  r = await srv.api('GET', `/api/v1/door/${door.token}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.room.name, '门牌室');
  assert.equal(r.body.now.name, '王**', 'a masked name');
  assert.equal(r.body.now.start, iso(t0));
  assert.equal(r.body.next[0].name, '李**');
  assert.equal(r.body.next[1].team, '书法班');
  assert.ok(!JSON.stringify(r.body).includes('王秀英'), 'no full name anywhere');
  assert.equal(r.body.next_free.start, iso(t0 + 60 * MIN), 'the first gap where 15 minutes fit');
  assert.equal(r.body.next_free.end, iso(t0 + 75 * MIN));
  assert.equal(r.body.open_now, true);

  r = await fetch(`${srv.url}/api/v1/door/${door.token}/qr.svg`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /image\/svg\+xml/);
  const svg = await r.text();
  assert.match(svg, /门牌室/);
  const when = new Date(t0 + 60 * MIN + OFF).toISOString();
  assert.ok(svg.includes(`${Number(when.slice(11, 13))}:${when.slice(14, 16)}`) || svg.includes(when.slice(11, 16)), 'the caption names the free slot');
});

test('the kiosk says when a room is closed for a blackout', async () => {
  const room = await makeRoom('检修室');
  const { token } = (await api('POST', `/api/v1/rooms/${room.id}/door-link`, tok.staff)).body;
  let r = await srv.api('GET', `/api/v1/door/${token}`);
  assert.equal(r.body.open_now, true);
  assert.equal(r.body.closed_for, null);
  const t0 = Math.floor(Date.now() / UNIT) * UNIT;
  r = await api('POST', `/api/v1/rooms/${room.id}/blackouts`, tok.staff, { start: iso(t0), end: iso(t0 + 60 * MIN), reason: '设备检修' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  r = await srv.api('GET', `/api/v1/door/${token}`);
  assert.equal(r.body.open_now, false);
  assert.equal(r.body.closed_for, '设备检修');
  assert.ok(Date.parse(r.body.next_free.start) >= t0 + 60 * MIN, 'the next free slot is after it');
});

test('a lock verifies access codes through the door link, only during the slot', async () => {
  const room = door.room;
  const mine = { id: Number(sql(`SELECT id FROM booking WHERE room_id = ${room.id} AND user_id = ${uid.wang}`)) };
  let r = await api('POST', `/api/v1/bookings/${mine.id}/checkin`, tok.wang);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const code = r.body.access.code;
  r = await srv.api('POST', `/api/v1/door/${door.token}/verify`, { body: { code } });
  assert.equal(r.status, 200);
  assert.equal(r.body.valid, true);
  assert.equal(r.body.booking_id, mine.id);
  assert.equal(r.body.valid_to, r.body.valid_to.slice(0, 19) + '+08:00');
  const wrong = code === '000000' ? '000001' : '000000';
  r = await srv.api('POST', `/api/v1/door/${door.token}/verify`, { body: { code: wrong } });
  assert.deepEqual(r.body, { valid: false, room: room.id });
  /* after its end the code opens nothing */
  sql(`UPDATE booking SET end_ms = ${Date.now() - 1000} WHERE id = ${mine.id}`);
  r = await srv.api('POST', `/api/v1/door/${door.token}/verify`, { body: { code } });
  assert.equal(r.body.valid, false);
  /* bad input */
  for (const [body, field, code2] of [[{ code: '12345' }, 'code', 'too_short'], [{ code: '12a456' }, 'code', 'invalid_code'], [{ code: 123456 }, 'code', 'invalid_type'], [{}, 'code', 'missing_field'], [{ code: '123456', x: 1 }, 'x', 'unknown_field']]) {
    r = await srv.api('POST', `/api/v1/door/${door.token}/verify`, { body });
    assert.equal(r.status, 422, JSON.stringify(r.body));
    assert.equal(r.body.error.field, field);
    assert.equal(r.body.error.code, code2);
  }
  r = await srv.api('POST', `/api/v1/door/${door.token}/verify`, { raw: '{"code":', headers: { 'Content-Type': 'application/json' } });
  assert.equal(r.status, 400);
  r = await srv.api('POST', `/api/v1/door/not-a-token/verify`, { body: { code: '123456' } });
  expectError(r, 404, 'not_found');
});

test('wrong codes are limited per room', async () => {
  let last;
  for (let i = 0; i < 25; i++) last = await srv.api('POST', `/api/v1/door/${door.token}/verify`, { body: { code: String(100000 + i) } });
  expectError(last, 429, 'too_many_attempts');
});

test('rotating a door link kills the old one; revoking kills it for good', async () => {
  const room = door.room;
  const audited = Number(sql(`SELECT count(*) FROM audit WHERE action IN ('room.door_link', 'room.door_link_revoke')`));
  let r = await api('POST', `/api/v1/rooms/${room.id}/door-link`, tok.secretary);
  assert.equal(r.status, 201);
  const fresh = r.body.token;
  assert.notEqual(fresh, door.token);
  r = await srv.api('GET', `/api/v1/door/${door.token}`);
  expectError(r, 404, 'not_found');
  assert.equal((await srv.api('GET', `/api/v1/door/${fresh}`)).status, 200);
  r = await api('GET', `/api/v1/rooms/${room.id}/door-link`, tok.staff);
  assert.equal(r.body.active, true);
  assert.equal(r.body.token, undefined, 'the token is shown once');
  r = await api('DELETE', `/api/v1/rooms/${room.id}/door-link`, tok.staff);
  assert.equal(r.status, 200);
  assert.equal(r.body.active, false);
  assert.equal((await srv.api('GET', `/api/v1/door/${fresh}`)).status, 404);
  assert.equal((await srv.api('GET', `/api/v1/door/${fresh}/qr.svg`)).status, 404);
  r = await api('DELETE', `/api/v1/rooms/${room.id}/door-link`, tok.staff);
  expectError(r, 404, 'not_found');
  assert.equal(Number(sql(`SELECT count(*) FROM audit WHERE action IN ('room.door_link', 'room.door_link_revoke')`)), audited + 2);
});

/* ---- calendar subscriptions ---- */

test('a resident subscribes to her bookings; real iCalendar parses it; revoking ends it', async () => {
  const room = await makeRoom('订阅室');
  assert.equal((await book('li', room, at(1, 9), at(1, 10), { purpose: '读书会; 第1次, 欢迎' })).status, 201);
  assert.equal((await book('li', room, at(2, 14), at(2, 15, 30))).status, 201);
  assert.equal((await book('wang', room, at(1, 11), at(1, 12))).status, 201);
  let r = await api('GET', '/api/v1/bookings/feed', tok.li);
  assert.deepEqual(r.body, { active: false, created_at: null });
  r = await api('DELETE', '/api/v1/bookings/feed', tok.li);
  expectError(r, 404, 'not_found');
  r = await api('POST', '/api/v1/bookings/feed', tok.li);
  assert.equal(r.status, 201);
  assert.match(r.body.url, /\/api\/v1\/feeds\/[A-Za-z0-9_-]+\/bookings\.ics$/);
  assert.ok(r.body.webcal_url.startsWith('webcal://'));
  const url = new URL(r.body.url);
  let res = await fetch(srv.url + url.pathname); // no token, no cookie
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type'), /text\/calendar/);
  const text = await res.text();
  const cal = new ICAL.Component(ICAL.parse(text));
  const events = cal.getAllSubcomponents('vevent').map((v) => new ICAL.Event(v));
  const mine = events.filter((e) => e.summary.startsWith('订阅室'));
  assert.equal(mine.length, 2, 'her two bookings, not wang\'s');
  const first = mine.find((e) => e.startDate.toJSDate().getTime() === at(1, 9));
  assert.ok(first, 'start time survives the round trip');
  assert.equal(first.endDate.toJSDate().getTime(), at(1, 10));
  assert.equal(first.description, '读书会; 第1次, 欢迎', 'escaped text comes back whole');
  assert.equal(events.find((e) => e.startDate.toJSDate().getTime() === at(2, 14)).endDate.toJSDate().getTime(), at(2, 15, 30));

  /* the room feed (with a session) parses too */
  res = await fetch(`${srv.url}/api/v1/rooms/${room.id}/calendar.ics`, { headers: { Authorization: 'Bearer ' + tok.staff } });
  const roomCal = new ICAL.Component(ICAL.parse(await res.text()));
  assert.equal(roomCal.getFirstPropertyValue('x-wr-calname'), '订阅室');
  assert.equal(roomCal.getAllSubcomponents('vevent').length, 3);

  /* a new link replaces the old; revoking ends the new one */
  r = await api('POST', '/api/v1/bookings/feed', tok.li);
  const second = new URL(r.body.url).pathname;
  assert.equal((await fetch(srv.url + url.pathname)).status, 404);
  assert.equal((await fetch(srv.url + second)).status, 200);
  r = await api('DELETE', '/api/v1/bookings/feed', tok.li);
  assert.equal(r.status, 200);
  res = await fetch(srv.url + second);
  assert.equal(res.status, 404);
  assert.match((await res.json()).error.message, /订阅链接无效/);
  assert.equal((await fetch(srv.url + '/api/v1/feeds/x/bookings.ics')).status, 404);
  assert.equal((await api('GET', '/api/v1/bookings/feed')).status, 401);
});

/* ---- on behalf ---- */

test('staff book on behalf of a resident or a team; residents cannot', async () => {
  const room = await makeRoom('代约室', { weekly_quota: 1 });
  const audited = Number(sql(`SELECT count(*) FROM audit WHERE action = 'booking.create_for'`));
  let r = await book('staff', room, at(3, 9), at(3, 10), { for_username: 'wang' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.user_id, uid.wang);
  assert.equal(r.body.user_name, '王秀英');
  assert.equal(r.body.booked_by, uid.staff);
  r = await api('GET', '/api/v1/bookings?mine=1', tok.wang);
  assert.ok(r.body.items.some((b) => b.room_id === room.id && b.booked_by === uid.staff), 'she sees it as hers');
  assert.equal(Number(sql(`SELECT count(*) FROM audit WHERE action = 'booking.create_for'`)), audited + 1);

  r = await book('staff', room, at(3, 10), at(3, 11), { team: '合唱团', purpose: '排练' });
  assert.equal(r.status, 201);
  assert.equal(r.body.team, '合唱团');
  assert.equal(r.body.user_id, uid.staff);

  const before = counts();
  for (const [who, extra, status, code, field] of [
    ['wang', { for_username: 'li' }, 403, 'forbidden', undefined],
    ['wang', { team: '合唱团' }, 403, 'forbidden', undefined],
    ['staff', { for_username: 'nobody' }, 422, 'unknown_resident', 'for_username'],
    ['staff', { for_username: 'far' }, 422, 'unknown_resident', 'for_username'],
    ['staff', { for_username: 'grid' }, 422, 'unknown_resident', 'for_username'],
    ['staff', { for_username: 'li', team: 'x' }, 422, 'conflicting_fields', 'team'],
    ['staff', { team: '' }, 422, 'too_short', 'team'],
    ['staff', { team: 'x'.repeat(31) }, 422, 'too_long', 'team'],
    ['staff', { team: 7 }, 422, 'invalid_type', 'team'],
  ]) {
    r = await book(who, room, at(3, 12), at(3, 13), extra);
    assert.equal(r.status, status, `${who} ${JSON.stringify(extra)}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.error.code, code);
    if (field) assert.equal(r.body.error.field, field);
  }
  r = await api('POST', '/api/v1/waitlist', tok.staff, { room_id: room.id, start: iso(at(3, 9)), end: iso(at(3, 10)), team: '合唱团' });
  expectError(r, 422, 'unsupported_field', 'team');
  assert.equal(counts(), before, 'nothing written');

  /* a weekly class for a team, with its conflicts reported */
  r = await api('POST', '/api/v1/bookings/recurring', tok.staff, { room_id: room.id, start: iso(at(3, 9)), end: iso(at(3, 10)), weeks: 3, team: '太极班' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.conflicts.length, 1, 'week one is wang\'s');
  assert.ok(r.body.created.every((b) => b.team === '太极班'));
});

/* ---- utilisation ---- */

test('utilisation counts booked and open hours, no-shows and a weekday x hour heat map', async () => {
  const room = await makeRoom('统计室', { open_24h: false, opening_hours: { mon: ['08:00-12:00'], tue: ['08:00-12:00'], wed: ['08:00-12:00'], thu: ['08:00-12:00'], fri: ['08:00-12:00'], sat: ['08:00-12:00'], sun: ['08:00-12:00'] } });
  /* history written straight into the table: two used, one no-show, one cancelled */
  const ins = (d, h0, h1, state, noShow = 0) => sql(`INSERT INTO booking (room_id, community, user_id, start_ms, end_ms, state, checkin_from, checkin_until, no_show, created_at, updated_at)
    VALUES (${room.id}, '${COMMUNITY}', ${uid.wang}, ${at(d, h0)}, ${at(d, h1)}, '${state}', ${at(d, h0) - 15 * MIN}, ${at(d, h0) + 15 * MIN}, ${noShow}, ${at(d - 1, 0)}, ${at(d - 1, 0)})`);
  ins(-3, 8, 10, 'checked_in');
  ins(-3, 10, 11, 'released', 1);
  ins(-2, 9, 10, 'checked_in');
  ins(-2, 10, 12, 'cancelled');
  let r = await api('GET', `/api/v1/booking-stats?room_id=${room.id}&from=${dateOf(-6)}&to=${dateOf(0)}`, tok.staff);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.rooms.length, 1);
  const s = r.body.rooms[0];
  assert.equal(s.open_hours, 7 * 4);
  assert.equal(s.booked_hours, 4, '2 + 1 no-show + 1; the cancelled one is not counted');
  assert.equal(s.bookings, 3);
  assert.equal(s.checked_in, 2);
  assert.equal(s.no_shows, 1);
  assert.ok(Math.abs(s.no_show_rate - 1 / 3) < 1e-9);
  assert.ok(Math.abs(s.utilisation - 4 / 28) < 1e-9);
  const wd = (d) => ((((todayDay() + d + 3) % 7) + 7) % 7);
  const cell = (d, h) => (r.body.heatmap.find(([x, y]) => x === wd(d) && y === h) || [0, 0, 0])[2];
  assert.equal(cell(-3, 8), 1);
  assert.equal(cell(-3, 9), 1);
  assert.equal(cell(-3, 10), 1);
  assert.equal(cell(-2, 9), 1);
  assert.equal(cell(-2, 11), 0, 'cancelled time is not busy');
  assert.equal(r.body.heatmap.reduce((a, [, , v]) => a + v, 0), 4);

  /* a community overview covers every room in it */
  r = await api('GET', `/api/v1/booking-stats?community=${COMMUNITY}&from=${dateOf(-6)}&to=${dateOf(0)}`, tok.secretary);
  assert.equal(r.status, 200);
  assert.ok(r.body.rooms.some((x) => x.id === room.id));
  r = await api('GET', `/api/v1/booking-stats`, tok.street);
  assert.equal(r.status, 200, 'a street admin sees her street');

  /* bad input and scope */
  expectError(await api('GET', '/api/v1/booking-stats', tok.wang), 403, 'forbidden');
  expectError(await api('GET', `/api/v1/booking-stats?room_id=${room.id}`, tok.farstaff), 404, 'not_found');
  expectError(await api('GET', `/api/v1/booking-stats?community=${OTHER}`, tok.staff), 403, 'forbidden');
  expectError(await api('GET', '/api/v1/booking-stats?from=2026-13-01', tok.staff), 400, 'invalid_query', 'from');
  expectError(await api('GET', `/api/v1/booking-stats?from=${dateOf(-100)}&to=${dateOf(0)}`, tok.staff), 400, 'invalid_query', 'to');
  expectError(await api('GET', `/api/v1/booking-stats?from=${dateOf(0)}&to=${dateOf(-1)}`, tok.staff), 400, 'invalid_query', 'to');
  expectError(await api('GET', '/api/v1/booking-stats?room_id=abc', tok.staff), 400, 'invalid_query', 'room_id');
});

test('utilisation subtracts blackouts from open hours: only the overlap, overlapping blackouts once', async () => {
  const daily = ['08:00-12:00'];
  const room = await makeRoom('维修室', { open_24h: false, opening_hours: { mon: daily, tue: daily, wed: daily, thu: daily, fri: daily, sat: daily, sun: daily } });
  const other = await makeRoom('隔壁室', { open_24h: false, opening_hours: { mon: daily, tue: daily, wed: daily, thu: daily, fri: daily, sat: daily, sun: daily } });
  const close = async (r, start, end, reason) => {
    const res = await api('POST', `/api/v1/rooms/${r.id}/blackouts`, tok.staff, { start: iso(start), end: iso(end), reason });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    return res.body;
  };
  /* the range is days 2..4: 3 days x 4 open hours */
  await close(room, at(1, 20), at(2, 9), '跨夜检修');      // from day 1: only day 2 08-09 is in range and open: 1 h
  await close(room, at(2, 10), at(2, 14), '刷墙');          // 10-12 open, 12-14 already closed: 2 h
  await close(room, at(2, 11), at(2, 11, 30), '验收');      // inside the one before: 0 more
  await close(room, at(3, 6), at(4, 9), '换地板');          // day 3 08-12 and day 4 08-09: 5 h
  await close(room, at(4, 8, 30), at(4, 9, 30), '清场');    // half an hour beyond the one before: 0.5 h
  await close(room, at(6, 8), at(6, 12), '范围外');         // outside the range
  await close(other, at(2, 8), at(2, 12), '别的房间');      // another room
  let r = await book('wang', room, at(4, 10), at(4, 11));
  assert.equal(r.status, 201, JSON.stringify(r.body));

  r = await api('GET', `/api/v1/booking-stats?room_id=${room.id}&from=${dateOf(2)}&to=${dateOf(4)}`, tok.staff);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const s = r.body.rooms[0];
  assert.equal(s.closed_hours, 1 + 2 + 5 + 0.5);
  assert.equal(s.open_hours, 12 - 8.5);
  assert.equal(s.booked_hours, 1);
  assert.ok(Math.abs(s.utilisation - 1 / 3.5) < 1e-9, `utilisation ${s.utilisation}`);
  assert.equal(r.body.total.open_hours, 3.5);
  assert.equal(r.body.total.closed_hours, 8.5);

  /* the whole community: each room its own blackouts, the total their sum */
  r = await api('GET', `/api/v1/booking-stats?community=${COMMUNITY}&from=${dateOf(2)}&to=${dateOf(4)}`, tok.staff);
  assert.equal(r.status, 200);
  const byId = Object.fromEntries(r.body.rooms.map((x) => [x.id, x]));
  assert.equal(byId[room.id].open_hours, 3.5);
  assert.equal(byId[other.id].closed_hours, 4);
  assert.equal(byId[other.id].open_hours, 8);
  const sum = (k) => r.body.rooms.reduce((a, x) => a + x[k], 0);
  assert.ok(Math.abs(r.body.total.open_hours - sum('open_hours')) < 1e-9);
  assert.ok(Math.abs(r.body.total.closed_hours - sum('closed_hours')) < 1e-9);
  assert.ok(r.body.rooms.every((x) => x.open_hours >= 0 && x.closed_hours >= 0));

  /* a 24-hour room loses exactly the blackout's hours */
  const allDay = await makeRoom('全天室');
  await close(allDay, at(3, 22), at(4, 1, 30), '夜间消杀');
  r = await api('GET', `/api/v1/booking-stats?room_id=${allDay.id}&from=${dateOf(3)}&to=${dateOf(3)}`, tok.staff);
  assert.equal(r.body.rooms[0].closed_hours, 2, 'only the part inside the range');
  assert.equal(r.body.rooms[0].open_hours, 22);

  /* the blackouts of every room over days, for the calendar */
  r = await api('GET', `/api/v1/blackouts?community=${COMMUNITY}&from=${dateOf(2)}&to=${dateOf(4)}`, tok.grid);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.from, dateOf(2));
  assert.equal(r.body.to, dateOf(4));
  const mine = r.body.items.filter((b) => b.room_id === room.id);
  assert.deepEqual(mine.map((b) => b.reason), ['跨夜检修', '刷墙', '验收', '换地板', '清场'], 'overlapping the range, by start; not 范围外');
  assert.ok(mine.every((b) => b.room_name === '维修室'));
  assert.equal(mine[0].start, iso(at(1, 20)), 'its own times, not clipped');
  assert.ok(r.body.items.some((b) => b.room_id === other.id && b.reason === '别的房间'));
  assert.equal(r.body.total, r.body.items.length);
  r = await api('GET', `/api/v1/blackouts?room_id=${other.id}&from=${dateOf(2)}&to=${dateOf(6)}`, tok.staff);
  assert.deepEqual(r.body.items.map((b) => b.reason), ['别的房间']);
  r = await api('GET', `/api/v1/blackouts?community=${COMMUNITY}&from=${dateOf(6)}&to=${dateOf(6)}`, tok.street);
  assert.equal(r.status, 200);
  assert.ok(r.body.items.some((b) => b.reason === '范围外'), 'a street admin sees her street');
  r = await api('GET', `/api/v1/blackouts?community=${OTHER}`, tok.farstaff);
  assert.ok(!r.body.items.some((b) => b.room_id === room.id), 'another community sees none of ours');

  expectError(await api('GET', '/api/v1/blackouts', tok.wang), 403, 'forbidden');
  expectError(await api('GET', `/api/v1/blackouts?room_id=${room.id}`, tok.farstaff), 404, 'not_found');
  expectError(await api('GET', `/api/v1/blackouts?community=${OTHER}`, tok.staff), 403, 'forbidden');
  expectError(await api('GET', `/api/v1/blackouts?from=${dateOf(0)}&to=${dateOf(40)}`, tok.staff), 400, 'invalid_query', 'to');
  expectError(await api('GET', '/api/v1/blackouts?from=2026-02-30', tok.staff), 400, 'invalid_query', 'from');
  expectError(await api('GET', '/api/v1/blackouts?room_id=-1', tok.staff), 400, 'invalid_query', 'room_id');
});

/* ---- PNG poster ---- */

test('a room poster as PNG, with its name, for staff and residents of the community only', async () => {
  const room = await makeRoom('海报室');
  const get = (who) => fetch(`${srv.url}/api/v1/rooms/${room.id}/qr.png`, { headers: who ? { Authorization: 'Bearer ' + tok[who] } : {} });
  let res = await get('staff');
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'image/png');
  const png = Buffer.from(await res.arrayBuffer());
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG signature');
  assert.equal(png.toString('ascii', 12, 16), 'IHDR');
  assert.equal(png.readUInt32BE(16), 800);
  assert.equal(png.readUInt32BE(20), 960);
  assert.ok(png.length > 5000, 'more than a blank page');
  assert.equal((await get('wang')).status, 200);
  assert.equal((await get('far')).status, 404);
  assert.equal((await get(null)).status, 401);
  assert.equal((await fetch(`${srv.url}/api/v1/rooms/999999/qr.png`, { headers: { Authorization: 'Bearer ' + tok.staff } })).status, 404);
  /* the SVG poster now opens the door page, which checks in or books */
  res = await fetch(`${srv.url}/api/v1/rooms/${room.id}/qr.svg`, { headers: { Authorization: 'Bearer ' + tok.staff } });
  assert.match(await res.text(), /海报室/);
});
