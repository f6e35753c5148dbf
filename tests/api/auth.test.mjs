// Login, sessions, logout, expiry and rate limiting.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, serveAgain, PASSWORD, dbSql } from '../lib/server.mjs';

let srv;
before(async () => { srv = await startServer({ demo: true, residents: 300 }); });
after(async () => { await srv.stop(); });

test('login returns a token, the user and an HttpOnly cookie', async () => {
  const r = await srv.api('POST', '/api/v1/auth/login', { body: { username: 'staff', password: PASSWORD } });
  assert.equal(r.status, 200);
  assert.equal(typeof r.body.token, 'string');
  assert.equal(r.body.token.length, 43);
  assert.equal(r.body.user.username, 'staff');
  assert.equal(r.body.user.role, 'staff');
  assert.equal(r.body.user.scope, '310105004017');
  assert.match(r.body.expires_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$/);
  const cookie = r.headers.get('set-cookie');
  assert.match(cookie, /^linli_session=[A-Za-z0-9_-]{43};/);
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Strict/);
});

test('bearer token and cookie both authenticate; nothing else does', async () => {
  const { token } = await srv.login('staff');
  assert.equal((await srv.api('GET', '/api/v1/me', { token })).status, 200);
  const viaCookie = await srv.api('GET', '/api/v1/me', { headers: { Cookie: `linli_session=${token}` } });
  assert.equal(viaCookie.status, 200);
  assert.equal(viaCookie.body.user.username, 'staff');
  const none = await srv.api('GET', '/api/v1/me');
  assert.equal(none.status, 401);
  assert.equal(none.body.error.code, 'unauthorized');
  const forged = await srv.api('GET', '/api/v1/me', { token: 'A'.repeat(43) });
  assert.equal(forged.status, 401);
  const short = await srv.api('GET', '/api/v1/me', { token: 'abc' });
  assert.equal(short.status, 401);
});

test('wrong password and unknown user get the same 401', async () => {
  const a = await srv.api('POST', '/api/v1/auth/login', { body: { username: 'grid', password: 'wrong-password' } });
  const b = await srv.api('POST', '/api/v1/auth/login', { body: { username: 'nobody', password: 'wrong-password' } });
  assert.equal(a.status, 401);
  assert.equal(b.status, 401);
  assert.equal(a.body.error.code, 'invalid_credentials');
  assert.deepEqual(a.body, b.body);
  assert.match(a.body.error.message, /用户名或密码不正确/);
});

test('logout ends the session', async () => {
  const r = await srv.api('POST', '/api/v1/auth/login', { body: { username: 'secretary', password: PASSWORD } });
  const token = r.body.token;
  assert.equal((await srv.api('GET', '/api/v1/me', { token })).status, 200);
  const out = await srv.api('POST', '/api/v1/auth/logout', { token });
  assert.equal(out.status, 200);
  assert.match(out.headers.get('set-cookie'), /Max-Age=0/);
  const after = await srv.api('GET', '/api/v1/me', { token });
  assert.equal(after.status, 401);
});

test('an expired session is refused', async () => {
  const r = await srv.api('POST', '/api/v1/auth/login', { body: { username: 'grid', password: PASSWORD } });
  const token = r.body.token;
  // move every session of this user into the past, as time would (before the
  // server has used the token: a session in use is cached with its expiry)
  dbSql(srv.db, "UPDATE session SET expires_at = 1 WHERE user_id = (SELECT id FROM app_user WHERE username = 'grid')");
  const after = await srv.api('GET', '/api/v1/me', { token });
  assert.equal(after.status, 401);
  assert.equal(after.body.error.code, 'session_expired');
});

test('passwords are stored as argon2id, never in clear', () => {
  const hash = dbSql(srv.db, "SELECT password_hash FROM app_user WHERE username = 'staff'");
  assert.match(hash, /^\$argon2id\$/);
  assert.ok(!hash.includes(PASSWORD));
});

test('after 5 failures an account is locked for a while, even with the right password', async () => {
  for (let i = 0; i < 5; i++) {
    const r = await srv.api('POST', '/api/v1/auth/login', { body: { username: 'property', password: `bad-${i}` } });
    assert.equal(r.status, 401);
  }
  const locked = await srv.api('POST', '/api/v1/auth/login', { body: { username: 'property', password: PASSWORD } });
  assert.equal(locked.status, 429);
  assert.equal(locked.body.error.code, 'too_many_attempts');
  assert.ok(locked.headers.get('retry-after'));
  // other accounts from the same address still work
  const other = await srv.api('POST', '/api/v1/auth/login', { body: { username: 'street', password: PASSWORD } });
  assert.equal(other.status, 200);
});

test('login input is validated', async () => {
  const cases = [
    [{ username: 'staff' }, 422, 'password'],
    [{ password: PASSWORD }, 422, 'username'],
    [{ username: 'staff', password: 5 }, 422, 'password'],
    [{ username: 'staff', password: PASSWORD, remember: true }, 422, 'remember'],
  ];
  for (const [body, status, field] of cases) {
    const r = await srv.api('POST', '/api/v1/auth/login', { body });
    assert.equal(r.status, status, JSON.stringify(body));
    assert.equal(r.body.error.field, field);
  }
  const bad = await srv.api('POST', '/api/v1/auth/login', { raw: '{"username":', headers: { 'Content-Type': 'application/json' } });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.code, 'malformed_json');
});

test('the login is audited', async () => {
  const { token } = await srv.login('admin');
  const r = await srv.api('GET', '/api/v1/audit?action=auth.login', { token });
  assert.equal(r.status, 200);
  assert.ok(r.body.items.some((e) => e.username === 'staff' && e.ip === '127.0.0.1'));
});

/*
 * Sessions past their expiry are refused (above) and deleted by the sweep
 * thread of `linli serve` at its first tick (then hourly), so that the
 * table does not grow with every sign-in ever made. A second server on the
 * same database is started to get a first tick after the expiry was set.
 */
test('expired sessions are deleted by the server\'s sweep; live ones stay', async () => {
  const old = await srv.login('grid');
  const live = await srv.login('staff');
  const count = (q) => Number(dbSql(srv.db, q).trim());
  dbSql(srv.db, `UPDATE session SET expires_at = 1 WHERE user_id = ${old.user.id}`);
  const expired = count('SELECT count(*) FROM session WHERE expires_at = 1');
  assert.ok(expired >= 1);
  const other = await serveAgain(srv);
  try {
    const end = Date.now() + 20000;
    while (count('SELECT count(*) FROM session WHERE expires_at = 1') > 0) {
      assert.ok(Date.now() < end, 'the expired sessions were not deleted within 20 s');
      await new Promise((r) => setTimeout(r, 100));
    }
    const me = await other.api('GET', '/api/v1/me', { token: live.token });
    assert.equal(me.status, 200, 'a live session is kept');
    const gone = await other.api('GET', '/api/v1/me', { token: old.token });
    assert.equal(gone.status, 401);
  } finally {
    await other.stop();
  }
});
