// The linli command line: --help everywhere, migrations, users, divisions, backup.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, existsSync, statSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { linli, BIN, ROOT, startServer, serveAgain, COMMUNITY, dbSql, PG, pgCreateDatabase, pgDropDatabase } from '../lib/server.mjs';

const run = (args) => spawnSync(BIN, args, { encoding: 'utf8' });
const tmp = () => mkdtempSync(path.join(tmpdir(), 'linli-cli-'));

test('every command has --help', () => {
  const top = run(['--help']);
  assert.equal(top.status, 0);
  const commands = [...top.stdout.matchAll(/^ {2}(\w+) /gm)].map((m) => m[1]);
  assert.ok(commands.includes('serve') && commands.includes('backup'), top.stdout);
  // --db's two stores and the key a PostgreSQL database needs are said once, for every command
  assert.match(top.stdout, /postgresql:\/\//);
  assert.match(top.stdout, /--key FILE/);
  assert.match(run(['demo', '--help']).stdout, /--key FILE/);
  const nested = [['migrate'], ['serve'], ['demo'], ['import', 'divisions'], ['import', 'residents'],
    ['export', 'residents'], ['user', 'add'], ['backup'], ['routes']];
  for (const c of nested) {
    const r = run([...c, '--help']);
    assert.equal(r.status, 0, c.join(' '));
    assert.match(r.stdout, /usage: linli/, c.join(' '));
  }
  const bad = run(['frobnicate']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /unknown command/);
});

test('migrate is idempotent', () => {
  const dir = tmp();
  const db = path.join(dir, 'a.db');
  const first = linli(['migrate', '--db', db]).match(/schema version (\d+) \((\d+) migrations? applied\)/);
  assert.ok(first, 'migrate reports its version');
  // numbers may have gaps (a module's number reserved before it lands)
  const files = readdirSync(path.join(ROOT, 'src/store/schema')).filter((f) => /^\d{4}_.*\.sql$/.test(f)).sort();
  assert.equal(Number(first[2]), files.length, 'a new database gets every migration');
  assert.equal(Number(first[1]), parseInt(files[files.length - 1], 10), 'its version is the highest');
  const again = linli(['migrate', '--db', db]).match(/schema version (\d+) \((\d+) migrations? applied\)/);
  assert.equal(again[1], first[1]);
  assert.equal(again[2], '0');
  rmSync(dir, { recursive: true });
});

test('migrate applies an earlier version that landed after a later one', () => {
  const dir = tmp();
  const db = path.join(dir, 'a.db');
  linli(['migrate', '--db', db]);
  const q = (sql) => dbSql(db, sql).trim();
  const rows = q('SELECT version, name FROM schema_version ORDER BY version').split('\n').map((l) => l.split('|'));
  assert.ok(rows.length >= 2, 'at least two migrations');
  const [middle, file] = rows[1];
  // Undo the second migration (with three or more, one in the middle) by hand: drop the tables its file creates, forget its row.
  const text = readFileSync(new URL(`../../src/store/schema/${file}`, import.meta.url), 'utf8');
  const own = [...text.matchAll(/CREATE (?:VIRTUAL )?TABLE (?:IF NOT EXISTS )?(\w+)/g)].map((m) => m[1]);
  assert.ok(own.length > 0, `${file} creates tables`);
  q(`${own.map((t) => `DROP TABLE ${t};`).join(' ')} DELETE FROM schema_version WHERE version = ${middle};`);
  const out = linli(['migrate', '--db', db]).match(/schema version (\d+) \((\d+) migrations? applied\)/);
  assert.equal(out[2], '1', 'exactly the missing migration is applied');
  assert.equal(out[1], rows[rows.length - 1][0]);
  for (const t of own)
    assert.equal(q(`SELECT count(*) FROM sqlite_master WHERE name = '${t}'`), '1', `${t} is back`);
  rmSync(dir, { recursive: true });
});

test('import divisions of a county, and of an unknown code', () => {
  const dir = tmp();
  const db = path.join(dir, 'a.db');
  const out = linli(['import', 'divisions', '--db', db, '--county', '510105']);
  const n = Number(out.match(/imported (\d+)/)[1]);
  assert.ok(n > 50, out);
  const names = dbSql(db, "SELECT name FROM division WHERE code = '510105002002'");
  assert.match(names, /八宝街社区/);
  const again = linli(['import', 'divisions', '--db', db, '--county', '510105']);
  assert.equal(Number(again.match(/imported (\d+)/)[1]), n);
  assert.equal(dbSql(db, 'SELECT count(*) FROM division').trim(), String(n));
  const bad = run(['import', 'divisions', '--db', db, '--street', '999999999']);
  assert.notEqual(bad.status, 0);
  rmSync(dir, { recursive: true });
});

test('user add validates role, scope and password, and the user can log in', async () => {
  const srv = await startServer();
  try {
    linli(['import', 'divisions', '--db', srv.db, '--street', '310105004']);
    const out = linli(['user', 'add', '--db', srv.db, '--username', 'wang', '--password', 'secret-123',
      '--role', 'staff', '--scope', COMMUNITY]);
    assert.match(out, /created/);
    const r = await srv.api('POST', '/api/v1/auth/login', { body: { username: 'wang', password: 'secret-123' } });
    assert.equal(r.status, 200);
    assert.equal(r.body.user.scope, COMMUNITY);
    for (const [args, why] of [
      [['--role', 'king', '--scope', COMMUNITY], 'unknown role'],
      [['--role', 'staff', '--scope', '310105004'], 'staff needs a community'],
      [['--role', 'street_admin', '--scope', COMMUNITY], 'street admin needs a street'],
      [['--role', 'resident', '--scope', '999999'], 'no such household'],
      [['--role', 'staff', '--scope', '310105004999'], 'no such community'],
      [['--role', 'street_admin', '--scope', '310105999'], 'no such street'],
    ]) {
      const bad = run(['user', 'add', '--db', srv.db, '--username', 'x' + why.length, '--password', 'secret-123', ...args]);
      assert.notEqual(bad.status, 0, why);
    }
    const unknown = run(['user', 'add', '--db', srv.db, '--username', 'typo', '--password', 'secret-123', '--role', 'staff', '--scope', '310105004999']);
    assert.match(unknown.stderr, /unknown_division/);
    assert.match(unknown.stderr, /310105004999/);
    const weak = run(['user', 'add', '--db', srv.db, '--username', 'weak', '--password', 'short', '--role', 'staff', '--scope', COMMUNITY]);
    assert.notEqual(weak.status, 0);
    const dup = run(['user', 'add', '--db', srv.db, '--username', 'wang', '--password', 'secret-123', '--role', 'staff', '--scope', COMMUNITY]);
    assert.notEqual(dup.status, 0);
    assert.match(dup.stderr, /duplicate_username/);
  } finally {
    await srv.stop();
  }
});

test('backup while serving gives a consistent, usable copy', async () => {
  const srv = await startServer({ demo: true, residents: 300 });
  const dir = tmp();
  const copy = path.join(dir, 'backup.db');
  try {
    const { token } = await srv.login('staff');
    // keep writing while the backup runs
    const household = (await srv.api('GET', '/api/v1/households?per_page=1', { token })).body.items[0].id;
    const writes = (async () => {
      for (let i = 0; i < 20; i++)
        await srv.api('POST', '/api/v1/residents', { token, body: { household_id: household, name: `备份${i}`, gender: 'male', birth_date: '1990-01-01' } });
    })();
    const out = linli(['backup', '--db', srv.db, '--to', copy]);
    await writes;
    assert.match(out, /backed up/);
    assert.ok(statSync(copy).size > 0);
    // refuses to overwrite
    const again = run(['backup', '--db', srv.db, '--to', copy]);
    assert.notEqual(again.status, 0);
    if (!PG) {
      const check = dbSql(copy, 'PRAGMA integrity_check').trim();
      assert.equal(check, 'ok');
      const n = Number(dbSql(copy, 'SELECT count(*) FROM resident'));
      assert.ok(n >= 300);
      // the copy serves, with the original's key file
      linli(['migrate', '--db', copy]);
      assert.ok(existsSync(srv.db + '.key'));
      return;
    }
    // PostgreSQL: a pg_dump archive (custom format) that pg_restore lists and
    // restores into an empty database, which then migrates and serves
    const toc = execFileSync('pg_restore', ['--list', copy], { encoding: 'utf8' });
    assert.match(toc, /TABLE DATA public resident /);
    assert.match(toc, /CONSTRAINT public booking booking_no_overlap/);
    const restored = pgCreateDatabase();
    try {
      execFileSync('pg_restore', ['--no-owner', '--exit-on-error', '--dbname', restored.url, copy], { stdio: ['ignore', 'ignore', 'pipe'] });
      const n = Number(dbSql(restored.url, 'SELECT count(*) FROM resident'));
      assert.ok(n >= 300, `${n} residents restored`);
      assert.equal(dbSql(restored.url, 'SELECT count(*) FROM schema_version').trim(),
        dbSql(srv.db, 'SELECT count(*) FROM schema_version').trim());
      const migrate = run(['migrate', '--db', restored.url]);
      assert.equal(migrate.status, 0, migrate.stderr);
      const copySrv = await serveAgain({ db: restored.url, dir: srv.dir, files: srv.files });
      try {
        const me = await copySrv.login('staff');
        const name = dbSql(restored.url, `SELECT name FROM resident WHERE community = '${COMMUNITY}' ORDER BY id LIMIT 1`).trim();
        const r = await copySrv.api('GET', '/api/v1/residents?q=' + encodeURIComponent(name), { token: me.token });
        assert.equal(r.status, 200);
        assert.ok(r.body.total >= 1, JSON.stringify(r.body));
      } finally {
        await copySrv.stop();
      }
    } finally {
      pgDropDatabase(restored);
    }
  } finally {
    await srv.stop();
    rmSync(dir, { recursive: true });
  }
});

test('demo refuses a bad size, and builds the real street', () => {
  const dir = tmp();
  const db = path.join(dir, 'a.db');
  const bad = run(['demo', '--db', db, '--residents', '2000000']);
  assert.equal(bad.status, 2);
  const out = linli(['demo', '--db', db, '--residents', '250']);
  assert.match(out, /250 residents/);
  const n = dbSql(db, "SELECT count(*) FROM resident").trim();
  assert.equal(n, '250');
  const street = dbSql(db, "SELECT name FROM division WHERE code = '310105004'").trim();
  assert.equal(street, '新华路街道');
  const twice = run(['demo', '--db', db, '--residents', '10']);
  assert.equal(twice.status, 1);
  assert.match(twice.stderr, /not_empty/);
  assert.equal(dbSql(db, 'PRAGMA integrity_check').trim(), 'ok');
  rmSync(dir, { recursive: true });
});

/* A second server on a port already served fails at once, instead of sharing its connections. */
test('serve refuses a port another server already listens on', async () => {
  const srv = await startServer();
  try {
    const port = new URL(srv.url).port;
    const dir = tmp();
    const r = spawnSync(BIN, ['serve', '--db', path.join(dir, 'other.db'), '--listen', `127.0.0.1:${port}`],
      { encoding: 'utf8', timeout: 10000 });
    assert.notEqual(r.status, 0, 'the second server must not start');
    assert.equal(r.signal, null, 'it exits by itself, not by the timeout');
    assert.match(r.stderr, /cannot listen/);
    const health = await fetch(`${srv.url}/api/v1/health`);
    assert.equal(health.status, 200);
    rmSync(dir, { recursive: true });
  } finally {
    await srv.stop();
  }
});

/*
 * SIGTERM and SIGINT are taken by the server's main loop: every other thread
 * (request workers, the cases sweep, the assistant's index) must block them,
 * or the kernel may hand one to that thread and its default action ends the
 * process without a clean stop (seen once as a flaky "exited with SIGTERM").
 */
test('every thread of serve but the main one blocks SIGTERM and SIGINT', async () => {
  const srv = await startServer();
  try {
    const pid = srv.proc.pid;
    const tasks = readdirSync(`/proc/${pid}/task`).filter((t) => Number(t) !== pid);
    assert.ok(tasks.length >= 3, `threads: ${tasks}`);
    for (const t of tasks) {
      const status = readFileSync(`/proc/${pid}/task/${t}/status`, 'utf8');
      const name = status.match(/^Name:\s*(.*)$/m)[1];
      const blk = BigInt('0x' + status.match(/^SigBlk:\s*([0-9a-f]+)$/m)[1]);
      for (const sig of [2, 15])
        assert.ok(blk & (1n << BigInt(sig - 1)), `thread ${t} (${name}) does not block signal ${sig}`);
    }
  } finally {
    await srv.stop();
  }
});

test('demo on PostgreSQL: staged in a SQLite file under $TMPDIR, copied in whole, the stage removed', { skip: !PG && 'PostgreSQL only' }, () => {
  const stage = tmp();
  const db = pgCreateDatabase();
  try {
    const out = linli(['demo', '--db', db.url, '--residents', '300', '--key', process.env.LINLI_KEY],
      { env: { ...process.env, TMPDIR: stage } });
    assert.match(out, /copied into PostgreSQL: \d+ tables .*every row count and checksum matches/);
    assert.deepEqual(readdirSync(stage), [], 'the staged SQLite file is gone');
    assert.equal(Number(dbSql(db.url, 'SELECT count(*) FROM resident')), 300);
    assert.ok(Number(dbSql(db.url, 'SELECT count(*) FROM app_user')) >= 9, 'the demo logins');
    // ids go on after the copied ones: the next resident id is past the highest
    const max = Number(dbSql(db.url, 'SELECT max(id) FROM resident'));
    const next = Number(dbSql(db.url, "SELECT nextval(pg_get_serial_sequence('resident', 'id'))"));
    assert.ok(next > max, `${next} > ${max}`);
    // a second demo into the filled database is refused, and leaves no stage behind either
    const again = spawnSync(BIN, ['demo', '--db', db.url, '--residents', '10', '--key', process.env.LINLI_KEY],
      { encoding: 'utf8', env: { ...process.env, TMPDIR: stage } });
    assert.notEqual(again.status, 0);
    assert.deepEqual(readdirSync(stage), []);
  } finally {
    pgDropDatabase(db);
    rmSync(stage, { recursive: true, force: true });
  }
});
