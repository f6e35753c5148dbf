// Hardening (issue 11, "Security"): whole-number search, login back-off,
// trusted proxies, shared settings, cross-site requests, /metrics, names,
// /communities pages. Each test failed before its fix.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, PASSWORD, COMMUNITY } from '../lib/server.mjs';

const MAX_MISSES = 5;
let srv, confDir;

before(async () => {
  confDir = mkdtempSync(path.join(tmpdir(), 'linli-sec-'));
  const conf = path.join(confDir, 'linli.conf');
  /* the test's requests come from 127.0.0.1, here a trusted proxy naming the client */
  writeFileSync(conf, `trusted_proxies = 127.0.0.1, ::1\nsearch_max_misses = ${MAX_MISSES}\n`);
  srv = await startServer({ demo: true, residents: 300, extraArgs: ['--config', conf] });
});
after(async () => {
  await srv.stop();
  rmSync(confDir, { recursive: true, force: true });
});

const as = async (who) => (await srv.login(who)).token;
const get = async (p, who) => srv.api('GET', p, { token: await as(who) });
const audit = async (qs) => (await get(`/api/v1/audit?per_page=200&${qs}`, 'admin')).body.items;

/* A resident with a mobile phone and an ID number, in full (as the community's staff may see it). */
async function someResident() {
  const list = (await get(`/api/v1/residents?community=${COMMUNITY}&per_page=50`, 'staff')).body.items;
  for (const r of list) {
    const full = (await get(`/api/v1/residents/${r.id}?reveal=1`, 'staff')).body;
    if (/^1\d{10}$/.test(full.phone || '') && full.id_number && full.id_number.length === 18) return full;
  }
  throw new Error('no demo resident with a mobile phone and an ID number');
}

/* An ID number with a valid check character that nobody in the demo has. */
function unusedIdNumber(i) {
  const body = `11010119900101${String(100 + i).padStart(3, '0')}`;
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body].reduce((s, c, k) => s + Number(c) * w[k], 0);
  return body + '10X98765432'[sum % 11];
}

// ---- 1. whole-number search ----

test('a whole phone or ID number is searched only by the community\'s staff', async () => {
  const r = await someResident();
  for (const who of ['grid', 'street', 'admin', 'resident']) {
    for (const q of [r.phone, r.id_number]) {
      const res = await get(`/api/v1/residents?q=${q}`, who);
      assert.equal(res.status, 403, `${who} ${q}`);
      assert.equal(res.body.error.code, 'whole_number_search_forbidden');
      assert.equal(res.body.error.field, 'q');
      assert.match(res.body.error.message, /后四位/);
    }
    // the last four digits and names still work for them (residents only see their household)
    if (who !== 'resident')
      assert.equal((await get(`/api/v1/residents?q=${r.phone.slice(-4)}`, who)).status, 200, who);
  }
  const staff = await get(`/api/v1/residents?q=${r.phone}`, 'staff');
  assert.equal(staff.status, 200);
  assert.deepEqual(staff.body.items.map((x) => x.id), [r.id]);
  assert.notEqual(staff.body.items[0].phone, r.phone, 'the list still shows the mask');
});

test('a whole-number search is audited as a full view', async () => {
  const r = await someResident();
  const before = (await audit('action=resident.search_full')).length;
  const res = await get(`/api/v1/residents?q=${r.id_number}`, 'secretary');
  assert.equal(res.status, 200);
  assert.equal(res.body.total, 1);
  const searches = await audit('action=resident.search_full');
  assert.equal(searches.length, before + 1);
  assert.equal(searches[0].username, 'secretary');
  assert.equal(searches[0].community, COMMUNITY);
  assert.deepEqual(searches[0].detail, { field: 'id_number', matches: 1 });
  const views = await audit(`action=resident.view_full&object_id=${r.id}`);
  assert.ok(views.some((e) => e.username === 'secretary' && e.detail.via === 'search' &&
                              e.detail.fields[0] === 'id_number'));
  // the community's own audit view shows it
  const sec = await get('/api/v1/audit?action=resident.search_full', 'secretary');
  assert.ok(sec.body.items.some((e) => e.username === 'secretary'));
  // an audited answer is never served again from the answer cache
  const again = await srv.api('GET', `/api/v1/residents?q=${r.id_number}`, { token: await as('secretary') });
  assert.notEqual(again.headers.get('x-cache'), 'hit');
  assert.equal((await audit('action=resident.search_full')).length, before + 2);
});

test('many whole-number misses are refused and reported; others are not affected', async () => {
  const token = await as('staff');
  const search = (q) => srv.api('GET', `/api/v1/residents?q=${q}`, { token });
  let i = 0;
  for (; i < MAX_MISSES; i++) {
    const res = await search(unusedIdNumber(i));
    assert.equal(res.status, 200);
    assert.equal(res.body.total, 0);
  }
  const refused = await search(unusedIdNumber(i));
  assert.equal(refused.status, 429);
  assert.equal(refused.body.error.code, 'too_many_searches');
  assert.match(refused.body.error.message, /审计/);
  // a hit is refused too now (the limit is on the user), but names are not
  const r = await someResident().catch(() => null);
  assert.equal((await search('13800000000')).status, 429);
  assert.equal((await srv.api('GET', `/api/v1/residents?q=${encodeURIComponent('王')}`, { token })).status, 200);
  const reported = await audit('action=resident.search_refused');
  assert.ok(reported.some((e) => e.username === 'staff' && e.community === COMMUNITY));
  // another user of the same community still searches
  if (r) assert.equal((await get(`/api/v1/residents?q=${r.phone}`, 'secretary')).status, 200);
});

// ---- 2. login: back-off per (account, address), trusted proxies, audit ----

const login = (username, password, ip) => srv.api('POST', '/api/v1/auth/login', {
  body: { username, password },
  headers: ip ? { 'X-Forwarded-For': ip } : {},
});

test('failures back off one (account, address), not the account everywhere', async () => {
  for (let i = 0; i < 5; i++)
    assert.equal((await login('grid', `wrong-${i}`, '203.0.113.7')).status, 401);
  const stopped = await login('grid', PASSWORD, '203.0.113.7');
  assert.equal(stopped.status, 429);
  assert.equal(stopped.body.error.code, 'too_many_attempts');
  const wait = Number(stopped.headers.get('retry-after'));
  assert.ok(wait > 0 && wait <= 30, `Retry-After ${wait}`);
  // the real user, elsewhere, is not locked out by a stranger
  const elsewhere = await login('grid', PASSWORD, '198.51.100.20');
  assert.equal(elsewhere.status, 200);
  // the stranger's address may still log in to other accounts
  assert.equal((await login('property', PASSWORD, '203.0.113.7')).status, 200);
  // an IPv6 client is one /64: changing the last bits does not reset its back-off
  for (let i = 0; i < 5; i++)
    assert.equal((await login('street', `wrong-${i}`, `2001:db8:1:2::${i + 1}`)).status, 401);
  assert.equal((await login('street', PASSWORD, '2001:db8:1:2::99')).status, 429);
  assert.equal((await login('street', PASSWORD, '2001:db8:1:3::1')).status, 200);
});

test('X-Forwarded-For is believed only from a trusted proxy, read from the right', async () => {
  // 127.0.0.1 is trusted: the right-most untrusted entry is the client; a client's own
  // left-most entries do not help it escape its back-off
  for (let i = 0; i < 5; i++)
    assert.equal((await login('secretary', `bad-${i}`, `10.9.9.${i}, 192.0.2.50`)).status, 401);
  assert.equal((await login('secretary', PASSWORD, '10.9.9.200, 192.0.2.50')).status, 429);
  const ok = await login('secretary', PASSWORD, '192.0.2.51');
  assert.equal(ok.status, 200);
  const entries = await audit('action=auth.login');
  assert.ok(entries.some((e) => e.username === 'secretary' && e.ip === '192.0.2.51'));

  // without trusted_proxies the header is ignored: a client cannot pick its address
  const plain = await startServer({ demo: true, residents: 50 });
  try {
    for (let i = 0; i < 5; i++) {
      const r = await plain.api('POST', '/api/v1/auth/login', {
        body: { username: 'staff', password: `bad-${i}` }, headers: { 'X-Forwarded-For': `10.0.0.${i}` },
      });
      assert.equal(r.status, 401);
    }
    const r = await plain.api('POST', '/api/v1/auth/login', {
      body: { username: 'staff', password: PASSWORD }, headers: { 'X-Forwarded-For': '10.0.0.77' },
    });
    assert.equal(r.status, 429);
  } finally {
    await plain.stop();
  }
});

test('failed logins are audited with the username tried', async () => {
  assert.equal((await login('staff', 'not-the-password', '192.0.2.80')).status, 401);
  assert.equal((await login('no-such-user', 'whatever-1', '192.0.2.81')).status, 401);
  const failed = await audit('action=auth.login_failed');
  const staff = failed.find((e) => e.username === 'staff' && e.ip === '192.0.2.80');
  assert.ok(staff, JSON.stringify(failed.slice(0, 3)));
  assert.equal(staff.community, COMMUNITY);
  assert.equal(staff.detail.reason, 'wrong_password');
  const unknown = failed.find((e) => e.username === 'no-such-user');
  assert.ok(unknown);
  assert.equal(unknown.detail.reason, 'unknown_user');
  // the community's secretary sees the tries on its accounts, not the unknown names
  const sec = (await get('/api/v1/audit?action=auth.login_failed&per_page=200', 'secretary')).body.items;
  assert.ok(sec.some((e) => e.username === 'staff'));
  assert.ok(!sec.some((e) => e.username === 'no-such-user'));
  // the password is never written
  assert.ok(!JSON.stringify(failed).includes('not-the-password'));
});

// ---- 4. shared settings ----

test('the working-day calendar and the synonyms are the admin\'s; changes show in every community', async () => {
  for (const who of ['staff', 'secretary', 'street', 'grid']) {
    const t = await as(who);
    assert.equal((await srv.api('PUT', '/api/v1/case-calendar/2031-03-03', { token: t, body: { working: false } })).status, 403, who);
    assert.equal((await srv.api('DELETE', '/api/v1/case-calendar/2026-10-01', { token: t })).status, 403, who);
    assert.equal((await srv.api('POST', '/api/v1/kb/synonyms', { token: t, body: { term: '电梯间', canonical: '电梯' } })).status, 403, who);
  }
  const admin = await as('admin');
  let r = await srv.api('PUT', '/api/v1/case-calendar/2031-03-03', { token: admin, body: { working: false, name: '测试假日' } });
  assert.equal(r.status, 200);
  r = await srv.api('POST', '/api/v1/kb/synonyms', { token: admin, body: { term: '电梯间', canonical: '电梯' } });
  assert.equal(r.status, 201);
  const synId = r.body.id;
  assert.equal((await srv.api('DELETE', `/api/v1/kb/synonyms/${synId}`, { token: await as('staff') })).status, 403);
  assert.equal((await srv.api('DELETE', `/api/v1/kb/synonyms/${synId}`, { token: admin })).status, 200);
  assert.equal((await srv.api('DELETE', '/api/v1/case-calendar/2031-03-03', { token: admin })).status, 200);
  // each change is in the audit view of a community it affects, and of the street
  for (const who of ['secretary', 'street']) {
    const items = (await get('/api/v1/audit?per_page=200', who)).body.items;
    const set = items.find((e) => e.action === 'case_calendar.set' && e.detail.date === '2031-03-03');
    assert.ok(set, who);
    assert.equal(set.community, '*');
    assert.equal(set.username, 'admin');
    assert.equal(set.detail.working, false);
    assert.ok(items.some((e) => e.action === 'case_calendar.delete' && e.detail.date === '2031-03-03'), who);
    assert.ok(items.some((e) => e.action === 'kb.synonym_create' && e.object_id === synId && e.detail.term === '电梯间'), who);
    assert.ok(items.some((e) => e.action === 'kb.synonym_delete' && e.object_id === synId), who);
  }
});

// ---- 5. cross-site requests ----

test('a state-changing request with the cookie from another origin is refused', async () => {
  const { token } = await srv.login('secretary');
  const cookie = `linli_session=${token}`;
  const host = new URL(srv.url).host;
  const other = `http://${new URL(srv.url).hostname}:${Number(new URL(srv.url).port) + 1}`;
  const post = (p, headers, body) => srv.api('POST', p, { headers: { Cookie: cookie, ...headers }, ...(body ? { body } : {}) });
  // a page on another port of the same host: same site, so the SameSite cookie comes along
  let r = await post('/api/v1/notices/read-all', { Origin: other });
  assert.equal(r.status, 403);
  assert.equal(r.body.error.code, 'cross_site_request');
  assert.match(r.body.error.message, /其他网站/);
  r = await post('/api/v1/notices/read-all', { 'Sec-Fetch-Site': 'same-site' });
  assert.equal(r.status, 403);
  assert.equal(r.body.error.code, 'cross_site_request');
  r = await post('/api/v1/notices/read-all', { 'Sec-Fetch-Site': 'cross-site', Origin: 'https://evil.example' });
  assert.equal(r.status, 403);
  r = await post('/api/v1/notices/read-all', { Origin: 'null' });
  assert.equal(r.status, 403);
  r = await srv.api('PATCH', '/api/v1/residents/1', { headers: { Cookie: cookie, Origin: other }, body: { name: '改名' } });
  assert.equal(r.status, 403);
  // our own pages: same origin; a body-less POST keeps working
  r = await post('/api/v1/notices/read-all', { Origin: `http://${host}`, 'Sec-Fetch-Site': 'same-origin' });
  assert.equal(r.status, 200);
  // not a browser (no Origin, no Sec-Fetch-Site), or a Bearer token no other page can send
  assert.equal((await post('/api/v1/notices/read-all', {})).status, 200);
  r = await srv.api('POST', '/api/v1/notices/read-all', { token, headers: { Origin: other } });
  assert.equal(r.status, 200);
  // reads are not refused
  r = await srv.api('GET', '/api/v1/me', { headers: { Cookie: cookie, Origin: other, 'Sec-Fetch-Site': 'same-site' } });
  assert.equal(r.status, 200);
  // logging in from another site is refused too (no login CSRF)
  r = await srv.api('POST', '/api/v1/auth/login', { headers: { Origin: other }, body: { username: 'staff', password: PASSWORD } });
  assert.equal(r.status, 403);
  // Open311 is for other sites
  r = await srv.api('POST', '/open311/v2/requests.json', {
    raw: 'service_code=x', headers: { Origin: 'https://city.example', 'Sec-Fetch-Site': 'cross-site', 'Content-Type': 'application/x-www-form-urlencoded' },
  });
  assert.notEqual(r.body.error?.code, 'cross_site_request');
});

test('a JSON body must say it is JSON', async () => {
  const token = await as('staff');
  const body = JSON.stringify({ username: 'staff', password: PASSWORD });
  for (const type of [undefined, 'text/plain', 'application/x-www-form-urlencoded', 'application/jsonp']) {
    const headers = type ? { 'Content-Type': type } : {};
    const r = await srv.api('POST', '/api/v1/auth/login', { raw: body, headers });
    assert.equal(r.status, 415, String(type));
    assert.equal(r.body.error.code, 'unsupported_media_type');
  }
  for (const type of ['application/json', 'application/json; charset=utf-8', 'Application/JSON'])
    assert.equal((await srv.api('POST', '/api/v1/auth/login', { raw: body, headers: { 'Content-Type': type } })).status, 200, type);
  // a text/plain JSON body to a route that takes one is refused before anything is written
  const hh = (await srv.api('GET', `/api/v1/households?community=${COMMUNITY}&per_page=1`, { token })).body.items[0];
  const r = await srv.api('POST', '/api/v1/residents', {
    token, raw: JSON.stringify({ household_id: hh.id, name: '文本体', gender: 'male', birth_date: '1990-01-01' }),
    headers: { 'Content-Type': 'text/plain' },
  });
  assert.equal(r.status, 415);
  // uploads keep their own types
  const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
    '1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082', 'hex');
  const up = await srv.api('POST', '/api/v1/case-photos', { token, raw: png, headers: { 'Content-Type': 'image/png' } });
  assert.notEqual(up.status, 415, JSON.stringify(up.body));
});

// ---- 6. smaller ----

test('/metrics needs an admin\'s login unless metrics_public is set', async () => {
  const anon = await srv.api('GET', '/metrics');
  assert.equal(anon.status, 401);
  const staff = await srv.api('GET', '/metrics', { token: await as('staff') });
  assert.equal(staff.status, 403);
  const admin = await srv.api('GET', '/metrics', { token: await as('admin') });
  assert.equal(admin.status, 200);
  assert.match(admin.body.toString(), /linli_http_requests_total/);
  const dir = mkdtempSync(path.join(tmpdir(), 'linli-sec-'));
  const conf = path.join(dir, 'public.conf');
  writeFileSync(conf, 'metrics_public = true\n');
  const open = await startServer({ extraArgs: ['--config', conf] });
  try {
    assert.equal((await open.api('GET', '/metrics')).status, 200);
  } finally {
    await open.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('names refuse bidirectional control characters', async () => {
  const token = await as('staff');
  const hh = (await srv.api('GET', `/api/v1/households?community=${COMMUNITY}&per_page=1`, { token })).body.items[0];
  for (const ch of ['\u202e', '\u2066', '\u200f', '\u061c']) {
    const r = await srv.api('POST', '/api/v1/residents', {
      token, body: { household_id: hh.id, name: `张${ch}三`, gender: 'male', birth_date: '1990-01-01' },
    });
    assert.equal(r.status, 422, JSON.stringify(ch));
    assert.equal(r.body.error.field, 'name');
    assert.equal(r.body.error.code, 'invalid_text');
    assert.match(r.body.error.message, /方向控制/);
  }
  const building = await srv.api('POST', '/api/v1/buildings', {
    token, body: { community: COMMUNITY, name: '1\u202e号楼', units: 1, floors: 1 },
  });
  assert.equal(building.status, 422);
  assert.equal(building.body.error.field, 'name');
  const ok = await srv.api('POST', '/api/v1/residents', {
    token, body: { household_id: hh.id, name: '欧阳娜娜', gender: 'female', birth_date: '1990-01-01' },
  });
  assert.equal(ok.status, 201);
});

test('/communities is paged and keeps its fields', async () => {
  const token = await as('street');
  const all = (await srv.api('GET', '/api/v1/communities', { token })).body;
  assert.ok(all.total > 2);
  assert.equal(all.items.length, all.total);
  assert.equal(all.page, 1);
  assert.equal(all.per_page, 200);
  for (const k of ['code', 'name', 'street_code', 'street_name', 'county_name', 'buildings', 'households', 'residents'])
    assert.ok(k in all.items[0], k);
  const p2 = (await srv.api('GET', '/api/v1/communities?page=2&per_page=1', { token })).body;
  assert.equal(p2.total, all.total);
  assert.equal(p2.per_page, 1);
  assert.deepEqual(p2.items, [all.items[1]]);
  const bad = await srv.api('GET', '/api/v1/communities?per_page=100000', { token });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.field, 'per_page');
});
