#!/usr/bin/env python3
"""Convert the UsCarrier topology into the CSV files of ../uscarrier.arch.

Inputs (copied unchanged, see ../../SOURCES.md):
  raw/teal_UsCarrier.json     Teal's UsCarrier: 158 nodes, 378 directed links with capacities
                              (networkx node-link JSON; node id k)
  raw/zoo_UsCarrier.graphml   Topology Zoo UsCarrier: node labels (city names); node id k
                              of the GraphML is node k of the JSON (the script checks that
                              both files have the same 189 undirected edges)

Outputs:
  regions.csv  name,lat,lon                  (158 nodes, named after their city label;
                                              Topology Zoo coordinates, empty for junctions)
  links.csv    name,src,dst,capacity         (378 directed links; Teal's capacity, taken as Gbps)
  demand.csv   origin,dest,value             (158 × 157 rows, Gbps)

There is no public traffic matrix for UsCarrier in the data used here, so the demand is a
SYNTHETIC gravity model, a standard choice in traffic-engineering papers: the weight of a
node is the total capacity of its outgoing links, and
    demand[i, j] = TOTAL_GBPS * w_i * w_j / sum over pairs k != l of w_k * w_l.
It has no randomness; values are rounded to 4 decimals.

Run from this directory: python3 convert.py
"""

import json
import re
import xml.etree.ElementTree as ET

TOTAL_GBPS = 20000.0
NS = {"g": "http://graphml.graphdrawing.org/xmlns"}


def slug(text):
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def main():
    teal = json.load(open("raw/teal_UsCarrier.json"))
    ids = sorted(n["id"] for n in teal["nodes"])
    links = [(l["source"], l["target"], l["capacity"]) for l in teal["links"]]

    root = ET.parse("raw/zoo_UsCarrier.graphml").getroot()
    keys = {k.get("id"): k.get("attr.name") for k in root.findall("g:key", NS)}
    graph = root.find("g:graph", NS)
    labels, where = {}, {}
    for n in graph.findall("g:node", NS):
        data = {keys[d.get("key")]: d.text for d in n.findall("g:data", NS)}
        if data.get("Latitude") and data.get("Longitude"):
            where[int(n.get("id"))] = (float(data["Latitude"]), float(data["Longitude"]))
        label = data.get("label")
        # Hyperedge nodes (junctions without a city) are labelled "None".
        labels[int(n.get("id"))] = label if label and label != "None" else f"junction-{n.get('id')}"
    zoo_edges = {frozenset((int(e.get("source")), int(e.get("target"))))
                 for e in graph.findall("g:edge", NS)}
    if zoo_edges != {frozenset((a, b)) for a, b, _ in links} or set(labels) != set(ids):
        raise SystemExit("Teal and Topology Zoo UsCarrier differ: cannot name the nodes")

    names, used = {}, set()
    for k in ids:
        name = slug(labels[k])
        if name in used:
            name = f"{name}-{k}"
        used.add(name)
        names[k] = name

    weight = {k: 0.0 for k in ids}
    for a, _, cap in links:
        weight[a] += cap
    pairs = sum(weight[i] * weight[j] for i in ids for j in ids if i != j)

    with open("regions.csv", "w") as f:
        # Junctions have no coordinates in the Topology Zoo: empty cells (the default, 0).
        f.write("name,lat,lon\n")
        for k in ids:
            lat, lon = (f"{where[k][0]:g}", f"{where[k][1]:g}") if k in where else ("", "")
            f.write(f"{names[k]},{lat},{lon}\n")
    with open("links.csv", "w") as f:
        f.write("name,src,dst,capacity\n")
        for a, b, cap in links:
            f.write(f"{names[a]}->{names[b]},{names[a]},{names[b]},{cap:g}\n")
    with open("demand.csv", "w") as f:
        f.write("origin,dest,value\n")
        for i in ids:
            for j in ids:
                if i != j:
                    f.write(f"{names[i]},{names[j]},"
                            f"{TOTAL_GBPS * weight[i] * weight[j] / pairs:.4f}\n")
    print(f"{len(ids)} nodes, {len(links)} directed links, {TOTAL_GBPS:g} Gbps of demand")


if __name__ == "__main__":
    main()
