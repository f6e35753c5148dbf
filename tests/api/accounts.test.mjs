// Accounts without a command line (issue 12 §1) and the password policy (issue 11 §6).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { linli, BIN, startServer, COMMUNITY, PASSWORD } from '../lib/server.mjs';

const run = (args) => spawnSync(BIN, args, { encoding: 'utf8' });
const sql = (db, q) => execFileSync('sqlite3', [db, q], { encoding: 'utf8' }).trim();

test('user add refuses common, simple and demo passwords outside the demo', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'linli-acct-'));
  const db = path.join(dir, 'a.db');
  try {
    linli(['migrate', '--db', db]);
    linli(['import', 'divisions', '--db', db, '--street', '310105004']);
    const add = (username, password) => run(['user', 'add', '--db', db, '--username', username,
      '--password', password, '--role', 'staff', '--scope', COMMUNITY]);
    for (const pw of [PASSWORD, 'LINLI2026', 'password123', 'woaini1314', '12345678', 'qwertyuiop', '88888888', 'li-ming-2024x']) {
      const r = add('li-ming', pw);
      assert.notEqual(r.status, 0, pw);
      assert.match(r.stderr, /weak_password/, pw);
    }
    assert.equal(sql(db, 'SELECT count(*) FROM app_user'), '0', 'nothing written');
    assert.equal(add('li-ming', 'Xq7-lantern-9').status, 0);
    // a reporter (流动网格员) has a community's scope like staff
    const rep = run(['user', 'add', '--db', db, '--username', 'rider1', '--password', 'Xq7-lantern-9',
      '--role', 'reporter', '--scope', COMMUNITY]);
    assert.equal(rep.status, 0, rep.stderr);
    const badRep = run(['user', 'add', '--db', db, '--username', 'rider2', '--password', 'Xq7-lantern-9',
      '--role', 'reporter', '--scope', '310105004']);
    assert.notEqual(badRep.status, 0);
    assert.match(badRep.stderr, /invalid_scope/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the demo database allows the demo password, and only it', async () => {
  const srv = await startServer({ demo: true, residents: 50 });
  try {
    const ok = run(['user', 'add', '--db', srv.db, '--username', 'demo2', '--password', PASSWORD,
      '--role', 'staff', '--scope', COMMUNITY]);
    assert.equal(ok.status, 0, ok.stderr);
    const common = run(['user', 'add', '--db', srv.db, '--username', 'demo3', '--password', 'password1',
      '--role', 'staff', '--scope', COMMUNITY]);
    assert.match(common.stderr, /weak_password/);
    assert.equal(sql(srv.db, "SELECT value FROM app_meta WHERE name = 'demo'"), '1');
  } finally {
    await srv.stop();
  }
});

test('migration 18 rebuilds app_user without losing users, sessions or references', async () => {
  const srv = await startServer({ demo: true, residents: 50 });
  try {
    const { token } = await srv.login('staff');
    // the rebuilt table keeps its rows and its references (foreign_key_check in the migration)
    const me = await srv.api('GET', '/api/v1/me', { token });
    assert.equal(me.status, 200);
    assert.equal(sql(srv.db, 'PRAGMA foreign_key_check'), '');
    assert.equal(sql(srv.db, 'PRAGMA integrity_check'), 'ok');
    assert.match(sql(srv.db, "SELECT sql FROM sqlite_schema WHERE name = 'app_user'"), /'reporter'/);
    assert.equal(sql(srv.db, "SELECT count(*) FROM sqlite_schema WHERE name = 'app_user_new'"), '0');
    assert.equal(sql(srv.db, 'PRAGMA foreign_keys'), '0', 'a new connection has the default');
  } finally {
    await srv.stop();
  }
});
