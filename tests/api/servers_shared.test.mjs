/*
 * Two `linli serve` processes on one database (issue 13): what each keeps
 * in memory stays correct when the other, or a third process, writes.
 * Sessions a server has cached end everywhere at once; rate limits count
 * the attempts made on every server; the assistant answers from an entry
 * written on the other server; the background sweeps of both servers
 * escalate each overdue case once and tell each person once. On SQLite the
 * processes share the file; with LINLI_TEST_PG=1, one PostgreSQL database.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { BIN, COMMUNITY, PASSWORD, PG, dbSql, pgCreateDatabase, pgDropDatabase, serveAgain, startServer } from '../lib/server.mjs';

const MAX_FAILURES = 3;
const MAX_MISSES = 3;
const SWEEP_MS = 200;

let a, b, confDir;
const sql = (q) => dbSql(a.db, q).trim();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/* Waits until @fn() (may be async) is true, for at most @ms; fails naming @what. */
async function until(fn, ms, what) {
  const end = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

/* A new account made by the CLI (a third process), signed in on server @srv. */
async function newUser(srv, name, role = 'staff') {
  a.linli(['user', 'add', '--db', a.db, '--username', name, '--password', PASSWORD, '--role', role, '--scope', COMMUNITY]);
  return srv.login(name);
}

/* A valid ID number nobody in the demo has. */
function unusedIdNumber(i) {
  const body = `11010119900202${String(100 + i).padStart(3, '0')}`;
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body].reduce((s, c, k) => s + Number(c) * w[k], 0);
  return body + '10X98765432'[sum % 11];
}

before(async () => {
  confDir = mkdtempSync(path.join(tmpdir(), 'linli-shared-'));
  const conf = path.join(confDir, 'linli.conf');
  writeFileSync(conf, `login_max_failures = ${MAX_FAILURES}\nsearch_max_misses = ${MAX_MISSES}\ncases_sweep_ms = ${SWEEP_MS}\n`);
  a = await startServer({ demo: true, residents: 300, extraArgs: ['--config', conf] });
  b = await serveAgain(a, { extraArgs: ['--config', conf] });
});

after(async () => {
  await b?.stop();
  await a?.stop();
  if (confDir) rmSync(confDir, { recursive: true, force: true });
});

describe('sessions a server keeps', () => {
  test('signed out on one server, a session the other server had cached ends there at once', async () => {
    const { token } = await newUser(a, 'shared_out');
    /* both servers read (and keep) the session */
    for (const s of [a, b, a, b]) assert.equal((await s.api('GET', '/api/v1/me', { token })).status, 200);
    assert.equal((await b.api('POST', '/api/v1/auth/logout', { token })).status, 200);
    assert.equal((await a.api('GET', '/api/v1/me', { token })).status, 401, 'server A still trusts its cached session');
  });

  test('an account disabled or given another role elsewhere is seen at the next request', async () => {
    const { token } = await newUser(a, 'shared_role');
    for (const s of [a, b]) {
      const me = await s.api('GET', '/api/v1/me', { token });
      assert.equal(me.status, 200);
      assert.equal(me.body.user.role, 'staff');
    }
    sql("UPDATE app_user SET role = 'grid_worker' WHERE username = 'shared_role'"); /* a third process */
    for (const s of [a, b])
      assert.equal((await s.api('GET', '/api/v1/me', { token })).body.user.role, 'grid_worker');
    sql("UPDATE app_user SET disabled = 1 WHERE username = 'shared_role'");
    for (const s of [a, b])
      assert.equal((await s.api('GET', '/api/v1/me', { token })).status, 401);
  });
});

describe('rate limits count every server', () => {
  test('failed sign-ins on two servers add up to one back-off', async () => {
    await newUser(a, 'shared_login');
    const wrong = (s) => s.api('POST', '/api/v1/auth/login', { body: { username: 'shared_login', password: 'wrong-password' } });
    for (let i = 0; i < MAX_FAILURES; i++) {
      const r = await wrong(i % 2 ? b : a);
      assert.equal(r.status, 401, `failure ${i + 1}`);
    }
    for (const s of [a, b]) {
      const r = await wrong(s);
      assert.equal(r.status, 429, 'the failures made on the other server count too');
      assert.equal(r.body.error.code, 'too_many_attempts');
      assert.ok(Number(r.headers.get('retry-after')) > 0);
    }
    /* even the right password waits */
    const right = await b.api('POST', '/api/v1/auth/login', { body: { username: 'shared_login', password: PASSWORD } });
    assert.equal(right.status, 429);
    assert.ok(Number(sql("SELECT count(*) FROM rate_limit WHERE key LIKE 'login%shared_login%'")) === 1, 'one row, in the database');
  });

  test('whole-number searches that miss on two servers add up to one limit', async () => {
    const { token } = await a.login('staff');
    const search = (s, i) => s.api('GET', `/api/v1/residents?q=${unusedIdNumber(i)}`, { token });
    for (let i = 0; i < MAX_MISSES; i++) {
      const r = await search(i % 2 ? b : a, i);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.total, 0);
    }
    for (const s of [a, b]) {
      const r = await search(s, 50);
      assert.equal(r.status, 429);
      assert.equal(r.body.error.code, 'too_many_searches');
    }
  });
});

describe('the assistant', () => {
  test('an entry written, changed and deleted on one server is answered by the other at once', async () => {
    const staff = (await a.login('staff')).token;
    const resident = (await b.login('resident')).token;
    const ask = () => b.api('POST', '/api/v1/assistant/ask', { token: resident, body: { question: '游泳馆周末开不开' } });
    /* server B has built its index before the entry exists */
    assert.equal((await ask()).status, 200);
    const question = '社区游泳馆周末几点开门？';
    let r = await a.api('POST', '/api/v1/kb/entries', { token: staff, body: {
      section: '便民服务', question, answer: '游泳馆周六周日上午九点到下午五点开放。', keywords: '游泳馆 游泳' } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const id = r.body.id;
    r = await ask();
    assert.equal(r.body.entry_id, id, JSON.stringify(r.body));
    assert.equal(r.body.answer, '游泳馆周六周日上午九点到下午五点开放。');
    r = await a.api('PATCH', `/api/v1/kb/entries/${id}`, { token: staff, body: { answer: '游泳馆冬季暂停开放。' } });
    assert.equal(r.status, 200);
    assert.equal((await ask()).body.answer, '游泳馆冬季暂停开放。');
    assert.equal((await a.api('DELETE', `/api/v1/kb/entries/${id}`, { token: staff })).status, 200);
    assert.notEqual((await ask()).body.entry_id, id);
  });
});

describe('the background sweeps of two servers', () => {
  test('each overdue case escalates once, and each person is told once', async () => {
    const resident = (await a.login('resident')).token;
    const building = Number(sql(`SELECT id FROM building WHERE community = '${COMMUNITY}' ORDER BY id LIMIT 1`));
    const ids = [];
    for (let i = 0; i < 8; i++) {
      const r = await (i % 2 ? b : a).api('POST', '/api/v1/cases', { token: resident,
        body: { category: 'corridor_clutter', description: `两台服务器超期测试 ${i}`, building_id: building } });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      ids.push(r.body.id);
    }
    const list = ids.join(',');
    const links = ids.map((i) => `'/cases/${i}'`).join(',');
    const past = Date.now() - 1000;
    /* a third process moves the deadlines behind them; no cases request follows, only the sweeps */
    sql(`UPDATE cases SET respond_due = ${past - 1000}, resolve_due = ${past} WHERE id IN (${list})`);
    await until(() => sql(`SELECT count(*) FROM cases WHERE id IN (${list}) AND escalated_at IS NOT NULL`) === String(ids.length),
      15000, 'every case to escalate');
    /* a second round, made after the first was done: both servers have swept again by the time it is */
    const more = [];
    for (let i = 0; i < 2; i++) {
      const r = await b.api('POST', '/api/v1/cases', { token: resident,
        body: { category: 'corridor_clutter', description: `第二轮 ${i}`, building_id: building } });
      more.push(r.body.id);
    }
    sql(`UPDATE cases SET respond_due = ${Date.now() - 2000}, resolve_due = ${Date.now() - 1000} WHERE id IN (${more.join(',')})`);
    await until(() => sql(`SELECT count(*) FROM case_step WHERE case_id IN (${more.join(',')}) AND action = 'escalate'`) === '2',
      15000, 'the second round to escalate');
    await until(() => sql(`SELECT count(*) FROM case_step WHERE case_id IN (${list}) AND action = 'escalate'`) === String(ids.length),
      5000, 'one escalate step per case');
    assert.equal(sql(`SELECT count(*) FROM case_step WHERE case_id IN (${list}) AND action = 'escalate'`), String(ids.length),
      'one escalate step per case, none twice');
    assert.equal(sql(`SELECT count(*) FROM (SELECT link, user_id FROM notice WHERE kind = 'case.escalated' AND link IN (${links})
      GROUP BY link, user_id HAVING count(*) > 1) AS twice`), '0', 'nobody told twice');
    /* every case told the same people (the community's staff and street admins), none missed */
    const perCase = sql(`SELECT link, count(*) FROM notice WHERE kind = 'case.escalated' AND link IN (${links}) GROUP BY link`)
      .split('\n').map((l) => Number(l.split('|')[1]));
    assert.equal(perCase.length, ids.length, 'every case told someone');
    assert.ok(perCase[0] >= 2 && perCase.every((n) => n === perCase[0]), `the same number told of each case: ${perCase}`);
  });
});

describe('servers started together', () => {
  test('three processes migrating one new database at once all succeed, each migration applied once', async () => {
    const tmp = mkdtempSync(path.join(tmpdir(), 'linli-migrate-'));
    const pgdb = PG ? pgCreateDatabase() : null;
    const db = PG ? pgdb.url : path.join(tmp, 'new.db');
    try {
      const run = () => new Promise((resolve) => {
        const p = spawn(BIN, ['migrate', '--db', db], { stdio: ['ignore', 'ignore', 'pipe'] });
        let err = '';
        p.stderr.on('data', (d) => { err += d; });
        p.on('exit', (code) => resolve({ code, err }));
      });
      const runs = await Promise.all([run(), run(), run()]);
      for (const r of runs) assert.equal(r.code, 0, r.err);
      const rows = dbSql(db, 'SELECT count(*), count(DISTINCT version), max(version) FROM schema_version').trim().split('|');
      assert.equal(rows[0], rows[1], 'no version twice');
      assert.equal(rows[2], sql('SELECT max(version) FROM schema_version'), 'all of them');
    } finally {
      if (pgdb) pgDropDatabase(pgdb);
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe('a database connection that drops', () => {
  /*
   * PostgreSQL restarted, or a proxy cut the connections: every server's
   * connection is ended from the database side (pg_terminate_backend, as a
   * restart does to each session). The next requests, reads and writes, on
   * both servers, and the background sweeps, must work on new connections.
   * On SQLite there is no connection to drop.
   */
  test('every request after the database ended the servers\' connections still works', { skip: !PG && 'PostgreSQL only' }, async () => {
    const sa = (await a.login('staff')).token;
    const sb = (await b.login('staff')).token;
    const ended = sql("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
      + " WHERE datname = current_database() AND pid <> pg_backend_pid()");
    assert.ok(Number(ended) >= 2, `connections ended: ${ended}`);
    for (let i = 0; i < 6; i++) {
      for (const [srv, tok] of [[a, sa], [b, sb]]) {
        const r = await srv.api('GET', '/api/v1/residents?per_page=1', { token: tok });
        assert.equal(r.status, 200, `GET ${i}: ${JSON.stringify(r.body)}`);
      }
    }
    /* a write on each server: a sign-in writes its session */
    assert.ok((await a.login('grid')).token);
    assert.ok((await b.login('grid')).token);
    /* and a write that starts with its own transaction */
    const r = await a.api('POST', '/api/v1/cases', { token: sa, body: { category: 'corridor_clutter', description: '连接断开后报事', building_id: Number(sql('SELECT min(id) FROM building')) } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    await sleep(SWEEP_MS * 3); /* the sweep threads meet their ended connections too */
    assert.ok(Number(sql('SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()')) >= 2,
      'the servers connected again');
  });
});
