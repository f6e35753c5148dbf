// `linli demo` tells a true story: communities of different sizes (not an
// even share each), demo cases filed under the building their text names (and
// the unit, when it names one), reported at hours people report things.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, COMMUNITY } from '../lib/server.mjs';

let srv, admin, staff;

before(async () => {
  srv = await startServer({ demo: true, residents: 3000 });
  admin = (await srv.login('admin')).token;
  staff = (await srv.login('staff')).token;
});
after(async () => { await srv.stop(); });

const get = (p, token) => srv.api('GET', '/api/v1' + p, { token });

test('the street\'s communities differ in size, and the staff\'s community is among the largest', async () => {
  const r = await get('/communities?per_page=200', admin);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const list = Array.isArray(r.body) ? r.body : r.body.items;
  assert.ok(list.length >= 3, 'a street of several communities');
  const sizes = list.map((c) => c.residents);
  assert.equal(sizes.reduce((a, b) => a + b, 0), 3000, 'every resident in one community');
  assert.ok(new Set(sizes).size >= list.length - 1, 'sizes differ: ' + sizes);
  const min = Math.min(...sizes), max = Math.max(...sizes);
  assert.ok(max >= 2.5 * min, `small and large communities: ${min}..${max}`);
  const own = list.find((c) => c.code === COMMUNITY).residents;
  assert.ok(own >= sizes.slice().sort((a, b) => b - a)[2], 'the staff\'s community is one of the three largest');
});

test('each demo case that names a building is filed under it, and under its unit when it names one', async () => {
  const r = await get(`/cases?community=${COMMUNITY}&per_page=100`, staff);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const items = r.body.items;
  assert.ok(items.length >= 20, 'the demo has cases: ' + items.length);
  let named = 0;
  for (const c of items) {
    const m = /(\d+)号楼/.exec(c.description);
    if (!m) continue;
    named++;
    assert.equal(c.building_name, `${m[1]}号楼`, `case ${c.id} "${c.description}"`);
    const u = /([1-9])单元/.exec(c.description);
    if (u) assert.equal(c.unit_no ?? c.unit, Number(u[1]), `case ${c.id} "${c.description}" unit`);
  }
  assert.ok(named >= 5, 'several cases name their building: ' + named);
});

test('demo cases were reported at plausible hours (Beijing time, 07:00-22:59)', async () => {
  const r = await get(`/cases?community=${COMMUNITY}&per_page=100`, staff);
  for (const c of r.body.items) {
    const hour = Number(/T(\d{2}):/.exec(c.created_at)[1]);
    assert.match(c.created_at, /\+08:00$/);
    assert.ok(hour >= 7 && hour <= 22, `case ${c.id} reported at ${c.created_at}`);
  }
});
