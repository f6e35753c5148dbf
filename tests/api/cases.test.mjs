// Cases end to end: categories and limits, routing, reports (building, map
// point, photos, staff-logged), every workflow step and its 409s, ratings
// and the one reopen, merge, hold/resume, scope (community, unit, reporter),
// the overdue sweep, the calendar, the dashboard (checked against SQL), the
// export, and conflicting steps racing on one case.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer, COMMUNITY, STREET, dbSql, sqlHex } from '../lib/server.mjs';
import { expectError, png } from '../lib/check.mjs';

const OTHER = '310105004001'; // 番禺居委会, same street

let srv;
const tok = {};
const uid = {};
const sql = (q) => dbSql(srv.db, q).trim();
const api = (method, p, who, body) => srv.api(method, p, { token: tok[who], body });
const step = (who, id, action, body) => api('POST', `/api/v1/cases/${id}/${action}`, who, body);

async function upload(who, bytes, type = 'image/png') {
  return srv.api('POST', '/api/v1/case-photos', { token: tok[who], raw: bytes, headers: { 'Content-Type': type } });
}

async function addUser(name, role, scope) {
  srv.linli(['user', 'add', '--db', srv.db, '--username', name, '--password', 'linli2026', '--role', role, '--scope', String(scope)]);
  const { token, user } = await srv.login(name);
  tok[name] = token;
  uid[name] = user.id;
}

let building, building2, farBuilding, units = {};
async function report(who = 'resident', extra = {}) {
  const r = await api('POST', '/api/v1/cases', who, { category: 'corridor_clutter', description: '楼道堆放杂物', building_id: building, ...extra });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}

before(async () => {
  srv = await startServer({ demo: true, residents: 400 });
  for (const u of ['admin', 'street', 'secretary', 'staff', 'grid', 'property', 'resident']) {
    const { token, user } = await srv.login(u);
    tok[u] = token;
    uid[u] = user.id;
  }
  const own = sql(`SELECT id FROM household WHERE community = '${COMMUNITY}' ORDER BY id LIMIT 5`).split('\n');
  await addUser('r2', 'resident', own[3]);
  await addUser('far', 'resident', sql(`SELECT id FROM household WHERE community = '${OTHER}' ORDER BY id LIMIT 1`));
  await addUser('farstaff', 'staff', OTHER);
  await addUser('prop2', 'property', COMMUNITY);
  building = Number(sql(`SELECT id FROM building WHERE community = '${COMMUNITY}' ORDER BY id LIMIT 1`));
  // a second building in another grid of the community
  const grid2 = sql(`SELECT id FROM grid WHERE community = '${COMMUNITY}' AND id <> coalesce((SELECT grid_id FROM building WHERE id = ${building}), 0) ORDER BY id LIMIT 1`);
  const b2 = await api('POST', '/api/v1/buildings', 'staff', { community: COMMUNITY, name: '测试楼', units: 2, floors: 6, grid_id: Number(grid2) });
  assert.equal(b2.status, 201, JSON.stringify(b2.body));
  building2 = b2.body.id;
  farBuilding = Number(sql(`SELECT id FROM building WHERE community = '${OTHER}' ORDER BY id LIMIT 1`));
  const u = await api('GET', `/api/v1/case-units?community=${COMMUNITY}`, 'staff');
  assert.equal(u.status, 200);
  for (const x of u.body.items) units[x.kind] = x;
});
after(async () => { await srv.stop(); });

test('every community has the default categories, each with a code and limits', async () => {
  const r = await api('GET', '/api/v1/case-categories', 'resident');
  assert.equal(r.status, 200);
  const names = r.body.items.map((c) => c.name);
  assert.deepEqual(names, ['楼道堆物', '飞线充电', '群租', '噪音扰民', '环境卫生', '设施损坏', '绿化养护', '停车管理', '安全隐患', '加装电梯', '民生诉求', '其他']);
  for (const c of r.body.items) {
    assert.match(c.code, /^[a-z_]+$/);
    assert.ok(c.respond_hours > 0 && c.resolve_days > 0);
  }
  const far = await api('GET', `/api/v1/case-categories?community=${OTHER}`, 'farstaff');
  assert.equal(far.body.items.length, 12);
  assert.notEqual(far.body.items[0].id, r.body.items[0].id, 'categories are per community');
});

test('a resident reads her community\'s buildings for the report form, not another\'s', async () => {
  const r = await api('GET', '/api/v1/case-buildings', 'resident');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.total, Number(sql(`SELECT count(*) FROM building WHERE community = '${COMMUNITY}'`)));
  const b = r.body.items.find((x) => x.id === building2);
  assert.equal(b.name, '测试楼');
  assert.equal(b.units, 2);
  assert.ok(!r.body.items.some((x) => x.id === farBuilding));
  assert.equal((await api('GET', `/api/v1/case-buildings?community=${OTHER}`, 'resident')).status, 404, 'another community is not hers');
});

test('staff edit a category and its limits; others may not; the code stays', async () => {
  const list = (await api('GET', '/api/v1/case-categories', 'staff')).body.items;
  const noise = list.find((c) => c.code === 'noise');
  const r = await api('PATCH', `/api/v1/case-categories/${noise.id}`, 'staff', { respond_hours: 3, resolve_days: 4 });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.respond_hours, 3);
  assert.equal(r.body.resolve_days, 4);
  expectError(await api('PATCH', `/api/v1/case-categories/${noise.id}`, 'staff', { code: 'x' }), 422, 'immutable_field', 'code');
  expectError(await api('PATCH', `/api/v1/case-categories/${noise.id}`, 'staff', { resolve_days: 0 }), 422, 'out_of_range', 'resolve_days');
  assert.equal((await api('PATCH', `/api/v1/case-categories/${noise.id}`, 'resident', { resolve_days: 9 })).status, 403);
  assert.equal((await api('PATCH', `/api/v1/case-categories/${noise.id}`, 'farstaff', { resolve_days: 9 })).status, 404);
  const add = await api('POST', '/api/v1/case-categories', 'staff', { code: 'shade', name: '遮阳休憩', respond_hours: 8, resolve_days: 20 });
  assert.equal(add.status, 201, JSON.stringify(add.body));
  expectError(await api('POST', '/api/v1/case-categories', 'staff', { code: 'shade', name: '另一个', respond_hours: 8, resolve_days: 20 }), 409, 'category_exists');
  expectError(await api('POST', '/api/v1/case-categories', 'staff', { code: 'Bad Code', name: '坏', respond_hours: 8, resolve_days: 20 }), 422, 'invalid_code', 'code');
});

test('a resident reports at a building: routed to the property unit, with deadlines and history', async () => {
  const c = await report('resident', { unit: 1, contact_ok: true });
  assert.ok(c.id > 0);
  assert.equal(c.state, 'dispatched');
  assert.equal(c.unit_id, units.property.id);
  assert.equal(c.category, 'corridor_clutter');
  assert.equal(c.reporter_id, uid.resident);
  assert.deepEqual(c.history.map((h) => h.action), ['report'], 'the reporter sees her steps, not the dispatch');
  const full = (await api('GET', `/api/v1/cases/${c.id}`, 'staff')).body;
  assert.deepEqual(full.history.map((h) => h.action), ['report', 'dispatch']);
  assert.equal(full.history[0].actor_id, uid.resident);
  assert.equal(full.history[1].actor_id, null, 'dispatched by the routing rules');
  assert.equal(full.history[1].actor_role, null, 'the system has no role');
  assert.equal(full.history[0].actor_role, 'resident');
  assert.ok(Date.parse(c.respond_due) > Date.parse(c.created_at));
  assert.ok(Date.parse(c.resolve_due) > Date.parse(c.respond_due));
  assert.equal(sql(`SELECT count(*) FROM case_step WHERE case_id = ${c.id}`), '2');
  assert.equal(sql(`SELECT count(*) FROM audit WHERE action = 'case.create' AND object_id = ${c.id}`), '1');
});

test('with no rule a case goes to the community itself (accepted, no unit)', async () => {
  const r = await api('POST', '/api/v1/cases', 'resident', { category: 'other', description: '公告栏过期', building_id: building });
  assert.equal(r.status, 201);
  assert.equal(r.body.state, 'accepted');
  assert.equal(r.body.unit_id, null);
  const inbox = await api('GET', '/api/v1/cases?unit=community&state=accepted', 'staff');
  assert.ok(inbox.body.items.some((c) => c.id === r.body.id));
});

test('bad reports: each a clear 4xx, nothing written', async () => {
  const before = sql('SELECT count(*) FROM cases');
  const base = { category: 'noise', description: '夜里很吵', building_id: building };
  expectError(await api('POST', '/api/v1/cases', 'resident', { ...base, category: 'no_such' }), 422, 'unknown_category', 'category');
  expectError(await api('POST', '/api/v1/cases', 'resident', { ...base, building_id: farBuilding }), 422, 'unknown_building', 'building_id');
  expectError(await api('POST', '/api/v1/cases', 'resident', { ...base, building_id: 99999999 }), 422, 'unknown_building', 'building_id');
  expectError(await api('POST', '/api/v1/cases', 'resident', { category: 'noise', description: '夜里很吵' }), 422, 'missing_location');
  expectError(await api('POST', '/api/v1/cases', 'resident', { category: 'noise', description: '夜里很吵', lat: 31.2 }), 422, 'incomplete_point', 'long');
  // the demo area of 幸福居委会 is the box 31.2040..31.2120 N, 121.4180..121.4290 E
  expectError(await api('POST', '/api/v1/cases', 'resident', { category: 'noise', description: '夜里很吵', lat: 31.30, long: 121.42 }), 422, 'point_outside', 'lat');
  expectError(await api('POST', '/api/v1/cases', 'resident', { ...base, description: 'x' }), 422, 'too_short', 'description');
  expectError(await api('POST', '/api/v1/cases', 'resident', { ...base, unit: 99 }), 422, 'out_of_range', 'unit');
  expectError(await api('POST', '/api/v1/cases', 'resident', { ...base, extra: 1 }), 422, 'unknown_field', 'extra');
  expectError(await api('POST', '/api/v1/cases', 'resident', { ...base, photos: [1, 2, 3, 4, 5, 6, 7] }), 422, 'too_many_photos', 'photos');
  expectError(await api('POST', '/api/v1/cases', 'resident', { ...base, photos: [987654] }), 422, 'unknown_photo', 'photos[0]');
  expectError(await api('POST', '/api/v1/cases', 'resident', { ...base, source: 'phone' }), 403, 'forbidden');
  expectError(await api('POST', '/api/v1/cases', 'farstaff', { ...base }), 422, 'unknown_building', 'building_id');
  // another community's area is not this one's
  expectError(await api('POST', '/api/v1/cases', 'farstaff', { category: 'noise', description: '夜里很吵', lat: 31.208, long: 121.42 }), 422, 'no_area', 'lat');
  assert.equal(sql('SELECT count(*) FROM cases'), before);
});

test('a map point inside the community area is accepted', async () => {
  const r = await api('POST', '/api/v1/cases', 'grid', { category: 'parking', description: '消防通道被占', lat: 31.208, long: 121.42 });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.lat, 31.208);
  assert.equal(r.body.building_id, null);
  assert.equal(r.body.unit_id, units.city_management.id, 'parking is routed to 城管');
});

test('photos: checked by content, size-limited, attached once, served only to those who see the case', async () => {
  expectError(await upload('resident', Buffer.from('this is plain text, not an image at all')), 415, 'not_an_image');
  expectError(await upload('resident', Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"></svg>'), 'image/svg+xml'), 415, 'not_an_image');
  const big = Buffer.concat([png(), Buffer.alloc(5 * 1024 * 1024)]);
  expectError(await upload('resident', big), 413, 'photo_too_large');
  const up = await upload('resident', png());
  assert.equal(up.status, 201, JSON.stringify(up.body));
  assert.equal(up.body.mime, 'image/png');
  const file = sql(`SELECT file FROM case_photo WHERE id = ${up.body.id}`);
  assert.match(file, /^[0-9a-f]{32}\.png$/);
  // before it is attached only its uploader sees it
  assert.equal((await srv.api('GET', up.body.url, { token: tok.staff })).status, 404);
  const c = await report('resident', { photos: [up.body.id] });
  assert.equal(c.photos.length, 1);
  expectError(await api('POST', '/api/v1/cases', 'resident', { category: 'noise', description: '再用一次', building_id: building, photos: [up.body.id] }), 422, 'unknown_photo', 'photos[0]');
  const mine = await srv.api('GET', up.body.url, { token: tok.resident });
  assert.equal(mine.status, 200);
  assert.equal(mine.headers.get('content-type'), 'image/png');
  assert.deepEqual(Buffer.from(mine.body), png());
  assert.equal((await srv.api('GET', up.body.url, { token: tok.staff })).status, 200);
  assert.equal((await srv.api('GET', up.body.url, { token: tok.property })).status, 200, 'the unit the case went to');
  assert.equal((await srv.api('GET', up.body.url, { token: tok.r2 })).status, 404);
  assert.equal((await srv.api('GET', up.body.url, { token: tok.farstaff })).status, 404);
  assert.equal((await srv.api('GET', up.body.url, { token: tok.prop2 })).status, 404);
  assert.equal((await srv.api('GET', up.body.url)).status, 401);
  // stored beside the database, not in any web directory
  assert.equal(execFileSync('test', ['-f', `${srv.files}/cases/${file}`]).length, 0);
});

test('photos never attached are deleted a day after upload, file and row; fresh and attached ones are kept', async () => {
  const HOUR = 3600000;
  const fileOf = (id) => sql(`SELECT file FROM case_photo WHERE id = ${id}`);
  const onDisk = (file) => { try { execFileSync('test', ['-f', `${srv.files}/cases/${file}`]); return true; } catch { return false; } };
  const up = async () => {
    const r = await upload('resident', png(3, 3));
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return { ...r.body, file: fileOf(r.body.id) };
  };
  const old = await up();       // never sent, 25 hours old: goes
  const older = await up();     // never sent, three days old: goes
  const young = await up();     // never sent, 23 hours old: stays
  const fresh = await up();     // just uploaded: stays
  const used = await up();      // attached to a case, 25 hours old: stays
  const c = await report('resident', { photos: [used.id] });
  const age = (p, hours) => sql(`UPDATE case_photo SET created_at = ${Date.now() - hours * HOUR} WHERE id = ${p.id}`);
  age(old, 25); age(older, 72); age(young, 23); age(used, 25);
  for (const p of [old, older, young, fresh, used]) assert.ok(onDisk(p.file), 'every file is there before the sweep');

  const r = await api('GET', '/api/v1/cases?per_page=1', 'staff'); // a cases request sweeps
  assert.equal(r.status, 200);
  for (const p of [old, older]) {
    assert.equal(sql(`SELECT count(*) FROM case_photo WHERE id = ${p.id}`), '0', 'the row is gone');
    assert.equal(onDisk(p.file), false, 'the file is gone');
    assert.equal((await srv.api('GET', p.url, { token: tok.resident })).status, 404);
    assert.equal(sql(`SELECT count(*) FROM audit WHERE action = 'case_photo.purge' AND object_id = ${p.id}`), '1', 'the purge is audited');
  }
  for (const p of [young, fresh, used]) {
    assert.equal(fileOf(p.id), p.file, 'the row stays');
    assert.ok(onDisk(p.file), 'the file stays');
    assert.equal((await srv.api('GET', p.url, { token: tok.resident })).status, 200);
  }
  assert.equal((await api('GET', `/api/v1/cases/${c.id}`, 'staff')).body.photos.length, 1, 'the case keeps its photo');
  // a report naming a purged photo is told to upload again, and nothing is written
  const before = sql('SELECT count(*) FROM cases');
  expectError(await api('POST', '/api/v1/cases', 'resident', { category: 'noise', description: '照片过期了', building_id: building, photos: [young.id, old.id] }), 422, 'unknown_photo', 'photos[1]');
  assert.equal(sql('SELECT count(*) FROM cases'), before);
  assert.equal(sql(`SELECT coalesce(case_id, 0) FROM case_photo WHERE id = ${young.id}`), '0', 'the good photo is not half attached');
  // the sweep has nothing more to do: a second request deletes nothing else
  await api('GET', '/api/v1/cases?per_page=1', 'staff');
  for (const p of [young, fresh, used]) assert.ok(onDisk(p.file));
});

test('a step out of order is a 409 naming the state', async () => {
  const c = await report();
  expectError(await step('staff', c.id, 'close'), 409, 'invalid_transition', 'state');
  expectError(await step('staff', c.id, 'verify'), 409, 'invalid_transition');
  expectError(await step('staff', c.id, 'resume'), 409, 'invalid_transition');
  const other = (await api('POST', '/api/v1/cases', 'resident', { category: 'other', description: '未派遣的', building_id: building })).body;
  const r = await step('staff', other.id, 'close');
  expectError(r, 409, 'invalid_transition');
  assert.match(r.body.error.message, /已受理/);
  expectError(await step('staff', other.id, 'handle'), 409, 'invalid_transition');
  assert.equal(sql(`SELECT count(*) FROM case_step WHERE case_id = ${other.id}`), '1', 'refused steps leave no history');
});

test('the whole way: dispatch, handle, verify, close, rate; each step with actor and time', async () => {
  const c = (await api('POST', '/api/v1/cases', 'resident', { category: 'other', description: '路灯不亮', building_id: building })).body;
  expectError(await step('staff', c.id, 'dispatch', {}), 422, 'missing_field', 'unit');
  expectError(await step('staff', c.id, 'dispatch', { unit: 999999 }), 422, 'unknown_unit', 'unit');
  assert.equal((await step('property', c.id, 'dispatch', { unit: units.property.id })).status, 404, 'not her unit yet');
  let r = await step('staff', c.id, 'dispatch', { unit: units.property.id });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.state, 'dispatched');
  assert.equal((await step('resident', c.id, 'handle')).status, 403);
  r = await step('property', c.id, 'handle', { reason: '已派人维修' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.state, 'handling');
  assert.ok(r.body.responded_at);
  assert.equal((await step('property', c.id, 'verify')).status, 403, 'the unit does not verify its own work');
  r = await step('grid', c.id, 'verify');
  assert.equal(r.body.state, 'verified');
  assert.equal((await step('grid', c.id, 'close')).status, 403);
  r = await step('staff', c.id, 'close');
  assert.equal(r.body.state, 'closed');
  assert.ok(r.body.closed_at);
  expectError(await step('r2', c.id, 'rate', { rating: 'satisfied' }), 404, 'not_found');
  expectError(await step('staff', c.id, 'rate', { rating: 'satisfied' }), 403, 'forbidden');
  expectError(await step('resident', c.id, 'rate', { rating: 'great' }), 422, 'invalid_rating', 'rating');
  r = await step('resident', c.id, 'rate', { rating: 'satisfied', comment: '修得很快' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.rating, 'satisfied');
  assert.equal(r.body.state, 'closed');
  expectError(await step('resident', c.id, 'rate', { rating: 'unsatisfied' }), 409, 'already_rated', 'rating');
  assert.deepEqual((await api('GET', `/api/v1/cases/${c.id}`, 'resident')).body.history.map((x) => x.action),
    ['report', 'handle', 'close', 'rate'], 'the reporter sees the steps that concern her');
  const h = (await api('GET', `/api/v1/cases/${c.id}`, 'staff')).body.history;
  assert.deepEqual(h.map((x) => x.action), ['report', 'dispatch', 'handle', 'verify', 'close', 'rate']);
  assert.deepEqual(h.map((x) => x.to_state), ['accepted', 'dispatched', 'handling', 'verified', 'closed', 'closed']);
  assert.deepEqual(h.map((x) => x.actor_id), [uid.resident, uid.staff, uid.property, uid.grid, uid.staff, uid.resident]);
  assert.deepEqual(h.map((x) => x.actor_role), ['resident', 'staff', 'property', 'grid_worker', 'staff', 'resident']);
  for (const x of h) assert.match(x.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/);
});

test('不满意 reopens once and goes to the secretary; the second time it stays closed', async () => {
  const c = await report();
  const finish = async () => {
    for (const [who, a] of [['property', 'handle'], ['grid', 'verify'], ['staff', 'close']]) {
      const r = await step(who, c.id, a);
      assert.equal(r.status, 200, `${a}: ${JSON.stringify(r.body)}`);
    }
  };
  await finish();
  let r = await step('resident', c.id, 'rate', { rating: 'unsatisfied', comment: '还是堆着' });
  assert.equal(r.body.state, 'reopened');
  assert.equal(r.body.to_secretary, true);
  assert.equal(r.body.reopen_count, 1);
  assert.equal(r.body.closed_at, null);
  assert.ok(r.body.history.some((h) => h.action === 'reopen'));
  expectError(await step('resident', c.id, 'rate', { rating: 'satisfied' }), 409, 'invalid_transition');
  expectError(await step('staff', c.id, 'dispatch', { unit: units.property.id }), 403, 'forbidden');
  r = await step('secretary', c.id, 'dispatch', { unit: units.property.id });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.to_secretary, false);
  await finish();
  r = await step('resident', c.id, 'rate', { rating: 'unsatisfied' });
  assert.equal(r.status, 200);
  assert.equal(r.body.state, 'closed', 'reopens only once');
  expectError(await step('resident', c.id, 'rate', { rating: 'satisfied' }), 409, 'already_rated');
});

test('return needs a reason and goes back to dispatch; hold and resume restore the state', async () => {
  const c = await report();
  expectError(await step('property', c.id, 'return', {}), 422, 'missing_field', 'reason');
  let r = await step('property', c.id, 'return', { reason: '不属于物业职责' });
  assert.equal(r.body.state, 'returned');
  assert.equal(r.body.last_reason, '不属于物业职责');
  r = await step('staff', c.id, 'dispatch', { unit: units.city_management.id });
  assert.equal(r.body.state, 'dispatched');
  assert.equal(r.body.unit_id, units.city_management.id);
  assert.equal((await api('GET', `/api/v1/cases/${c.id}`, 'property')).status, 404, 'no longer the property unit\'s');
  r = await step('staff', c.id, 'handle');
  assert.equal(r.body.state, 'handling');
  expectError(await step('staff', c.id, 'hold', {}), 422, 'missing_field', 'reason');
  r = await step('staff', c.id, 'hold', { reason: '等待业委会决定' });
  assert.equal(r.body.state, 'on_hold');
  expectError(await step('staff', c.id, 'hold', { reason: '再挂一次' }), 409, 'invalid_transition');
  r = await step('staff', c.id, 'resume');
  assert.equal(r.body.state, 'handling', 'back to where it was');
});

/* Office time (ms) of working days in [from, to): 09:00-17:00 Beijing time, on the
 * calendar the API serves (Mon-Fri plus its exceptions). An oracle apart from src/cases. */
async function workMs(from, to) {
  const DAY = 86400e3, OFF = 8 * 3600e3;
  const exceptions = new Map();
  for (let y = new Date(from + OFF).getUTCFullYear(); y <= new Date(to + OFF).getUTCFullYear(); y++) {
    const r = await api('GET', `/api/v1/case-calendar?year=${y}`, 'staff');
    assert.equal(r.status, 200);
    for (const d of r.body.days) exceptions.set(d.date, d.working);
  }
  let total = 0;
  for (let day = Math.floor((from + OFF) / DAY); day <= Math.floor((to + OFF) / DAY); day++) {
    const date = new Date(day * DAY).toISOString().slice(0, 10);
    const weekday = new Date(day * DAY).getUTCDay();
    const working = exceptions.has(date) ? exceptions.get(date) : weekday >= 1 && weekday <= 5;
    const lo = Math.max(day * DAY - OFF + 9 * 3600e3, from), hi = Math.min(day * DAY - OFF + 17 * 3600e3, to);
    if (working && hi > lo) total += hi - lo;
  }
  return total;
}

test('on hold the clock stops: no overdue flag, and resume moves the deadlines by the office time held', async () => {
  const c = await report();
  let r = await step('staff', c.id, 'hold', { reason: '等待业委会决定' });
  assert.equal(r.body.state, 'on_hold');
  const before = r.body.history.at(-1).from_state;
  // the hold began two weeks ago; the response was already late then, the resolution was not
  const now = Date.now();
  const heldAt = now - 14 * 86400e3;
  const respondDue = heldAt - 3600e3, resolveDue = now - 86400e3;
  sql(`UPDATE case_step SET at = ${heldAt} WHERE case_id = ${c.id} AND action = 'hold'`);
  sql(`UPDATE cases SET respond_due = ${respondDue}, resolve_due = ${resolveDue} WHERE id = ${c.id}`);
  r = await api('GET', `/api/v1/cases/${c.id}`, 'staff');
  assert.equal(r.body.overdue, false, 'the sweep passes a case on hold by');
  assert.equal(r.body.overdue_respond, false);
  assert.ok(!(await api('GET', '/api/v1/cases?overdue=1&per_page=200', 'staff')).body.items.some((x) => x.id === c.id));
  r = await step('staff', c.id, 'resume');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.state, before);
  const resumedAt = Number(sql(`SELECT max(at) FROM case_step WHERE case_id = ${c.id} AND action = 'resume'`));
  const held = await workMs(heldAt, resumedAt);
  assert.ok(held >= 5 * 8 * 3600e3, `two weeks hold at least five working days: ${held}`);
  const [newRespond, newResolve] = sql(`SELECT respond_due || '|' || resolve_due FROM cases WHERE id = ${c.id}`).split('|').map(Number);
  assert.equal(newRespond, respondDue, 'a deadline already past when the hold began stays');
  assert.ok(newResolve > resolveDue);
  assert.equal(await workMs(resolveDue, newResolve), held, 'moved by exactly the office time held');
  assert.equal(await workMs(resolveDue, newResolve - 1), held - 1, 'and no further');
  assert.ok(newResolve > resumedAt, 'the resolution is due again in the future');
  r = await api('GET', `/api/v1/cases/${c.id}`, 'staff');
  assert.equal(r.body.overdue, false, 'not overdue after the resume');
  assert.equal(r.body.overdue_respond, true, 'the late response is flagged once the clock runs');
  const h = r.body.history.find((x) => x.action === 'resume');
  assert.match(h.reason, /挂起 [0-9.]+ 个工作小时，不计入办理时限/);
});

test('merge: duplicates are suggested; merged case closes into the other; bad targets refused', async () => {
  const a = await report('resident');
  const b = await report('r2');
  const detail = await api('GET', `/api/v1/cases/${b.id}`, 'staff');
  assert.ok(detail.body.possible_duplicates.includes(a.id), JSON.stringify(detail.body.possible_duplicates));
  expectError(await step('staff', b.id, 'merge', { into: b.id }), 422, 'merge_self', 'into');
  expectError(await step('staff', b.id, 'merge', { into: 99999999 }), 422, 'unknown_case', 'into');
  const r = await step('staff', b.id, 'merge', { into: a.id });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.state, 'closed');
  assert.equal(r.body.merged_into, a.id);
  assert.ok(!r.body.actions.includes('rate'));
  const ha = (await api('GET', `/api/v1/cases/${a.id}`, 'staff')).body.history;
  assert.ok(ha.some((h) => h.action === 'merged_from'));
  expectError(await step('r2', b.id, 'rate', { rating: 'satisfied' }), 409, 'not_rateable');
  const c = await report();
  expectError(await step('staff', c.id, 'merge', { into: b.id }), 409, 'merge_target_closed', 'into');
});

test('scope: other communities, property units and residents see only theirs', async () => {
  const c = await report();
  assert.equal((await api('GET', `/api/v1/cases/${c.id}`, 'farstaff')).status, 404);
  assert.equal((await api('GET', `/api/v1/cases/${c.id}`, 'r2')).status, 404);
  assert.equal((await api('GET', `/api/v1/cases/${c.id}`, 'far')).status, 404);
  assert.equal((await api('GET', `/api/v1/cases/${c.id}`, 'prop2')).status, 404, 'a property user of no unit');
  assert.equal((await api('GET', `/api/v1/cases/${c.id}`, 'street')).status, 200);
  assert.equal((await step('farstaff', c.id, 'handle')).status, 404);
  const prop = await api('GET', '/api/v1/cases?per_page=200', 'property');
  assert.ok(prop.body.total > 0);
  for (const x of prop.body.items) assert.equal(x.unit_id, units.property.id);
  assert.equal((await api('GET', '/api/v1/cases', 'prop2')).body.total, 0);
  const mine = await api('GET', '/api/v1/cases?per_page=200', 'resident');
  for (const x of mine.body.items) assert.equal(x.reporter_id, uid.resident);
  assert.equal(mine.body.total, Number(sql(`SELECT count(*) FROM cases WHERE reporter_id = ${uid.resident}`)));
  /* the other community has its own demo history: only that */
  const far = await api('GET', '/api/v1/cases?per_page=200', 'farstaff');
  assert.equal(far.body.total, Number(sql(`SELECT count(*) FROM cases WHERE community = '${OTHER}'`)));
  for (const x of far.body.items) assert.equal(x.community, OTHER);
  expectError(await api('GET', `/api/v1/cases?community=${COMMUNITY}`, 'farstaff'), 404, 'not_found');
  const staffMine = await api('GET', '/api/v1/cases?mine=1', 'grid');
  for (const x of staffMine.body.items) assert.equal(x.reporter_id, uid.grid);
  // contact details: masked, and only for those who may see them
  const logged = await api('POST', '/api/v1/cases', 'staff', { category: 'noise', description: '电话反映：夜间施工', building_id: building, source: 'phone', reporter_id: uid.r2, contact_phone: '13912345678', contact_ok: false });
  assert.equal(logged.status, 201, JSON.stringify(logged.body));
  assert.equal(logged.body.contact_phone, '139****5678');
  assert.equal(logged.body.reporter_id, uid.r2);
  const asProp = await api('GET', `/api/v1/cases/${logged.body.id}`, 'property');
  assert.equal(asProp.body.contact_phone, null, 'the unit sees no contact without consent');
  assert.ok((await api('GET', '/api/v1/cases?mine=1', 'r2')).body.items.some((x) => x.id === logged.body.id));
  assert.notEqual(sql(`SELECT ${sqlHex('contact_phone_enc')} FROM cases WHERE id = ${logged.body.id}`), '');
  assert.equal(sql(`SELECT count(*) FROM cases WHERE CAST(contact_phone_enc AS TEXT) LIKE '%13912345678%'`), '0');
});

test('list filters: state, category, unit, grid, overdue, paging', async () => {
  const all = await api('GET', '/api/v1/cases?per_page=200', 'staff');
  assert.equal(all.body.total, Number(sql(`SELECT count(*) FROM cases WHERE community = '${COMMUNITY}'`)));
  for (const [q, where] of [
    ['state=dispatched', "state = 'dispatched'"],
    ['state=open', "state <> 'closed'"],
    ['category=corridor_clutter', `category_id = (SELECT id FROM case_category WHERE community = '${COMMUNITY}' AND code = 'corridor_clutter')`],
    [`unit=${units.property.id}`, `unit_id = ${units.property.id}`],
    ['unit=community', 'unit_id IS NULL'],
    [`grid=${sql(`SELECT grid_id FROM building WHERE id = ${building}`)}`, `grid_id = (SELECT grid_id FROM building WHERE id = ${building})`],
  ]) {
    const r = await api('GET', `/api/v1/cases?${q}&per_page=200`, 'staff');
    assert.equal(r.status, 200, q);
    assert.equal(r.body.total, Number(sql(`SELECT count(*) FROM cases WHERE community = '${COMMUNITY}' AND ${where}`)), q);
  }
  const p1 = await api('GET', '/api/v1/cases?per_page=5&page=1', 'staff');
  const p2 = await api('GET', '/api/v1/cases?per_page=5&page=2', 'staff');
  assert.equal(p1.body.items.length, 5);
  assert.ok(p1.body.items[4].id > p2.body.items[0].id, 'newest first, pages do not overlap');
  expectError(await api('GET', '/api/v1/cases?state=done', 'staff'), 400, 'invalid_query', 'state');
  expectError(await api('GET', '/api/v1/cases?overdue=yes', 'staff'), 400, 'invalid_query', 'overdue');
});

test('building view: every building with its open and overdue cases, as SQL counts them; the list filters by building', async () => {
  // an overdue case in the second building, and a closed one that must not count
  const late = await report('resident', { building_id: building2 });
  sql(`UPDATE cases SET overdue = 1 WHERE id = ${late.id}`);
  const done = await report('resident', { building_id: building2 });
  sql(`UPDATE cases SET state = 'closed', closed_at = ${Date.now()} WHERE id = ${done.id}`);
  const r = await api('GET', `/api/v1/cases/by-building?community=${COMMUNITY}`, 'staff');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const want = sql(`SELECT b.id || ':' || (SELECT count(*) FROM cases c WHERE c.building_id = b.id AND c.state <> 'closed')
    || ':' || (SELECT count(*) FROM cases c WHERE c.building_id = b.id AND c.state <> 'closed' AND c.overdue = 1)
    FROM building b WHERE b.community = '${COMMUNITY}' ORDER BY b.id`).split('\n');
  assert.deepEqual(r.body.items.map((b) => `${b.id}:${b.open}:${b.overdue}`), want);
  const b2 = r.body.items.find((b) => b.id === building2);
  assert.equal(b2.name, '测试楼');
  assert.ok(b2.open >= 1 && b2.overdue >= 1, JSON.stringify(b2));
  assert.ok(r.body.items.some((b) => b.open > 0 && b.id === building), 'the first building has open cases');
  assert.equal(r.body.unplaced.open, Number(sql(`SELECT count(*) FROM cases WHERE community = '${COMMUNITY}' AND building_id IS NULL AND state <> 'closed'`)));
  assert.equal(r.body.unplaced.overdue, Number(sql(`SELECT count(*) FROM cases WHERE community = '${COMMUNITY}' AND building_id IS NULL AND state <> 'closed' AND overdue = 1`)));
  assert.ok(!r.body.items.some((b) => b.id === farBuilding), 'only the community\'s buildings');
  // the inbox filtered to a building agrees with the tile
  const list = await api('GET', `/api/v1/cases?building=${building2}&state=open&per_page=200`, 'staff');
  assert.equal(list.status, 200);
  assert.equal(list.body.total, b2.open);
  for (const x of list.body.items) assert.equal(x.building_id, building2);
  const lateList = await api('GET', `/api/v1/cases?building=${building2}&overdue=1&per_page=200`, 'staff');
  assert.equal(lateList.body.total, b2.overdue);
  expectError(await api('GET', '/api/v1/cases?building=abc', 'staff'), 400, 'invalid_query', 'building');
  // scope and roles
  expectError(await api('GET', `/api/v1/cases/by-building?community=${COMMUNITY}`, 'farstaff'), 404, 'not_found');
  assert.equal((await api('GET', '/api/v1/cases/by-building', 'resident')).status, 403);
  assert.equal((await api('GET', '/api/v1/cases/by-building', 'staff')).body.community, COMMUNITY, 'the user\'s own community by default');
  expectError(await api('GET', `/api/v1/cases/by-building?community=${STREET}`, 'street'), 400, 'invalid_community', 'community');
});

test('overdue cases are flagged and escalated to the street by the sweep', async () => {
  const c = await report();
  sql(`UPDATE cases SET respond_due = 1000, resolve_due = 2000 WHERE id = ${c.id}`);
  const r = await api('GET', '/api/v1/cases?overdue=1&per_page=200', 'street');
  assert.equal(r.status, 200);
  const got = r.body.items.find((x) => x.id === c.id);
  assert.ok(got, 'the street admin sees it in the overdue list');
  assert.equal(got.overdue, true);
  assert.equal(got.overdue_respond, true);
  assert.ok(got.escalated_at);
  const h = (await api('GET', `/api/v1/cases/${c.id}`, 'staff')).body.history;
  assert.equal(h.filter((x) => x.action === 'escalate').length, 1);
  await api('GET', '/api/v1/cases?overdue=1', 'staff');
  assert.equal(sql(`SELECT count(*) FROM case_step WHERE case_id = ${c.id} AND action = 'escalate'`), '1', 'escalated once');
});

test('the working-day calendar: 2026 holidays seeded, the admin edits it, deadlines follow it', async () => {
  const r = await api('GET', '/api/v1/case-calendar?year=2026', 'resident');
  assert.equal(r.status, 200);
  const day = (d) => r.body.days.find((x) => x.date === d);
  assert.equal(day('2026-10-01').working, false);
  assert.equal(day('2026-02-16').working, false);
  assert.equal(day('2026-10-10').working, true, '调休上班');
  assert.equal(day('2026-02-14').working, true);
  assert.equal(r.body.days.filter((x) => x.working).length, 6);
  for (const who of ['resident', 'staff', 'secretary', 'street'])
    assert.equal((await api('PUT', '/api/v1/case-calendar/2027-01-01', who, { working: false })).status, 403, who);
  expectError(await api('PUT', '/api/v1/case-calendar/2027-01-01', 'admin', { working: 'no' }), 422, 'invalid_type', 'working');
  assert.equal((await api('PUT', '/api/v1/case-calendar/2027-13-01', 'admin', { working: false })).status, 404);
  // make every weekday of the next two weeks a holiday: the resolve deadline moves past them
  const today = new Date(Date.now() + 8 * 3600e3);
  const dates = [];
  for (let i = 1; i <= 14; i++) dates.push(new Date(today.getTime() + i * 86400e3).toISOString().slice(0, 10));
  const c1 = await api('POST', '/api/v1/cases', 'resident', { category: 'sanitation', description: '垃圾满溢', building_id: building2 });
  for (const d of dates) assert.equal((await api('PUT', `/api/v1/case-calendar/${d}`, 'admin', { working: false, name: '测试假日' })).status, 200);
  const c2 = await api('POST', '/api/v1/cases', 'resident', { category: 'sanitation', description: '垃圾又满了', building_id: building2 });
  assert.ok(Date.parse(c2.body.resolve_due) > Date.parse(dates[13] + 'T17:00:00+08:00'), `${JSON.stringify(c2.body)} ${dates}`);
  assert.ok(Date.parse(c2.body.resolve_due) > Date.parse(c1.body.resolve_due));
  for (const d of dates) assert.equal((await api('DELETE', `/api/v1/case-calendar/${d}`, 'admin')).status, 200);
  assert.equal((await api('DELETE', `/api/v1/case-calendar/${dates[0]}`, 'admin')).status, 404);
});

test('routing rules: category x grid -> unit, most specific wins', async () => {
  const grid = Number(sql(`SELECT grid_id FROM building WHERE id = ${building2}`));
  const r = await api('POST', '/api/v1/case-routes', 'staff', { category: 'noise', grid_id: grid, unit_id: units.police.id });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  expectError(await api('POST', '/api/v1/case-routes', 'staff', { category: 'noise', grid_id: grid, unit_id: units.police.id }), 409, 'route_exists');
  expectError(await api('POST', '/api/v1/case-routes', 'staff', { category: 'noise', unit_id: 999999 }), 422, 'unknown_unit', 'unit_id');
  expectError(await api('POST', '/api/v1/case-routes', 'staff', { category: 'noise', grid_id: Number(sql(`SELECT id FROM grid WHERE community = '${OTHER}' LIMIT 1`)), unit_id: units.police.id }), 422, 'unknown_grid', 'grid_id');
  const inGrid = await api('POST', '/api/v1/cases', 'resident', { category: 'noise', description: '夜里很吵', building_id: building2 });
  assert.equal(inGrid.body.unit_id, units.police.id);
  const elsewhere = sql(`SELECT id FROM building WHERE community = '${COMMUNITY}' AND grid_id <> ${grid} LIMIT 1`);
  const other = await api('POST', '/api/v1/cases', 'resident', { category: 'noise', description: '夜里很吵', building_id: Number(elsewhere) });
  assert.equal(other.body.unit_id, units.property.id, 'the category-wide rule');
  assert.equal((await api('DELETE', `/api/v1/case-routes/${r.body.id}`, 'staff')).status, 200);
  const units2 = await api('POST', '/api/v1/case-units', 'staff', { name: '第二物业', kind: 'property', user_ids: [uid.prop2] });
  assert.equal(units2.status, 201, JSON.stringify(units2.body));
  assert.equal(units2.body.users, 1);
  expectError(await api('POST', '/api/v1/case-units', 'staff', { name: '第三物业', kind: 'property', user_ids: [uid.resident] }), 422, 'unknown_user', 'user_ids[0]');
  expectError(await api('POST', '/api/v1/case-units', 'staff', { name: '怪单位', kind: 'alien' }), 422, 'invalid_kind', 'kind');
});

test('conflicting steps racing on one case: exactly one wins', async () => {
  for (let i = 0; i < 8; i++) {
    const c = await report();
    await step('property', c.id, 'handle');
    await step('grid', c.id, 'verify');
    const [a, b] = await Promise.all([
      step('staff', c.id, 'close'),
      step('staff', c.id, 'return', { reason: '核查未通过' }),
    ]);
    assert.deepEqual([a.status, b.status].sort(), [200, 409], `${a.status} ${b.status}`);
    const winner = a.status === 200 ? 'close' : 'return';
    const last = sql(`SELECT action || '/' || to_state FROM case_step WHERE case_id = ${c.id} ORDER BY id DESC LIMIT 1`);
    assert.equal(last, winner === 'close' ? 'close/closed' : 'return/returned');
    assert.equal(sql(`SELECT count(*) FROM case_step WHERE case_id = ${c.id} AND action IN ('close', 'return')`), '1');
  }
  // many handlers racing for one dispatched case
  const c = await report();
  const rs = await Promise.all(Array.from({ length: 6 }, () => step('property', c.id, 'handle')));
  assert.equal(rs.filter((r) => r.status === 200).length, 1);
  assert.equal(rs.filter((r) => r.status === 409).length, 5);
});

test('dashboard: the three rates by unit, category, grid and month match the cases', async () => {
  const r = await api('GET', `/api/v1/cases/stats?community=${COMMUNITY}&from=2020-01`, 'staff');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const t = r.body.total;
  const W = `community = '${COMMUNITY}'`;
  assert.equal(t.total, Number(sql(`SELECT count(*) FROM cases WHERE ${W}`)));
  assert.equal(t.open, Number(sql(`SELECT count(*) FROM cases WHERE ${W} AND state <> 'closed'`)));
  assert.equal(t.rated, Number(sql(`SELECT count(*) FROM cases WHERE ${W} AND rating IS NOT NULL`)));
  assert.equal(t.satisfied + t.basically_satisfied, Number(sql(`SELECT count(*) FROM cases WHERE ${W} AND rating IN ('satisfied', 'basically_satisfied')`)));
  assert.equal(t.responded_on_time, Number(sql(`SELECT count(*) FROM cases WHERE ${W} AND responded_at <= respond_due`)));
  assert.equal(t.closed_on_time, Number(sql(`SELECT count(*) FROM cases WHERE ${W} AND closed_at <= resolve_due AND merged_into IS NULL`)));
  assert.ok(t.satisfaction_rate > 0 && t.satisfaction_rate <= 1);
  for (const g of ['by_unit', 'by_category', 'by_grid', 'by_month'])
    assert.equal(r.body[g].reduce((s, x) => s + x.total, 0), t.total, g);
  const prop = r.body.by_unit.find((x) => x.key === String(units.property.id));
  assert.equal(prop.total, Number(sql(`SELECT count(*) FROM cases WHERE unit_id = ${units.property.id}`)));
  const street = await api('GET', `/api/v1/cases/stats?community=${STREET}&from=2020-01`, 'street');
  assert.equal(street.status, 200);
  assert.equal(street.body.total.total, Number(sql(`SELECT count(*) FROM cases WHERE community LIKE '${STREET}%'`)));
  assert.equal((await api('GET', `/api/v1/cases/stats?community=${STREET}`, 'staff')).status, 404);
  assert.equal((await api('GET', '/api/v1/cases/stats', 'resident')).status, 403);
  expectError(await api('GET', '/api/v1/cases/stats?from=2026-13', 'staff'), 400, 'invalid_query', 'from');
});

test('export to Excel', async () => {
  const r = await srv.api('GET', `/api/v1/cases/export?community=${COMMUNITY}`, { token: tok.staff });
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /spreadsheetml/);
  assert.equal(r.body.subarray(0, 2).toString(), 'PK');
  assert.equal((await srv.api('GET', `/api/v1/cases/export?community=${COMMUNITY}`, { token: tok.resident })).status, 403);
  assert.equal((await srv.api('GET', `/api/v1/cases/export?community=${COMMUNITY}`, { token: tok.farstaff })).status, 404);
});

test('settings: duplicate window and map area', async () => {
  const s = await api('GET', '/api/v1/case-settings', 'staff');
  assert.equal(s.body.dup_window_hours, 72);
  assert.ok(s.body.area);
  expectError(await api('PUT', '/api/v1/case-settings', 'staff', { area: { min_lat: 31.3, min_lon: 121.4, max_lat: 31.2, max_lon: 121.5 } }), 422, 'invalid_area', 'area');
  expectError(await api('PUT', '/api/v1/case-settings', 'staff', { area: { min_lat: 30, min_lon: 121, max_lat: 32, max_lon: 122 } }), 422, 'area_too_large', 'area');
  const p = await api('PUT', '/api/v1/case-settings', 'staff', { dup_window_hours: 24 });
  assert.equal(p.body.dup_window_hours, 24);
  assert.deepEqual(p.body.area, s.body.area);
  assert.equal((await api('PUT', '/api/v1/case-settings', 'grid', { dup_window_hours: 24 })).status, 403);
});

test('the demo has cases in many states for 幸福居委会, and the property user works a unit', async () => {
  const states = sql(`SELECT DISTINCT state FROM cases WHERE community = '${COMMUNITY}' AND description NOT LIKE '%测试%'`).split('\n');
  for (const s of ['accepted', 'dispatched', 'handling', 'closed', 'on_hold', 'reopened']) assert.ok(states.includes(s), s);
  assert.equal(sql(`SELECT count(*) FROM case_unit_user WHERE user_id = ${uid.property}`), '1');
  assert.ok(Number(sql(`SELECT count(*) FROM case_route WHERE community = '${COMMUNITY}'`)) >= 10);
});
