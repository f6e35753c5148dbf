// Accounts without a command line (issue 12 §1) and the password policy (issue 11 §6).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { linli, BIN, startServer, COMMUNITY, PASSWORD, dbSql, PG, sqlHex } from '../lib/server.mjs';

const run = (args) => spawnSync(BIN, args, { encoding: 'utf8' });
const sql = (db, q) => dbSql(db, q).trim();

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

test('migration 18 rebuilds app_user without losing users, sessions or references', { skip: PG && 'SQLite rebuilds app_user; PostgreSQL alters it' }, async () => {
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

describe('accounts opened, activated, reset and managed through the API', () => {
  let srv;
  const tok = {};
  const sqlq = (q) => sql(srv.db, q);
  const api = (m, p, who, body) => srv.api(m, p, { token: tok[who] ?? who, body });
  const expectError = (r, status, code, field) => {
    assert.equal(r.status, status, JSON.stringify(r.body));
    assert.equal(r.body.error.code, code, JSON.stringify(r.body));
    if (field !== undefined) assert.equal(r.body.error.field, field);
    assert.match(r.body.error.message, /[\u4e00-\u9fff]/);
  };
  const login = (username, password) => srv.api('POST', '/api/v1/auth/login', { body: { username, password } });
  const OTHER = () => sqlq(`SELECT code FROM division WHERE level = 5 AND code <> '${COMMUNITY}' ORDER BY code LIMIT 1`);
  let residents;

  before(async () => {
    srv = await startServer({ demo: true, residents: 120 });
    for (const u of ['admin', 'street', 'secretary', 'staff', 'grid', 'resident'])
      tok[u] = (await srv.login(u)).token;
    residents = sqlq(`SELECT id FROM resident WHERE community = '${COMMUNITY}' AND status = 'active' ORDER BY id LIMIT 6`).split('\n').map(Number);
  });
  after(async () => { await srv.stop(); });

  test('staff open an account for a resident; she activates it with the code, once', async () => {
    const rid = residents[0];
    const r = await api('POST', `/api/v1/residents/${rid}/account`, 'staff');
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.match(r.body.activation_code, /^[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}$/);
    assert.match(r.body.qr_svg, /<svg/);
    assert.match(r.body.activation_url, /\/h5\/#\/activate\?code=[A-Z2-9]{12}$/);
    assert.equal(r.body.user.state, 'inactive');
    assert.equal(r.body.user.resident_id, rid);
    assert.equal(r.body.user.username, `r${rid}`);
    assert.ok(Date.parse(r.body.expires_at) > Date.now() + 13 * 86400e3);
    // only a keyed hash of the code is stored
    assert.equal(sqlq(`SELECT count(*) FROM account_code WHERE instr(${sqlHex('code_hash')}, '${r.body.activation_code.replaceAll('-', '')}') > 0`), '0');
    const code = r.body.activation_code.toLowerCase().replaceAll('-', ' ');
    // no password yet: the account cannot log in
    expectError(await login(`r${rid}`, ''), 422, 'invalid_password');
    // a wrong code, a weak password: nothing consumed
    expectError(await srv.api('POST', '/api/v1/auth/activate', { body: { code: 'AAAA-BBBB-CCCC', password: 'Xq7-lantern-9' } }), 422, 'invalid_code', 'code');
    expectError(await srv.api('POST', '/api/v1/auth/activate', { body: { code, password: 'password1' } }), 422, 'weak_password', 'password');
    expectError(await srv.api('POST', '/api/v1/auth/activate', { body: { code, username: 'bad name', password: 'Xq7-lantern-9' } }), 422, 'invalid_username', 'username');
    expectError(await srv.api('POST', '/api/v1/auth/activate', { body: { code, username: 'staff', password: 'Xq7-lantern-9' } }), 409, 'duplicate_username', 'username');
    expectError(await srv.api('POST', '/api/v1/auth/activate', { body: { code, password: 'Xq7-lantern-9', extra: 1 } }), 422, 'unknown_field');
    assert.equal(sqlq(`SELECT state FROM app_user WHERE username = 'r${rid}'`), 'inactive');
    const ok = await srv.api('POST', '/api/v1/auth/activate', { body: { code, username: 'mei-home', password: 'Xq7-lantern-9' } });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.user.username, 'mei-home');
    assert.equal(ok.body.user.role, 'resident');
    assert.match(ok.headers.get('set-cookie'), /linli_session=/);
    const me = await api('GET', '/api/v1/me', ok.body.token);
    assert.equal(me.status, 200);
    assert.ok(me.body.household, 'linked to her household');
    assert.equal((await login('mei-home', 'Xq7-lantern-9')).status, 200);
    expectError(await srv.api('POST', '/api/v1/auth/activate', { body: { code, password: 'Another-pass-8' } }), 422, 'invalid_code');
    // one own account per resident
    expectError(await api('POST', `/api/v1/residents/${rid}/account`, 'staff'), 409, 'account_exists');
    assert.ok(Number(sqlq("SELECT count(*) FROM audit WHERE action IN ('account.open', 'account.activate')")) >= 2);
  });

  test('a household shares one access, or members have their own', async () => {
    const hh = sqlq(`SELECT household_id FROM resident WHERE id = ${residents[1]}`);
    const r = await api('POST', `/api/v1/residents/${residents[1]}/account`, 'staff', { shared: true });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.user.shared, true);
    assert.equal(r.body.user.resident_id, null);
    assert.equal(String(r.body.user.household_id), hh);
    const other = sqlq(`SELECT id FROM resident WHERE household_id = ${hh} AND status = 'active' ORDER BY id`).split('\n').map(Number);
    expectError(await api('POST', `/api/v1/residents/${other[0]}/account`, 'staff', { shared: true }), 409, 'account_exists', 'shared');
    // her own account beside the shared one
    const own = await api('POST', `/api/v1/residents/${residents[1]}/account`, 'staff', { username: 'own-account' });
    assert.equal(own.status, 201, JSON.stringify(own.body));
    expectError(await api('POST', `/api/v1/residents/${residents[1]}/account`, 'staff', { shared: 'yes' }), 422, 'invalid_type', 'shared');
  });

  test('who may open accounts for whom', async () => {
    expectError(await api('POST', `/api/v1/residents/${residents[2]}/account`, 'grid'), 403, 'forbidden');
    expectError(await api('POST', `/api/v1/residents/${residents[2]}/account`, 'resident'), 403, 'forbidden');
    expectError(await api('POST', '/api/v1/residents/99999999/account', 'staff'), 404, 'not_found');
    const far = sqlq(`SELECT id FROM resident WHERE community <> '${COMMUNITY}' LIMIT 1`);
    if (far) expectError(await api('POST', `/api/v1/residents/${far}/account`, 'staff'), 404, 'not_found');
    assert.equal((await srv.api('POST', `/api/v1/residents/${residents[2]}/account`)).status, 401);
  });

  test('every user changes her own password; her other sessions end', async () => {
    const add = run(['user', 'add', '--db', srv.db, '--username', 'pw-user', '--password', 'Xq7-lantern-9', '--role', 'staff', '--scope', COMMUNITY]);
    assert.equal(add.status, 0, add.stderr);
    const a = (await login('pw-user', 'Xq7-lantern-9')).body.token;
    const b = (await login('pw-user', 'Xq7-lantern-9')).body.token;
    expectError(await api('POST', '/api/v1/account/password', a, { old_password: 'wrong-pass-1', new_password: 'Moon-river-42' }), 422, 'wrong_password', 'old_password');
    expectError(await api('POST', '/api/v1/account/password', a, { old_password: 'Xq7-lantern-9', new_password: 'qwerty123' }), 422, 'weak_password', 'new_password');
    expectError(await api('POST', '/api/v1/account/password', a, { old_password: 'Xq7-lantern-9', new_password: 'x-pw-user-x1' }), 422, 'weak_password', 'new_password');
    expectError(await api('POST', '/api/v1/account/password', a, { old_password: 'Xq7-lantern-9', new_password: 'Xq7-lantern-9' }), 422, 'same_password', 'new_password');
    expectError(await api('POST', '/api/v1/account/password', a, { old_password: 'Xq7-lantern-9' }), 422, 'missing_field', 'new_password');
    assert.equal((await login('pw-user', 'Xq7-lantern-9')).status, 200, 'nothing changed yet');
    const ok = await api('POST', '/api/v1/account/password', a, { old_password: 'Xq7-lantern-9', new_password: 'Moon-river-42' });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal((await api('GET', '/api/v1/me', a)).status, 200, 'this session stays');
    assert.equal((await api('GET', '/api/v1/me', b)).status, 401, 'the other one ends');
    expectError(await login('pw-user', 'Xq7-lantern-9'), 401, 'invalid_credentials');
    assert.equal((await login('pw-user', 'Moon-river-42')).status, 200);
    assert.equal((await srv.api('POST', '/api/v1/account/password', { body: { old_password: 'a', new_password: 'b' } })).status, 401);
  });

  test('staff reset a password with a new code; the old password works until it is used', async () => {
    const open = await api('POST', `/api/v1/residents/${residents[3]}/account`, 'staff');
    const id = open.body.user.id;
    const act = await srv.api('POST', '/api/v1/auth/activate', { body: { code: open.body.activation_code, password: 'First-pass-77' } });
    assert.equal(act.status, 200);
    const session = act.body.token;
    const reset = await api('POST', `/api/v1/users/${id}/password-reset`, 'staff');
    assert.equal(reset.status, 200, JSON.stringify(reset.body));
    assert.notEqual(reset.body.activation_code, open.body.activation_code);
    assert.equal((await login(`r${residents[3]}`, 'First-pass-77')).status, 200);
    const again = await srv.api('POST', '/api/v1/auth/activate', { body: { code: reset.body.activation_code, password: 'Second-pass-88' } });
    assert.equal(again.status, 200, JSON.stringify(again.body));
    expectError(await login(`r${residents[3]}`, 'First-pass-77'), 401, 'invalid_credentials');
    assert.equal((await api('GET', '/api/v1/me', session)).status, 401, 'old sessions end');
    // a newer code replaces an older one
    const r1 = await api('POST', `/api/v1/users/${id}/password-reset`, 'staff');
    const r2 = await api('POST', `/api/v1/users/${id}/password-reset`, 'secretary');
    assert.equal(r2.status, 200);
    expectError(await srv.api('POST', '/api/v1/auth/activate', { body: { code: r1.body.activation_code, password: 'Third-pass-99' } }), 422, 'invalid_code');
    // staff do not reset staff; a secretary does; nobody resets outside her scope
    const staffId = sqlq("SELECT id FROM app_user WHERE username = 'staff'");
    expectError(await api('POST', `/api/v1/users/${staffId}/password-reset`, 'staff'), 404, 'not_found');
    assert.equal((await api('POST', `/api/v1/users/${staffId}/password-reset`, 'secretary')).status, 200);
    const adminId = sqlq("SELECT id FROM app_user WHERE username = 'admin'");
    expectError(await api('POST', `/api/v1/users/${adminId}/password-reset`, 'street'), 404, 'not_found');
    expectError(await api('POST', `/api/v1/users/${adminId}/password-reset`, 'resident'), 403, 'forbidden');
  });

  test('secretaries and admins manage staff accounts, roles and scopes', async () => {
    const list = await api('GET', '/api/v1/users?per_page=100', 'secretary');
    assert.equal(list.status, 200);
    const roles = new Set(list.body.items.map((u) => u.role));
    assert.ok(roles.has('staff') && !roles.has('admin') && !roles.has('street_admin') && !roles.has('secretary'), [...roles].join());
    assert.ok(list.body.items.every((u) => u.scope === COMMUNITY));
    const all = await api('GET', '/api/v1/users?role=admin', 'admin');
    assert.deepEqual(all.body.items.map((u) => u.username), ['admin']);
    expectError(await api('GET', '/api/v1/users?role=king', 'admin'), 400, 'invalid_query', 'role');
    expectError(await api('GET', '/api/v1/users', 'grid'), 403, 'forbidden');
    // the checks of `linli user add`
    expectError(await api('POST', '/api/v1/users', 'secretary', { username: 'new-staff', password: 'iloveyou1', role: 'staff', scope: COMMUNITY }), 422, 'weak_password', 'password');
    expectError(await api('POST', '/api/v1/users', 'secretary', { username: 'new staff', password: 'Xq7-lantern-9', role: 'staff', scope: COMMUNITY }), 422, 'invalid_username', 'username');
    expectError(await api('POST', '/api/v1/users', 'secretary', { username: 'staff', password: 'Xq7-lantern-9', role: 'staff', scope: COMMUNITY }), 409, 'duplicate_username', 'username');
    expectError(await api('POST', '/api/v1/users', 'secretary', { username: 'boss', password: 'Xq7-lantern-9', role: 'street_admin', scope: '310105004' }), 403, 'forbidden');
    expectError(await api('POST', '/api/v1/users', 'secretary', { username: 'far1', password: 'Xq7-lantern-9', role: 'staff', scope: OTHER() }), 403, 'forbidden');
    expectError(await api('POST', '/api/v1/users', 'admin', { username: 'far2', password: 'Xq7-lantern-9', role: 'staff', scope: '310105004' }), 422, 'invalid_scope', 'scope');
    expectError(await api('POST', '/api/v1/users', 'admin', { username: 'far3', password: 'Xq7-lantern-9', role: 'staff', scope: '310105004999' }), 422, 'unknown_division', 'scope');
    expectError(await api('POST', '/api/v1/users', 'admin', { username: 'res1', password: 'Xq7-lantern-9', role: 'resident', scope: COMMUNITY }), 422, 'use_resident_record', 'role');
    assert.equal(sqlq("SELECT count(*) FROM app_user WHERE username IN ('new-staff', 'new staff', 'boss', 'far1', 'far2', 'far3', 'res1')"), '0');
    const made = await api('POST', '/api/v1/users', 'secretary', { username: 'new-staff', password: 'Xq7-lantern-9', role: 'staff', scope: COMMUNITY, display_name: '新社工' });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    assert.equal(made.body.user.state, 'active');
    const t = (await login('new-staff', 'Xq7-lantern-9')).body.token;
    // without a password: an activation code
    const rider = await api('POST', '/api/v1/users', 'staff', { username: 'rider-wang', role: 'reporter', scope: COMMUNITY, display_name: '王师傅' });
    assert.equal(rider.status, 201, JSON.stringify(rider.body));
    assert.ok(rider.body.activation_code);
    assert.equal(rider.body.user.role_label, '流动网格员');
    // a role change ends the account's sessions; the secretary cannot disable herself
    const id = made.body.user.id;
    const ch = await api('PATCH', `/api/v1/users/${id}`, 'secretary', { role: 'grid_worker' });
    assert.equal(ch.status, 200, JSON.stringify(ch.body));
    assert.equal(ch.body.user.role, 'grid_worker');
    assert.equal((await api('GET', '/api/v1/me', t)).status, 401);
    expectError(await api('PATCH', `/api/v1/users/${id}`, 'secretary', { role: 'secretary' }), 403, 'forbidden');
    expectError(await api('PATCH', `/api/v1/users/${id}`, 'secretary', { scope: '310105004' }), 403, 'forbidden');
    expectError(await api('PATCH', `/api/v1/users/${id}`, 'admin', { scope: '310105004' }), 422, 'invalid_scope', 'scope');
    expectError(await api('PATCH', `/api/v1/users/${id}`, 'admin', { role: 'resident' }), 422, 'invalid_role', 'role');
    expectError(await api('PATCH', `/api/v1/users/${id}`, 'secretary', { disabled: 'no' }), 422, 'invalid_type', 'disabled');
    const off = await api('PATCH', `/api/v1/users/${id}`, 'secretary', { disabled: true });
    assert.equal(off.status, 200);
    expectError(await login('new-staff', 'Xq7-lantern-9'), 401, 'invalid_credentials');
    const adminId = sqlq("SELECT id FROM app_user WHERE username = 'admin'");
    expectError(await api('PATCH', `/api/v1/users/${adminId}`, 'admin', { disabled: true }), 403, 'forbidden');
    const secId = sqlq("SELECT id FROM app_user WHERE username = 'secretary'");
    expectError(await api('PATCH', `/api/v1/users/${secId}`, 'secretary', { display_name: '我' }), 404, 'not_found');
    assert.ok(Number(sqlq("SELECT count(*) FROM audit WHERE action = 'account.update'")) >= 2);

    // the reporter (流动网格员) reports cases and sees only her own, nothing of the registry
    const act = await srv.api('POST', '/api/v1/auth/activate', { body: { code: rider.body.activation_code, password: 'Rider-on-7-wheels' } });
    assert.equal(act.status, 200, JSON.stringify(act.body));
    const rt = act.body.token;
    const building = Number(sqlq(`SELECT id FROM building WHERE community = '${COMMUNITY}' ORDER BY id LIMIT 1`));
    const mine = await api('POST', '/api/v1/cases', rt, { category: 'corridor_clutter', description: '楼道堆放纸箱', building_id: building });
    assert.equal(mine.status, 201, JSON.stringify(mine.body));
    const theirs = await api('POST', '/api/v1/cases', 'resident', { category: 'corridor_clutter', description: '楼道堆物', building_id: building });
    assert.equal(theirs.status, 201);
    const seen = await api('GET', '/api/v1/cases?per_page=100', rt);
    assert.equal(seen.status, 200);
    assert.deepEqual(seen.body.items.map((c) => c.id), [mine.body.id]);
    assert.equal((await api('GET', `/api/v1/cases/${theirs.body.id}`, rt)).status, 404);
    assert.equal((await api('GET', `/api/v1/residents?community=${COMMUNITY}`, rt)).status, 403);
    assert.equal((await api('GET', '/api/v1/users', rt)).status, 403);
  });
});
