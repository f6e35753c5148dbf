// The life circle's server side (issue 19): registry buildings placed on
// the map, facilities kept by staff, coverage per community, the nearest
// services of a building, what-if and suggested sites. The street network
// is a hand-made grid city imported with `linli geo import` (so the suite
// runs wherever the repository does); every coverage figure is checked
// against an independent computation in this file (nearest vertex by brute
// force, a plain Dijkstra over the stored graph), on SQLite and PostgreSQL,
// and a second server on the same database sees every change at once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, serveAgain, COMMUNITY, STREET, ROOT, dbSql } from '../lib/server.mjs';
import { grid } from '../lib/osm.mjs';

const OTHER = '310105004001';
const LAT0 = 30.0, LON0 = 104.0, N = 12, STEP = 100; /* a 12 × 12 grid of streets 100 m apart */
const BANDS = { 5: 300, 10: 500, 15: 1000 };
const CATS = ['community_service', 'kindergarten', 'nursery', 'elderly_care', 'clinic', 'pharmacy',
  'primary_school', 'middle_school', 'supermarket', 'convenience', 'fresh_market', 'park',
  'playground', 'sports', 'bus_stop', 'metro', 'food', 'bank', 'post', 'toilets'];

let srv, srv2, dir;
const tok = {};
const sql = (q) => dbSql(srv.db, q).trim();
const count = (q) => Number(sql(q));
const api = (method, p, who, body, s = srv) => s.api(method, p, { token: tok[who], body });

function expectError(r, status, code, field) {
  assert.equal(r.status, status, JSON.stringify(r.body));
  if (code !== undefined) assert.equal(r.body.error.code, code, JSON.stringify(r.body));
  if (field !== undefined) assert.equal(r.body.error.field, field, JSON.stringify(r.body));
  assert.match(r.body.error.message, /[\u4e00-\u9fff]/, 'the message is Chinese');
}

const at = grid({ n: N, step: STEP, lat0: LAT0, lon0: LON0 }).at;

/* The grid city as OSM XML: streets, a kindergarten, a clinic, a supermarket, two residential buildings. */
function gridCity() {
  const g = grid({ n: N, step: STEP, lat0: LAT0, lon0: LON0 });
  g.poi(9001, at(2, 2, 20, 0), 'amenity', 'kindergarten', '阳光幼儿园');
  g.poi(9002, at(9, 8, 0, 30), 'amenity', 'clinic', '社区卫生服务站');
  g.poi(9003, at(5, 10, 10, 10), 'shop', 'supermarket', '联华超市');
  /* two residential buildings, as squares of 20 m */
  g.building(300, 9100, 7, 3, 30, 30, 20);
  g.building(301, 9104, 1, 9, 30, 30, 20);
  return g.xml();
}

/* ---- the independent computation ---- */

function hav(a, b) {
  const R = 6371008.8, rad = Math.PI / 180;
  const h = Math.sin((b.lat - a.lat) * rad / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin((b.lon - a.lon) * rad / 2) ** 2;
  return 2 * R * Math.asin(Math.min(1, Math.sqrt(h)));
}

let G; /* { pts, adj } from the stored graph */
function loadGraph() {
  const rows = sql('SELECT id, lat, lon FROM geo_vertex ORDER BY id').split('\n').map((l) => l.split('|').map(Number));
  const index = new Map(rows.map((r, i) => [r[0], i]));
  const adj = rows.map(() => []);
  for (const l of sql('SELECT a, b, meters FROM geo_edge').split('\n')) {
    const [a, b, m] = l.split('|').map(Number);
    adj[index.get(a)].push([index.get(b), m]);
    adj[index.get(b)].push([index.get(a), m]);
  }
  G = { pts: rows.map((r) => ({ lat: r[1], lon: r[2] })), adj };
}

function snap(p) {
  let best = null;
  G.pts.forEach((q, i) => {
    const d = hav(p, q);
    if (!best || d < best[0]) best = [d, i];
  });
  return best && best[0] <= 500 ? best : null;
}

/* Dijkstra from [offset, vertex] sources: the distance of every vertex (Infinity beyond @limit). */
function walk(sources, limit = Infinity) {
  const dist = G.pts.map(() => Infinity), done = G.pts.map(() => false);
  for (const [off, v] of sources) if (off < dist[v]) dist[v] = off;
  for (;;) {
    let u = -1;
    for (let i = 0; i < dist.length; i++) if (!done[i] && dist[i] < Infinity && (u < 0 || dist[i] < dist[u])) u = i;
    if (u < 0) break;
    done[u] = true;
    for (const [v, m] of G.adj[u]) if (dist[u] + m < dist[v]) dist[v] = dist[u] + m;
  }
  return dist.map((d) => (d <= limit ? d : Infinity));
}

/* the open facilities, and booking's function rooms at their building's point or their community's station (schema 39) */
function facilities() {
  return sql(`SELECT category, lat, lon, coalesce(name, '') FROM geo_facility WHERE status = 'open'
      UNION ALL SELECT 'community_service', coalesce(bp.lat, st.lat), coalesce(bp.lon, st.lon), r.name FROM room r
      LEFT JOIN geo_building_point bp ON bp.building_id = r.building_id
      LEFT JOIN geo_facility st ON st.community = r.community AND st.station = 1
      WHERE coalesce(bp.lat, st.lat) IS NOT NULL`).split('\n').filter(Boolean)
    .map((l) => { const [c, lat, lon, name] = l.split('|'); return { c, lat: Number(lat), lon: Number(lon), name }; });
}

/* Every placed registry building in the street: id, community, point, residents, and its distance per category. */
function reference() {
  const facs = facilities();
  const byCat = {};
  for (const c of CATS) {
    const src = facs.filter((f) => f.c === c).map(snap).filter(Boolean);
    byCat[c] = walk(src);
  }
  return sql(`SELECT p.building_id, p.community, p.lat, p.lon,
      (SELECT count(*) FROM resident r WHERE r.building_id = p.building_id AND r.status = 'active')
      FROM geo_building_point p ORDER BY p.building_id`).split('\n').filter(Boolean).map((l) => {
    const [id, community, lat, lon, residents] = l.split('|');
    const b = { id: Number(id), community, lat: Number(lat), lon: Number(lon), residents: Number(residents) };
    b.snap = snap(b);
    b.d = {};
    for (const c of CATS) b.d[c] = b.snap ? b.snap[0] + byCat[c][b.snap[1]] : Infinity;
    return b;
  });
}

function expectCoverage(body, ref, minutes, category) {
  const meters = BANDS[minutes];
  assert.equal(body.meters, meters);
  for (const com of body.communities) {
    const mine = ref.filter((b) => b.community === com.code);
    const residents = mine.reduce((s, b) => s + b.residents, 0);
    assert.equal(com.buildings, mine.length, com.code);
    assert.equal(com.residents, residents, com.code);
    for (const cat of com.categories) {
      const cov = mine.filter((b) => b.d[cat.key] <= meters);
      const covR = cov.reduce((s, b) => s + b.residents, 0);
      assert.equal(cat.buildings_covered, cov.length, `${com.code} ${cat.key} ${minutes}`);
      assert.equal(cat.residents_covered, covR, `${com.code} ${cat.key} ${minutes}`);
      if (mine.length) assert.ok(Math.abs(cat.building_share - cov.length / mine.length) < 1e-9);
      else assert.equal(cat.building_share, null);
      if (residents) assert.ok(Math.abs(cat.resident_share - covR / residents) < 1e-9);
    }
    if (category) {
      const un = mine.filter((b) => !(b.d[category] <= meters)).map((b) => b.id);
      assert.deepEqual(com.uncovered.map((b) => b.id), un, `${com.code} uncovered`);
    }
  }
}

const coverage = async (who, q, s = srv) => {
  const r = await api('GET', `/api/v1/geo/coverage?${q}`, who, undefined, s);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
};
const covered = (body, code, cat) => body.communities.find((c) => c.code === code).categories.find((c) => c.key === cat);

let buildings = []; /* [id, community] of the street's registry buildings */

before(async () => {
  srv = await startServer({ demo: true });
  for (const u of ['street', 'staff', 'resident', 'secretary']) tok[u] = (await srv.login(u)).token;
  srv.linli(['user', 'add', '--db', srv.db, '--username', 'farstaff', '--password', 'linli2026', '--role', 'staff', '--scope', OTHER]);
  tok.farstaff = (await srv.login('farstaff')).token;
  dir = mkdtempSync(path.join(tmpdir(), 'linli-geo-api-'));
  writeFileSync(path.join(dir, 'grid.osm'), gridCity());
  srv.linli(['geo', 'import', '--db', srv.db, path.join(dir, 'grid.osm')]);
  loadGraph();
  srv2 = await serveAgain(srv);
  buildings = sql(`SELECT id, community FROM building WHERE community LIKE '${STREET}%' ORDER BY id`).split('\n').map((l) => l.split('|'));
  assert.ok(buildings.length >= 20, `${buildings.length} buildings in the street`);
});

after(async () => {
  await srv2?.stop();
  await srv?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('staff place their buildings; the street places the rest, spread over the grid city', async () => {
  const mine = buildings.filter(([, c]) => c === COMMUNITY);
  assert.ok(mine.length >= 1);
  /* the community's first building stands on an imported OSM building: its point comes from it */
  let r = await api('PUT', `/api/v1/geo/buildings/${mine[0][0]}/point`, 'staff', { osm_building: 300 });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.osm_building, 300);
  assert.ok(Math.abs(r.body.lat - at(7, 3, 40).lat) < 1e-6);
  assert.equal(count(`SELECT count(*) FROM audit WHERE action = 'geo.building_point' AND object_id = ${mine[0][0]}`), 1);
  /* deterministic spots, 15 m off a street corner each */
  for (let i = 1; i < buildings.length; i++) {
    const [id, community] = buildings[i];
    const p = at((i * 5) % N, (i * 7) % N, 15, 15);
    r = await api('PUT', `/api/v1/geo/buildings/${id}/point`, community === COMMUNITY ? 'staff' : 'street', p);
    assert.equal(r.status, 200, JSON.stringify(r.body));
  }
  assert.equal(count('SELECT count(*) FROM geo_building_point'), buildings.length);
});

test('coverage per community equals the independent computation, for every band and category', async () => {
  const ref = reference();
  assert.ok(ref.some((b) => b.d.kindergarten <= 500) && ref.some((b) => !(b.d.kindergarten <= 1000)),
    'the grid city covers some buildings and misses others');
  for (const minutes of [5, 10, 15]) {
    const body = await coverage('street', `community=street&minutes=${minutes}&category=kindergarten`);
    assert.ok(body.communities.length >= 10);
    expectCoverage(body, ref, minutes, 'kindergarten');
  }
  /* a community's staff: her community only */
  const body = await coverage('staff', 'minutes=10&category=clinic');
  assert.deepEqual(body.communities.map((c) => c.code), [COMMUNITY]);
  expectCoverage(body, ref, 10, 'clinic');
});

test('a facility added or closed changes coverage at once, on this server and on another', async () => {
  const before = await coverage('street', 'community=street&minutes=10&category=elderly_care', srv2);
  assert.ok(before.communities.every((c) => covered(before, c.code, 'elderly_care').buildings_covered === 0));
  const site = at(6, 6, 10, 0);
  const r = await api('POST', '/api/v1/geo/facilities', 'staff', { category: 'elderly_care', name: '幸福老年服务站', ...site });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.source, 'staff');
  assert.equal(r.body.community, COMMUNITY);
  assert.equal(count(`SELECT count(*) FROM audit WHERE action = 'geo.facility_create' AND object_id = ${r.body.id}`), 1);
  const ref = reference();
  const expected = ref.filter((b) => b.d.elderly_care <= 500).length;
  assert.ok(expected > 0);
  for (const s of [srv, srv2]) {
    const after = await coverage('street', 'community=street&minutes=10&category=elderly_care', s);
    expectCoverage(after, ref, 10, 'elderly_care');
    assert.equal(after.communities.reduce((n, c) => n + covered(after, c.code, 'elderly_care').buildings_covered, 0), expected);
  }
  /* moved to a far corner: fewer covered */
  let m = await api('PUT', `/api/v1/geo/facilities/${r.body.id}`, 'staff', { ...at(0, 0), name: '幸福老年服务站（临时）' });
  assert.equal(m.status, 200, JSON.stringify(m.body));
  assert.equal(m.body.name, '幸福老年服务站（临时）');
  expectCoverage(await coverage('street', 'community=street&minutes=10&category=elderly_care', srv2), reference(), 10, 'elderly_care');
  /* closed: counts no more, anywhere */
  m = await api('POST', `/api/v1/geo/facilities/${r.body.id}/close`, 'staff');
  assert.equal(m.status, 200);
  assert.equal(m.body.status, 'closed');
  for (const s of [srv, srv2]) {
    const after = await coverage('street', 'community=street&minutes=15&category=elderly_care', s);
    assert.equal(after.communities.reduce((n, c) => n + covered(after, c.code, 'elderly_care').buildings_covered, 0), 0);
  }
  /* an imported facility can be closed too (and not moved) */
  const kid = Number(sql("SELECT id FROM geo_facility WHERE category = 'kindergarten' AND source = 'osm'"));
  expectError(await api('PUT', `/api/v1/geo/facilities/${kid}`, 'staff', { name: 'x' }), 422, 'not_editable', 'id');
  const beforeKid = await coverage('street', 'community=street&minutes=15&category=kindergarten', srv2);
  assert.ok(beforeKid.communities.some((c) => covered(beforeKid, c.code, 'kindergarten').buildings_covered > 0));
  assert.equal((await api('POST', `/api/v1/geo/facilities/${kid}/close`, 'staff')).status, 200);
  const closedKid = await coverage('street', 'community=street&minutes=15&category=kindergarten', srv2);
  assert.ok(closedKid.communities.every((c) => covered(closedKid, c.code, 'kindergarten').buildings_covered === 0));
  assert.equal((await api('POST', `/api/v1/geo/facilities/${kid}/reopen`, 'staff')).status, 200);
  expectCoverage(await coverage('street', 'community=street&minutes=15&category=kindergarten', srv2), reference(), 15, 'kindergarten');
  const list = await api('GET', `/api/v1/geo/facilities?category=kindergarten`, 'resident');
  assert.equal(list.status, 200);
  assert.deepEqual(list.body.items.map((f) => f.name), ['阳光幼儿园']);
  const closed = await api('GET', `/api/v1/geo/facilities?status=closed`, 'staff');
  assert.deepEqual(closed.body.items.map((f) => f.id), [r.body.id]);
});

test('what-if: the gain is the difference of two coverage computations', async () => {
  const site = at(8, 2, 0, 10);
  for (const minutes of [5, 10]) {
    const meters = BANDS[minutes];
    const w = await api('POST', '/api/v1/geo/whatif', 'street', { category: 'supermarket', ...site, minutes });
    assert.equal(w.status, 200, JSON.stringify(w.body));
    const sum = (b) => b.communities.reduce((n, c) => [n[0] + covered(b, c.code, 'supermarket').buildings_covered,
      n[1] + covered(b, c.code, 'supermarket').residents_covered], [0, 0]);
    const [b0, r0] = sum(await coverage('street', `community=street&minutes=${minutes}`));
    const f = await api('POST', '/api/v1/geo/facilities', 'street', { category: 'supermarket', name: '候选超市', ...site, community: COMMUNITY });
    assert.equal(f.status, 201, JSON.stringify(f.body));
    const [b1, r1] = sum(await coverage('street', `community=street&minutes=${minutes}`, srv2));
    assert.ok(b1 > b0, 'the site covers something new');
    assert.equal(w.body.gain_buildings, b1 - b0);
    assert.equal(w.body.gain_residents, r1 - r0);
    assert.equal(w.body.meters, meters);
    assert.equal((await api('POST', `/api/v1/geo/facilities/${f.body.id}/close`, 'street')).status, 200);
  }
});

test('suggest orders candidates by greedy maximum coverage', async () => {
  /* the first is off the network: it gains nothing, and comes after every site that gains */
  const cands = [{ lat: LAT0 - 0.1, lon: LON0 }, at(0, 11), at(4, 4, 10, 10), at(4, 5, 10, 10), at(10, 1), at(11, 11, 0, -10)];
  const r = await api('POST', '/api/v1/geo/suggest', 'street', { category: 'park', minutes: 5, candidates: cands });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  /* the same greedy on the independent distances */
  const ref = reference();
  const sets = cands.map((p) => {
    const s = snap(p);
    if (!s) return new Set();
    const d = walk([[s[0], s[1]]]);
    return new Set(ref.filter((b) => b.snap && d[b.snap[1]] + b.snap[0] <= 300 && !(b.d.park <= 300)).map((b) => b.id));
  });
  const res = new Map(ref.map((b) => [b.id, b.residents]));
  const taken = new Set(), got = new Set(), expected = [];
  for (let step = 0; step < cands.length; step++) {
    let best = -1, bestR = -1, bestB = -1;
    cands.forEach((_, k) => {
      if (taken.has(k)) return;
      const fresh = [...sets[k]].filter((id) => !got.has(id));
      const gr = fresh.reduce((s, id) => s + res.get(id), 0);
      if (gr > bestR || (gr === bestR && fresh.length > bestB)) { best = k; bestR = gr; bestB = fresh.length; }
    });
    taken.add(best);
    sets[best].forEach((id) => got.add(id));
    expected.push([best, bestB, bestR]);
  }
  assert.deepEqual(r.body.order.map((o) => [o.index, o.gain_buildings, o.gain_residents]), expected);
  assert.ok(expected[0][1] > 0 && expected[0][2] >= expected[1][2], 'a real choice');
  assert.deepEqual(expected.find((e) => e[0] === 0), [0, 0, 0]);
  assert.ok(expected.findIndex((e) => e[0] === 0) >= 2, 'the site that gains nothing comes after those that gain');
  /* without candidates: the scope's uncovered buildings themselves */
  const own = await api('POST', '/api/v1/geo/suggest', 'staff', { category: 'park', minutes: 5 });
  assert.equal(own.status, 200, JSON.stringify(own.body));
  const mine = ref.filter((b) => b.community === COMMUNITY && !(b.d.park <= 300)).map((b) => b.id);
  assert.deepEqual(own.body.order.map((o) => o.building_id).sort((a, b) => a - b), mine);
});

test('nearby: a resident sees the nearest service of each kind from her own building', async () => {
  const r = await api('GET', '/api/v1/geo/nearby', 'resident');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const own = Number(sql(`SELECT h.building_id FROM app_user u JOIN household h ON h.id = u.household_id WHERE u.username = 'resident'`));
  assert.equal(r.body.building_id, own);
  const b = reference().find((x) => x.id === own);
  const kid = r.body.items.find((i) => i.category === 'kindergarten');
  assert.equal(kid.facility.name, '阳光幼儿园');
  assert.ok(Math.abs(kid.meters - b.d.kindergarten) < 1, `${kid.meters} vs ${b.d.kindergarten}`);
  assert.ok(Math.abs(kid.minutes - b.d.kindergarten / 70) < 0.1);
  const clinic = r.body.items.find((i) => i.category === 'clinic');
  assert.equal(clinic.facility.name, '社区卫生服务站');
  assert.equal(r.body.items.find((i) => i.category === 'metro').facility, null);
  /* the same through the building's route, for staff */
  const s = await api('GET', `/api/v1/geo/buildings/${own}/nearby`, 'staff');
  assert.equal(s.status, 200);
  assert.deepEqual(s.body.items, r.body.items);
  /* another building is not hers */
  const other = buildings.find(([id, c]) => c === COMMUNITY && Number(id) !== own);
  if (other) expectError(await api('GET', `/api/v1/geo/buildings/${other[0]}/nearby`, 'resident'), 404);
  expectError(await api('GET', `/api/v1/geo/coverage`, 'resident'), 403);
});

test('bad input: a 4xx naming the field, in Chinese, and nothing written', async () => {
  const n = count('SELECT count(*) FROM geo_facility');
  const p = at(3, 3);
  expectError(await api('POST', '/api/v1/geo/facilities', 'staff', { category: 'kinder', name: 'x', ...p }), 422, 'unknown_category', 'category');
  expectError(await api('POST', '/api/v1/geo/facilities', 'staff', { category: 'park', name: 'x', lat: 91, lon: 104 }), 422, 'out_of_range', 'lat');
  expectError(await api('POST', '/api/v1/geo/facilities', 'staff', { category: 'park', name: 'x', lat: 30, lon: -181 }), 422, 'out_of_range', 'lon');
  expectError(await api('POST', '/api/v1/geo/facilities', 'staff', { category: 'park', name: 'x', ...p, colour: 'red' }), 422, 'unknown_field', 'colour');
  expectError(await api('POST', '/api/v1/geo/facilities', 'staff', { category: 'park', ...p }), 422, undefined, 'name');
  expectError(await api('POST', '/api/v1/geo/facilities', 'staff', { category: 'park', name: 'x', lat: '30', lon: 104 }), 422, undefined, 'lat');
  expectError(await api('POST', '/api/v1/geo/whatif', 'staff', { category: 'park', ...p, minutes: 7 }), 422, undefined, 'minutes');
  expectError(await api('POST', '/api/v1/geo/suggest', 'staff', { category: 'park', candidates: [{ lat: 1 }] }), 422, 'invalid', 'candidates[0]');
  expectError(await api('GET', '/api/v1/geo/coverage?minutes=7', 'staff'), 400, 'invalid_query', 'minutes');
  expectError(await api('GET', '/api/v1/geo/coverage?category=nope', 'staff'), 400, 'unknown_category', 'category');
  expectError(await api('GET', '/api/v1/geo/facilities?bbox=1,2,3', 'staff'), 400, 'invalid_query', 'bbox');
  expectError(await api('PUT', `/api/v1/geo/buildings/${buildings[0][0]}/point`, 'street', { lat: 30 }), 422, 'missing_field', 'lon');
  expectError(await api('PUT', `/api/v1/geo/buildings/${buildings[0][0]}/point`, 'street', { osm_building: 424242 }), 422, 'unknown_osm_building', 'osm_building');
  expectError(await api('PUT', '/api/v1/geo/settings', 'street', { meters_5: 600, meters_10: 500 }), 422, 'not_ordered');
  expectError(await api('POST', '/api/v1/geo/facilities/999999/close', 'staff'), 404);
  assert.equal(count('SELECT count(*) FROM geo_facility'), n);
});

test('scope: staff of another community may not read or change this one', async () => {
  expectError(await api('GET', `/api/v1/geo/coverage?community=${COMMUNITY}`, 'farstaff'), 403);
  expectError(await api('POST', '/api/v1/geo/whatif?community=' + COMMUNITY, 'farstaff', { category: 'park', ...at(3, 3) }), 403);
  expectError(await api('POST', '/api/v1/geo/facilities', 'farstaff', { category: 'park', name: 'x', ...at(3, 3), community: COMMUNITY }), 403);
  const mine = buildings.find(([, c]) => c === COMMUNITY)[0];
  expectError(await api('PUT', `/api/v1/geo/buildings/${mine}/point`, 'farstaff', at(1, 1)), 404);
  const f = await api('POST', '/api/v1/geo/facilities', 'staff', { category: 'toilets', name: '公厕', ...at(3, 3) });
  assert.equal(f.status, 201);
  expectError(await api('POST', `/api/v1/geo/facilities/${f.body.id}/close`, 'farstaff'), 404);
  expectError(await api('PUT', `/api/v1/geo/facilities/${f.body.id}`, 'farstaff', { name: 'y' }), 404);
  /* her own coverage shows only her community */
  const own = await coverage('farstaff', 'minutes=5');
  assert.deepEqual(own.communities.map((c) => c.code), [OTHER]);
});

test('完整社区 checklist: computed items from coverage, the rest entered by staff', async () => {
  const r = await api('GET', `/api/v1/geo/checklist?community=${COMMUNITY}`, 'staff');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.items.length, 20);
  const ref = reference().filter((b) => b.community === COMMUNITY);
  const kid = r.body.items[1];
  assert.equal(kid.name, '一个幼儿园');
  assert.equal(kid.computed, true);
  const cov = ref.filter((b) => b.d.kindergarten <= 500).length;
  assert.equal(kid.buildings_covered, cov);
  assert.equal(kid.status, cov === ref.length ? 'met' : cov ? 'partly' : 'unmet');
  assert.equal(r.body.items[7].status, 'unmet', 'no pharmacy, restaurant or shop in the grid city');
  assert.equal(r.body.items[8].computed, false);
  assert.equal(r.body.items[8].status, 'unknown');
  const p = await api('PUT', `/api/v1/geo/checklist?community=${COMMUNITY}`, 'staff', { items: [{ item: 9, status: 'met', note: '水电路气齐全' }, { item: 2, note: '新幼儿园在建' }] });
  assert.equal(p.status, 200, JSON.stringify(p.body));
  assert.equal(p.body.items[8].status, 'met');
  assert.equal(p.body.items[8].note, '水电路气齐全');
  assert.equal(p.body.items[1].note, '新幼儿园在建');
  assert.equal(p.body.items[1].status, kid.status, 'a computed item keeps its computed status');
  const again = await api('GET', `/api/v1/geo/checklist?community=${COMMUNITY}`, 'secretary', undefined, srv2);
  assert.equal(again.body.items[8].status, 'met');
  assert.equal(again.body.met, p.body.met);
  expectError(await api('PUT', `/api/v1/geo/checklist?community=${COMMUNITY}`, 'staff', { items: [{ item: 2, status: 'met' }] }), 422, 'computed', 'status');
  expectError(await api('PUT', `/api/v1/geo/checklist?community=${COMMUNITY}`, 'staff', { items: [{ item: 21, status: 'met' }] }), 422, undefined, 'item');
  expectError(await api('PUT', `/api/v1/geo/checklist?community=${COMMUNITY}`, 'staff', { items: [{ item: 9, status: 'great' }] }), 422, 'invalid', 'status');
  expectError(await api('PUT', `/api/v1/geo/checklist?community=${COMMUNITY}`, 'farstaff', { items: [{ item: 9, status: 'unmet' }] }), 403);
  expectError(await api('GET', `/api/v1/geo/checklist?community=${COMMUNITY}`, 'farstaff'), 403);
  expectError(await api('GET', '/api/v1/geo/checklist', 'staff'), 400, 'missing_query', 'community');
  assert.equal(sql(`SELECT status FROM geo_checklist WHERE community = '${COMMUNITY}' AND item = 9`), 'met');
});

test('GeoJSON for a map: the streets, and the buildings coloured by coverage', async () => {
  const all = await api('GET', '/api/v1/geo/network.geojson', 'resident');
  assert.equal(all.status, 200, JSON.stringify(all.body));
  assert.equal(all.body.type, 'FeatureCollection');
  const lines = all.body.features[0].geometry.coordinates;
  assert.equal(lines.length, count('SELECT count(*) FROM geo_edge'));
  assert.equal(lines.length, 2 * N * (N - 1));
  for (const [[lon1, lat1], [lon2, lat2]] of lines.slice(0, 20))
    assert.ok(Math.abs(hav({ lat: lat1, lon: lon1 }, { lat: lat2, lon: lon2 }) - STEP) < 0.5, 'edges are 100 m, [lon, lat]');
  const sw = at(0, 0, -1, -1), ne = at(2, 2, 1, 1);
  const part = await api('GET', `/api/v1/geo/network.geojson?bbox=${sw.lon},${sw.lat},${ne.lon},${ne.lat}`, 'staff');
  /* the 3 × 3 corner: 12 edges inside and the 6 leaving it */
  assert.equal(part.body.features[0].geometry.coordinates.length, 18);
  const b = await api('GET', '/api/v1/geo/buildings.geojson?community=street&category=kindergarten&minutes=10', 'street');
  assert.equal(b.status, 200, JSON.stringify(b.body));
  const ref = new Map(reference().map((x) => [x.id, x]));
  assert.equal(b.body.features.length, ref.size);
  for (const f of b.body.features) {
    const x = ref.get(f.properties.id);
    assert.ok(Math.abs(f.geometry.coordinates[0] - x.lon) < 1e-9 && Math.abs(f.geometry.coordinates[1] - x.lat) < 1e-9, 'a point is [lon, lat]');
    assert.equal(f.properties.covered, x.d.kindergarten <= 500);
  }
  expectError(await api('GET', '/api/v1/geo/buildings.geojson', 'resident'), 403);
});

test('a new import keeps closed what staff closed, and every server sees the new network', async () => {
  const kid = () => Number(sql("SELECT id FROM geo_facility WHERE category = 'kindergarten' AND source = 'osm'"));
  assert.equal((await api('POST', `/api/v1/geo/facilities/${kid()}/close`, 'staff')).status, 200);
  srv.linli(['geo', 'import', '--db', srv.db, path.join(dir, 'grid.osm')]);
  assert.equal(sql("SELECT status FROM geo_facility WHERE category = 'kindergarten' AND source = 'osm'"), 'closed');
  const body = await coverage('street', 'community=street&minutes=15&category=kindergarten', srv2);
  assert.ok(body.communities.every((c) => covered(body, c.code, 'kindergarten').buildings_covered === 0));
  assert.equal((await api('POST', `/api/v1/geo/facilities/${kid()}/reopen`, 'staff')).status, 200);
  expectCoverage(await coverage('street', 'community=street&minutes=15&category=kindergarten', srv2), reference(), 15, 'kindergarten');
});

test("the community's point: its 社区综合服务站 made once, then moved", async () => {
  const name = sql(`SELECT name FROM division WHERE code = '${COMMUNITY}'`);
  const stations = () => count(`SELECT count(*) FROM geo_facility WHERE community = '${COMMUNITY}' AND station = 1`);
  const before = stations();
  const r = await api('PUT', `/api/v1/geo/communities/${COMMUNITY}/station`, 'staff', at(5, 5, 10, 10));
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.category, 'community_service');
  assert.equal(r.body.station, true);
  assert.equal(r.body.name, `${name}社区综合服务站`);
  assert.equal(stations(), 1);
  assert.ok(before <= 1);
  expectCoverage(await coverage('street', 'community=street&minutes=5&category=community_service', srv2), reference(), 5, 'community_service');
  const m = await api('PUT', `/api/v1/geo/communities/${COMMUNITY}/station`, 'staff', { ...at(9, 9), name: '新址服务站' });
  assert.equal(m.status, 200);
  assert.equal(m.body.id, r.body.id, 'moved, not made again');
  assert.equal(m.body.name, '新址服务站');
  assert.equal(stations(), 1);
  expectCoverage(await coverage('street', 'community=street&minutes=5&category=community_service', srv2), reference(), 5, 'community_service');
  assert.equal(count(`SELECT count(*) FROM audit WHERE action = 'geo.station' AND object_id = ${r.body.id}`), 2);
  expectError(await api('PUT', `/api/v1/geo/communities/${COMMUNITY}/station`, 'farstaff', at(1, 1)), 404);
  expectError(await api('PUT', `/api/v1/geo/communities/${COMMUNITY}/station`, 'staff', { lat: 30, lon: 200 }), 422, 'out_of_range', 'lon');
  expectError(await api('PUT', `/api/v1/geo/communities/${OTHER}/station`, 'street', { lat: 30 }), 422, undefined, 'lon');
});

test('settings: the bands and the walking speed, and coverage follows them', async () => {
  expectError(await api('PUT', '/api/v1/geo/settings', 'staff', { meters_5: 200 }), 403);
  const r = await api('PUT', '/api/v1/geo/settings', 'street', { meters_5: 200, walk_m_per_min: 60 });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.meters_5, 200);
  assert.equal(r.body.meters_10, 500);
  const body = await coverage('street', 'community=street&minutes=5&category=kindergarten', srv2);
  assert.equal(body.meters, 200);
  const ref = reference();
  for (const com of body.communities) {
    const mine = ref.filter((b) => b.community === com.code);
    assert.equal(covered(body, com.code, 'kindergarten').buildings_covered, mine.filter((b) => b.d.kindergarten <= 200).length);
  }
  assert.equal((await api('GET', '/api/v1/geo/settings', 'staff', undefined, srv2)).body.walk_m_per_min, 60);
  assert.equal((await api('PUT', '/api/v1/geo/settings', 'street', { meters_5: 300, walk_m_per_min: 70 })).status, 200);
});

/* `linli demo` reads ../shared/geo/chengdu-central-2018.osm (or $LINLI_GEO_DEMO) relative to the repository */
const EXTRACT = process.env.LINLI_GEO_DEMO || path.join(ROOT, '..', 'shared', 'geo', 'chengdu-central-2018.osm');
test('the demo places its community on the Chengdu extract: coverage, nearby and a quick what-if', { skip: !existsSync(EXTRACT) && 'no Chengdu extract' }, async () => {
  const d = await startServer({ demo: true, residents: 1500 });
  try {
    const t = {};
    for (const u of ['staff', 'resident']) t[u] = (await d.login(u)).token;
    assert.ok(Number(dbSql(d.db, 'SELECT count(*) FROM geo_vertex').trim()) > 9000);
    const c = await d.api('GET', '/api/v1/geo/coverage?minutes=15&category=kindergarten', { token: t.staff });
    assert.equal(c.status, 200);
    const com = c.body.communities[0];
    assert.ok(com.buildings > 0 && com.residents > 0, JSON.stringify(com));
    assert.ok(com.categories.some((x) => x.buildings_covered > 0), 'something is within 15 minutes');
    const n = await d.api('GET', '/api/v1/geo/nearby', { token: t.resident });
    assert.equal(n.status, 200, JSON.stringify(n.body));
    const station = n.body.items.find((i) => i.category === 'community_service');
    /* the community's station, or one of its function rooms standing at a placed building (schema 39) */
    assert.match(station.facility.name, /社区综合服务站$|（功能室）$/);
    assert.ok(n.body.items.filter((i) => i.facility).length >= 10);
    const b = dbSql(d.db, `SELECT lat || '|' || lon FROM geo_building_point WHERE community = '${COMMUNITY}' ORDER BY building_id LIMIT 1`).trim().split('|').map(Number);
    const w = await d.api('POST', '/api/v1/geo/whatif', { token: t.staff, body: { category: 'kindergarten', lat: b[0], lon: b[1], minutes: 5 } });
    assert.equal(w.status, 200, JSON.stringify(w.body));
    assert.ok(w.body.gain_buildings >= 1);
    assert.ok(w.body.elapsed_ms < 50, `${w.body.elapsed_ms} ms`);
    /* every building the demo placed stands on the extract's main network, not on a few unjoined footpaths */
    const street = (await d.login('street')).token;
    const placed = dbSql(d.db, 'SELECT building_id FROM geo_building_point ORDER BY building_id').trim().split('\n').map(Number);
    assert.ok(placed.length >= 10, `${placed.length} placed`);
    const cut = [];
    for (const id of placed) {
      const r = await d.api('GET', `/api/v1/geo/buildings/${id}/nearby`, { token: street });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      const reached = r.body.items.filter((i) => i.facility && i.meters > 1).length; /* not only a room in the building itself */
      if (reached < 5) cut.push(`${id}: ${reached}`);
    }
    assert.deepEqual(cut, [], 'placed buildings that reach almost nothing within 3000 m');
  } finally {
    await d.stop();
  }
});
