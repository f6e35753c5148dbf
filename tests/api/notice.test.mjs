// The notice inbox (站内消息): a waitlist promotion and a booking decision tell
// the right resident, each step of a case tells its reporter and nobody else,
// read / read-all and the unread count, and nobody sees another's notice.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer, COMMUNITY } from '../lib/server.mjs';

const MIN = 60000, DAY = 86400000, OFF = 8 * 3600000;

let srv, room, building, units = {};
const tok = {};
const uid = {};

const sql = (q) => execFileSync('sqlite3', ['-cmd', '.timeout 10000', srv.db, q], { encoding: 'utf8' }).trim();
const api = (method, p, who, body) => srv.api(method, p, { token: tok[who], body });
const todayDay = () => Math.floor((Date.now() + OFF) / DAY);
const at = (d, h, m = 0) => (todayDay() + d) * DAY - OFF + (h * 60 + m) * MIN;
const iso = (ms) => new Date(ms + OFF).toISOString().replace(/\.\d{3}Z$/, '+08:00');
const inbox = async (who, q = '') => {
  const r = await api('GET', `/api/v1/notices${q}`, who);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
};

async function addUser(name, role, scope) {
  srv.linli(['user', 'add', '--db', srv.db, '--username', name, '--password', 'linli2026', '--role', role, '--scope', String(scope)]);
  const { token, user } = await srv.login(name);
  tok[name] = token;
  uid[name] = user.id;
}

before(async () => {
  srv = await startServer({ demo: true, residents: 300 });
  for (const u of ['staff', 'grid', 'property', 'resident', 'secretary']) {
    const { token, user } = await srv.login(u);
    tok[u] = token;
    uid[u] = user.id;
  }
  const own = sql(`SELECT id FROM household WHERE community = '${COMMUNITY}' ORDER BY id LIMIT 6`).split('\n');
  for (let i = 1; i <= 3; i++) await addUser(`n${i}`, 'resident', own[i + 1]);
  const r = await api('POST', '/api/v1/rooms', 'staff', { community: COMMUNITY, name: '消息测试室', capacity: 8 });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  room = r.body;
  building = Number(sql(`SELECT id FROM building WHERE community = '${COMMUNITY}' ORDER BY id LIMIT 1`));
  const u = await api('GET', `/api/v1/case-units?community=${COMMUNITY}`, 'staff');
  for (const x of u.body.items) units[x.kind] = x;
});
after(async () => { await srv.stop(); });

test('a new user has an empty inbox; every role may ask', async () => {
  for (const who of ['n3', 'staff', 'grid', 'property', 'secretary']) {
    const b = await inbox(who);
    assert.equal(typeof b.unread, 'number');
    assert.ok(Array.isArray(b.items));
  }
  const b = await inbox('n3');
  assert.deepEqual([b.total, b.unread, b.items.length], [0, 0, 0]);
  const r = await srv.api('GET', '/api/v1/notices');
  assert.equal(r.status, 401);
});

test('a waitlist promotion tells the resident who gets the slot, and only her', async () => {
  const start = at(3, 18), end = at(3, 19);
  let r = await api('POST', '/api/v1/bookings', 'n1', { room_id: room.id, start: iso(start), end: iso(end) });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const held = r.body;
  r = await api('POST', '/api/v1/waitlist', 'n2', { room_id: room.id, start: iso(start), end: iso(end) });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const before2 = (await inbox('n2')).unread;
  assert.equal(before2, 0, 'waiting is no news');
  r = await api('POST', `/api/v1/bookings/${held.id}/cancel`, 'n1');
  assert.equal(r.status, 200);
  const b = await inbox('n2');
  assert.equal(b.unread, 1);
  const n = b.items[0];
  assert.equal(n.kind, 'booking.promoted');
  assert.match(n.title, /候补成功/);
  assert.match(n.body, /消息测试室/);
  assert.equal(n.link, '/bookings');
  assert.equal(n.read_at, null);
  assert.equal((await inbox('n1')).total, 0, 'cancelling her own booking tells her nothing');
  const booking = sql(`SELECT count(*) FROM booking WHERE user_id = ${uid.n2} AND waitlist_id IS NOT NULL`);
  assert.equal(booking, '1', 'the notice came with the booking');
});

test('approval and rejection tell the booker, with the reason', async () => {
  let r = await api('PATCH', `/api/v1/rooms/${room.id}`, 'staff', { rules: { needs_approval: true } });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const a = await api('POST', '/api/v1/bookings', 'n3', { room_id: room.id, start: iso(at(4, 9)), end: iso(at(4, 10)) });
  const b = await api('POST', '/api/v1/bookings', 'n3', { room_id: room.id, start: iso(at(4, 11)), end: iso(at(4, 12)) });
  assert.equal(a.body.state, 'pending', JSON.stringify(a.body));
  r = await api('POST', `/api/v1/bookings/${a.body.id}/approve`, 'staff');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  r = await api('POST', `/api/v1/bookings/${b.body.id}/reject`, 'staff', { reason: '当天有社区活动' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const box = await inbox('n3');
  assert.deepEqual(box.items.map((n) => n.kind), ['booking.rejected', 'booking.approved']);
  assert.match(box.items[0].body, /当天有社区活动/);
  // a failed decision writes no notice
  r = await api('POST', `/api/v1/bookings/${b.body.id}/reject`, 'staff', { reason: '再拒一次' });
  assert.equal(r.status, 409);
  assert.equal((await inbox('n3')).total, 2);
  await api('PATCH', `/api/v1/rooms/${room.id}`, 'staff', { rules: { needs_approval: false } });
});

test('each step of a case tells its reporter, not others', async () => {
  let r = await api('POST', '/api/v1/cases', 'n1', { category: 'other', description: '楼道灯坏了', building_id: building });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const c = r.body;
  const step = (who, action, body) => api('POST', `/api/v1/cases/${c.id}/${action}`, who, body);
  const others = async () => Promise.all(['n2', 'staff', 'property', 'grid'].map(async (w) =>
    (await inbox(w)).items.filter((n) => n.kind.startsWith('case.')).length));
  const othersBefore = await others();
  const mine = async () => (await inbox('n1')).items.filter((n) => n.link === `/cases/${c.id}`);
  assert.equal((await mine()).length, 0, 'reporting is not news to the reporter');
  r = await step('staff', 'dispatch', { unit: units.property.id });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  r = await step('staff', 'hold', { reason: '等待业主回家' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  r = await step('staff', 'resume');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  r = await step('property', 'handle', { reason: '已派电工' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  r = await step('grid', 'verify');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  r = await step('staff', 'close');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  r = await step('n1', 'rate', { rating: 'unsatisfied', comment: '又坏了' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.state, 'reopened');
  const got = await mine();
  assert.deepEqual(got.map((n) => n.kind).reverse(),
    ['case.dispatched', 'case.on_hold', 'case.resumed', 'case.handling', 'case.verified', 'case.closed', 'case.reopened']);
  for (const n of got) assert.match(n.title, /[\u4e00-\u9fff]/);
  assert.match(got.find((n) => n.kind === 'case.on_hold').body, /等待业主回家/);
  assert.deepEqual(await others(), othersBefore, 'nobody else is told');
  // a refused step tells nothing
  r = await step('staff', 'close');
  assert.equal(r.status, 409);
  assert.equal((await mine()).length, got.length);
});

test('merge tells the reporter of the merged case where it went', async () => {
  const a = (await api('POST', '/api/v1/cases', 'n2', { category: 'noise', description: '夜里装修很吵', building_id: building })).body;
  const b = (await api('POST', '/api/v1/cases', 'n3', { category: 'noise', description: '夜里装修太吵了', building_id: building })).body;
  const r = await api('POST', `/api/v1/cases/${b.id}/merge`, 'staff', { into: a.id, reason: '同一处装修' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const n3 = (await inbox('n3')).items.find((n) => n.link === `/cases/${b.id}`);
  assert.equal(n3.kind, 'case.merged');
  assert.match(n3.body, new RegExp(`${a.id}`));
  assert.equal((await inbox('n2')).items.filter((n) => n.link === `/cases/${a.id}`).length, 0);
});

test('read, read-all, unread filter and counts; another user\'s notice is 404', async () => {
  let box = await inbox('n1');
  assert.ok(box.unread >= 7, JSON.stringify(box));
  const total = box.total, unread = box.unread;
  const one = box.items[0];
  let r = await api('POST', `/api/v1/notices/${one.id}/read`, 'n2');
  assert.equal(r.status, 404, 'not hers');
  assert.equal(r.body.error.code, 'not_found');
  assert.equal((await inbox('n1')).unread, unread, 'her notice stays unread');
  r = await api('POST', `/api/v1/notices/${one.id}/read`, 'n1');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.unread, unread - 1);
  r = await api('POST', `/api/v1/notices/${one.id}/read`, 'n1');
  assert.equal(r.status, 200, 'twice is fine');
  assert.equal(r.body.unread, unread - 1);
  box = await inbox('n1', '?unread=1');
  assert.equal(box.total, unread - 1);
  assert.ok(box.items.every((n) => n.read_at === null));
  assert.ok(!box.items.some((n) => n.id === one.id));
  box = await inbox('n1');
  assert.equal(box.total, total);
  assert.ok(box.items.find((n) => n.id === one.id).read_at);
  box = await inbox('n1', '?page=2&per_page=3');
  assert.equal(box.items.length, Math.min(3, total - 3));
  assert.equal(box.page, 2);
  const n2unread = (await inbox('n2')).unread;
  assert.ok(n2unread > 0);
  r = await api('POST', '/api/v1/notices/read-all', 'n1');
  assert.equal(r.status, 200);
  assert.equal(r.body.marked, unread - 1);
  assert.equal((await inbox('n1')).unread, 0);
  assert.equal((await inbox('n1', '?unread=1')).items.length, 0);
  assert.equal((await inbox('n2')).unread, n2unread, 'read-all is hers only');
  r = await api('POST', '/api/v1/notices/99999999/read', 'n1');
  assert.equal(r.status, 404);
  r = await api('GET', '/api/v1/notices?unread=2', 'n1');
  assert.equal(r.status, 400, JSON.stringify(r.body));
  assert.match(r.body.error.message, /[\u4e00-\u9fff]/);
  r = await api('GET', '/api/v1/notices?per_page=1000', 'n1');
  assert.equal(r.status, 400);
});
