// Activities, courses and markets (issue 18, the server core): staff publish
// an activity (one session or a course of N, an address or a function room
// booked through the booking module), residents sign up themselves or one of
// their household, a full activity waitlists them and a cancellation promotes
// the first with a notice; capacity holds under 100 concurrent sign-ups on
// two servers (the database's CHECK on a counter); QR sign-in and sign-out
// with each session's token; staff sign in residents without phones;
// attendance makes no-shows, too many of which suspend sign-ups; attendees
// rate; staff read the figures. Bad input gets a 4xx naming the field and
// writes nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, serveAgain, COMMUNITY, STREET, dbSql } from '../lib/server.mjs';

const OTHER = '310105004001'; // another community of the street
const MIN = 60000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

let srv, srv2;
const tok = {};
const uid = {};
const rid = {}; // the resident each account is
const sql = (q) => dbSql(srv.db, q).trim();
const count = (q) => Number(sql(q));
const api = (method, p, who, body, extra = {}) => srv.api(method, p, { token: tok[who], body, ...extra });

/* @ms as RFC 3339 in China's time. */
function iso(ms) {
  const d = new Date(ms + 8 * HOUR);
  return d.toISOString().slice(0, 19) + '+08:00';
}

function expectError(r, status, code, field) {
  assert.equal(r.status, status, JSON.stringify(r.body));
  if (code !== undefined) assert.equal(r.body.error.code, code, JSON.stringify(r.body));
  if (field !== undefined) assert.equal(r.body.error.field, field, JSON.stringify(r.body));
  assert.match(r.body.error.message, /[\u4e00-\u9fff]/, 'the message is Chinese');
}

const writes = () => sql(`SELECT (SELECT count(*) FROM activity) || ',' || (SELECT count(*) FROM activity_signup) || ',' ||
  (SELECT count(*) FROM activity_attendance) || ',' || (SELECT count(*) FROM activity_rating) || ',' || (SELECT count(*) FROM booking) || ',' ||
  (SELECT coalesce(sum(taken), 0) FROM activity)`);

const NEW_USERS = 104;
let users = []; // act0 … act103: residents of COMMUNITY with their own accounts

before(async () => {
  srv = await startServer({ demo: true, residents: 3000 });
  for (const u of ['street', 'secretary', 'staff', 'resident']) {
    const { token, user } = await srv.login(u);
    tok[u] = token;
    uid[u] = user.id;
  }
  srv.linli(['user', 'add', '--db', srv.db, '--username', 'farstaff', '--password', 'linli2026', '--role', 'staff', '--scope', OTHER]);
  tok.farstaff = (await srv.login('farstaff')).token;
  // residents' own accounts (as a resident's registration makes them), by SQL for speed:
  // of the largest households first, none with the demo's no-shows
  sql(`INSERT INTO app_user (username, password_hash, role, scope, household_id, display_name, created_at, resident_id)
       SELECT 'act' || r.id, (SELECT password_hash FROM app_user WHERE username = 'resident'), 'resident', r.community,
              r.household_id, r.name, 0, r.id
       FROM resident r WHERE r.community = '${COMMUNITY}' AND r.status = 'active'
         AND r.household_id <> (SELECT household_id FROM app_user WHERE username = 'resident')
         AND NOT EXISTS (SELECT 1 FROM app_user u WHERE u.resident_id = r.id)
         AND NOT EXISTS (SELECT 1 FROM activity_signup s JOIN activity a ON a.id = s.activity_id
                         WHERE s.resident_id = r.id AND a.end_at < ${Date.now()})
       ORDER BY (SELECT count(*) FROM resident x WHERE x.household_id = r.household_id AND x.status = 'active') DESC, r.id
       LIMIT ${NEW_USERS}`);
  users = sql(`SELECT username FROM app_user WHERE username LIKE 'act%' ORDER BY id`).split('\n');
  assert.equal(users.length, NEW_USERS);
  for (let i = 0; i < users.length; i += 8) {
    await Promise.all(users.slice(i, i + 8).map(async (u) => {
      const { token, user } = await srv.login(u);
      tok[u] = token;
      uid[u] = user.id;
      rid[u] = Number(sql(`SELECT resident_id FROM app_user WHERE id = ${user.id}`));
    }));
  }
  rid.resident = Number(sql(`SELECT min(r.id) FROM app_user u JOIN resident r ON r.household_id = u.household_id WHERE u.username = 'resident' AND r.status = 'active'`));
});

after(async () => {
  if (srv2) await srv2.stop();
  await srv.stop();
});

/* A new activity by staff starting @inMin minutes from now (body overrides). */
async function publish(extra = {}, inMin = 10, lengthMin = 60) {
  const start = Date.now() + inMin * MIN;
  const r = await api('POST', '/api/v1/activities', 'staff', {
    community: COMMUNITY, title: '测试活动', kind: 'volunteer', start: iso(start), end: iso(start + lengthMin * MIN), capacity: 10, ...extra,
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}

const signup = (who, id, body = {}, s = srv) => s.api('POST', `/api/v1/activities/${id}/signups`, { token: tok[who], body });

/* Moves activity @id (and its sessions) @ms earlier: the past without waiting. */
function shift(id, ms) {
  sql(`UPDATE activity SET start_at = start_at - ${ms}, end_at = end_at - ${ms}, signup_closes = signup_closes - ${ms},
       cancel_until = cancel_until - ${ms} WHERE id = ${id}`);
  sql(`UPDATE activity_session SET start_at = start_at - ${ms}, end_at = end_at - ${ms} WHERE activity_id = ${id}`);
}

test('the demo: upcoming activities first, a course of 8 sessions, a full one with a waitlist, past ones attended and rated', async () => {
  const r = await api('GET', '/api/v1/activities?per_page=50', 'resident');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const items = r.body.items;
  assert.ok(items.length >= 8);
  const firstPast = items.findIndex((x) => x.status === 'ended');
  assert.ok(firstPast > 0 && items.slice(firstPast).every((x) => x.status === 'ended'), 'upcoming first, then the ended ones');
  const upcoming = items.slice(0, firstPast).map((x) => Date.parse(x.start));
  assert.deepEqual(upcoming, [...upcoming].sort((p, q) => p - q), 'soonest first');
  const course = items.find((x) => x.kind === 'course');
  assert.equal(course.n_sessions, 8);
  assert.equal(course.kind_label, '公益课程');
  assert.ok(items.some((x) => x.kind === 'market'));
  assert.ok(items.some((x) => x.waiting > 0 && x.taken === x.capacity), 'a full one with a waitlist');
  const k = await api('GET', '/api/v1/activities?kind=market', 'resident');
  assert.ok(k.body.items.length >= 2 && k.body.items.every((x) => x.kind === 'market'));
  const st = await api('GET', `/api/v1/activities/stats?community=${COMMUNITY}`, 'staff');
  assert.equal(st.status, 200, JSON.stringify(st.body));
  assert.ok(st.body.attended > 0 && st.body.attendance_rate > 0 && st.body.attendance_rate < 1, JSON.stringify(st.body));
  assert.ok(st.body.ratings.count > 0 && st.body.ratings.average >= 1);
  assert.ok(st.body.participants > 0);
  const mine = await api('GET', `/api/v1/activities/${items.find((x) => x.title.startsWith('亲子')).id}`, 'resident');
  assert.deepEqual(mine.body.my_signups.map((x) => x.state), ['confirmed', 'waitlisted'], 'the demo resident is signed up, her family member waits');
  const my = (await api('GET', '/api/v1/activities/mine', 'resident')).body.items;
  assert.ok(my.some((x) => x.status === 'ended' && x.attended && !x.rated), 'she came to a past one and may rate it');
  assert.equal(mine.body.sessions[0].token, undefined, 'a resident never sees the QR token');
});

test('staff publish; every bad body is a 4xx naming its field and writes nothing', async () => {
  const start = Date.now() + DAY;
  const ok = { community: COMMUNITY, title: '书法课', kind: 'course', start: iso(start), end: iso(start + 2 * HOUR), capacity: 12 };
  const before = writes();
  const bad = [
    [{ ...ok, capacity: '12' }, 422, 'invalid_type', 'capacity'],
    [{ ...ok, capacity: 0 }, 422, undefined, 'capacity'],
    [{ ...ok, kind: 'party' }, 422, 'invalid_kind', 'kind'],
    [{ ...ok, end: iso(start - HOUR) }, 422, 'invalid_range', 'end'],
    [{ ...ok, start: '明天下午' }, 422, 'invalid_time', 'start'],
    [{ ...ok, start: iso(Date.now() - HOUR), end: iso(Date.now() + HOUR) }, 422, 'in_past', 'start'],
    [{ ...ok, bogus: 1 }, 422, 'unknown_field', 'bogus'],
    [{ ...ok, title: undefined }, 422, 'missing_field', 'title'],
    [{ ...ok, age_min: 60, age_max: 10 }, 422, 'invalid_range', 'age_max'],
    [{ ...ok, tags: '老年人' }, 422, 'invalid_type', 'tags'],
    [{ ...ok, tags: [1] }, 422, 'invalid_type', 'tags[0]'],
    [{ ...ok, waitlist: 'no' }, 422, 'invalid_type', 'waitlist'],
    [{ ...ok, sessions: [{ start: iso(start), end: iso(start + HOUR) }, { start: iso(start + 30 * MIN), end: iso(start + 2 * HOUR) }] }, 422, 'sessions_overlap', 'sessions[1].start'],
    [{ ...ok, sessions: [{ start: iso(start), end: iso(start + 3 * HOUR) }] }, 422, 'outside_activity', 'sessions[0].start'],
    [{ ...ok, sessions: [{ start: iso(start) }] }, 422, 'missing_field', 'sessions[0].end'],
    [{ ...ok, signup_closes: iso(start + 3 * HOUR) }, 422, 'invalid_range', 'signup_closes'],
    [{ ...ok, room_id: 999999 }, 422, 'unknown_room', 'room_id'],
  ];
  for (const [body, status, code, field] of bad) {
    const r = await api('POST', '/api/v1/activities', 'staff', body);
    assert.equal(r.status, status, `${JSON.stringify(body)} → ${JSON.stringify(r.body)}`);
    if (code) assert.equal(r.body.error.code, code, JSON.stringify(r.body));
    assert.equal(r.body.error.field, field, JSON.stringify(r.body));
    assert.match(r.body.error.message, /[\u4e00-\u9fff]/);
  }
  expectError(await api('POST', '/api/v1/activities', 'staff', undefined, { raw: '{"title":', headers: { 'Content-Type': 'application/json' } }), 400, 'malformed_json');
  expectError(await api('POST', '/api/v1/activities', 'staff', [1, 2]), 400, 'expected_object');
  assert.equal((await api('POST', '/api/v1/activities', 'resident', ok)).status, 403);
  assert.equal((await api('POST', '/api/v1/activities', 'farstaff', ok)).status, 403, 'staff of another community');
  assert.equal(writes(), before, 'nothing written');

  const r = await api('POST', '/api/v1/activities', 'staff', {
    ...ok, title: '书法入门', body: '每周一节', place: '活动室', age_min: 50, tags: ['老年人'], waitlist: false,
    sessions: [{ start: iso(start), end: iso(start + HOUR) }, { start: iso(start + HOUR), end: iso(start + 2 * HOUR) }],
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.kind_label, '公益课程');
  assert.equal(r.body.sessions.length, 2);
  assert.ok(r.body.sessions[0].token && r.body.sessions[0].token !== r.body.sessions[1].token, 'a token per session');
  assert.deepEqual(r.body.tags, ['老年人']);
  assert.equal(r.body.age_min, 50);
  assert.equal(r.body.waitlist, false);
  assert.equal(r.body.status, 'upcoming');
  const g = await api('GET', `/api/v1/activities/${r.body.id}`, 'resident');
  assert.equal(g.status, 200);
  assert.equal(g.body.title, '书法入门');
  assert.equal((await api('GET', `/api/v1/activities/${r.body.id}`, 'farstaff')).status, 404, 'outside her scope');
  const from = iso(start).slice(0, 10);
  const l = await api('GET', `/api/v1/activities?kind=course&from=${from}&to=${from}`, 'staff');
  assert.ok(l.body.items.some((x) => x.id === r.body.id));
  const l2 = await api('GET', `/api/v1/activities?from=2000-01-01&to=2000-01-02`, 'staff');
  assert.equal(l2.body.total, 0);
  expectError(await api('GET', '/api/v1/activities?kind=party', 'staff'), 400, 'invalid_query', 'kind');
  expectError(await api('GET', '/api/v1/activities?from=yesterday', 'staff'), 400, 'invalid_query', 'from');
  const page = await api('GET', '/api/v1/activities?per_page=2&page=2', 'staff');
  assert.equal(page.body.items.length, 2);
  assert.ok(page.body.total > 4);
});

test('a function room is booked for each session; a taken room is 409 naming room_id and nothing is written', async () => {
  const room = Number(sql(`SELECT min(id) FROM room WHERE community = '${COMMUNITY}'`));
  const start = Math.ceil((Date.now() + 20 * DAY) / HOUR) * HOUR;
  const body = { community: COMMUNITY, title: '手工课', kind: 'course', start: iso(start), end: iso(start + 2 * HOUR), capacity: 8, room_id: room };
  const r = await api('POST', '/api/v1/activities', 'staff', body);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.room_id, room);
  const bid = r.body.sessions[0].booking_id;
  assert.ok(bid > 0);
  assert.equal(sql(`SELECT state || ',' || start_ms || ',' || end_ms FROM booking WHERE id = ${bid}`), `checked_in,${start},${start + 2 * HOUR}`,
    'held for the activity: the no-show sweep leaves it alone');
  const before = writes();
  expectError(await api('POST', '/api/v1/activities', 'staff', { ...body, start: iso(start + HOUR), end: iso(start + 3 * HOUR) }), 409, 'room_taken', 'room_id');
  assert.equal(writes(), before, 'neither the activity nor any booking written');
  // cancelling the activity frees the room
  const c = await api('POST', `/api/v1/activities/${r.body.id}/cancel`, 'staff', { reason: '老师生病' });
  assert.equal(c.status, 200, JSON.stringify(c.body));
  assert.equal(c.body.status, 'cancelled');
  assert.equal(sql(`SELECT state FROM booking WHERE id = ${bid}`), 'cancelled');
  const again = await api('POST', '/api/v1/activities', 'staff', body);
  assert.equal(again.status, 201, JSON.stringify(again.body));
});

test('edit: capacity never below the sign-ups; time and place are fixed; raising capacity promotes the waitlist', async () => {
  const a = await publish({ capacity: 2 });
  for (const u of users.slice(0, 3)) assert.equal((await signup(u, a.id)).status, 201);
  const before = writes();
  expectError(await api('PUT', `/api/v1/activities/${a.id}`, 'staff', { capacity: 1 }), 409, 'capacity_below_signups', 'capacity');
  expectError(await api('PUT', `/api/v1/activities/${a.id}`, 'staff', { start: iso(Date.now() + DAY) }), 422, 'not_editable', 'start');
  expectError(await api('PUT', `/api/v1/activities/${a.id}`, 'staff', { capacity: 'x' }), 422, 'invalid_type', 'capacity');
  assert.equal((await api('PUT', `/api/v1/activities/${a.id}`, users[0], { title: '改个名字' })).status, 403);
  assert.equal(writes(), before);
  const r = await api('PUT', `/api/v1/activities/${a.id}`, 'staff', { capacity: 3, title: '楼道清洁（加名额）' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.title, '楼道清洁（加名额）');
  assert.equal(r.body.taken, 3);
  assert.equal(r.body.waiting, 0);
  assert.equal(count(`SELECT count(*) FROM notice WHERE user_id = ${uid[users[2]]} AND kind = 'activity.promoted'`), 1);
});

test('sign-up: herself, a family member, twice, another household, age, window, full without waitlist', async () => {
  const a = await publish({ capacity: 5, age_min: 0, age_max: 120 });
  const r = await signup('resident', a.id);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.state, 'confirmed');
  assert.equal(r.body.waitlisted, false);
  assert.equal(r.body.resident_id, rid.resident);
  const before = writes();
  expectError(await signup('resident', a.id), 409, 'already_signed_up', 'resident_id');
  expectError(await signup('resident', a.id, { resident_id: rid[users[0]] }), 403, 'not_household', 'resident_id');
  expectError(await signup('resident', a.id, { resident_id: 'me' }), 422, 'invalid_type', 'resident_id');
  expectError(await signup('resident', a.id, { who: 1 }), 422, 'unknown_field', 'who');
  expectError(await api('POST', `/api/v1/activities/${a.id}/signups`, 'resident', undefined, { raw: 'x', headers: { 'Content-Type': 'application/json' } }), 400, 'malformed_json');
  assert.equal((await signup('staff', a.id)).status, 403, 'staff do not sign up');
  assert.equal(writes(), before);
  // a family member (a child of her household)
  const u = users[0];
  const kin = Number(sql(`SELECT min(id) FROM resident WHERE household_id = (SELECT household_id FROM resident WHERE id = ${rid[u]}) AND id <> ${rid[u]} AND status = 'active'`));
  assert.ok(kin > 0, 'the first accounts are of households of two or more');
  const f = await signup(u, a.id, { resident_id: kin });
  assert.equal(f.status, 201, JSON.stringify(f.body));
  assert.equal(f.body.resident_id, kin);
  const g = await api('GET', `/api/v1/activities/${a.id}`, u);
  assert.deepEqual(g.body.my_signups.map((x) => x.resident_id), [kin]);

  // age: a course for the old only
  const birth = sql(`SELECT birth_date FROM resident WHERE id = ${rid[users[1]]}`);
  const age = new Date(Date.now() + 8 * HOUR).getUTCFullYear() - Number(birth.slice(0, 4));
  const old = await publish({ age_min: age + 2 });
  const b2 = writes();
  const e = await signup(users[1], old.id);
  expectError(e, 422, 'audience_age', 'age_min');
  assert.match(e.body.error.message, new RegExp(`${age + 2} 岁及以上`));
  const young = await publish({ age_max: Math.max(0, age - 2) });
  expectError(await signup(users[1], young.id), 422, 'audience_age', 'age_max');
  assert.equal(writes().split(',').slice(1).join(), b2.split(',').slice(1).join(), 'no sign-up written');

  // the window
  const later = await publish({ signup_opens: iso(Date.now() + 5 * MIN) });
  expectError(await signup(users[1], later.id), 409, 'signup_closed', 'signup_opens');
  sql(`UPDATE activity SET signup_closes = ${Date.now() - MIN} WHERE id = ${later.id}`);
  sql(`UPDATE activity SET signup_opens = NULL WHERE id = ${later.id}`);
  expectError(await signup(users[1], later.id), 409, 'signup_closed', 'signup_closes');

  // full, and no waitlist
  const one = await publish({ capacity: 1, waitlist: false });
  assert.equal((await signup(users[1], one.id)).status, 201);
  const b3 = writes();
  expectError(await signup(users[2], one.id), 409, 'full');
  assert.equal(writes(), b3);
  assert.equal(count(`SELECT count(*) FROM activity_signup WHERE activity_id = ${one.id}`), 1);
  // a cancelled activity takes no sign-ups
  await api('POST', `/api/v1/activities/${one.id}/cancel`, 'staff', { reason: '下雨取消' });
  expectError(await signup(users[3], one.id), 409, 'cancelled');
  assert.equal(count(`SELECT count(*) FROM notice WHERE user_id = ${uid[users[1]]} AND kind = 'activity.cancelled'`), 1, 'the signed-up told');
});

test('waitlist: her place; a cancellation promotes the first automatically with a notice; no cancelling after the deadline', async () => {
  const a = await publish({ capacity: 1 });
  const [p, q, s] = users.slice(4, 7);
  assert.equal((await signup(p, a.id)).body.state, 'confirmed');
  const w1 = await signup(q, a.id);
  assert.equal(w1.status, 201);
  assert.equal(w1.body.waitlisted, true);
  assert.equal(w1.body.position, 1);
  const w2 = await signup(s, a.id);
  assert.equal(w2.body.position, 2);
  const c = await api('DELETE', `/api/v1/activities/${a.id}/signups/mine`, p);
  assert.equal(c.status, 200, JSON.stringify(c.body));
  assert.equal(c.body.state, 'cancelled');
  assert.equal(c.body.promoted, 1);
  assert.equal(sql(`SELECT state FROM activity_signup WHERE id = ${w1.body.id}`), 'confirmed');
  const n = await api('GET', '/api/v1/notices', q);
  assert.ok(n.body.items.some((x) => x.kind === 'activity.promoted' && x.link === `/activities/${a.id}`), JSON.stringify(n.body));
  const g = await api('GET', `/api/v1/activities/${a.id}`, s);
  assert.equal(g.body.my_signups[0].position, 1, 'she moved up');
  assert.equal(g.body.taken, 1);
  expectError(await api('DELETE', `/api/v1/activities/${a.id}/signups/mine`, p), 404, 'not_found');
  // another's sign-up by id: not hers
  assert.equal((await api('DELETE', `/api/v1/activities/${a.id}/signups/${w2.body.id}`, q)).status, 403);
  // after the deadline
  sql(`UPDATE activity SET cancel_until = ${Date.now() - MIN} WHERE id = ${a.id}`);
  const before = writes();
  expectError(await api('DELETE', `/api/v1/activities/${a.id}/signups/mine`, q), 409, 'cancel_closed', 'cancel_until');
  assert.equal(writes(), before);
  // staff may still take someone off, and the next moves up
  const st = await api('DELETE', `/api/v1/activities/${a.id}/signups/${w1.body.id}`, 'staff');
  assert.equal(st.status, 200, JSON.stringify(st.body));
  assert.equal(sql(`SELECT state FROM activity_signup WHERE id = ${w2.body.id}`), 'confirmed');
  const list = await api('GET', `/api/v1/activities/${a.id}/signups`, 'staff');
  assert.equal(list.status, 200);
  assert.deepEqual(list.body.signups.map((x) => x.state), ['confirmed', 'cancelled', 'cancelled']);
  assert.equal((await api('GET', `/api/v1/activities/${a.id}/signups`, q)).status, 403);
});

test('my activities: hers and her family\'s live sign-ups, waitlist place, status; not another household\'s, not cancelled ones', async () => {
  const her = users[103];
  const hh = (u) => sql(`SELECT household_id FROM resident WHERE id = ${rid[u]}`);
  const kin = Number(sql(`SELECT min(id) FROM resident WHERE household_id = ${hh(her)} AND id <> ${rid[her]} AND status = 'active'`));
  assert.ok(kin > 0, 'she has a family member');
  const other = users.slice(40, 100).find((u) => hh(u) !== hh(her));
  const a1 = await publish({ title: '我的活动一', capacity: 3 }, 60);
  const a2 = await publish({ title: '我的活动二', capacity: 1 }, 30);
  const a3 = await publish({ title: '我的活动三' }, 20);
  const a4 = await publish({ title: '我的活动四' }, 10);
  assert.equal((await signup(her, a1.id)).status, 201);
  assert.equal((await signup(her, a1.id, { resident_id: kin })).status, 201);
  assert.equal((await signup(other, a1.id)).status, 201);
  assert.equal((await signup(other, a2.id)).body.state, 'confirmed');
  const w = await signup(her, a2.id);
  assert.equal(w.body.position, 1);
  assert.equal((await signup(her, a3.id)).status, 201);
  assert.equal((await api('DELETE', `/api/v1/activities/${a3.id}/signups/mine`, her)).status, 200);
  assert.equal((await signup(her, a4.id)).status, 201);
  shift(a4.id, DAY);
  const sess = Number(sql(`SELECT id FROM activity_session WHERE activity_id = ${a4.id}`));
  sql(`INSERT INTO activity_attendance (session_id, resident_id, activity_id, in_at) VALUES (${sess}, ${rid[her]}, ${a4.id}, 1)`);

  const r = await api('GET', '/api/v1/activities/mine', her);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const ours = r.body.items.filter((x) => [a1.id, a2.id, a3.id, a4.id].includes(x.activity_id));
  assert.deepEqual(ours.map((x) => [x.activity_id, x.resident_id, x.state]), [
    [a2.id, rid[her], 'waitlisted'], // upcoming, soonest first
    [a1.id, rid[her], 'confirmed'],
    [a1.id, kin, 'confirmed'],
    [a4.id, rid[her], 'confirmed'], // then the ended one
  ], 'the cancelled one is gone and another household\'s is not hers');
  assert.equal(ours[0].position, 1);
  assert.equal(ours[1].position, null);
  assert.deepEqual(ours.map((x) => x.status), ['upcoming', 'upcoming', 'upcoming', 'ended']);
  assert.equal(ours[0].title, '我的活动二');
  assert.equal(ours[0].kind_label, '志愿服务');
  assert.equal(ours[2].resident_name, sql(`SELECT name FROM resident WHERE id = ${kin}`));
  assert.deepEqual(ours.map((x) => x.self), [true, true, false, true], 'her own, not her family member\'s');
  assert.equal(ours[3].attended, true);
  assert.equal(ours[1].attended, false);
  assert.equal(ours[3].rated, false);
  assert.equal(Date.parse(ours[1].cancel_until), Date.parse(a1.cancel_until));
  const o = await api('GET', '/api/v1/activities/mine', other);
  assert.deepEqual(o.body.items.filter((x) => [a1.id, a2.id].includes(x.activity_id)).map((x) => [x.activity_id, x.resident_id]),
    [[a2.id, rid[other]], [a1.id, rid[other]]], 'hers only: not her neighbour\'s');
  assert.equal((await api('GET', '/api/v1/activities/mine', 'staff')).status, 403);
  assert.equal((await srv.api('GET', '/api/v1/activities/mine')).status, 401);
  // a rating shows
  assert.equal((await api('POST', `/api/v1/activities/${a4.id}/ratings`, her, { score: 5 })).status, 201);
  const r2 = await api('GET', '/api/v1/activities/mine', her);
  assert.equal(r2.body.items.find((x) => x.activity_id === a4.id).rated, true);
});

/* 100 sign-ups at once, half through each server; returns the answers. */
async function race(id) {
  const who = users.slice(0, 100);
  return Promise.all(who.map((u, i) => signup(u, id, {}, i % 2 ? srv2 : srv)));
}

test('100 concurrent sign-ups for the last 5 places on two servers: exactly 5 confirmed, 95 waitlisted in order', async () => {
  srv2 = await serveAgain(srv);
  const a = await publish({ capacity: 8 });
  for (const u of users.slice(100, 103)) assert.equal((await signup(u, a.id)).body.state, 'confirmed');
  const rs = await race(a.id);
  assert.ok(rs.every((r) => r.status === 201), JSON.stringify(rs.filter((r) => r.status !== 201).map((r) => r.body)));
  assert.equal(rs.filter((r) => r.body.state === 'confirmed').length, 5);
  const waiting = rs.filter((r) => r.body.waitlisted);
  assert.equal(waiting.length, 95);
  assert.deepEqual(waiting.map((r) => r.body.position).sort((p, q) => p - q), Array.from({ length: 95 }, (_, i) => i + 1), 'places 1 … 95, each once');
  assert.equal(sql(`SELECT taken || ',' || capacity FROM activity WHERE id = ${a.id}`), '8,8');
  assert.equal(count(`SELECT count(*) FROM activity_signup WHERE activity_id = ${a.id} AND state = 'confirmed'`), 8);
});

test('100 concurrent sign-ups for 5 places without a waitlist: exactly 5 × 201, 95 × 409 full', async () => {
  const a = await publish({ capacity: 5, waitlist: false });
  const rs = await race(a.id);
  assert.equal(rs.filter((r) => r.status === 201).length, 5);
  assert.equal(rs.filter((r) => r.status === 409 && r.body.error.code === 'full').length, 95);
  assert.equal(count(`SELECT count(*) FROM activity_signup WHERE activity_id = ${a.id}`), 5);
  assert.equal(count(`SELECT taken FROM activity WHERE id = ${a.id}`), 5);
});

test('QR sign-in and sign-out with the session token; foreign, unknown and expired tokens; not signed up; walk-ins', async () => {
  const a = await publish({ capacity: 3 });
  const other = await publish({ capacity: 3 });
  const token = (await api('GET', `/api/v1/activities/${a.id}`, 'staff')).body.sessions[0].token;
  const foreign = (await api('GET', `/api/v1/activities/${other.id}`, 'staff')).body.sessions[0].token;
  const png = await api('GET', `/api/v1/activities/${a.id}/qr.png`, 'staff');
  assert.equal(png.status, 200);
  assert.equal(png.headers.get('content-type'), 'image/png');
  assert.equal(png.body.subarray(1, 4).toString(), 'PNG');
  assert.equal((await api('GET', `/api/v1/activities/${a.id}/qr.png`, users[10])).status, 403);
  expectError(await api('GET', `/api/v1/activities/${a.id}/qr.png?session=2`, 'staff'), 400, 'invalid_query', 'session');
  const u = users[10];
  assert.equal((await signup(u, a.id)).status, 201);
  const ck = (who, body, id = a.id) => api('POST', `/api/v1/activities/${id}/checkin`, who, body);
  const before = writes();
  expectError(await ck(u, { token: foreign, action: 'in' }), 422, 'bad_token', 'token');
  expectError(await ck(u, { token: 'nonsense', action: 'in' }), 422, 'bad_token', 'token');
  expectError(await ck(u, { token, action: 'dance' }), 422, 'invalid_action', 'action');
  expectError(await ck(u, { token, action: 'in', extra: 1 }), 422, 'unknown_field', 'extra');
  expectError(await ck(u, { token: 5, action: 'in' }), 422, 'invalid_type', 'token');
  expectError(await ck(users[11], { token, action: 'in' }), 403, 'not_signed_up');
  expectError(await ck(u, { token, action: 'out' }), 409, 'not_in', 'action');
  assert.equal(writes(), before, 'nothing written');
  const i = await ck(u, { token, action: 'in' });
  assert.equal(i.status, 200, JSON.stringify(i.body));
  assert.ok(i.body.in_at && i.body.out_at === null);
  expectError(await ck(u, { token, action: 'in' }), 409, 'already_in');
  const o = await ck(u, { token, action: 'out' });
  assert.equal(o.status, 200, JSON.stringify(o.body));
  assert.ok(o.body.out_at);
  expectError(await ck(u, { token, action: 'out' }), 409, 'already_out');
  // staff sign in a resident without a phone
  assert.equal((await signup(users[12], a.id)).status, 201);
  const s = await api('POST', `/api/v1/activities/${a.id}/attendance`, 'staff', { resident_id: rid[users[12]], action: 'in' });
  assert.equal(s.status, 200, JSON.stringify(s.body));
  expectError(await api('POST', `/api/v1/activities/${a.id}/attendance`, 'staff', { resident_id: rid[users[13]], action: 'in' }), 403, 'not_signed_up');
  expectError(await api('POST', `/api/v1/activities/${a.id}/attendance`, 'staff', { resident_id: 'x', action: 'in' }), 422, 'invalid_type', 'resident_id');
  assert.equal((await api('POST', `/api/v1/activities/${a.id}/attendance`, users[10], { resident_id: rid[users[12]], action: 'in' })).status, 403);
  const list = await api('GET', `/api/v1/activities/${a.id}/signups`, 'staff');
  assert.equal(list.body.attendance.length, 2);
  // a walk-in activity lets anyone of the community sign in
  const walk = await publish({ walk_in: true });
  const wt = (await api('GET', `/api/v1/activities/${walk.id}`, 'staff')).body.sessions[0].token;
  assert.equal((await ck(users[13], { token: wt, action: 'in' }, walk.id)).status, 200);
  // expired: the session ended long ago
  shift(a.id, 3 * HOUR);
  expectError(await ck(users[12], { token, action: 'out' }), 422, 'bad_token', 'token');
});

test('ratings: only attendees, after the start, once, 1-5', async () => {
  const a = await publish({ capacity: 3 });
  const token = (await api('GET', `/api/v1/activities/${a.id}`, 'staff')).body.sessions[0].token;
  const [u, v] = [users[20], users[21]];
  await signup(u, a.id);
  await signup(v, a.id);
  assert.equal((await api('POST', `/api/v1/activities/${a.id}/checkin`, u, { token, action: 'in' })).status, 200);
  expectError(await api('POST', `/api/v1/activities/${a.id}/ratings`, u, { score: 5 }), 409, 'not_started');
  shift(a.id, 15 * MIN);
  const before = writes();
  expectError(await api('POST', `/api/v1/activities/${a.id}/ratings`, v, { score: 5 }), 403, 'not_attended');
  expectError(await api('POST', `/api/v1/activities/${a.id}/ratings`, u, { score: 6 }), 422, undefined, 'score');
  expectError(await api('POST', `/api/v1/activities/${a.id}/ratings`, u, { score: '5' }), 422, 'invalid_type', 'score');
  expectError(await api('POST', `/api/v1/activities/${a.id}/ratings`, u, { score: 4, stars: 4 }), 422, 'unknown_field', 'stars');
  assert.equal(writes(), before);
  const r = await api('POST', `/api/v1/activities/${a.id}/ratings`, u, { score: 4, comment: '很好' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  expectError(await api('POST', `/api/v1/activities/${a.id}/ratings`, u, { score: 5 }), 409, 'already_rated');
  const g = await api('GET', `/api/v1/activities/${a.id}`, u);
  assert.equal(g.body.ratings, 1);
  assert.equal(g.body.rating_avg, 4);
});

test('no-shows: after the limit in the window (the community policy) sign-ups are refused; attendance clears it', async () => {
  expectError(await api('PUT', '/api/v1/activities/policy', 'staff', { community: COMMUNITY, no_show_limit: 0 }), 422, undefined, 'no_show_limit');
  assert.equal((await api('PUT', '/api/v1/activities/policy', 'resident', { community: COMMUNITY, no_show_limit: 2 })).status, 403);
  const p = await api('PUT', '/api/v1/activities/policy', 'staff', { community: COMMUNITY, no_show_limit: 2, window_days: 90, suspend_days: 30 });
  assert.equal(p.status, 200, JSON.stringify(p.body));
  assert.equal((await api('GET', `/api/v1/activities/policy?community=${COMMUNITY}`, 'staff')).body.no_show_limit, 2);
  const u = users[30];
  const missed = [];
  for (let i = 0; i < 2; i++) {
    const a = await publish();
    assert.equal((await signup(u, a.id)).status, 201);
    missed.push(a.id);
  }
  const next = await publish();
  shift(missed[0], 2 * DAY);
  assert.equal((await signup(u, next.id)).status, 201, 'one no-show is under the limit');
  await api('DELETE', `/api/v1/activities/${next.id}/signups/mine`, u);
  shift(missed[1], 2 * DAY);
  const before = writes();
  const r = await signup(u, next.id);
  expectError(r, 403, 'too_many_no_shows', 'resident_id');
  assert.equal(writes(), before);
  // attendance is what counts: a sign-in at one of them leaves one no-show
  const sess = Number(sql(`SELECT id FROM activity_session WHERE activity_id = ${missed[1]}`));
  sql(`INSERT INTO activity_attendance (session_id, resident_id, activity_id, in_at) VALUES (${sess}, ${rid[u]}, ${missed[1]}, 1)`);
  assert.equal((await signup(u, next.id)).status, 201);
  await api('PUT', '/api/v1/activities/policy', 'staff', { community: COMMUNITY, no_show_limit: 3, window_days: 90, suspend_days: 30 });
});

test('stats and the street: scope and bad ranges', async () => {
  const st = await api('GET', `/api/v1/activities/stats?community=${STREET}`, 'street');
  assert.equal(st.status, 200, JSON.stringify(st.body));
  assert.ok(st.body.by_kind.length >= 3 && st.body.by_kind.every((k) => k.kind_label));
  assert.equal(st.body.ratings.by_score.length, 5);
  assert.ok(st.body.repeat_participants <= st.body.participants);
  // reach: the street's residents by age band and building, and who of them came
  // (computed here on the rows themselves, ages in JavaScript)
  const from = Date.parse(st.body.from), to = Date.parse(st.body.to);
  const lastDay = new Date(to - 1 + 8 * HOUR).toISOString().slice(0, 10);
  const ageOn = (b) => {
    let y = Number(lastDay.slice(0, 4)) - Number(b.slice(0, 4));
    if (lastDay.slice(5) < b.slice(5)) y--;
    return y;
  };
  const rows = sql(`SELECT r.building_id, r.birth_date, CASE WHEN EXISTS (SELECT 1 FROM activity_attendance t JOIN activity a ON a.id = t.activity_id
      WHERE t.resident_id = r.id AND a.community LIKE '${STREET}%' AND a.start_at >= ${from} AND a.start_at < ${to}) THEN 1 ELSE 0 END
      FROM resident r WHERE r.community LIKE '${STREET}%' AND r.status = 'active'`).split('\n').map((l) => l.split('|'));
  const bands = [0, 0, 0, 0, 0].map(() => [0, 0]);
  const byB = new Map();
  for (const [b, birth, hit] of rows) {
    const age = ageOn(birth);
    const k = age >= 80 ? 4 : age >= 60 ? 3 : age >= 35 ? 2 : age >= 18 ? 1 : 0;
    bands[k][0]++;
    bands[k][1] += Number(hit);
    const x = byB.get(Number(b)) || [0, 0];
    x[0]++;
    x[1] += Number(hit);
    byB.set(Number(b), x);
  }
  assert.deepEqual(st.body.reach.by_age.map((x) => [x.residents, x.reached]), bands);
  assert.equal(st.body.reach.by_age[4].band, '80 岁及以上');
  assert.ok(bands.some(([, hit]) => hit > 0), 'the demo reached someone');
  assert.equal(st.body.reach.by_building.length, byB.size);
  for (const x of st.body.reach.by_building) {
    assert.deepEqual([x.residents, x.reached], byB.get(x.building_id), x.name);
    assert.ok(x.name && x.community.startsWith(STREET));
    assert.equal(x.rate, Math.floor((x.reached * 1000) / x.residents) / 1000);
  }
  expectError(await api('GET', '/api/v1/activities/stats?from=2026-02-30', 'staff'), 400, 'invalid_query', 'from');
  expectError(await api('GET', '/api/v1/activities/stats?from=2026-03-01&to=2026-01-01', 'staff'), 400, 'invalid_range', 'to');
  assert.equal((await api('GET', '/api/v1/activities/stats', 'resident')).status, 403);
  assert.equal((await api('GET', `/api/v1/activities/stats?community=${OTHER}`, 'staff')).status, 403);
});

test('a street\'s list, page by page, is upcoming soonest first then ended latest first, however far back they ended', async () => {
  /* ended ones a week, months, years back: the list widens its window of recent starts to fill a page */
  const backs = [2 * HOUR, 7 * DAY, 40 * DAY, 200 * DAY, 400 * DAY, 3 * 366 * DAY, 7 * 366 * DAY];
  for (const [i, back] of backs.entries()) {
    for (const community of [COMMUNITY, OTHER]) {
      const r = await api('POST', '/api/v1/activities', 'staff', {
        community: COMMUNITY, title: `往期活动${i}`, kind: i % 2 ? 'course' : 'volunteer',
        start: iso(Date.now() + 30 * MIN), end: iso(Date.now() + 90 * MIN), capacity: 10,
      });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      shift(r.body.id, back + 2 * HOUR);
      /* the staff publishes in her community only: the other community's by hand */
      if (community === OTHER) sql(`UPDATE activity SET community = '${OTHER}' WHERE id = ${r.body.id}`);
    }
  }
  for (let i = 0; i < 3; i++) await publish({ title: `将来活动${i}` }, 60 * (i + 1));
  /* the order, from the table itself; nothing ends within a minute of now */
  const now = Date.now();
  const rows = sql(`SELECT id, start_at, end_at, kind FROM activity WHERE community IN ('${COMMUNITY}', '${OTHER}')`)
    .split('\n').filter(Boolean).map((l) => l.split('|')).map(([id, s, e, k]) => ({ id: Number(id), s: Number(s), e: Number(e), k }));
  assert.ok(rows.every((x) => Math.abs(x.e - now) > MIN), 'no activity ends right now');
  const order = (xs) => [
    ...xs.filter((x) => x.e > now).sort((p, q) => p.s - q.s || p.id - q.id),
    ...xs.filter((x) => x.e <= now).sort((p, q) => q.s - p.s || p.id - q.id),
  ].map((x) => x.id);
  const walk = async (q, per) => {
    const ids = [];
    for (let page = 1; ; page++) {
      const r = await api('GET', `/api/v1/activities?community=${STREET}&per_page=${per}&page=${page}${q}`, 'street');
      assert.equal(r.status, 200, JSON.stringify(r.body));
      ids.push(...r.body.items.map((x) => x.id));
      if (r.body.items.length < per) return { ids, total: r.body.total };
    }
  };
  for (const per of [1, 4, 7, 50]) {
    const got = await walk('', per);
    assert.deepEqual(got.ids, order(rows), `per_page ${per}`);
    assert.equal(got.total, rows.length);
  }
  const courses = await walk('&kind=course', 3);
  assert.deepEqual(courses.ids, order(rows.filter((x) => x.k === 'course')));
  assert.equal(courses.total, rows.filter((x) => x.k === 'course').length);
});
