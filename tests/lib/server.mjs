/*
 * Starts a real `linli serve` on a temporary database and a free port, as
 * redis's start_server does. Used by the API and browser tests.
 *
 *   const srv = await startServer({ demo: true });
 *   const { token } = await srv.login('staff');
 *   const res = await srv.api('GET', '/api/v1/residents', { token });
 *   await srv.stop();   // fails if the server did not exit cleanly (sanitizers)
 *
 * LINLI_BIN selects the binary (default build/linli); LINLI_TEST_LOG=FILE
 * appends every server's log to FILE.
 *
 * PostgreSQL (issue 13): with LINLI_TEST_PG=1 each server gets a fresh
 * database in a PostgreSQL cluster instead of a SQLite file, and srv.db is
 * its postgresql:// URL. The cluster is LINLI_TEST_PG_URL (a superuser's
 * URL, as `scripts/pg.sh start` prints), or else one that this process
 * starts with scripts/pg.sh and stops when it exits. A database URL has no
 * file beside it, so the servers of one process share one master key: the
 * CLI finds it through LINLI_KEY, and each server is given a copy in its
 * own directory (--key), beside which its files go (Config.files_base).
 * srv.files is that directory on either database.
 *
 * On PostgreSQL `linli demo` is slower than on SQLite (it is made in a
 * SQLite file and then copied in, several seconds), so a demo database is made once per
 * cluster, binary, size and quarter of an hour as a template (linli_tpl_…) and each
 * server's database is a copy of it (CREATE DATABASE … TEMPLATE, under a
 * second). Templates are built under a name of their own and renamed into
 * place, so test processes racing to build one never share a half-made one.
 * All processes on one cluster therefore share its master key: a file in
 * the temporary directory named after the cluster's URL, made once with
 * link(2) so that no process reads it half-written.
 */
import { spawn, execFileSync } from 'node:child_process';
import { appendFileSync, copyFileSync, linkSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = process.env.LINLI_BIN || path.join(ROOT, 'build', 'linli');
export const PASSWORD = 'linli2026';
export const COMMUNITY = '310105004017';
export const STREET = '310105004';

export const PG = process.env.LINLI_TEST_PG === '1';

let pgCluster = null; /* { url, dir }: the cluster this process started, if any */
let pgKeyShared = false;

function pgAdminUrl() {
  if (process.env.LINLI_TEST_PG_URL) return process.env.LINLI_TEST_PG_URL;
  if (!pgCluster) {
    const dir = mkdtempSync(path.join(tmpdir(), 'linli-pg-'));
    const pgsh = path.join(ROOT, 'scripts', 'pg.sh');
    const url = execFileSync(pgsh, ['start', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
    pgCluster = { url, dir };
    process.on('exit', () => {
      try {
        execFileSync(pgsh, ['stop', dir], { stdio: 'ignore' });
      } catch { /* already gone */ }
    });
  }
  return pgCluster.url;
}

function psql(url, sql) {
  execFileSync('psql', ['-q', '-v', 'ON_ERROR_STOP=1', '-d', url, '-c', sql], { stdio: ['ignore', 'ignore', 'pipe'] });
}

/* SQL for a blob column's bytes in upper-case hex, as SQLite's hex() gives them. */
export const sqlHex = (col) => (PG ? `upper(encode(${col}, 'hex'))` : `hex(${col})`);

/* A new, empty database in the test cluster: { url, name, admin }. */
export function pgCreateDatabase(template = null) {
  const admin = pgAdminUrl();
  const name = `linli_t_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const u = new URL(admin);

  psql(admin, `CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ''}`);
  pgSharedKey(admin);
  u.pathname = `/${name}`;
  return { url: u.toString(), name, admin };
}

const sha = (s) => createHash('sha256').update(s).digest('hex').slice(0, 16);

/* LINLI_KEY: the cluster's one master key (see the top of this file). */
function pgSharedKey(admin) {
  if (pgKeyShared) return;
  pgKeyShared = true;
  const key = path.join(tmpdir(), `linli-pg-key-${sha(admin)}`);
  try {
    statSync(key);
  } catch {
    const mine = `${key}.${process.pid}.${randomBytes(4).toString('hex')}`;
    writeFileSync(mine, randomBytes(32), { mode: 0o600 }); /* core/crypto's master key */
    try {
      linkSync(mine, key);
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
    } finally {
      unlinkSync(mine);
    }
  }
  process.env.LINLI_KEY = key;
}

function pgExists(admin, name) {
  return execFileSync('psql', ['-X', '-q', '-A', '-t', '-d', admin, '-c',
    `SELECT 1 FROM pg_database WHERE datname = '${name}'`], { encoding: 'utf8' }).trim() === '1';
}

/* The demo template of @residents for this binary and quarter hour, made if missing: its name. */
function pgDemoTemplate(residents) {
  const admin = pgAdminUrl();
  const st = statSync(BIN);
  const slot = Math.floor(Date.now() / 900e3); /* a quarter of an hour: the demo's times are "now" */
  const name = `linli_tpl_${sha(`${BIN} ${st.size} ${st.mtimeMs} ${residents} ${slot}`)}`;
  if (pgExists(admin, name)) return name;
  const tmp = pgCreateDatabase();
  linli(['migrate', '--db', tmp.url]);
  linli(['demo', '--db', tmp.url, '--residents', String(residents), '--key', process.env.LINLI_KEY]);
  try {
    psql(admin, `ALTER DATABASE ${tmp.name} RENAME TO ${name}`);
  } catch {
    pgDropDatabase(tmp); /* another process made it first */
  }
  return name;
}

export function pgDropDatabase(db) {
  psql(db.admin, `DROP DATABASE IF EXISTS ${db.name} WITH (FORCE)`);
}

/*
 * Runs @q on database @db (a SQLite file or, under LINLI_TEST_PG, a URL) as
 * the sqlite3 shell does: the rows' text, columns joined by @separator, one
 * row a line. For tests that look at or alter rows no API shows.
 */
export function dbSql(db, q, { separator = '|' } = {}) {
  if (/^postgres(ql)?:\/\//.test(db))
    return execFileSync('psql', ['-X', '-q', '-A', '-t', '-F', separator, '-v', 'ON_ERROR_STOP=1', '-d', db, '-c', q],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return execFileSync('sqlite3', ['-cmd', '.timeout 10000', '-separator', separator, db, q], { encoding: 'utf8' });
}

export function linli(args, opts = {}) {
  return execFileSync(BIN, args, { cwd: ROOT, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], ...opts });
}

async function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export async function startServer({ demo = false, residents = 1500, web = false, extraArgs = [] } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'linli-test-'));
  const pgdb = PG ? pgCreateDatabase(demo ? pgDemoTemplate(residents) : null) : null;
  const db = PG ? pgdb.url : path.join(dir, 'linli.db');
  const keyArgs = [];
  if (PG) {
    copyFileSync(process.env.LINLI_KEY, path.join(dir, 'linli.key'));
    keyArgs.push('--key', path.join(dir, 'linli.key'));
  }
  const files = PG ? path.join(dir, 'linli.files') : `${db}.files`;
  linli(['migrate', '--db', db]);
  if (demo && !PG) linli(['demo', '--db', db, '--residents', String(residents), ...keyArgs]);
  const srv = await serveProcess(db, [...keyArgs, ...extraArgs], { web });
  Object.assign(srv, {
    db, dir, files,
    linli: (args) => linli([...args]),
    async stop() {
      const { code, signal } = await srv.kill();
      rmSync(dir, { recursive: true, force: true });
      if (pgdb) pgDropDatabase(pgdb);
      if (code !== 0)
        throw new Error(`linli serve exited with ${code ?? signal}:\n${srv.stderr()}`);
    },
  });
  return srv;
}

/*
 * Another `linli serve` on the same database as `srv` (issue 13: several
 * servers, one database), with the same key and files. Its stop() ends only
 * this process; the database stays srv's.
 */
export async function serveAgain(srv, { extraArgs = [] } = {}) {
  const keyArgs = PG ? ['--key', path.join(srv.dir, 'linli.key')] : [];
  const other = await serveProcess(srv.db, [...keyArgs, ...extraArgs], {});
  other.db = srv.db;
  other.files = srv.files;
  other.stop = async () => {
    const { code, signal } = await other.kill();
    if (code !== 0)
      throw new Error(`linli serve exited with ${code ?? signal}:\n${other.stderr()}`);
  };
  return other;
}

/* One `linli serve` process on db, up and answering /health, with api() and login(). */
async function serveProcess(db, extraArgs, { web = false } = {}) {
  const port = await freePort();
  const args = ['serve', '--db', db, '--listen', `127.0.0.1:${port}`, '--log-level', 'warn', ...extraArgs];
  if (web) args.push('--web', path.join(ROOT, 'web', 'dist'));
  const proc = spawn(BIN, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => {
    stderr += d;
    if (process.env.LINLI_TEST_LOG) appendFileSync(process.env.LINLI_TEST_LOG, d); /* every server's log, for debugging */
  });
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  const url = `http://127.0.0.1:${port}`;

  const deadline = Date.now() + 15000;
  for (;;) {
    try {
      const r = await fetch(`${url}/api/v1/health`);
      if (r.ok) break;
    } catch { /* not up yet */ }
    if (proc.exitCode !== null || Date.now() > deadline)
      throw new Error(`linli serve did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }

  const tokens = new Map();
  const srv = {
    url, proc,
    stderr: () => stderr,
    /* fetch with JSON in and out; `raw` sends a string or Buffer body as is */
    async api(method, p, { token, body, raw, headers = {} } = {}) {
      const h = { ...headers };
      if (token) h.Authorization = `Bearer ${token}`;
      let payload;
      if (raw !== undefined) payload = raw;
      else if (body !== undefined) {
        payload = JSON.stringify(body);
        h['Content-Type'] = 'application/json';
      }
      const res = await fetch(url + p, { method, headers: h, body: payload });
      const type = res.headers.get('content-type') || '';
      const data = type.includes('json') ? await res.json() : Buffer.from(await res.arrayBuffer());
      return { status: res.status, headers: res.headers, body: data };
    },
    async login(username, password = PASSWORD) {
      if (password === PASSWORD && tokens.has(username)) return tokens.get(username);
      const r = await srv.api('POST', '/api/v1/auth/login', { body: { username, password } });
      if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${JSON.stringify(r.body)}`);
      const out = { token: r.body.token, user: r.body.user };
      tokens.set(username, out);
      return out;
    },
    /* SIGTERM, and how it ended */
    async kill() {
      proc.kill('SIGTERM');
      return exited;
    },
  };
  return srv;
}
