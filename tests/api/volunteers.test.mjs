// Volunteers and the service-hours ledger (issue 18): a resident registers
// herself, staff register a resident; teams with leads; posts (岗位) in
// activities whose number holds under concurrent sign-ups on two servers;
// a volunteer on a post who signs in and out gets a pending entry that her
// team's lead (or staff) confirms or rejects; corrections with a reason;
// the ledger is append-only (triggers) and every balance is the sum of its
// confirmed entries, also after randomized concurrent confirmations,
// rejections and corrections from two servers; the certificate PDF and its
// verification; totals by team, month and kind. Bad input gets a 4xx with a
// Chinese message naming the field, and writes nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, serveAgain, COMMUNITY, dbSql } from '../lib/server.mjs';

const OTHER = '310105004001';
const MIN = 60000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

let srv, srv2;
const tok = {};
const sql = (q) => dbSql(srv.db, q).trim();
const count = (q) => Number(sql(q));
const api = (method, p, who, body, s = srv) => s.api(method, p, { token: tok[who], body });

function iso(ms) {
  return new Date(ms + 8 * HOUR).toISOString().slice(0, 19) + '+08:00';
}

function expectError(r, status, code, field) {
  assert.equal(r.status, status, JSON.stringify(r.body));
  if (code !== undefined) assert.equal(r.body.error.code, code, JSON.stringify(r.body));
  if (field !== undefined) assert.equal(r.body.error.field, field, JSON.stringify(r.body));
  assert.match(r.body.error.message, /[\u4e00-\u9fff]/, 'the message is Chinese');
}

const ledgerRows = () => sql(`SELECT (SELECT count(*) FROM volunteer) || ',' || (SELECT count(*) FROM volunteer_hours) || ',' ||
  (SELECT coalesce(sum(minutes), 0) FROM volunteer) || ',' || (SELECT count(*) FROM volunteer_team_member) || ',' ||
  (SELECT coalesce(sum(taken), 0) FROM activity_post) || ',' || (SELECT count(*) FROM volunteer_hours WHERE state <> 'pending')`);

/* Every volunteer whose balance is not the sum of her confirmed entries (none, always). */
const unbalanced = () => sql(`SELECT v.id, v.minutes, coalesce((SELECT sum(h.minutes) FROM volunteer_hours h
  WHERE h.volunteer_id = v.id AND h.state = 'confirmed'), 0) AS s FROM volunteer v
  WHERE v.minutes <> coalesce((SELECT sum(h.minutes) FROM volunteer_hours h WHERE h.volunteer_id = v.id AND h.state = 'confirmed'), 0)`);

const N_USERS = 60;
let users = []; // vol0 …: residents of COMMUNITY with their own accounts, none a volunteer yet

before(async () => {
  srv = await startServer({ demo: true, residents: 3000 });
  for (const u of ['street', 'staff', 'resident', 'volunteer']) tok[u] = (await srv.login(u)).token;
  srv.linli(['user', 'add', '--db', srv.db, '--username', 'farstaff', '--password', 'linli2026', '--role', 'staff', '--scope', OTHER]);
  tok.farstaff = (await srv.login('farstaff')).token;
  sql(`INSERT INTO app_user (username, password_hash, role, scope, household_id, display_name, created_at, resident_id)
       SELECT 'vol' || r.id, (SELECT password_hash FROM app_user WHERE username = 'resident'), 'resident', r.community,
              r.household_id, r.name, 0, r.id
       FROM resident r WHERE r.community = '${COMMUNITY}' AND r.status = 'active'
         AND NOT EXISTS (SELECT 1 FROM app_user u WHERE u.resident_id = r.id OR u.household_id = r.household_id)
         AND NOT EXISTS (SELECT 1 FROM volunteer v WHERE v.resident_id = r.id)
       ORDER BY r.id DESC LIMIT ${N_USERS}`);
  users = sql(`SELECT username FROM app_user WHERE username LIKE 'vol%' AND username <> 'volunteer' ORDER BY id`).split('\n');
  assert.equal(users.length, N_USERS);
  for (let i = 0; i < users.length; i += 8)
    await Promise.all(users.slice(i, i + 8).map(async (u) => { tok[u] = (await srv.login(u)).token; }));
});

after(async () => {
  if (srv2) await srv2.stop();
  await srv.stop();
});

async function publish(extra = {}, inMin = 10, lengthMin = 120) {
  const start = Date.now() + inMin * MIN;
  const r = await api('POST', '/api/v1/activities', 'staff', {
    community: COMMUNITY, title: '志愿测试活动', kind: 'volunteer', start: iso(start), end: iso(start + lengthMin * MIN), capacity: 100, ...extra,
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}

async function register(u, body = { skills: ['repair'], availability: ['weekend_morning'] }) {
  const r = await api('POST', '/api/v1/volunteers/me', u, body);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}

test('the demo: volunteers with masked phones, teams with leads, hours that add up, pending ones, a correction', async () => {
  const r = await api('GET', `/api/v1/volunteers?community=${COMMUNITY}&per_page=100`, 'staff');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.ok(r.body.total >= 18 && r.body.items.length === r.body.total, JSON.stringify(r.body.total));
  assert.ok(r.body.items.some((v) => v.phone), 'phones shown');
  assert.ok(r.body.items.every((v) => v.phone === null || /^\d{3}\*{4}\d{4}$|\*{4}/.test(v.phone)), 'phones are masked in the list');
  assert.ok(r.body.items.every((v) => !/\d{11}/.test(v.phone ?? '')), 'no whole phone number');
  assert.ok(r.body.items.some((v) => v.minutes > 600), 'months of hours');
  const t = await api('GET', `/api/v1/volunteers/teams?community=${COMMUNITY}`, 'staff');
  assert.deepEqual(t.body.items.map((x) => x.name).sort(), ['垃圾分类督导队', '红旗手志愿队', '楼组长队'].sort());
  assert.ok(t.body.items.every((x) => x.leads.length >= 1 && x.members >= 5));
  assert.equal(unbalanced(), '');
  assert.ok(count(`SELECT count(*) FROM volunteer_hours WHERE state = 'pending'`) >= 5);
  assert.equal(count(`SELECT count(*) FROM volunteer_hours WHERE source = 'correction'`), 1);
  // filters: team, skill, text
  const team = t.body.items[0];
  const byTeam = await api('GET', `/api/v1/volunteers?community=${COMMUNITY}&team=${team.id}`, 'staff');
  assert.equal(byTeam.body.total, team.members);
  assert.ok(byTeam.body.items.every((v) => v.teams.some((x) => x.id === team.id)));
  const bySkill = await api('GET', `/api/v1/volunteers?community=${COMMUNITY}&skill=sorting`, 'staff');
  assert.ok(bySkill.body.total > 0 && bySkill.body.items.every((v) => v.skills.includes('sorting')));
  const name = r.body.items[3].name;
  const byName = await api('GET', `/api/v1/volunteers?community=${COMMUNITY}&q=${encodeURIComponent(name)}`, 'staff');
  assert.ok(byName.body.items.length >= 1 && byName.body.items.every((v) => v.name.includes(name)));
  expectError(await api('GET', `/api/v1/volunteers?community=${COMMUNITY}&skill=flying`, 'staff'), 400, 'invalid_query', 'skill');
  // a resident does not list volunteers; another community's staff sees none of ours
  assert.equal((await api('GET', '/api/v1/volunteers', 'resident')).status, 403);
  expectError(await api('GET', `/api/v1/volunteers?community=${COMMUNITY}`, 'farstaff'), 403);
  const far = await api('GET', `/api/v1/volunteers/${r.body.items[0].id}`, 'farstaff');
  assert.equal(far.status, 404);
  // the demo resident is a volunteer with a ledger; the "volunteer" account leads a team
  const me = await api('GET', '/api/v1/volunteers/me', 'volunteer');
  assert.ok(me.body.volunteer.id && me.body.leads.length === 1 && me.body.leads[0].members.length >= 3);
  const hrs = await api('GET', '/api/v1/volunteers/me/hours', 'resident');
  assert.ok(hrs.body.items.length > 0);
  const sum = hrs.body.items.filter((x) => x.state === 'confirmed').reduce((s, x) => s + x.minutes, 0);
  assert.equal(sum, hrs.body.volunteer.minutes);
});

test('a resident registers herself; bad bodies are 4xx naming the field and write nothing', async () => {
  const u = users[0];
  assert.deepEqual((await api('GET', '/api/v1/volunteers/me', u)).body, { volunteer: null, leads: [] });
  const opts = await api('GET', '/api/v1/volunteers/options', u);
  assert.ok(opts.body.skills.some((s) => s.code === 'repair' && s.label === '家电维修'));
  assert.ok(opts.body.availability.some((s) => s.code === 'weekend_morning' && s.label === '周末上午'));
  const before = ledgerRows();
  const bad = [
    [{ skills: ['repair'], age: 3 }, 422, 'unknown_field', 'age'],
    [{ skills: 'repair' }, 422, 'invalid_type', 'skills'],
    [{ skills: [3] }, 422, 'invalid_type', 'skills[0]'],
    [{ skills: ['repair', 'flying'] }, 422, 'unknown_code', 'skills[1]'],
    [{ skills: ['repair', 'repair'] }, 422, 'duplicate', 'skills[1]'],
    [{ availability: ['midnight'] }, 422, 'unknown_code', 'availability[0]'],
    [{ skills_other: 12 }, 422, 'invalid_type', 'skills_other'],
    [{ skills_other: 'x'.repeat(201) }, 422, undefined, 'skills_other'],
  ];
  for (const [body, status, code, field] of bad) expectError(await api('POST', '/api/v1/volunteers/me', u, body), status, code, field);
  const raw = await srv.api('POST', '/api/v1/volunteers/me', { token: tok[u], raw: '{"skills": [', headers: { 'Content-Type': 'application/json' } });
  assert.equal(raw.status, 400);
  assert.equal(ledgerRows(), before, 'nothing written');
  const v = await register(u, { skills: ['repair', 'digital'], skills_other: '会修自行车', availability: ['weekday_evening'] });
  assert.equal(v.status, 'active');
  assert.deepEqual(v.skills, ['repair', 'digital']);
  assert.equal(v.minutes, 0);
  assert.match(v.phone, /^\d{3}\*{4}\d{4}$/);
  expectError(await api('POST', '/api/v1/volunteers/me', u, {}), 409, 'already_registered');
  const p = await api('PUT', '/api/v1/volunteers/me', u, { status: 'paused' });
  assert.equal(p.body.status, 'paused');
  expectError(await api('PUT', '/api/v1/volunteers/me', u, { status: 'gone' }), 422, 'invalid_status', 'status');
  assert.equal((await api('PUT', '/api/v1/volunteers/me', u, { status: 'active' })).body.status, 'active');
  // staff are not volunteers themselves
  assert.equal((await api('POST', '/api/v1/volunteers/me', 'staff', {})).status, 403);
});

test('staff register a resident of their community; others may not', async () => {
  const rid = count(`SELECT resident_id FROM app_user WHERE username = '${users[1]}'`);
  const before = ledgerRows();
  expectError(await api('POST', '/api/v1/volunteers', 'staff', { resident_id: '12' }), 422, 'invalid_type', 'resident_id');
  expectError(await api('POST', '/api/v1/volunteers', 'staff', { resident_id: 99999999 }), 422, 'unknown_resident', 'resident_id');
  expectError(await api('POST', '/api/v1/volunteers', 'farstaff', { resident_id: rid }), 422, 'unknown_resident', 'resident_id');
  expectError(await api('POST', '/api/v1/volunteers', 'street', { resident_id: rid }), 403);
  assert.equal(ledgerRows(), before);
  const r = await api('POST', '/api/v1/volunteers', 'staff', { resident_id: rid, skills: ['haircut'] });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.resident_id, rid);
  assert.equal(count(`SELECT count(*) FROM audit WHERE action = 'volunteer.create' AND object_id = ${r.body.id}`), 1);
  expectError(await api('POST', '/api/v1/volunteers', 'staff', { resident_id: rid }), 409, 'already_registered', 'resident_id');
  // she sees herself as a volunteer now
  assert.equal((await api('GET', '/api/v1/volunteers/me', users[1])).body.volunteer.id, r.body.id);
  // staff pause her
  assert.equal((await api('PUT', `/api/v1/volunteers/${r.body.id}`, 'staff', { status: 'paused' })).body.status, 'paused');
  assert.equal((await api('PUT', `/api/v1/volunteers/${r.body.id}`, 'staff', { status: 'active' })).body.status, 'active');
  // another resident does not see her
  assert.equal((await api('GET', `/api/v1/volunteers/${r.body.id}`, users[2])).status, 404);
});

let teamId, leadVol, memberVol, outsiderVol;

test('teams: staff create them and set members and leads; a lead sees her team, others do not', async () => {
  leadVol = (await register(users[2])).id;
  memberVol = (await register(users[3])).id;
  outsiderVol = (await register(users[4])).id;
  const c = await api('POST', '/api/v1/volunteers/teams', 'staff', { community: COMMUNITY, name: '测试志愿队', description: '测试' });
  assert.equal(c.status, 201, JSON.stringify(c.body));
  teamId = c.body.id;
  expectError(await api('POST', '/api/v1/volunteers/teams', 'staff', { community: COMMUNITY, name: '测试志愿队' }), 409, 'team_exists', 'name');
  expectError(await api('POST', '/api/v1/volunteers/teams', 'staff', { community: COMMUNITY, name: '' }), 422, undefined, 'name');
  expectError(await api('POST', '/api/v1/volunteers/teams', 'staff', { community: COMMUNITY, name: '甲', leader: 1 }), 422, 'unknown_field', 'leader');
  expectError(await api('POST', '/api/v1/volunteers/teams', 'farstaff', { community: COMMUNITY, name: '乙' }), 403);
  let t = await api('PUT', `/api/v1/volunteers/teams/${teamId}/members/${leadVol}`, 'staff', { lead: true });
  assert.equal(t.status, 200, JSON.stringify(t.body));
  t = await api('PUT', `/api/v1/volunteers/teams/${teamId}/members/${memberVol}`, 'staff', {});
  assert.deepEqual(t.body.members.map((m) => [m.id, m.lead]), [[leadVol, true], [memberVol, false]]);
  expectError(await api('PUT', `/api/v1/volunteers/teams/${teamId}/members/${outsiderVol}`, 'staff', { lead: 'yes' }), 422, 'invalid_type', 'lead');
  assert.equal((await api('PUT', `/api/v1/volunteers/teams/${teamId}/members/${outsiderVol}`, users[2], {})).status, 403);
  assert.deepEqual(t.body.leads.map((l) => l.id), [leadVol]);
  const mine = await api('GET', '/api/v1/volunteers/me', users[2]);
  assert.deepEqual(mine.body.leads.map((x) => x.id), [teamId]);
  assert.equal((await api('GET', `/api/v1/volunteers/teams/${teamId}`, users[2])).status, 200);
  assert.equal((await api('GET', `/api/v1/volunteers/teams/${teamId}`, users[3])).status, 404, 'a member who leads nothing');
  // the lead sees her member's ledger, not an outsider's
  assert.equal((await api('GET', `/api/v1/volunteers/${memberVol}/hours`, users[2])).status, 200);
  assert.equal((await api('GET', `/api/v1/volunteers/${outsiderVol}/hours`, users[2])).status, 404);
  // remove and add back
  assert.equal((await api('DELETE', `/api/v1/volunteers/teams/${teamId}/members/${outsiderVol}`, 'staff')).status, 404);
});

test('posts: staff add them; volunteers take one, never more than needed; staff assign', async () => {
  const a = await publish();
  const before = ledgerRows();
  expectError(await api('POST', `/api/v1/activities/${a.id}/posts`, 'staff', { name: '引导', needed: 0 }), 422, undefined, 'needed');
  expectError(await api('POST', `/api/v1/activities/${a.id}/posts`, 'staff', { name: '引导', needed: '2' }), 422, 'invalid_type', 'needed');
  expectError(await api('POST', `/api/v1/activities/${a.id}/posts`, 'staff', { name: '引导', needed: 2, pay: 1 }), 422, 'unknown_field', 'pay');
  expectError(await api('POST', `/api/v1/activities/${a.id}/posts`, users[2], { name: '引导', needed: 2 }), 403);
  assert.equal(ledgerRows(), before);
  const p = await api('POST', `/api/v1/activities/${a.id}/posts`, 'staff', { name: '引导', needed: 2 });
  assert.equal(p.status, 201, JSON.stringify(p.body));
  const post = p.body.items[0];
  expectError(await api('POST', `/api/v1/activities/${a.id}/posts`, 'staff', { name: '引导', needed: 2 }), 409, 'post_exists', 'name');
  const take = (who, body) => api('POST', `/api/v1/activities/${a.id}/posts/${post.id}/volunteers`, who, body);
  expectError(await take(users[10]), 403, 'not_volunteer');
  assert.equal((await take(users[2])).status, 201);
  expectError(await take(users[2]), 409, 'already_on_post');
  expectError(await take(users[3], { volunteer_id: outsiderVol }), 403);
  const s = await take('staff', { volunteer_id: memberVol });
  assert.equal(s.status, 201, JSON.stringify(s.body));
  assert.deepEqual(s.body.items[0].volunteers.map((v) => v.volunteer_id).sort(), [leadVol, memberVol].sort());
  expectError(await take(users[4]), 409, 'full', 'post_id');
  expectError(await api('PUT', `/api/v1/activities/${a.id}/posts/${post.id}`, 'staff', { needed: 1 }), 409, 'below_taken', 'needed');
  expectError(await api('DELETE', `/api/v1/activities/${a.id}/posts/${post.id}`, 'staff'), 409, 'post_taken');
  // a resident sees the posts with hers marked
  const seen = await api('GET', `/api/v1/activities/${a.id}/posts`, users[2]);
  assert.equal(seen.body.items[0].mine, true);
  assert.equal(seen.body.items[0].volunteers, undefined, 'names are for staff');
  const open = await api('GET', '/api/v1/volunteers/posts', users[4]);
  assert.ok(open.body.items.some((x) => x.id === post.id && x.taken === 2 && x.needed === 2));
  // leaving frees the place
  expectError(await api('DELETE', `/api/v1/activities/${a.id}/posts/${post.id}/volunteers/${leadVol}`, users[3]), 403);
  assert.equal((await api('DELETE', `/api/v1/activities/${a.id}/posts/${post.id}/volunteers/${memberVol}`, users[3])).status, 200);
  assert.equal(count(`SELECT taken FROM activity_post WHERE id = ${post.id}`), 1);
  assert.equal((await take(users[3])).status, 201);
});

test('40 concurrent volunteers for a post of 5 on two servers: exactly 5 take it', async () => {
  srv2 = await serveAgain(srv);
  const who = users.slice(20, 60);
  for (let i = 0; i < who.length; i += 8) await Promise.all(who.slice(i, i + 8).map((u) => register(u)));
  const a = await publish();
  const p = await api('POST', `/api/v1/activities/${a.id}/posts`, 'staff', { name: '秩序维护', needed: 5 });
  const post = p.body.items[0];
  const rs = await Promise.all(who.map((u, i) => api('POST', `/api/v1/activities/${a.id}/posts/${post.id}/volunteers`, u, undefined, i % 2 ? srv2 : srv)));
  assert.equal(rs.filter((r) => r.status === 201).length, 5, JSON.stringify(rs.filter((r) => r.status !== 201 && r.status !== 409).map((r) => r.body)));
  assert.equal(rs.filter((r) => r.status === 409 && r.body.error.code === 'full').length, 35);
  assert.equal(count(`SELECT taken FROM activity_post WHERE id = ${post.id}`), 5);
  assert.equal(count(`SELECT count(*) FROM activity_post_volunteer WHERE post_id = ${post.id}`), 5);
});

test('sign-in and sign-out on a post make a pending entry; the lead confirms, not a member or herself; rejects need a note', async () => {
  const a = await publish();
  const post = (await api('POST', `/api/v1/activities/${a.id}/posts`, 'staff', { name: '服务', needed: 5 })).body.items[0];
  for (const u of [users[2], users[3], users[4]]) {
    if (u !== users[4]) assert.equal((await api('POST', `/api/v1/activities/${a.id}/signups`, u, {})).status, 201);
    assert.equal((await api('POST', `/api/v1/activities/${a.id}/posts/${post.id}/volunteers`, u)).status, 201);
  }
  const token = (await api('GET', `/api/v1/activities/${a.id}`, 'staff')).body.sessions[0].token;
  // a volunteer on a post signs in without a sign-up (users[4]); someone with neither may not
  expectError(await api('POST', `/api/v1/activities/${a.id}/checkin`, users[10], { token, action: 'in' }), 403, 'not_signed_up');
  for (const u of [users[2], users[3], users[4]]) {
    assert.equal((await api('POST', `/api/v1/activities/${a.id}/checkin`, u, { token, action: 'in' })).status, 200);
  }
  // as if they came 90 minutes ago
  sql(`UPDATE activity_attendance SET in_at = in_at - ${90 * MIN} WHERE activity_id = ${a.id}`);
  assert.equal(count(`SELECT count(*) FROM volunteer_hours WHERE activity_id = ${a.id}`), 0, 'nothing before sign-out');
  for (const u of [users[2], users[3], users[4]]) {
    assert.equal((await api('POST', `/api/v1/activities/${a.id}/checkin`, u, { token, action: 'out' })).status, 200);
  }
  const entries = sql(`SELECT volunteer_id || ':' || minutes || ':' || state FROM volunteer_hours WHERE activity_id = ${a.id} ORDER BY volunteer_id`).split('\n');
  assert.deepEqual(entries, [leadVol, memberVol, outsiderVol].sort((x, y) => x - y).map((v) => `${v}:90:pending`));
  const entryOf = (v) => count(`SELECT id FROM volunteer_hours WHERE activity_id = ${a.id} AND volunteer_id = ${v}`);
  // the lead's queue: her member's entry, not her own nor the outsider's
  const q = await api('GET', '/api/v1/volunteers/hours?state=pending', users[2]);
  assert.deepEqual(q.body.items.map((x) => x.volunteer_id), [memberVol]);
  expectError(await api('POST', `/api/v1/volunteers/hours/${entryOf(leadVol)}/confirm`, users[2]), 403);
  expectError(await api('POST', `/api/v1/volunteers/hours/${entryOf(outsiderVol)}/confirm`, users[2]), 403);
  expectError(await api('POST', `/api/v1/volunteers/hours/${entryOf(leadVol)}/confirm`, users[3]), 403, undefined, undefined);
  const before = ledgerRows();
  expectError(await api('POST', `/api/v1/volunteers/hours/${entryOf(memberVol)}/confirm`, users[2], { note: 1 }), 422, 'invalid_type', 'note');
  expectError(await api('POST', `/api/v1/volunteers/hours/${entryOf(memberVol)}/reject`, users[2], {}), 422, undefined, 'note');
  assert.equal(ledgerRows(), before);
  const ok = await api('POST', `/api/v1/volunteers/hours/${entryOf(memberVol)}/confirm`, users[2]);
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.equal(ok.body.volunteer.minutes, 90);
  // confirmed hours earn points by the community's rule (1.5 hours, rounded down), once
  const pointsOf = (entry) => sql(`SELECT rule || ':' || delta FROM points_entry WHERE ref_kind = 'volunteer_hours' AND ref_id = ${entry}`);
  const [rate, cap] = sql(`SELECT coalesce((SELECT points FROM points_rule WHERE community = '${COMMUNITY}' AND rule = 'volunteer_hour'), 10)
    || '|' || coalesce((SELECT yearly_cap FROM points_rule WHERE community = '${COMMUNITY}' AND rule = 'volunteer_hour'), 0)`).split('|').map(Number);
  assert.ok(rate > 0 && (cap === 0 || cap >= Math.floor(1.5 * rate)), 'the rule awards something here');
  assert.equal(pointsOf(entryOf(memberVol)), `volunteer_hour:${Math.floor(1.5 * rate)}`);
  expectError(await api('POST', `/api/v1/volunteers/hours/${entryOf(memberVol)}/confirm`, users[2]), 409, 'already_reviewed');
  assert.equal(pointsOf(entryOf(memberVol)), `volunteer_hour:${Math.floor(1.5 * rate)}`, 'awarded once');
  expectError(await api('POST', `/api/v1/volunteers/hours/${entryOf(memberVol)}/reject`, 'staff', { note: '重复' }), 409, 'already_reviewed');
  // staff review anyone of the community
  const rj = await api('POST', `/api/v1/volunteers/hours/${entryOf(outsiderVol)}/reject`, 'staff', { note: '未在岗' });
  assert.equal(rj.status, 200);
  assert.equal(rj.body.volunteer.minutes, 0);
  assert.equal(rj.body.items[0].review_note, '未在岗');
  assert.equal(pointsOf(entryOf(outsiderVol)), '', 'rejected hours earn nothing');
  expectError(await api('POST', `/api/v1/volunteers/hours/${entryOf(leadVol)}/confirm`, 'farstaff'), 404);
  assert.equal((await api('POST', `/api/v1/volunteers/hours/${entryOf(leadVol)}/confirm`, 'staff')).status, 200);
  assert.equal(count(`SELECT count(*) FROM audit WHERE action = 'volunteer.hours_confirm'`), 2);
  assert.equal(unbalanced(), '');
});

test('corrections: a reason is required; one that would make the balance negative is 409; the ledger is append-only', async () => {
  const before = ledgerRows();
  const corr = (who, body, v = memberVol) => api('POST', `/api/v1/volunteers/${v}/corrections`, who, body);
  expectError(await corr('staff', { minutes: 30 }), 422, undefined, 'reason');
  expectError(await corr('staff', { minutes: 30, reason: '' }), 422, undefined, 'reason');
  expectError(await corr('staff', { minutes: '30', reason: '补录' }), 422, 'invalid_type', 'minutes');
  expectError(await corr('staff', { minutes: 0, reason: '补录' }), 422, 'zero', 'minutes');
  expectError(await corr('staff', { minutes: 30, reason: '补录', why: 1 }), 422, 'unknown_field', 'why');
  expectError(await corr('staff', { minutes: 30, reason: '补录', kind: 'party' }), 422, 'invalid_kind', 'kind');
  expectError(await corr('staff', { minutes: 30, reason: '补录', corrects_id: 999999 }), 422, 'unknown_entry', 'corrects_id');
  expectError(await corr('staff', { minutes: -91, reason: '多记了' }), 409, 'negative_balance', 'minutes');
  expectError(await corr(users[3], { minutes: 30, reason: '给自己补录' }), 403);
  expectError(await corr(users[4], { minutes: 30, reason: '补录' }), 404, undefined, 'id');
  assert.equal(ledgerRows(), before, 'nothing written');
  const c = await corr(users[2], { minutes: -30, reason: '签退晚了半小时' });
  assert.equal(c.status, 201, JSON.stringify(c.body));
  assert.equal(c.body.volunteer.minutes, 60);
  assert.equal(c.body.items[0].source, 'correction');
  assert.equal(c.body.items[0].reason, '签退晚了半小时');
  assert.ok(c.body.items[0].created_by_name);
  assert.equal(unbalanced(), '');
  // the database refuses changes of minutes and deletions, whoever tries
  const id = c.body.items[0].id;
  assert.throws(() => sql(`UPDATE volunteer_hours SET minutes = 999 WHERE id = ${id}`));
  assert.throws(() => sql(`DELETE FROM volunteer_hours WHERE id = ${id}`));
  const pending = count(`SELECT min(id) FROM volunteer_hours WHERE state = 'confirmed' AND source = 'attendance'`);
  assert.throws(() => sql(`UPDATE volunteer_hours SET state = 'rejected', reviewed_by = 1, reviewed_at = 1 WHERE id = ${pending}`), 'a review happens once');
  assert.throws(() => sql(`UPDATE volunteer SET minutes = -5 WHERE id = ${memberVol}`), 'the balance never goes negative');
  assert.equal(count(`SELECT minutes FROM volunteer_hours WHERE id = ${id}`), -30);
});

test('a ledger of years is paged, never cut: total, pages newest first, her own too; bad paging is a 400', async () => {
  for (let i = 0; i < 130; i++) {
    const r = await api('POST', `/api/v1/volunteers/${memberVol}/corrections`, 'staff', { minutes: i % 2 ? -30 : 30, reason: `补录 ${i}` });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }
  const ids = sql(`SELECT id FROM volunteer_hours WHERE volunteer_id = ${memberVol} ORDER BY id DESC`).split('\n').map(Number);
  assert.ok(ids.length > 130);
  const whole = await api('GET', `/api/v1/volunteers/${memberVol}/hours`, 'staff');
  assert.equal(whole.body.total, ids.length);
  assert.deepEqual(whole.body.items.map((x) => x.id), ids.slice(0, 500));
  const seen = [];
  for (let page = 1; page <= Math.ceil(ids.length / 50); page++) {
    const r = await api('GET', `/api/v1/volunteers/${memberVol}/hours?page=${page}&per_page=50`, 'staff');
    assert.equal(r.status, 200);
    assert.equal(r.body.total, ids.length);
    assert.equal(r.body.page, page);
    seen.push(...r.body.items.map((x) => x.id));
  }
  assert.deepEqual(seen, ids, 'every entry once, newest first');
  const mine = await api('GET', '/api/v1/volunteers/me/hours?page=2&per_page=50', users[3]);
  assert.equal(mine.status, 200, JSON.stringify(mine.body));
  assert.deepEqual(mine.body.items.map((x) => x.id), ids.slice(50, 100), 'users[3] is memberVol');
  expectError(await api('GET', `/api/v1/volunteers/${memberVol}/hours?per_page=0`, 'staff'), 400, undefined, 'per_page');
  expectError(await api('GET', `/api/v1/volunteers/${memberVol}/hours?per_page=501`, 'staff'), 400, undefined, 'per_page');
  expectError(await api('GET', `/api/v1/volunteers/${memberVol}/hours?page=x`, 'staff'), 400, undefined, 'page');
  assert.equal(unbalanced(), '');
});

test('randomized concurrent confirmations, rejections and corrections on two servers: every balance is the sum of its confirmed entries', async () => {
  // 12 volunteers, each with 6 pending entries of a course's sessions
  const vols = users.slice(20, 32);
  const ids = sql(`SELECT v.id FROM volunteer v JOIN app_user u ON u.resident_id = v.resident_id
    WHERE u.username IN (${vols.map((u) => `'${u}'`).join(', ')}) ORDER BY v.id`).split('\n').map(Number);
  assert.equal(ids.length, vols.length);
  const t0 = Date.now() + DAY;
  const a = await publish({ kind: 'course', start: iso(t0), end: iso(t0 + 5 * DAY + HOUR),
    sessions: Array.from({ length: 6 }, (_, k) => ({ start: iso(t0 + k * DAY), end: iso(t0 + k * DAY + HOUR) })) });
  /* in one statement: the servers close connections idle for 30 s, and many psql runs on a loaded machine take that long */
  sql(`INSERT INTO volunteer_hours (volunteer_id, community, source, activity_id, session_id, kind, served_at, minutes, state, created_at)
       SELECT v.id, '${COMMUNITY}', 'attendance', ${a.id}, s.id, 'course', ${Date.now()}, 30 + ((v.id * 7 + s.id) % 60), 'pending', 0
       FROM volunteer v, activity_session s WHERE v.id IN (${ids.join(', ')}) AND s.activity_id = ${a.id}`);
  const entries = sql(`SELECT id FROM volunteer_hours WHERE activity_id = ${a.id}`).split('\n').map(Number);
  assert.equal(entries.length, 12 * 6);
  /*
   * mulberry32, seeded: the operations are the same every run. (An LCG's
   * low bit alternates: its rnd(2) made every correction negative, so
   * whether any succeeded hung on which confirmations landed first.)
   * Some corrections add minutes and always succeed; double reviews across
   * waves always conflict: the mix does not depend on timing.
   */
  let seed = 18;
  const rnd = (n) => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) % n;
  };
  const rs = [];
  /*
   * 8 waves of 24 at once, 12 on each server: each server has 2 threads and
   * closes a connection idle for 30 s, which a queue of 30 requests under
   * the sanitizers on a loaded machine can reach
   */
  for (let wave = 0; wave < 8; wave++) {
    const ops = [];
    for (let i = 0; i < 24; i++) {
      const k = rnd(10);
      const s = i % 2 ? srv2 : srv;
      if (k < 5) ops.push(api('POST', `/api/v1/volunteers/hours/${entries[rnd(entries.length)]}/confirm`, 'staff', undefined, s));
      else if (k < 7) ops.push(api('POST', `/api/v1/volunteers/hours/${entries[rnd(entries.length)]}/reject`, 'staff', { note: '核对不符' }, s));
      else ops.push(api('POST', `/api/v1/volunteers/${ids[rnd(ids.length)]}/corrections`, 'staff', { minutes: rnd(2) ? 20 + rnd(40) : -(20 + rnd(200)), reason: '随机更正' }, s));
    }
    rs.push(...await Promise.all(ops));
  }
  const odd = rs.filter((r) => ![200, 201, 409].includes(r.status));
  assert.deepEqual(odd.map((r) => [r.status, r.body]), [], 'only successes and conflicts');
  const conflicts = rs.filter((r) => r.status === 409).map((r) => r.body.error.code);
  assert.ok(conflicts.every((c) => c === 'already_reviewed' || c === 'negative_balance'), JSON.stringify(conflicts));
  assert.ok(conflicts.includes('already_reviewed'), 'double reviews were tried');
  assert.ok(rs.some((r) => r.status === 201), 'corrections were made');
  assert.equal(unbalanced(), '', 'sum of confirmed entries = balance, for every volunteer');
  assert.equal(count(`SELECT count(*) FROM volunteer WHERE minutes < 0`), 0);
  const reviewed = rs.filter((r, i) => r.status === 200).length;
  assert.equal(count(`SELECT count(*) FROM volunteer_hours WHERE activity_id = ${a.id} AND state <> 'pending'`), reviewed, 'each review took once');
  const corrections = rs.filter((r) => r.status === 201).length;
  assert.equal(count(`SELECT count(*) FROM volunteer_hours WHERE source = 'correction' AND reason = '随机更正'`), corrections);
});

test('the certificate: her own PDF, staff any in scope (audited), and its code verifies the totals', async () => {
  const c = await api('GET', '/api/v1/volunteers/me/certificate', 'resident');
  assert.equal(c.status, 200);
  assert.equal(c.headers.get('content-type'), 'application/pdf');
  assert.equal(c.body.subarray(0, 5).toString(), '%PDF-');
  const code = c.headers.get('x-certificate-code');
  assert.match(code, /^[A-Za-z0-9_-]{16}$/);
  const me = (await api('GET', '/api/v1/volunteers/me', 'resident')).body.volunteer;
  const v = await srv.api('GET', `/api/v1/volunteers/certificates/${code}`);
  assert.equal(v.status, 200, 'public, no session');
  assert.equal(v.body.minutes, me.minutes);
  assert.equal(v.body.totals.reduce((s, x) => s + x.minutes, 0), me.minutes);
  assert.ok(v.body.totals.every((x) => x.year >= 2024 && x.label));
  assert.notEqual(v.body.name, me.name, 'the name is masked');
  assert.equal(v.body.name[0], me.name[0]);
  assert.equal((await srv.api('GET', '/api/v1/volunteers/certificates/AAAAAAAAAAAAAAAA')).status, 404);
  assert.equal((await srv.api('GET', '/api/v1/volunteers/certificates/x')).status, 404);
  const s = await api('GET', `/api/v1/volunteers/${memberVol}/certificate`, 'staff');
  assert.equal(s.status, 200);
  assert.equal(count(`SELECT count(*) FROM audit WHERE action = 'volunteer.certificate' AND object_id = ${memberVol}`), 1);
  assert.equal((await api('GET', `/api/v1/volunteers/${memberVol}/certificate`, users[2])).status, 403, 'residents get only their own');
  assert.equal((await api('GET', `/api/v1/volunteers/${memberVol}/certificate`, 'farstaff')).status, 404);
  expectError(await api('GET', '/api/v1/volunteers/me/certificate', users[10]), 404);
});

test('totals by team, month and kind add up to the confirmed minutes', async () => {
  const r = await api('GET', `/api/v1/volunteers/totals?community=${COMMUNITY}`, 'staff');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const total = count(`SELECT sum(minutes) FROM volunteer_hours WHERE state = 'confirmed' AND community = '${COMMUNITY}'`);
  assert.equal(r.body.total_minutes, total);
  assert.equal(r.body.by_kind.reduce((s, x) => s + x.minutes, 0), total);
  assert.equal(r.body.by_month.reduce((s, x) => s + x.minutes, 0), total);
  assert.ok(r.body.by_month.length >= 5, 'months of hours');
  const months = r.body.by_month.map((x) => x.month);
  assert.deepEqual(months, [...months].sort());
  assert.ok(r.body.by_kind.some((x) => x.kind === 'market' && x.label === '便民集市'));
  const team = r.body.by_team.find((x) => x.name === '红旗手志愿队');
  const teamSum = count(`SELECT sum(h.minutes) FROM volunteer_hours h JOIN volunteer_team_member m ON m.volunteer_id = h.volunteer_id
    JOIN volunteer_team t ON t.id = m.team_id WHERE t.name = '红旗手志愿队' AND h.state = 'confirmed'`);
  assert.equal(team.minutes, teamSum);
  const last = months.at(-1);
  const one = await api('GET', `/api/v1/volunteers/totals?community=${COMMUNITY}&from=${last}-01&to=${last}-28`, 'staff');
  assert.ok(one.body.by_month.every((x) => x.month === last));
  expectError(await api('GET', `/api/v1/volunteers/totals?community=${COMMUNITY}&from=2026-13-01`, 'staff'), 400, 'invalid_query', 'from');
  assert.equal((await api('GET', '/api/v1/volunteers/totals', 'resident')).status, 403);
  const far = await api('GET', `/api/v1/volunteers/totals?community=${OTHER}`, 'farstaff');
  assert.equal(far.body.total_minutes, 0);
});
