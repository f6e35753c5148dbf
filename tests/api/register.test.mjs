// Registration by phone (issue 12 §1): codes by a fake SMS webhook, linked
// or pending accounts, staff confirming, limits, and answers that do not
// tell whether a phone is registered.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, COMMUNITY, dbSql } from '../lib/server.mjs';
import { expectError } from '../lib/check.mjs';
import { fakeSms, smsConfig } from '../lib/sms.mjs';

const sql = (db, q) => dbSql(db, q).trim();
const PW = 'Lantern-harbor-77';

let srv, sms, staff, household, ipN = 0;
/* each test its own client address (trusted proxy), so the per-address cap stays out of the way */
const nextIp = () => `198.51.100.${++ipN}`;
const post = (p, body, ip) => srv.api('POST', p, { body, headers: { 'X-Forwarded-For': ip } });
const codeOf = (phone) => sms.codeOf(phone);

before(async () => {
  sms = await fakeSms();
  const conf = smsConfig(sms, 'sms_webhook_secret = s3cret\ntrusted_proxies = 127.0.0.1, ::1\n' +
    'sms_code_ttl_seconds = 2\nsms_code_attempts = 3\nsms_ip_hourly_max = 4\nsms_daily_max = 3\nsms_resend_seconds = 1\n');
  srv = await startServer({ demo: true, residents: 60, extraArgs: ['--config', conf] });
  staff = (await srv.login('staff')).token;
  household = (await srv.api('GET', '/api/v1/households?per_page=1', { token: staff })).body.items[0].id;
});
after(async () => { await srv.stop(); sms.close(); });

/* A resident of @household with @phone in the registry. */
async function resident(phone, name = `登记居民${phone.slice(-4)}`) {
  const r = await srv.api('POST', '/api/v1/residents', { token: staff, body: {
    household_id: household, name, gender: 'female', birth_date: '1956-04-09', phone, relation: '其他' } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.id;
}

test('a registered phone: the code links her own account to her household', async () => {
  const phone = '13900001111';
  const id = await resident(phone, '孙丽华');
  const ip = nextIp();
  const sent = await post('/api/v1/register/code', { phone }, ip);
  assert.equal(sent.status, 202, JSON.stringify(sent.body));
  assert.equal(sms.secret, 's3cret');
  assert.match(sms.texts.at(-1).text, /验证码/);
  // the code is stored only as a hash
  const hex = (x) => (/^postgres/.test(srv.db) ? `encode(${x}, 'hex')` : `lower(hex(${x}))`);
  const code = /^postgres/.test(srv.db) ? `convert_to('${codeOf(phone)}', 'UTF8')` : `'${codeOf(phone)}'`;
  assert.equal(sql(srv.db, 'SELECT count(*) FROM phone_code'), '1');
  assert.equal(sql(srv.db, `SELECT count(*) FROM phone_code WHERE instr(${hex('code_hash')}, ${hex(code)}) > 0`), '0');
  const r = await post('/api/v1/register', { phone, code: codeOf(phone), username: 'sunlh', password: PW }, ip);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.status, 'linked');
  assert.equal(r.body.user.role, 'resident');
  const { token } = await srv.login('sunlh', PW);
  const me = await srv.api('GET', '/api/v1/me', { token });
  assert.equal(me.body.household.id, household);
  assert.equal(me.body.pending, false);
  assert.equal(sql(srv.db, `SELECT resident_id || '/' || state FROM app_user WHERE username = 'sunlh'`), `${id}/active`);
  // the code works once
  const again = await post('/api/v1/register', { phone, code: codeOf(phone), username: 'sunlh2', password: PW }, ip);
  expectError(again, 422, 'invalid_code', 'code');
});

test('asking for a code answers the same for a registered and an unknown phone', async () => {
  await resident('13900002222');
  const a = await post('/api/v1/register/code', { phone: '13900002222' }, nextIp());
  const b = await post('/api/v1/register/code', { phone: '13900003333' }, nextIp());
  assert.equal(a.status, b.status);
  assert.deepEqual(a.body, b.body);
  assert.deepEqual([...a.headers.keys()].filter((k) => k !== 'date' && k !== 'x-request-id').sort(),
    [...b.headers.keys()].filter((k) => k !== 'date' && k !== 'x-request-id').sort());
  // both were sent the same kind of text
  const ta = sms.texts.find((m) => m.phone === '13900002222').text.replace(/\d{6}/, '');
  const tb = sms.texts.find((m) => m.phone === '13900003333').text.replace(/\d{6}/, '');
  assert.equal(ta, tb);
  // similar timing: neither path reads the registry (medians of a few tries, loose bound)
  const time = async (phone) => {
    const ms = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      await post('/api/v1/register/code', { phone: `${phone}${i}` }, nextIp());
      ms.push(performance.now() - t0);
    }
    return ms.sort((x, y) => x - y)[1];
  };
  await resident('1390000440'.padEnd(11, '0'));
  const t1 = await time('1390000440');
  const t2 = await time('1390000550');
  assert.ok(Math.abs(t1 - t2) < 200, `${t1} vs ${t2} ms`);
});

test('an unknown phone: a pending account, limited until staff confirm her household', async () => {
  const phone = '13900005555';
  const ip = nextIp();
  assert.equal((await post('/api/v1/register/code', { phone }, ip)).status, 202);
  // without the address she is asked for it, and the code stays good
  const ask = await post('/api/v1/register', { phone, code: codeOf(phone), username: 'zhoumei', password: PW }, ip);
  expectError(ask, 422, 'address_required', 'community');
  assert.equal(sql(srv.db, "SELECT count(*) FROM app_user WHERE username = 'zhoumei'"), '0');
  const r = await post('/api/v1/register', { phone, code: codeOf(phone), username: 'zhoumei', password: PW,
    community: COMMUNITY, name: '周梅', address: '3号楼1单元502室' }, ip);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.status, 'pending');
  const { token } = await srv.login('zhoumei', PW);
  const me = await srv.api('GET', '/api/v1/me', { token });
  assert.equal(me.status, 200);
  assert.equal(me.body.pending, true);
  assert.equal(me.body.household, null);
  assert.equal(me.body.registration.status, 'pending');
  // the assistant and the notices, not household data
  assert.equal((await srv.api('GET', '/api/v1/announcements', { token })).status, 200);
  const ask2 = await srv.api('POST', '/api/v1/assistant/ask', { token, body: { question: '怎么办理居住证' } });
  assert.notEqual(ask2.status, 403, JSON.stringify(ask2.body));
  expectError(await srv.api('GET', `/api/v1/households/${household}`, { token }), 403, 'registration_pending');
  expectError(await srv.api('GET', '/api/v1/cases', { token }), 403, 'registration_pending');

  // staff see it (masked), in the list and in the work queue
  const list = await srv.api('GET', '/api/v1/registrations', { token: staff });
  const item = list.body.items.find((g) => g.username === 'zhoumei');
  assert.equal(item.phone_masked, '139****5555');
  assert.equal(item.address, '3号楼1单元502室');
  assert.ok(!JSON.stringify(list.body).includes(phone));
  const wq = await srv.api('GET', '/api/v1/workqueue', { token: staff });
  const sec = wq.body.sections.find((s) => s.key === 'registrations');
  assert.ok(sec && sec.count >= 1 && sec.items.some((i) => i.id === item.id), JSON.stringify(wq.body));
  // a resident cannot confirm; staff confirm with a household of the community
  const resTok = (await srv.login('resident')).token;
  assert.equal((await srv.api('POST', `/api/v1/registrations/${item.id}/approve`, { token: resTok, body: { household_id: household } })).status, 403);
  expectError(await srv.api('POST', `/api/v1/registrations/${item.id}/approve`, { token: staff, body: { household_id: 99999999 } }),
    422, 'unknown_household', 'household_id');
  const ok = await srv.api('POST', `/api/v1/registrations/${item.id}/approve`, { token: staff, body: { household_id: household } });
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.equal(ok.body.status, 'approved');
  expectError(await srv.api('POST', `/api/v1/registrations/${item.id}/approve`, { token: staff, body: { household_id: household } }),
    409, 'already_decided');
  assert.equal(sql(srv.db, "SELECT count(*) FROM audit WHERE action = 'registration.approve'"), '1');
  // her old session ended; signed in again she is a resident of the household
  assert.equal((await srv.api('GET', '/api/v1/me', { token })).status, 401);
  const after = await srv.api('POST', '/api/v1/auth/login', { body: { username: 'zhoumei', password: PW } });
  const me2 = await srv.api('GET', '/api/v1/me', { token: after.body.token });
  assert.equal(me2.body.pending, false);
  assert.equal(me2.body.household.id, household);
});

test('staff confirm and make her record in the registry: the account is hers, with the phone she proved', async () => {
  const phone = '13900004444';
  const ip = nextIp();
  await post('/api/v1/register/code', { phone }, ip);
  const r = await post('/api/v1/register', { phone, code: codeOf(phone), username: 'majuan', password: PW,
    community: COMMUNITY, name: '马娟', address: '2号楼3单元101室' }, ip);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const id = (await srv.api('GET', '/api/v1/registrations', { token: staff })).body.items.find((g) => g.username === 'majuan').id;
  const approve = (body) => srv.api('POST', `/api/v1/registrations/${id}/approve`, { token: staff, body });
  const before = sql(srv.db, 'SELECT count(*) FROM resident');
  expectError(await approve({ household_id: household, resident: { gender: 'x', birth_date: '1980-01-01' } }), 422, 'invalid_gender', 'resident.gender');
  expectError(await approve({ household_id: household, resident: { gender: 'female' } }), 422, 'missing_field', 'resident.birth_date');
  expectError(await approve({ household_id: household, resident: { gender: 'female', birth_date: '1980-01-01', age: 3 } }), 422, 'unknown_field', 'resident.age');
  expectError(await approve({ household_id: household, resident_id: 1, resident: { gender: 'female', birth_date: '1980-01-01' } }), 422, 'conflicting_fields', 'resident');
  assert.equal(sql(srv.db, 'SELECT count(*) FROM resident'), before, 'nothing written');
  assert.equal(sql(srv.db, `SELECT status FROM registration WHERE id = ${id}`), 'pending');
  const ok = await approve({ household_id: household, resident: { gender: 'female', birth_date: '1980-01-01', relation: '租户' } });
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  const rid = Number(sql(srv.db, "SELECT resident_id FROM app_user WHERE username = 'majuan'"));
  assert.ok(rid > 0);
  const rec = await srv.api('GET', `/api/v1/residents/${rid}`, { token: staff });
  assert.equal(rec.body.name, '马娟');
  assert.equal(rec.body.household_id, household);
  assert.equal(rec.body.phone, '139****4444');
  // the phone she proved is now the registry's: a search by it finds her
  const found = await srv.api('GET', `/api/v1/residents?q=${phone}`, { token: staff });
  assert.ok(found.body.items.some((x) => x.id === rid), JSON.stringify(found.body));
});

test('staff reject with a reason; she sees it when she signs in', async () => {
  const phone = '13900006666';
  const ip = nextIp();
  await post('/api/v1/register/code', { phone }, ip);
  const r = await post('/api/v1/register', { phone, code: codeOf(phone), username: 'wugang', password: PW,
    community: COMMUNITY, name: '吴刚', address: '99号楼' }, ip);
  assert.equal(r.status, 201);
  const id = (await srv.api('GET', '/api/v1/registrations', { token: staff })).body.items.find((g) => g.username === 'wugang').id;
  expectError(await srv.api('POST', `/api/v1/registrations/${id}/reject`, { token: staff, body: {} }), 422, 'missing_field', 'reason');
  const no = await srv.api('POST', `/api/v1/registrations/${id}/reject`, { token: staff, body: { reason: '本社区没有99号楼，请核对住址' } });
  assert.equal(no.status, 200, JSON.stringify(no.body));
  const { token } = await srv.login('wugang', PW);
  const me = await srv.api('GET', '/api/v1/me', { token });
  assert.equal(me.body.registration.status, 'rejected');
  assert.match(me.body.registration.reason, /99号楼/);

  /* she corrects it and sends it again: a new registration with the phone she proved */
  expectError(await srv.api('POST', '/api/v1/register/resubmit', { token, body: { community: COMMUNITY, name: '吴刚' } }), 422, 'missing_field', 'address');
  expectError(await srv.api('POST', '/api/v1/register/resubmit', { token, body: { community: '310105004999', name: '吴刚', address: '9号楼' } }), 422, 'unknown_division', 'community');
  expectError(await srv.api('POST', '/api/v1/register/resubmit', { token, body: { community: COMMUNITY, name: '吴刚', address: '9号楼', phone: '1' } }), 422, 'unknown_field', 'phone');
  const again = await srv.api('POST', '/api/v1/register/resubmit', { token, body: { community: COMMUNITY, name: '吴刚', address: '9号楼2单元301室' } });
  assert.equal(again.status, 201, JSON.stringify(again.body));
  assert.equal(again.body.registration.status, 'pending');
  assert.equal(again.body.registration.phone_masked, '139****6666');
  assert.ok(again.body.token, 'a fresh session');
  const fresh = again.body.token;
  assert.equal((await srv.api('GET', '/api/v1/me', { token })).status, 401, 'the old session ended');
  const me2 = await srv.api('GET', '/api/v1/me', { token: fresh });
  assert.equal(me2.body.registration.status, 'pending');
  assert.equal(me2.body.registration.address, '9号楼2单元301室');
  /* staff see it waiting; a second resubmission while it waits is refused */
  assert.ok((await srv.api('GET', '/api/v1/registrations', { token: staff })).body.items.some((g) => g.id === again.body.registration.id));
  expectError(await srv.api('POST', '/api/v1/register/resubmit', { token: fresh, body: { community: COMMUNITY, name: '吴刚', address: '9号楼' } }), 409, 'registration_pending');
  assert.equal(sql(srv.db, "SELECT count(*) FROM audit WHERE action = 'account.register_resubmit'"), '1');
  /* an ordinary account has nothing to resubmit */
  expectError(await srv.api('POST', '/api/v1/register/resubmit', { token: staff, body: { community: COMMUNITY, name: '李', address: '1号楼' } }), 409, 'not_pending');
});

test('a code expires', async () => {
  const phone = '13900007777';
  const ip = nextIp();
  await post('/api/v1/register/code', { phone }, ip);
  const code = codeOf(phone);
  await new Promise((r) => setTimeout(r, 2300));
  expectError(await post('/api/v1/register', { phone, code, username: 'late1', password: PW,
    community: COMMUNITY, name: '迟到', address: '1号楼' }, ip), 422, 'code_expired', 'code');
  assert.equal(sql(srv.db, "SELECT count(*) FROM app_user WHERE username = 'late1'"), '0');
});

test('wrong codes: a few tries, then the code is void even when right', async () => {
  const phone = '13900008888';
  const ip = nextIp();
  await post('/api/v1/register/code', { phone }, ip);
  const code = codeOf(phone);
  const wrong = code === '000000' ? '111111' : '000000';
  const body = (c) => ({ phone, code: c, username: 'guess1', password: PW, community: COMMUNITY, name: '猜', address: '1号楼' });
  for (let i = 0; i < 3; i++) expectError(await post('/api/v1/register', body(wrong), ip), 422, 'wrong_code', 'code');
  const locked = await post('/api/v1/register', body(code), ip);
  expectError(locked, 429, 'too_many_attempts');
  assert.ok(Number(locked.headers.get('retry-after')) >= 1);
  assert.equal(sql(srv.db, "SELECT count(*) FROM app_user WHERE username = 'guess1'"), '0');
});

test('resend cooldown and the daily cap per phone give 429 with Retry-After', async () => {
  const phone = '13900009999';
  const ip = nextIp();
  assert.equal((await post('/api/v1/register/code', { phone }, ip)).status, 202);
  const soon = await post('/api/v1/register/code', { phone }, ip);
  expectError(soon, 429, 'code_cooldown');
  assert.ok(Number(soon.headers.get('retry-after')) >= 1);
  await new Promise((r) => setTimeout(r, 1100));
  assert.equal((await post('/api/v1/register/code', { phone }, nextIp())).status, 202);
  await new Promise((r) => setTimeout(r, 1100));
  assert.equal((await post('/api/v1/register/code', { phone }, nextIp())).status, 202);
  await new Promise((r) => setTimeout(r, 1100));
  const daily = await post('/api/v1/register/code', { phone }, nextIp());
  expectError(daily, 429, 'code_daily_limit');
  assert.ok(Number(daily.headers.get('retry-after')) > 60);
});

test('one client address is capped across phones', async () => {
  const ip = nextIp();
  for (let i = 0; i < 4; i++)
    assert.equal((await post('/api/v1/register/code', { phone: `1370000000${i}` }, ip)).status, 202);
  const r = await post('/api/v1/register/code', { phone: '13700000009' }, ip);
  expectError(r, 429, 'too_many_requests');
  assert.ok(Number(r.headers.get('retry-after')) >= 1);
  // another address is not affected
  assert.equal((await post('/api/v1/register/code', { phone: '13700000009' }, nextIp())).status, 202);
});

test('the gateway down: a clear error, and her limits are given back', async () => {
  const phone = '13600001234';
  const ip = nextIp();
  const rows = sql(srv.db, 'SELECT count(*) FROM phone_code') + '/' + sql(srv.db, 'SELECT coalesce(sum(n), 0) FROM phone_code_ip');
  sms.fail = true;
  try {
    const r = await post('/api/v1/register/code', { phone }, ip);
    expectError(r, 502, 'sms_failed');
    assert.match(r.body.error.message, /稍后再试/);
  } finally {
    sms.fail = false;
  }
  // no cooldown was started by the failure, and no code is waiting
  assert.equal(sql(srv.db, 'SELECT count(*) FROM phone_code') + '/' + sql(srv.db, 'SELECT coalesce(sum(n), 0) FROM phone_code_ip'), rows);
  const again = await post('/api/v1/register/code', { phone }, ip);
  assert.equal(again.status, 202, JSON.stringify(again.body));
});

test('bad input gets a 4xx with code, field and a Chinese message, and writes nothing', async () => {
  const ip = nextIp();
  const users = () => sql(srv.db, 'SELECT count(*) FROM app_user') + '/' + sql(srv.db, 'SELECT count(*) FROM registration');
  const before = users();
  const cases = [
    ['/api/v1/register/code', {}, 422, 'missing_field', 'phone'],
    ['/api/v1/register/code', { phone: '1390000' }, 422, 'invalid_phone', 'phone'],
    ['/api/v1/register/code', { phone: '23900001111' }, 422, 'invalid_phone', 'phone'],
    ['/api/v1/register/code', { phone: 13900001111 }, 422, 'invalid_type', 'phone'],
    ['/api/v1/register/code', { phone: '13900001111', community: COMMUNITY }, 422, 'unknown_field', 'community'],
    ['/api/v1/register', { phone: '13900001111', username: 'x1', password: PW }, 422, 'missing_field', 'code'],
    ['/api/v1/register', { phone: '13900001111', code: '12a456', username: 'x1', password: PW }, 422, 'invalid_code', 'code'],
    ['/api/v1/register', { phone: '13900001111', code: '123456', username: '张', password: PW }, 422, 'invalid_username', 'username'],
    ['/api/v1/register', { phone: '13900001111', code: '123456', username: 'x1' }, 422, 'missing_field', 'password'],
    ['/api/v1/register', { phone: '13900001111', code: '123456', username: 'x1', password: PW, floor: 3 }, 422, 'unknown_field', 'floor'],
    ['/api/v1/register', { phone: '13900001111', code: '123456', username: 'x1', password: PW, community: '31010' }, 422, 'invalid_code', 'community'],
  ];
  for (const [p, body, status, code, field] of cases)
    expectError(await post(p, body, ip), status, code, field);
  const raw = await srv.api('POST', '/api/v1/register/code', { raw: '{"phone":', headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': ip } });
  expectError(raw, 400, 'malformed_json');
  assert.equal(users(), before);
});

test('without a gateway the code cannot be sent: 503, and it is logged only with sms_dev_log', async () => {
  const plain = await startServer({ residents: 0 });
  try {
    const r = await plain.api('POST', '/api/v1/register/code', { body: { phone: '13500001111' } });
    expectError(r, 503, 'sms_unavailable');
    assert.doesNotMatch(plain.stderr(), /验证码|13500001111/);
  } finally {
    await plain.stop();
  }
  const dev = await startServer({ residents: 0, extraArgs: ['--config', smsConfig({ url: '' }, 'sms_dev_log = true\n')] });
  try {
    const r = await dev.api('POST', '/api/v1/register/code', { body: { phone: '13500001111' } });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    assert.match(dev.stderr(), /验证码是\d{6}/);
    assert.match(dev.stderr(), /135\*{4}1111/);
    assert.doesNotMatch(dev.stderr(), /13500001111/, 'the phone is masked in the log');
  } finally {
    await dev.stop();
  }
});
