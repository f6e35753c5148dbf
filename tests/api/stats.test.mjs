// Community statistics (GET /api/v1/stats/community/{code}, and the counts in
// GET /communities and GET /tags) come from counters that triggers keep
// (schema 0009). After every kind of write, and after writes that fail and roll
// back, each answer must equal a recount made here: the rows are read straight
// from the database file and ages are worked out from birth dates in this file,
// not by the server's SQL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startServer, linli, ROOT, COMMUNITY, STREET, dbSql } from '../lib/server.mjs';

const OTHER = '310105004001';
const BANDS = ['0-6', '7-17', '18-59', '60-79', '80+'];
const KEYS = ['code', 'name', 'street_code', 'street_name', 'county_name', 'by_gender', 'by_age_band',
  'by_tag', 'tags', 'buildings', 'households', 'residents', 'key_population'];
const HEADER = '楼栋,单元,楼层,室号,面积,姓名,性别,出生日期,身份证号,手机号,与户主关系,标签';

let srv, staff, street, admin, building, households = [], otherHousehold;

before(async () => {
  srv = await startServer({ demo: true, residents: 400 });
  staff = (await srv.login('staff')).token;
  street = (await srv.login('street')).token;
  admin = (await srv.login('admin')).token;
});
after(async () => { await srv.stop(); });

const api = (method, p, body, token = staff) => srv.api(method, p, { token, body });

// -- the oracle -------------------------------------------------------------------

const rows = (db, q) => dbSql(db, q, { separator: '\t' })
  .split('\n').filter(Boolean).map((l) => l.split('\t'));

function snapshot(db = srv.db) {
  return {
    tags: rows(db, 'SELECT name, key_population, builtin FROM tag ORDER BY sort, name'),
    residents: rows(db, "SELECT r.community, r.gender, r.birth_date,"
      + " coalesce((SELECT group_concat(t.tag, '|') FROM resident_tag t WHERE t.resident_id = r.id), '')"
      + " FROM resident r WHERE r.status = 'active'"),
    buildings: rows(db, 'SELECT community FROM building'),
    households: rows(db, 'SELECT community FROM household'),
  };
}

// the date in China, as the server counts ages
const today = () => new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);

function age(birth, on) {
  const [by, bm, bd] = birth.split('-').map(Number);
  const [ty, tm, td] = on.split('-').map(Number);
  return ty - by - (tm < bm || (tm === bm && td < bd) ? 1 : 0);
}

const band = (a) => (a < 7 ? '0-6' : a < 18 ? '7-17' : a < 60 ? '18-59' : a < 80 ? '60-79' : '80+');

function recount(snap, prefix) {
  const on = today();
  const inScope = ([c]) => c.startsWith(prefix);
  const kp = new Set(snap.tags.filter(([, k]) => k === '1').map(([n]) => n));
  const byTag = Object.fromEntries(snap.tags.map(([n]) => [n, 0]));
  const out = {
    by_gender: { male: 0, female: 0 },
    by_age_band: Object.fromEntries(BANDS.map((b) => [b, 0])),
    by_tag: byTag,
    tags: [],
    buildings: snap.buildings.filter(inScope).length,
    households: snap.households.filter(inScope).length,
    residents: 0,
    key_population: 0,
  };
  for (const r of snap.residents.filter(inScope)) {
    const [, gender, birth, tags] = r;
    const list = tags ? tags.split('|') : [];
    out.residents++;
    out.by_gender[gender]++;
    out.by_age_band[band(age(birth, on))]++;
    for (const t of list) byTag[t]++;
    if (list.some((t) => kp.has(t))) out.key_population++;
  }
  out.tags = snap.tags.map(([name, k, b]) => ({ name, key_population: k === '1', builtin: b === '1', residents: byTag[name] }));
  return out;
}

async function stats(code, token = code.length === 12 && code === COMMUNITY ? staff : street) {
  const r = await api('GET', `/api/v1/stats/community/${code}`, undefined, token);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
}

const counts = (body) => {
  const { code, name, street_code, street_name, county_name, ...rest } = body;
  return rest;
};

// Every answer that reads the counters against the recount.
async function check(label) {
  const snap = snapshot();
  for (const code of [COMMUNITY, OTHER, STREET])
    assert.deepEqual(counts(await stats(code)), recount(snap, code), `${label}: statistics of ${code}`);
  const list = await api('GET', '/api/v1/communities', undefined, street);
  assert.equal(list.status, 200);
  assert.ok(list.body.items.length >= 15);
  for (const c of list.body.items) {
    const want = recount(snap, c.code);
    assert.deepEqual([c.buildings, c.households, c.residents], [want.buildings, want.households, want.residents],
      `${label}: /communities ${c.code}`);
  }
  for (const [code, token] of [[COMMUNITY, staff], [STREET, street]]) {
    const tags = await api('GET', `/api/v1/tags?community=${code}`, undefined, token);
    assert.equal(tags.status, 200);
    assert.deepEqual(tags.body.items, recount(snap, code).tags, `${label}: /tags for ${code}`);
  }
}

// -- helpers for writes ----------------------------------------------------------------

function yearsBefore(on, n) {
  const [y, m, d] = on.split('-').map(Number);
  return `${String(y - n).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(m === 2 && d === 29 ? 28 : d).padStart(2, '0')}`;
}

function addDays(date, k) {
  const t = new Date(`${date}T00:00:00Z`);
  t.setUTCDate(t.getUTCDate() + k);
  return t.toISOString().slice(0, 10);
}

// a valid GB 11643 number for a birth date and gender
function idNumber(birth, male, seq) {
  const body = `310105${birth.replaceAll('-', '')}${String(seq).padStart(2, '0')}${male ? 1 : 2}`;
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body].reduce((s, c, i) => s + Number(c) * w[i], 0);
  return body + '10X98765432'[sum % 11];
}

const delta = (a, b) => ({
  residents: b.residents - a.residents,
  key_population: b.key_population - a.key_population,
  buildings: b.buildings - a.buildings,
  households: b.households - a.households,
  male: b.by_gender.male - a.by_gender.male,
  female: b.by_gender.female - a.by_gender.female,
  bands: BANDS.map((x) => b.by_age_band[x] - a.by_age_band[x]),
});

// the band counts of these birth dates today, as a delta: bandsOf(['1950-01-01']) = [0, 0, 0, 1, 0]
const bandsOf = (births, sign = 1) => BANDS.map((x) => sign * births.filter((b) => band(age(b, today())) === x).length || 0);

const NONE = { residents: 0, key_population: 0, buildings: 0, households: 0, male: 0, female: 0, bands: [0, 0, 0, 0, 0] };

async function addResident(body, token = staff) {
  const r = await api('POST', '/api/v1/residents', { household_id: households[0].id, ...body }, token);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
}

async function patch(id, body, token = staff) {
  const r = await api('PATCH', `/api/v1/residents/${id}`, body, token);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
}

// -- the tests ------------------------------------------------------------------------

test('the demo database: statistics equal a recount, in the same shape as before', async () => {
  const s = await stats(COMMUNITY);
  assert.deepEqual(Object.keys(s), KEYS);
  assert.deepEqual(Object.keys(s.by_gender), ['male', 'female']);
  assert.deepEqual(Object.keys(s.by_age_band), BANDS);
  assert.ok(s.residents > 0 && s.key_population > 0);
  assert.deepEqual(Object.keys(await stats(STREET)), ['code', ...KEYS.slice(5)]);
  await check('demo');
});

test('the demo gives every built-in tag to some of its residents', async () => {
  const street = await stats(STREET);
  const builtin = street.tags.filter((t) => t.builtin).map((t) => t.name);
  for (const name of ['独居老人', '高龄', '残疾', '低保', '优抚对象', '失业', '儿童', '孕产妇', '党员', '志愿者', '楼组长', '困难家庭'])
    assert.ok(builtin.includes(name), `${name} is built in`);
  for (const name of builtin) assert.ok(street.by_tag[name] > 0, `${name}: ${street.by_tag[name]} residents in the demo street`);
});

test('a building and households count at once', async () => {
  const before = await stats(COMMUNITY);
  let r = await api('POST', '/api/v1/buildings', { community: COMMUNITY, name: '统计楼', units: 2, floors: 6 });
  assert.equal(r.status, 201);
  building = r.body;
  for (const [unit, floor, room] of [[1, 1, '101'], [1, 2, '201'], [2, 3, '302']]) {
    r = await api('POST', '/api/v1/households', { building_id: building.id, unit, floor, room });
    assert.equal(r.status, 201);
    households.push(r.body);
  }
  r = await api('POST', '/api/v1/buildings', { community: OTHER, name: '统计外楼', units: 1, floors: 3 }, admin);
  assert.equal(r.status, 201);
  r = await api('POST', '/api/v1/households', { building_id: r.body.id, unit: 1, floor: 1, room: '101' }, admin);
  assert.equal(r.status, 201);
  otherHousehold = r.body;
  assert.deepEqual(delta(before, await stats(COMMUNITY)), { ...NONE, buildings: 1, households: 3 });
  await check('building and households');
});

test('residents born on each side of every band boundary land in the right band', async () => {
  const on = today();
  const before = await stats(COMMUNITY);
  const made = [];
  for (const years of [7, 18, 60, 80]) {
    const day = yearsBefore(on, years);
    const first = `${day.slice(0, 7)}-01`;
    // the boundary day itself, the day after, its month's first day, the day before that month
    for (const birth of [day, addDays(day, 1), first, addDays(first, -1)])
      made.push({ birth, male: made.length % 2 === 0 });
  }
  made.push({ birth: on, male: true });
  const want = [0, 0, 0, 0, 0];
  for (const [i, m] of made.entries()) {
    const r = await addResident({ name: `边界${i}`, gender: m.male ? 'male' : 'female', birth_date: m.birth });
    assert.equal(band(r.age), band(age(m.birth, on)));
    want[BANDS.indexOf(band(age(m.birth, on)))]++;
  }
  const males = made.filter((m) => m.male).length;
  assert.deepEqual(delta(before, await stats(COMMUNITY)),
    { ...NONE, residents: made.length, male: males, female: made.length - males, bands: want });
  // the boundary day belongs to the older band: someone exactly 7 today is in 7-17
  assert.equal(band(age(yearsBefore(on, 7), on)), '7-17');
  await check('band boundaries');
});

test('tags: key population counts a person once, however many such tags she has', async () => {
  let s0 = await stats(COMMUNITY);
  const wang = await addResident({ name: '统计王', gender: 'female', birth_date: '1940-05-06', tags: ['独居老人', '高龄', '党员'] });
  let s1 = await stats(COMMUNITY);
  assert.deepEqual(delta(s0, s1), { ...NONE, residents: 1, key_population: 1, female: 1, bands: bandsOf(['1940-05-06']) });
  assert.equal(s1.by_tag['独居老人'] - s0.by_tag['独居老人'], 1);
  assert.equal(s1.by_tag['党员'] - s0.by_tag['党员'], 1);
  await check('added with tags');

  // one key-population tag of two removed: still one person
  s0 = s1;
  await patch(wang.id, { tags: ['高龄', '党员'] });
  s1 = await stats(COMMUNITY);
  assert.deepEqual(delta(s0, s1), NONE);
  assert.equal(s1.by_tag['独居老人'] - s0.by_tag['独居老人'], -1);
  // no key-population tag left
  await patch(wang.id, { tags: ['党员'] });
  s0 = s1; s1 = await stats(COMMUNITY);
  assert.deepEqual(delta(s0, s1), { ...NONE, key_population: -1 });
  // two at once, then none at all
  await patch(wang.id, { tags: ['残疾', '低保', '志愿者'] });
  s0 = s1; s1 = await stats(COMMUNITY);
  assert.deepEqual(delta(s0, s1), { ...NONE, key_population: 1 });
  await check('tags replaced');
  await patch(wang.id, { tags: [] });
  s0 = s1; s1 = await stats(COMMUNITY);
  assert.deepEqual(delta(s0, s1), { ...NONE, key_population: -1 });
  assert.equal(s1.by_tag['志愿者'] - s0.by_tag['志愿者'], -1);
  await check('tags cleared');

  // a new key-population tag counts from its first resident
  let r = await api('POST', '/api/v1/tags', { name: '统计新标签', key_population: true });
  assert.equal(r.status, 201);
  await check('tag created');
  await patch(wang.id, { tags: ['统计新标签'] });
  s0 = s1; s1 = await stats(COMMUNITY);
  assert.deepEqual(delta(s0, s1), { ...NONE, key_population: 1 });
  assert.equal(s1.by_tag['统计新标签'], 1);
  assert.equal(s1.tags.at(-1).name, '统计新标签');
  await check('new tag used');
});

test('edits move a person between genders, bands, households and communities', async () => {
  const li = await addResident({ name: '统计李', gender: 'male', birth_date: '1985-07-08', tags: ['独居老人', '志愿者'] });
  let s0 = await stats(COMMUNITY);
  await patch(li.id, { gender: 'female' });
  let s1 = await stats(COMMUNITY);
  assert.deepEqual(delta(s0, s1), { ...NONE, male: -1, female: 1 });
  const born = addDays(today(), -400); // a baby, whatever the date
  await patch(li.id, { birth_date: born });
  s0 = s1; s1 = await stats(COMMUNITY);
  assert.deepEqual(delta(s0, s1), { ...NONE, bands: [1, 0, -1, 0, 0] });
  // an edit of other fields only, and a transfer inside the community: nothing moves
  await patch(li.id, { name: '统计李二', relation: '子女' });
  await patch(li.id, { household_id: households[1].id });
  s0 = s1; s1 = await stats(COMMUNITY);
  assert.deepEqual(delta(s0, s1), NONE);
  await check('edits');

  // to another community of the street (an admin may): the person and her tags go along
  const o0 = await stats(OTHER), t0 = await stats(STREET);
  const moved = await patch(li.id, { household_id: otherHousehold.id }, admin);
  assert.equal(moved.community, OTHER);
  const o1 = await stats(OTHER);
  s0 = s1; s1 = await stats(COMMUNITY);
  assert.deepEqual(delta(s0, s1), { ...NONE, residents: -1, key_population: -1, female: -1, bands: bandsOf([born], -1) });
  assert.deepEqual(delta(o0, o1), { ...NONE, residents: 1, key_population: 1, female: 1, bands: bandsOf([born]) });
  assert.equal(o1.by_tag['志愿者'] - o0.by_tag['志愿者'], 1);
  assert.equal(s1.by_tag['志愿者'] - s0.by_tag['志愿者'], -1);
  assert.deepEqual(delta(t0, await stats(STREET)), NONE);
  await check('transfer to another community');

  // and back
  await patch(li.id, { household_id: households[2].id }, admin);
  assert.deepEqual(delta(s0, await stats(COMMUNITY)), NONE);
  await check('transfer back');
});

test('moving out takes a person and her tags out; registering her again brings them back', async () => {
  const zhao = await addResident({ name: '统计赵', gender: 'male', birth_date: '1944-02-03', id_number: idNumber('1944-02-03', true, 11), tags: ['高龄'] });
  const s0 = await stats(COMMUNITY);
  let r = await api('DELETE', `/api/v1/residents/${zhao.id}`, { reason: '迁往外区' });
  assert.equal(r.status, 200);
  const s1 = await stats(COMMUNITY);
  assert.deepEqual(delta(s0, s1), { ...NONE, residents: -1, key_population: -1, male: -1, bands: bandsOf(['1944-02-03'], -1) });
  assert.equal(s1.by_tag['高龄'] - s0.by_tag['高龄'], -1);
  await check('moved out');
  // moving out twice is refused and changes nothing
  r = await api('DELETE', `/api/v1/residents/${zhao.id}`);
  assert.equal(r.status, 409);
  // an edit of the moved-out record is refused
  r = await api('PATCH', `/api/v1/residents/${zhao.id}`, { tags: ['独居老人'] });
  assert.equal(r.status, 409);
  assert.deepEqual(await stats(COMMUNITY), s1);
  await addResident({ name: '统计赵', id_number: idNumber('1944-02-03', true, 11), tags: ['高龄'] });
  assert.deepEqual(counts(await stats(COMMUNITY)), counts(s0));
  await check('registered again');
});

test('a request that fails half way rolls its counts back with it', async () => {
  const a = await addResident({ name: '统计甲', id_number: idNumber('1980-05-05', false, 21), tags: ['低保'] });
  const b = await addResident({ name: '统计乙', id_number: idNumber('1990-06-06', true, 22) });
  const s0 = await stats(COMMUNITY);
  // the resident row is written before the unknown tag is found
  let r = await api('POST', '/api/v1/residents', { household_id: households[0].id, name: '统计丙', gender: 'female', birth_date: '1930-01-01', tags: ['独居老人', '没有这个标签'] });
  assert.equal(r.status, 422);
  assert.equal(r.body.error.code, 'unknown_tag');
  // the update and the tag clearing run before the unknown tag is found
  r = await api('PATCH', `/api/v1/residents/${a.id}`, { id_number: idNumber('2020-01-01', true, 23), tags: ['高龄', '没有这个标签'] });
  assert.equal(r.status, 422, JSON.stringify(r.body));
  // the update moves b to a's birth date and gender before her ID number collides with a's
  r = await api('PATCH', `/api/v1/residents/${b.id}`, { id_number: idNumber('1980-05-05', false, 21) });
  assert.equal(r.status, 409);
  assert.equal(r.body.error.code, 'duplicate_resident');
  // a transfer to another community by an admin, failing on the tag after the move
  r = await api('PATCH', `/api/v1/residents/${a.id}`, { household_id: otherHousehold.id, tags: ['没有这个标签'] }, admin);
  assert.equal(r.status, 422);
  assert.deepEqual(await stats(COMMUNITY), s0);
  await check('rolled back');
});

test('an import counts its good rows only: rows refused by the database leave no trace', async () => {
  const s0 = await stats(COMMUNITY);
  const taken = idNumber('1980-05-05', false, 21); // 统计甲's, registered above
  const csv = [
    HEADER,
    // good: a new building, a key-population tag
    '统计导入楼,1,2,201,,导入一,男,1941-03-04,,,户主,独居老人、高龄',
    '统计导入楼,1,2,202,,导入二,女,2015-08-09,,,户主,儿童',
    // refused while parsed: no such date
    '统计导入楼,1,2,203,,导入三,女,1970-02-30,,,户主,',
    // refused by the database after its building, household and resident were written
    '统计回滚楼,1,1,101,,导入四,男,1950-01-01,,,户主,独居老人、没有这个标签',
    `统计回滚楼,1,1,102,,导入五,女,,${taken},,户主,低保`,
  ].join('\r\n') + '\r\n';
  const r = await srv.api('POST', `/api/v1/residents/import?community=${COMMUNITY}`,
    { token: staff, raw: csv, headers: { 'Content-Type': 'text/csv' } });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.imported, 2);
  assert.deepEqual(r.body.rejected.map((x) => [x.line, x.code]), [[4, 'invalid_date'], [5, 'unknown_tag'], [6, 'duplicate_resident']]);
  const s1 = await stats(COMMUNITY);
  assert.deepEqual(delta(s0, s1), { ...NONE, residents: 2, key_population: 2, buildings: 1, households: 2, male: 1, female: 1, bands: bandsOf(['1941-03-04', '2015-08-09']) });
  assert.equal(s1.by_tag['独居老人'] - s0.by_tag['独居老人'], 1);
  assert.equal(s1.by_tag['低保'], s0.by_tag['低保']);
  await check('import');
});

test('an existing database gets its counters filled from its rows by the migration', () => {
  const db = path.join(srv.dir, 'old.db');
  linli(['migrate', '--db', db]);
  linli(['demo', '--db', db, '--residents', '300']);
  const sql = readFileSync(path.join(ROOT, 'src/store/schema/0009_registry_counts.sql'), 'utf8');
  const names = (kind) => [...sql.matchAll(new RegExp(`^CREATE ${kind} (\\w+)`, 'gm'))].map((m) => m[1]);
  const drop = [
    ...names('TRIGGER').map((n) => `DROP TRIGGER ${n};`),
    ...names('INDEX').map((n) => `DROP INDEX ${n};`),
    ...names('TABLE').map((n) => `DROP TABLE ${n};`),
    'DELETE FROM schema_version WHERE version = 9;',
  ];
  assert.ok(names('TRIGGER').length >= 10 && names('TABLE').length === 3);
  // a database as schema 8 left it, with some residents moved out and retagged
  execFileSync('sqlite3', [db, drop.join(' ')
    + " UPDATE resident SET status = 'moved_out' WHERE id % 7 = 0;"
    + " DELETE FROM resident_tag WHERE resident_id % 5 = 0;"]);
  assert.equal(rows(db, "SELECT count(*) FROM sqlite_master WHERE name = 'resident_count'")[0][0], '0');
  assert.match(linli(['migrate', '--db', db]), /schema version \d+ \(1 migration applied\)/); // exactly 0009, whatever came after
  const snap = snapshot(db);
  const want = new Map();
  const add = (k, n = 1) => want.set(k, (want.get(k) || 0) + n);
  for (const [c, g, birth, tags] of snap.residents) {
    add(`r ${c} ${birth.slice(0, 7)} ${g}`);
    for (const t of tags ? tags.split('|') : []) add(`t ${t} ${c}`);
  }
  for (const [c] of snap.buildings) add(`b ${c}`);
  for (const [c] of snap.households) add(`h ${c}`);
  for (const c of new Set(snap.residents.map(([c]) => c)))
    add(`k ${c}`, recount(snap, c).key_population);
  const got = new Map();
  for (const [c, m, g, n] of rows(db, 'SELECT community, birth_month, gender, n FROM resident_count')) got.set(`r ${c} ${m} ${g}`, Number(n));
  for (const [t, c, n] of rows(db, 'SELECT tag, community, n FROM tag_count')) got.set(`t ${t} ${c}`, Number(n));
  for (const [c, b, h, k] of rows(db, 'SELECT community, buildings, households, key_population FROM community_count')) {
    got.set(`b ${c}`, Number(b));
    got.set(`h ${c}`, Number(h));
    got.set(`k ${c}`, Number(k));
  }
  const nonzero = (m) => new Map([...m].filter(([, n]) => n !== 0));
  assert.deepEqual(nonzero(got), nonzero(want));
  assert.ok(want.size > 100 && snap.residents.length > 200);
});
