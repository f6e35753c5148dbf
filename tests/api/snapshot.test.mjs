/*
 * Each server thread keeps its read snapshot between GETs while nothing
 * commits (src/store/store.h). These tests prove no GET ever answers from a
 * stale one: a change made through the API, on any connection, or by another
 * process (the CLI) is seen by the very next GET on every connection.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import http from 'node:http';
import { startServer, linli, COMMUNITY } from '../lib/server.mjs';

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
      res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(data) }));
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
