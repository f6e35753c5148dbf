// The work queue (待办): each role's sections with counts that match the
// database and items a click away; new work raises a count and doing it
// lowers it; imports with rows not imported until marked dealt with; the
// street's comparison of its communities.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, COMMUNITY, STREET, dbSql } from '../lib/server.mjs';

let srv, other;
const tok = {};
const OFF = 8 * 3600000, DAY = 86400000;

const sql = (q) => dbSql(srv.db, q).trim();
const num = (q) => Number(sql(q));
const api = (method, p, who, body, opts = {}) => srv.api(method, p, { token: tok[who], body, ...opts });
const queue = async (who, q = '') => {
  const r = await api('GET', `/api/v1/workqueue${q}`, who);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return Object.fromEntries(r.body.sections.map((s) => [s.key, s]));
};
const iso = (ms) => new Date(ms + OFF).toISOString().replace(/\.\d{3}Z$/, '+08:00');
const dayStart = (d) => (Math.floor((Date.now() + OFF) / DAY) + d) * DAY - OFF;
const inCommunity = `community = '${COMMUNITY}'`;

before(async () => {
  srv = await startServer({ demo: true, residents: 600 });
  for (const u of ['staff', 'secretary', 'grid', 'property', 'street', 'resident', 'admin']) tok[u] = (await srv.login(u)).token;
  other = sql(`SELECT code FROM division WHERE parent_code = '${STREET}' AND code <> '${COMMUNITY}' ORDER BY code LIMIT 1`);
  srv.linli(['user', 'add', '--db', srv.db, '--username', 'farstaff', '--password', 'linli2026', '--role', 'staff', '--scope', other]);
  tok.farstaff = (await srv.login('farstaff')).token;
});
after(async () => { await srv.stop(); });

test('staff see every section, with the demo work in it and counts that match the database', async () => {
  const r = await api('GET', '/api/v1/workqueue', 'staff');
  assert.equal(r.status, 200);
  assert.deepEqual(r.body.sections.map((s) => s.key), ['cases_waiting', 'cases_overdue', 'bookings_pending', 'handoffs', 'registrations', 'imports']);
  assert.equal(r.body.total, r.body.sections.reduce((t, s) => t + s.count, 0));
  const q = Object.fromEntries(r.body.sections.map((s) => [s.key, s]));
  assert.equal(q.cases_waiting.count, num(`SELECT count(*) FROM cases WHERE ${inCommunity} AND state IN ('accepted','returned','verified','reopened')`));
  assert.equal(q.cases_overdue.count, num(`SELECT count(*) FROM cases WHERE ${inCommunity} AND overdue = 1 AND state <> 'closed'`));
  assert.ok(q.cases_waiting.count > 0, 'the demo has cases waiting');
  for (const s of r.body.sections) {
    assert.ok(s.items.length <= 5 && s.items.length <= s.count, s.key);
    assert.match(s.title, /[\u4e00-\u9fff]/);
    assert.ok(s.link.startsWith('/'));
    for (const it of s.items) assert.ok(it.link.startsWith('/') && it.title && it.at, JSON.stringify(it));
  }
  const c = q.cases_waiting.items[0];
  assert.equal(c.link, `/cases/${c.id}`);
  assert.match(c.title, new RegExp(`^#${c.id} `));
  // the demo's booking to approve, 转人工 request and import with errors
  assert.equal(q.bookings_pending.count, 1);
  assert.match(q.bookings_pending.items[0].detail, /合唱团/);
  assert.equal(q.bookings_pending.items[0].link, '/approvals');
  assert.equal(q.handoffs.count, 1);
  assert.match(q.handoffs.items[0].title, /助浴/);
  assert.match(q.handoffs.items[0].detail, /李阿姨/);
  // the demo's two registrations by phone waiting for their address to be confirmed
  assert.equal(q.registrations.count, 2);
  assert.equal(q.registrations.items[0].link, '/registrations');
  assert.match(q.registrations.items[0].detail, /\d{3}\*{4}\d{4}/);
  assert.equal(q.imports.count, 1);
  assert.equal(q.imports.items[0].title, '3号楼住户信息.xlsx');
  assert.match(q.imports.items[0].detail, /2 行未导入/);
  assert.equal(q.imports.items[0].link, `/import?log=${q.imports.items[0].id}`);
});

test('each role gets its own sections; residents and strangers none', async () => {
  const g = await queue('grid');
  assert.deepEqual(Object.keys(g), ['cases_waiting', 'cases_overdue']);
  assert.equal(g.cases_waiting.count, num(`SELECT count(*) FROM cases WHERE ${inCommunity} AND state = 'handling'`));
  assert.equal(g.cases_waiting.title, '待核查的案件');

  const p = await queue('property');
  assert.deepEqual(Object.keys(p), ['cases_waiting', 'cases_overdue']);
  const units = `(SELECT unit_id FROM case_unit_user WHERE user_id = (SELECT id FROM app_user WHERE username = 'property'))`;
  assert.equal(p.cases_waiting.count, num(`SELECT count(*) FROM cases WHERE state IN ('dispatched','handling') AND unit_id IN ${units}`));
  assert.equal(p.cases_overdue.count, num(`SELECT count(*) FROM cases WHERE overdue = 1 AND state <> 'closed' AND unit_id IN ${units}`));

  const s = await queue('street');
  assert.deepEqual(Object.keys(s), ['cases_waiting', 'cases_overdue', 'handoffs']);
  assert.equal(s.cases_overdue.count, num(`SELECT count(*) FROM cases WHERE community LIKE '${STREET}%' AND overdue = 1 AND state <> 'closed'`));
  const one = await queue('street', `?community=${other}`);
  assert.equal(one.handoffs.count, 0, 'the demo request is in another community');

  assert.equal((await api('GET', '/api/v1/workqueue', 'resident')).status, 403);
  assert.equal((await srv.api('GET', '/api/v1/workqueue')).status, 401);
  let r = await api('GET', `/api/v1/workqueue?community=${other}`, 'staff');
  assert.equal(r.status, 403);
  r = await api('GET', '/api/v1/workqueue?community=12x', 'staff');
  assert.equal(r.status, 400);
  assert.equal(r.body.error.field, 'community');
});

test('new work raises a count and doing it lowers it', async () => {
  const room = (await api('POST', '/api/v1/rooms', 'staff', { community: COMMUNITY, name: '待办测试室', capacity: 10, rules: { needs_approval: true, open_24h: true } })).body;
  assert.ok(room.id, JSON.stringify(room));
  const start = dayStart(2) + 10 * 3600000;
  let r = await api('POST', '/api/v1/bookings', 'resident', { room_id: room.id, start: iso(start), end: iso(start + 3600000) });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.state, 'pending');
  const booking = r.body.id;
  assert.equal((await queue('staff')).bookings_pending.count, 2);
  assert.equal((await api('POST', `/api/v1/bookings/${booking}/approve`, 'staff')).status, 200);
  assert.equal((await queue('staff')).bookings_pending.count, 1);

  // a case past its deadline: overdue, first in the waiting list
  const before = await queue('staff');
  const id = num(`SELECT id FROM cases WHERE ${inCommunity} AND state = 'accepted' AND overdue = 0 ORDER BY id LIMIT 1`);
  assert.ok(id, 'an accepted case');
  sql(`UPDATE cases SET overdue = 1 WHERE id = ${id}`);
  const now = await queue('staff');
  assert.equal(now.cases_overdue.count, before.cases_overdue.count + 1);
  assert.equal(now.cases_waiting.items[0].overdue, true, 'overdue ones first');
  assert.ok(now.cases_overdue.items.some((x) => x.id === id) || now.cases_overdue.count > 5);
});

test('an import with rows not imported waits in the queue until marked dealt with', async () => {
  const csv = '楼栋,单元,楼层,室号,面积,姓名,性别,出生日期,身份证号,手机号,与户主关系,标签\n'
    + '待办楼,1,1,101,50,待办甲,女,1960-01-02,,,户主,\n'
    + '待办楼,1,1,102,50,待办乙,男,1960-01-02,110101196001020000,,户主,\n'
    + '待办楼,1,1,103,50,待办丙,男,1960-01-02,,123,户主,\n';
  let r = await api('POST', `/api/v1/residents/import?community=${COMMUNITY}&name=${encodeURIComponent('待办楼.csv')}`, 'staff', undefined,
    { raw: csv, headers: { 'Content-Type': 'text/csv' } });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.imported, 1);
  assert.equal(r.body.rejected.length, 2);
  const q = await queue('staff');
  assert.equal(q.imports.count, 2);
  const item = q.imports.items[0];
  assert.equal(item.title, '待办楼.csv');
  r = await api('GET', `/api/v1/imports/${item.id}`, 'staff');
  assert.equal(r.status, 200);
  assert.deepEqual([r.body.imported, r.body.rejected, r.body.total_rows, r.body.resolved_at], [1, 2, 3, null]);
  assert.deepEqual(r.body.errors.map((e) => e.line), [3, 4]);
  assert.deepEqual(r.body.errors.map((e) => e.field), ['id_number', 'phone']);
  assert.ok(r.body.errors.every((e) => /[\u4e00-\u9fff]/.test(e.message)));
  let list = await api('GET', `/api/v1/imports?errors=1`, 'staff');
  assert.ok(list.body.items.some((x) => x.id === item.id));

  // an import without errors is logged but waits for nobody
  r = await api('POST', `/api/v1/residents/import?community=${COMMUNITY}`, 'staff', undefined,
    { raw: '楼栋,单元,室号,姓名,性别,出生日期\n待办楼,1,104,待办丁,女,1970-03-04\n', headers: { 'Content-Type': 'text/csv' } });
  assert.equal(r.status, 200);
  list = await api('GET', '/api/v1/imports', 'staff');
  const clean = list.body.items[0];
  assert.deepEqual([clean.rejected, clean.file_name], [0, '']);
  assert.equal((await queue('staff')).imports.count, 2);

  // who may mark it: not a grid worker, not another community's staff
  assert.equal((await api('POST', `/api/v1/imports/${item.id}/resolve`, 'grid')).status, 403);
  assert.equal((await api('POST', `/api/v1/imports/${item.id}/resolve`, 'farstaff')).status, 404);
  assert.equal((await api('GET', `/api/v1/imports/${item.id}`, 'farstaff')).status, 404);
  r = await api('POST', `/api/v1/imports/${item.id}/resolve`, 'secretary');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.ok(r.body.resolved_at);
  assert.equal((await queue('staff')).imports.count, 1);
  r = await api('POST', `/api/v1/imports/${item.id}/resolve`, 'staff');
  assert.equal(r.status, 409);
  assert.equal(r.body.error.code, 'already_resolved');
  assert.equal(sql(`SELECT count(*) FROM audit WHERE action = 'import.resolve' AND object_id = ${item.id}`), '1');
  assert.equal((await api('GET', '/api/v1/imports/999999', 'staff')).status, 404);
  assert.equal((await api('GET', '/api/v1/imports?errors=2', 'staff')).status, 400);
});

test('import templates: an .xlsx and a CSV that import as they are', async () => {
  let r = await api('GET', '/api/v1/residents/template', 'grid');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /spreadsheetml/);
  assert.match(r.headers.get('content-disposition'), /filename\*=UTF-8''%E5%B1%85/);
  const xlsx = r.body;
  assert.equal(xlsx.subarray(0, 2).toString(), 'PK');
  r = await api('GET', '/api/v1/residents/template?format=csv', 'staff');
  assert.equal(r.status, 200);
  const csv = r.body.toString('utf8').replace(/^\uFEFF/, '').split('\r\n');
  assert.equal(csv[0], '楼栋,单元,楼层,室号,面积,姓名,性别,出生日期,身份证号,手机号,与户主关系,标签,迁入日期');
  assert.match(csv[1], /^1号楼,1,3,301,68\.5,张三,男,1950-03-07,110101195003079771,/);
  // the example row imports (into another community, so as not to disturb the rest)
  srv.linli(['user', 'add', '--db', srv.db, '--username', 'tplstaff', '--password', 'linli2026', '--role', 'staff', '--scope', other]);
  tok.tplstaff = (await srv.login('tplstaff')).token;
  r = await api('POST', `/api/v1/residents/import?community=${other}`, 'tplstaff', undefined,
    { raw: xlsx, headers: { 'Content-Type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' } });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual([r.body.imported, r.body.rejected.length], [1, 0]);
  assert.equal((await api('GET', '/api/v1/residents/template?format=pdf', 'staff')).status, 400);
  assert.equal((await api('GET', '/api/v1/residents/template', 'resident')).status, 403);
});

test('the street compares its communities', async () => {
  const r = await api('GET', '/api/v1/stats/communities', 'street');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.street, STREET);
  assert.match(r.body.from_month, /^\d{4}-\d{2}$/);
  const codes = sql(`SELECT code FROM division WHERE level = 5 AND code LIKE '${STREET}%' ORDER BY code`).split('\n');
  assert.deepEqual(r.body.items.map((x) => x.code), codes);
  const mine = r.body.items.find((x) => x.code === COMMUNITY);
  assert.equal(mine.residents, num(`SELECT count(*) FROM resident WHERE ${inCommunity} AND status = 'active'`));
  assert.equal(mine.households, num(`SELECT count(*) FROM household WHERE ${inCommunity}`));
  assert.equal(mine.cases_open, num(`SELECT count(*) FROM cases WHERE ${inCommunity} AND state <> 'closed'`));
  assert.equal(mine.cases_overdue, num(`SELECT count(*) FROM cases WHERE ${inCommunity} AND overdue = 1 AND state <> 'closed'`));
  assert.equal(mine.handoffs_open, 1);
  for (const x of r.body.items) {
    for (const k of ['response_rate', 'on_time_rate', 'satisfaction_rate'])
      assert.ok(x[k] === null || (x[k] >= 0 && x[k] <= 1), `${x.name} ${k} ${x[k]}`);
    assert.match(x.name, /[\u4e00-\u9fff]/);
  }
  assert.ok(r.body.items.reduce((t, x) => t + x.residents, 0) === num(`SELECT count(*) FROM resident WHERE community LIKE '${STREET}%' AND status = 'active'`));
  assert.equal((await api('GET', '/api/v1/stats/communities', 'staff')).status, 403);
  assert.equal((await api('GET', '/api/v1/stats/communities', 'admin')).status, 400);
  assert.equal((await api('GET', `/api/v1/stats/communities?street=${STREET}`, 'admin')).status, 200);
  assert.equal((await api('GET', '/api/v1/stats/communities?street=3101', 'admin')).status, 400);
  assert.equal((await api('GET', '/api/v1/stats/communities?street=310105005', 'street')).status, 403);
});
