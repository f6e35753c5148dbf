/*
 * `linli care assess`: GB/T 42195-2022 scoring on the command line, checked
 * against an independent computation of the standard (STANDARDS.md §1) on
 * random assessments, and bad lines answered line by line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { BIN, ROOT, startServer } from '../lib/server.mjs';

/* the 26 items and their maxima, dimension by dimension */
const ITEMS = {
  'B.1': [4, 4, 4, 4, 4, 4, 4, 4],
  'B.2': [4, 4, 4, 3],
  'B.3': [4, 4, 4, 4, 4, 4, 1, 1, 2],
  'B.4': [2, 2, 4, 3, 4],
};

function assess(lines, args = []) {
  const r = spawnSync(BIN, ['care', 'assess', ...args], { cwd: ROOT, input: lines.join('\n') + '\n', encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim().split('\n').map((l) => JSON.parse(l));
}

/* a deterministic pseudo-random sequence (no Math.random: same run every time) */
function rng(seed) {
  let s = seed >>> 0;
  return () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 32; };
}

function expected(doc) {
  const dims = {};
  let total = 0;
  for (const [d, maxima] of Object.entries(ITEMS)) {
    dims[d] = maxima.reduce((sum, _, i) => sum + doc.items[`${d}.${i + 1}`], 0);
    total += dims[d];
  }
  const band = total === 90 ? 0 : total >= 66 ? 1 : total >= 46 ? 2 : total >= 30 ? 3 : 4;
  let level = band;
  const rules = [];
  if ((doc.diagnoses || []).some((c) => /^F\d\d/.test(c))) { level++; rules.push('diagnosis'); }
  const events = Object.values(doc.risk_events_30d || {}).reduce((a, b) => a + b, 0);
  if (events >= 2) { level++; rules.push('risk_events'); }
  if (doc.coma) { level = 4; rules.push('coma'); }
  return { total, dims, band, level: Math.min(level, 4), rules };
}

test('care assess agrees with an independent scoring of 500 random assessments', () => {
  const rand = rng(42195);
  const docs = [];
  for (let n = 0; n < 500; n++) {
    const items = {};
    /* mostly able people with some very dependent ones: every band is reached */
    const frailty = rand() < 0.1 ? 0 : rand();
    const noise = () => (frailty ? (rand() - 0.5) * 2 : 0);
    for (const [d, maxima] of Object.entries(ITEMS))
      maxima.forEach((max, i) => { items[`${d}.${i + 1}`] = Math.max(0, Math.min(max, Math.round(max * (1 - frailty) + noise()))); });
    const doc = { items };
    if (rand() < 0.2) doc.diagnoses = [rand() < 0.5 ? 'F0' + Math.floor(rand() * 4) : 'I10'];
    if (rand() < 0.3) doc.risk_events_30d = { fall: Math.floor(rand() * 3), choking: Math.floor(rand() * 2) };
    if (rand() < 0.03) doc.coma = true;
    docs.push(doc);
  }
  const out = assess(docs.map((d) => JSON.stringify(d)));
  assert.equal(out.length, docs.length);
  const bands = new Set();
  out.forEach((r, i) => {
    const e = expected(docs[i]);
    bands.add(e.band);
    assert.equal(r.total, e.total, `line ${i + 1}`);
    assert.deepEqual(r.dimensions, e.dims, `line ${i + 1}`);
    assert.equal(r.preliminary_level, e.band, `line ${i + 1}`);
    assert.equal(r.final_level, e.level, `line ${i + 1}`);
    assert.deepEqual(r.adjustments.map((a) => a.rule).sort(), [...e.rules].sort(), `line ${i + 1}`);
    for (const a of r.adjustments) assert.match(a.reason, /[\u4e00-\u9fff]/);
  });
  assert.equal(bands.size, 5, 'the random set reaches every level');
});

test('care assess answers a bad line with an error and goes on', () => {
  const full = {};
  for (const [d, maxima] of Object.entries(ITEMS)) maxima.forEach((max, i) => { full[`${d}.${i + 1}`] = max; });
  const missing = { ...full };
  delete missing['B.4.5'];
  const out = assess([
    'not json',
    JSON.stringify({ items: missing }),
    JSON.stringify({ items: { ...full, 'B.2.4': 4 } }),
    '',
    JSON.stringify({ items: full }),
    JSON.stringify({ items: full, diagnoses: ['痴呆'] }),
  ]);
  assert.equal(out.length, 5, 'the blank line is skipped');
  assert.equal(out[0].error.code, 'malformed_json');
  assert.deepEqual([out[1].error.code, out[1].error.field], ['missing_item', 'items.B.4.5']);
  assert.match(out[1].error.message, /社会交往能力/);
  assert.deepEqual([out[2].error.code, out[2].error.field], ['invalid_option', 'items.B.2.4']);
  assert.deepEqual([out[3].total, out[3].preliminary_level, out[3].final_level], [90, 0, 0]);
  assert.deepEqual([out[4].error.code, out[4].error.field], ['invalid_diagnosis', 'diagnoses[0]']);
});

test('care assess settings: coma severe, events per type, no stacking', () => {
  const items = {};
  for (const [d, maxima] of Object.entries(ITEMS)) maxima.forEach((max, i) => { items[`${d}.${i + 1}`] = max; });
  items['B.1.1'] = 0; items['B.1.2'] = 0; items['B.1.3'] = 0; items['B.1.4'] = 0; items['B.1.5'] = 0; /* 70: level 1 */
  const doc = { items, diagnoses: ['F03'], risk_events_30d: { fall: 1, wandering: 1 } };
  assert.equal(assess([JSON.stringify(doc)])[0].final_level, 3);
  assert.equal(assess([JSON.stringify(doc)], ['--risk-count', 'per-type'])[0].final_level, 2);
  assert.equal(assess([JSON.stringify(doc)], ['--no-stack'])[0].final_level, 2);
  const coma = { items, coma: true };
  assert.equal(assess([JSON.stringify(coma)])[0].final_level, 4);
  assert.equal(assess([JSON.stringify(coma)], ['--coma', 'severe'])[0].final_level, 3);
  const bad = spawnSync(BIN, ['care', 'assess', '--coma', 'sometimes'], { cwd: ROOT, input: '', encoding: 'utf8' });
  assert.equal(bad.status, 2);
});

/*
 * `linli care generate` (the benchmark's street of people in care) on a
 * demo database, and the care list's totals against its pages: the list
 * counts in a query of its own (from care_person alone when no filter needs
 * the registry), so every total is checked against the rows walked.
 */
test('care generate fills a street; every list total equals the rows of its pages', async () => {
  const srv = await startServer({ demo: true });
  try {
    const street = (await srv.login('street')).token;
    const get = async (q) => {
      const r = await srv.api('GET', `/api/v1/care/people?${q}`, { token: street });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return r.body;
    };
    const before = (await get('per_page=1')).total;
    const out = srv.linli(['care', 'generate', '--db', srv.db, '--per-community', '3']);
    const made = Number(/put (\d+) people in care/.exec(out)[1]);
    assert.ok(made > 3, out);
    const after = await get('per_page=200');
    assert.equal(after.total, before + made);
    const byCommunity = {};
    for (const it of after.items) byCommunity[it.community] = (byCommunity[it.community] || 0) + 1;
    assert.ok(Object.keys(byCommunity).length > 1, 'people in care in more than one community');
    /* again: only residents not yet in care are added, never anyone twice */
    const again = Number(/put (\d+)/.exec(srv.linli(['care', 'generate', '--db', srv.db, '--per-community', '3']))[1]);
    assert.equal((await get('per_page=1')).total, before + made + again);

    for (const q of ['', 'grade=1', 'grade=3', 'overdue=1', 'alone=1', 'alone=0', 'age_min=80', 'in_care=0', 'in_care=all']) {
      const first = await get(`${q}&per_page=7`);
      const seen = new Set();
      for (let page = 1; (page - 1) * 7 < first.total && page <= 40; page++) {
        const p = await get(`${q}&per_page=7&page=${page}`);
        assert.equal(p.total, first.total, `${q} page ${page}`);
        for (const it of p.items) seen.add(`${it.resident_id}`);
      }
      /* in_care=0 has many: its first 40 pages are enough */
      if (first.total <= 280) assert.equal(seen.size, first.total, `${q}: total ${first.total}, walked ${seen.size}`);
      else assert.equal(seen.size, 280, q);
    }
  } finally {
    await srv.stop();
  }
});
