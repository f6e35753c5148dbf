// Meetings (议事会) of issue 16 that book a function room and sign residents
// in by QR code: the room booked through the booking module in the
// meeting's transaction (its slots: an overlap is 409 naming room_id and
// writes nothing, neither booking nor meeting), the place defaulting to the
// room's name; the sign-in poster is a PNG for staff; a resident's check-in
// with the meeting's token marks an invited resident attended, adds a
// resident of the community as a walk-in, refuses an outsider (403
// out_of_scope) and a wrong token (422 bad_token). Runs on both stores.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, COMMUNITY, dbSql } from '../lib/server.mjs';

const DAY = 86400000;
const OTHER = '310105004001'; // another community of the street

let srv;
const tok = {};
const sql = (q) => dbSql(srv.db, q).trim();
const count = (q) => Number(sql(q));
const api = (method, p, who, body) => srv.api(method, p, { token: tok[who] ?? who, body });

let room; // a room of the demo community, open all day
let topic;
let invited; // the elder account's resident, invited
let elderResident;

/* Tomorrow (Beijing) at hh:mm, as RFC 3339. */
function tomorrow(hh, mm = 0, days = 1) {
  const d = new Date(Date.now() + 8 * 3600000 + days * DAY);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), hh - 8, mm)).toISOString();
}

function expectError(r, status, code, field) {
  assert.equal(r.status, status, JSON.stringify(r.body));
  assert.equal(r.body.error.code, code, JSON.stringify(r.body));
  if (field !== undefined) assert.equal(r.body.error.field, field);
  assert.match(r.body.error.message, /[\u4e00-\u9fff]/, 'a Chinese message');
}

before(async () => {
  srv = await startServer({ demo: true, residents: 600 });
  for (const u of ['staff', 'resident', 'elder']) tok[u] = (await srv.login(u)).token;
  srv.linli(['user', 'add', '--db', srv.db, '--username', 'outsider', '--password', 'linli2026', '--role', 'resident',
    '--scope', sql(`SELECT id FROM household WHERE community = '${OTHER}' ORDER BY id LIMIT 1`)]);
  tok.outsider = (await srv.login('outsider')).token;
  let r = await api('POST', '/api/v1/rooms', 'staff', { community: COMMUNITY, name: '第二议事室', capacity: 30 });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  room = r.body;
  r = await api('POST', '/api/v1/topics', 'staff', { title: '小区停车位重新划线', body: '东区停车位划线不清，经常占用消防通道，需要重新规划。' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  topic = r.body.id;
  elderResident = count("SELECT resident_id FROM app_user WHERE username = 'elder'");
  assert.ok(elderResident > 0, 'the elder account is a resident of her own');
  invited = [elderResident];
});

after(async () => {
  await srv?.stop();
});

let meeting; // booked in the room, tomorrow 10:00-12:00

test('a meeting books its function room: the booking module\'s booking, the place its name, two hours by default', async () => {
  const b0 = count('SELECT count(*) FROM booking');
  const r = await api('POST', `/api/v1/topics/${topic}/meetings`, 'staff', { starts_at: tomorrow(10), room_id: room.id, participants: invited });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  meeting = r.body;
  assert.deepEqual(meeting.room, { id: room.id, name: '第二议事室' });
  assert.equal(meeting.place, '第二议事室', 'the place defaults to the room');
  assert.equal(Date.parse(meeting.ends_at) - Date.parse(meeting.starts_at), 2 * 3600000);
  assert.ok(meeting.booking_id > 0);
  assert.equal(count('SELECT count(*) FROM booking'), b0 + 1);
  assert.equal(count(`SELECT room_id FROM booking WHERE id = ${meeting.booking_id}`), room.id);
  assert.equal(count(`SELECT count(*) FROM booking_slot WHERE booking_id = ${meeting.booking_id}`), 24, 'two hours of 5-minute slots');
  assert.equal(count(`SELECT booking_id FROM meeting WHERE id = ${meeting.id}`), meeting.booking_id);
  // the room's calendar shows it
  const cal = await api('GET', `/api/v1/bookings/${meeting.booking_id}`, 'staff');
  assert.equal(cal.status, 200, JSON.stringify(cal.body));
  assert.match(cal.body.purpose, /议事会/);
  // an explicit end and place
  const r2 = await api('POST', `/api/v1/topics/${topic}/meetings`, 'staff', { starts_at: tomorrow(14), ends_at: tomorrow(15), room_id: room.id, place: '第二议事室（二楼）' });
  assert.equal(r2.status, 201, JSON.stringify(r2.body));
  assert.equal(r2.body.place, '第二议事室（二楼）');
  assert.equal(count(`SELECT count(*) FROM booking_slot WHERE booking_id = ${r2.body.booking_id}`), 12);
  assert.ok(count("SELECT count(*) FROM audit WHERE action = 'meeting.create'") >= 2);
  assert.ok(count(`SELECT count(*) FROM audit WHERE action = 'booking.create' AND object_id = ${meeting.booking_id}`) === 1, 'the booking is audited as one');
});

test('a taken room is 409 naming room_id, and nothing is written: no booking, no meeting, no step', async () => {
  const before = ['booking', 'booking_slot', 'meeting', 'meeting_participant', 'topic_step'].map((t) => count(`SELECT count(*) FROM ${t}`));
  expectError(await api('POST', `/api/v1/topics/${topic}/meetings`, 'staff', { starts_at: tomorrow(11), room_id: room.id, participants: invited }), 409, 'slot_taken', 'room_id');
  expectError(await api('POST', `/api/v1/topics/${topic}/meetings`, 'staff', { starts_at: tomorrow(9), ends_at: tomorrow(10, 30), room_id: room.id }), 409, 'slot_taken', 'room_id');
  // the room's rules: its grid; another community's room; no place and no room
  expectError(await api('POST', `/api/v1/topics/${topic}/meetings`, 'staff', { starts_at: tomorrow(16, 7), room_id: room.id }), 422, 'off_grid', 'starts_at');
  expectError(await api('POST', `/api/v1/topics/${topic}/meetings`, 'staff', { starts_at: tomorrow(16), ends_at: tomorrow(15), room_id: room.id }), 422, 'invalid_range', 'ends_at');
  expectError(await api('POST', `/api/v1/topics/${topic}/meetings`, 'staff', { starts_at: tomorrow(16), room_id: 99999999 }), 422, 'unknown_room', 'room_id');
  expectError(await api('POST', `/api/v1/topics/${topic}/meetings`, 'staff', { starts_at: tomorrow(16) }), 422, 'missing_field', 'place');
  // a bad participant after the room is booked rolls the booking back too
  expectError(await api('POST', `/api/v1/topics/${topic}/meetings`, 'staff', { starts_at: tomorrow(17), room_id: room.id, participants: [99999999] }), 422, 'unknown_resident', 'participants[0]');
  const after = ['booking', 'booking_slot', 'meeting', 'meeting_participant', 'topic_step'].map((t) => count(`SELECT count(*) FROM ${t}`));
  assert.deepEqual(after, before, 'nothing written');
  // the freed time is still bookable
  const r = await api('POST', `/api/v1/topics/${topic}/meetings`, 'staff', { starts_at: tomorrow(17), room_id: room.id });
  assert.equal(r.status, 201, JSON.stringify(r.body));
});

test('the sign-in QR code is a PNG for staff; its URL carries the meeting\'s token', async () => {
  const get = (who) => fetch(`${srv.url}/api/v1/meetings/${meeting.id}/qr.png`, { headers: who ? { Authorization: 'Bearer ' + tok[who] } : {} });
  const res = await get('staff');
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'image/png');
  const png = Buffer.from(await res.arrayBuffer());
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG signature');
  assert.equal(png.toString('ascii', 12, 16), 'IHDR');
  assert.equal(png.readUInt32BE(16), 800);
  assert.equal((await get('resident')).status, 403);
  assert.equal((await get(null)).status, 401);
  const token = sql(`SELECT checkin_token FROM meeting WHERE id = ${meeting.id}`);
  assert.ok(token.length >= 32, 'a random token');
  let r = await api('GET', `/api/v1/meetings/${meeting.id}`, 'staff');
  assert.equal(r.body.checkin_url.endsWith(`/h5/#/meetings/${meeting.id}/checkin?t=${token}`), true, r.body.checkin_url);
  r = await api('GET', `/api/v1/meetings/${meeting.id}`, 'resident');
  assert.equal(r.status, 200);
  assert.equal(r.body.checkin_url, null, 'residents do not see the token');
  // another meeting has another token
  const other = sql(`SELECT checkin_token FROM meeting WHERE id <> ${meeting.id} AND checkin_token IS NOT NULL LIMIT 1`);
  assert.notEqual(other, token);
  // a meeting from before the tokens gets one when its code is first drawn
  sql(`UPDATE meeting SET checkin_token = NULL WHERE id = ${meeting.id}`);
  assert.equal((await get('staff')).status, 200);
  assert.ok(sql(`SELECT checkin_token FROM meeting WHERE id = ${meeting.id}`).length >= 32);
});

test('check-in: a wrong token is 422, an invited resident attends, a neighbour walks in, an outsider is 403', async () => {
  const token = sql(`SELECT checkin_token FROM meeting WHERE id = ${meeting.id}`);
  const parts0 = count('SELECT count(*) FROM meeting_participant');
  let r0;
  expectError(await api('POST', `/api/v1/meetings/${meeting.id}/checkin`, 'elder', { token: token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A') }), 422, 'bad_token', 'token');
  r0 = await api('POST', `/api/v1/meetings/${meeting.id}/checkin`, 'elder', {});
  assert.equal(r0.status, 422);
  assert.equal(r0.body.error.field, 'token');
  expectError(await api('POST', '/api/v1/meetings/99999999/checkin', 'elder', { token }), 422, 'bad_token', 'token');
  assert.equal(count(`SELECT count(*) FROM meeting_participant WHERE meeting_id = ${meeting.id} AND attended_at IS NOT NULL`), 0, 'nobody signed in');

  // the invited one
  let r = await api('POST', `/api/v1/meetings/${meeting.id}/checkin`, 'elder', { token });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.resident_id, elderResident);
  assert.equal(r.body.walk_in, false);
  r = await api('GET', `/api/v1/meetings/${meeting.id}`, 'staff');
  const p = r.body.participants.find((x) => x.resident_id === elderResident);
  assert.equal(p.attended, true);
  assert.equal(p.walk_in, false);
  assert.equal(count('SELECT count(*) FROM meeting_participant'), parts0, 'no one added');
  // twice is still once
  r = await api('POST', `/api/v1/meetings/${meeting.id}/checkin`, 'elder', { token });
  assert.equal(r.status, 200);
  assert.equal(count('SELECT count(*) FROM meeting_participant'), parts0);

  // a resident of the community not invited: a walk-in (the household account: its first resident)
  const hhResident = count(`SELECT min(r.id) FROM resident r JOIN app_user u ON u.household_id = r.household_id WHERE u.username = 'resident' AND r.status = 'active'`);
  r = await api('POST', `/api/v1/meetings/${meeting.id}/checkin`, 'resident', { token });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.walk_in, true);
  assert.equal(r.body.resident_id, hhResident);
  r = await api('GET', `/api/v1/meetings/${meeting.id}`, 'staff');
  const w = r.body.participants.find((x) => x.resident_id === hhResident);
  assert.equal(w.attended, true);
  assert.equal(w.walk_in, true);
  assert.equal(count('SELECT count(*) FROM meeting_participant'), parts0 + 1);
  // the topic's meeting counts the invited only as invited
  r = await api('GET', `/api/v1/topics/${topic}`, 'staff');
  const mt = r.body.meetings.find((x) => x.id === meeting.id);
  assert.deepEqual([mt.invited, mt.attended], [1, 2]);

  // an outsider, and staff, cannot sign in
  expectError(await api('POST', `/api/v1/meetings/${meeting.id}/checkin`, 'outsider', { token }), 403, 'out_of_scope');
  expectError(await api('POST', `/api/v1/meetings/${meeting.id}/checkin`, 'staff', { token }), 403, 'forbidden');
  assert.equal(count('SELECT count(*) FROM meeting_participant'), parts0 + 1, 'nothing written');
  assert.equal(count(`SELECT count(*) FROM audit WHERE action = 'meeting.checkin' AND object_id = ${meeting.id}`), 3);
});
