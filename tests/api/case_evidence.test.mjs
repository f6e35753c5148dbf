// Cases closed with evidence: 处置完成 with a reply and after-photos (required
// by the category's setting), verify and close with a note and photos, what
// the reporter sees (her steps only, progress with the reply, the deadline
// now), 补充 and 催办 (once a day: 429, also under a race), and case notices
// of internal steps folded so they do not pile up unread.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, COMMUNITY, dbSql } from '../lib/server.mjs';
import { expectError, png } from '../lib/check.mjs';

let srv;
const tok = {};
const uid = {};
const sql = (q) => dbSql(srv.db, q).trim();
const api = (method, p, who, body) => srv.api(method, p, { token: tok[who], body });
const step = (who, id, action, body) => api('POST', `/api/v1/cases/${id}/${action}`, who, body);

async function photo(who) {
  const r = await srv.api('POST', '/api/v1/case-photos', { token: tok[who], raw: png(3, 2), headers: { 'Content-Type': 'image/png' } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.id;
}

let building, units = {}, categories = {};
async function report(category = 'corridor_clutter', who = 'resident') {
  const r = await api('POST', '/api/v1/cases', who, { category, description: '楼道堆放杂物，影响通行', building_id: building });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}
const inbox = async (who, id) => (await api('GET', '/api/v1/notices?per_page=100', who)).body.items.filter((n) => n.link === `/cases/${id}`);

before(async () => {
  srv = await startServer({ demo: true, residents: 200 });
  for (const u of ['staff', 'grid', 'property', 'resident']) {
    const { token, user } = await srv.login(u);
    tok[u] = token;
    uid[u] = user.id;
  }
  building = Number(sql(`SELECT id FROM building WHERE community = '${COMMUNITY}' ORDER BY id LIMIT 1`));
  for (const x of (await api('GET', `/api/v1/case-units?community=${COMMUNITY}`, 'staff')).body.items) units[x.kind] = x;
  for (const c of (await api('GET', '/api/v1/case-categories', 'staff')).body.items) categories[c.code] = c;
});
after(async () => { await srv.stop(); });

test('staff set which categories need photos after the work; others may not', async () => {
  const cat = categories.corridor_clutter;
  assert.equal(cat.after_photos_required, false);
  expectError(await api('PATCH', `/api/v1/case-categories/${cat.id}`, 'staff', { after_photos_required: 'yes' }), 422, 'invalid_type', 'after_photos_required');
  assert.equal((await api('PATCH', `/api/v1/case-categories/${cat.id}`, 'resident', { after_photos_required: true })).status, 403);
  const r = await api('PATCH', `/api/v1/case-categories/${cat.id}`, 'staff', { after_photos_required: true });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.after_photos_required, true);
  assert.equal(sql(`SELECT after_photos_required FROM case_category WHERE id = ${cat.id}`), '1');
});

test('处置完成 with a reply and after-photos; verify waits for it; the resident sees only her steps', async () => {
  const c = await report();
  assert.equal(c.state, 'dispatched', 'the demo routes 楼道堆物 to the property company');
  assert.equal(c.after_photos_required, true);
  let r = await step('property', c.id, 'handle', { reason: '已安排保洁' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.ok(r.body.actions.includes('complete'), JSON.stringify(r.body.actions));

  expectError(await step('grid', c.id, 'verify'), 409, 'not_completed');
  expectError(await step('property', c.id, 'complete', {}), 422, 'missing_field', 'reply');
  expectError(await step('property', c.id, 'complete', { reply: '已清理' }), 422, 'photos_required', 'photos');
  expectError(await step('property', c.id, 'complete', { reply: '已清理', photos: [1], extra: 1 }), 422, 'unknown_field', 'extra');
  const hers = await photo('resident');
  expectError(await step('property', c.id, 'complete', { reply: '已清理完毕', photos: [hers] }), 422, 'unknown_photo', 'photos[0]');
  assert.equal(sql(`SELECT count(*) FROM case_step WHERE case_id = ${c.id} AND action = 'complete'`), '0', 'nothing half written');
  assert.equal(sql(`SELECT CASE WHEN completed_at IS NULL THEN 1 ELSE 0 END FROM cases WHERE id = ${c.id}`), '1');
  expectError(await step('resident', c.id, 'complete', { reply: '我清理了' }), 403, 'forbidden');

  const p1 = await photo('property'), p2 = await photo('property');
  r = await step('property', c.id, 'complete', { reply: '纸箱和旧家具已全部清运，楼道已畅通', photos: [p1, p2] });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.state, 'handling', 'waiting for the check');
  assert.equal(r.body.reply, '纸箱和旧家具已全部清运，楼道已畅通');
  assert.ok(r.body.completed_at);
  const completeStep = r.body.history.find((s) => s.action === 'complete');
  assert.equal(completeStep.reason, r.body.reply);
  assert.deepEqual(r.body.photos.filter((p) => p.kind === 'after').map((p) => [p.id, p.step_id]), [[p1, completeStep.id], [p2, completeStep.id]]);
  expectError(await step('property', c.id, 'complete', { reply: '再说一遍', photos: [await photo('property')] }), 409, 'already_completed');

  /* the resident, before any rating: the reply and the photos, her steps only */
  r = await api('GET', `/api/v1/cases/${c.id}`, 'resident');
  assert.equal(r.status, 200);
  assert.equal(r.body.state_label, '处置完成');
  assert.equal(r.body.reply, '纸箱和旧家具已全部清运，楼道已畅通');
  assert.equal(r.body.photos.filter((p) => p.kind === 'after').length, 2);
  assert.deepEqual(r.body.history.map((s) => s.action), ['report', 'handle', 'complete']);
  assert.deepEqual(r.body.progress.map((s) => [s.key, s.done]), [['received', true], ['handling', true], ['done', true]]);
  assert.equal(r.body.progress[2].reply, r.body.reply);
  assert.ok(r.body.due, 'the deadline now');
  assert.deepEqual(r.body.actions.sort(), ['supplement', 'urge']);
  const img = await srv.api('GET', `/api/v1/case-photos/${p1}`, { token: tok.resident });
  assert.equal(img.status, 200, 'she may open the after-photo');
  /* staff see the whole history */
  r = await api('GET', `/api/v1/cases/${c.id}`, 'staff');
  assert.deepEqual(r.body.history.map((s) => s.action), ['report', 'dispatch', 'handle', 'complete']);

  /* verify with a note and photos on the spot; close with a note */
  expectError(await step('grid', c.id, 'verify', { note: '现场已清理', reason: '重复' }), 422, 'ambiguous_note', 'note');
  const g = await photo('grid');
  r = await step('grid', c.id, 'verify', { note: '现场查看，楼道已畅通', photos: [g] });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.state, 'verified');
  assert.equal(r.body.history.at(-1).reason, '现场查看，楼道已畅通');
  assert.equal(r.body.photos.find((p) => p.id === g).kind, 'verify');
  r = await step('staff', c.id, 'close', { note: '居民反映问题已解决' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.history.at(-1).reason, '居民反映问题已解决');
  r = await api('GET', `/api/v1/cases/${c.id}`, 'resident');
  assert.deepEqual(r.body.history.map((s) => s.action), ['report', 'handle', 'complete', 'close']);
  assert.equal(r.body.due, null, 'closed: no deadline');
  assert.deepEqual(r.body.actions, ['rate']);
  assert.equal(r.body.reply, '纸箱和旧家具已全部清运，楼道已畅通', 'the reply stays after closing');
  const kinds = (await inbox('resident', c.id)).map((n) => n.kind);
  assert.ok(kinds.includes('case.completed'), kinds.join());
});

test('a category without the setting: completion needs no photo, and verify may come first', async () => {
  const c = await report('noise');
  let r = await step('staff', c.id, 'dispatch', { unit: units.property.id });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  r = await step('property', c.id, 'handle');
  assert.equal(r.status, 200);
  r = await step('grid', c.id, 'verify');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const d = await report('noise');
  await step('staff', d.id, 'dispatch', { unit: units.property.id });
  await step('property', d.id, 'handle');
  r = await step('property', d.id, 'complete', { reply: '已与施工方沟通，夜间停工' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  /* a return starts a new round: the resident does not see it, and may complete again */
  r = await step('property', d.id, 'return', { reason: '不属于物业职责' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.completed_at, null);
  assert.equal(r.body.reply, null);
  r = await api('GET', `/api/v1/cases/${d.id}`, 'resident');
  assert.ok(!r.body.history.some((s) => s.action === 'return' || s.action === 'dispatch'), JSON.stringify(r.body.history));
  assert.equal(r.body.state_label, '已受理');
  assert.ok(!(await inbox('resident', d.id)).some((n) => n.kind === 'case.returned'), 'no notice of an internal return');
});

test('补充: the reporter adds text and photos; the unit is told; others may not', async () => {
  const c = await report();
  const p = await photo('resident');
  expectError(await step('resident', c.id, 'supplement', {}), 422, 'missing_field', 'text');
  expectError(await step('resident', c.id, 'supplement', { text: '补充', nope: 1 }), 422, 'unknown_field', 'nope');
  assert.equal((await step('staff', c.id, 'supplement', { text: '工作人员补充' })).status, 403);
  assert.equal((await step('property', c.id, 'supplement', { text: '物业补充' })).status, 403);
  const r = await step('resident', c.id, 'supplement', { text: '晚上还有人往楼道里堆东西', photos: [p] });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.state, 'dispatched', 'the state stays');
  const s = r.body.history.at(-1);
  assert.deepEqual([s.action, s.reason], ['supplement', '晚上还有人往楼道里堆东西']);
  assert.equal(r.body.photos.find((x) => x.id === p).kind, 'supplement');
  const told = await inbox('property', c.id);
  assert.ok(told.some((n) => n.kind === 'case.supplemented' && /晚上还有人/.test(n.body)), JSON.stringify(told));
  assert.equal(sql(`SELECT count(*) FROM audit WHERE action = 'case.supplement' AND object_id = ${c.id}`), '1');
});

test('催办: once a day, the second is 429 with a clear message; a race lets one through', async () => {
  const c = await report();
  let r = await step('resident', c.id, 'urge');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.history.at(-1).action, 'urge');
  r = await step('resident', c.id, 'urge', { note: '再催一次' });
  expectError(r, 429, 'urge_limited');
  assert.match(r.body.error.message, /明天/);
  assert.equal(sql(`SELECT count(*) FROM case_step WHERE case_id = ${c.id} AND action = 'urge'`), '1', 'nothing written');
  assert.equal((await step('staff', c.id, 'urge')).status, 403);
  const urged = (await inbox('property', c.id)).filter((n) => n.kind === 'case.urged');
  assert.equal(urged.length, 1);

  const d = await report();
  const all = await Promise.all(Array.from({ length: 6 }, () => step('resident', d.id, 'urge')));
  assert.deepEqual(all.map((x) => x.status).sort(), [200, 429, 429, 429, 429, 429]);
  assert.equal(sql(`SELECT count(*) FROM case_urge WHERE case_id = ${d.id}`), '1');
});

test('a closed case takes neither 补充 nor 催办', async () => {
  const c = await report('noise');
  await step('staff', c.id, 'dispatch', { unit: units.property.id });
  await step('property', c.id, 'handle');
  await step('grid', c.id, 'verify');
  assert.equal((await step('staff', c.id, 'close')).status, 200);
  expectError(await step('resident', c.id, 'urge'), 409, 'case_closed');
  expectError(await step('resident', c.id, 'supplement', { text: '还没好' }), 409, 'case_closed');
});

test('notices of internal steps fold: one unread line per case, not a pile', async () => {
  const c = await report('noise');
  assert.equal((await step('staff', c.id, 'dispatch', { unit: units.property.id })).status, 200);
  assert.equal((await step('staff', c.id, 'hold', { reason: '等待业主' })).status, 200);
  assert.equal((await step('staff', c.id, 'resume')).status, 200);
  let mine = await inbox('resident', c.id);
  assert.deepEqual(mine.map((n) => n.kind).reverse(), ['case.dispatched', 'case.on_hold', 'case.resumed']);
  assert.deepEqual(mine.map((n) => n.read_at === null), [true, false, false], 'only the newest is unread');
  assert.equal((await step('property', c.id, 'handle')).status, 200);
  assert.equal((await step('property', c.id, 'complete', { reply: '已处理' })).status, 200);
  mine = await inbox('resident', c.id);
  const unread = mine.filter((n) => n.read_at === null).map((n) => n.kind).sort();
  assert.deepEqual(unread, ['case.completed', 'case.handling'], 'the steps she waits for stay unread');
  /* the unit: assigned, then urged: one unread */
  assert.equal((await step('resident', c.id, 'urge')).status, 200);
  const unit = await inbox('property', c.id);
  assert.deepEqual(unit.filter((n) => n.read_at === null).map((n) => n.kind), ['case.urged']);
  assert.ok(unit.some((n) => n.kind === 'case.assigned' && n.read_at !== null));
});

test('nearby: the open reports around a point, nearest first; a resident sees no one else\'s description', async () => {
  let r = await api('PUT', `/api/v1/case-settings?community=${COMMUNITY}`, 'staff', { area: { min_lat: 31.19, min_lon: 121.41, max_lat: 31.22, max_lon: 121.44 } });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const at = (lat, long, who, description) => api('POST', '/api/v1/cases', who, { category: 'parking', description, lat, long });
  const near = (await at(31.2050, 121.4250, 'grid', '消防通道被电动车堵住')).body;
  const far = (await at(31.2050, 121.4280, 'grid', '路口乱停车')).body; // ~285 m east
  const mine = (await at(31.2052, 121.4250, 'resident', '我家楼下乱停车')).body; // ~22 m north
  assert.ok(near.id && far.id && mine.id);
  r = await api('GET', '/api/v1/cases/nearby?lat=31.2050&long=121.4250&radius=100', 'resident');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(r.body.items.map((x) => x.id), [near.id, mine.id], 'nearest first, the far one outside');
  assert.equal(r.body.items[0].distance_m, 0);
  assert.ok(Math.abs(r.body.items[1].distance_m - 22) <= 2, JSON.stringify(r.body.items[1]));
  assert.equal(r.body.items[0].description, null, 'not hers');
  assert.equal(r.body.items[1].description, '我家楼下乱停车');
  assert.equal(r.body.items[1].mine, true);
  assert.equal(r.body.items[0].category_name, '停车管理');
  r = await api('GET', '/api/v1/cases/nearby?lat=31.2050&long=121.4250&radius=400', 'grid');
  assert.deepEqual(r.body.items.map((x) => x.id), [near.id, mine.id, far.id]);
  assert.equal(r.body.items[0].description, '消防通道被电动车堵住', 'workers see descriptions');
  /* closed cases are not listed */
  await step('staff', far.id, 'merge', { into: near.id, reason: '同一处' });
  r = await api('GET', '/api/v1/cases/nearby?lat=31.2050&long=121.4250&radius=400', 'grid');
  assert.ok(!r.body.items.some((x) => x.id === far.id));
  /* bad input */
  expectError(await api('GET', '/api/v1/cases/nearby?long=121.4', 'resident'), 400, 'missing_query', 'lat');
  expectError(await api('GET', '/api/v1/cases/nearby?lat=abc&long=121.4', 'resident'), 400, 'invalid_query', 'lat');
  expectError(await api('GET', '/api/v1/cases/nearby?lat=31.2&long=200', 'resident'), 400, 'invalid_query', 'long');
  expectError(await api('GET', '/api/v1/cases/nearby?lat=31.2&long=121.4&radius=5000', 'resident'), 400, 'invalid_query', 'radius');
  assert.equal((await srv.api('GET', '/api/v1/cases/nearby?lat=31.2&long=121.4')).status, 401);
  assert.equal((await api('GET', '/api/v1/cases/nearby?lat=31.2&long=121.4', 'property')).status, 403);
});

test('a grid worker sees a resident\'s whole phone on request, audited; a resident may not', async () => {
  const id = Number(sql(`SELECT r.id FROM resident r WHERE r.community = '${COMMUNITY}' AND r.phone_enc IS NOT NULL ORDER BY r.id LIMIT 1`));
  const before = Number(sql(`SELECT count(*) FROM audit WHERE action = 'resident.view_full' AND object_id = ${id}`));
  let r = await api('GET', `/api/v1/residents/${id}/phone`, 'grid');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.match(r.body.phone, /^1\d{10}$/);
  assert.equal(Number(sql(`SELECT count(*) FROM audit WHERE action = 'resident.view_full' AND object_id = ${id}`)), before + 1);
  assert.equal((await api('GET', `/api/v1/residents/${id}/phone`, 'resident')).status, 403);
  assert.equal((await api('GET', '/api/v1/residents/999999999/phone', 'grid')).status, 404);
});

test('a reopened, returned or re-dispatched case gets deadlines counted again; the resident sees the current one', async () => {
  const { token } = await srv.login('secretary');
  tok.secretary = token;
  const past = Date.now() - 5 * 86400000;
  /* a case whose deadlines passed long ago (as if reported weeks back), flagged overdue */
  const age = (id) => sql(`UPDATE cases SET respond_due = ${past - 86400000}, resolve_due = ${past}, overdue = 1 WHERE id = ${id}`);
  const due = async (id) => (await api('GET', `/api/v1/cases/${id}`, 'resident')).body;

  /* reopened after 不满意: the secretary's new round has a deadline ahead */
  const c = await report('noise');
  await step('property', c.id, 'handle');
  await step('property', c.id, 'complete', { reply: '已提醒邻居' });
  await step('grid', c.id, 'verify');
  let r = await step('staff', c.id, 'close');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  age(c.id);
  r = await step('resident', c.id, 'rate', { rating: 'unsatisfied', comment: '还是很吵' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.state, 'reopened');
  let mine = await due(c.id);
  assert.ok(Date.parse(mine.due) > Date.now(), `reopened: due ${mine.due} is ahead`);
  assert.equal(Number(sql(`SELECT overdue FROM cases WHERE id = ${c.id}`)), 0, 'no longer overdue');
  const reopenDue = Date.parse(mine.due);
  r = await api('GET', `/api/v1/cases/${c.id}`, 'staff');
  assert.equal(Date.parse(r.body.resolve_due), reopenDue, 'staff and resident see one deadline');
  /* the secretary dispatches it again: never earlier than it was */
  r = await step('secretary', c.id, 'dispatch', { unit: units.property.id });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.ok(Date.parse((await due(c.id)).due) >= reopenDue);

  /* returned by the unit, then dispatched again: counted from the new dispatch */
  const d = await report('noise');
  assert.equal(d.state, 'dispatched');
  age(d.id);
  r = await step('property', d.id, 'return', { reason: '不属于物业职责' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  r = await step('staff', d.id, 'dispatch', { unit: units.committee.id });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  mine = await due(d.id);
  assert.ok(Date.parse(mine.due) > Date.now(), `re-dispatched: due ${mine.due} is ahead`);
  assert.ok(Date.parse(r.body.respond_due) > Date.now(), 'the new unit has its response time');

  /* reassigned from one unit to another while dispatched: the same */
  const e = await report('noise');
  age(e.id);
  r = await step('staff', e.id, 'dispatch', { unit: units.committee.id });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.ok(Date.parse((await due(e.id)).due) > Date.now());

  /* the first dispatch of a report the rules did not route keeps the deadline counted from the report */
  const f = await report('other');
  assert.equal(f.state, 'accepted', 'no rule for 其他');
  age(f.id);
  r = await step('staff', f.id, 'dispatch', { unit: units.committee.id });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(Number(sql(`SELECT resolve_due FROM cases WHERE id = ${f.id}`)), past);
});
