// Moving a district (issue 13): `linli export-db` copies a SQLite database
// into PostgreSQL and `linli import-db` back, losing nothing; the servers
// then serve the copies. Needs PostgreSQL: LINLI_TEST_PG_URL's cluster, or
// one started with scripts/pg.sh (skipped when no initdb is installed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BIN, ROOT, PASSWORD, COMMUNITY, dbSql, pgCreateDatabase, pgDropDatabase } from '../lib/server.mjs';

const initdb = () => process.env.LINLI_TEST_PG_URL
  || ['/usr/lib/postgresql'].some((d) => existsSync(d) && readdirSync(d).some((v) => existsSync(path.join(d, v, 'bin', 'initdb'))));

/* The CLI with each database's own key (LINLI_KEY, which the PG test helpers set, would override <db>.key). */
function cli(args, extraEnv = {}) {
  const env = { ...process.env, ...extraEnv };
  delete env.LINLI_KEY;
  return spawnSync(BIN, args, { cwd: ROOT, encoding: 'utf8', env });
}

/* table -> { src, dst, srcSum, dstSum } from the command's report */
function report(stdout) {
  const rows = new Map();
  for (const line of stdout.split('\n')) {
    const m = line.match(/^(\w+)\s+(\d+)\s+(\d+)\s+([0-9a-f]{32})\s+([0-9a-f]{32})/);
    if (m) rows.set(m[1], { src: Number(m[2]), dst: Number(m[3]), srcSum: m[4], dstSum: m[5] });
  }
  return rows;
}

/* Every table's rows, sorted, as sqlite3's .dump writes them (schema_version's dates aside). */
function dump(db) {
  const out = spawnSync('sqlite3', [db, '.dump'], { encoding: 'utf8', maxBuffer: 1 << 28 }).stdout;
  return out.split('\n').filter((l) => l.startsWith('INSERT INTO') && !l.startsWith('INSERT INTO schema_version')).sort();
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/* `linli serve` on @db with @key; { api, stop } */
async function serve(db, key) {
  const port = await freePort();
  const env = { ...process.env };
  delete env.LINLI_KEY;
  const proc = spawn(BIN, ['serve', '--db', db, '--key', key, '--listen', `127.0.0.1:${port}`, '--log-level', 'warn'],
    { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15000;
  for (;;) {
    try {
      if ((await fetch(`${url}/api/v1/health`)).ok) break;
    } catch { /* not up yet */ }
    if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`linli serve did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const api = async (method, p, { token, body } = {}) => {
    const headers = {};
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body) headers['Content-Type'] = 'application/json';
    const res = await fetch(url + p, { method, headers, body: body && JSON.stringify(body) });
    return { status: res.status, body: await res.json() };
  };
  return {
    api,
    async token(username) {
      const r = await api('POST', '/api/v1/auth/login', { body: { username, password: PASSWORD } });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return r.body.token;
    },
    async stop() {
      proc.kill('SIGTERM');
      const { code, signal } = await exited;
      if (code !== 0) throw new Error(`linli serve exited with ${code ?? signal}:\n${stderr}`);
    },
  };
}

/* The indexes and constraints of a PostgreSQL database, as text. */
function pgSchema(url) {
  return dbSql(url, "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY 1").trim().split('\n')
    .concat(dbSql(url, 'SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), condeferrable FROM pg_constraint'
      + ' WHERE connamespace = current_schema()::regnamespace ORDER BY 1, 2').trim().split('\n'));
}

/* What a staff member sees of a district: a resident revealed, and a count. */
async function look(srv) {
  const token = await srv.token('staff');
  const list = await srv.api('GET', `/api/v1/residents?community=${COMMUNITY}&per_page=5`, { token });
  assert.equal(list.status, 200, JSON.stringify(list.body));
  const id = list.body.items[0].id;
  const one = await srv.api('GET', `/api/v1/residents/${id}?reveal=1`, { token });
  assert.equal(one.status, 200, JSON.stringify(one.body));
  return { total: list.body.total, id, idNumber: one.body.id_number, phone: one.body.phone, token };
}

test('export-db and import-db: SQLite -> PostgreSQL -> SQLite, nothing lost; a pg_dump backup restores; all served', { skip: !initdb() && 'no PostgreSQL (initdb) installed' }, async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'linli-export-db-'));
  const a = path.join(dir, 'a.db');
  const b = path.join(dir, 'b.db');
  const pg = pgCreateDatabase();
  const pg2 = pgCreateDatabase();
  const pg3 = pgCreateDatabase();
  const pg4 = pgCreateDatabase();
  try {
    let r = cli(['demo', '--db', a, '--residents', '200']);
    assert.equal(r.status, 0, r.stderr);
    // values that COPY's text format must escape (tab, newline, CR, backslash, a text "\N" beside a
    // NULL, "\\x"), bytes of every kind in a blob, 4-byte UTF-8, the ends of int64 and double
    const last = dbSql(a, 'SELECT max(id) FROM resident').trim();
    const ann = dbSql(a, 'SELECT min(id) FROM announcement').trim();
    const kase = dbSql(a, 'SELECT min(id) FROM cases').trim();
    assert.ok(last && ann && kase, 'the demo has residents, announcements and cases');
    const title = 'tab\there\\t';
    const body = 'back\\slash\nline\r\n\\N \\\\x00 end\\';
    const sq = (t) => `'${t.replace(/'/g, "''")}'`;
    dbSql(a, `UPDATE announcement SET title = ${sq(title)}, body = ${sq(body)}, ends_at = 9223372036854775807,`
      + ` households = -9223372036854775807 WHERE id = ${ann}`);
    dbSql(a, `UPDATE resident SET name = '𠮷😀名', phone_masked = ${sq('\\N')}, id_masked = NULL,`
      + ` phone_hash = X'005C0A090D4E5C5C78FF' WHERE id = ${last}`);
    dbSql(a, `UPDATE cases SET lat = 31.123456789012345, lon = 2.2250738585072014e-308 WHERE id = ${kase}`);
    // a table keyed by text that takes more than one page (2,000 rows) to read: the next page
    // starts after the last key read, which must hold still while the page is read (it lost rows)
    dbSql(a, 'WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 2999)'
      + ' INSERT INTO case_stat (community, month, unit_id, category_id, grid_id, total)'
      + " SELECT printf('9%011d', i / 25), 202601 + (i * 7) % 12, 0, 1000 + i % 25, 0, 1 FROM n");

    // SQLite -> an empty PostgreSQL database (no tables: export-db migrates it)
    r = cli(['export-db', '--db', a, '--to', pg.url]);
    assert.equal(r.status, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /every row count and checksum matches/);
    const there = report(r.stdout);
    const tables = dbSql(a, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_version'")
      .trim().split('\n').sort();
    assert.deepEqual([...there.keys()].sort(), tables, 'every table of the schema is copied and reported');
    assert.equal(there.get('resident').src, 200);
    assert.ok(there.get('case_stat').src >= 3000);
    for (const [t, x] of there) {
      assert.equal(x.dst, x.src, `${t}: rows`);
      assert.equal(x.dstSum, x.srcSum, `${t}: checksum`);
      assert.equal(x.dst, Number(dbSql(pg.url, `SELECT count(*) FROM ${t}`).trim()), `${t}: rows in PostgreSQL`);
    }
    // encrypted fields went over as bytes
    const hexA = dbSql(a, 'SELECT hex(id_enc) FROM resident ORDER BY id LIMIT 3').trim();
    assert.ok(hexA.length > 0);
    assert.equal(dbSql(pg.url, "SELECT upper(encode(id_enc, 'hex')) FROM resident ORDER BY id LIMIT 3").trim(), hexA);
    // and the awkward values unchanged (psql -A: read as JSON to see tabs and newlines as they are)
    const got = JSON.parse(dbSql(pg.url, `SELECT json_build_object('title', title, 'body', body, 'ends', ends_at::text,`
      + ` 'hh', households::text) FROM announcement WHERE id = ${ann}`));
    assert.deepEqual(got, { title, body, ends: '9223372036854775807', hh: '-9223372036854775807' });
    assert.equal(dbSql(pg.url, `SELECT name || '|' || phone_masked || '|' || (id_masked IS NULL) || '|' || encode(phone_hash, 'hex')`
      + ` FROM resident WHERE id = ${last}`).trim(), '𠮷😀名|\\N|true|005c0a090d4e5c5c78ff');
    // the same doubles, bit for bit (PostgreSQL prints the shortest text that reads back the same)
    const pgLatLon = dbSql(pg.url, `SELECT lat::text || ' ' || lon::text FROM cases WHERE id = ${kase}`).trim().split(' ').map(Number);
    const liteLatLon = dbSql(a, `SELECT printf('%!.17g %!.17g', lat, lon) FROM cases WHERE id = ${kase}`).trim().split(' ').map(Number);
    assert.deepEqual(pgLatLon, liteLatLon);
    assert.ok(Math.abs(pgLatLon[0] - 31.123456789012345) < 1e-14 && pgLatLon[1] === 2.2250738585072014e-308, String(pgLatLon));

    // with every table loaded as a big one (its indexes and foreign keys dropped, then made again):
    // the same rows, and the same indexes and constraints as the row-by-row path left
    r = cli(['export-db', '--db', a, '--to', pg4.url], { LINLI_COPY_BULK_ROWS: '1' });
    assert.equal(r.status, 0, r.stderr + r.stdout);
    for (const [t, x] of report(r.stdout))
      assert.equal(x.dstSum, there.get(t).srcSum, `${t}: bulk-loaded`);
    const schema4 = pgSchema(pg4.url);
    assert.ok(schema4.length > 300, 'indexes and constraints listed');
    assert.deepEqual(schema4, pgSchema(pg.url));

    // a target that is not empty is refused, and left alone
    r = cli(['export-db', '--db', a, '--to', pg.url]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /not empty/);
    assert.equal(Number(dbSql(pg.url, 'SELECT count(*) FROM resident').trim()), 200);
    // so is one at another schema version
    dbSql(pg2.url, 'CREATE TABLE schema_version (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL);'
      + " INSERT INTO schema_version VALUES (1, '0001_init.sql', 0)");
    r = cli(['export-db', '--db', a, '--to', pg2.url]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /schema version/);

    // PostgreSQL -> a new SQLite file, with the key beside it
    r = cli(['import-db', '--db', b, '--from', pg.url, '--key', `${a}.key`]);
    assert.equal(r.status, 0, r.stderr + r.stdout);
    const back = report(r.stdout);
    for (const [t, x] of back) {
      assert.equal(x.src, there.get(t).src, `${t}: rows back`);
      assert.equal(x.srcSum, there.get(t).srcSum, `${t}: the same checksum on all three`);
    }
    assert.deepEqual(readFileSync(`${b}.key`), readFileSync(`${a}.key`));
    const da = dump(a);
    const db = dump(b);
    assert.ok(da.length > 1000);
    assert.deepEqual(db, da, 'the round trip gives the same rows');
    assert.equal(dbSql(b, "SELECT count(*) FROM sqlite_master WHERE type = 'trigger'").trim(),
      dbSql(a, "SELECT count(*) FROM sqlite_master WHERE type = 'trigger'").trim(), 'triggers are back');

    // linli backup on PostgreSQL is a pg_dump archive; pg_restore into a new database gives the same rows
    const dumpFile = path.join(dir, 'pg.dump');
    r = cli(['backup', '--db', pg.url, '--to', dumpFile]);
    assert.equal(r.status, 0, r.stderr);
    r = spawnSync('pg_restore', ['--no-owner', '--exit-on-error', '-d', pg3.url, dumpFile], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    r = cli(['export-db', '--db', pg3.url, '--to', path.join(dir, 'restored.db')]);
    assert.equal(r.status, 0, r.stderr + r.stdout);
    for (const [t, x] of report(r.stdout))
      assert.equal(x.srcSum, there.get(t).srcSum, `${t}: restored from the backup`);

    // the servers serve the copies: logins, full ID numbers decrypt, new rows get new ids
    const sa = await serve(a, `${a}.key`);
    const want = await look(sa);
    await sa.stop();
    assert.match(want.idNumber, /^\d{17}[\dX]$/);
    for (const [db, key] of [[pg.url, `${a}.key`], [b, `${b}.key`], [pg3.url, `${a}.key`]]) {
      const srv = await serve(db, key);
      try {
        const got = await look(srv);
        assert.deepEqual({ ...got, token: 0 }, { ...want, token: 0 }, db);
        const room = await srv.api('POST', '/api/v1/rooms', {
          token: got.token, body: { community: COMMUNITY, name: '迁移后新建', capacity: 10 },
        });
        assert.equal(room.status, 201, JSON.stringify(room.body));
        assert.equal(room.body.id, Number(dbSql(a, 'SELECT max(id) FROM room').trim()) + 1, 'the id sequence goes on after the copied rows');
      } finally {
        await srv.stop();
      }
    }
  } finally {
    pgDropDatabase(pg);
    pgDropDatabase(pg2);
    pgDropDatabase(pg3);
    pgDropDatabase(pg4);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('export-db --help, and a missing source', () => {
  let r = cli(['export-db', '--help']);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /usage: linli export-db --db SOURCE --to TARGET/);
  r = cli(['import-db', '--help']);
  assert.equal(r.status, 0);
  r = cli(['export-db', '--db', '/nonexistent/x.db', '--to', '/nonexistent/y.db']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /no database/);
  r = cli(['export-db', '--db', 'x.db']);
  assert.equal(r.status, 2);
});
