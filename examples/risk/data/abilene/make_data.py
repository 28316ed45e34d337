#!/usr/bin/env python3
"""Build the failure-planning data of the Abilene risk examples from the routing example's data.

Inputs (copied from ../../../routing/data, where convert.py makes them from public data; see
../../SOURCES.md):
  regions.csv         12 PoPs with coordinates
  links_routing.csv   30 directed 1 Gbps links with latency (ms)
  demand.csv          the peak real traffic matrix, Mbps

Outputs:
  spans.csv   name,p_fail,conduit   one per bidirectional link (15): what fails when a fibre is cut
  links.csv   name,src,dst,capacity,latency,span   the 30 directed links, each naming its span
  pairs.csv   name,origin,dest,demand             the 132 PoP pairs with traffic (demand in Gbps)
  tunnels.csv name,pair                           up to TUNNELS shortest paths per pair
  hops.csv    name,tunnel,link                    the links of each tunnel

* p_fail: per-span failure probability sampled from a Weibull distribution with shape 0.8 and
  scale 0.0001, as TeaVaR's own code does (manyaghobadi/teavar, code/util.jl weibullProbs,
  called with shape=.8, scale=.0001 in code/main.jl and code/POP.jl), with Python's
  random.Random(SEED).weibullvariate; samples are drawn in the order of spans.csv.
* conduit: the span's own name, except that dnvr-snva and dnvr-sttl are given one conduit
  (`denver-west`). This is an ASSUMPTION for the shared-risk example, not data: which Abilene
  spans shared a conduit is not in the public data used here.
* tunnels: up to TUNNELS paths per pair, from every simple path (the graph is small) in
  order of total latency: first span-disjoint paths (each the shortest that shares no span
  with those already chosen), then the shortest of the others.

Run from this directory: python3 make_data.py
"""

import csv
import random

SEED = 13
SHAPE = 0.8
SCALE = 0.0001
TUNNELS = 4
SHARED = {"dnvr-snva": "denver-west", "dnvr-sttl": "denver-west"}


def main():
    regions = [r["name"] for r in csv.DictReader(open("regions.csv"))]
    links = list(csv.DictReader(open("links_routing.csv")))
    spans = []
    for l in links:
        a, b = sorted((l["src"], l["dst"]))
        name = f"{a}-{b}"
        l["span"] = name
        if name not in spans:
            spans.append(name)
    assert len(spans) == 15, spans
    rng = random.Random(SEED)
    p_fail = {s: rng.weibullvariate(SCALE, SHAPE) for s in spans}
    with open("spans.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["name", "p_fail", "conduit"])
        for s in spans:
            w.writerow([s, f"{p_fail[s]:.6e}", SHARED.get(s, s)])
    with open("links.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["name", "src", "dst", "capacity", "latency", "span"])
        for l in links:
            w.writerow([l["name"], l["src"], l["dst"], l["capacity"], l["latency"], l["span"]])

    span_of = {l["name"]: l["span"] for l in links}
    out = {r: [] for r in regions}
    for l in links:
        out[l["src"]].append(l)

    def paths(src, dst):
        found = []

        def walk(node, seen, path, latency):
            if node == dst:
                found.append((latency, [l["name"] for l in path]))
                return
            for l in out[node]:
                if l["dst"] not in seen:
                    seen.add(l["dst"])
                    path.append(l)
                    walk(l["dst"], seen, path, latency + float(l["latency"]))
                    path.pop()
                    seen.discard(l["dst"])

        walk(src, {src}, [], 0.0)
        found.sort()
        # Span-disjoint paths first (each the shortest that shares no span with those
        # chosen), then the shortest of the rest, up to TUNNELS.
        chosen, used = [], set()
        for _, p in found:
            spans_of = {span_of[x] for x in p}
            if not spans_of & used:
                chosen.append(p)
                used |= spans_of
        for _, p in found:
            if len(chosen) >= TUNNELS:
                break
            if p not in chosen:
                chosen.append(p)
        return chosen[:TUNNELS]

    pairs, tunnels, hops = [], [], []
    for d in csv.DictReader(open("demand.csv")):
        o, t, mbps = d["origin"], d["dest"], float(d["value"])
        if o == t or mbps <= 0:
            continue
        pair = f"{o}_{t}"
        pairs.append((pair, o, t, mbps / 1000.0))
        for k, p in enumerate(paths(o, t), start=1):
            tunnel = f"{pair}_{k}"
            tunnels.append((tunnel, pair))
            for j, link in enumerate(p, start=1):
                hops.append((f"{tunnel}_{j}", tunnel, link))
    with open("pairs.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["name", "origin", "dest", "demand"])
        for p, o, t, g in pairs:
            w.writerow([p, o, t, f"{g:.9f}"])
    with open("tunnels.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["name", "pair"])
        w.writerows(tunnels)
    with open("hops.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["name", "tunnel", "link"])
        w.writerows(hops)


if __name__ == "__main__":
    main()
