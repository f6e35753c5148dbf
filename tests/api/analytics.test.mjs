// Analytics (issue 20): indicators, portrait, classification and its rules,
// key populations and the staffing suggestion. The test builds a street of
// its own through the API (another street of 长宁区, imported next to the
// demo's): buildings, households, residents with tags and birthdays on the
// age-band boundaries, cases, questions, a room and a booking, workers and a
// volunteer; every indicator the server gives is checked against what the
// test computes from the rows it made. Scope: a community's worker reads only
// her community, a street's admin only her street. Bad input: 4xx with
// {error:{code,message,field}}.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, dbSql, STREET, COMMUNITY } from '../lib/server.mjs';
import { unzip, worksheets } from '../lib/xlsx.mjs';

const S2 = '310105009';
const DAY = 86400e3;
let srv, A, B, nS2, a1, a3, geoDir;
const tok = {};
const sql = (q) => dbSql(srv.db, q).trim();
const api = (method, p, who, body) => srv.api(method, p, { token: tok[who], body });

function expectError(r, status, code, field) {
  assert.equal(r.status, status, JSON.stringify(r.body));
  if (code !== undefined) assert.equal(r.body.error.code, code, JSON.stringify(r.body));
  if (field !== undefined) assert.equal(r.body.error.field, field, JSON.stringify(r.body));
  assert.match(r.body.error.message, /[\u4e00-\u9fff]/, 'the message is Chinese');
}

/* Beijing's date, @days from today, as YYYY-MM-DD */
const dateIn = (days) => new Date(Date.now() + 8 * 3600e3 + days * DAY).toISOString().slice(0, 10);
const today = dateIn(0);
/* the birth date of someone @years old today (+@days later: not yet @years) */
function born(years, days = 0) {
  const [y, m, d] = dateIn(days).split('-').map(Number);
  const dd = m === 2 && d === 29 ? 28 : d;
  return `${y - years}-${String(m).padStart(2, '0')}-${String(dd).padStart(2, '0')}`;
}
function age(birth) {
  const [by, bm, bd] = birth.split('-').map(Number);
  const [ty, tm, td] = today.split('-').map(Number);
  return ty - by - (tm < bm || (tm === bm && td < bd) ? 1 : 0);
}
const BANDS = [7, 18, 35, 60, 65, 80];
const band = (a) => BANDS.filter((b) => a >= b).length;
const KEY_TAGS = ['独居老人', '高龄', '认知障碍高风险', '残疾', '低保', '困难家庭', '优抚对象', '失业', '儿童', '孕产妇'];

/* What the test made, per community: the ground truth. */
const made = {};
function truth(code) {
  return made[code] ??= { buildings: [], households: [], residents: [], cases: [], questions: [], rooms: [], bookings: [], workers: { staff: 0, secretary: 0, grid_worker: 0 }, volunteers: 0 };
}

async function addUser(name, role, scope) {
  srv.linli(['user', 'add', '--db', srv.db, '--username', name, '--password', 'linli2026', '--role', role, '--scope', String(scope)]);
  tok[name] = (await srv.login(name)).token;
}

async function building(code, name, floors) {
  const r = await api('POST', '/api/v1/buildings', code === A ? 'staffA' : 'staffB', { community: code, name, units: 2, floors });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  truth(code).buildings.push({ id: r.body.id, floors });
  return r.body.id;
}

async function household(code, buildingId, room) {
  const r = await api('POST', '/api/v1/households', code === A ? 'staffA' : 'staffB', { building_id: buildingId, unit: 1, floor: 1, room });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const h = { id: r.body.id, building: buildingId, n: 0 };
  truth(code).households.push(h);
  return h;
}

async function resident(code, h, name, gender, birth, { tags = [], moved_in } = {}) {
  const body = { household_id: h.id, name, gender, birth_date: birth, tags };
  if (moved_in) body.moved_in = moved_in;
  const r = await api('POST', '/api/v1/residents', code === A ? 'staffA' : 'staffB', body);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  h.n++;
  truth(code).residents.push({ id: r.body.id, household: h.id, name, gender, birth, tags, moved_in });
  return r.body.id;
}

/* The indicators of community @code as the test counts them. */
function expected(code) {
  const t = truth(code);
  const n = t.residents.length;
  const pct = (x, d) => (d > 0 ? (100 * x) / d : null);
  const per1000 = (x) => (n > 0 ? (1000 * x) / n : null);
  const ages = t.residents.map((r) => age(r.birth));
  const bands = [0, 1].map((g) => Array.from({ length: 7 }, (_, b) => t.residents.filter((r, i) => (r.gender === 'male' ? 0 : 1) === g && band(ages[i]) === b).length));
  const kp = t.residents.filter((r) => r.tags.some((x) => KEY_TAGS.includes(x))).length;
  const newcomers = t.residents.filter((r) => r.moved_in && r.moved_in >= born(1)).length;
  const workers = t.workers.staff + t.workers.secretary + t.workers.grid_worker;
  const floors = t.buildings.reduce((s, b) => s + b.floors, 0);
  const workload = t.households.length + 2 * kp + t.cases.length;
  return {
    counts: {
      residents: n, male: t.residents.filter((r) => r.gender === 'male').length, female: t.residents.filter((r) => r.gender === 'female').length,
      households: t.households.length, buildings: t.buildings.length, floors,
      low_rise: t.buildings.filter((b) => b.floors <= 6).length, high_rise: t.buildings.filter((b) => b.floors >= 12).length,
      living_alone: t.households.filter((h) => h.n === 1).length, key_population: kp, newcomers,
      staff: t.workers.staff, secretaries: t.workers.secretary, grid_workers: t.workers.grid_worker,
      volunteers: t.volunteers, rooms: t.rooms.length, bookings: t.bookings.length,
      questions: t.questions.length, unanswered: t.questions.filter((q) => !q.answered).length,
      cases: t.cases.length, workload,
    },
    bands,
    values: {
      residents: n, households: t.households.length, buildings: t.buildings.length,
      households_per_building: t.buildings.length ? t.households.length / t.buildings.length : null,
      avg_floors: t.buildings.length ? floors / t.buildings.length : null,
      low_rise_share: pct(t.buildings.filter((b) => b.floors <= 6).length, t.buildings.length),
      children_share: pct(ages.filter((a) => a < 18).length, n),
      elderly_60_share: pct(ages.filter((a) => a >= 60).length, n),
      elderly_65_share: pct(ages.filter((a) => a >= 65).length, n),
      elderly_80_share: pct(ages.filter((a) => a >= 80).length, n),
      living_alone_share: pct(t.households.filter((h) => h.n === 1).length, t.households.length),
      key_population_per_1000: per1000(kp),
      newcomer_share: pct(newcomers, n),
      cases_per_1000: per1000(t.cases.length),
      questions_per_1000: per1000(t.questions.length),
      unanswered_share: pct(t.questions.filter((q) => !q.answered).length, t.questions.length),
      bookings_per_1000: per1000(t.bookings.length),
      workers_per_1000: per1000(workers),
      volunteers_per_1000: per1000(t.volunteers),
      response_rate: null, on_time_rate: null, satisfaction_rate: null, // no case was answered yet
      workload_per_worker: workers ? workload / workers : null,
    },
  };
}

function close(actual, want, what) {
  if (want === null) return assert.equal(actual, null, `${what}: null`);
  assert.equal(typeof actual, 'number', `${what}: a number (${actual})`);
  assert.ok(Math.abs(actual - want) <= 0.051, `${what}: ${actual} ≈ ${want}`);
}

before(async () => {
  srv = await startServer({ demo: true, residents: 600 });
  for (const u of ['admin', 'street', 'staff', 'resident', 'property']) tok[u] = (await srv.login(u)).token;
  srv.linli(['import', 'divisions', '--db', srv.db, '--street', S2]);
  [A, B] = sql(`SELECT code FROM division WHERE level = 5 AND code LIKE '${S2}%' ORDER BY code LIMIT 2`).split('\n');
  nS2 = Number(sql(`SELECT count(*) FROM division WHERE level = 5 AND code LIKE '${S2}%'`));
  await addUser('st9', 'street_admin', S2);
  await addUser('staffA', 'staff', A);
  await addUser('secA', 'secretary', A);
  await addUser('gridA', 'grid_worker', A);
  await addUser('staffB', 'staff', B);
  Object.assign(truth(A).workers, { staff: 1, secretary: 1, grid_worker: 1 });
  truth(B).workers.staff = 1;

  // housing: A two low-rise buildings and a high-rise, B one high-rise
  a1 = await building(A, '1号楼', 6);
  const a2 = await building(A, '2号楼', 6);
  a3 = await building(A, '3号楼', 18);
  const b1 = await building(B, '1号楼', 20);
  const h1 = await household(A, a1, '101'), h2 = await household(A, a1, '102'), h3 = await household(A, a1, '201');
  const h4 = await household(A, a2, '101');
  await household(A, a2, '102'); // nobody lives there yet
  const h6 = await household(A, a3, '101'), h7 = await household(B, b1, '101');
  // people: ages on the band boundaries (65 today; 65 tomorrow, so 64 now; 18 today; 7 tomorrow)
  await resident(A, h1, '张建国', 'male', born(45), { tags: ['党员'], moved_in: '2015-03-01' });
  await resident(A, h1, '李秀英', 'female', born(18));
  const alone = await resident(A, h2, '王桂兰', 'female', born(85, -3), { tags: ['独居老人', '高龄'] });
  await resident(A, h3, '赵强', 'male', born(33));
  await resident(A, h4, '刘小宝', 'male', born(7, 1));
  await resident(A, h4, '刘伟', 'male', born(40));
  await resident(A, h4, '陈玉珍', 'female', born(65));
  await resident(A, h6, '孙德胜', 'male', born(65, 1), { moved_in: dateIn(-400) });
  await resident(A, h6, '孙丽', 'female', born(30), { tags: ['残疾'], moved_in: dateIn(-30) });
  await resident(B, h7, '周洋', 'male', born(20), { moved_in: dateIn(-10) });

  // demand: cases (two kinds), questions from a resident of A, a room and a booking
  for (const [category, description] of [['corridor_clutter', '楼道堆放杂物'], ['corridor_clutter', '楼道里有旧家具'], ['noise', '夜间装修噪声']]) {
    const r = await api('POST', '/api/v1/cases', 'staffA', { community: A, category, description, building_id: a1, source: 'phone' });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    truth(A).cases.push({ id: r.body.id, category });
  }
  await addUser('resA', 'resident', h1.id);
  for (const question of ['低保怎么申请？', '火星上的快递柜怎么开通月卡 qwzx']) {
    const r = await api('POST', '/api/v1/assistant/ask', 'resA', { question });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    truth(A).questions.push({ answered: r.body.answered === true });
  }
  assert.equal(truth(A).questions[1].answered, false, 'the second question has no answer');
  const room = await api('POST', '/api/v1/rooms', 'staffA', { community: A, name: '党员活动室', type: '党员活动室', capacity: 20 });
  assert.equal(room.status, 201, JSON.stringify(room.body));
  truth(A).rooms.push(room.body.id);
  const start = Date.parse(`${dateIn(1)}T10:00:00+08:00`);
  const bk = await api('POST', '/api/v1/bookings', 'staffA', {
    room_id: room.body.id, start: `${dateIn(1)}T10:00:00+08:00`, end: `${dateIn(1)}T11:00:00+08:00`, purpose: '支部会议',
  });
  assert.equal(bk.status, 201, JSON.stringify(bk.body));
  truth(A).bookings.push({ start, minutes: 60 });
  const v = await api('POST', '/api/v1/volunteers', 'staffA', { resident_id: alone });
  assert.equal(v.status, 201, JSON.stringify(v.body));
  truth(A).volunteers = 1;
});

after(async () => {
  await srv.stop();
  if (geoDir) rmSync(geoDir, { recursive: true, force: true });
});

test('every indicator of the test street matches what the test counted', async () => {
  const r = await api('GET', `/api/v1/analytics/indicators?scope=${S2}`, 'st9');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.scope, S2);
  assert.equal(r.body.items.length, nS2, 'every community of the street, with residents or not');
  assert.deepEqual(r.body.items.map((x) => x.code), [...r.body.items.map((x) => x.code)].sort(), 'by code');
  const keys = r.body.indicators.map((x) => x.key);
  for (const code of [A, B]) {
    const got = r.body.items.find((x) => x.code === code);
    const want = expected(code);
    for (const [k, v] of Object.entries(want.counts)) assert.equal(got.counts[k], v, `${code} counts.${k}`);
    for (let b = 0; b < 7; b++) {
      assert.equal(got.counts.age_bands[b].male, want.bands[0][b], `${code} band ${got.counts.age_bands[b].label} male`);
      assert.equal(got.counts.age_bands[b].female, want.bands[1][b], `${code} band ${got.counts.age_bands[b].label} female`);
    }
    assert.deepEqual(Object.keys(want.values).sort(), [...keys].sort(), 'the test checks every indicator');
    for (const k of keys) close(got.values[k], want.values[k], `${code} ${k}`);
  }
  // a community without residents has null shares, zero counts
  const empty = r.body.items.find((x) => x.code !== A && x.code !== B);
  assert.equal(empty.counts.residents, 0);
  assert.equal(empty.values.elderly_65_share, null);
  // the street's mean is over the communities with residents
  for (const k of ['elderly_65_share', 'avg_floors', 'newcomer_share']) {
    const a = expected(A).values[k], b = expected(B).values[k];
    close(r.body.mean[k], (a + b) / 2, `mean ${k}`);
  }
  // the boundary birthdays: 65 today is 65-79, 65 tomorrow is still 60-64, 7 tomorrow is 0-6
  const got = r.body.items.find((x) => x.code === A).counts.age_bands;
  assert.deepEqual(got.map((x) => x.label), ['0-6', '7-17', '18-34', '35-59', '60-64', '65-79', '80+']);
  assert.equal(got[4].male, 1);
  assert.equal(got[5].female, 1);
  assert.equal(got[0].male, 1);
});

test('the demo street: counts match the rows (SQL over the raw tables)', async () => {
  const r = await api('GET', `/api/v1/analytics/indicators?scope=${STREET}`, 'street');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const from = Number(sql(`SELECT min(month) FROM cases`));
  for (const it of r.body.items.slice(0, 4)) {
    assert.equal(it.counts.residents, Number(sql(`SELECT count(*) FROM resident WHERE community = '${it.code}' AND status = 'active'`)), `${it.code} residents`);
    assert.equal(it.counts.households, Number(sql(`SELECT count(*) FROM household WHERE community = '${it.code}'`)), `${it.code} households`);
    const alone = Number(sql(`SELECT count(*) FROM (SELECT household_id FROM resident WHERE community = '${it.code}' AND status = 'active' GROUP BY household_id HAVING count(*) = 1) x`));
    assert.equal(it.counts.living_alone, alone, `${it.code} living alone`);
    const [fm, tm] = [r.body.window.from_month, r.body.window.to_month];
    assert.ok(tm >= fm && from > 0);
    const cases = Number(sql(`SELECT count(*) FROM cases WHERE community = '${it.code}' AND month >= ${fm} AND month <= ${tm}`));
    assert.equal(it.counts.cases, cases, `${it.code} cases`);
    const [due, ok] = sql(`SELECT count(*), coalesce(sum(CASE WHEN responded_at <= respond_due THEN 1 ELSE 0 END), 0) FROM cases
      WHERE community = '${it.code}' AND month >= ${fm} AND month <= ${tm} AND (responded_at IS NOT NULL OR overdue_respond = 1)`).split('|').map(Number);
    close(it.values.response_rate, due ? (100 * ok) / due : null, `${it.code} response rate`);
  }
});

test('a portrait: structure, demand, supply, results, type and the lists behind the numbers', async () => {
  const put = await api('PUT', `/api/v1/analytics/rules?scope=${S2}`, 'st9', {
    rules: [
      { type: '老龄化型', indicator: 'elderly_65_share', op: '>=', threshold: 20 },
      { type: '高层住宅型', indicator: 'avg_floors', op: '>=', threshold: 12 },
    ],
  });
  assert.equal(put.status, 200, JSON.stringify(put.body));
  /* the answer is the GET's: the rules, and what a page needs to edit them again */
  const got = await api('GET', `/api/v1/analytics/rules?scope=${S2}`, 'st9');
  assert.deepEqual(put.body, got.body);
  assert.ok(put.body.indicators.length > 0 && put.body.ops.length === 4 && put.body.editable === true);
  const r = await api('GET', `/api/v1/analytics/communities/${A}/portrait`, 'staffA');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const p = r.body, want = expected(A);
  assert.equal(p.community.code, A);
  assert.equal(p.population.residents, want.counts.residents);
  assert.equal(p.population.living_alone, want.counts.living_alone);
  assert.equal(p.population.key_population, want.counts.key_population);
  p.population.pyramid.forEach((x, b) => {
    assert.equal(x.male, want.bands[0][b]);
    assert.equal(x.female, want.bands[1][b]);
    assert.equal(x.value, want.bands[0][b] + want.bands[1][b]);
  });
  const tagCount = (t) => truth(A).residents.filter((x) => x.tags.includes(t)).length;
  assert.deepEqual(Object.fromEntries(p.population.tags.map((x) => [x.label, x.value])),
    { 独居老人: tagCount('独居老人'), 高龄: tagCount('高龄'), 残疾: tagCount('残疾'), 党员: tagCount('党员') });
  assert.equal(p.population.tags.find((x) => x.label === '党员').key_population, false);
  // drill down: the registry's list with the same filter gives the same people
  const t = p.population.tags.find((x) => x.label === '独居老人');
  const list = await api('GET', `${t.list.route}?${new URLSearchParams(t.list.query)}`, 'staffA');
  assert.equal(list.status, 200, JSON.stringify(list.body));
  assert.equal(list.body.total ?? list.body.items.length, t.value);
  assert.deepEqual(list.body.items.map((x) => x.name), ['王桂兰']);
  /* 独居户 and 重点人群 open the residents who make them up */
  const listOf = async (l) => {
    const x = await api('GET', `${l.route}?${new URLSearchParams({ ...l.query, per_page: 200 })}`, 'staffA');
    assert.equal(x.status, 200, JSON.stringify(x.body));
    assert.equal(x.body.total, x.body.items.length);
    return x.body.items.map((y) => y.name).sort();
  };
  const alone = truth(A).residents.filter((x) => truth(A).households.find((h) => h.id === x.household).n === 1).map((x) => x.name).sort();
  assert.ok(alone.length > 0 && alone.length < truth(A).residents.length, 'A has people living alone and not');
  assert.deepEqual(await listOf(p.population.living_alone_list), alone);
  assert.equal(alone.length, p.population.living_alone);
  const keyPeople = truth(A).residents.filter((x) => x.tags.some((y) => KEY_TAGS.includes(y))).map((x) => x.name).sort();
  assert.ok(keyPeople.length > 0 && keyPeople.length < truth(A).residents.length);
  assert.deepEqual(await listOf(p.population.key_population_list), keyPeople);
  const bad = await api('GET', `/api/v1/residents?community=${A}&living_alone=maybe`, 'staffA');
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.field, 'living_alone');
  assert.equal(p.housing.buildings, 3);
  close(p.housing.avg_floors, 10, 'avg floors');
  assert.equal(p.housing.low_rise, 2);
  assert.equal(p.housing.high_rise, 1);
  const byCat = Object.fromEntries(p.demand.cases.by_category.map((x) => [x.key, x.value]));
  assert.deepEqual(byCat, { corridor_clutter: 2, noise: 1 });
  const clutter = p.demand.cases.by_category.find((x) => x.key === 'corridor_clutter');
  assert.deepEqual(clutter.list, { route: '/api/v1/cases', query: { community: A, category: 'corridor_clutter' } });
  assert.equal(p.demand.cases.trend.at(-1).value, 3, 'this month has the three cases');
  assert.equal(p.demand.cases.trend.reduce((s, x) => s + x.value, 0), 3);
  /* every month of the window, in order, those without cases as 0 */
  const months = p.demand.cases.trend.map((x) => x.label);
  assert.equal(months.length, 12, months.join());
  for (let i = 1; i < months.length; i++) {
    const [y, m] = months[i - 1].split('-').map(Number);
    assert.equal(months[i], m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`);
  }
  assert.equal(p.demand.questions.total, 2);
  assert.equal(p.demand.questions.unanswered, truth(A).questions.filter((q) => !q.answered).length);
  assert.equal(p.demand.questions.by_section.reduce((s, x) => s + x.value, 0), 2);
  assert.deepEqual(p.demand.bookings.by_kind, [{ label: '党员活动室', value: 1, minutes: 60, checked_in: 0 }]);
  assert.equal(p.supply.staff, 1);
  assert.equal(p.supply.secretaries, 1);
  assert.equal(p.supply.grid_workers, 1);
  assert.equal(p.supply.workers, 3);
  assert.equal(p.supply.volunteers, 1);
  assert.deepEqual(p.supply.rooms_by_kind, [{ label: '党员活动室', value: 1 }]);
  assert.equal(p.workload.units, want.counts.workload);
  close(p.workload.per_worker, want.counts.workload / 3, 'workload per worker');
  assert.equal(p.results.response_rate, null);
  assert.equal(p.supply.lifecircle, null, 'no building of A is on the map yet');
  assert.equal(p.type.label, '老龄化型', 'A: 65+ share 2/9 ≥ 20%, floors 10 < 12');
  assert.deepEqual(p.type.matched, ['老龄化型']);
  assert.equal(p.type.rules_scope, S2);
  const cmp = p.comparison.find((x) => x.key === 'elderly_65_share');
  close(cmp.value, want.values.elderly_65_share, 'comparison value');
  close(cmp.type_mean, want.values.elderly_65_share, 'type mean: A is the only 老龄化型');
  close(cmp.street_mean, (want.values.elderly_65_share + expected(B).values.elderly_65_share) / 2, 'street mean');
});

test('a portrait: 15-minute life-circle coverage of the placed buildings', async () => {
  // a street of three nodes 111 m apart and a kindergarten at its far end;
  // 1号楼 stands at its start, 3号楼 1.1 km away from every node (off the network)
  geoDir = mkdtempSync(path.join(tmpdir(), 'linli-analytics-geo-'));
  const osm = `<?xml version="1.0" encoding="UTF-8"?><osm version="0.6">
<node id="1" lat="31.2000" lon="121.4000"/><node id="2" lat="31.2010" lon="121.4000"/><node id="3" lat="31.2020" lon="121.4000"/>
<node id="9" lat="31.2021" lon="121.4000"><tag k="amenity" v="kindergarten"/><tag k="name" v="阳光幼儿园"/></node>
<way id="10"><nd ref="1"/><nd ref="2"/><nd ref="3"/><tag k="highway" v="residential"/></way>
</osm>`;
  writeFileSync(path.join(geoDir, 'line.osm'), osm);
  srv.linli(['geo', 'import', '--db', srv.db, path.join(geoDir, 'line.osm')]);
  for (const [id, lat, lon] of [[a1, 31.2000, 121.4001], [a3, 31.2100, 121.4100]]) {
    const r = await api('PUT', `/api/v1/geo/buildings/${id}/point`, 'staffA', { lat, lon });
    assert.equal(r.status, 200, JSON.stringify(r.body));
  }
  const r = await api('GET', `/api/v1/analytics/communities/${A}/portrait`, 'staffA');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const life = r.body.supply.lifecircle;
  const lives = (b) => truth(A).households.filter((h) => h.building === b).reduce((s, h) => s + h.n, 0);
  assert.equal(life.minutes, 15);
  assert.equal(life.buildings, 2, 'the two placed buildings');
  assert.equal(life.residents, lives(a1) + lives(a3));
  const kg = life.categories.find((x) => x.key === 'kindergarten');
  assert.equal(kg.residents_covered, lives(a1), '1号楼 walks 230 m to the kindergarten, 3号楼 is off the network');
  close(kg.value, (100 * lives(a1)) / (lives(a1) + lives(a3)), 'kindergarten coverage');
  assert.equal(life.categories.find((x) => x.key === 'clinic').value, 0, 'no clinic anywhere');
  assert.deepEqual(life.list, { route: '/api/v1/geo/coverage', query: { community: A } });
});

test('classification: rule types per community, k-means deterministic for a seed, profiles in words', async () => {
  const r = await api('GET', `/api/v1/analytics/classification?scope=${S2}&k=2&seed=7`, 'st9');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const c = r.body;
  assert.equal(c.rules_scope, S2);
  assert.deepEqual(c.rules.map((x) => [x.type, x.indicator, x.op, x.threshold]), [['老龄化型', 'elderly_65_share', '>=', 20], ['高层住宅型', 'avg_floors', '>=', 12]]);
  const item = (code) => c.items.find((x) => x.code === code);
  assert.equal(item(A).type, '老龄化型');
  assert.equal(item(B).type, '高层住宅型', 'B: no one 65+, 20 floors');
  assert.equal(c.items.filter((x) => x.code !== A && x.code !== B).every((x) => x.type === null && x.cluster === null), true, 'no residents: no type, no group');
  assert.deepEqual(c.types.map((x) => [x.label, x.value]), [['老龄化型', 1], ['高层住宅型', 1], ['混合型', 0], ['一般型', 0]]);
  assert.equal(c.k, 2);
  assert.notEqual(item(A).cluster, item(B).cluster, 'two communities, two groups');
  assert.equal(c.clusters.reduce((s, g) => s + g.size, 0), 2);
  for (const g of c.clusters) assert.ok(g.profile.length >= 1 && g.profile.every((w) => /全街道|均值/.test(w)), JSON.stringify(g.profile));
  const again = await api('GET', `/api/v1/analytics/classification?scope=${S2}&k=2&seed=7`, 'st9');
  assert.deepEqual(again.body, c, 'the same seed, the same answer');
  // k larger than the communities with residents: as many groups as communities
  const big = await api('GET', `/api/v1/analytics/classification?scope=${S2}&k=5`, 'st9');
  assert.equal(big.body.k, 2);
  // the CLI prints the same types as JSON lines
  const lines = srv.linli(['analytics', 'classify', '--db', srv.db, '--scope', S2, '--k', '2', '--seed', '7']).trim().split('\n').map((l) => JSON.parse(l));
  const summary = lines.pop();
  assert.equal(lines.length, nS2);
  assert.equal(lines.find((x) => x.code === A).type, '老龄化型');
  assert.equal(lines.find((x) => x.code === A).cluster, item(A).cluster);
  assert.deepEqual(summary.summary.types, c.types);
});

test('export: the classification as CSV and as a workbook with the groups\' profiles', async () => {
  const r = await api('GET', `/api/v1/analytics/export?scope=${S2}&k=2&seed=7&format=csv`, 'st9');
  assert.equal(r.status, 200, String(r.body));
  assert.match(r.headers.get('content-type'), /^text\/csv/);
  assert.match(r.headers.get('content-disposition'), /attachment/);
  const text = r.body.toString('utf8').replace(/^\uFEFF/, '');
  const rows = text.trim().split('\r\n').map((l) => l.split(','));
  const head = rows.shift();
  assert.deepEqual(head.slice(0, 6), ['社区代码', '社区', '街道代码', '类型', '符合的类型', '分组']);
  assert.equal(rows.length, nS2);
  const a = rows.find((x) => x[0] === A);
  assert.equal(a[3], '老龄化型');
  const col = head.indexOf('65岁以上占比（%）');
  assert.ok(col > 0);
  close(Number(a[col]), expected(A).values.elderly_65_share, 'exported 65+ share');
  assert.equal(Number(a[head.indexOf('常住人口（人）')]), truth(A).residents.length);
  const x = await api('GET', `/api/v1/analytics/export?scope=${S2}&k=2&seed=7`, 'st9');
  assert.equal(x.status, 200);
  assert.match(x.headers.get('content-type'), /spreadsheetml/);
  const files = unzip(x.body);
  assert.ok(files['xl/worksheets/sheet1.xml'] && files['xl/worksheets/sheet2.xml'], 'two worksheets');
  assert.match(files['xl/workbook.xml'].toString(), /分组特征/);
  assert.match(files['xl/sharedStrings.xml'].toString(), /全街道均值/);
  expectError(await api('GET', `/api/v1/analytics/export?scope=${S2}&format=pdf`, 'st9'), 400, 'invalid_format', 'format');
  expectError(await api('GET', `/api/v1/analytics/export?scope=${S2}`, 'staffA'), 403, 'forbidden');
});

test('service lists: staff build them per type, suggestions come from the demand of that type', async () => {
  // the rules of S2 are still 老龄化型 (A) and 高层住宅型 (B)
  const sg = await api('GET', `/api/v1/analytics/services/suggestions?scope=${S2}&type=${encodeURIComponent('老龄化型')}`, 'st9');
  assert.equal(sg.status, 200, JSON.stringify(sg.body));
  assert.deepEqual(sg.body.members, [A]);
  assert.equal(sg.body.residents, truth(A).residents.length);
  assert.deepEqual(sg.body.cases.map((x) => [x.key, x.value]), [['corridor_clutter', 2], ['noise', 1]], 'most reported first');
  close(sg.body.cases[0].per_1000, (1000 * 2) / truth(A).residents.length, 'per 1,000');
  assert.equal(sg.body.questions.reduce((t, x) => t + x.value, 0), truth(A).questions.length);
  assert.equal(sg.body.questions.reduce((t, x) => t + x.unanswered, 0), truth(A).questions.filter((q) => !q.answered).length);
  assert.deepEqual(sg.body.bookings.map((x) => [x.label, x.value, x.minutes]), [['党员活动室', 1, 60]]);
  const other = await api('GET', `/api/v1/analytics/services/suggestions?scope=${S2}&type=${encodeURIComponent('高层住宅型')}`, 'st9');
  assert.deepEqual(other.body.members, [B]);
  assert.deepEqual(other.body.cases, [], 'B reported nothing');

  const before = sql('SELECT count(*) FROM analytics_service');
  const add = (who, body) => api('POST', `/api/v1/analytics/services?scope=${S2}`, who, body);
  let r = await add('st9', { type: '老龄化型', kind: 'basic', name: '老年人助餐', provider: '街道社区事务受理中心', frequency: '每日' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.kind_label, '基本公共服务');
  const meal = r.body.id;
  r = await add('st9', { type: '老龄化型', kind: 'market', name: '上门理发' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  r = await add('st9', { type: '高层住宅型', kind: 'welfare', name: '四点半课堂', provider: '青少年社工站', frequency: '工作日' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  expectError(await add('st9', { type: '老龄化型', kind: 'basic', name: '老年人助餐' }), 409, 'duplicate_service', 'name');
  expectError(await add('st9', { type: '老龄化型', kind: 'free', name: '义诊' }), 422, 'invalid_kind', 'kind');
  expectError(await add('st9', { type: '老龄化型', kind: 'basic' }), 422, 'missing_field', 'name');
  expectError(await add('st9', { type: '老龄化型', kind: 'basic', name: '义诊', cost: 0 }), 422, 'unknown_field', 'cost');
  expectError(await add('staffA', { type: '老龄化型', kind: 'basic', name: '义诊' }), 403, 'forbidden');
  expectError(await api('POST', `/api/v1/analytics/services?scope=${A}`, 'resA', { type: '老龄化型', kind: 'basic', name: '义诊' }), 403, 'forbidden');
  assert.equal(Number(sql('SELECT count(*) FROM analytics_service')), Number(before) + 3, 'refused ones wrote nothing');
  const list = await api('GET', `/api/v1/analytics/services?scope=${S2}&type=${encodeURIComponent('老龄化型')}`, 'st9');
  assert.deepEqual(list.body.items.map((x) => [x.kind, x.name]), [['basic', '老年人助餐'], ['market', '上门理发']]);
  assert.deepEqual(list.body.kinds.map((x) => x.key), ['basic', 'welfare', 'market']);
  const demo = await api('GET', `/api/v1/analytics/services?scope=${STREET}`, 'street');
  assert.ok(demo.body.items.length >= 6, 'the demo street has service lists');
  assert.deepEqual([...new Set(demo.body.items.map((x) => x.kind))].sort(), ['basic', 'market', 'welfare']);
  const all = await api('GET', `/api/v1/analytics/services?scope=${S2}`, 'st9');
  assert.equal(all.body.items.length, 3);
  expectError(await api('GET', `/api/v1/analytics/services?scope=${S2}`, 'staffA'), 403, 'forbidden');

  // a resident reads her community's list: its type's services at the community and above
  r = await api('POST', `/api/v1/analytics/services?scope=${A}`, 'staffA', { type: '老龄化型', kind: 'welfare', name: '楼组互助', provider: '楼组长', frequency: '每周' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.scope, A);
  const ownA = r.body.id;
  r = await api('POST', `/api/v1/analytics/services?scope=${A}`, 'staffA', { type: '高层住宅型', kind: 'basic', name: '电梯安全巡查' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const mine = await api('GET', '/api/v1/analytics/services/mine', 'resA');
  assert.equal(mine.status, 200, JSON.stringify(mine.body));
  assert.equal(mine.body.community.code, A);
  assert.equal(mine.body.type, '老龄化型');
  assert.deepEqual(mine.body.items.map((x) => [x.kind, x.name, x.scope]),
    [['basic', '老年人助餐', S2], ['welfare', '楼组互助', A], ['market', '上门理发', S2]], 'her type only, by kind, street and community');
  assert.equal(mine.body.items[0].provider, '街道社区事务受理中心');
  assert.equal(mine.body.items[0].frequency, '每日');
  assert.deepEqual(mine.body.kinds.map((x) => x.label), ['基本公共服务', '公益服务', '便民利民服务']);
  const asStaff = await api('GET', '/api/v1/analytics/services/mine', 'staffA');
  assert.deepEqual(asStaff.body.items.map((x) => x.id), mine.body.items.map((x) => x.id), 'her worker sees what her residents see');
  const mineB = await api('GET', '/api/v1/analytics/services/mine', 'staffB');
  assert.equal(mineB.body.type, '高层住宅型');
  assert.deepEqual(mineB.body.items.map((x) => x.name), ['四点半课堂'], 'B sees its own type, not A\'s community list');
  const street = await api('GET', '/api/v1/analytics/services/mine', 'st9');
  assert.equal(street.status, 200);
  assert.equal(street.body.community, null);
  assert.deepEqual(street.body.items, [], 'a street has no community list of its own');
  assert.equal((await srv.api('GET', '/api/v1/analytics/services/mine', {})).status, 401);
  r = await api('DELETE', `/api/v1/analytics/services/${ownA}`, 'staffA');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal((await api('GET', '/api/v1/analytics/services/mine', 'resA')).body.items.length, 2, 'deleted is gone for her');

  expectError(await api('DELETE', `/api/v1/analytics/services/${meal}`, 'street'), 404, 'not_found', 'id');
  r = await api('DELETE', `/api/v1/analytics/services/${meal}`, 'st9');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal((await api('GET', `/api/v1/analytics/services?scope=${S2}`, 'st9')).body.items.length, 2);
  expectError(await api('DELETE', `/api/v1/analytics/services/${meal}`, 'st9'), 404, 'not_found', 'id');
  assert.equal(sql(`SELECT count(*) FROM audit WHERE action IN ('analytics.service_create', 'analytics.service_delete')`), '7');
});

test('service suggestions: activities\' sign-ups and waitlists, and the life circle\'s gaps', async () => {
  // activities of A (老龄化型) and B (高层住宅型), sign-ups by residents of A past a course's places
  const at = (days, hour) => `${dateIn(days)}T${String(hour).padStart(2, '0')}:00:00+08:00`;
  const publish = async (who, community, title, kind, capacity) => {
    const r = await api('POST', '/api/v1/activities', who, { community, title, kind, start: at(2, 10), end: at(2, 11), capacity, waitlist: true });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body.id;
  };
  const [h1, , , h4] = truth(A).households;
  await addUser('resA4', 'resident', h4.id);
  const of = (h) => truth(A).residents.filter((x) => x.household === h.id).map((x) => x.id);
  const course = await publish('staffA', A, '书法班', 'course', 2);
  const sport = await publish('staffA', A, '太极拳', 'sports', 10);
  const dropped = await publish('staffA', A, '手工课', 'course', 1);
  await publish('staffB', B, '书法班', 'course', 5);
  /* what the sign-up answers said: the independent count */
  const said = { confirmed: 0, waitlisted: 0 };
  const signups = [];
  for (const [who, rid] of [...of(h1).map((x) => ['resA', x]), ...of(h4).map((x) => ['resA4', x])]) {
    const r = await api('POST', `/api/v1/activities/${course}/signups`, who, { resident_id: rid });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    said[r.body.state]++;
    signups.push(r.body.id);
  }
  assert.deepEqual(said, { confirmed: 2, waitlisted: of(h4).length }, 'two places, the rest waits');
  // a confirmed one drops out: the first in line moves up (she waited: still counted as waitlisted)
  let r = await api('DELETE', `/api/v1/activities/${course}/signups/${signups[0]}`, 'staffA');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const live = (await api('GET', `/api/v1/activities/${course}/signups`, 'staffA')).body.signups.filter((x) => x.state !== 'cancelled');
  assert.equal(live.length, signups.length - 1);
  assert.equal(live.filter((x) => x.state === 'confirmed').length, 2, 'one promoted');
  r = await api('POST', `/api/v1/activities/${sport}/signups`, 'resA', { resident_id: of(h1)[0] });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  r = await api('POST', `/api/v1/activities/${dropped}/signups`, 'resA', { resident_id: of(h1)[0] });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  r = await api('POST', `/api/v1/activities/${dropped}/cancel`, 'staffA', { reason: '老师生病' });
  assert.equal(r.status, 200, JSON.stringify(r.body));

  const sg = await api('GET', `/api/v1/analytics/services/suggestions?scope=${S2}&type=${encodeURIComponent('老龄化型')}`, 'st9');
  assert.equal(sg.status, 200, JSON.stringify(sg.body));
  const acts = sg.body.activities.map(({ key, activities, signups: n, waitlisted, full }) => ({ key, activities, signups: n, waitlisted, full }));
  assert.deepEqual(acts, [
    { key: 'course', activities: 1, signups: live.length, waitlisted: said.waitlisted, full: 1 },
    { key: 'sports', activities: 1, signups: 1, waitlisted: 0, full: 0 },
  ], 'the waitlisted course first; the cancelled 手工课 and B\'s 书法班 not counted');
  const c = sg.body.activities[0];
  assert.equal(c.label, '公益课程');
  assert.equal(c.service_kind, 'welfare');
  assert.deepEqual(c.titles, [{ title: '书法班', activities: 1, signups: live.length, waitlisted: said.waitlisted, full: 1 }]);
  close(c.per_1000, (1000 * live.length) / truth(A).residents.length, 'sign-ups per 1,000');
  const sgB = await api('GET', `/api/v1/analytics/services/suggestions?scope=${S2}&type=${encodeURIComponent('高层住宅型')}`, 'st9');
  assert.deepEqual(sgB.body.activities.map((x) => [x.key, x.activities, x.signups, x.waitlisted, x.full]), [['course', 1, 0, 0, 0]]);

  // gaps: A's two placed buildings (1号楼 on the street, 3号楼 off it), counted as the coverage route counts
  const gaps = async () => {
    const s = await api('GET', `/api/v1/analytics/services/suggestions?scope=${S2}&type=${encodeURIComponent('老龄化型')}`, 'st9');
    const cov = await api('GET', `/api/v1/geo/coverage?community=${A}`, 'staffA');
    assert.equal(cov.status, 200, JSON.stringify(cov.body));
    assert.equal(cov.body.minutes, 15);
    const cA = cov.body.communities.find((x) => x.code === A);
    assert.equal(s.body.gaps.length, cA.categories.length, 'every category');
    for (const k of cA.categories) {
      const g = s.body.gaps.find((x) => x.key === k.key);
      assert.equal(g.label, k.name);
      assert.equal(g.buildings, cA.buildings, k.key);
      assert.equal(g.covered, k.buildings_covered, k.key);
      assert.equal(g.uncovered, cA.buildings - k.buildings_covered, k.key);
      assert.equal(g.residents_covered, k.residents_covered, k.key);
      assert.ok(Math.abs(g.share - k.building_share) < 0.001, `${k.key}: ${g.share} ≈ ${k.building_share}`);
      assert.equal(g.gap, k.building_share < s.body.gap_threshold, `${k.key}: a gap below the threshold`);
    }
    for (let i = 1; i < s.body.gaps.length; i++) assert.ok(s.body.gaps[i - 1].share <= s.body.gaps[i].share, 'least covered first');
    return s.body;
  };
  let g = await gaps();
  assert.equal(g.gap_threshold, 0.8);
  assert.equal(g.gap_minutes, 15);
  assert.equal(g.gap_communities, 1);
  let kg = g.gaps.find((x) => x.key === 'kindergarten');
  assert.deepEqual([kg.buildings, kg.covered, kg.uncovered, kg.share, kg.gap], [2, 1, 1, 0.5, true]);
  const clinic = g.gaps.find((x) => x.key === 'clinic');
  assert.deepEqual([clinic.covered, clinic.gap, clinic.service_kind], [0, true, 'basic']);
  assert.equal(g.gaps.find((x) => x.key === 'fresh_market').service_kind, 'market');
  // 3号楼 moved onto the street: both reach the kindergarten, no longer a gap
  r = await api('PUT', `/api/v1/geo/buildings/${a3}/point`, 'staffA', { lat: 31.2010, lon: 121.4001 });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  g = await gaps();
  kg = g.gaps.find((x) => x.key === 'kindergarten');
  assert.deepEqual([kg.covered, kg.share, kg.gap], [2, 1, false]);
  assert.equal(g.gaps[g.gaps.length - 1].key, 'kindergarten', 'the best covered last');
  r = await api('PUT', `/api/v1/geo/buildings/${a3}/point`, 'staffA', { lat: 31.2100, lon: 121.4100 });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  // B has no placed building: no gaps to speak of
  assert.deepEqual([sgB.body.gaps, sgB.body.gap_communities], [[], 0]);
});

/*
 * What the export's 社区画像 should hold for a community: every number of
 * its portrait (GET …/portrait), keyed "板块/项目"; null numbers are empty cells.
 */
function portraitItems(p) {
  const o = {};
  const put = (section, label, v) => { o[`${section}/${label}`] = v ?? undefined; };
  const years = (l) => (l.endsWith('+') ? `${l.slice(0, -1)}岁及以上` : `${l}岁`);
  const P = p.population, H = p.housing, D = p.demand, S = p.supply, R = p.results;
  put('人口', '常住人口', P.residents); put('人口', '男', P.male); put('人口', '女', P.female);
  for (const b of P.pyramid) { put('人口', `${years(b.label)}·男`, b.male); put('人口', `${years(b.label)}·女`, b.female); }
  put('人口', '户数', P.households); put('人口', '独居户', P.living_alone);
  put('人口', '重点人群', P.key_population); put('人口', '近一年迁入', P.newcomers);
  for (const t of P.tags) put('人口', `${t.key_population ? '重点人群标签' : '人群标签'}·${t.label}`, t.value);
  put('住房', '楼栋', H.buildings); put('住房', '栋均户数', H.households_per_building); put('住房', '平均层数', H.avg_floors);
  put('住房', '6层及以下楼栋', H.low_rise); put('住房', '12层及以上楼栋', H.high_rise);
  put('需求', '报事（近12个月）', D.cases.total); put('需求', '报事在办', D.cases.open);
  for (const c of D.cases.by_category) { put('需求', `报事·${c.label}`, c.value); put('需求', `报事在办·${c.label}`, c.open); }
  put('需求', '助手咨询（近12个月）', D.questions.total); put('需求', '助手未答', D.questions.unanswered);
  for (const q of D.questions.by_section) { put('需求', `助手咨询·${q.label}`, q.value); put('需求', `助手未答·${q.label}`, q.unanswered); }
  put('需求', '活动室预约（近一年起，含已排期）', D.bookings.total); put('需求', '预约时长', D.bookings.minutes);
  for (const b of D.bookings.by_kind) put('需求', `预约·${b.label}`, b.value);
  put('供给', '社区工作者', S.workers); put('供给', '书记', S.secretaries); put('供给', '社工', S.staff);
  put('供给', '网格员', S.grid_workers); put('供给', '志愿者', S.volunteers); put('供给', '活动室', S.rooms);
  for (const r of S.rooms_by_kind) put('供给', `活动室·${r.label}`, r.value);
  put('工作量与成效', '工作量', p.workload.units); put('工作量与成效', '人均工作量', p.workload.per_worker);
  put('工作量与成效', '响应率', R.response_rate); put('工作量与成效', '应响应', R.resp_due); put('工作量与成效', '按时响应', R.resp_ok);
  put('工作量与成效', '按时办结率', R.on_time_rate); put('工作量与成效', '应办结', R.res_due); put('工作量与成效', '按时办结', R.res_ok);
  put('工作量与成效', '满意率', R.satisfaction_rate); put('工作量与成效', '已评价', R.rated);
  put('工作量与成效', '满意', R.satisfied); put('工作量与成效', '基本满意', R.basically_satisfied);
  return o;
}

const PORTRAIT_HEAD = ['社区代码', '社区名称', '街道代码', '板块', '项目', '数值', '单位'];
const SERVICE_HEAD = ['类型', '类别', '服务名称', '提供方', '频次', '适用范围', '范围代码', '适用的该类型社区数'];

/* The 社区画像 rows of @code in @rows (header first) as {"板块/项目": value}; each item once. */
function sheetItems(rows, code) {
  const o = {};
  for (const r of rows.slice(1).filter((x) => x[0] === code)) {
    const key = `${r[3]}/${r[4]}`;
    assert.ok(!(key in o), `${code}: ${key} once`);
    o[key] = r[5];
  }
  return o;
}

async function exportBook(scope, who) {
  const r = await api('GET', `/api/v1/analytics/export?scope=${scope}&k=2&seed=7&format=xlsx`, who);
  assert.equal(r.status, 200, r.body && r.body.error ? JSON.stringify(r.body) : '');
  assert.match(r.headers.get('content-type'), /spreadsheetml/);
  return Object.fromEntries(worksheets(r.body).map((s) => [s.name, s.rows]));
}

test('export: each community\'s portrait and the service lists in the workbook, and as CSV parts', async () => {
  // a list of the street and one of A's own, through the API
  let r = await api('POST', `/api/v1/analytics/services?scope=${S2}`, 'st9', { type: '老龄化型', kind: 'welfare', name: '助老义诊', provider: '社区卫生服务中心', frequency: '每月' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  r = await api('POST', `/api/v1/analytics/services?scope=${A}`, 'staffA', { type: '老龄化型', kind: 'market', name: '代买代配', provider: '楼组长', frequency: '每周' });
  assert.equal(r.status, 201, JSON.stringify(r.body));

  const resp = await api('GET', `/api/v1/analytics/export?scope=${S2}&k=2&seed=7`, 'st9');
  assert.equal(resp.status, 200);
  const sheets = worksheets(resp.body);
  assert.deepEqual(sheets.map((x) => x.name), ['社区指标与分类', '分组特征', '社区画像', '服务清单'], 'the two tables before, then the new ones');
  const book = Object.fromEntries(sheets.map((x) => [x.name, x.rows]));
  assert.deepEqual(book['社区指标与分类'][0].slice(0, 6), ['社区代码', '社区', '街道代码', '类型', '符合的类型', '分组'], 'the first sheet as it was');
  assert.equal(book['社区指标与分类'].length - 1, nS2);

  // 社区画像: every community of the street, each one's numbers its portrait's
  const P = book['社区画像'];
  assert.deepEqual(P[0], PORTRAIT_HEAD);
  assert.equal(new Set(P.slice(1).map((x) => x[0])).size, nS2, 'every community of the street');
  for (const code of [A, B]) {
    const p = (await api('GET', `/api/v1/analytics/communities/${code}/portrait`, 'st9')).body;
    const got = sheetItems(P, code), want = portraitItems(p);
    assert.deepEqual(got, want, `${code}: the sheet's items are the portrait's`);
    const row = P.find((x) => x[0] === code);
    assert.deepEqual([row[1], row[2]], [p.community.name, S2]);
  }
  const a = sheetItems(P, A);
  // and what the test itself made, so that both cannot be wrong together
  assert.equal(a['人口/常住人口'], truth(A).residents.length);
  assert.equal(a['人口/重点人群标签·独居老人'], 1);
  assert.equal(a['人口/人群标签·党员'], 1);
  assert.equal(a['人口/80岁及以上·女'], 1);
  assert.equal(a['住房/平均层数'], 10);
  assert.equal(a['需求/报事·' + (await api('GET', `/api/v1/analytics/communities/${A}/portrait`, 'st9')).body.demand.cases.by_category.find((x) => x.key === 'noise').label], 1);
  assert.equal(a['需求/预约·党员活动室'], 1);
  assert.equal(a['供给/社区工作者'], 3);
  assert.equal(a['工作量与成效/工作量'], expected(A).counts.workload);
  assert.equal(a['工作量与成效/响应率'], undefined, 'no case answered yet: an empty cell');

  // 服务清单: the street's lists and its communities' own, with their reach
  const L = book['服务清单'];
  assert.deepEqual(L[0], SERVICE_HEAD);
  const svc = (name) => L.find((x) => x[2] === name);
  const nameA = (await api('GET', `/api/v1/analytics/communities/${A}/portrait`, 'st9')).body.community.name;
  assert.deepEqual(svc('助老义诊'), ['老龄化型', '公益服务', '助老义诊', '社区卫生服务中心', '每月', '全街道', S2, 1], 'A is the street\'s only 老龄化型');
  assert.deepEqual(svc('代买代配'), ['老龄化型', '便民利民服务', '代买代配', '楼组长', '每周', nameA, A, 1]);
  assert.deepEqual(svc('四点半课堂').slice(0, 2), ['高层住宅型', '公益服务']);
  assert.equal(svc('四点半课堂')[7], 1, 'B is the street\'s only 高层住宅型');
  assert.equal(svc('电梯安全巡查')[7], 0, 'A\'s own 高层住宅型 entry reaches none: A is 老龄化型');
  const listed = await api('GET', `/api/v1/analytics/services?scope=${S2}`, 'st9');
  for (const x of listed.body.items) assert.ok(svc(x.name), `${x.name} is in the sheet`);
  assert.ok(L.slice(1).every((x) => x[6] === '' || S2.startsWith(x[6]) || x[6].startsWith(S2)), 'no other street\'s list');
  assert.ok(!L.some((x) => String(x[6]).startsWith(STREET)), 'the demo street\'s lists stay out');

  // the CSV: the first table by default, part=portrait|services the others, the same rows
  const csv = async (q) => {
    const c = await api('GET', `/api/v1/analytics/export?scope=${S2}&k=2&seed=7&format=csv${q}`, 'st9');
    assert.equal(c.status, 200, String(c.body));
    assert.match(c.headers.get('content-type'), /^text\/csv/);
    return { rows: c.body.toString('utf8').replace(/^\uFEFF/, '').trimEnd().split('\r\n').map((l) => l.split(',')), disposition: c.headers.get('content-disposition') };
  };
  const pc = await csv('&part=portrait');
  assert.deepEqual(pc.rows[0], PORTRAIT_HEAD);
  assert.equal(pc.rows.length, P.length);
  assert.deepEqual(pc.rows.filter((x) => x[0] === A).map((x) => [x[3], x[4], x[5] === '' ? undefined : Number(x[5])]),
    P.filter((x) => x[0] === A).map((x) => [x[3], x[4], x[5]]));
  assert.match(pc.disposition, /portrait\.csv/);
  const sc = await csv('&part=services');
  assert.deepEqual(sc.rows[0], SERVICE_HEAD);
  assert.deepEqual(sc.rows.find((x) => x[2] === '助老义诊'), ['老龄化型', '公益服务', '助老义诊', '社区卫生服务中心', '每月', '全街道', S2, '1']);
  assert.equal((await csv('')).rows[0][0], '社区代码', 'without part: the classification, as before');
  expectError(await api('GET', `/api/v1/analytics/export?scope=${S2}&format=csv&part=people`, 'st9'), 400, 'invalid_part', 'part');

  // scope: a community's worker exports her community only, the street admin her street
  expectError(await api('GET', `/api/v1/analytics/export?scope=${S2}`, 'staffA'), 403, 'forbidden');
  expectError(await api('GET', `/api/v1/analytics/export?scope=${S2}`, 'street'), 403, 'forbidden');
  expectError(await api('GET', `/api/v1/analytics/export?scope=${STREET}`, 'st9'), 403, 'forbidden');
  const own = await exportBook(A, 'staffA');
  assert.deepEqual([...new Set(own['社区画像'].slice(1).map((x) => x[0]))], [A]);
  assert.deepEqual(own['服务清单'].slice(1).map((x) => x[2]).sort(), ['上门理发', '代买代配', '助老义诊', '四点半课堂', '电梯安全巡查'].sort(),
    'her community\'s lists and the street\'s, nothing of B');
  assert.equal(own['服务清单'].find((x) => x[2] === '四点半课堂')[7], 0, 'A is not 高层住宅型');
});

test('export: the demo street\'s portraits carry the results of its cases', async () => {
  const book = await exportBook(STREET, 'street');
  const p = (await api('GET', `/api/v1/analytics/communities/${COMMUNITY}/portrait`, 'street')).body;
  assert.equal(typeof p.results.response_rate, 'number', 'the demo has answered cases');
  assert.ok(p.demand.cases.by_category.length > 0 && p.population.tags.length > 0);
  assert.deepEqual(sheetItems(book['社区画像'], COMMUNITY), portraitItems(p));
  assert.ok(book['服务清单'].length > 6, 'the demo street\'s lists');
  const mine = await api('GET', '/api/v1/analytics/services/mine', 'staff');
  for (const x of mine.body.items)
    assert.ok(book['服务清单'].some((r) => r[2] === x.name && r[0] === x.type), `${x.name} of the demo community is in the street's list`);
});

test('rules: inherited defaults, a street replaces its own, staff cannot, bad rules are refused', async () => {
  const d = await api('GET', `/api/v1/analytics/rules?scope=${STREET}`, 'street');
  assert.equal(d.status, 200, JSON.stringify(d.body));
  assert.equal(d.body.rules_scope, '', 'the defaults');
  assert.ok(d.body.rules.some((x) => x.type === '老龄化型' && x.indicator === 'elderly_65_share'));
  assert.equal(d.body.editable, true);
  const mine = await api('GET', `/api/v1/analytics/rules?scope=${S2}`, 'st9');
  assert.equal(mine.body.rules_scope, S2);
  const before = sql(`SELECT count(*) FROM analytics_rule`);
  expectError(await api('PUT', `/api/v1/analytics/rules?scope=${S2}`, 'staffA', { rules: [] }), 403, 'forbidden');
  expectError(await api('PUT', `/api/v1/analytics/rules?scope=${S2}`, 'street', { rules: [] }), 403, 'forbidden');
  const bad = [
    [{ rules: [{ type: 'x', indicator: 'elderly_65_share', op: '=>', threshold: 1 }] }, 422, 'invalid_op', 'rules[0].op'],
    [{ rules: [{ type: 'x', indicator: 'no_such', op: '>=', threshold: 1 }] }, 422, 'unknown_indicator', 'rules[0].indicator'],
    [{ rules: [{ type: '混合型', indicator: 'avg_floors', op: '>=', threshold: 1 }] }, 422, 'reserved_type', 'rules[0].type'],
    [{ rules: [{ type: 'x', indicator: 'avg_floors', op: '>=', threshold: 'high' }] }, 422, 'invalid_type', 'rules[0].threshold'],
    [{ rules: [{ type: 'x', indicator: 'avg_floors', op: '>=', threshold: 1e12 }] }, 422, 'out_of_range', 'rules[0].threshold'],
    [{ rules: [{ type: '型'.repeat(21), indicator: 'avg_floors', op: '>=', threshold: 1 }] }, 422, 'too_long', 'rules[0].type'],
    [{ rules: [{ indicator: 'avg_floors', op: '>=', threshold: 1 }] }, 422, 'missing_field', 'rules[0].type'],
    [{ rules: Array.from({ length: 65 }, () => ({ type: 'x', indicator: 'avg_floors', op: '>=', threshold: 1 })) }, 422, 'too_many', 'rules'],
    [{ rules: [{ type: 'x', indicator: 'avg_floors', op: '>=', threshold: 1, extra: 1 }] }, 422, 'unknown_field', 'rules[0].extra'],
    [{ rules: 'all' }, 422, 'invalid_type', 'rules'],
    [{}, 422, 'missing_field', 'rules'],
    [{ rules: [], more: 1 }, 422, 'unknown_field', 'more'],
  ];
  for (const [body, status, code, field] of bad)
    expectError(await api('PUT', `/api/v1/analytics/rules?scope=${S2}`, 'st9', body), status, code, field);
  assert.equal(sql(`SELECT count(*) FROM analytics_rule`), before, 'nothing written');
  // an empty set: the street inherits the defaults again
  const cleared = await api('PUT', `/api/v1/analytics/rules?scope=${S2}`, 'st9', { rules: [] });
  assert.equal(cleared.status, 200, JSON.stringify(cleared.body));
  assert.equal(cleared.body.rules_scope, '');
  assert.equal(sql(`SELECT count(*) FROM audit WHERE action = 'analytics.rules_update'`), '2');
});

test('key populations: counts by tag, and who has not been visited', async () => {
  const r = await api('GET', `/api/v1/analytics/key-populations?scope=${A}&days=30`, 'staffA');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const want = {};
  for (const x of truth(A).residents) for (const t of x.tags) if (KEY_TAGS.includes(t)) want[t] = (want[t] ?? 0) + 1;
  assert.deepEqual(Object.fromEntries(r.body.tags.map((x) => [x.label, x.value])), want);
  assert.deepEqual(r.body.tags.find((x) => x.label === '残疾').list, { route: '/api/v1/residents', query: { community: A, tag: '残疾' } });
  const kp = truth(A).residents.filter((x) => x.tags.some((t) => KEY_TAGS.includes(t)));
  assert.equal(r.body.not_contacted.total, kp.length, 'no one is in care: nobody was visited');
  assert.deepEqual(r.body.not_contacted.items.map((x) => x.name).sort(), kp.map((x) => x.name).sort());
  const wang = r.body.not_contacted.items.find((x) => x.name === '王桂兰');
  assert.deepEqual(wang.tags, ['独居老人', '高龄']);
  assert.equal(wang.last_visit, null);
  assert.equal(wang.id_number, undefined, 'no ID number, no phone');
  assert.equal(wang.phone, undefined);
  // the month by month counts (tests/api/analytics_trend.test.mjs): this month's are today's
  assert.deepEqual(Object.fromEntries(r.body.trend.tags.map((x) => [x.label, x.values.at(-1)])), want);
  // 王桂兰 in care and visited two days ago: contacted within 30 days, not within 1
  const wangId = truth(A).residents.find((x) => x.name === '王桂兰').id;
  const open = await api('POST', '/api/v1/care/people', 'staffA', { resident_id: wangId, reasons: ['独居'], living: 'alone' });
  assert.equal(open.status, 201, JSON.stringify(open.body));
  const visitedAt = Date.now() - 2 * DAY;
  const visit = await api('POST', `/api/v1/care/people/${open.body.care_id}/visits`, 'staffA', {
    visited_at: new Date(visitedAt).toISOString(), mode: 'phone', checklist: { body: 'ok', mind: 'ok', safety: 'ok', utilities: 'ok', needs: 'ok' },
  });
  assert.equal(visit.status, 201, JSON.stringify(visit.body));
  const after30 = await api('GET', `/api/v1/analytics/key-populations?scope=${A}&days=30`, 'staffA');
  assert.equal(after30.body.not_contacted.total, kp.length - 1);
  assert.deepEqual(after30.body.not_contacted.items.map((x) => x.name), kp.filter((x) => x.name !== '王桂兰').map((x) => x.name));
  const after1 = await api('GET', `/api/v1/analytics/key-populations?scope=${A}&days=1`, 'staffA');
  const w1 = after1.body.not_contacted.items.find((x) => x.name === '王桂兰');
  assert.equal(after1.body.not_contacted.total, kp.length);
  assert.equal(w1.in_care, true);
  assert.equal(Math.floor(Date.parse(w1.last_visit) / 1000), Math.floor(visitedAt / 1000));
  expectError(await api('GET', `/api/v1/analytics/key-populations?scope=${A}&days=0`, 'staffA'), 400, 'invalid_query', 'days');
});

test('staffing: workload per community and a suggestion that shares the workers', async () => {
  const r = await api('GET', `/api/v1/analytics/staffing?scope=${S2}`, 'st9');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.workers_total, 4);
  assert.equal(r.body.items.length, nS2);
  const a = r.body.items.find((x) => x.code === A);
  assert.equal(a.workload, expected(A).counts.workload);
  assert.equal(a.workers, 3);
  assert.equal(r.body.short, nS2 > 4);
  // largest remainders, computed here: one each, the rest by workload
  const w = r.body.items.map((x) => x.workload), total = 4, n = w.length;
  const sum = w.reduce((s, x) => s + x, 0), rest = Math.max(0, total - n);
  const q = w.map((x) => (sum ? (rest * x) / sum : rest / n));
  const s = q.map((x) => 1 + Math.floor(x));
  let left = rest - q.reduce((t, x) => t + Math.floor(x), 0);
  const order = q.map((x, i) => [x - Math.floor(x), i]).sort((x, y) => y[0] - x[0] || x[1] - y[1]);
  for (const [, i] of order) if (left-- > 0) s[i]++;
  assert.deepEqual(r.body.items.map((x) => x.suggested), s);
  // within one community the suggestion is its own workers
  const one = await api('GET', `/api/v1/analytics/staffing?scope=${A}`, 'staffA');
  assert.deepEqual(one.body.items.map((x) => [x.code, x.workers, x.suggested]), [[A, 3, 3]]);
});

test('scope: a community worker reads her community only, a street admin her street', async () => {
  expectError(await api('GET', `/api/v1/analytics/indicators?scope=${STREET}`, 'staffA'), 403, 'forbidden');
  expectError(await api('GET', `/api/v1/analytics/indicators?scope=${S2}`, 'staffA'), 403, 'forbidden');
  expectError(await api('GET', `/api/v1/analytics/indicators?scope=${S2}`, 'street'), 403, 'forbidden');
  expectError(await api('GET', `/api/v1/analytics/classification?scope=${S2}`, 'street'), 403, 'forbidden');
  expectError(await api('GET', `/api/v1/analytics/communities/${A}/portrait`, 'street'), 404, 'not_found', 'code');
  expectError(await api('GET', `/api/v1/analytics/communities/${B}/portrait`, 'staffA'), 404, 'not_found', 'code');
  expectError(await api('GET', `/api/v1/analytics/key-populations?scope=${B}`, 'staffA'), 403, 'forbidden');
  expectError(await api('GET', `/api/v1/analytics/staffing?scope=${STREET}`, 'st9'), 403, 'forbidden');
  for (const who of ['resident', 'property'])
    expectError(await api('GET', '/api/v1/analytics/indicators', who), 403, 'forbidden');
  assert.equal((await srv.api('GET', '/api/v1/analytics/indicators')).status, 401);
  // without ?scope= a worker gets her own community
  const own = await api('GET', '/api/v1/analytics/indicators', 'staffA');
  assert.deepEqual(own.body.items.map((x) => x.code), [A]);
});

test('bad input: 400 with the field named', async () => {
  for (const [q, field, code] of [['scope=31010', 'scope', 'invalid_scope'], ['scope=abc', 'scope', 'invalid_scope'],
    [`scope=${S2}&k=0`, 'k', 'invalid_query'], [`scope=${S2}&k=13`, 'k', 'invalid_query'], [`scope=${S2}&seed=-1`, 'seed', 'invalid_query'], [`scope=${S2}&k=x`, 'k', 'invalid_query']])
    expectError(await api('GET', `/api/v1/analytics/classification?${q}`, 'st9'), 400, code, field);
  expectError(await api('GET', '/api/v1/analytics/communities/31010500901/portrait', 'st9'), 404, 'not_found', 'code');
  expectError(await api('GET', '/api/v1/analytics/communities/abcdefghijkl/portrait', 'admin'), 404, 'not_found', 'code');
  const notJson = await srv.api('PUT', `/api/v1/analytics/rules?scope=${S2}`, { token: tok.st9, raw: '{', headers: { 'Content-Type': 'application/json' } });
  expectError(notJson, 400, 'malformed_json');
});
