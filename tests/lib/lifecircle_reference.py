#!/usr/bin/env python3
"""An independent computation of the life circle's walking distances, for
the tests: reads the graph, facilities and buildings that `linli geo import`
stored (SQLite), and prints the same CSV as `linli geo coverage`
(building,category,meters), with its own haversine, its own nearest-vertex
search and a plain heapq Dijkstra per category.

usage: lifecircle_reference.py DB [METERS]
"""
import heapq
import math
import sqlite3
import sys

R = 6371008.8
SNAP_MAX = 500.0
CATEGORIES = ["community_service", "kindergarten", "nursery", "elderly_care", "clinic", "pharmacy",
              "primary_school", "middle_school", "supermarket", "convenience", "fresh_market", "park",
              "playground", "sports", "bus_stop", "metro", "food", "bank", "post", "toilets"]


def haversine(lat1, lon1, lat2, lon2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * R * math.asin(min(1.0, math.sqrt(h)))


def main():
    db = sys.argv[1]
    limit = float(sys.argv[2]) if len(sys.argv) > 2 else 1000.0
    con = sqlite3.connect(db)
    vertices = {vid: (lat, lon) for vid, lat, lon in con.execute("SELECT id, lat, lon FROM geo_vertex")}
    index = {vid: i for i, vid in enumerate(sorted(vertices))}
    adj = [[] for _ in index]
    for a, b, m in con.execute("SELECT a, b, meters FROM geo_edge"):
        if a in index and b in index and a != b:
            adj[index[a]].append((index[b], m))
            adj[index[b]].append((index[a], m))
    # buckets of 0.001 degrees, searched ring by ring until no nearer vertex can be
    cell = 0.001
    buckets = {}
    for vid, (lat, lon) in vertices.items():
        buckets.setdefault((math.floor(lat / cell), math.floor(lon / cell)), []).append(vid)

    def snap(lat, lon):
        best = None
        r, c = math.floor(lat / cell), math.floor(lon / cell)
        side = R * math.radians(cell) * min(1.0, math.cos(math.radians(abs(lat) + 1)))
        k = 0
        while (k - 1) * side <= min(SNAP_MAX, best[0] if best else math.inf):
            for dr in range(-k, k + 1):
                for dc in range(-k, k + 1):
                    if max(abs(dr), abs(dc)) != k:
                        continue
                    for vid in buckets.get((r + dr, c + dc), ()):
                        d = haversine(lat, lon, *vertices[vid])
                        if best is None or (d, vid) < best:
                            best = (d, vid)
            k += 1
        if best is None or best[0] > SNAP_MAX:
            return None
        return best[0], index[best[1]]

    buildings = [(bid, snap(lat, lon)) for bid, lat, lon in
                 con.execute("SELECT osm_id, lat, lon FROM geo_building ORDER BY osm_id")]
    facilities = {c: [] for c in CATEGORIES}
    for cat, lat, lon in con.execute("SELECT category, lat, lon FROM geo_facility WHERE status = 'open'"):
        s = snap(lat, lon)
        if s and cat in facilities:
            facilities[cat].append(s)

    dist_by_cat = {}
    for cat in CATEGORIES:
        dist = [math.inf] * len(adj)
        heap = []
        for off, v in facilities[cat]:
            if off <= limit and off < dist[v]:
                dist[v] = off
                heapq.heappush(heap, (off, v))
        while heap:
            d, v = heapq.heappop(heap)
            if d > dist[v]:
                continue
            for u, m in adj[v]:
                nd = d + m
                if nd <= limit and nd < dist[u]:
                    dist[u] = nd
                    heapq.heappush(heap, (nd, u))
        dist_by_cat[cat] = dist

    out = ["building,category,meters"]
    for bid, s in buildings:
        for cat in CATEGORIES:
            d = math.inf
            if s:
                d = dist_by_cat[cat][s[1]] + s[0]
            out.append(f"{bid},{cat},{d:.1f}" if d <= limit else f"{bid},{cat},")
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
