// The life circle's map additions (issue 19): a facility's isochrone (the
// streets it reaches within 5 / 10 / 15 minutes, and their outline), checked
// against a plain Dijkstra over the stored graph in this file; and booking's
// function rooms appearing as facilities (社区综合服务站) at their building's
// point or their community's station once placed, in the facility list,
// coverage and nearby, on this server and on another of the same database.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startServer, serveAgain, COMMUNITY, dbSql } from '../lib/server.mjs';
import { grid } from '../lib/osm.mjs';

const OTHER = '310105004001';
const LAT0 = 30.0, LON0 = 104.0, N = 10, STEP = 100; /* a 10 × 10 grid of streets 100 m apart */
const BANDS = { 5: 300, 10: 500, 15: 1000 };
const at = grid({ n: N, step: STEP, lat0: LAT0, lon0: LON0 }).at;

let srv, srv2, dir;
const tok = {};
const sql = (q) => dbSql(srv.db, q).trim();
const count = (q) => Number(sql(q));
const api = (method, p, who, body, s = srv) => s.api(method, p, { token: tok[who], body });

/* the grid, and a street of its own far away: reached from nothing on the grid */
function gridCity() {
  const g = grid({ n: N, step: STEP, lat0: LAT0, lon0: LON0 });
  g.street(400, 5000, at(40, 40), at(40, 41));
  return g.xml();
}

function hav(a, b) {
  const R = 6371008.8, rad = Math.PI / 180;
  const h = Math.sin((b.lat - a.lat) * rad / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin((b.lon - a.lon) * rad / 2) ** 2;
  return 2 * R * Math.asin(Math.min(1, Math.sqrt(h)));
}

let G;
function loadGraph() {
  const rows = sql('SELECT id, lat, lon FROM geo_vertex ORDER BY id').split('\n').map((l) => l.split('|').map(Number));
  const index = new Map(rows.map((r, i) => [r[0], i]));
  const adj = rows.map(() => []);
  const edges = [];
  for (const l of sql('SELECT a, b, meters FROM geo_edge').split('\n')) {
    const [a, b, m] = l.split('|').map(Number);
    adj[index.get(a)].push([index.get(b), m]);
    adj[index.get(b)].push([index.get(a), m]);
    edges.push([index.get(a), index.get(b), m]);
  }
  G = { pts: rows.map((r) => ({ lat: r[1], lon: r[2] })), adj, edges };
}

function snap(p) {
  let best = null;
  G.pts.forEach((q, i) => {
    const d = hav(p, q);
    if (!best || d < best[0]) best = [d, i];
  });
  return best && best[0] <= 500 ? best : null;
}

function walk([off, v]) {
  const dist = G.pts.map(() => Infinity), done = G.pts.map(() => false);
  dist[v] = off;
  for (;;) {
    let u = -1;
    for (let i = 0; i < dist.length; i++) if (!done[i] && dist[i] < Infinity && (u < 0 || dist[i] < dist[u])) u = i;
    if (u < 0) break;
    done[u] = true;
    for (const [w, m] of G.adj[u]) if (dist[u] + m < dist[w]) dist[w] = dist[u] + m;
  }
  return dist;
}

/* Metres of street within @limit of the facility: whole edges, or the parts from each end. */
function reachedLength(dist, limit) {
  let sum = 0;
  for (const [a, b, len] of G.edges) {
    const da = dist[a], db = dist[b];
    if (da > limit && db > limit) continue;
    if ((da + db + len) / 2 <= limit) sum += len;
    else sum += Math.min(len, Math.max(0, limit - da)) + Math.min(len, Math.max(0, limit - db));
  }
  return sum;
}

const drawnLength = (feature) => feature.geometry.coordinates.reduce(
  (s, [[lon1, lat1], [lon2, lat2]]) => s + hav({ lat: lat1, lon: lon1 }, { lat: lat2, lon: lon2 }), 0);

before(async () => {
  srv = await startServer({ demo: true });
  for (const u of ['street', 'staff', 'resident']) tok[u] = (await srv.login(u)).token;
  srv.linli(['user', 'add', '--db', srv.db, '--username', 'farstaff', '--password', 'linli2026', '--role', 'staff', '--scope', OTHER]);
  tok.farstaff = (await srv.login('farstaff')).token;
  /* what the demo placed on its extract, if it had one: this suite places its own */
  dbSql(srv.db, 'DELETE FROM geo_building_point');
  dbSql(srv.db, "DELETE FROM geo_facility WHERE source = 'staff'");
  dir = mkdtempSync(path.join(tmpdir(), 'linli-geo-map-'));
  writeFileSync(path.join(dir, 'grid.osm'), gridCity());
  srv.linli(['geo', 'import', '--db', srv.db, path.join(dir, 'grid.osm')]);
  loadGraph();
  srv2 = await serveAgain(srv);
});

after(async () => {
  await srv2?.stop();
  await srv?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test("isochrone: the streets a facility reaches in each band, as a plain Dijkstra finds them", async () => {
  const p = at(4, 5, 30, 0); /* 30 m up a footway from a corner */
  const f = await api('POST', '/api/v1/geo/facilities', 'staff', { category: 'park', name: '街心花园', ...p });
  assert.equal(f.status, 201, JSON.stringify(f.body));
  const r = await api('GET', `/api/v1/geo/facilities/${f.body.id}/isochrone`, 'staff');
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.type, 'FeatureCollection');
  assert.equal(r.body.properties.attribution, '© OpenStreetMap contributors');
  assert.equal(r.body.properties.on_network, true);
  const s = snap(p);
  assert.ok(Math.abs(r.body.properties.access_meters - s[0]) < 0.1);
  const dist = walk(s);
  let prev = 0;
  for (const minutes of [5, 10, 15]) {
    const streets = r.body.features.find((x) => x.properties.kind === 'streets' && x.properties.minutes === minutes);
    assert.equal(streets.properties.meters, BANDS[minutes]);
    const want = reachedLength(dist, BANDS[minutes]);
    const got = drawnLength(streets);
    assert.ok(Math.abs(got - want) < 1 + want * 1e-3, `${minutes} min: drawn ${got} m, Dijkstra ${want} m`);
    assert.ok(got > prev, 'each band reaches farther');
    prev = got;
    /* every drawn point is within the band by the reference distances (ends at vertices) */
    for (const seg of streets.geometry.coordinates) {
      const [lon, lat] = seg[0];
      const v = snap({ lat, lon });
      assert.ok(v[0] < 0.5 && dist[v[1]] <= BANDS[minutes] + 1e-6, 'a piece starts at a reached vertex');
    }
    const outline = r.body.features.find((x) => x.properties.kind === 'outline' && x.properties.minutes === minutes);
    const ring = outline.geometry.coordinates[0];
    assert.deepEqual(ring[0], ring.at(-1), 'the ring is closed');
    const lats = ring.map((c) => c[1]), lons = ring.map((c) => c[0]);
    assert.ok(Math.min(...lats) < p.lat && p.lat < Math.max(...lats) && Math.min(...lons) < p.lon && p.lon < Math.max(...lons),
      'the outline surrounds the facility');
  }
  /* the far street is reached by nothing */
  const farLat = at(40, 40).lat;
  for (const x of r.body.features.filter((x) => x.properties.kind === 'streets'))
    assert.ok(x.geometry.coordinates.flat().every(([, lat]) => lat < farLat - 1e-6));
});

test('isochrone: off the network, unknown, out of scope, bad id', async () => {
  const far = await api('POST', '/api/v1/geo/facilities', 'staff', { category: 'park', name: '荒地', lat: 31, lon: 105 });
  assert.equal(far.status, 201);
  const r = await api('GET', `/api/v1/geo/facilities/${far.body.id}/isochrone`, 'staff');
  assert.equal(r.status, 200);
  assert.equal(r.body.properties.on_network, false);
  assert.equal(r.body.properties.access_meters, null);
  assert.ok(r.body.features.every((x) => x.properties.kind !== 'outline' && x.geometry.coordinates.length === 0));
  let e = await api('GET', '/api/v1/geo/facilities/99999999/isochrone', 'staff');
  assert.equal(e.status, 404);
  assert.match(e.body.error.message, /[\u4e00-\u9fff]/);
  e = await api('GET', `/api/v1/geo/facilities/${far.body.id}/isochrone`, 'farstaff');
  assert.equal(e.status, 404, 'a staff facility of another community is not hers');
  e = await api('GET', '/api/v1/geo/facilities/abc/isochrone', 'staff');
  assert.ok(e.status === 400 || e.status === 404, `${e.status}`);
  e = await srv.api('GET', `/api/v1/geo/facilities/${far.body.id}/isochrone`, {});
  assert.equal(e.status, 401);
});

test('function rooms appear as facilities once their building or their community is placed', async () => {
  const rooms = sql(`SELECT id, name, coalesce(building_id, 0) FROM room WHERE community = '${COMMUNITY}' ORDER BY id`)
    .split('\n').filter(Boolean).map((l) => { const [id, name, b] = l.split('|'); return { id: Number(id), name, building: Number(b) }; });
  assert.ok(rooms.length >= 2, `${rooms.length} demo rooms`);
  const list = async (s = srv) => {
    const x = await api('GET', '/api/v1/geo/facilities?category=community_service&status=all', 'staff', undefined, s);
    assert.equal(x.status, 200, JSON.stringify(x.body));
    return x.body.items.filter((i) => i.source === 'room');
  };
  assert.deepEqual(await list(), [], 'nothing placed: no room on the map');

  /* a room in a building: placing the building places the room */
  let withB = rooms.find((x) => x.building);
  if (!withB) {
    const b = Number(sql(`SELECT min(id) FROM building WHERE community = '${COMMUNITY}'`));
    dbSql(srv.db, `UPDATE room SET building_id = ${b} WHERE id = ${rooms[0].id}`);
    rooms[0].building = b;
    withB = rooms[0];
  }
  const bp = at(2, 2, 20, 20);
  let r = await api('PUT', `/api/v1/geo/buildings/${withB.building}/point`, 'staff', bp);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  let items = await list(srv2);
  const mine = items.find((i) => i.room_id === withB.id);
  assert.ok(mine, 'the room appears on another server at once');
  assert.equal(mine.id, -withB.id);
  assert.equal(mine.name, `${withB.name}（功能室）`);
  assert.equal(mine.category, 'community_service');
  assert.equal(mine.category_name, '社区综合服务站');
  assert.equal(mine.status, 'open');
  assert.ok(Math.abs(mine.lat - bp.lat) < 1e-9 && Math.abs(mine.lon - bp.lon) < 1e-9);
  assert.equal(items.length, rooms.filter((x) => x.building === withB.building).length, 'only the rooms of placed buildings');

  /* coverage and nearby count it: the building reaches a 社区综合服务站 in 5 minutes */
  const cov = await api('GET', `/api/v1/geo/coverage?community=${COMMUNITY}&category=community_service&minutes=5`, 'staff', undefined, srv2);
  assert.equal(cov.status, 200);
  const com = cov.body.communities.find((c) => c.code === COMMUNITY);
  assert.equal(com.categories.find((c) => c.key === 'community_service').buildings_covered, 1);
  assert.ok(!com.uncovered.some((b) => b.id === withB.building));
  const near = await api('GET', `/api/v1/geo/buildings/${withB.building}/nearby`, 'staff');
  assert.equal(near.status, 200);
  const cs = near.body.items.find((i) => i.category === 'community_service');
  assert.ok(cs.facility && cs.facility.id < 0, JSON.stringify(cs));
  assert.match(cs.facility.name, /（功能室）$/);
  const s = snap(bp);
  assert.ok(Math.abs(cs.meters - 2 * s[0]) < 0.2, `${cs.meters} m: to the street and back`);

  /* the other rooms stand at the community's station once it is placed */
  const st = at(7, 7, 10, 10);
  r = await api('PUT', `/api/v1/geo/communities/${COMMUNITY}/station`, 'staff', st);
  assert.equal(r.status, 200);
  items = await list(srv2);
  assert.equal(items.length, rooms.length, 'every room of the community is on the map');
  for (const i of items.filter((x) => !rooms.find((y) => y.id === x.room_id && y.building === withB.building))) {
    assert.ok(Math.abs(i.lat - st.lat) < 1e-9 && Math.abs(i.lon - st.lon) < 1e-9, 'at the station');
  }
  /* a room's facility is not closed or edited on the map: it is kept in 预约 */
  const e = await api('POST', `/api/v1/geo/facilities/${mine.id}/close`, 'staff');
  assert.ok(e.status === 404 || e.status === 400, `${e.status}`);
  /* another community's staff do not see them */
  const far = await api('GET', '/api/v1/geo/facilities?category=community_service', 'farstaff');
  assert.ok(!far.body.items.some((i) => i.source === 'room'));
  /* renaming the room renames its facility, on another server at once */
  dbSql(srv.db, `UPDATE room SET name = '改名活动室' WHERE id = ${withB.id}`);
  items = await list(srv2);
  assert.equal(items.find((i) => i.room_id === withB.id).name, '改名活动室（功能室）');
  assert.ok(count('SELECT v FROM data_version WHERE name = \'geo\'') > 1);
});
