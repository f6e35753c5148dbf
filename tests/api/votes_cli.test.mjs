/*
 * `linli votes tally`: the count of an owners' decision (民法典 art. 278),
 * checked against an independent count in exact integers (BigInt) on
 * random buildings, and bad documents refused with the field named.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { BIN, ROOT } from '../lib/server.mjs';

function tally(doc) {
  const r = spawnSync(BIN, ['votes', 'tally'], { cwd: ROOT, input: typeof doc === 'string' ? doc : JSON.stringify(doc), encoding: 'utf8' });
  return { status: r.status, out: JSON.parse(r.stdout) };
}

function rng(seed) {
  let s = seed >>> 0;
  return () => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 32; };
}

/* hundredths of a m² from "89.50" */
const cm2 = (s) => BigInt(s.replace('.', ''));

function expected(doc) {
  const owners = new Map(); /* owner → { area, choice } */
  for (const u of doc.units) {
    const key = u.unsold ? '\0developer' : u.owner;
    const o = owners.get(key) || { area: 0n, choice: null };
    o.area += cm2(u.area_m2);
    owners.set(key, o);
  }
  const ownerOf = new Map(doc.units.map((u) => [u.id, u.unsold ? '\0developer' : u.owner]));
  for (const b of doc.ballots) owners.get(ownerOf.get(b.unit)).choice = b.choice;
  let ot = 0n, op = 0n, oy = 0n, at = 0n, ap = 0n, ay = 0n;
  for (const o of owners.values()) {
    ot++; at += o.area;
    if (o.choice) { op++; ap += o.area; }
    if (o.choice === 'yes') { oy++; ay += o.area; }
  }
  const special = doc.matter === 'special';
  const quorum = at > 0n && ot > 0n && 3n * ap >= 2n * at && 3n * op >= 2n * ot;
  const approval = special ? ap > 0n && 4n * ay >= 3n * ap && 4n * oy >= 3n * op
                           : ap > 0n && 2n * ay > ap && 2n * oy > op;
  return { ot, op, at, ap, quorum, approved: quorum && approval };
}

test('votes tally agrees with an independent exact count on 300 random buildings', () => {
  const rand = rng(278);
  const seen = { approved: 0, rejected: 0, noQuorum: 0 };
  for (let n = 0; n < 300; n++) {
    const units = [];
    const nUnits = 6 + Math.floor(rand() * 30);
    const nOwners = Math.max(1, nUnits - Math.floor(rand() * 4));
    for (let i = 0; i < nUnits; i++) {
      const area = (6000 + Math.floor(rand() * 6000)).toString();
      const u = { id: `${Math.floor(i / 2) + 1}0${(i % 2) + 1}`, area_m2: `${area.slice(0, -2)}.${area.slice(-2)}` };
      if (rand() < 0.1) u.unsold = true; else u.owner = `业主${Math.floor(rand() * nOwners)}`;
      units.push(u);
    }
    /* each owner votes (or not) once, with the same choice on her units */
    const choiceOf = new Map();
    const turnout = rand();
    const yesRate = 0.4 + rand() * 0.6;
    const ballots = [];
    for (const u of units) {
      const key = u.unsold ? 'dev' : u.owner;
      if (!choiceOf.has(key)) choiceOf.set(key, rand() < turnout ? (rand() < yesRate ? 'yes' : rand() < 0.7 ? 'no' : 'abstain') : null);
      const c = choiceOf.get(key);
      if (c && rand() < 0.8) ballots.push({ unit: u.id, choice: c });
    }
    const doc = { matter: rand() < 0.5 ? 'special' : 'ordinary', units, ballots };
    const { status, out } = tally(doc);
    assert.equal(status, 0, JSON.stringify(out));
    const e = expected(doc);
    assert.equal(BigInt(out.owners_total), e.ot);
    assert.equal(BigInt(out.owners_participating), e.op);
    assert.equal(BigInt(Math.round(out.area_total * 100)), e.at);
    assert.equal(BigInt(Math.round(out.area_participating * 100)), e.ap);
    assert.equal(out.quorum, e.quorum, JSON.stringify(doc));
    assert.equal(out.approved, e.approved, JSON.stringify(doc));
    const [n1, d1] = out.conditions.find((c) => c.name === 'quorum_owners').value.split('/').map(BigInt);
    assert.deepEqual([n1, d1], [e.op, e.ot]);
    const area = out.conditions.find((c) => c.name === 'quorum_area');
    assert.equal(area.threshold, '2/3');
    assert.deepEqual(area.value.split('/').map(cm2), [e.ap, e.at]);
    seen[e.approved ? 'approved' : e.quorum ? 'rejected' : 'noQuorum']++;
  }
  for (const [k, v] of Object.entries(seen)) assert.ok(v > 10, `the random set has ${k} cases (${v})`);
});

test('votes tally: the lift example, every condition named with its fraction', () => {
  const units = [];
  for (let f = 1; f <= 6; f++) for (const r of ['01', '02']) units.push({ id: `${f}${r}`, area_m2: '75.50', owner: `${f}${r}户` });
  const ballots = units.slice(0, 9).map((u, i) => ({ unit: u.id, choice: i < 7 ? 'yes' : 'no' }));
  const { status, out } = tally({ matter: 'special', units, ballots });
  assert.equal(status, 0);
  const byName = Object.fromEntries(out.conditions.map((c) => [c.name, c]));
  assert.deepEqual(byName.quorum_owners, { ...byName.quorum_owners, value: '9/12', threshold: '2/3', holds: true });
  assert.deepEqual(byName.approval_owners, { ...byName.approval_owners, value: '7/9', threshold: '3/4', holds: true });
  assert.equal(byName.quorum_area.value, '679.50/906.00');
  assert.equal(out.approved, true);
  assert.match(byName.approval_owners.text, /7\/9 77\.78% ≥ 3\/4 ✓/);
});

test('votes tally refuses bad documents with the field named', () => {
  let r = tally('{"matter":');
  assert.equal(r.status, 1);
  assert.equal(r.out.error.code, 'malformed_json');
  r = tally({ matter: 'special', units: [{ id: 'a', area_m2: 50, owner: 'x' }], ballots: [{ unit: 'a', choice: 'yes' }, { unit: 'a', choice: 'yes' }] });
  assert.equal(r.status, 1);
  assert.deepEqual([r.out.error.code, r.out.error.field], ['double_vote', 'ballots[1].unit']);
  assert.match(r.out.error.message, /重复/);
  r = tally({ matter: 'special', units: [{ id: 'a', area_m2: '1e3', owner: 'x' }] });
  assert.deepEqual([r.out.error.code, r.out.error.field], ['invalid_area', 'units[0].area_m2']);
});
