// The registry end to end: buildings, households, residents, search, edits,
// move-out, statistics, privacy (masking, reveal, audit, encryption at rest).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer, COMMUNITY, dbSql, PG } from '../lib/server.mjs';

let srv, staff, building, household, household2, zhang;
const ZHANG = { name: '张三', gender: 'male', birth_date: '1950-03-02', id_number: '310105195003021230', phone: '13912345678', relation: '户主', tags: ['独居老人', '高龄'] };

before(async () => {
  srv = await startServer({ demo: true, residents: 600 });
  staff = (await srv.login('staff')).token;
});
after(async () => { await srv.stop(); });

const post = (p, body, token = staff) => srv.api('POST', p, { token, body });
const get = (p, token = staff) => srv.api('GET', p, { token });
const sql = (q) => dbSql(srv.db, q).trim();

test('communities of the demo street come from the real division data', async () => {
  const r = await get('/api/v1/communities', (await srv.login('admin')).token);
  assert.equal(r.status, 200);
  const xingfu = r.body.items.find((c) => c.code === COMMUNITY);
  assert.equal(xingfu.name, '幸福居委会');
  assert.equal(xingfu.street_name, '新华路街道');
  assert.equal(xingfu.county_name, '长宁区');
  assert.ok(r.body.items.length >= 15);
  assert.ok(xingfu.residents > 0);
});

test('demo residents moved in on a past date, not before birth, and their history says so', async () => {
  const today = new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
  const items = (await get(`/api/v1/residents?community=${COMMUNITY}&per_page=50`)).body.items;
  const dates = new Set();
  for (const r of items) {
    assert.match(r.moved_in || '', /^\d{4}-\d{2}-\d{2}$/, `${r.name} has a move-in date`);
    assert.ok(r.moved_in <= today && r.moved_in >= r.birth_date, `${r.name}: born ${r.birth_date}, moved in ${r.moved_in}`);
    dates.add(r.moved_in);
  }
  assert.ok(dates.size > items.length / 2, 'the dates differ');
  const one = (await get(`/api/v1/residents/${items[0].id}`)).body;
  assert.deepEqual(one.history.map((h) => [h.kind, h.date]), [['move_in', one.moved_in]]);
});

test('the demo community has function rooms a resident can see and book from', async () => {
  const resident = (await srv.login('resident')).token;
  const r = await get('/api/v1/rooms', resident);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const rooms = r.body.items.filter((x) => x.community === COMMUNITY);
  assert.ok(rooms.length >= 4, JSON.stringify(r.body.items.map((x) => x.name)));
  assert.ok(rooms.some((x) => x.rules.open_24h), 'one is open around the clock');
  assert.ok(rooms.some((x) => x.rules.needs_approval), 'one needs approval');
  for (const x of rooms) assert.match(x.name, /[\u4e00-\u9fff]/);
});

test('create a building and a household, and see them in the drill-down', async () => {
  let r = await post('/api/v1/buildings', { community: COMMUNITY, name: '测试楼', units: 2, floors: 6 });
  assert.equal(r.status, 201);
  assert.ok(r.body.id > 0);
  assert.equal(r.body.name, '测试楼');
  building = r.body;
  r = await post('/api/v1/households', { building_id: building.id, unit: 2, floor: 3, room: '302', area_m2: 68.5 });
  assert.equal(r.status, 201);
  assert.equal(r.body.address, '测试楼2单元302室');
  assert.equal(r.body.area_m2, 68.5);
  household = r.body;
  r = await post('/api/v1/households', { building_id: building.id, unit: 1, floor: 1, room: '101' });
  household2 = r.body;
  r = await get(`/api/v1/buildings/${building.id}`);
  assert.equal(r.status, 200);
  assert.equal(r.body.households, 2);
  assert.deepEqual(r.body.household_list.map((h) => h.room).sort(), ['101', '302']);
  r = await get(`/api/v1/households?building_id=${building.id}&unit=2&floor=3`);
  assert.equal(r.body.total, 1);
  assert.equal(r.body.items[0].id, household.id);
});

test('a household outside the building is refused', async () => {
  let r = await post('/api/v1/households', { building_id: building.id, unit: 3, floor: 1, room: '101' });
  assert.equal(r.status, 422);
  assert.equal(r.body.error.field, 'unit');
  r = await post('/api/v1/households', { building_id: building.id, unit: 1, floor: 7, room: '701' });
  assert.equal(r.status, 422);
  assert.equal(r.body.error.field, 'floor');
  r = await post('/api/v1/households', { building_id: building.id, unit: 2, floor: 3, room: '302' });
  assert.equal(r.status, 409);
  assert.equal(r.body.error.code, 'duplicate_household');
  r = await post('/api/v1/buildings', { community: COMMUNITY, name: '测试楼', units: 1, floors: 1 });
  assert.equal(r.status, 409);
  assert.equal(r.body.error.code, 'duplicate_building');
});

test('add a resident: masked in the answer, encrypted at rest, audited', async () => {
  const r = await post('/api/v1/residents', { household_id: household.id, ...ZHANG });
  assert.equal(r.status, 201);
  zhang = r.body;
  assert.ok(zhang.id > 0);
  assert.equal(zhang.id_number, '310***********1230');
  assert.equal(zhang.phone, '139****5678');
  assert.equal(zhang.address, '测试楼2单元302室');
  assert.deepEqual(zhang.tags.sort(), ['独居老人', '高龄'].sort());
  assert.equal(zhang.history[0].kind, 'move_in');
  assert.ok(zhang.age >= 76);
  // not in the database file in clear (on PostgreSQL: not in any column's text)
  if (PG) {
    const dump = dbSql(srv.db, 'SELECT r::text FROM resident r');
    assert.equal(dump.indexOf('310105195003021230'), -1);
    assert.equal(dump.indexOf('13912345678'), -1);
  } else {
    dbSql(srv.db, 'PRAGMA wal_checkpoint(TRUNCATE)');
    const bytes = readFileSync(srv.db);
    assert.equal(bytes.indexOf('310105195003021230'), -1);
    assert.equal(bytes.indexOf('13912345678'), -1);
  }
  assert.equal(sql(`SELECT count(*) FROM audit WHERE action = 'resident.create' AND object_id = ${zhang.id}`), '1');
});

test('gender and birth date follow from the ID number, and must agree with it', async () => {
  let r = await post('/api/v1/residents', { household_id: household.id, name: '李丽', id_number: '11010519491231002X', relation: '配偶' });
  assert.equal(r.status, 201);
  assert.equal(r.body.gender, 'female');
  assert.equal(r.body.birth_date, '1949-12-31');
  r = await post('/api/v1/residents', { household_id: household.id, name: '王五', gender: 'female', id_number: '440304200002290014' });
  assert.equal(r.status, 422);
  assert.equal(r.body.error.field, 'gender');
  r = await post('/api/v1/residents', { household_id: household.id, name: '王五', birth_date: '2000-02-28', id_number: '440304200002290014' });
  assert.equal(r.status, 422);
  assert.equal(r.body.error.field, 'birth_date');
});

test('a duplicate ID number is a 409 and writes nothing', async () => {
  const before = sql('SELECT count(*) FROM resident');
  const r = await post('/api/v1/residents', { household_id: household2.id, ...ZHANG, name: '张三丰' });
  assert.equal(r.status, 409);
  assert.equal(r.body.error.code, 'duplicate_resident');
  assert.equal(r.body.error.field, 'id_number');
  assert.equal(sql('SELECT count(*) FROM resident'), before);
});

test('search by name, pinyin initials, last 4 phone digits, whole phone, ID number, building and tag', async () => {
  const ids = async (qs) => (await get(`/api/v1/residents?community=${COMMUNITY}&${qs}&per_page=200`)).body.items.map((x) => x.id);
  assert.ok((await ids('q=' + encodeURIComponent('张三'))).includes(zhang.id));
  assert.ok((await ids('q=zs')).includes(zhang.id));
  assert.ok((await ids('q=ZS')).includes(zhang.id));
  assert.ok((await ids('q=%EF%BC%BA%EF%BC%B3')).includes(zhang.id), 'full-width ＺＳ');
  assert.ok((await ids('q=5678')).includes(zhang.id));
  assert.deepEqual(await ids('q=13912345678'), [zhang.id]);
  assert.deepEqual(await ids('q=310105195003021230'), [zhang.id]);
  assert.ok(!(await ids('q=5679')).includes(zhang.id));
  assert.ok(!(await ids('q=lsm')).includes(zhang.id));
  const inBuilding = await ids(`building_id=${building.id}`);
  assert.equal(inBuilding.length, 2);
  assert.ok((await ids('tag=' + encodeURIComponent('独居老人'))).includes(zhang.id));
  const page = await get(`/api/v1/residents?community=${COMMUNITY}&per_page=5&page=2`);
  assert.equal(page.body.items.length, 5);
  assert.equal(page.body.page, 2);
  assert.ok(page.body.total > 10);
});

test('a SQL wildcard in the search is matched literally', async () => {
  const r = await get(`/api/v1/residents?community=${COMMUNITY}&q=%25`);
  assert.equal(r.status, 200);
  assert.equal(r.body.total, 0);
});

test('full ID number and phone only on request, for community staff, audited', async () => {
  let r = await get(`/api/v1/residents/${zhang.id}`);
  assert.equal(r.body.id_number, '310***********1230');
  const before = Number(sql(`SELECT count(*) FROM audit WHERE action = 'resident.view_full' AND object_id = ${zhang.id}`));
  r = await get(`/api/v1/residents/${zhang.id}?reveal=1`);
  assert.equal(r.status, 200);
  assert.equal(r.body.id_number, '310105195003021230');
  assert.equal(r.body.phone, '13912345678');
  const afterCount = Number(sql(`SELECT count(*) FROM audit WHERE action = 'resident.view_full' AND object_id = ${zhang.id}`));
  assert.equal(afterCount, before + 1);
  for (const who of ['grid', 'street', 'admin']) {
    const t = (await srv.login(who)).token;
    const denied = await get(`/api/v1/residents/${zhang.id}?reveal=1`, t);
    assert.equal(denied.status, 403, who);
    const masked = await get(`/api/v1/residents/${zhang.id}`, t);
    assert.equal(masked.body.id_number, '310***********1230', who);
  }
  const sec = (await srv.login('secretary')).token;
  const audit = await get(`/api/v1/audit?action=resident.view_full&object_id=${zhang.id}`, sec);
  assert.equal(audit.status, 200);
  assert.ok(audit.body.items.some((e) => e.username === 'staff'));
  assert.ok(!JSON.stringify(audit.body).includes('310105195003021230'));
});

test('edit a resident, change phone, tags and household (a transfer)', async () => {
  let r = await srv.api('PATCH', `/api/v1/residents/${zhang.id}`, { token: staff, body: { phone: '13700001111', tags: ['独居老人'], name: '张叁' } });
  assert.equal(r.status, 200);
  assert.equal(r.body.phone, '137****1111');
  assert.deepEqual(r.body.tags, ['独居老人']);
  assert.equal(r.body.name, '张叁');
  const found = (await get(`/api/v1/residents?community=${COMMUNITY}&q=1111`)).body.items.map((x) => x.id);
  assert.ok(found.includes(zhang.id));
  assert.equal((await get(`/api/v1/residents?community=${COMMUNITY}&q=5678`)).body.items.filter((x) => x.id === zhang.id).length, 0);
  r = await srv.api('PATCH', `/api/v1/residents/${zhang.id}`, { token: staff, body: { household_id: household2.id } });
  assert.equal(r.status, 200);
  assert.equal(r.body.household_id, household2.id);
  assert.equal(r.body.address, '测试楼1单元101室');
  assert.deepEqual(r.body.history.map((h) => h.kind), ['move_in', 'transfer']);
  r = await srv.api('PATCH', `/api/v1/residents/${zhang.id}`, { token: staff, body: {} });
  assert.equal(r.status, 422);
  assert.equal(r.body.error.code, 'empty_update');
});

test('move out keeps the record and its history; the list no longer shows it', async () => {
  let r = await srv.api('DELETE', `/api/v1/residents/${zhang.id}`, { token: staff, body: { date: '2026-11-01', reason: '迁往外省' } });
  assert.equal(r.status, 200);
  assert.equal(r.body.status, 'moved_out');
  assert.equal(r.body.moved_out, '2026-11-01');
  assert.equal(r.body.history.at(-1).kind, 'move_out');
  assert.equal(r.body.history.at(-1).reason, '迁往外省');
  const active = (await get(`/api/v1/residents?community=${COMMUNITY}&q=zs`)).body.items.map((x) => x.id);
  assert.ok(!active.includes(zhang.id));
  const out = (await get(`/api/v1/residents?community=${COMMUNITY}&status=moved_out`)).body.items.map((x) => x.id);
  assert.ok(out.includes(zhang.id));
  r = await srv.api('DELETE', `/api/v1/residents/${zhang.id}`, { token: staff });
  assert.equal(r.status, 409);
  // the same person may be registered again once moved out
  r = await post('/api/v1/residents', { household_id: household.id, ...ZHANG });
  assert.equal(r.status, 201);
  // grid workers register people but do not move them out
  const grid = (await srv.login('grid')).token;
  r = await srv.api('DELETE', `/api/v1/residents/${r.body.id}`, { token: grid });
  assert.equal(r.status, 403);
});

test('text written straight as JSON comes back exactly: quotes, backslashes, emoji', async () => {
  let r = await post('/api/v1/residents', { household_id: household2.id, name: '李四', gender: 'female', birth_date: '1990-01-02', relation: '租户' });
  assert.equal(r.status, 201);
  const id = r.body.id;
  const reason = 'say "hi" \\ C:\\旧址/新址 😀 「完」';
  r = await srv.api('DELETE', `/api/v1/residents/${id}`, { token: staff, body: { reason } });
  assert.equal(r.status, 200);
  assert.equal(r.body.history.at(-1).reason, reason);
  // the raw bytes too: the GET is written by core/jsonw, and must parse as JSON on its own
  const res = await fetch(`${srv.url}/api/v1/residents/${id}`, { headers: { Authorization: `Bearer ${staff}` } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/json; charset=utf-8');
  assert.equal(res.headers.get('cache-control'), 'no-store');
  const text = await res.text();
  assert.ok(text.includes('\\"hi\\" \\\\ C:'), text);
  assert.ok(text.includes('新址 😀'), text);
  const body = JSON.parse(text);
  assert.equal(body.history.at(-1).reason, reason);
  assert.equal(body.address, r.body.address);
  assert.deepEqual(body, r.body);
  const list = await get(`/api/v1/residents?community=${COMMUNITY}&status=moved_out&household_id=${household2.id}`);
  const row = list.body.items.find((x) => x.id === id);
  assert.deepEqual({ ...row, history: body.history }, body);
});

test('statistics count what the registry holds', async () => {
  const r = await get(`/api/v1/stats/community/${COMMUNITY}`);
  assert.equal(r.status, 200);
  const s = r.body;
  assert.equal(s.name, '幸福居委会');
  assert.equal(Number(sql(`SELECT count(*) FROM resident WHERE community = '${COMMUNITY}' AND status = 'active'`)), s.residents);
  assert.equal(Number(sql(`SELECT count(*) FROM building WHERE community = '${COMMUNITY}'`)), s.buildings);
  assert.equal(s.by_gender.male + s.by_gender.female, s.residents);
  assert.equal(Object.values(s.by_age_band).reduce((a, b) => a + b, 0), s.residents);
  assert.equal(s.by_tag['独居老人'], Number(sql(`SELECT count(*) FROM resident_tag t JOIN resident r ON r.id = t.resident_id WHERE t.tag = '独居老人' AND r.status = 'active' AND r.community = '${COMMUNITY}'`)));
  assert.ok(s.key_population > 0);
  const street = await get('/api/v1/stats/community/310105004', (await srv.login('street')).token);
  assert.equal(street.status, 200);
  assert.ok(street.body.residents > s.residents);
});

test('staff extend the tag list', async () => {
  let r = await post('/api/v1/tags', { name: '新就业群体', key_population: false });
  assert.equal(r.status, 201);
  r = await post('/api/v1/tags', { name: '新就业群体' });
  assert.equal(r.status, 409);
  // a name an import cell would split in two is refused
  for (const name of ['空巢、独居', '空巢，独居', '空巢 独居', '空巢;独居', '空巢|独居']) {
    r = await post('/api/v1/tags', { name });
    assert.equal(r.status, 422, name);
    assert.equal(r.body.error.code, 'invalid_tag');
    assert.equal(r.body.error.field, 'name');
    assert.match(r.body.error.message, /顿号/);
  }
  r = await post('/api/v1/residents', { household_id: household2.id, name: '外卖骑手', gender: 'male', birth_date: '1995-05-05', tags: ['新就业群体'] });
  assert.equal(r.status, 201);
  r = await post('/api/v1/residents', { household_id: household2.id, name: '某人', gender: 'male', birth_date: '1995-05-05', tags: ['不存在的标签'] });
  assert.equal(r.status, 422);
  assert.equal(r.body.error.code, 'unknown_tag');
  const tags = (await get(`/api/v1/tags?community=${COMMUNITY}`)).body.items;
  assert.equal(tags.find((t) => t.name === '新就业群体').residents, 1);
});

test('a resident sees her household and community, masked', async () => {
  const { token } = await srv.login('resident');
  const me = await get('/api/v1/me', token);
  assert.equal(me.status, 200);
  assert.equal(me.body.user.role, 'resident');
  assert.equal(me.body.community.name, '幸福居委会');
  assert.ok(me.body.household.members.length >= 2);
  for (const m of me.body.household.members)
    assert.match(m.id_number ?? '***', /\*/);
  const list = await get('/api/v1/residents', token);
  assert.equal(list.status, 200);
  assert.ok(list.body.items.every((x) => x.household_id === me.body.household.id));
});

test('total is the same whatever the page size, and the pages add up to it', async () => {
  for (const q of [`community=${COMMUNITY}`, `community=${COMMUNITY}&q=z`, `community=${COMMUNITY}&q=${encodeURIComponent('王')}`, 'q=zs']) {
    const all = await get(`/api/v1/residents?${q}&per_page=200`);
    assert.equal(all.status, 200);
    const total = all.body.total;
    assert.ok(total > 0, q);
    if (total <= 200) assert.equal(all.body.items.length, total, q);
    for (const per of [1, 3, 7]) {
      const seen = [];
      for (let p = 1; seen.length < Math.min(total, 30); p++) {
        const r = await get(`/api/v1/residents?${q}&per_page=${per}&page=${p}`);
        assert.equal(r.body.total, total, `${q} per_page=${per} page=${p}`);
        assert.ok(r.body.items.length > 0);
        seen.push(...r.body.items.map((x) => x.id));
      }
      assert.deepEqual(seen, all.body.items.slice(0, seen.length).map((x) => x.id), q);
    }
    const beyond = await get(`/api/v1/residents?${q}&per_page=200&page=${Math.floor(total / 200) + 2}`);
    assert.equal(beyond.body.total, total);
    assert.equal(beyond.body.items.length, 0);
  }
});

/*
 * A tag's total comes from the counters (schema 9) when the tag is the only
 * filter: it must be what walking every page finds, and what the rows say,
 * for a community and a street, before and after tags and moves change it.
 */
test('a key population\'s total is the residents listed, for a community and a street', async () => {
  const street = (await srv.login('street')).token;
  const walk = async (q, token) => {
    const first = await get(`/api/v1/residents?${q}&per_page=200`, token);
    assert.equal(first.status, 200, JSON.stringify(first.body));
    const ids = first.body.items.map((x) => x.id);
    for (let p = 2; ids.length < first.body.total + 1; p++) {
      const r = await get(`/api/v1/residents?${q}&per_page=200&page=${p}`, token);
      assert.equal(r.body.total, first.body.total);
      if (r.body.items.length === 0) break;
      ids.push(...r.body.items.map((x) => x.id));
    }
    return { total: first.body.total, ids };
  };
  const rows = (tag, where) => Number(sql(`SELECT count(*) FROM resident r JOIN resident_tag t ON t.resident_id = r.id WHERE t.tag = '${tag}' AND r.status = 'active' AND ${where}`));
  const check = async (tag) => {
    for (const [q, token, where] of [
      [`community=${COMMUNITY}&tag=${encodeURIComponent(tag)}`, staff, `r.community = '${COMMUNITY}'`],
      [`tag=${encodeURIComponent(tag)}`, street, `r.community LIKE '${COMMUNITY.slice(0, 9)}%'`],
    ]) {
      const { total, ids } = await walk(q, token);
      assert.equal(ids.length, total, q);
      assert.equal(new Set(ids).size, ids.length, q);
      assert.equal(total, rows(tag, where), q);
    }
  };
  for (const tag of ['独居老人', '党员', '儿童', '志愿者'])
    await check(tag);
  // tags given and taken, a tagged resident moved out: the totals follow
  const list = await get(`/api/v1/residents?community=${COMMUNITY}&tag=${encodeURIComponent('党员')}&per_page=3`);
  assert.ok(list.body.items.length >= 2);
  const [a, b] = list.body.items;
  const untag = await srv.api('PATCH', `/api/v1/residents/${a.id}`, { token: staff, body: { tags: a.tags.filter((t) => t !== '党员').concat(['志愿者']) } });
  assert.equal(untag.status, 200, JSON.stringify(untag.body));
  const out = await srv.api('DELETE', `/api/v1/residents/${b.id}`, { token: staff, body: { date: '2026-11-01', reason: '迁出' } });
  assert.ok(out.status === 200 || out.status === 204, JSON.stringify(out.body));
  for (const tag of ['党员', '志愿者'])
    await check(tag);
});

/*
 * A street's search runs community by community (IN the street's divisions)
 * and an exact phone or ID number by its hash indexes: the street's total for
 * each kind of query is the sum of its communities' totals, asked one by one.
 */
test('a street\'s search finds what its communities find, for every kind of query', async () => {
  const street = (await srv.login('street')).token;
  const admin = (await srv.login('admin')).token;
  const communities = (await get('/api/v1/communities', street)).body.items.map((c) => c.code);
  assert.ok(communities.length > 1);
  for (const q of ['z', 'zs', '张', '王', ZHANG.phone.slice(-4), '']) {
    const arg = q ? `q=${encodeURIComponent(q)}&` : '';
    const s = await get(`/api/v1/residents?${arg}per_page=50`, street);
    assert.equal(s.status, 200, JSON.stringify(s.body));
    let sum = 0;
    for (const c of communities)
      sum += (await get(`/api/v1/residents?community=${c}&${arg}per_page=1`, admin)).body.total;
    assert.equal(s.body.total, sum, `q=${q}`);
    const ids = s.body.items.map((x) => x.id);
    assert.deepEqual(ids, [...ids].sort((a, b) => a - b), `q=${q} in id order`);
    assert.equal(new Set(ids).size, ids.length);
  }
  /* a whole phone or ID number is for the community's own staff (tests/api/security.test.mjs) */
  for (const q of [ZHANG.phone, ZHANG.id_number])
    assert.equal((await get(`/api/v1/residents?q=${q}`, street)).status, 403);
});

/* A street's whole register is merged from its communities' pages: every page is the right slice. */
test('a street\'s unfiltered pages are the slices of all its communities\' residents in id order', async () => {
  const street = (await srv.login('street')).token;
  const admin = (await srv.login('admin')).token;
  const communities = (await get('/api/v1/communities', street)).body.items.map((c) => c.code);
  const all = [];
  for (const c of communities) {
    const before = all.length;
    let total = null;
    for (let p = 1; ; p++) {
      const r = await get(`/api/v1/residents?community=${c}&per_page=200&page=${p}`, admin);
      assert.equal(r.status, 200);
      total ??= r.body.total;
      assert.equal(r.body.total, total);
      all.push(...r.body.items.map((x) => x.id));
      if (r.body.items.length < 200) break;
    }
    assert.equal(all.length - before, total, `the total of ${c} is its residents`);
  }
  all.sort((a, b) => a - b);
  const first = await get('/api/v1/residents?per_page=200', street);
  assert.equal(first.body.total, all.length);
  for (const [per, page] of [[7, 1], [7, 2], [7, 13], [50, 3], [200, 2], [200, Math.ceil(all.length / 200)], [200, Math.ceil(all.length / 200) + 1]]) {
    const r = await get(`/api/v1/residents?per_page=${per}&page=${page}`, street);
    assert.equal(r.status, 200);
    assert.equal(r.body.total, all.length);
    assert.deepEqual(r.body.items.map((x) => x.id), all.slice((page - 1) * per, page * per), `per_page=${per} page=${page}`);
  }
});
