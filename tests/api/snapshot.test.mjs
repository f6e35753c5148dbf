/*
 * Each server thread keeps its read snapshot between GETs while nothing
 * commits (src/store/store.h), and keeps the answers of registry GETs while
 * the registry's data version is unchanged (src/http/cache.h). These tests
 * prove no GET ever answers from a stale one: a change made through the API,
 * on any connection, or by another process (the CLI) is seen by the very next
 * GET on every connection; a kept answer goes only to the user it was made
 * for, and a full view (audited) is never kept.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import http from 'node:http';
import { startServer, linli, COMMUNITY, dbSql } from '../lib/server.mjs';

let srv;
before(async () => { srv = await startServer({ demo: true, residents: 300 }); });
after(async () => { await srv.stop(); });

/* Separate keep-alive connections, so that GETs land on both server threads. */
const agents = Array.from({ length: 6 }, () => new http.Agent({ keepAlive: true, maxSockets: 1 }));
after(() => { for (const a of agents) a.destroy(); });

function getOn(agent, token, p) {
  return new Promise((resolve, reject) => {
    const req = http.get(srv.url + p, { agent, headers: { Authorization: `Bearer ${token}` } }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { data += d; });
      res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(data), text: data, cache: res.headers['x-cache'] }));
    });
    req.on('error', reject);
  });
}

test('a PATCH is seen by the next GET on every connection', async () => {
  const { token } = await srv.login('staff');
  const list = await srv.api('GET', `/api/v1/residents?community=${COMMUNITY}&per_page=1`, { token });
  assert.equal(list.status, 200);
  const id = list.body.items[0].id;
  // warm every connection: each thread now keeps a snapshot
  for (let k = 0; k < 3; k++)
    await Promise.all(agents.map((a) => getOn(a, token, `/api/v1/residents/${id}`)));

  for (let i = 1; i <= 25; i++) {
    const phone = `1370000${String(i).padStart(4, '0')}`;
    const w = await srv.api('PATCH', `/api/v1/residents/${id}`, { token, body: { phone } });
    assert.equal(w.status, 200, JSON.stringify(w.body));
    const seen = await Promise.all(agents.map((a) => getOn(a, token, `/api/v1/residents/${id}`)));
    for (const r of seen) {
      assert.equal(r.status, 200);
      assert.equal(r.body.phone_masked ?? r.body.phone, `137****${phone.slice(-4)}`, `round ${i}`);
    }
  }
});

test('a resident imported by the CLI while serving is listed at once', async () => {
  const { token } = await srv.login('staff');
  const header = '楼栋,单元,楼层,室号,面积,姓名,性别,出生日期,身份证号,手机号,与户主关系,标签';
  const names = ['快照甲', '快照乙', '快照丙'];
  for (const [n, name] of names.entries()) {
    // every connection keeps a snapshot from before the import
    for (const r of await Promise.all(agents.map((a) => getOn(a, token, `/api/v1/residents?community=${COMMUNITY}&q=${encodeURIComponent(name)}`)))) {
      assert.equal(r.status, 200);
      assert.equal(r.body.total, 0);
    }
    const csv = path.join(srv.dir, `snap${n}.csv`);
    writeFileSync(csv, `${header}\n88号楼,1,1,10${n},,${name},女,1950-03-02,,,户主,\n`);
    linli(['import', 'residents', '--db', srv.db, '--community', COMMUNITY, csv]);
    for (const r of await Promise.all(agents.map((a) => getOn(a, token, `/api/v1/residents?community=${COMMUNITY}&q=${encodeURIComponent(name)}`)))) {
      assert.equal(r.status, 200);
      assert.equal(r.body.total, 1, `${name} after the CLI import`);
      assert.equal(r.body.items[0].name, name);
    }
  }
});

test('a registry answer is kept until the registry changes, not when anything else is written', async () => {
  const { token } = await srv.login('staff');
  const url = `/api/v1/residents?community=${COMMUNITY}&per_page=20`;
  const agent = agents[0];
  const first = await getOn(agent, token, url);
  assert.equal(first.status, 200);
  assert.ok(first.body.total > 0);
  const again = await getOn(agent, token, url);
  assert.equal(again.cache, 'hit');
  assert.equal(again.text, first.text, 'a kept answer is the same bytes');

  // writes outside the registry (a login is a new session) leave it kept
  await srv.login('secretary');
  assert.equal((await getOn(agent, token, url)).cache, 'hit');

  // a registry write: the next answer is made again, and is right
  const id = first.body.items[0].id;
  const w = await srv.api('PATCH', `/api/v1/residents/${id}`, { token, body: { relation: '其他' } });
  assert.equal(w.status, 200, JSON.stringify(w.body));
  const after = await getOn(agent, token, url);
  assert.equal(after.cache, 'miss');
  assert.equal(after.body.items.find((r) => r.id === id).relation, '其他');
  assert.equal((await getOn(agent, token, url)).cache, 'hit');
});

test('a kept answer goes only to its own user', async () => {
  const staff = (await srv.login('staff')).token;
  const street = (await srv.login('street')).token;
  const url = '/api/v1/residents?per_page=5';
  const agent = agents[1];
  const a1 = await getOn(agent, staff, url);
  const a2 = await getOn(agent, staff, url);
  assert.equal(a2.cache, 'hit');
  const b1 = await getOn(agent, street, url);
  assert.equal(b1.status, 200);
  assert.notEqual(b1.cache, 'hit');
  assert.ok(b1.body.total > a1.body.total, 'the street sees more than one community');
  assert.equal((await getOn(agent, street, url)).body.total, b1.body.total);
  const grid = (await srv.login('resident')).token;
  const c1 = await getOn(agent, grid, url);
  assert.notEqual(c1.cache, 'hit');
  assert.notEqual(c1.text, a1.text);
});

test('a full view is never kept: each one is audited', async () => {
  const { token } = await srv.login('staff');
  const list = await getOn(agents[2], token, `/api/v1/residents?community=${COMMUNITY}&per_page=1`);
  const id = list.body.items[0].id;
  const count = () => Number(dbSql(srv.db, `SELECT count(*) FROM audit WHERE action = 'resident.view_full' AND object_id = ${id}`));
  const before = count();
  for (let i = 0; i < 3; i++) {
    const r = await getOn(agents[2], token, `/api/v1/residents/${id}?reveal=1`);
    assert.equal(r.status, 200);
    assert.notEqual(r.cache, 'hit');
  }
  assert.equal(count(), before + 3);
});

/*
 * Kept answers depend on the registry within the user's scope (schema 14):
 * a change in another community leaves a community worker's answers kept,
 * while the street's and the admin's, which cover both, are made again; a
 * resident moved between communities changes both; a new tag, which every
 * answer may show, changes all.
 */
test('a change in another community keeps a community worker\'s answers, not the street\'s', async () => {
  const staff = (await srv.login('staff')).token;
  const street = (await srv.login('street')).token;
  const admin = (await srv.login('admin')).token;
  const communities = await srv.api('GET', '/api/v1/communities', { token: street });
  assert.equal(communities.status, 200);
  const other = communities.body.items.map((c) => c.code).find((c) => c !== COMMUNITY);
  assert.ok(other, 'the demo street has a second community');

  const url = '/api/v1/residents?per_page=200';
  const views = [[agents[3], staff], [agents[4], street], [agents[5], admin]];
  const look = () => Promise.all(views.map(([a, t]) => getOn(a, t, url)));
  const before = await look();
  for (const r of before) assert.equal(r.status, 200);
  for (const r of await look()) assert.equal(r.cache, 'hit');

  // a building, a household and a resident in the other community
  const b = await srv.api('POST', '/api/v1/buildings', { token: admin, body: { community: other, name: '版本楼', units: 1, floors: 3 } });
  assert.equal(b.status, 201, JSON.stringify(b.body));
  let [s, t, a] = await look();
  assert.equal(s.cache, 'hit', 'a building elsewhere leaves the community worker\'s list kept');
  assert.equal(s.text, before[0].text);
  assert.equal(t.cache, 'miss', 'the street covers the other community');
  assert.equal(a.cache, 'miss');
  const h = await srv.api('POST', '/api/v1/households', { token: admin, body: { building_id: b.body.id, unit: 1, floor: 1, room: '101', area_m2: 60 } });
  assert.equal(h.status, 201, JSON.stringify(h.body));
  const p = await srv.api('POST', '/api/v1/residents', { token: admin, body: { household_id: h.body.id, name: '版本测试', gender: 'female', birth_date: '1960-01-02', relation: '户主' } });
  assert.equal(p.status, 201, JSON.stringify(p.body));
  [s, t, a] = await look();
  assert.equal(s.cache, 'hit');
  assert.equal(t.cache, 'miss');
  assert.equal(t.body.total, before[1].body.total + 1, 'the street sees the new resident at once');
  assert.equal(a.body.total, before[2].body.total + 1);

  // a resident of the worker's community moves to the other one: both change
  linli(['user', 'add', '--db', srv.db, '--username', 'other_staff', '--password', 'linli2026', '--role', 'staff', '--scope', other]);
  const otherStaff = (await srv.login('other_staff')).token;
  const there = await getOn(agents[0], otherStaff, url);
  assert.equal(there.status, 200);
  assert.equal((await getOn(agents[0], otherStaff, url)).cache, 'hit');
  const moved = before[0].body.items[0];
  const m = await srv.api('PATCH', `/api/v1/residents/${moved.id}`, { token: admin, body: { household_id: h.body.id } });
  assert.equal(m.status, 200, JSON.stringify(m.body));
  const arrived = await getOn(agents[0], otherStaff, url);
  assert.equal(arrived.cache, 'miss', 'a resident moving in changes the other community\'s answers');
  assert.equal(arrived.body.total, there.body.total + 1);
  assert.ok(arrived.body.items.some((r) => r.id === moved.id));
  [s, t] = await look();
  assert.equal(s.cache, 'miss', 'a resident moving out of the community changes its answers');
  assert.equal(s.body.total, before[0].body.total - 1);
  assert.ok(!s.body.items.some((r) => r.id === moved.id));
  assert.equal(t.body.total, before[1].body.total + 1);
  const seen = await getOn(agents[3], staff, `/api/v1/residents/${moved.id}`);
  assert.notEqual(seen.status, 200, 'the worker no longer reaches a resident of another community');

  // a tag, which every answer may show, changes every user's version
  for (const r of await look()) assert.equal(r.cache, 'hit');
  const tag = await srv.api('POST', '/api/v1/tags', { token: staff, body: { name: '版本标签', key_population: false } });
  assert.equal(tag.status, 201, JSON.stringify(tag.body));
  for (const r of await look()) assert.equal(r.cache, 'miss');
});
