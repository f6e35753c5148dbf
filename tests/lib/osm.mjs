/*
 * Small synthetic cities as OpenStreetMap XML, for the life-circle tests:
 * an n × n grid of streets `step` metres apart (rows residential, columns
 * footways), with points of interest and buildings placed on it.
 *
 *   const g = grid({ n: 10 });
 *   g.poi(9001, g.at(2, 2, 20, 0), 'amenity', 'kindergarten', '阳光幼儿园');
 *   g.building(300, 9100, 7, 3, 30, 30, 20);
 *   writeFileSync(file, g.xml());
 */

/* metres per degree of latitude on the sphere linli's own distances use */
export const M = 1 / 111195.08;

export function grid({ n, step = 100, lat0 = 30.0, lon0 = 104.0 }) {
  const dlon = M / Math.cos(lat0 * Math.PI / 180);
  /* the crossing of row r and column c, moved dn metres north and de east */
  const at = (r, c, dn = 0, de = 0) => ({ lat: lat0 + (r * step + dn) * M, lon: lon0 + (c * step + de) * dlon });
  const nodes = [], ways = [];
  const id = (r, c) => 1000 + r * n + c;
  for (let r = 0; r < n; r++)
    for (let c = 0; c < n; c++) {
      const p = at(r, c);
      nodes.push(`<node id="${id(r, c)}" lat="${p.lat}" lon="${p.lon}"/>`);
    }
  const line = (wid, refs, tags) =>
    ways.push(`<way id="${wid}">${refs.map((x) => `<nd ref="${x}"/>`).join('')}${tags}</way>`);
  for (let r = 0; r < n; r++)
    line(100 + r, [...Array(n).keys()].map((c) => id(r, c)), '<tag k="highway" v="residential"/>');
  for (let c = 0; c < n; c++)
    line(200 + c, [...Array(n).keys()].map((r) => id(r, c)), '<tag k="highway" v="footway"/>');

  return {
    at,
    /* a node of its own with a tag k=v and a name */
    poi(nid, p, k, v, name) {
      nodes.push(`<node id="${nid}" lat="${p.lat}" lon="${p.lon}"><tag k="${k}" v="${v}"/><tag k="name" v="${name}"/></node>`);
    },
    /* a street of two nodes, joined to nothing else */
    street(wid, nid, a, b) {
      [a, b].forEach((p, i) => nodes.push(`<node id="${nid + i}" lat="${p.lat}" lon="${p.lon}"/>`));
      line(wid, [nid, nid + 1], '<tag k="highway" v="residential"/>');
    },
    /* a residential building: a square of `size` metres whose south-west corner is at(r, c, dn, de); nodes from nid */
    building(wid, nid, r, c, dn, de, size) {
      const sq = [[0, 0], [0, size], [size, size], [size, 0]].map(([y, x]) => at(r, c, dn + y, de + x));
      const ids = sq.map((q, i) => { nodes.push(`<node id="${nid + i}" lat="${q.lat}" lon="${q.lon}"/>`); return nid + i; });
      line(wid, [...ids, ids[0]], '<tag k="building" v="residential"/>');
    },
    xml: () => `<?xml version="1.0" encoding="UTF-8"?><osm version="0.6">\n${nodes.join('\n')}\n${ways.join('\n')}\n</osm>\n`,
  };
}
