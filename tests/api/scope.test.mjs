// Roles × endpoints × own/other community: nothing leaks across scopes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, COMMUNITY, STREET } from '../lib/server.mjs';

const OTHER = '310105004001'; // 番禺居委会, same street
let srv, tok = {}, own = {}, other = {}, residentHousehold, neighbour;
const ROLES = ['admin', 'street', 'secretary', 'staff', 'grid', 'property', 'resident'];

async function makeObjects(community, token) {
  const b = await srv.api('POST', '/api/v1/buildings', { token, body: { community, name: `矩阵楼${community.slice(-3)}`, units: 1, floors: 3 } });
  assert.equal(b.status, 201, JSON.stringify(b.body));
  const h = await srv.api('POST', '/api/v1/households', { token, body: { building_id: b.body.id, unit: 1, floor: 1, room: '101' } });
  assert.equal(h.status, 201);
  const r = await srv.api('POST', '/api/v1/residents', { token, body: { household_id: h.body.id, name: '矩阵人', gender: 'female', birth_date: '1980-01-01' } });
  assert.equal(r.status, 201);
  return { building: b.body.id, household: h.body.id, resident: r.body.id };
}

before(async () => {
  srv = await startServer({ demo: true, residents: 400 });
  for (const r of ROLES) tok[r] = (await srv.login(r)).token;
  own = await makeObjects(COMMUNITY, tok.admin);
  other = await makeObjects(OTHER, tok.admin);
  const me = await srv.api('GET', '/api/v1/me', { token: tok.resident });
  residentHousehold = me.body.household.id;
  neighbour = me.body.household.members[0].id;
});
after(async () => { await srv.stop(); });

// expected status per role, in ROLES order
const matrix = [
  ['GET', () => `/api/v1/buildings?community=${COMMUNITY}`, [200, 200, 200, 200, 200, 403, 403]],
  ['GET', () => `/api/v1/buildings?community=${OTHER}`, [200, 200, 403, 403, 403, 403, 403]],
  ['GET', () => `/api/v1/buildings/${own.building}`, [200, 200, 200, 200, 200, 403, 403]],
  ['GET', () => `/api/v1/buildings/${other.building}`, [200, 200, 404, 404, 404, 403, 403]],
  ['GET', () => `/api/v1/households/${own.household}`, [200, 200, 200, 200, 200, 403, 404]],
  ['GET', () => `/api/v1/households/${other.household}`, [200, 200, 404, 404, 404, 403, 404]],
  ['GET', () => `/api/v1/households/${residentHousehold}`, [200, 200, 200, 200, 200, 403, 200]],
  ['GET', () => `/api/v1/residents/${own.resident}`, [200, 200, 200, 200, 200, 403, 404]],
  ['GET', () => `/api/v1/residents/${other.resident}`, [200, 200, 404, 404, 404, 403, 404]],
  ['GET', () => `/api/v1/residents/${neighbour}`, [200, 200, 200, 200, 200, 403, 200]],
  ['GET', () => `/api/v1/residents?community=${OTHER}`, [200, 200, 403, 403, 403, 403, 200]],
  ['GET', () => `/api/v1/stats/community/${COMMUNITY}`, [200, 200, 200, 200, 200, 403, 403]],
  ['GET', () => `/api/v1/stats/community/${OTHER}`, [200, 200, 404, 404, 404, 403, 403]],
  ['GET', () => `/api/v1/stats/community/${STREET}`, [200, 200, 404, 404, 404, 403, 403]],
  ['GET', () => '/api/v1/audit', [200, 200, 200, 403, 403, 403, 403]],
  ['GET', () => `/api/v1/grids?community=${OTHER}`, [200, 200, 403, 403, 403, 403, 403]],
  ['GET', () => `/api/v1/tags?community=${OTHER}`, [200, 200, 403, 403, 403, 403, 403]],
  ['POST', () => '/api/v1/buildings', [201, 403, 403, 403, 403, 403, 403],
    (role) => ({ community: OTHER, name: `越权楼-${role}`, units: 1, floors: 1 })],
  ['POST', () => '/api/v1/households', [201, 403, 422, 422, 422, 403, 403],
    (role) => ({ building_id: other.building, unit: 1, floor: 2, room: `2${ROLES.indexOf(role)}` })],
  ['POST', () => '/api/v1/residents', [201, 403, 422, 422, 422, 403, 403],
    () => ({ household_id: other.household, name: '越权人', gender: 'male', birth_date: '1990-01-01' })],
  ['PATCH', () => `/api/v1/residents/${other.resident}`, [200, 403, 404, 404, 404, 403, 403],
    () => ({ relation: '户主' })],
  ['DELETE', () => `/api/v1/residents/${neighbour}`, [null, 403, null, null, 403, 403, 403]],
];

for (const [method, path, expected, body] of matrix) {
  test(`${method} ${path().replace(/\d{6,}/g, 'X')} by each role`, async () => {
    for (let i = 0; i < ROLES.length; i++) {
      if (expected[i] === null) continue;
      const role = ROLES[i];
      const r = await srv.api(method, path(), { token: tok[role], body: body ? body(role) : undefined });
      assert.equal(r.status, expected[i], `${role}: ${method} ${path()} -> ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
      if (r.status >= 400) {
        assert.equal(typeof r.body.error.code, 'string');
        assert.equal(typeof r.body.error.message, 'string');
        assert.ok(!JSON.stringify(r.body).includes('矩阵人'), 'an error leaks no data');
      }
    }
  });
}

test('unscoped lists hold only what is in scope', async () => {
  const staffList = await srv.api('GET', '/api/v1/residents?per_page=200', { token: tok.staff });
  assert.ok(staffList.body.items.length > 0);
  assert.ok(staffList.body.items.every((r) => r.community === COMMUNITY));
  const streetList = await srv.api('GET', '/api/v1/communities', { token: tok.street });
  assert.ok(streetList.body.items.length > 1);
  assert.ok(streetList.body.items.every((c) => c.code.startsWith(STREET)));
  const staffComm = await srv.api('GET', '/api/v1/communities', { token: tok.staff });
  assert.deepEqual(staffComm.body.items.map((c) => c.code), [COMMUNITY]);
  const buildings = await srv.api('GET', '/api/v1/buildings?per_page=200', { token: tok.grid });
  assert.ok(buildings.body.items.every((b) => b.community === COMMUNITY));
  const residentList = await srv.api('GET', `/api/v1/residents?per_page=200`, { token: tok.resident });
  assert.ok(residentList.body.items.every((r) => r.household_id === residentHousehold));
  const hh = await srv.api('GET', '/api/v1/households', { token: tok.resident });
  assert.deepEqual(hh.body.items.map((h) => h.id), [residentHousehold]);
});

test("a secretary's audit log holds only her community", async () => {
  const r = await srv.api('GET', '/api/v1/audit?per_page=200', { token: tok.secretary });
  assert.ok(r.body.items.length > 0);
  assert.ok(r.body.items.every((e) => e.community === COMMUNITY), JSON.stringify(r.body.items.map((e) => e.community)));
  const all = await srv.api('GET', '/api/v1/audit?per_page=200', { token: tok.admin });
  assert.ok(all.body.items.some((e) => e.community === OTHER));
});
