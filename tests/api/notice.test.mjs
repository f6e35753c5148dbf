// The notice inbox (站内消息): a waitlist promotion and a booking decision tell
// the right resident, each step of a case tells its reporter, a dispatch (by a
// routing rule or by staff) tells the unit's users, an escalation the street
// admins over the community and the community's secretaries and staff; read / read-all and the unread count, nobody
// sees another's notice; demo notices carry the time of their demo event.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, COMMUNITY, dbSql } from '../lib/server.mjs';

const MIN = 60000, DAY = 86400000, OFF = 8 * 3600000;

let srv, room, building, units = {};
const tok = {};
const uid = {};

const sql = (q) => dbSql(srv.db, q).trim();
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
  assert.equal(n.read_at, null);
  assert.equal((await inbox('n1')).total, 0, 'cancelling her own booking tells her nothing');
  const booking = sql(`SELECT count(*) FROM booking WHERE user_id = ${uid.n2} AND waitlist_id IS NOT NULL`);
  assert.equal(booking, '1', 'the notice came with the booking');
  const promoted = sql(`SELECT id FROM booking WHERE user_id = ${uid.n2} AND waitlist_id IS NOT NULL`);
  assert.equal(n.link, `/bookings?id=${promoted}`, 'the link names the booking (an H5 route, and the console\'s calendar)');
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
  assert.deepEqual(box.items.map((n) => n.link), [`/bookings?id=${b.body.id}`, `/bookings?id=${a.body.id}`]);
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
  const others = async () => Promise.all(['n2', 'staff', 'grid'].map(async (w) =>
    (await inbox(w)).items.filter((n) => n.kind.startsWith('case.')).length));
  const unitTold = async () => (await inbox('property', '?per_page=100')).items.filter((n) => n.link === `/cases/${c.id}`);
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
  assert.deepEqual((await unitTold()).map((n) => n.kind), ['case.assigned'], 'the unit is told once, when it is dispatched to it');
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

test('a report routed by a rule tells the unit\'s users at once, in the same transaction; staff dispatch tells them too', async () => {
  await addUser('prop2', 'property', COMMUNITY);
  await addUser('prop3', 'property', COMMUNITY);
  let r = await api('PATCH', `/api/v1/case-units/${units.property.id}`, 'staff', { user_ids: [uid.property, uid.prop2] });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  r = await api('PATCH', `/api/v1/case-units/${units.committee.id}`, 'staff', { user_ids: [uid.prop3] });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const told = async (who, id) => (await inbox(who, '?per_page=100')).items.filter((n) => n.link === `/cases/${id}`);

  /* the demo routes 楼道堆物 to the property company */
  r = await api('POST', '/api/v1/cases', 'n2', { category: 'corridor_clutter', description: '3单元楼道堆满了纸箱和旧家具，消防通道被堵，老人上下楼很不方便，请物业尽快清理，谢谢', building_id: building });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const c = r.body;
  assert.equal(c.state, 'dispatched');
  assert.equal(c.unit_id, units.property.id);
  for (const who of ['property', 'prop2']) {
    const got = await told(who, c.id);
    assert.equal(got.length, 1, `${who} is told`);
    assert.equal(got[0].kind, 'case.assigned');
    assert.match(got[0].title, new RegExp(`案件 ${c.id}`));
    assert.match(got[0].body, /楼道堆物/);
    assert.match(got[0].body, /按派单规则自动派遣/);
    assert.match(got[0].body, /3单元楼道堆满了纸箱/);
    assert.match(got[0].body, /…/, 'a long description is cut');
    assert.ok(got[0].body.includes('尽快清理，…'), 'to its first 40 characters');
    assert.equal(got[0].read_at, null);
    assert.equal(Date.parse(got[0].created_at), Date.parse(c.created_at), 'dated with the report');
  }
  for (const who of ['prop3', 'n2', 'staff', 'grid'])
    assert.equal((await told(who, c.id)).length, 0, `${who} is not told`);

  /* a report refused at the end (a photo already used) writes no case and no notice */
  const before = sql(`SELECT count(*) FROM notice`);
  const cases = sql(`SELECT count(*) FROM cases`);
  r = await api('POST', '/api/v1/cases', 'n2', { category: 'corridor_clutter', description: '又堆满了', building_id: building, photos: [99999999] });
  assert.equal(r.status, 422, JSON.stringify(r.body));
  assert.equal(sql(`SELECT count(*) FROM notice`), before);
  assert.equal(sql(`SELECT count(*) FROM cases`), cases);

  /* staff dispatch a case with no rule to the committee: its user is told, with the reason */
  r = await api('POST', '/api/v1/cases', 'n2', { category: 'other', description: '小区门口路灯不亮', building_id: building });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const d = r.body;
  assert.equal(d.state, 'accepted');
  assert.equal((await told('prop3', d.id)).length, 0, 'no unit yet, nobody told');
  r = await api('POST', `/api/v1/cases/${d.id}/dispatch`, 'staff', { unit: units.committee.id, reason: '请居委会协调' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const got = await told('prop3', d.id);
  assert.equal(got.length, 1);
  assert.equal(got[0].kind, 'case.assigned');
  assert.match(got[0].body, /社区派单：请居委会协调/);
  assert.equal((await told('property', d.id)).length, 0, 'another unit is not told');
  /* the property user opens it from the link */
  r = await api('GET', `/api/v1/cases/${c.id}`, 'prop2');
  assert.equal(r.status, 200);
  await api('PATCH', `/api/v1/case-units/${units.property.id}`, 'staff', { user_ids: [uid.property] });
});

test('an escalation by the overdue sweep tells the street admins over the community and its secretaries and staff, once', async () => {
  await addUser('street1', 'street_admin', COMMUNITY.slice(0, 9));
  srv.linli(['import', 'divisions', '--db', srv.db, '--street', '310105009']); /* another street of 长宁区 */
  await addUser('street9', 'street_admin', '310105009');
  await addUser('farsec', 'secretary', '310105004001');
  await addUser('farstaff', 'staff', '310105004001');
  let r = await api('POST', '/api/v1/cases', 'n3', { category: 'other', description: '垃圾房门坏了', building_id: building });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const c = r.body;
  const told = async (who) => (await inbox(who, '?per_page=100')).items.filter((n) => n.link === `/cases/${c.id}` && n.kind === 'case.escalated');
  assert.equal((await told('street1')).length, 0);
  sql(`UPDATE cases SET respond_due = 1000, resolve_due = 2000 WHERE id = ${c.id}`);
  r = await api('GET', '/api/v1/cases?overdue=1', 'staff'); // any cases request sweeps
  assert.equal(r.status, 200);
  const got = await told('street1');
  assert.equal(got.length, 1);
  assert.match(got[0].title, /超期/);
  assert.match(got[0].body, /其他|垃圾房门坏了/);
  const after = (await api('GET', `/api/v1/cases/${c.id}`, 'street1')).body;
  assert.ok(after.escalated_at);
  assert.equal(Date.parse(got[0].created_at), Date.parse(after.escalated_at), 'dated with the escalation');
  for (const who of ['staff', 'secretary']) {
    const mine = await told(who);
    assert.equal(mine.length, 1, `${who} of the community is told`);
    assert.match(mine[0].body, /上报街道督办，请尽快办结/);
    assert.equal(Date.parse(mine[0].created_at), Date.parse(after.escalated_at));
  }
  for (const who of ['street9', 'farsec', 'farstaff', 'grid', 'property', 'n3'])
    assert.equal((await told(who)).length, 0, `${who} is not told`);
  await api('GET', '/api/v1/cases?overdue=1', 'staff');
  for (const who of ['street1', 'staff', 'secretary'])
    assert.equal((await told(who)).length, 1, `escalated once, ${who} told once`);
});

test('demo notices carry the time of their demo event, not the time of loading', async () => {
  /* every case notice of the demo's reporter and unit user is dated with a step of its case */
  const undated = sql(`SELECT count(*) FROM notice n JOIN app_user u ON u.id = n.user_id
    WHERE u.username IN ('resident', 'property') AND n.kind LIKE 'case.%' AND NOT EXISTS (
      SELECT 1 FROM case_step s WHERE s.case_id = CAST(substr(n.link, 8) AS INTEGER) AND s.at = n.created_at)`);
  assert.equal(undated, '0');
  const box = await inbox('resident', '?per_page=100');
  const demo = box.items.filter((n) => n.kind.startsWith('case.'));
  assert.ok(demo.length >= 5, `the demo resident has case notices: ${demo.length}`);
  const days = new Set(demo.map((n) => n.created_at.slice(0, 10)));
  assert.ok(days.size >= 3, `spread over days: ${[...days]}`);
  assert.ok(demo.some((n) => Date.now() - Date.parse(n.created_at) > 7 * DAY), 'some weeks old');
  const prop = (await inbox('property', '?per_page=100')).items.filter((n) => n.kind === 'case.assigned');
  assert.ok(new Set(prop.map((n) => n.created_at.slice(0, 10))).size >= 3, 'the unit\'s demo dispatches too');
});

test('read, read-all, unread filter and counts; another user\'s notice is 404', async () => {
  let box = await inbox('n1');
  /* notices of internal steps of one case fold into the newest: fewer unread than notices */
  assert.ok(box.unread >= 3 && box.unread < box.total, JSON.stringify(box));
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
