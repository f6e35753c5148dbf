// Grid workers' grids (issue 12 §2, §5): the secretary assigns a grid worker
// one or more grids of her community under 账号管理; her work queue then
// holds only the cases of those grids, and she (and her phone's 网格工作台)
// reads them back. Audited; bad input refused with nothing written.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, COMMUNITY, dbSql } from '../lib/server.mjs';
import { expectError } from '../lib/check.mjs';

let srv;
const tok = {};
const uid = {};
const sql = (q) => dbSql(srv.db, q).trim();
const api = (method, p, who, body) => srv.api(method, p, { token: tok[who], body });
let grids;

before(async () => {
  srv = await startServer({ demo: true, residents: 2000 });
  for (const u of ['secretary', 'staff', 'grid', 'property', 'street', 'resident']) {
    const { token, user } = await srv.login(u);
    tok[u] = token;
    uid[u] = user.id;
  }
  grids = (await api('GET', `/api/v1/grids?community=${COMMUNITY}`, 'secretary')).body.items;
  assert.ok(grids.length >= 3, 'the demo community has three grids');
});
after(async () => { await srv.stop(); });

const handling = (id) => Number(sql(`SELECT count(*) FROM cases WHERE community = '${COMMUNITY}' AND state = 'handling'${id ? ` AND grid_id = ${id}` : ''}`));
const waiting = async () => (await api('GET', '/api/v1/workqueue', 'grid')).body.sections.find((s) => s.key === 'cases_waiting');

test('a grid worker starts with no grid: her queue holds the whole community\'s cases to check', async () => {
  const r = await api('GET', `/api/v1/users/${uid.grid}/grids`, 'grid');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(r.body.grids, []);
  assert.ok(handling() > 0, 'the demo has cases to check');
  assert.equal((await waiting()).count, handling());
});

test('the secretary assigns her a grid: her queue holds only its cases; she reads her grids back', async () => {
  /* a grid with a case to check and a grid without one */
  const withCase = grids.find((g) => handling(g.id) > 0);
  const other = grids.find((g) => g.id !== withCase.id && Number(sql(`SELECT count(*) FROM building WHERE grid_id = ${g.id}`)) > 0);
  /* a case being handled in the other grid too, which her queue must leave out */
  const b = Number(sql(`SELECT id FROM building WHERE grid_id = ${other.id} ORDER BY id LIMIT 1`));
  const c = await api('POST', '/api/v1/cases', 'staff', { category: 'corridor_clutter', description: '楼道堆放纸箱', building_id: b });
  assert.equal(c.status, 201, JSON.stringify(c.body));
  assert.equal((await api('POST', `/api/v1/cases/${c.body.id}/handle`, 'property')).status, 200);
  assert.ok(handling(other.id) > 0);
  const auditBefore = Number(sql(`SELECT count(*) FROM audit WHERE action = 'account.grids' AND object_id = ${uid.grid}`));
  let r = await api('PUT', `/api/v1/users/${uid.grid}/grids`, 'secretary', { grid_ids: [withCase.id, withCase.id] });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(r.body.grids.map((g) => g.id), [withCase.id], 'a repeated id counts once');
  assert.equal(r.body.grids[0].name, withCase.name);
  assert.equal(Number(sql(`SELECT count(*) FROM audit WHERE action = 'account.grids' AND object_id = ${uid.grid}`)), auditBefore + 1);
  assert.equal(sql(`SELECT detail FROM audit WHERE action = 'account.grids' AND object_id = ${uid.grid} ORDER BY id DESC LIMIT 1`), JSON.stringify({ grid_ids: [withCase.id] }));

  r = await api('GET', `/api/v1/users/${uid.grid}/grids`, 'grid');
  assert.deepEqual(r.body.grids.map((g) => g.id), [withCase.id], 'she sees her own grids');
  let w = await waiting();
  assert.equal(w.count, handling(withCase.id));
  assert.ok(w.count < handling(), 'narrower than the community');

  /* two grids: both grids' cases */
  r = await api('PUT', `/api/v1/users/${uid.grid}/grids`, 'secretary', { grid_ids: [withCase.id, other.id] });
  assert.equal(r.status, 200);
  /* 账号管理's list names her grids; accounts of other roles have none */
  const listed = await api('GET', '/api/v1/users?per_page=100', 'secretary');
  const me = listed.body.items.find((u) => u.id === uid.grid);
  assert.deepEqual(me.grids.map((g) => g.id).sort(), [withCase.id, other.id].sort());
  assert.ok(listed.body.items.filter((u) => u.role !== 'grid_worker').every((u) => u.grids === undefined));
  assert.equal((await waiting()).count, handling(withCase.id) + handling(other.id));

  /* the queue's link opens the list of exactly those cases */
  const section = await waiting();
  assert.match(section.link, /grid=mine/);
  const listed2 = await api('GET', '/api/v1' + section.link + '&per_page=200', 'grid');
  assert.equal(listed2.status, 200);
  assert.equal(listed2.body.total, section.count);
  assert.ok(listed2.body.items.every((x) => [withCase.id, other.id].includes(x.grid_id)));

  /* a case to check in a grid not hers does not reach her queue */
  r = await api('PUT', `/api/v1/users/${uid.grid}/grids`, 'secretary', { grid_ids: [withCase.id] });
  w = await waiting();
  assert.ok(w.items.length > 0, 'her grid has cases to check');
  assert.ok(w.items.every((x) => Number(sql(`SELECT grid_id FROM cases WHERE id = ${x.id}`)) === withCase.id));

  /* none again: the whole community */
  r = await api('PUT', `/api/v1/users/${uid.grid}/grids`, 'secretary', { grid_ids: [] });
  assert.equal(r.status, 200);
  assert.deepEqual(r.body.grids, []);
  assert.equal((await waiting()).count, handling());
  /* none: grid=mine is her whole community */
  assert.equal((await api('GET', '/api/v1/cases?state=handling&grid=mine&per_page=1', 'grid')).body.total, handling());
});

test('bad input and the wrong people are refused, and nothing is written', async () => {
  const before = sql(`SELECT count(*) FROM user_grid`);
  const url = `/api/v1/users/${uid.grid}/grids`;
  expectError(await api('PUT', url, 'secretary', {}), 422, 'missing_field', 'grid_ids');
  expectError(await api('PUT', url, 'secretary', { grid_ids: 'all' }), 422, 'invalid_type', 'grid_ids');
  expectError(await api('PUT', url, 'secretary', { grid_ids: [grids[0].id, 'x'] }), 422, 'invalid_type', 'grid_ids[1]');
  expectError(await api('PUT', url, 'secretary', { grid_ids: [999999] }), 422, 'unknown_grid', 'grid_ids[0]');
  const far = Number(sql(`SELECT id FROM grid WHERE community <> '${COMMUNITY}' ORDER BY id LIMIT 1`));
  expectError(await api('PUT', url, 'secretary', { grid_ids: [far] }), 422, 'unknown_grid', 'grid_ids[0]');
  expectError(await api('PUT', url, 'secretary', { grid_ids: [], extra: 1 }), 422, 'unknown_field', 'extra');
  expectError(await api('PUT', url, 'secretary', { grid_ids: Array.from({ length: 51 }, (_, i) => i + 1) }), 422, 'invalid_length', 'grid_ids');
  /* only a grid worker has grids */
  expectError(await api('PUT', `/api/v1/users/${uid.staff}/grids`, 'secretary', { grid_ids: [grids[0].id] }), 422, 'not_grid_worker', 'grid_ids');
  /* she does not assign herself; staff do not manage grid workers; a resident reads no one's */
  assert.equal((await api('PUT', url, 'grid', { grid_ids: [grids[0].id] })).status, 403);
  assert.equal((await api('PUT', url, 'staff', { grid_ids: [grids[0].id] })).status, 404);
  assert.equal((await api('GET', url, 'property')).status, 404);
  assert.equal((await api('GET', url, 'resident')).status, 403);
  assert.equal((await srv.api('GET', url)).status, 401);
  assert.equal(sql(`SELECT count(*) FROM user_grid`), before, 'nothing written');
  /* the street admin manages her street's grid workers */
  const r = await api('PUT', url, 'street', { grid_ids: [grids[1].id] });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(r.body.grids.map((g) => g.id), [grids[1].id]);
});

test('a grid worker moved to another community keeps no grid of the old one in effect', async () => {
  sql(`INSERT INTO user_grid (user_id, grid_id, created_at) VALUES (${uid.grid}, ${grids[0].id}, 0) ON CONFLICT DO NOTHING`);
  const other = sql(`SELECT code FROM division WHERE level = 5 AND code <> '${COMMUNITY}' ORDER BY code LIMIT 1`);
  const r = await api('PATCH', `/api/v1/users/${uid.grid}`, 'street', { scope: other });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const g = await api('GET', `/api/v1/users/${uid.grid}/grids`, 'street');
  assert.deepEqual(g.body.grids, [], 'the old community\'s grid is not hers there');
});
