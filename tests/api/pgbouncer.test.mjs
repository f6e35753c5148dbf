/*
 * linli behind pgbouncer (issue 13, docs/DEPLOY.md "pgbouncer"): Debian's
 * pgbouncer in session pooling, the mode DEPLOY.md gives for Debian 12's
 * 1.18, on loopback in a temporary directory, between one `linli serve` and
 * the test cluster, beside a second server connected directly. Reads and
 * writes go through it and are seen at once by the other server; 30
 * concurrent bookings of one slot through it give exactly one; when
 * pgbouncer restarts (every server connection dropped), the server's next
 * requests succeed on new connections. PostgreSQL only; skipped, saying so,
 * where pgbouncer is not installed (scripts/deps.sh installs it).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { COMMUNITY, PG, dbSql, serveAgain, startServer } from '../lib/server.mjs';

const PGBOUNCER = '/usr/sbin/pgbouncer';
const skip = !PG ? 'PostgreSQL only (LINLI_TEST_PG=1)'
  : !existsSync(PGBOUNCER) ? 'pgbouncer is not installed (scripts/deps.sh installs it)' : false;

const MIN = 60000, DAY = 86400000, OFF = 8 * 3600000;
const todayDay = () => Math.floor((Date.now() + OFF) / DAY);
const at = (d, h, m = 0) => (todayDay() + d) * DAY - OFF + (h * 60 + m) * MIN;
const iso = (ms) => new Date(ms + OFF).toISOString().replace(/\.\d{3}Z$/, '+08:00');
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let direct, bounced, dir, port, bouncer;

async function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port: p } = s.address();
      s.close(() => resolve(p));
    });
  });
}

/* pgbouncer refuses to run as root: as root it takes the identity of postgres (or nobody), as scripts/pg.sh runs the cluster. */
function asUser() {
  if (process.getuid?.() !== 0) return [];
  return ['--user', spawnSync('id', ['postgres']).status === 0 ? 'postgres' : 'nobody'];
}

/* Starts pgbouncer on @port and resolves once it accepts connections. */
async function startBouncer() {
  bouncer = spawn(PGBOUNCER, [...asUser(), path.join(dir, 'pgbouncer.ini')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  bouncer.stderr.on('data', (d) => { err += d; });
  const deadline = Date.now() + 15000;
  for (;;) {
    const ok = await new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => { s.end(); resolve(true); });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (bouncer.exitCode !== null || Date.now() > deadline) {
      const log = existsSync(path.join(dir, 'pgbouncer.log')) ? readFileSync(path.join(dir, 'pgbouncer.log'), 'utf8') : '';
      throw new Error(`pgbouncer did not start: ${err}\n${log}`);
    }
    await sleep(50);
  }
}

async function stopBouncer() {
  if (!bouncer || bouncer.exitCode !== null) return;
  const done = new Promise((resolve) => bouncer.on('exit', resolve));
  /* SIGTERM: immediate shutdown, every client and server connection closed (SIGINT would wait for them) */
  bouncer.kill('SIGTERM');
  const late = setTimeout(() => bouncer.kill('SIGKILL'), 5000);
  await done;
  clearTimeout(late);
}

before(async () => {
  if (skip) return;
  direct = await startServer({ demo: true, residents: 100 });
  const db = new URL(direct.db);
  dir = mkdtempSync(path.join(tmpdir(), 'linli-pgbouncer-'));
  chmodSync(dir, 0o777); /* pgbouncer's own user writes its log and pid here */
  port = await freePort();
  writeFileSync(path.join(dir, 'userlist.txt'), `"${decodeURIComponent(db.username)}" ""\n`);
  writeFileSync(path.join(dir, 'pgbouncer.ini'), [
    '[databases]',
    `* = host=${db.hostname} port=${db.port}`,
    '[pgbouncer]',
    'listen_addr = 127.0.0.1',
    `listen_port = ${port}`,
    'unix_socket_dir =',
    'auth_type = trust',
    `auth_file = ${path.join(dir, 'userlist.txt')}`,
    'pool_mode = session',
    'max_client_conn = 100',
    'default_pool_size = 40',
    `logfile = ${path.join(dir, 'pgbouncer.log')}`,
    `pidfile = ${path.join(dir, 'pgbouncer.pid')}`,
    '',
  ].join('\n'));
  await startBouncer();
  db.port = String(port);
  bounced = await serveAgain({ ...direct, db: db.toString() });
});

after(async () => {
  await bounced?.stop();
  await stopBouncer();
  await direct?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('reads and writes through pgbouncer are seen at once by a server connected directly', { skip }, async () => {
  const staffB = (await bounced.login('staff')).token;
  const staffD = (await direct.login('staff')).token;
  const list = await bounced.api('GET', `/api/v1/residents?community=${COMMUNITY}&per_page=5`, { token: staffB });
  assert.equal(list.status, 200, JSON.stringify(list.body));
  assert.equal(list.body.total, Number(dbSql(direct.db, `SELECT count(*) FROM resident WHERE community = '${COMMUNITY}' AND status = 'active'`)));
  const household = list.body.items[0].household_id;
  const made = await bounced.api('POST', '/api/v1/residents', { token: staffB, body: { household_id: household, name: '经连接池', gender: 'female', birth_date: '1958-03-02' } });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  const seen = await direct.api('GET', `/api/v1/residents/${made.body.id}`, { token: staffD });
  assert.equal(seen.status, 200);
  assert.equal(seen.body.name, '经连接池');
  // and the other way round
  const edited = await direct.api('PATCH', `/api/v1/residents/${made.body.id}`, { token: staffD, body: { name: '经连接池改' } });
  assert.equal(edited.status, 200, JSON.stringify(edited.body));
  const again = await bounced.api('GET', `/api/v1/residents/${made.body.id}`, { token: staffB });
  assert.equal(again.body.name, '经连接池改');
});

test('30 concurrent bookings of one slot through pgbouncer and directly: exactly one', { skip }, async () => {
  const staff = (await direct.login('staff')).token;
  const room = await direct.api('POST', '/api/v1/rooms', { token: staff, body: { community: COMMUNITY, name: '连接池测试室', capacity: 10 } });
  assert.equal(room.status, 201, JSON.stringify(room.body));
  const users = ['resident', 'staff', 'secretary'];
  const tokens = [{}, {}];
  for (const [i, s] of [bounced, direct].entries())
    for (const u of users) tokens[i][u] = (await s.login(u)).token;
  const body = { room_id: room.body.id, start: iso(at(4, 9)), end: iso(at(4, 10)) };
  const results = await Promise.all(Array.from({ length: 30 }, (_, i) =>
    [bounced, direct][i % 3 === 0 ? 1 : 0].api('POST', '/api/v1/bookings', { token: tokens[i % 3 === 0 ? 1 : 0][users[i % users.length]], body })));
  const statuses = results.map((r) => r.status);
  assert.equal(statuses.filter((s) => s === 201).length, 1, JSON.stringify(statuses));
  assert.equal(statuses.filter((s) => s === 409).length, 29, JSON.stringify(statuses));
  assert.equal(Number(dbSql(direct.db, `SELECT count(*) FROM booking WHERE room_id = ${room.body.id} AND state IN ('pending', 'confirmed', 'checked_in')`)), 1);
});

test('pgbouncer restarts: the server behind it goes on, on new connections', { skip }, async () => {
  const token = (await bounced.login('staff')).token;
  const before = await bounced.api('GET', `/api/v1/residents?community=${COMMUNITY}&per_page=1`, { token });
  assert.equal(before.status, 200);
  await stopBouncer();
  await startBouncer();
  // every connection the server held was closed; reads and writes find new ones
  const read = await bounced.api('GET', `/api/v1/residents?community=${COMMUNITY}&per_page=1`, { token });
  assert.equal(read.status, 200, JSON.stringify(read.body));
  assert.equal(read.body.total, before.body.total);
  const household = read.body.items[0].household_id;
  const made = await bounced.api('POST', '/api/v1/residents', { token, body: { household_id: household, name: '重连之后', gender: 'male', birth_date: '1990-01-01' } });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  assert.equal(dbSql(direct.db, `SELECT name FROM resident WHERE id = ${made.body.id}`).trim(), '重连之后');
});
