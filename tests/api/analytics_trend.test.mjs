// Analytics (issue 20): the key populations month by month (the "trend" of
// GET /api/v1/analytics/key-populations), from the registry's tag history
// (resident_tag_event, schema 0040). The test makes its own street's
// residents through the registry's API, then dates some of the tags the
// triggers wrote back by months (the history a registry would have had), and
// changes tags through the API: a tag added, a tag removed, a resident moved
// out on a past date, a resident moved to another community, a PATCH that
// keeps the tags. Each month's count is checked against what the test
// counts from its own record of who held which tag from when to when; this
// month's against today's counts and the resident list.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, dbSql, PG } from '../lib/server.mjs';

const S = '310105009';
const DAY = 86400e3;
let srv, A, B;
const tok = {};
const sql = (q) => dbSql(srv.db, q).trim();
const api = (method, p, who, body) => srv.api(method, p, { token: tok[who], body });

/* Beijing's date, @days from today */
const dateIn = (days) => new Date(Date.now() + 8 * 3600e3 + days * DAY).toISOString().slice(0, 10);
const today = dateIn(0);
/* yyyy-mm of @k months before this one */
function monthBack(k) {
  const [y, m] = today.split('-').map(Number);
  const i = y * 12 + (m - 1) - k;
  return `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`;
}
const KEY_TAGS = ['独居老人', '高龄', '认知障碍高风险', '残疾', '低保', '困难家庭', '优抚对象', '失业', '儿童', '孕产妇'];
const MONTHS = Array.from({ length: 12 }, (_, i) => monthBack(11 - i));
/* the 15th of @k months ago (today for this month) */
const dayOf = (k) => (k === 0 ? today : `${monthBack(k)}-15`);

/* who held which tag where, from (inclusive) to (exclusive, null: still) */
const spans = [];
function held(community, tag, month) {
  const end = `${month}-31`;
  return spans.filter((s) => s.community === community && s.tag === tag && s.from <= end && (s.to === null || s.to > end)).length;
}
const open = (id, tag) => spans.find((s) => s.id === id && s.tag === tag && s.to === null);

async function addUser(name, role, scope) {
  srv.linli(['user', 'add', '--db', srv.db, '--username', name, '--password', 'Trend-2026-kp', '--role', role, '--scope', String(scope)]);
  tok[name] = (await srv.login(name, 'Trend-2026-kp')).token;
}

async function household(who, community, room) {
  let r = await api('POST', '/api/v1/buildings', who, { community, name: `${room}号楼`, units: 1, floors: 6 });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  r = await api('POST', '/api/v1/households', who, { building_id: r.body.id, unit: 1, floor: 1, room: '101' });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.id;
}

/* a resident with @tags, which she has held since @k months ago */
async function resident(who, community, hh, name, tags, k) {
  const r = await api('POST', '/api/v1/residents', who, { household_id: hh, name, gender: 'female', birth_date: '1940-03-02', tags });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  sql(`UPDATE resident_tag_event SET date = '${dayOf(k)}' WHERE resident_id = ${r.body.id} AND op = 'add'`);
  for (const tag of tags) spans.push({ id: r.body.id, community, tag, from: dayOf(k), to: null });
  return r.body.id;
}

async function trend(who, scope) {
  const r = await api('GET', `/api/v1/analytics/key-populations?scope=${scope}`, who);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
}

/* the whole trend of @body against the test's spans over @communities */
function check(body, communities) {
  const t = body.trend;
  assert.deepEqual(t.months, MONTHS);
  const tags = [...new Set(spans.filter((s) => communities.includes(s.community) && KEY_TAGS.includes(s.tag)).map((s) => s.tag))];
  const want = {};
  for (const tag of tags) {
    const values = MONTHS.map((m) => communities.reduce((n, c) => n + held(c, tag, m), 0));
    if (values.some((v) => v)) want[tag] = values;
  }
  assert.deepEqual(Object.fromEntries(t.tags.map((x) => [x.label, x.values])), want);
  for (const x of t.tags) {
    assert.equal(x.change, x.values[11] - x.values[0], x.label);
    if (x.values[0]) assert.ok(Math.abs(x.change_pct - (100 * x.change) / x.values[0]) <= 0.05, `${x.label} ${x.change_pct}`);
    else assert.equal(x.change_pct, null);
  }
  /* this month is today's count */
  const now = Object.fromEntries(body.tags.map((x) => [x.label, x.value]));
  assert.deepEqual(Object.fromEntries(t.tags.filter((x) => x.values[11]).map((x) => [x.label, x.values[11]])), now);
  for (const c of communities) {
    const bc = t.by_community.find((x) => x.code === c);
    assert.ok(bc, c);
    const wantC = {};
    for (const tag of tags) {
      const values = MONTHS.map((m) => held(c, tag, m));
      if (values.some((v) => v)) wantC[tag] = values;
    }
    assert.deepEqual(bc.values, wantC, c);
  }
  return Object.fromEntries(t.tags.map((x) => [x.label, x.values]));
}

let r1, r2, r3, r4, r5, r6;

before(async () => {
  srv = await startServer({ demo: false });
  srv.linli(['import', 'divisions', '--db', srv.db, '--street', S]);
  [A, B] = sql(`SELECT code FROM division WHERE level = 5 AND code LIKE '${S}%' ORDER BY code LIMIT 2`).split('\n');
  await addUser('st', 'street_admin', S);
  await addUser('adm', 'admin', '');
  await addUser('staffA', 'staff', A);
  const hA = await household('adm', A, 1);
  const hA2 = await household('adm', A, 2);
  const hB = await household('adm', B, 3);
  r1 = await resident('adm', A, hA, '甲', ['独居老人', '高龄'], 10);
  r2 = await resident('adm', A, hA, '乙', ['高龄'], 5);
  r3 = await resident('adm', A, hA2, '丙', ['低保'], 30);
  r4 = await resident('adm', A, hA2, '丁', ['残疾', '低保'], 8);
  r5 = await resident('adm', B, hB, '戊', ['高龄'], 3);
  r6 = await resident('adm', B, hB, '己', ['低保', '党员'], 0);
});

after(async () => {
  await srv?.stop();
});

test('key populations: each month\'s end from the tag history, this month today\'s counts', async () => {
  const body = await trend('st', S);
  const v = check(body, [A, B]);
  /* the spans as the test dated them: 高龄 grew from 1 (甲, 10 months ago) to 3 */
  assert.deepEqual(v['高龄'], MONTHS.map((_, i) => (i >= 1) + (i >= 6) + (i >= 8)));
  assert.equal(v['党员'], undefined, 'not a key population');
  assert.match(body.trend_note, /月末/);
  const old = body.trend.tags.find((x) => x.label === '高龄');
  assert.equal(old.change, 3);
  assert.equal(old.change_pct, null, 'from none');
  assert.equal(body.trend.tags.find((x) => x.label === '低保').change_pct, 200, '1 (丙) to 3 (丁, 己)');
});

test('key populations: a tag added and one removed through the API count from this month', async () => {
  const before = sql(`SELECT count(*) FROM resident_tag_event`);
  /* a PATCH that keeps her tags writes no history */
  let r = await api('PATCH', `/api/v1/residents/${r1}`, 'adm', { tags: ['高龄', '独居老人'], name: '甲一' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(sql(`SELECT count(*) FROM resident_tag_event`), before);

  const prev = check(await trend('st', S), [A, B]);
  r = await api('PATCH', `/api/v1/residents/${r2}`, 'adm', { tags: ['高龄', '独居老人'] });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  spans.push({ id: r2, community: A, tag: '独居老人', from: today, to: null });
  r = await api('PATCH', `/api/v1/residents/${r4}`, 'adm', { tags: ['残疾'] });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  open(r4, '低保').to = today;
  assert.equal(sql(`SELECT count(*) FROM resident_tag_event WHERE resident_id = ${r4} AND tag = '低保' AND op = 'remove' AND date = '${today}'`), '1');

  const v = check(await trend('st', S), [A, B]);
  assert.equal(v['独居老人'][11], prev['独居老人'][11] + 1);
  assert.deepEqual(v['独居老人'].slice(0, 11), prev['独居老人'].slice(0, 11), 'the past stays');
  /* the removed 低保 drops this month and stays in the months before */
  assert.equal(v['低保'][11], prev['低保'][11] - 1);
  assert.equal(v['低保'][10], prev['低保'][10]);
  assert.equal(v['低保'][3], 2, '丙 and 丁, 8 months ago');
});

test('key populations: a resident who moved out stops counting from the date she left', async () => {
  const prev = check(await trend('st', S), [A, B]);
  /* 甲 (独居老人 and 高龄 for 10 months) left three months ago, recorded today */
  const r = await api('DELETE', `/api/v1/residents/${r1}`, 'adm', { date: dayOf(3), reason: '迁往外省' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  open(r1, '独居老人').to = dayOf(3);
  open(r1, '高龄').to = dayOf(3);
  const v = check(await trend('st', S), [A, B]);
  for (const tag of ['独居老人', '高龄']) {
    assert.deepEqual(v[tag].slice(0, 8), prev[tag].slice(0, 8), `${tag}: counted until she left`);
    for (let i = 8; i < 12; i++) assert.equal(v[tag][i], prev[tag][i] - 1, `${tag} ${MONTHS[i]}`);
  }
  /* 丙, 低保 for years, leaves today: gone from this month only */
  const out = await api('DELETE', `/api/v1/residents/${r3}`, 'adm', {});
  assert.equal(out.status, 200, JSON.stringify(out.body));
  open(r3, '低保').to = today;
  check(await trend('st', S), [A, B]);
  /* this month against the resident list */
  const list = await api('GET', `/api/v1/residents?community=${A}&tag=${encodeURIComponent('高龄')}&per_page=1`, 'st');
  const body = await trend('st', S);
  assert.equal(body.trend.by_community.find((x) => x.code === A).values['高龄'][11], list.body.total);
});

test('key populations: a resident who moves to another community counts there from today', async () => {
  const hB2 = Number(sql(`SELECT h.id FROM household h WHERE h.community = '${B}' ORDER BY h.id LIMIT 1`));
  const r = await api('PATCH', `/api/v1/residents/${r2}`, 'adm', { household_id: hB2 });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  for (const tag of ['高龄', '独居老人']) {
    open(r2, tag).to = today;
    spans.push({ id: r2, community: B, tag, from: today, to: null });
  }
  check(await trend('st', S), [A, B]);
});

test('key populations: a community\'s staff read their community\'s trend only', async () => {
  const body = await trend('staffA', A);
  check(body, [A]);
  assert.deepEqual(body.trend.by_community.map((x) => x.code), [A]);
  const r = await api('GET', `/api/v1/analytics/key-populations?scope=${B}`, 'staffA');
  assert.equal(r.status, 403, JSON.stringify(r.body));
});

test('key populations: schema 0040 on a registry that had no history dates its tags from when their residents were entered', async () => {
  /* the registry as it was before schema 0040, its residents entered months ago */
  sql(PG
    ? `DROP TABLE resident_tag_event; DROP FUNCTION resident_tag_event_insert() CASCADE; DROP FUNCTION resident_tag_event_delete() CASCADE;
       DROP FUNCTION resident_tag_event_move() CASCADE; DROP FUNCTION resident_tag_event_day(bigint); DROP FUNCTION resident_tag_event_today();
       DELETE FROM schema_version WHERE version = 40`
    : `DROP TRIGGER resident_tag_event_insert; DROP TRIGGER resident_tag_event_delete; DROP TRIGGER resident_tag_event_move;
       DROP TABLE resident_tag_event; DELETE FROM schema_version WHERE version = 40`);
  const entered = { [r1]: 10, [r2]: 6, [r3]: 20, [r4]: 8, [r5]: 2 };
  for (const [id, k] of Object.entries(entered)) sql(`UPDATE resident SET created_at = ${Date.parse(`${dayOf(k)}T12:00:00+08:00`)} WHERE id = ${id}`);
  srv.linli(['migrate', '--db', srv.db]);
  spans.length = 0;
  /* 甲 moved out three months ago, 丙 today: counted until then */
  spans.push({ id: r1, community: A, tag: '独居老人', from: dayOf(10), to: dayOf(3) }, { id: r1, community: A, tag: '高龄', from: dayOf(10), to: dayOf(3) });
  spans.push({ id: r3, community: A, tag: '低保', from: dayOf(20), to: today });
  spans.push({ id: r2, community: B, tag: '高龄', from: dayOf(6), to: null }, { id: r2, community: B, tag: '独居老人', from: dayOf(6), to: null });
  spans.push({ id: r4, community: A, tag: '残疾', from: dayOf(8), to: null });
  spans.push({ id: r5, community: B, tag: '高龄', from: dayOf(2), to: null });
  spans.push({ id: r6, community: B, tag: '低保', from: today, to: null }, { id: r6, community: B, tag: '党员', from: today, to: null });
  const v = check(await trend('st', S), [A, B]);
  assert.deepEqual(v['高龄'], MONTHS.map((_, i) => (i >= 1 && i < 8) + (i >= 5) + (i >= 9)));
  /* and the triggers are back */
  const r = await api('PATCH', `/api/v1/residents/${r4}`, 'adm', { tags: [] });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  open(r4, '残疾').to = today;
  check(await trend('st', S), [A, B]);
});
