// Function rooms end to end: rooms and rules, every booking rule, approvals,
// check-in, no-show release and suspension, waitlist, blackouts, scope, and
// no double booking under concurrency (checked by SQL).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, COMMUNITY, STREET, dbSql } from '../lib/server.mjs';
import { expectError } from '../lib/check.mjs';

const OTHER = '310105004001'; // 番禺居委会, same street
const MIN = 60000, DAY = 86400000, OFF = 8 * 3600000, UNIT = 5 * MIN;

let srv;
const tok = {};            // username -> token
const uid = {};            // username -> user id
const rooms = {};          // name -> room

const sql = (q) => dbSql(srv.db, q).trim();
const api = (method, p, token, body) => srv.api(method, p, { token, body });
const todayDay = () => Math.floor((Date.now() + OFF) / DAY);
/* Unix ms of local (UTC+8) day today+@d at @h:@m */
const at = (d, h, m = 0) => (todayDay() + d) * DAY - OFF + (h * 60 + m) * MIN;
const iso = (ms) => new Date(ms + OFF).toISOString().replace(/\.\d{3}Z$/, '+08:00');
const dateOf = (d) => new Date((todayDay() + d) * DAY).toISOString().slice(0, 10);
const weekday = (day) => ((((day + 3) % 7) + 7) % 7) + 1; // 1 Monday .. 7 Sunday
const counts = () => sql(`SELECT (SELECT count(*) FROM booking) || '/' || (SELECT count(*) FROM booking_slot) || '/' || (SELECT count(*) FROM waitlist) || '/' || (SELECT count(*) FROM room) || '/' || (SELECT count(*) FROM room_blackout)`);
const book = (who, room, start, end, extra = {}) =>
  api('POST', '/api/v1/bookings', tok[who], { room_id: room.id, start: iso(start), end: iso(end), ...extra });

async function addUser(name, role, scope) {
  srv.linli(['user', 'add', '--db', srv.db, '--username', name, '--password', 'linli2026', '--role', role, '--scope', String(scope)]);
  const { token, user } = await srv.login(name);
  tok[name] = token;
  uid[name] = user.id;
}

async function makeRoom(name, rules = {}, community = COMMUNITY, who = 'staff') {
  const r = await api('POST', '/api/v1/rooms', tok[who], { community, name, capacity: 10 });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  if (Object.keys(rules).length) {
    const p = await api('PATCH', `/api/v1/rooms/${r.body.id}`, tok[who], { rules });
    assert.equal(p.status, 200, JSON.stringify(p.body));
    rooms[name] = p.body;
  } else {
    rooms[name] = r.body;
  }
  return rooms[name];
}

before(async () => {
  srv = await startServer({ demo: true, residents: 400 });
  for (const u of ['admin', 'street', 'secretary', 'staff', 'grid', 'property', 'resident']) {
    const { token, user } = await srv.login(u);
    tok[u] = token;
    uid[u] = user.id;
  }
  const own = sql(`SELECT id FROM household WHERE community = '${COMMUNITY}' ORDER BY id LIMIT 12`).split('\n');
  for (let i = 1; i <= 10; i++) await addUser(`r${i}`, 'resident', own[i]);
  await addUser('far', 'resident', sql(`SELECT id FROM household WHERE community = '${OTHER}' ORDER BY id LIMIT 1`));
  await addUser('farstaff', 'staff', OTHER);
});
after(async () => { await srv.stop(); });

test('a room made with only community, name and capacity gets the default rules', async () => {
  const r = await api('POST', '/api/v1/rooms', tok.staff, { community: COMMUNITY, name: '党员活动室', capacity: 30 });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  rooms.main = r.body;
  assert.equal(r.body.community, COMMUNITY);
  assert.deepEqual(r.body.rules, {
    open_24h: true, opening_hours: { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] },
    slot_minutes: 30, min_minutes: 30, max_minutes: 240, horizon_days: 14, weekly_quota: 0,
    needs_approval: false, checkin_before_minutes: 15, checkin_after_minutes: 15, utc_offset_minutes: 480,
  });
  assert.equal(sql(`SELECT count(*) FROM audit WHERE action = 'room.create' AND object_id = ${r.body.id}`), '1');
  const list = await api('GET', '/api/v1/rooms', tok.resident);
  assert.equal(list.status, 200);
  assert.ok(list.body.items.some((x) => x.id === r.body.id));
  const one = await api('GET', `/api/v1/rooms/${r.body.id}`, tok.r1);
  assert.equal(one.status, 200);
  assert.equal(one.body.name, '党员活动室');
});

test('a room with every field, and rules changed by PATCH', async () => {
  const building = sql(`SELECT id FROM building WHERE community = '${COMMUNITY}' LIMIT 1`);
  let r = await api('POST', '/api/v1/rooms', tok.secretary, {
    community: COMMUNITY, name: '书画室', type: '书画室', capacity: 12, facilities: ['书桌', '投影仪'],
    building_id: Number(building), location: '1楼东侧', photo: 'https://example.org/r.jpg',
    rules: { opening_hours: { mon: ['08:00-12:00', '13:30-21:00'], tue: ['08:00-21:00'] }, weekly_quota: 2 },
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.deepEqual(r.body.facilities, ['书桌', '投影仪']);
  assert.equal(r.body.building_id, Number(building));
  assert.ok(r.body.building_name);
  assert.equal(r.body.rules.open_24h, false);
  assert.deepEqual(r.body.rules.opening_hours.mon, ['08:00-12:00', '13:30-21:00']);
  assert.deepEqual(r.body.rules.opening_hours.sun, []);
  r = await api('PATCH', `/api/v1/rooms/${r.body.id}`, tok.staff, { rules: { open_24h: true, slot_minutes: 60, min_minutes: 60, max_minutes: 120 }, location: null });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.rules.open_24h, true);
  assert.equal(r.body.rules.slot_minutes, 60);
  assert.equal(r.body.location, null);
  assert.deepEqual(r.body.rules.opening_hours.mon, ['08:00-12:00', '13:30-21:00'], 'kept for later');
});

const roomCases = [
  // [description, body, status, code, field]
  ['missing capacity', { community: COMMUNITY, name: 'x1' }, 422, 'missing_field', 'capacity'],
  ['capacity 0', { community: COMMUNITY, name: 'x2', capacity: 0 }, 422, 'out_of_range', 'capacity'],
  ['capacity as text', { community: COMMUNITY, name: 'x3', capacity: '10' }, 422, 'invalid_type', 'capacity'],
  ['missing name', { community: COMMUNITY, capacity: 5 }, 422, 'missing_field', 'name'],
  ['name too long', { community: COMMUNITY, name: '长'.repeat(31), capacity: 5 }, 422, 'too_long', 'name'],
  ['bad community', { community: '31010500401', name: 'x4', capacity: 5 }, 422, undefined, 'community'],
  ['unknown community', { community: '310105004999', name: 'x5', capacity: 5 }, 422, 'unknown_community', 'community', 'admin'],
  ['community out of scope', { community: OTHER, name: 'x5', capacity: 5 }, 403, 'forbidden', null],
  ['unknown field', { community: COMMUNITY, name: 'x6', capacity: 5, colour: 'red' }, 422, 'unknown_field', 'colour'],
  ['unknown rule', { community: COMMUNITY, name: 'x7', capacity: 5, rules: { speed: 1 } }, 422, 'unknown_field', 'rules.speed'],
  ['slot of 7 minutes', { community: COMMUNITY, name: 'x8', capacity: 5, rules: { slot_minutes: 7 } }, 422, 'invalid_slot', 'rules.slot_minutes'],
  ['slot not dividing a day', { community: COMMUNITY, name: 'x9', capacity: 5, rules: { slot_minutes: 35, min_minutes: 35, max_minutes: 70 } }, 422, 'invalid_slot', 'rules.slot_minutes'],
  ['min off the grid', { community: COMMUNITY, name: 'x10', capacity: 5, rules: { min_minutes: 45 } }, 422, 'invalid_min_minutes', 'rules.min_minutes'],
  ['max under min', { community: COMMUNITY, name: 'x11', capacity: 5, rules: { min_minutes: 120, max_minutes: 60 } }, 422, 'invalid_max_minutes', 'rules.max_minutes'],
  ['horizon of 0', { community: COMMUNITY, name: 'x12', capacity: 5, rules: { horizon_days: 0 } }, 422, 'out_of_range', 'rules.horizon_days'],
  ['hours badly written', { community: COMMUNITY, name: 'x13', capacity: 5, rules: { opening_hours: { mon: ['8:00-12:00'] } } }, 422, 'invalid_hours', 'rules.opening_hours.mon'],
  ['hours closing before opening', { community: COMMUNITY, name: 'x14', capacity: 5, rules: { opening_hours: { mon: ['12:00-08:00'] } } }, 422, 'invalid_hours', 'rules.opening_hours.mon'],
  ['hours overlapping', { community: COMMUNITY, name: 'x15', capacity: 5, rules: { opening_hours: { mon: ['08:00-12:00', '11:00-13:00'] } } }, 422, 'invalid_hours', 'rules.opening_hours'],
  ['unknown weekday', { community: COMMUNITY, name: 'x16', capacity: 5, rules: { opening_hours: { monday: ['08:00-12:00'] } } }, 422, 'unknown_field', 'rules.opening_hours.monday'],
  ['closed every day', { community: COMMUNITY, name: 'x17', capacity: 5, rules: { open_24h: false } }, 422, 'invalid_hours', 'rules.opening_hours'],
  ['approval as text', { community: COMMUNITY, name: 'x18', capacity: 5, rules: { needs_approval: 'yes' } }, 422, 'invalid_type', 'rules.needs_approval'],
  ['facilities not a list', { community: COMMUNITY, name: 'x19', capacity: 5, facilities: '投影仪' }, 422, 'invalid_type', 'facilities'],
  ['photo not a URL', { community: COMMUNITY, name: 'x20', capacity: 5, photo: 'javascript:alert(1)' }, 422, 'invalid_url', 'photo'],
  ['building of another community', { community: COMMUNITY, name: 'x21', capacity: 5, building_id: -1 }, 422, 'out_of_range', 'building_id'],
  ['duplicate name', { community: COMMUNITY, name: '党员活动室', capacity: 5 }, 409, 'duplicate_room', 'name'],
];

for (const [what, body, status, code, field, who = 'staff'] of roomCases) {
  test(`room rejected: ${what}`, async () => {
    const before = counts();
    const r = await api('POST', '/api/v1/rooms', tok[who], body);
    assert.equal(r.status, status, JSON.stringify(r.body));
    if (code) assert.equal(r.body.error.code, code);
    assert.equal(r.body.error.field, field);
    assert.equal(counts(), before, 'nothing written');
  });
}

test('a building of another community, and rooms of a community out of scope', async () => {
  const before = counts();
  const otherBuilding = Number(sql(`SELECT id FROM building WHERE community = '${OTHER}' LIMIT 1`));
  let r = await api('POST', '/api/v1/rooms', tok.staff, { community: COMMUNITY, name: 'y1', capacity: 5, building_id: otherBuilding });
  expectError(r, 422, 'unknown_building', 'building_id');
  r = await api('POST', '/api/v1/rooms', tok.staff, { community: OTHER, name: 'y2', capacity: 5 });
  assert.equal(r.status, 403);
  r = await api('POST', '/api/v1/rooms', tok.resident, { community: COMMUNITY, name: 'y3', capacity: 5 });
  assert.equal(r.status, 403);
  r = await api('POST', '/api/v1/rooms', tok.grid, { community: COMMUNITY, name: 'y4', capacity: 5 });
  assert.equal(r.status, 403);
  r = await api('PATCH', `/api/v1/rooms/${rooms.main.id}`, tok.staff, {});
  expectError(r, 422, 'empty_patch');
  r = await api('PATCH', `/api/v1/rooms/${rooms.main.id}`, tok.staff, { community: OTHER });
  expectError(r, 422, 'immutable', 'community');
  r = await api('PATCH', `/api/v1/rooms/${rooms.main.id}`, tok.resident, { capacity: 3 });
  assert.equal(r.status, 403);
  r = await srv.api('POST', '/api/v1/rooms', { token: tok.staff, raw: '{"community":', headers: { 'Content-Type': 'application/json' } });
  expectError(r, 400, 'malformed_json', null);
  r = await srv.api('POST', '/api/v1/rooms', { token: tok.staff, raw: '[1]', headers: { 'Content-Type': 'application/json' } });
  expectError(r, 400, 'expected_object', null);
  r = await srv.api('POST', '/api/v1/rooms', { token: tok.staff, raw: 'name=x', headers: { 'Content-Type': 'text/plain' } });
  assert.equal(r.status, 415);
  assert.equal(counts(), before, 'nothing written');
});

test('a booking in two taps: 201, in my list, on the grid, cancelled, free again', async () => {
  const start = at(1, 10), end = at(1, 11);
  let r = await book('r1', rooms.main, start, end, { purpose: '读书会' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const b = r.body;
  assert.equal(b.state, 'confirmed');
  assert.equal(b.start, iso(start));
  assert.equal(b.end, iso(end));
  assert.equal(b.checkin_from, iso(start - 15 * MIN));
  assert.equal(b.checkin_until, iso(start + 15 * MIN));
  assert.equal(b.purpose, '读书会');
  assert.equal(sql(`SELECT count(*) FROM booking_slot WHERE booking_id = ${b.id}`), '12', 'one slot per 5 minutes');
  r = await api('GET', '/api/v1/bookings?mine=1', tok.r1);
  assert.ok(r.body.items.some((x) => x.id === b.id));
  assert.equal(r.body.suspension, null);
  const grid = async (who) => (await api('GET', `/api/v1/rooms/${rooms.main.id}/availability?from=${dateOf(1)}&to=${dateOf(1)}`, tok[who])).body;
  let g = await grid('r1');
  assert.equal(g.days.length, 1);
  assert.equal(g.days[0].slots.length, 48);
  assert.equal(g.days[0].slots.slice(20, 22), 'MM');
  assert.equal(g.days[0].slots[19], 'F');
  g = await grid('r2');
  assert.equal(g.days[0].slots.slice(20, 22), 'TT');
  r = await book('r2', rooms.main, at(1, 10, 30), at(1, 12));
  expectError(r, 409, 'slot_taken', 'start');
  r = await api('POST', `/api/v1/bookings/${b.id}/cancel`, tok.r1);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.state, 'cancelled');
  assert.equal(sql(`SELECT count(*) FROM booking_slot WHERE booking_id = ${b.id}`), '0');
  r = await api('POST', `/api/v1/bookings/${b.id}/cancel`, tok.r1);
  expectError(r, 409, 'not_active');
  g = await grid('r2');
  assert.equal(g.days[0].slots.slice(20, 22), 'FF');
  r = await book('r2', rooms.main, at(1, 10, 30), at(1, 12));
  assert.equal(r.status, 201);
});

test('the availability grid: a week by default, past slots, horizon, opening hours', async () => {
  let r = await api('GET', `/api/v1/rooms/${rooms.main.id}/availability`, tok.r1);
  assert.equal(r.status, 200);
  assert.equal(r.body.from, dateOf(0));
  assert.equal(r.body.days.length, 7);
  // the half hours of today that have ended are past (none in the first half hour after midnight)
  const ended = Math.floor(((Date.now() + OFF) % DAY) / (30 * 60000));
  assert.match(r.body.days[0].slots.slice(0, ended), /^X*$/, 'the ended half hours of today are past');
  if (ended > 0) assert.equal(r.body.days[0].slots[0], 'X', 'midnight today is past');
  assert.equal(r.body.days[0].weekday, weekday(todayDay()));
  r = await api('GET', `/api/v1/rooms/${rooms.main.id}/availability?from=${dateOf(14)}&to=${dateOf(15)}`, tok.r1);
  assert.match(r.body.days[0].slots, /^F+$/);
  assert.match(r.body.days[1].slots, /^H+$/);
  const hours = await makeRoom('开放时间室', { opening_hours: { mon: ['08:00-21:00'], tue: ['08:00-21:00'], wed: ['08:00-21:00'], thu: ['08:00-21:00'], fri: ['08:00-21:00'], sat: ['08:00-21:00'], sun: ['08:00-21:00'] } });
  r = await api('GET', `/api/v1/rooms/${hours.id}/availability?from=${dateOf(1)}&to=${dateOf(1)}`, tok.r1);
  assert.equal(r.body.days[0].slots, 'C'.repeat(16) + 'F'.repeat(26) + 'C'.repeat(6));
  for (const [q, field] of [['from=2026-13-01', 'from'], ['from=x', 'from'], [`from=${dateOf(3)}&to=${dateOf(1)}`, 'to'], [`from=${dateOf(0)}&to=${dateOf(40)}`, 'to']]) {
    r = await api('GET', `/api/v1/rooms/${rooms.main.id}/availability?${q}`, tok.r1);
    expectError(r, 400, 'invalid_query', field);
  }
  r = await api('GET', `/api/v1/rooms/999999/availability`, tok.r1);
  assert.equal(r.status, 404);
});

test('every booking rule is a 422 naming the rule in Chinese, and writes nothing', async () => {
  const hours = rooms['开放时间室'];
  const weekdays = await makeRoom('工作日室', { opening_hours: { mon: ['09:00-17:00'], tue: ['09:00-17:00'], wed: ['09:00-17:00'], thu: ['09:00-17:00'], fri: ['09:00-17:00'] } });
  const long = await makeRoom('长时段室', { min_minutes: 60, max_minutes: 120 });
  const d = [1, 2, 3, 4, 5, 6, 7].find((k) => weekday(todayDay() + k) === 7); // the next Sunday
  await api('POST', `/api/v1/rooms/${rooms.main.id}/blackouts`, tok.staff, { start: iso(at(3, 8)), end: iso(at(3, 12)), reason: '设备维修' });
  const cases = [
    ['outside opening hours', 'r1', hours, at(1, 21), at(1, 22), 'outside_hours', 'start', /开放时间/],
    ['a closed weekday', 'r1', weekdays, at(d, 10), at(d, 11), 'outside_hours', 'start', /周日不开放/],
    ['in the past', 'r1', rooms.main, at(-1, 10), at(-1, 11), 'in_past', 'start', /已过去/],
    ['too long', 'r1', rooms.main, at(1, 13), at(1, 17, 30), 'too_long', 'end', /最多4小时/],
    ['too short', 'r1', long, at(1, 13), at(1, 13, 30), 'too_short', 'end', /至少1小时/],
    ['too long for the room', 'r1', long, at(1, 13), at(1, 15, 30), 'too_long', 'end', /最多2小时/],
    ['off the grid', 'r1', rooms.main, at(1, 13, 10), at(1, 14), 'off_grid', 'start', /30分钟/],
    ['end off the grid', 'r1', rooms.main, at(1, 13), at(1, 14, 5), 'off_grid', 'end', /时段分界/],
    ['beyond the horizon', 'r1', rooms.main, at(20, 10), at(20, 11), 'beyond_horizon', 'start', /14天/],
    ['during a blackout', 'r1', rooms.main, at(3, 11), at(3, 13), 'blackout', 'start', /设备维修/],
    ['end before start', 'r1', rooms.main, at(1, 11), at(1, 10), 'invalid_range', 'end', /晚于/],
  ];
  for (const [what, who, room, start, end, code, field, message] of cases) {
    const before = counts();
    const r = await book(who, room, start, end);
    expectError(r, 422, code, field);
    assert.match(r.body.error.message, message, what);
    assert.equal(counts(), before, `${what}: nothing written`);
  }
});

test('malformed bookings are rejected by field', async () => {
  const good = () => ({ room_id: rooms.main.id, start: iso(at(2, 10)), end: iso(at(2, 11)) });
  const cases = [
    ['no offset', (b) => { b.start = b.start.replace('+08:00', ''); }, 'invalid_time', 'start'],
    ['a date only', (b) => { b.end = dateOf(2); }, 'invalid_time', 'end'],
    ['a number', (b) => { b.start = at(2, 10); }, 'invalid_type', 'start'],
    ['missing end', (b) => { delete b.end; }, 'missing_field', 'end'],
    ['room as text', (b) => { b.room_id = String(b.room_id); }, 'invalid_type', 'room_id'],
    ['unknown room', (b) => { b.room_id = 999999; }, 'unknown_room', 'room_id'],
    ['unknown field', (b) => { b.people = 3; }, 'unknown_field', 'people'],
    ['purpose too long', (b) => { b.purpose = '长'.repeat(51); }, 'too_long', 'purpose'],
    ['longer than a day', (b) => { b.end = iso(at(3, 11)); }, 'too_long', 'end'],
    ['Feb 30', (b) => { b.start = '2027-02-30T10:00:00+08:00'; }, 'invalid_time', 'start'],
  ];
  for (const [what, change, code, field] of cases) {
    const body = good();
    change(body);
    const before = counts();
    const r = await api('POST', '/api/v1/bookings', tok.r3, body);
    expectError(r, 422, code, field);
    assert.equal(counts(), before, `${what}: nothing written`);
  }
  // the same instant in another offset is the same booking time
  const r = await api('POST', '/api/v1/bookings', tok.r3, { room_id: rooms.main.id, start: new Date(at(2, 15)).toISOString(), end: new Date(at(2, 16)).toISOString() });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.start, iso(at(2, 15)));
});

test('the weekly quota counts a resident\'s bookings of the room in its week', async () => {
  const q = await makeRoom('配额室', { weekly_quota: 2 });
  const monday = [1, 2, 3, 4, 5, 6, 7].find((k) => weekday(todayDay() + k) === 1); // next Monday
  assert.equal((await book('r4', q, at(monday + 1, 9), at(monday + 1, 10))).status, 201);
  assert.equal((await book('r4', q, at(monday + 2, 9), at(monday + 2, 10))).status, 201);
  const before = counts();
  const r = await book('r4', q, at(monday + 3, 9), at(monday + 3, 10));
  expectError(r, 422, 'over_quota', 'start');
  assert.match(r.body.error.message, /每周最多预约该活动室2次/);
  assert.equal(counts(), before);
  assert.equal((await book('r5', q, at(monday + 3, 9), at(monday + 3, 10))).status, 201, 'another resident');
  assert.equal((await book('staff', q, at(monday + 4, 9), at(monday + 4, 10))).status, 201, 'staff have no quota');
});

test('rooms that need approval: pending holds the slot, staff approve or reject with a reason', async () => {
  const room = await makeRoom('审批室', { needs_approval: true });
  let r = await book('r1', room, at(2, 9), at(2, 10));
  assert.equal(r.status, 201);
  assert.equal(r.body.state, 'pending');
  const pending = r.body;
  let g = await api('GET', `/api/v1/rooms/${room.id}/availability?from=${dateOf(2)}&to=${dateOf(2)}`, tok.r2);
  assert.equal(g.body.days[0].slots.slice(18, 20), 'PP');
  r = await book('r2', room, at(2, 9), at(2, 10));
  expectError(r, 409, 'slot_taken');
  r = await api('GET', `/api/v1/bookings?room_id=${room.id}&state=pending`, tok.staff);
  assert.deepEqual(r.body.items.map((x) => x.id), [pending.id]);
  r = await api('POST', `/api/v1/bookings/${pending.id}/approve`, tok.r1);
  assert.equal(r.status, 403);
  r = await api('POST', `/api/v1/bookings/${pending.id}/approve`, tok.grid);
  assert.equal(r.status, 403);
  r = await api('POST', `/api/v1/bookings/${pending.id}/checkin`, tok.r1);
  assert.equal(r.status, 409);
  r = await api('POST', `/api/v1/bookings/${pending.id}/approve`, tok.staff);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.state, 'confirmed');
  r = await api('POST', `/api/v1/bookings/${pending.id}/approve`, tok.staff);
  expectError(r, 409, 'not_pending');
  r = await api('POST', `/api/v1/bookings/${pending.id}/reject`, tok.staff, { reason: '已确认' });
  expectError(r, 409, 'not_pending');
  r = await book('r2', room, at(2, 10), at(2, 11));
  const second = r.body;
  r = await api('POST', `/api/v1/bookings/${second.id}/reject`, tok.staff, {});
  expectError(r, 422, 'missing_field', 'reason');
  r = await api('POST', `/api/v1/bookings/${second.id}/reject`, tok.secretary, { reason: '当天有社区活动' });
  assert.equal(r.status, 200);
  assert.equal(r.body.state, 'rejected');
  assert.equal(r.body.reason, '当天有社区活动');
  r = await api('GET', `/api/v1/bookings/${second.id}`, tok.r2);
  assert.equal(r.body.reason, '当天有社区活动');
  assert.equal(sql(`SELECT count(*) FROM audit WHERE action IN ('booking.approve', 'booking.reject')`), '2');
});

test('check-in within the window gives an access code for the slot only', async () => {
  const room = await makeRoom('签到室', { slot_minutes: 5, min_minutes: 5 });
  const t0 = Math.floor(Date.now() / UNIT) * UNIT;
  let r = await book('r6', room, t0, t0 + 30 * MIN);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const b = r.body;
  r = await api('POST', `/api/v1/bookings/${b.id}/checkin`, tok.r7);
  assert.equal(r.status, 404, 'not hers to see');
  r = await api('POST', `/api/v1/bookings/${b.id}/checkin`, tok.staff);
  assert.equal(r.status, 403, 'staff see it but do not check in for her');
  r = await api('POST', `/api/v1/bookings/${b.id}/checkin`, tok.r6);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.state, 'checked_in');
  assert.match(r.body.access.code, /^\d{6}$/);
  assert.equal(r.body.access.valid_until, iso(t0 + 30 * MIN));
  const code = r.body.access.code;
  r = await api('POST', `/api/v1/bookings/${b.id}/checkin`, tok.r6);
  assert.equal(r.status, 200);
  assert.equal(r.body.access.code, code, 'the same code again');
  r = await api('GET', `/api/v1/bookings/${b.id}`, tok.staff);
  assert.equal(r.body.access, undefined, 'only the booker sees the code');
  r = await api('POST', `/api/v1/bookings/${b.id}/cancel`, tok.r6);
  expectError(r, 409, 'not_active');
  r = await book('r6', room, at(1, 10), at(1, 11));
  r = await api('POST', `/api/v1/bookings/${r.body.id}/checkin`, tok.r6);
  expectError(r, 409, 'checkin_not_open');
  assert.match(r.body.error.message, /签到时间为/);
});

/* A booking written straight into the database, as if made earlier. */
function insertBooking(user, room, start, end, checkinUntil, state = 'confirmed') {
  const id = sql(`INSERT INTO booking (room_id, community, user_id, start_ms, end_ms, state, checkin_from, checkin_until, created_at, updated_at)
    VALUES (${room.id}, '${room.community}', ${uid[user]}, ${start}, ${end}, '${state}', ${start - 15 * MIN}, ${checkinUntil}, ${start - DAY}, ${start - DAY}) RETURNING id`);
  sql(`INSERT INTO booking_slot (room_id, slot_start, booking_id) WITH RECURSIVE s(t) AS (SELECT ${start} UNION ALL SELECT t + ${UNIT} FROM s WHERE t + ${UNIT} < ${end}) SELECT ${room.id}, t, ${id} FROM s`);
  return Number(id);
}

test('a booking not checked in by the end of its window is released, and its time can be booked', async () => {
  const room = await makeRoom('释放室', { slot_minutes: 5, min_minutes: 5 });
  const t0 = Math.floor(Date.now() / UNIT) * UNIT + 60 * MIN;
  const id = insertBooking('r8', room, t0 - 80 * MIN, t0 + 40 * MIN, Date.now() - MIN);
  const r = await api('GET', `/api/v1/bookings/${id}`, tok.r8);
  assert.equal(r.status, 200);
  assert.equal(r.body.state, 'released');
  assert.equal(r.body.no_show, true);
  assert.match(r.body.reason, /未在签到时间内签到/);
  assert.equal(sql(`SELECT count(*) FROM booking_slot WHERE booking_id = ${id}`), '0');
  assert.equal(sql(`SELECT count(*) FROM audit WHERE action = 'booking.release' AND object_id = ${id}`), '1');
  const n = (await api('GET', '/api/v1/notices', tok.r8)).body.items.filter((x) => x.kind === 'booking.released');
  assert.equal(n.length, 1, 'she is told');
  assert.match(n[0].body, /释放室.*未在签到时间内签到/);
  assert.equal((await book('r9', room, t0, t0 + 30 * MIN)).status, 201, 'the freed time is bookable');
});

test('after three no-shows in 30 days a resident is suspended for 7 days, and told why', async () => {
  const room = rooms.main;
  for (let k = 1; k <= 3; k++)
    insertBooking('r10', room, at(-k, 8), at(-k, 9), at(-k, 8, 15));
  let r = await api('GET', '/api/v1/bookings?mine=1', tok.r10);
  assert.equal(r.status, 200);
  assert.equal(r.body.items.filter((x) => x.no_show).length, 3);
  assert.ok(r.body.suspension, JSON.stringify(r.body));
  assert.equal(r.body.suspension.no_shows, 3);
  const kinds = (await api('GET', '/api/v1/notices', tok.r10)).body.items.map((x) => x.kind);
  assert.equal(kinds.filter((k) => k === 'booking.released').length, 3);
  assert.equal(kinds.filter((k) => k === 'booking.suspended').length, 1, 'told of the suspension once');
  const until = Date.parse(r.body.suspension.until);
  assert.ok(Math.abs(until - (Date.now() + 7 * DAY)) < 5 * MIN);
  const before = counts();
  r = await book('r10', room, at(1, 16), at(1, 17));
  expectError(r, 403, 'booking_suspended', null);
  assert.match(r.body.error.message, /3次预约未按时签到.*暂停/);
  assert.equal(counts(), before);
  r = await api('POST', '/api/v1/waitlist', tok.r10, { room_id: room.id, start: iso(at(1, 16)), end: iso(at(1, 17)) });
  assert.ok(r.status >= 400);
  // another community may allow more
  r = await api('PATCH', `/api/v1/booking-policy/${COMMUNITY}`, tok.staff, { no_show_limit: 5, suspend_days: 3 });
  assert.equal(r.status, 200);
  assert.deepEqual(r.body, { community: COMMUNITY, no_show_limit: 5, window_days: 30, suspend_days: 3 });
  r = await api('GET', `/api/v1/booking-policy/${COMMUNITY}`, tok.resident);
  assert.equal(r.body.no_show_limit, 5);
  r = await api('PATCH', `/api/v1/booking-policy/${COMMUNITY}`, tok.resident, { no_show_limit: 9 });
  assert.equal(r.status, 403);
  r = await api('PATCH', `/api/v1/booking-policy/${COMMUNITY}`, tok.staff, { no_show_limit: 0 });
  expectError(r, 422, 'out_of_range', 'no_show_limit');
  r = await api('GET', `/api/v1/booking-policy/${OTHER}`, tok.staff);
  assert.equal(r.status, 404);
  r = await api('PATCH', `/api/v1/booking-policy/${COMMUNITY}`, tok.staff, { no_show_limit: 3, suspend_days: 7 });
  assert.equal(r.status, 200);
});

test('the waitlist: first in line gets a cancelled slot, the next keeps waiting', async () => {
  const room = rooms.main;
  const start = at(4, 18), end = at(4, 19);
  let r = await book('r1', room, start, end);
  assert.equal(r.status, 201);
  const held = r.body;
  r = await api('POST', '/api/v1/waitlist', tok.r2, { room_id: room.id, start: iso(start), end: iso(end) });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.position, 1);
  const first = r.body;
  r = await api('POST', '/api/v1/waitlist', tok.r3, { room_id: room.id, start: iso(start), end: iso(end) });
  assert.equal(r.body.position, 2);
  const second = r.body;
  r = await api('POST', '/api/v1/waitlist', tok.r2, { room_id: room.id, start: iso(start), end: iso(end) });
  expectError(r, 409, 'already_waiting');
  r = await api('POST', '/api/v1/waitlist', tok.r1, { room_id: room.id, start: iso(start), end: iso(end) });
  expectError(r, 409, 'already_booked');
  r = await api('POST', '/api/v1/waitlist', tok.r2, { room_id: room.id, start: iso(at(4, 20)), end: iso(at(4, 21)) });
  expectError(r, 409, 'slot_free');
  r = await api('POST', `/api/v1/waitlist/${first.id}/cancel`, tok.r3);
  assert.equal(r.status, 404, 'not hers');
  r = await api('POST', `/api/v1/bookings/${held.id}/cancel`, tok.r1);
  assert.equal(r.status, 200);
  r = await api('GET', '/api/v1/waitlist', tok.r2);
  const mine = r.body.items.find((w) => w.id === first.id);
  assert.equal(mine.state, 'promoted');
  r = await api('GET', `/api/v1/bookings/${mine.booking_id}`, tok.r2);
  assert.equal(r.body.state, 'confirmed');
  assert.equal(r.body.waitlist_id, first.id);
  assert.equal(r.body.start, iso(start));
  r = await api('GET', '/api/v1/waitlist', tok.r3);
  assert.equal(r.body.items.find((w) => w.id === second.id).state, 'waiting');
  assert.equal(r.body.items.find((w) => w.id === second.id).position, 1);
  r = await api('GET', `/api/v1/waitlist?room_id=${room.id}`, tok.staff);
  assert.ok(r.body.items.some((w) => w.id === second.id));
  r = await api('GET', `/api/v1/waitlist?room_id=${room.id}`, tok.r3);
  assert.equal(r.status, 403);
  r = await api('POST', `/api/v1/waitlist/${second.id}/cancel`, tok.r3);
  assert.equal(r.status, 200);
  assert.equal(r.body.state, 'cancelled');
  r = await api('POST', `/api/v1/waitlist/${second.id}/cancel`, tok.r3);
  expectError(r, 409, 'not_waiting');
});

test('the waitlist gets a no-show\'s released time, with a full check-in window from then', async () => {
  const room = rooms['签到室'];
  const t0 = Math.floor(Date.now() / UNIT) * UNIT + 2 * 60 * MIN;
  const id = insertBooking('r8', room, t0, t0 + 30 * MIN, Date.now() + DAY);
  let r = await api('POST', '/api/v1/waitlist', tok.r7, { room_id: room.id, start: iso(t0), end: iso(t0 + 30 * MIN) });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  sql(`UPDATE booking SET checkin_from = ${Date.now() - 2000}, checkin_until = ${Date.now() - 1000} WHERE id = ${id}`);
  r = await api('GET', '/api/v1/bookings?mine=1', tok.r7);
  const promoted = r.body.items.find((b) => b.waitlist_id);
  assert.ok(promoted, JSON.stringify(r.body));
  assert.equal(promoted.state, 'confirmed');
  assert.equal(promoted.start, iso(t0));
  assert.equal(promoted.checkin_until, iso(t0 + 15 * MIN));
});

test('blackouts: bookings in the way are refused or cancelled, the grid shows them, deleting reopens', async () => {
  const room = rooms.main;
  let r = await book('r5', room, at(5, 9), at(5, 10));
  const victim = r.body;
  const body = { start: iso(at(5, 8)), end: iso(at(5, 12)), reason: '消防检查' };
  let before = counts();
  r = await api('POST', `/api/v1/rooms/${room.id}/blackouts`, tok.staff, body);
  expectError(r, 409, 'bookings_in_blackout', 'start');
  assert.equal(counts(), before);
  r = await api('POST', `/api/v1/rooms/${room.id}/blackouts`, tok.resident, body);
  assert.equal(r.status, 403);
  for (const [bad, field, code] of [[{ ...body, end: body.start }, 'end', 'invalid_range'], [{ ...body, reason: '' }, 'reason', 'missing_field'], [{ ...body, start: 'soon' }, 'start', 'invalid_time'], [{ ...body, why: 1 }, 'why', 'unknown_field']]) {
    before = counts();
    r = await api('POST', `/api/v1/rooms/${room.id}/blackouts`, tok.staff, bad);
    expectError(r, 422, code, field);
    assert.equal(counts(), before);
  }
  r = await api('POST', `/api/v1/rooms/${room.id}/blackouts`, tok.staff, { ...body, cancel_bookings: true });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.cancelled_bookings, 1);
  const blackout = r.body;
  r = await api('GET', `/api/v1/bookings/${victim.id}`, tok.r5);
  assert.equal(r.body.state, 'cancelled');
  assert.match(r.body.reason, /消防检查/);
  r = await api('GET', `/api/v1/rooms/${room.id}/availability?from=${dateOf(5)}&to=${dateOf(5)}`, tok.r5);
  assert.equal(r.body.days[0].slots.slice(16, 24), 'BBBBBBBB');
  r = await api('GET', `/api/v1/rooms/${room.id}/blackouts`, tok.r5);
  assert.ok(r.body.items.some((x) => x.id === blackout.id && x.reason === '消防检查'));
  r = await api('DELETE', `/api/v1/blackouts/${blackout.id}`, tok.farstaff);
  assert.equal(r.status, 404);
  r = await api('DELETE', `/api/v1/blackouts/${blackout.id}`, tok.staff);
  assert.equal(r.status, 200);
  assert.equal((await book('r5', room, at(5, 9), at(5, 10))).status, 201);
});

test('scope: a resident books rooms of her own community only; staff manage their own rooms only', async () => {
  const far = await makeRoom('番禺活动室', {}, OTHER, 'admin');
  let r = await api('GET', '/api/v1/rooms', tok.far);
  assert.deepEqual(r.body.items.map((x) => x.community), [OTHER]);
  r = await api('GET', '/api/v1/rooms', tok.r1);
  assert.ok(r.body.items.every((x) => x.community === COMMUNITY));
  r = await api('GET', `/api/v1/rooms?community=${OTHER}`, tok.r1);
  assert.equal(r.status, 403);
  r = await api('GET', `/api/v1/rooms/${far.id}`, tok.r1);
  assert.equal(r.status, 404);
  r = await api('GET', `/api/v1/rooms/${far.id}/availability`, tok.r1);
  assert.equal(r.status, 404);
  let before = counts();
  r = await book('r1', far, at(1, 10), at(1, 11));
  expectError(r, 422, 'unknown_room', 'room_id');
  r = await book('far', rooms.main, at(1, 10), at(1, 11));
  expectError(r, 422, 'unknown_room', 'room_id');
  assert.equal(counts(), before);
  r = await api('PATCH', `/api/v1/rooms/${rooms.main.id}`, tok.farstaff, { capacity: 1 });
  assert.equal(r.status, 404);
  r = await api('POST', `/api/v1/rooms/${rooms.main.id}/blackouts`, tok.farstaff, { start: iso(at(6, 8)), end: iso(at(6, 9)), reason: '越权' });
  assert.equal(r.status, 404);
  r = await api('GET', `/api/v1/rooms?community=${STREET}`, tok.street);
  assert.ok(r.body.items.some((x) => x.community === OTHER) && r.body.items.some((x) => x.community === COMMUNITY));
  r = await api('POST', '/api/v1/rooms', tok.street, { community: COMMUNITY, name: '街道室', capacity: 5 });
  assert.equal(r.status, 403);
  r = await book('street', rooms.main, at(1, 10), at(1, 11));
  assert.equal(r.status, 403);
  r = await api('GET', '/api/v1/rooms', tok.property);
  assert.equal(r.status, 403);
  r = await api('GET', '/api/v1/bookings', tok.property);
  assert.equal(r.status, 403);
  // bookings: hers, or her community's for workers
  r = await book('r2', rooms.main, at(6, 10), at(6, 11));
  const theirs = r.body;
  for (const who of ['r1', 'far', 'farstaff'])
    assert.equal((await api('GET', `/api/v1/bookings/${theirs.id}`, tok[who])).status, 404, who);
  assert.equal((await api('POST', `/api/v1/bookings/${theirs.id}/cancel`, tok.r1)).status, 404);
  assert.equal((await api('POST', `/api/v1/bookings/${theirs.id}/cancel`, tok.grid)).status, 403);
  r = await api('GET', '/api/v1/bookings', tok.r1);
  assert.ok(r.body.items.every((x) => x.user_id === uid.r1), 'a resident lists only her own');
  r = await api('GET', `/api/v1/bookings?room_id=${rooms.main.id}`, tok.staff);
  assert.ok(r.body.items.some((x) => x.id === theirs.id));
  r = await api('GET', `/api/v1/bookings?room_id=${rooms.main.id}`, tok.farstaff);
  assert.equal(r.status, 404);
  r = await api('GET', '/api/v1/bookings?state=lost', tok.staff);
  expectError(r, 400, 'invalid_query', 'state');
  r = await api('GET', `/api/v1/bookings?community=${OTHER}`, tok.staff);
  assert.equal(r.status, 403);
  r = await api('POST', `/api/v1/bookings/${theirs.id}/cancel`, tok.staff, { reason: '场地另有安排' });
  assert.equal(r.status, 200);
  assert.equal(r.body.reason, '场地另有安排');
  before = counts();
  r = await api('POST', `/api/v1/bookings/${theirs.id}/cancel`, tok.staff, { reason: 5 });
  expectError(r, 422, 'invalid_type', 'reason');
  r = await api('GET', '/api/v1/bookings/abc', tok.staff);
  assert.equal(r.status, 404);
  assert.equal(counts(), before);
});

test('recurring bookings: every week is booked or its conflict reported, never skipped', async () => {
  const room = await makeRoom('课程室');
  const HOUR = 60 * MIN, WEEK = 7 * DAY, base = at(1, 19);
  assert.equal((await book('r3', room, base + WEEK, base + WEEK + HOUR)).status, 201);
  let r = await api('POST', '/api/v1/bookings/recurring', tok.staff, { room_id: room.id, start: iso(base), end: iso(base + HOUR), weeks: 12, purpose: '太极课' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.created.length, 11, 'staff book past the 14-day horizon');
  assert.deepEqual(r.body.conflicts.map((c) => [c.start, c.code]), [[iso(base + WEEK), 'slot_taken']]);
  assert.match(r.body.conflicts[0].message, /已被预约/);
  assert.ok(r.body.created.every((b) => b.purpose === '太极课' && b.state === 'confirmed'));
  r = await api('POST', '/api/v1/bookings/recurring', tok.r4, { room_id: room.id, start: iso(at(1, 21)), end: iso(at(1, 22)), weeks: 4 });
  assert.equal(r.status, 201);
  assert.equal(r.body.created.length, 2);
  assert.deepEqual(r.body.conflicts.map((c) => c.code), ['beyond_horizon', 'beyond_horizon']);
  r = await api('POST', '/api/v1/bookings/recurring', tok.r5, { room_id: room.id, start: iso(at(1, 21)), end: iso(at(1, 22)), weeks: 2 });
  assert.equal(r.status, 200, 'nothing booked');
  assert.equal(r.body.created.length, 0);
  assert.equal(r.body.conflicts.length, 2);
  const before = counts();
  for (const [body, code, field] of [
    [{ room_id: room.id, start: iso(base), end: iso(base + HOUR), weeks: 1 }, 'out_of_range', 'weeks'],
    [{ room_id: room.id, start: iso(base), end: iso(base + HOUR), weeks: 53 }, 'out_of_range', 'weeks'],
    [{ room_id: room.id, start: iso(base), end: iso(base + HOUR) }, 'missing_field', 'weeks'],
    [{ room_id: room.id, start: iso(base), end: iso(base + HOUR), weeks: 2, every: 'week' }, 'unknown_field', 'every'],
    [{ room_id: room.id, start: 'next monday', end: iso(base + HOUR), weeks: 2 }, 'invalid_time', 'start'],
    [{ room_id: rooms['番禺活动室'].id, start: iso(base), end: iso(base + HOUR), weeks: 2 }, 'unknown_room', 'room_id'],
  ]) {
    r = await api('POST', '/api/v1/bookings/recurring', tok.staff, body);
    expectError(r, 422, code, field);
  }
  assert.equal(counts(), before, 'nothing written');
});

/* A small RFC 5545 reader: unfolds, checks line ends and lengths, returns the events. */
function readCalendar(buf) {
  const text = buf.toString('utf8');
  assert.ok(text.endsWith('\r\n'), 'ends in CRLF');
  const raw = text.slice(0, -2).split('\r\n');
  for (const line of raw) {
    assert.ok(Buffer.byteLength(line) <= 75, `line over 75 octets: ${line}`);
    assert.ok(!line.includes('\n') && !line.includes('\r'), 'bare line break');
  }
  const lines = [];
  for (const line of raw) {
    if (line.startsWith(' ')) lines[lines.length - 1] += line.slice(1);
    else lines.push(line);
  }
  assert.equal(lines[0], 'BEGIN:VCALENDAR');
  assert.equal(lines[lines.length - 1], 'END:VCALENDAR');
  assert.ok(lines.includes('VERSION:2.0'));
  assert.ok(lines.some((l) => l.startsWith('PRODID:')));
  const events = [];
  let ev = null;
  for (const line of lines) {
    if (line === 'BEGIN:VEVENT') { assert.equal(ev, null, 'nested VEVENT'); ev = {}; continue; }
    if (line === 'END:VEVENT') { events.push(ev); ev = null; continue; }
    if (!ev) continue;
    const i = line.indexOf(':');
    assert.ok(i > 0, `no value: ${line}`);
    ev[line.slice(0, i)] = line.slice(i + 1).replace(/\\n/g, '\n').replace(/\\([,;\\])/g, '$1');
  }
  assert.equal(ev, null, 'unterminated VEVENT');
  const stamp = /^\d{8}T\d{6}Z$/;
  for (const e of events) {
    for (const k of ['UID', 'DTSTAMP', 'DTSTART', 'DTEND', 'SUMMARY']) assert.ok(e[k], `event without ${k}`);
    assert.match(e.DTSTART, stamp);
    assert.match(e.DTEND, stamp);
    assert.ok(e.DTEND > e.DTSTART);
  }
  return events;
}
const icsTime = (ms) => new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

test('calendar feeds: a room\'s (times for residents, who for staff) and my own', async () => {
  const room = await makeRoom('日历室, 二楼; 东侧');
  const mine = (await book('r2', room, at(2, 19), at(2, 20, 30), { purpose: '合唱, 排练' })).body;
  await api('POST', `/api/v1/rooms/${room.id}/blackouts`, tok.staff, { start: iso(at(3, 8)), end: iso(at(3, 12)), reason: '消毒' });
  let r = await srv.api('GET', `/api/v1/rooms/${room.id}/calendar.ics`, { token: tok.r1 });
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/calendar/);
  let events = readCalendar(r.body);
  const e = events.find((x) => x.UID === `booking-${mine.id}@linli`);
  assert.ok(e);
  assert.equal(e.DTSTART, icsTime(at(2, 19)));
  assert.equal(e.DTEND, icsTime(at(2, 20, 30)));
  assert.equal(e.SUMMARY, '已预约', 'a resident sees no names');
  assert.equal(e.DESCRIPTION, undefined);
  assert.ok(events.some((x) => x.SUMMARY === '暂停开放：消毒'));
  assert.match(r.body.toString(), /X-WR-CALNAME:日历室\\, 二楼\\; 东侧/);
  r = await srv.api('GET', `/api/v1/rooms/${room.id}/calendar.ics`, { token: tok.staff });
  events = readCalendar(r.body);
  const s = events.find((x) => x.UID === `booking-${mine.id}@linli`);
  assert.match(s.SUMMARY, /^已预约：.\*+$/, 'staff see a masked name');
  assert.equal(s.DESCRIPTION, '合唱, 排练');
  r = await srv.api('GET', '/api/v1/bookings/calendar.ics', { token: tok.r2 });
  events = readCalendar(r.body);
  assert.ok(events.some((x) => x.UID === `booking-${mine.id}@linli` && x.SUMMARY === '日历室, 二楼; 东侧'));
  r = await srv.api('GET', '/api/v1/bookings/calendar.ics', { token: tok.r1 });
  assert.ok(!readCalendar(r.body).some((x) => x.UID === `booking-${mine.id}@linli`));
  r = await srv.api('GET', `/api/v1/rooms/${room.id}/calendar.ics`, { token: tok.far });
  assert.equal(r.status, 404);
});

test('a printable QR poster per room', async () => {
  let r = await srv.api('GET', `/api/v1/rooms/${rooms.main.id}/qr.svg`, { token: tok.staff });
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^image\/svg\+xml/);
  const svg = r.body.toString();
  assert.match(svg, /^<\?xml[^>]*>\s*<svg /);
  assert.ok(svg.includes('党员活动室'));
  assert.ok(svg.includes('扫码预约'));
  assert.match(svg, /<path fill="#000"[^>]* d="(M\d+ \d+h\d+v1h-\d+z)+"/);
  r = await srv.api('GET', `/api/v1/rooms/${rooms.main.id}/qr.svg`, { token: tok.far });
  assert.equal(r.status, 404);
});

test('50 concurrent clients booking the same slot: exactly one 201 and 49 × 409', async () => {
  const room = await makeRoom('并发室');
  const who = ['resident', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9'];
  const start = at(2, 14), end = at(2, 16);
  const results = await Promise.all(Array.from({ length: 50 }, (_, i) => book(who[i % who.length], room, start, end)));
  const statuses = results.map((r) => r.status).sort();
  assert.equal(statuses.filter((s) => s === 201).length, 1, JSON.stringify(statuses));
  assert.equal(statuses.filter((s) => s === 409).length, 49, JSON.stringify(statuses));
  assert.ok(results.filter((r) => r.status === 409).every((r) => r.body.error.code === 'slot_taken'));
  assert.equal(sql(`SELECT count(*) FROM booking WHERE room_id = ${room.id}`), '1', 'the losers left no row');
  assert.equal(sql(`SELECT count(*) FROM booking_slot WHERE room_id = ${room.id}`), '24');
});

test('a randomized concurrent run of bookings and cancellations ends with no overlap (by SQL)', async () => {
  const names = ['并发A', '并发B', '并发C'];
  const rs = [];
  for (const n of names) rs.push(await makeRoom(n, { slot_minutes: 15, min_minutes: 15, max_minutes: 180 }));
  const who = ['resident', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9', 'staff', 'grid', 'secretary'];
  let seed = 20261123;
  const rand = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
  const made = [];
  const tally = { 201: 0, 409: 0, cancelled: 0, other: 0 };
  const OPS = 2000, WORKERS = 24;
  let next = 0;
  async function worker() {
    while (next < OPS) {
      next++;
      if (made.length > 5 && rand(10) < 3) {
        const [id, user] = made.splice(rand(made.length), 1)[0];
        const r = await api('POST', `/api/v1/bookings/${id}/cancel`, tok[user]);
        if (r.status === 200) tally.cancelled++; else tally.other++;
        continue;
      }
      const room = rs[rand(rs.length)];
      const start = at(1 + rand(2), 0) + rand(96) * 15 * MIN;
      const user = who[rand(who.length)];
      const r = await book(user, room, start, start + (1 + rand(8)) * 15 * MIN);
      if (r.status === 201) { tally[201]++; made.push([r.body.id, user]); }
      else if (r.status === 409 && r.body.error.code === 'slot_taken') tally[409]++;
      else tally.other++;
    }
  }
  await Promise.all(Array.from({ length: WORKERS }, worker));
  assert.equal(tally.other, 0, JSON.stringify(tally));
  assert.ok(tally[201] > 100 && tally[409] > 100 && tally.cancelled > 100, JSON.stringify(tally));
  const ids = rs.map((r) => r.id).join(',');
  const ACTIVE = "('pending','confirmed','checked_in')";
  assert.equal(sql(`SELECT count(*) FROM booking a JOIN booking b ON a.room_id = b.room_id AND a.id < b.id
    AND a.start_ms < b.end_ms AND b.start_ms < a.end_ms
    WHERE a.room_id IN (${ids}) AND a.state IN ${ACTIVE} AND b.state IN ${ACTIVE}`), '0', 'overlapping active bookings');
  assert.equal(sql(`SELECT count(*) FROM booking b WHERE b.room_id IN (${ids}) AND b.state IN ${ACTIVE}
    AND (SELECT count(*) FROM booking_slot s WHERE s.booking_id = b.id) != (b.end_ms - b.start_ms) / ${UNIT}`), '0', 'every active booking holds all its slots');
  assert.equal(sql(`SELECT count(*) FROM booking_slot s JOIN booking b ON b.id = s.booking_id
    WHERE s.room_id IN (${ids}) AND b.state NOT IN ${ACTIVE}`), '0', 'no slot held by an ended booking');
  assert.equal(sql(`SELECT count(*) FROM booking WHERE room_id IN (${ids}) AND state IN ${ACTIVE}`), String(made.length));
});
