// Bad input: each gets a clear 4xx with code, Chinese message and field,
// nothing is written, and the server stays up.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, COMMUNITY, dbSql } from '../lib/server.mjs';

let srv, token, household;
const JSON_HDR = { 'Content-Type': 'application/json' };
const sql = (q) => dbSql(srv.db, q).trim();
const counts = () => sql(`SELECT (SELECT count(*) FROM resident) || '/' || (SELECT count(*) FROM household) || '/' || (SELECT count(*) FROM building) || '/' || (SELECT count(*) FROM resident_tag)`);

before(async () => {
  srv = await startServer({ demo: true, residents: 200 });
  token = (await srv.login('staff')).token;
  household = (await srv.api('GET', '/api/v1/households?per_page=1', { token })).body.items[0].id;
});
after(async () => { await srv.stop(); });

const good = () => ({ household_id: household, name: '测试', gender: 'male', birth_date: '1950-03-02', id_number: '310105195003021230', phone: '13912345678', relation: '户主', tags: ['党员'] });

const residentCases = [
  // [description, body, status, code, field]
  ['missing name', (b) => { delete b.name; }, 422, 'missing_field', 'name'],
  ['missing household', (b) => { delete b.household_id; }, 422, 'missing_field', 'household_id'],
  ['name of spaces', (b) => { b.name = '   '; }, 422, 'missing_field', 'name'],
  ['name too long', (b) => { b.name = '长'.repeat(31); }, 422, 'too_long', 'name'],
  ['name with a control character', (b) => { b.name = '张\u0007三'; }, 422, 'invalid_text', 'name'],
  ['household as a string', (b) => { b.household_id = '5'; }, 422, 'invalid_type', 'household_id'],
  ['household as a float', (b) => { b.household_id = 1.5; }, 422, 'invalid_type', 'household_id'],
  ['household negative', (b) => { b.household_id = -1; }, 422, 'out_of_range', 'household_id'],
  ['unknown household', (b) => { b.household_id = 99999999; }, 422, 'unknown_household', 'household_id'],
  ['gender word', (b) => { b.gender = 'm'; delete b.id_number; }, 422, 'invalid_gender', 'gender'],
  ['gender as number', (b) => { b.gender = 1; }, 422, 'invalid_type', 'gender'],
  ['date format', (b) => { b.birth_date = '1960/05/05'; delete b.id_number; }, 422, 'invalid_date', 'birth_date'],
  ['impossible date', (b) => { b.birth_date = '1961-02-29'; delete b.id_number; }, 422, 'invalid_date', 'birth_date'],
  ['birth date in the future', (b) => { b.birth_date = '2099-01-01'; delete b.id_number; }, 422, 'future_date', 'birth_date'],
  ['ID number born in the future', (b) => { b.id_number = '310105209901011231'; delete b.birth_date; delete b.gender; }, 422, 'future_date', 'id_number'],
  ['ID check digit', (b) => { b.id_number = '310105195003021231'; }, 422, 'invalid_id_number', 'id_number'],
  ['ID length', (b) => { b.id_number = '31010519500302123'; }, 422, 'invalid_id_number', 'id_number'],
  ['ID region', (b) => { b.id_number = '990105195003021230'; }, 422, 'invalid_id_number', 'id_number'],
  ['phone short', (b) => { b.phone = '1391234567'; }, 422, 'invalid_phone', 'phone'],
  ['phone letters', (b) => { b.phone = '1391234567O'; }, 422, 'invalid_phone', 'phone'],
  ['phone as number', (b) => { b.phone = 13912345678; }, 422, 'invalid_type', 'phone'],
  ['tags not a list', (b) => { b.tags = '党员'; }, 422, 'invalid_type', 'tags'],
  ['tag not a string', (b) => { b.tags = ['党员', 3]; }, 422, 'invalid_type', 'tags[1]'],
  ['too many tags', (b) => { b.tags = Array.from({ length: 21 }, (_, i) => `t${i}`); }, 422, 'too_many_tags', 'tags'],
  ['unknown tag', (b) => { b.tags = ['火星人']; }, 422, 'unknown_tag', 'tags'],
  ['unknown field', (b) => { b.nickname = '小张'; }, 422, 'unknown_field', 'nickname'],
  ['misspelt field', (b) => { b.phon = '13912345678'; }, 422, 'unknown_field', 'phon'],
];

for (const [desc, mutate, status, code, field] of residentCases) {
  test(`POST /residents: ${desc}`, async () => {
    const before = counts();
    const body = good();
    mutate(body);
    const r = await srv.api('POST', '/api/v1/residents', { token, body });
    assert.equal(r.status, status, JSON.stringify(r.body));
    assert.equal(r.body.error.code, code);
    assert.equal(r.body.error.field, field);
    assert.match(r.body.error.message, /[\u4e00-\u9fff]/, 'a Chinese message');
    assert.equal(counts(), before, 'nothing written');
  });
}

const rawCases = [
  ['malformed JSON', '{"name": "张三",', 400, 'malformed_json'],
  ['not an object', '[1,2,3]', 400, 'expected_object'],
  ['a bare string', '"hello"', 400, 'expected_object'],
  ['empty body', '', 400, 'malformed_json'],
  ['duplicate keys', '{"name":"a","name":"b"}', 400, 'malformed_json'],
  ['invalid UTF-8', Buffer.from([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]), 400, 'malformed_json'],
  ['NUL in a string', '{"household_id":1,"name":"a\\u0000b","gender":"male","birth_date":"1960-01-01"}', 400, 'malformed_json'],
  ['deeply nested', '['.repeat(100000) + ']'.repeat(100000), 400, 'malformed_json'],
];

for (const [desc, raw, status, code] of rawCases) {
  test(`POST /residents: ${desc}`, async () => {
    const before = counts();
    const r = await srv.api('POST', '/api/v1/residents', { token, raw, headers: JSON_HDR });
    assert.equal(r.status, status, JSON.stringify(r.body));
    assert.equal(r.body.error.code, code);
    assert.equal(counts(), before);
  });
}

test('PATCH: a birth date after today is refused and nothing changes', async () => {
  const body = { household_id: household, name: '改生日', gender: 'female', birth_date: '1980-01-02' };
  const made = await srv.api('POST', '/api/v1/residents', { token, body });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  const r = await srv.api('PATCH', `/api/v1/residents/${made.body.id}`, { token, body: { birth_date: '2099-12-31' } });
  assert.equal(r.status, 422, JSON.stringify(r.body));
  assert.equal(r.body.error.code, 'future_date');
  assert.equal(r.body.error.field, 'birth_date');
  assert.match(r.body.error.message, /晚于今天/);
  const now = await srv.api('GET', `/api/v1/residents/${made.body.id}`, { token });
  assert.equal(now.body.birth_date, '1980-01-02');
});

test('a body over 1 MiB is refused with 413', async () => {
  const big = JSON.stringify({ ...good(), name: 'x'.repeat(1100000) });
  const r = await srv.api('POST', '/api/v1/residents', { token, raw: big, headers: JSON_HDR });
  assert.equal(r.status, 413);
  assert.equal(r.body.error.code, 'too_large');
  // chunked, without Content-Length
  const res = await fetch(`${srv.url}/api/v1/residents`, {
    method: 'POST',
    headers: { ...JSON_HDR, Authorization: `Bearer ${token}` },
    body: new ReadableStream({
      start(c) { for (let i = 0; i < 20; i++) c.enqueue(new TextEncoder().encode(' '.repeat(64 * 1024))); c.close(); },
    }),
    duplex: 'half',
  });
  assert.equal(res.status, 413);
});

test('a wrong content type is 415', async () => {
  const r = await srv.api('POST', '/api/v1/residents', { token, raw: 'name=a', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
  assert.equal(r.status, 415);
});

test('bad building and household input', async () => {
  const cases = [
    ['/api/v1/buildings', { community: '31010500401', name: 'a', units: 1, floors: 1 }, 422, 'community'],
    ['/api/v1/buildings', { community: COMMUNITY, name: 'a', units: 0, floors: 1 }, 422, 'units'],
    ['/api/v1/buildings', { community: COMMUNITY, name: 'a', units: 1, floors: 201 }, 422, 'floors'],
    ['/api/v1/buildings', { community: COMMUNITY, name: 'a', units: '1', floors: 1 }, 422, 'units'],
    ['/api/v1/buildings', { community: COMMUNITY, units: 1, floors: 1 }, 422, 'name'],
    ['/api/v1/households', { building_id: 1, unit: 1, floor: 1, room: '101', area_m2: -5 }, 422, 'area_m2'],
    ['/api/v1/households', { building_id: 1, unit: 1, floor: 1, room: '101', area_m2: 'big' }, 422, 'area_m2'],
    ['/api/v1/households', { building_id: 1, unit: 1, floor: 1 }, 422, 'room'],
  ];
  for (const [p, body, status, field] of cases) {
    const before = counts();
    const r = await srv.api('POST', p, { token, body });
    assert.equal(r.status, status, `${p} ${JSON.stringify(body)} -> ${JSON.stringify(r.body)}`);
    assert.equal(r.body.error.field, field);
    assert.equal(counts(), before);
  }
});

test('a community that does not exist', async () => {
  const admin = (await srv.login('admin')).token;
  const before = counts();
  const r = await srv.api('POST', '/api/v1/buildings', { token: admin, body: { community: '310105004999', name: 'a', units: 1, floors: 1 } });
  assert.equal(r.status, 422);
  assert.equal(r.body.error.code, 'unknown_community');
  assert.equal(counts(), before);
});

test('bad query strings and ids', async () => {
  const cases = [
    ['/api/v1/residents?page=0', 400],
    ['/api/v1/residents?per_page=1000', 400],
    ['/api/v1/residents?page=abc', 400],
    ['/api/v1/residents?status=dead', 400],
    ['/api/v1/residents?community=abc', 400],
    [`/api/v1/residents?q=${'x'.repeat(200)}`, 400],
    ['/api/v1/residents/abc', 404],
    ['/api/v1/residents/-1', 404],
    ['/api/v1/residents/0', 404],
    ['/api/v1/residents/99999999999999999999', 404],
    ['/api/v1/nowhere', 404],
  ];
  for (const [p, status] of cases) {
    const r = await srv.api('GET', p, { token });
    assert.equal(r.status, status, p);
    assert.equal(typeof r.body.error.message, 'string');
  }
  const put = await srv.api('PUT', '/api/v1/residents', { token, body: {} });
  assert.equal(put.status, 405);
});

test('the server is still healthy and answers everyone', async () => {
  const r = await srv.api('GET', '/api/v1/health');
  assert.equal(r.status, 200);
  const list = await srv.api('GET', '/api/v1/residents', { token });
  assert.equal(list.status, 200);
});

/* A message names the field in Chinese (the API's name in brackets), not by its key alone. */
test('a generic field message names the field in Chinese', async () => {
  const b = (await srv.api('GET', `/api/v1/buildings?community=${COMMUNITY}&per_page=1`, { token })).body.items[0];
  const cases = [
    ['/api/v1/households', { building_id: b.id, unit: 1, floor: 1 }, 'room', /缺少必填字段“室号”（room）/],
    ['/api/v1/buildings', { community: COMMUNITY, name: '标签楼', units: 0, floors: 1 }, 'units', /字段“单元数”（units）应在 1 到 \d+ 之间/],
    ['/api/v1/households', { building_id: b.id, unit: 1, floor: 1, room: 5 }, 'room', /字段“室号”（room）应为/],
  ];
  for (const [p, body, field, re] of cases) {
    const r = await srv.api('POST', p, { token, body });
    assert.equal(r.status, 422, JSON.stringify(r.body));
    assert.equal(r.body.error.field, field);
    assert.match(r.body.error.message, re);
  }
});

test('a body over the limit is told the real limit: 1 MB for data, 5 MB for a photo or attachment, 16 MB for an import', async () => {
  const big = JSON.stringify({ ...good(), name: 'x'.repeat(1100000) });
  let r = await srv.api('POST', '/api/v1/residents', { token, raw: big, headers: JSON_HDR });
  assert.equal(r.status, 413);
  assert.match(r.body.error.message, /不要超过 1 MB/);

  /* a photo or attachment just over its limit, and far over it: the same 5 MB told (not 1 MB or 16 MB) */
  for (const mb of [6, 17]) {
    const photo = Buffer.alloc(mb * 1024 * 1024, 0x41);
    for (const p of ['/api/v1/case-photos', '/api/v1/announcement-files?name=a.png']) {
      r = await srv.api('POST', p, { token, raw: photo, headers: { 'Content-Type': 'image/png' } });
      assert.equal(r.status, 413, `${p} ${mb} MB`);
      assert.match(r.body.error.message, /不能超过 5 MB/, `${p} ${mb} MB`);
    }
  }
  r = await srv.api('POST', '/api/v1/residents/import?community=' + COMMUNITY, { token, raw: Buffer.alloc(17 * 1024 * 1024, 0x41), headers: { 'Content-Type': 'text/csv' } });
  assert.equal(r.status, 413);
  assert.match(r.body.error.message, /不要超过 16 MB/);
});
