/*
 * The life circle's import and walking distances: `linli geo import` on a
 * hand-made extract whose answer is known (what is walkable, one-way
 * streets, facilities from tags, buildings off the network, a separate
 * piece), and on the three real extracts in ../shared/geo, every building
 * and category compared with an independent Dijkstra in Python
 * (tests/lib/lifecircle_reference.py): identical within 1 m.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BIN, ROOT } from '../lib/server.mjs';

const GEO = path.join(ROOT, '..', 'shared', 'geo');
const dir = mkdtempSync(path.join(tmpdir(), 'linli-geo-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

function run(args, input) {
  return spawnSync(BIN, args, { cwd: ROOT, encoding: 'utf8', input, maxBuffer: 64 << 20 });
}

function coverage(db, meters) {
  const r = run(['geo', 'coverage', '--db', db, ...(meters ? ['--meters', String(meters)] : [])]);
  assert.equal(r.status, 0, r.stderr);
  const [head, ...rows] = r.stdout.trim().split('\n');
  assert.equal(head, 'building,category,meters');
  return rows.map((l) => l.split(','));
}

/* metres of latitude per degree on the mean sphere */
const M = 1 / 111195.08;
function hav(a, b) {
  const R = 6371008.8, rad = Math.PI / 180;
  const h = Math.sin((b[0] - a[0]) * rad / 2) ** 2 + Math.cos(a[0] * rad) * Math.cos(b[0] * rad) * Math.sin((b[1] - a[1]) * rad / 2) ** 2;
  return 2 * R * Math.asin(Math.sqrt(h));
}

test('a hand-made extract: what is walkable, facilities from tags, and the distances', () => {
  /* a street running north from node 1 in 100 m steps; side ways that must not be walked */
  const P = {
    1: [30, 104], 2: [30 + 100 * M, 104], 3: [30 + 200 * M, 104], 4: [30 + 300 * M, 104],
    5: [30, 104 + 0.0005], 6: [30 + 300 * M, 104 + 0.0005],  /* a motorway beside it */
    7: [30 + 100 * M, 104 - 0.001], 8: [30 + 200 * M, 104 - 0.001], /* foot=no shortcut */
    9: [30 + 50 * M, 104 + 0.003], 10: [30 + 60 * M, 104 + 0.003], /* a separate piece */
    20: [30 + 300 * M + 30 * M, 104], /* kindergarten node, 30 m north of node 4 */
    21: [30 + 20 * M, 104 + 0.0002], 22: [30 + 20 * M, 104 + 0.0003], 23: [30 + 30 * M, 104 + 0.0003], /* building */
    24: [31, 105], 25: [31, 105.0001], 26: [31.0001, 105.0001], /* a building far away */
    27: [30 + 60 * M, 104 + 0.0031], /* a school node by the separate piece */
    28: [30 + 90 * M, 104 + 0.0004], 29: [30 + 110 * M, 104 + 0.0004], 30: [30 + 100 * M, 104 + 0.0006], /* a park */
  };
  const node = (id, tags = '') => `<node id="${id}" lat="${P[id][0]}" lon="${P[id][1]}">${tags}</node>`;
  const tag = (k, v) => `<tag k="${k}" v="${v}"/>`;
  const way = (id, refs, tags) => `<way id="${id}">${refs.map((r) => `<nd ref="${r}"/>`).join('')}${tags}</way>`;
  const xml = `<?xml version="1.0" encoding="UTF-8"?><osm version="0.6">
${Object.keys(P).filter((k) => !['20', '27'].includes(k)).map((k) => node(k)).join('\n')}
${node(20, tag('amenity', 'kindergarten') + tag('name', '阳光幼儿园'))}
${node(27, tag('amenity', 'school') + tag('name', '实验小学'))}
${way(100, [1, 2], tag('highway', 'residential') + tag('oneway', 'yes'))}
${way(101, [2, 3, 4], tag('highway', 'footway'))}
${way(102, [5, 6], tag('highway', 'motorway'))}
${way(103, [1, 7, 8, 4], tag('highway', 'path') + tag('foot', 'no'))}
${way(104, [9, 10], tag('highway', 'service'))}
${way(105, [1, 5], tag('highway', 'construction'))}
${way(106, [21, 22, 23, 21], tag('building', 'apartments') + tag('name', '1号楼'))}
${way(107, [24, 25, 26, 24], tag('building', 'residential'))}
${way(108, [3, 8], tag('highway', 'service') + tag('access', 'private'))}
${way(109, [28, 29, 30, 28], tag('leisure', 'park'))}
</osm>`;
  const file = path.join(dir, 'tiny.osm');
  const db = path.join(dir, 'tiny.db');
  writeFileSync(file, xml);
  const r = run(['geo', 'import', '--db', db, file]);
  assert.equal(r.status, 0, r.stderr);
  /* walkable: 1-2-3-4 and 9-10; not the motorway, foot=no, construction or private ways */
  assert.match(r.stdout, /kept 6 vertices, 4 edges, 3 facilities, 2 residential buildings/);
  assert.match(r.stdout, /21 nodes, 10 ways/);

  const rows = coverage(db);
  assert.equal(rows.length, 2 * 20);
  const get = (b, c) => rows.find((x) => x[0] === String(b) && x[1] === c)[2];
  /* building 106: its centre, the straight line to node 1, 300 m north (the one-way street walked
     against its direction), then 30 m to the kindergarten */
  const centre = [(P[21][0] + P[22][0] + P[23][0]) / 3, (P[21][1] + P[22][1] + P[23][1]) / 3];
  const expected = hav(centre, P[1]) + hav(P[1], P[2]) + hav(P[2], P[3]) + hav(P[3], P[4]) + hav(P[4], P[20]);
  assert.ok(Math.abs(Number(get(106, 'kindergarten')) - expected) < 0.15, `${get(106, 'kindergarten')} vs ${expected}`);
  /* the park: a way's centre, snapped to node 2 */
  const park = [(P[28][0] + P[29][0] + P[30][0]) / 3, (P[28][1] + P[29][1] + P[30][1]) / 3];
  const toPark = hav(centre, P[1]) + hav(P[1], P[2]) + hav(park, P[2]);
  assert.ok(Math.abs(Number(get(106, 'park')) - toPark) < 0.15, `${get(106, 'park')} vs ${toPark}`);
  /* the school stands by the separate piece: both primary only (its name says 小学), unreachable */
  assert.equal(get(106, 'primary_school'), '');
  assert.equal(get(106, 'middle_school'), '');
  /* far from every way: nothing */
  for (const [b, , m] of rows) if (b === '107') assert.equal(m, '');
  /* within 300 m: the kindergarten is beyond */
  assert.equal(coverage(db, 300).find((x) => x[0] === '106' && x[1] === 'kindergarten')[2], '');

  /* importing again replaces, and does not add */
  const again = run(['geo', 'import', '--db', db, file]);
  assert.match(again.stdout, /kept 6 vertices, 4 edges, 3 facilities, 2 residential buildings/);
  assert.equal(coverage(db).length, 40);
});

for (const [name, file] of [['chengdu', 'chengdu-central-2018.osm'], ['porto', 'porto-centre-2020.osm.pbf'], ['andorra', 'andorra-2020.osm.pbf']]) {
  test(`the real ${name} extract: every building and category as the reference computes it`, { skip: !existsSync(path.join(GEO, file)) && 'no ../shared/geo' }, () => {
    const db = path.join(dir, `${name}.db`);
    const r = run(['geo', 'import', '--db', db, path.join(GEO, file)]);
    assert.equal(r.status, 0, r.stderr);
    const ours = coverage(db);
    const ref = spawnSync('python3', [path.join(ROOT, 'tests/lib/lifecircle_reference.py'), db], { encoding: 'utf8', maxBuffer: 64 << 20 });
    assert.equal(ref.status, 0, ref.stderr);
    const theirs = ref.stdout.trim().split('\n').slice(1).map((l) => l.split(','));
    assert.equal(ours.length, theirs.length);
    assert.ok(ours.length >= 20 * 150, `${ours.length} rows`);
    let reached = 0;
    ours.forEach((row, i) => {
      const other = theirs[i];
      assert.deepEqual(row.slice(0, 2), other.slice(0, 2));
      assert.equal(row[2] === '', other[2] === '', `${row} vs ${other}`);
      if (row[2] !== '') {
        reached++;
        assert.ok(Math.abs(Number(row[2]) - Number(other[2])) <= 1, `${row} vs ${other}`);
      }
    });
    assert.ok(reached > ours.length / 10, `${reached} of ${ours.length} reached within 1,000 m`);
  });
}

test('geo: bad input gets a clear error', () => {
  const db = path.join(dir, 'bad.db');
  let r = run(['geo', 'import', '--db', db, path.join(dir, 'missing.osm')]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /读不到文件/);
  writeFileSync(path.join(dir, 'broken.osm'), '<osm><node id="1" lat="30" lon="104"><tag k="a"');
  r = run(['geo', 'import', '--db', db, path.join(dir, 'broken.osm')]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /不是有效的 OpenStreetMap 数据/);
  r = run(['geo', 'coverage', '--db', db, '--meters', 'far']);
  assert.equal(r.status, 2);
  /* nothing imported: a header and no rows */
  assert.deepEqual(coverage(db), []);
});
