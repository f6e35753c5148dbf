#!/usr/bin/env python3
"""What-if answers timed on a running linli (bench/lifecircle/run.sh).

    whatif.py BASE_URL TOKEN RUNS

POSTs /api/v1/geo/whatif for the street's whole scope: a first request
(which builds the walking model when the data changed: reported apart),
then RUNS requests at candidate sites around the street's placed registry
buildings, for three categories and the three minute bands. Prints one
JSON line: the model build's time, and the answers' times (the server's
own elapsed_ms and the client's round trip), best and median.
"""
import json
import statistics
import sys
import time
import urllib.request

base, token, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])


def post(path, body):
    req = urllib.request.Request(base + path, data=json.dumps(body).encode(), method="POST",
                                 headers={"Authorization": "Bearer " + token,
                                          "Content-Type": "application/json"})
    t0 = time.monotonic()
    with urllib.request.urlopen(req, timeout=600) as r:
        out = json.load(r)
    return out, (time.monotonic() - t0) * 1000


def get(path):
    req = urllib.request.Request(base + path, headers={"Authorization": "Bearer " + token})
    with urllib.request.urlopen(req, timeout=600) as r:
        return json.load(r)


lat, lon = 30.6565, 104.0555  # the demo street's buildings, inside the synthetic city
first, first_ms = post("/api/v1/geo/whatif", {"category": "park", "lat": lat, "lon": lon, "minutes": 15})
server, client = [], []
cats = ["kindergarten", "clinic", "supermarket"]
for i in range(runs):
    site = {"lat": lat + (i % 5 - 2) * 0.0007, "lon": lon + (i % 3 - 1) * 0.0008}
    out, ms = post("/api/v1/geo/whatif", {"category": cats[i % 3], **site, "minutes": [5, 10, 15][i % 3]})
    if not out.get("on_network"):
        sys.exit("whatif: a site off the network")
    server.append(out["elapsed_ms"])
    client.append(ms)
print(json.dumps({
    "model_build_ms": round(first_ms, 1),
    "buildings": first["buildings"],
    "runs": runs,
    "server_best_ms": round(min(server), 2), "server_median_ms": round(statistics.median(server), 2),
    "client_best_ms": round(min(client), 2), "client_median_ms": round(statistics.median(client), 2),
}))
