// Care of the elderly (issue 15), the server side: people in care with
// reasons and risk tags, GB/T 42195-2022 assessments scored by the code the
// CLI runs, the risk grade from the community's rules (with its reasons, an
// audited override), pairings, visits (a need may become a case), daily
// 平安 checks, days away, the overdue list, statistics, settings. Scope: a
// helper sees only her pairs; another community's staff sees nothing. Bad
// input gets a 4xx naming the field and writes nothing. Health data is
// sealed at rest and every full view audited. The overdue sweep notifies
// each alert once with two servers sweeping, CLI sweeps racing them, and a
// restart.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startServer, serveAgain, linli, BIN, ROOT, COMMUNITY, PG, dbSql, sqlHex } from '../lib/server.mjs';

const OTHER = '310105004001'; // 番禺居委会, same street
const SWEEP_MS = 200;
const DAY = 86400000;
const run = promisify(execFile);

let srv, srv2, confDir, conf;
const tok = {};
const uid = {};
const sql = (q) => dbSql(srv.db, q).trim();
const count = (q) => Number(sql(q));
const api = (method, p, who, body) => srv.api(method, p, { token: tok[who], body });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const keyArgs = () => (PG ? ['--key', path.join(srv.dir, 'linli.key')] : []);

/* Beijing date of @ms, "YYYY-MM-DD". */
const beijingDay = (ms) => new Date(ms + 8 * 3600000).toISOString().slice(0, 10);
const iso = (ms) => new Date(ms).toISOString();

async function until(fn, ms, what) {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

async function addUser(name, role, scope) {
  srv.linli(['user', 'add', '--db', srv.db, '--username', name, '--password', 'linli2026', '--role', role, '--scope', String(scope)]);
  const { token, user } = await srv.login(name);
  tok[name] = token;
  uid[name] = user.id;
}

const fullItems = () => {
  const maxima = {
    'B.1.1': 4, 'B.1.2': 4, 'B.1.3': 4, 'B.1.4': 4, 'B.1.5': 4, 'B.1.6': 4, 'B.1.7': 4, 'B.1.8': 4,
    'B.2.1': 4, 'B.2.2': 4, 'B.2.3': 4, 'B.2.4': 3,
    'B.3.1': 4, 'B.3.2': 4, 'B.3.3': 4, 'B.3.4': 4, 'B.3.5': 4, 'B.3.6': 4, 'B.3.7': 1, 'B.3.8': 1, 'B.3.9': 2,
    'B.4.1': 2, 'B.4.2': 2, 'B.4.3': 4, 'B.4.4': 3, 'B.4.5': 4,
  };
  return { ...maxima };
};
const checklistOk = { body: 'ok', mind: 'ok', safety: 'ok', utilities: 'ok', needs: 'ok' };

/* Elderly residents of the community not yet in care. */
function elders(n) {
  return sql(`SELECT r.id FROM resident r WHERE r.community = '${COMMUNITY}' AND r.status = 'active'
    AND r.birth_date <= '1960-01-01' AND NOT EXISTS (SELECT 1 FROM care_person c WHERE c.resident_id = r.id)
    ORDER BY r.id LIMIT ${n}`).split('\n').map(Number);
}

let people; // resident ids for the tests
let p1; // care id: 独居 + fall → 一级, paired with grid and with resident (relative)

before(async () => {
  confDir = mkdtempSync(path.join(tmpdir(), 'linli-care-'));
  conf = path.join(confDir, 'linli.conf');
  writeFileSync(conf, `cases_sweep_ms = ${SWEEP_MS}\n`);
  srv = await startServer({ demo: true, residents: 1000, extraArgs: ['--config', conf] });
  for (const u of ['street', 'secretary', 'staff', 'grid', 'resident', 'volunteer', 'elder']) {
    const { token, user } = await srv.login(u);
    tok[u] = token;
    uid[u] = user.id;
  }
  await addUser('grid2', 'grid_worker', COMMUNITY);
  await addUser('farstaff', 'staff', OTHER);
  people = elders(6);
  assert.equal(people.length, 6, 'the demo has elderly residents not in care');
});

after(async () => {
  if (srv2) await srv2.stop();
  await srv.stop();
  rmSync(confDir, { recursive: true, force: true });
});

test('the demo put the community\'s elderly in care, with everything a page shows', async () => {
  const n = count(`SELECT count(*) FROM care_person WHERE community = '${COMMUNITY}' AND closed_at IS NULL`);
  assert.ok(n >= 5, `${n} in care`);
  assert.ok(count('SELECT count(*) FROM care_assessment') >= n);
  assert.ok(count('SELECT count(*) FROM care_visit') > n);
  assert.ok(count('SELECT count(*) FROM care_pair WHERE ended_at IS NULL') >= n);
  assert.ok(count('SELECT count(*) FROM care_check') > 30);
  const r = await api('GET', '/api/v1/care/people?per_page=200', 'staff');
  assert.equal(r.status, 200);
  assert.equal(r.body.total, n);
  const mine = await api('GET', '/api/v1/care/mine', 'elder');
  assert.equal(mine.status, 200);
  assert.ok(mine.body.self && mine.body.self.daily_check, 'the demo elder checks in daily');
  const vol = await api('GET', '/api/v1/care/people', 'volunteer');
  assert.ok(vol.body.total > 0, 'the demo volunteer has pairs');
});

test('the assessment form comes from the scoring code', async () => {
  const r = await api('GET', '/api/v1/care/form', 'staff');
  assert.equal(r.status, 200);
  assert.equal(r.body.items.length, 26);
  assert.equal(r.body.dimensions.reduce((s, d) => s + d.max, 0), 90);
  assert.deepEqual(r.body.levels.map((l) => [l.min, l.max]), [[90, 90], [66, 89], [46, 65], [30, 45], [0, 29]]);
});

test('staff open care: the grade comes with its reasons; bad input writes nothing', async () => {
  const before = count('SELECT count(*) FROM care_person');
  let r = await api('POST', '/api/v1/care/people', 'staff', { resident_id: people[0], living: 'alone' });
  assert.equal(r.status, 422);
  assert.equal(r.body.error.field, 'reasons');
  assert.match(r.body.error.message, /原因/);
  r = await api('POST', '/api/v1/care/people', 'staff', { resident_id: people[0], reasons: ['独居'], tags: ['fall', 'flying'] });
  assert.equal(r.status, 422);
  assert.equal(r.body.error.field, 'tags[1]');
  r = await api('POST', '/api/v1/care/people', 'staff', { resident_id: people[0], reasons: ['独居'], living: 'cave' });
  assert.equal(r.body.error.field, 'living');
  r = await api('POST', '/api/v1/care/people', 'staff', { resident_id: 99999999, reasons: ['独居'] });
  assert.equal(r.status, 422);
  assert.equal(r.body.error.field, 'resident_id');
  r = await api('POST', '/api/v1/care/people', 'staff', { resident_id: people[0], reasons: ['独居'], hobby: 'chess' });
  assert.equal(r.status, 422);
  assert.equal(r.body.error.field, 'hobby');
  r = await api('POST', '/api/v1/care/people', 'grid', { resident_id: people[0], reasons: ['独居'] });
  assert.equal(r.status, 403);
  r = await api('POST', '/api/v1/care/people', 'farstaff', { resident_id: people[0], reasons: ['独居'] });
  assert.equal(r.status, 422);
  assert.equal(r.body.error.field, 'resident_id');
  assert.equal(count('SELECT count(*) FROM care_person'), before, 'nothing written');

  r = await api('POST', '/api/v1/care/people', 'staff', {
    resident_id: people[0], reasons: ['独居', '近期跌倒'], living: 'alone', tags: ['fall', 'chronic'], note: '右腿骨折后恢复中',
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  p1 = r.body.care_id;
  assert.equal(r.body.grade, 1);
  assert.equal(r.body.grading.computed, 1);
  const rules = r.body.grading.reasons.map((x) => x.rule);
  assert.ok(rules.includes('独居且近期跌倒'), rules.join(','));
  assert.ok(rules.includes('慢性病'));
  assert.equal(r.body.daily_check, true, '一级: daily contact');
  assert.equal(r.body.visit_days, 7);
  assert.equal(r.body.note, '右腿骨折后恢复中');

  r = await api('POST', '/api/v1/care/people', 'staff', { resident_id: people[0], reasons: ['独居'] });
  assert.equal(r.status, 409);
  assert.equal(r.body.error.code, 'already_in_care');
});

test('health data is sealed at rest', () => {
  const hex = (s) => Buffer.from(s, 'utf8').toString('hex').toUpperCase();
  const row = sql(`SELECT ${sqlHex('data_enc')}, ${sqlHex('grade_enc')} FROM care_person WHERE id = ${p1}`);
  assert.ok(row.length > 40);
  for (const plain of ['右腿骨折', '近期跌倒', 'fall', 'chronic', '慢性病'])
    assert.ok(!row.includes(hex(plain)), `${plain} in clear`);
});

test('an assessment is scored by the CLI\'s code; incomplete or impossible ones write nothing', async () => {
  const n0 = count(`SELECT count(*) FROM care_assessment WHERE care_id = ${p1}`);
  const items = fullItems();
  delete items['B.4.5'];
  let r = await api('POST', `/api/v1/care/people/${p1}/assessments`, 'staff', { items });
  assert.equal(r.status, 422);
  assert.equal(r.body.error.field, 'items.B.4.5');
  assert.equal(r.body.error.code, 'missing_item');
  r = await api('POST', `/api/v1/care/people/${p1}/assessments`, 'staff', { items: { ...fullItems(), 'B.2.4': 4 } });
  assert.equal(r.status, 422);
  assert.equal(r.body.error.field, 'items.B.2.4');
  assert.equal(r.body.error.code, 'invalid_option');
  r = await api('POST', `/api/v1/care/people/${p1}/assessments`, 'staff', { items: fullItems(), assessed_at: iso(Date.now() + 2 * DAY) });
  assert.equal(r.status, 422);
  assert.equal(r.body.error.field, 'assessed_at');
  r = await api('POST', `/api/v1/care/people/${p1}/assessments`, 'grid', { items: fullItems() });
  assert.ok(r.status === 403 || r.status === 404);
  assert.equal(count(`SELECT count(*) FROM care_assessment WHERE care_id = ${p1}`), n0, 'nothing written');

  const line = JSON.stringify({ items: { ...fullItems(), 'B.1.1': 0, 'B.1.3': 1 }, diagnoses: ['F01'] });
  const cli = JSON.parse(linli(['care', 'assess'], { input: line }));
  r = await api('POST', `/api/v1/care/people/${p1}/assessments`, 'staff', JSON.parse(line));
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.deepEqual(r.body.result, cli, 'the same result as linli care assess');
  assert.equal(r.body.result.total, 83);
  assert.equal(r.body.final_level, 2, '轻度, one level up for F01');

  r = await api('POST', `/api/v1/care/people/${p1}/assessments`, 'staff', { items: fullItems(), coma: true, assessed_at: iso(Date.now() - 3600000) });
  assert.equal(r.status, 201);
  assert.equal(r.body.final_level, 4, 'coma: 完全丧失 by C.4');
  const page = await api('GET', `/api/v1/care/people/${p1}`, 'staff');
  assert.equal(page.body.ability_level, 2);
  assert.equal(page.body.assessments.length, n0 + 2);
  assert.equal(page.body.assessments[0].final_level, 2, 'newest first');
  assert.equal(page.body.assessments[1].final_level, 4, 'coma: 完全丧失 by C.4');
  assert.ok(page.body.assessments[0].input.items, 'staff see the items');
  assert.ok(Number.isInteger(page.body.assessments[0].total), 'the trend chart has totals');
});

test('the coma reading is a setting', async () => {
  let r = await api('PUT', `/api/v1/care/settings?community=${COMMUNITY}`, 'staff', { assess: { coma: 'halfway' } });
  assert.equal(r.status, 422);
  assert.equal(r.body.error.field, 'assess.coma');
  r = await api('PUT', `/api/v1/care/settings?community=${COMMUNITY}`, 'staff', { assess: { coma: 'severe' } });
  assert.equal(r.status, 200);
  r = await api('POST', `/api/v1/care/people/${p1}/assessments`, 'staff', { items: fullItems(), coma: true, assessed_at: iso(Date.now() - 7200000) });
  assert.equal(r.body.final_level, 3, 'coma: 重度 by the B.3.9 note');
  assert.equal(r.body.rules.coma, 'severe');
  r = await api('PUT', `/api/v1/care/settings?community=${COMMUNITY}`, 'staff', { assess: { coma: 'complete' } });
  assert.equal(r.status, 200);
});

test('settings: readable rules, checked field by field; a change regrades', async () => {
  let r = await api('GET', `/api/v1/care/settings?community=${COMMUNITY}`, 'staff');
  assert.equal(r.status, 200);
  const s = r.body.settings;
  assert.equal(s.age_threshold, 60);
  assert.deepEqual(s.rhythm['1'], { visit_days: 7, daily_check: true });
  assert.ok(s.rules.some((x) => x.name === '独居且高龄（80 岁及以上）' && x.grade === 1));
  for (const [body, field] of [
    [{ rules: [{ name: 'x', grade: 1, when: [{ factor: 'shoe_size', min: 40 }] }] }, 'rules[0].when[0].factor'],
    [{ rules: [{ name: 'x', grade: 1, when: [{ factor: 'age', min: 300 }] }] }, 'rules[0].when[0].min'],
    [{ rules: [{ name: 'x', grade: 4, when: [{ factor: 'lives_alone' }] }] }, 'rules[0].grade'],
    [{ rules: [] }, 'rules'],
    [{ rhythm: { 2: { visit_days: 0 } } }, 'rhythm.2.visit_days'],
    [{ check_hour: 24 }, 'check_hour'],
    [{ colour: 'red' }, 'colour'],
  ]) {
    const bad = await api('PUT', `/api/v1/care/settings?community=${COMMUNITY}`, 'staff', body);
    assert.equal(bad.status, 422, JSON.stringify(body));
    assert.equal(bad.body.error.field, field);
    assert.match(bad.body.error.message, /[\u4e00-\u9fff]/);
  }
  r = await api('PUT', `/api/v1/care/settings?community=${COMMUNITY}`, 'grid', { check_hour: 9 });
  assert.equal(r.status, 403);
  r = await api('PUT', `/api/v1/care/settings?community=${COMMUNITY}`, 'street', { check_hour: 9 });
  assert.equal(r.status, 403);
  r = await api('GET', `/api/v1/care/settings?community=${COMMUNITY}`, 'farstaff');
  assert.equal(r.status, 403);

  // only 二级 rules: p1 drops to 二级 with the same reasons, then back
  const second = s.rules.filter((x) => x.grade === 2);
  r = await api('PUT', `/api/v1/care/settings?community=${COMMUNITY}`, 'staff', { rules: second });
  assert.equal(r.status, 200);
  let page = await api('GET', `/api/v1/care/people/${p1}`, 'staff');
  assert.equal(page.body.grade, 2);
  assert.equal(page.body.visit_days, 14);
  r = await api('PUT', `/api/v1/care/settings?community=${COMMUNITY}`, 'staff', { rules: s.rules });
  page = await api('GET', `/api/v1/care/people/${p1}`, 'staff');
  assert.equal(page.body.grade, 1);
});

test('a grade override needs a reason and is audited', async () => {
  let r = await api('PUT', `/api/v1/care/people/${p1}/grade`, 'staff', { grade: 3 });
  assert.equal(r.status, 422);
  assert.equal(r.body.error.field, 'reason');
  r = await api('PUT', `/api/v1/care/people/${p1}/grade`, 'staff', { grade: 5, reason: '家属已接回同住' });
  assert.equal(r.body.error.field, 'grade');
  r = await api('PUT', `/api/v1/care/people/${p1}/grade`, 'grid', { grade: 3, reason: '家属已接回同住' });
  assert.ok(r.status === 403 || r.status === 404);
  const a0 = count("SELECT count(*) FROM audit WHERE action = 'care.grade_override'");
  r = await api('PUT', `/api/v1/care/people/${p1}/grade`, 'staff', { grade: 3, reason: '家属已接回同住' });
  assert.equal(r.status, 200);
  assert.equal(r.body.grade, 3);
  assert.equal(r.body.grading.computed, 1);
  assert.equal(r.body.grading.override.reason, '家属已接回同住');
  assert.equal(count("SELECT count(*) FROM audit WHERE action = 'care.grade_override'"), a0 + 1);
  r = await api('PUT', `/api/v1/care/people/${p1}/grade`, 'staff', { grade: null });
  assert.equal(r.status, 200);
  assert.equal(r.body.grade, 1);
  assert.equal(r.body.grading.override, null);
});

test('pairings: who may be paired, and a helper sees only her pairs', async () => {
  const h = await api('GET', `/api/v1/care/helpers?community=${COMMUNITY}`, 'staff');
  assert.equal(h.status, 200);
  assert.equal(h.body.items[0].role, 'grid_worker', 'grid workers first');
  assert.ok(h.body.items.some((x) => x.user_id === uid.grid));
  assert.ok(h.body.items.some((x) => x.user_id === uid.volunteer));
  assert.ok(!h.body.items.some((x) => x.user_id === uid.farstaff));
  const found = await api('GET', `/api/v1/care/helpers?q=${encodeURIComponent('赵网格')}`, 'staff');
  assert.deepEqual(found.body.items.map((x) => x.user_id), [uid.grid]);
  assert.equal((await api('GET', '/api/v1/care/helpers', 'grid')).status, 403);
  assert.equal((await api('GET', `/api/v1/care/helpers?community=${COMMUNITY}`, 'farstaff')).status, 403);
  let r = await api('POST', `/api/v1/care/people/${p1}/pairs`, 'staff', { user_id: uid.grid, kind: 'cousin' });
  assert.equal(r.status, 422);
  assert.equal(r.body.error.field, 'kind');
  r = await api('POST', `/api/v1/care/people/${p1}/pairs`, 'staff', { user_id: uid.farstaff, kind: 'grid_worker' });
  assert.equal(r.status, 422);
  assert.equal(r.body.error.field, 'user_id');
  r = await api('POST', `/api/v1/care/people/${p1}/pairs`, 'staff', { user_id: uid.grid, kind: 'grid_worker' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  r = await api('POST', `/api/v1/care/people/${p1}/pairs`, 'staff', { user_id: uid.grid, kind: 'grid_worker' });
  assert.equal(r.status, 409);
  r = await api('POST', `/api/v1/care/people/${p1}/pairs`, 'staff', { user_id: uid.resident, kind: 'relative' });
  assert.equal(r.status, 201);

  const grid = await api('GET', '/api/v1/care/people?per_page=200', 'grid');
  assert.ok(grid.body.items.some((x) => x.care_id === p1));
  const pairedIds = sql(`SELECT care_id FROM care_pair WHERE user_id = ${uid.grid} AND ended_at IS NULL`).split('\n').map(Number);
  for (const it of grid.body.items) assert.ok(pairedIds.includes(it.care_id), 'only her pairs');
  const grid2 = await api('GET', '/api/v1/care/people', 'grid2');
  assert.equal(grid2.status, 200);
  assert.equal(grid2.body.total, 0, 'a helper with no pairs sees nobody');
  r = await api('GET', `/api/v1/care/people/${p1}`, 'grid2');
  assert.equal(r.status, 403);
  r = await api('GET', `/api/v1/care/people/${p1}`, 'farstaff');
  assert.equal(r.status, 404);
  const far = await api('GET', '/api/v1/care/people?in_care=all&per_page=200', 'farstaff');
  assert.equal(far.status, 200);
  assert.ok(!far.body.items.some((x) => x.community === COMMUNITY), 'another community\'s staff sees none of ours');
  r = await api('GET', `/api/v1/care/people?community=${COMMUNITY}`, 'farstaff');
  assert.equal(r.status, 403);
  const mine = await api('GET', '/api/v1/care/mine', 'resident');
  assert.ok(mine.body.pairs.some((x) => x.care_id === p1 && x.kind === 'relative'));
});

test('lists are masked and filter by grid, building, age, living alone, grade', async () => {
  const r = await api('GET', `/api/v1/care/people?grade=1&alone=1&per_page=200`, 'staff');
  assert.equal(r.status, 200);
  const it = r.body.items.find((x) => x.care_id === p1);
  assert.ok(it, 'p1 is 一级 and lives alone');
  for (const hidden of ['reasons', 'tags', 'note', 'assessments', 'grading']) assert.ok(!(hidden in it), `${hidden} in a list`);
  for (const x of r.body.items) assert.ok(x.grade === 1 && x.lives_alone);
  const b = await api('GET', `/api/v1/care/people?building=${it.building.id}&per_page=200`, 'staff');
  for (const x of b.body.items) assert.equal(x.building.id, it.building.id);
  assert.ok(b.body.items.some((x) => x.care_id === p1));
  if (it.grid) {
    const g = await api('GET', `/api/v1/care/people?grid=${it.grid.id}&per_page=200`, 'staff');
    assert.ok(g.body.items.some((x) => x.care_id === p1));
    for (const x of g.body.items) assert.equal(x.grid.id, it.grid.id);
  }
  const young = await api('GET', `/api/v1/care/people?age_max=${it.age - 1}&per_page=200`, 'staff');
  assert.ok(!young.body.items.some((x) => x.care_id === p1));
  for (const x of young.body.items) assert.ok(x.age <= it.age - 1);
  const band = await api('GET', `/api/v1/care/people?age_min=${it.age}&age_max=${it.age}&per_page=200`, 'staff');
  assert.ok(band.body.items.some((x) => x.care_id === p1));
  const out = await api('GET', '/api/v1/care/people?in_care=0&per_page=200', 'staff');
  assert.ok(out.body.items.length > 0);
  for (const x of out.body.items) assert.ok(x.care_id === null && x.age >= 60);
  const street = await api('GET', '/api/v1/care/people?per_page=5', 'street');
  assert.equal(street.status, 200);
  assert.ok(street.body.total >= 1);
  for (const [q, field] of [['grade=4', 'grade'], ['in_care=maybe', 'in_care'], ['per_page=0', 'per_page']]) {
    const bad = await api('GET', `/api/v1/care/people?${q}`, 'staff');
    assert.equal(bad.status, 400, q);
    assert.equal(bad.body.error.field, field);
  }
});

test('visits: paired helpers only, not in the future; a need becomes a case with the visit or not at all', async () => {
  const v0 = count('SELECT count(*) FROM care_visit');
  const c0 = count('SELECT count(*) FROM cases');
  let r = await api('POST', `/api/v1/care/people/${p1}/visits`, 'grid', { visited_at: iso(Date.now() + 3 * 3600000), mode: 'in_person', checklist: checklistOk });
  assert.equal(r.status, 422);
  assert.equal(r.body.error.field, 'visited_at');
  assert.match(r.body.error.message, /不能晚于现在/);
  r = await api('POST', `/api/v1/care/people/${p1}/visits`, 'grid', { visited_at: iso(Date.now()), mode: 'in_person', checklist: { ...checklistOk, safety: undefined } });
  assert.equal(r.status, 422);
  assert.equal(r.body.error.field, 'checklist.safety');
  r = await api('POST', `/api/v1/care/people/${p1}/visits`, 'grid', { visited_at: iso(Date.now()), mode: 'by_pigeon', checklist: checklistOk });
  assert.equal(r.body.error.field, 'mode');
  r = await api('POST', `/api/v1/care/people/${p1}/visits`, 'grid2', { visited_at: iso(Date.now()), mode: 'phone', checklist: checklistOk });
  assert.equal(r.status, 403);
  assert.equal(r.body.error.code, 'not_paired');
  assert.equal(r.body.error.field, 'id');
  assert.match(r.body.error.message, /结对/);
  r = await api('POST', `/api/v1/care/people/${p1}/visits`, 'street', { visited_at: iso(Date.now()), mode: 'phone', checklist: checklistOk });
  assert.equal(r.status, 403);
  r = await api('POST', `/api/v1/care/people/${p1}/visits`, 'grid', {
    visited_at: iso(Date.now()), mode: 'in_person', checklist: checklistOk,
    needs: [{ text: '楼道堆物挡路', case_category: 'corridor_clutter' }, { text: '想要助餐', case_category: 'no_such_category' }],
  });
  assert.equal(r.status, 422);
  assert.equal(r.body.error.field, 'needs[1].case_category');
  assert.equal(count('SELECT count(*) FROM care_visit'), v0, 'no visit written');
  assert.equal(count('SELECT count(*) FROM cases'), c0, 'no case written');

  r = await api('POST', `/api/v1/care/people/${p1}/visits`, 'grid', {
    visited_at: iso(Date.now() - 3600000), mode: 'in_person', checklist: { ...checklistOk, body: 'concern' },
    notes: '腿还肿，提醒复诊', needs: [{ text: '楼道堆物挡路', case_category: 'corridor_clutter' }, { text: '想要助餐' }],
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.on_time, true);
  assert.equal(r.body.concern, true);
  assert.equal(r.body.case_ids.length, 1);
  assert.equal(count(`SELECT count(*) FROM cases WHERE id = ${r.body.case_ids[0]} AND description LIKE '%楼道堆物挡路%'`), 1);
  const page = await api('GET', `/api/v1/care/people/${p1}`, 'grid');
  assert.equal(page.status, 200);
  assert.equal(page.body.visits[0].notes, '腿还肿，提醒复诊');
  assert.equal(page.body.visits[0].checklist.body, 'concern');
  assert.ok(!('input' in page.body.assessments[0]), 'a helper sees levels, not the assessment items');
  const hex = Buffer.from('腿还肿', 'utf8').toString('hex').toUpperCase();
  assert.ok(!sql(`SELECT ${sqlHex('data_enc')} FROM care_visit WHERE care_id = ${p1}`).includes(hex), 'notes sealed');
});

test('every full view is audited, helpers\' too', async () => {
  const n = () => count(`SELECT count(*) FROM audit WHERE action = 'care.view_full' AND object_id = ${p1}`);
  const a0 = n();
  await api('GET', `/api/v1/care/people/${p1}`, 'staff');
  await api('GET', `/api/v1/care/people/${p1}`, 'grid');
  await api('GET', `/api/v1/care/people/${p1}`, 'grid2'); // refused: not a view
  assert.equal(n(), a0 + 2);
  await api('GET', '/api/v1/care/people', 'staff');
  assert.equal(n(), a0 + 2, 'a list is not a full view');
});

test('平安 checks: the person or a paired relative, once a day', async () => {
  const today = beijingDay(Date.now());
  let r = await api('POST', '/api/v1/care/checks', 'grid', { care_id: p1 });
  assert.equal(r.status, 403, 'a grid worker does not press 我很好 for her');
  r = await api('POST', '/api/v1/care/checks', 'resident', { care_id: 99999999 });
  assert.equal(r.status, 422);
  assert.equal(r.body.error.field, 'care_id');
  assert.equal(r.body.error.code, 'not_in_care');
  r = await api('POST', '/api/v1/care/checks', 'grid2', {});
  assert.equal(r.status, 422);
  assert.equal(r.body.error.field, 'care_id');
  r = await api('POST', '/api/v1/care/checks', 'resident', { care_id: p1, mood: 'fine' });
  assert.equal(r.status, 422);
  assert.equal(r.body.error.field, 'mood');
  assert.equal(count(`SELECT count(*) FROM care_check WHERE care_id = ${p1}`), 0, 'nothing written');
  r = await api('POST', '/api/v1/care/checks', 'resident', { care_id: p1 });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.day, today);
  assert.equal(r.body.by, 'relative');
  r = await api('POST', '/api/v1/care/checks', 'resident', { care_id: p1 });
  assert.equal(r.status, 200);
  assert.equal(r.body.already, true);
  assert.equal(count(`SELECT count(*) FROM care_check WHERE care_id = ${p1}`), 1);
  r = await api('POST', '/api/v1/care/checks', 'elder');
  assert.ok(r.status === 201 || r.status === 200, JSON.stringify(r.body));
  assert.equal(r.body.by, 'self');
});

test('days away: checked dates, cancelled again', async () => {
  const today = beijingDay(Date.now());
  const later = beijingDay(Date.now() + 3 * DAY);
  let r = await api('POST', `/api/v1/care/people/${p1}/away`, 'staff', { from: later, to: today, reason: 'hospital' });
  assert.equal(r.status, 422);
  assert.equal(r.body.error.field, 'to');
  r = await api('POST', `/api/v1/care/people/${p1}/away`, 'staff', { from: today, to: later, reason: 'party' });
  assert.equal(r.body.error.field, 'reason');
  r = await api('POST', `/api/v1/care/people/${p1}/away`, 'resident', { from: today, to: later, reason: 'hospital' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  let page = await api('GET', `/api/v1/care/people/${p1}`, 'staff');
  assert.equal(page.body.away_today, true);
  r = await api('DELETE', `/api/v1/care/away/${r.body.id}`, 'staff');
  assert.equal(r.status, 200);
  page = await api('GET', `/api/v1/care/people/${p1}`, 'staff');
  assert.equal(page.body.away_today, false);
});

test('statistics count by ability level and grade, and visits on time per helper and month', async () => {
  const r = await api('GET', `/api/v1/care/stats?community=${COMMUNITY}`, 'staff');
  assert.equal(r.status, 200);
  const inCare = count(`SELECT count(*) FROM care_person WHERE community = '${COMMUNITY}' AND closed_at IS NULL`);
  assert.equal(r.body.in_care, inCare);
  assert.equal(r.body.by_grade.reduce((s, x) => s + x.count, 0), inCare);
  assert.equal(r.body.by_ability_level.reduce((s, x) => s + x.count, 0), inCare);
  const month = beijingDay(Date.now()).slice(0, 7);
  const g = r.body.visits.find((x) => x.helper_id === uid.grid && x.month === month);
  assert.ok(g && g.visits >= 1 && g.on_time <= g.visits);
  let bad = await api('GET', '/api/v1/care/stats?from=2026-13', 'staff');
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.field, 'from');
  bad = await api('GET', '/api/v1/care/stats', 'grid');
  assert.equal(bad.status, 403);
});

test('the overdue sweep tells helpers, then staff, then the secretary, once each: two servers, racing CLI sweeps, a restart', async () => {
  // p2: 独居 + fall → 一级 (daily check, weekly visit), a relative who can press the button, paired with grid
  let r = await api('POST', '/api/v1/care/people', 'staff', { resident_id: people[1], reasons: ['独居'], living: 'alone', tags: ['fall'] });
  assert.equal(r.status, 201);
  const p2 = r.body.care_id;
  r = await api('POST', `/api/v1/care/people/${p2}/pairs`, 'staff', { user_id: uid.grid, kind: 'grid_worker' });
  assert.equal(r.status, 201);
  r = await api('POST', `/api/v1/care/people/${p2}/pairs`, 'staff', { user_id: uid.resident, kind: 'relative' });
  assert.equal(r.status, 201);
  // a visit 40 days ago: due 33 days ago, past the secretary's 7
  r = await api('POST', `/api/v1/care/people/${p2}/visits`, 'grid', { visited_at: iso(Date.now() - 40 * DAY), mode: 'phone', checklist: checklistOk });
  assert.equal(r.status, 201);
  // opened three days ago; the check is due from 00:00, the secretary told after one day missed
  sql(`UPDATE care_person SET opened_at = opened_at - ${3 * DAY} WHERE id = ${p2}`);
  r = await api('PUT', `/api/v1/care/settings?community=${COMMUNITY}`, 'staff', { check_hour: 0, staff_after_hours: 1, check_escalate_days: 1 });
  assert.equal(r.status, 200);

  srv2 = await serveAgain(srv, { extraArgs: ['--config', conf] });
  await until(() => count(`SELECT count(*) FROM care_alert WHERE care_id = ${p2} AND kind = 'visit_secretary'`) === 1, 20000, 'the background sweeps');
  // two CLI sweeps at once, at 23:30 Beijing today: every kind is due
  const late = new Date(`${beijingDay(Date.now())}T23:30:00+08:00`).toISOString();
  const sweep = () => run(BIN, ['care', 'sweep', '--db', srv.db, '--now', late, ...keyArgs()], { cwd: ROOT });
  await Promise.all([sweep(), sweep()]);
  await srv2.stop();
  srv2 = await serveAgain(srv, { extraArgs: ['--config', conf] }); // a restart
  await sleep(SWEEP_MS * 5);
  await Promise.all([sweep(), sweep()]);

  const day = beijingDay(Date.now());
  for (const kind of ['check', 'check_staff', 'check_secretary', 'visit', 'visit_secretary'])
    assert.equal(count(`SELECT count(*) FROM care_alert WHERE care_id = ${p2} AND kind = '${kind}'`), 1, kind);
  assert.equal(count(`SELECT count(*) FROM care_alert WHERE care_id = ${p2} AND kind = 'check' AND day = '${day}'`), 1);
  const told = (user, kind) => count(`SELECT count(*) FROM notice WHERE user_id = ${user} AND kind = '${kind}' AND link = '/care/people/${p2}'`);
  assert.equal(told(uid.grid, 'care.check_missed'), 1, 'the helper once about the check');
  assert.equal(told(uid.resident, 'care.check_missed'), 1, 'the relative too');
  assert.equal(told(uid.grid, 'care.visit_overdue'), 1, 'the helper once about the visit');
  assert.equal(told(uid.staff, 'care.check_missed'), 1, 'staff once, after the helper');
  assert.equal(told(uid.staff, 'care.escalated'), 0, 'staff are not the secretary');
  assert.equal(told(uid.secretary, 'care.check_missed'), 1, 'the secretary is staff too');
  assert.equal(told(uid.secretary, 'care.escalated'), 2, 'the secretary: the checks and the visit, once each');
  assert.equal(told(uid.grid2, 'care.check_missed'), 0, 'nobody unpaired');
  assert.equal(told(uid.farstaff, 'care.escalated'), 0);

  // the overdue lists
  const over = await api('GET', '/api/v1/care/overdue?per_page=200', 'grid');
  const it = over.body.items.find((x) => x.care_id === p2);
  assert.ok(it && it.visit_overdue && it.check_missed, JSON.stringify(it));
  assert.ok(it.visit_overdue_days >= 32);
  const none = await api('GET', '/api/v1/care/overdue', 'grid2');
  assert.equal(none.body.total, 0);
  const staffOver = await api('GET', '/api/v1/care/people?overdue=1&per_page=200', 'staff');
  assert.ok(staffOver.body.items.some((x) => x.care_id === p2));
  // a missed check counts in the grade's reasons
  const page = await api('GET', `/api/v1/care/people/${p2}`, 'staff');
  assert.ok(page.body.grading.reasons.some((x) => x.rule === '近 30 天漏打卡'), JSON.stringify(page.body.grading.reasons));
  // pressing 我很好 clears today's missed check
  r = await api('POST', '/api/v1/care/checks', 'resident', { care_id: p2 });
  assert.equal(r.status, 201);
  const after = await api('GET', `/api/v1/care/people/${p2}`, 'grid');
  assert.equal(after.body.check_missed, false);
  await api('PUT', `/api/v1/care/settings?community=${COMMUNITY}`, 'staff', { check_hour: 10, staff_after_hours: 2, check_escalate_days: 2 });
});

test('closing care keeps the history; nothing more is recorded for her', async () => {
  let r = await api('POST', `/api/v1/care/people/${p1}/close`, 'staff', { reason: 'lost' });
  assert.equal(r.status, 422);
  assert.equal(r.body.error.field, 'reason');
  r = await api('POST', `/api/v1/care/people/${p1}/close`, 'grid', { reason: 'moved' });
  assert.equal(r.status, 403);
  r = await api('POST', `/api/v1/care/people/${p1}/close`, 'staff', { reason: 'care_home', note: '入住长宁区福利院' });
  assert.equal(r.status, 200);
  assert.ok(r.body.closed_at);
  assert.equal(r.body.pairs.length, 0, 'pairs end with it');
  r = await api('POST', `/api/v1/care/people/${p1}/close`, 'staff', { reason: 'moved' });
  assert.equal(r.status, 409);
  r = await api('POST', '/api/v1/care/checks', 'resident', { care_id: p1 });
  assert.equal(r.status, 422);
  assert.equal(r.body.error.code, 'not_in_care');
  r = await api('POST', `/api/v1/care/people/${p1}/visits`, 'staff', { visited_at: iso(Date.now()), mode: 'phone', checklist: checklistOk });
  assert.equal(r.status, 409);
  // opened again: a new episode, the old one kept
  r = await api('POST', '/api/v1/care/people', 'staff', { resident_id: people[0], reasons: ['回到社区居住'] });
  assert.equal(r.status, 201);
  assert.notEqual(r.body.care_id, p1);
  assert.equal(r.body.episodes.length, 2);
  const old = await api('GET', `/api/v1/care/people/${p1}`, 'staff');
  assert.equal(old.status, 200);
  assert.equal(old.body.close_reason, 'care_home');
  assert.ok(old.body.visits.length >= 1, 'the visits stay');
});

test('the routes need a login', async () => {
  const r = await srv.api('GET', '/api/v1/care/people');
  assert.equal(r.status, 401);
});
