#!/usr/bin/env python3
"""Convert the public Abilene data in raw/ into the CSV files read by ../abilene.arch.

Inputs (copied unchanged, see SOURCES.md):
  raw/abilene.dot             YATES topology: switches s1..s12, 15 bidirectional 1 Gbps links
  raw/abilene.hosts           host order of the traffic matrices (line i = row/column i)
  raw/abilene_actual_tms.txt  36 real Abilene traffic matrices, 144 numbers per line (bps, i -> j)
  raw/sndlib_abilene.txt      SNDlib's Abilene network: PoP names and coordinates

Outputs:
  regions.csv  name,lat,lon                          (12 PoPs; SNDlib coordinates, degrees)
  links.csv    name,src,dst,capacity,latency         (30 directed links; Gbps, ms)
  demand.csv   origin,dest,value                     (144 rows, Mbps; the peak TM)

Switch sK (host hK) is the K-th PoP of the Abilene TM data set in alphabetical order
(ATLA-M5, ATLA, CHIN, DNVR, HSTN, IPLS, KSCY, LOSA, NYCM, SNVA, STTL, WASH). The script checks
that this naming maps the YATES link set exactly onto SNDlib's Abilene link set, and stops
otherwise. Latency is the great-circle distance between the two PoPs divided by the speed
of light in fibre (200 km/ms); real fibre paths are longer, so this is a lower bound.

The peak TM is the one with the largest total demand. Values are converted from bps to
Mbps (divided by 1e6) and written with 6 decimals; nothing else is changed. The diagonal
(traffic that stays inside a PoP) is kept in the file; the model ignores it.

Run from this directory: python3 convert.py
"""

import math
import re

SNDLIB_ORDER = ["ATLAM5", "ATLAng", "CHINng", "DNVRng", "HSTNng", "IPLSng",
                "KSCYng", "LOSAng", "NYCMng", "SNVAng", "STTLng", "WASHng"]
NAMES = ["atla-m5", "atla", "chin", "dnvr", "hstn", "ipls",
         "kscy", "losa", "nycm", "snva", "sttl", "wash"]
FIBRE_KM_PER_MS = 200.0
EARTH_RADIUS_KM = 6371.0


def great_circle_km(a, b):
    (lon1, lat1), (lon2, lat2) = a, b
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def sndlib_section(text, name):
    m = re.search(r"^" + name + r" \(\n(.*?)^\)", text, re.S | re.M)
    return m.group(1).strip().splitlines()


def main():
    sndlib = open("raw/sndlib_abilene.txt").read()
    coords = {}
    for line in sndlib_section(sndlib, "NODES"):
        m = re.match(r"\s*(\S+) \( (\S+) (\S+) \)", line)
        coords[m.group(1)] = (float(m.group(2)), float(m.group(3)))
    sndlib_links = set()
    for line in sndlib_section(sndlib, "LINKS"):
        m = re.match(r"\s*\S+ \( (\S+) (\S+) \)", line)
        sndlib_links.add(frozenset((m.group(1), m.group(2))))

    switch_name = {f"s{k + 1}": NAMES[k] for k in range(12)}
    to_sndlib = dict(zip(NAMES, SNDLIB_ORDER))
    links = []
    for line in open("raw/abilene.dot"):
        m = re.match(r'\s*(s\d+) -> (s\d+) \[.*capacity="(\d+)Gbps"', line)
        if m:
            links.append((switch_name[m.group(1)], switch_name[m.group(2)], int(m.group(3))))
    undirected = {frozenset((to_sndlib[a], to_sndlib[b])) for a, b, _ in links}
    if undirected != sndlib_links or len(links) != 30:
        raise SystemExit("the YATES and SNDlib Abilene link sets differ: naming is wrong")

    hosts = [h.strip() for h in open("raw/abilene.hosts") if h.strip()]
    if hosts != [f"h{k + 1}" for k in range(12)]:
        raise SystemExit("unexpected host order in raw/abilene.hosts")
    tms = [[float(x) for x in line.split()] for line in open("raw/abilene_actual_tms.txt")]
    assert all(len(tm) == 144 for tm in tms)
    peak = max(range(len(tms)), key=lambda k: sum(tms[k]))

    with open("regions.csv", "w") as f:
        f.write("name,lat,lon\n")
        for n in NAMES:
            lon, lat = coords[to_sndlib[n]]
            f.write(f"{n},{lat:g},{lon:g}\n")
    with open("links.csv", "w") as f:
        f.write("name,src,dst,capacity,latency\n")
        for a, b, gbps in links:
            km = great_circle_km(coords[to_sndlib[a]], coords[to_sndlib[b]])
            f.write(f"{a}->{b},{a},{b},{gbps},{km / FIBRE_KM_PER_MS:.2f}\n")
    with open("demand.csv", "w") as f:
        f.write("origin,dest,value\n")
        for i in range(12):
            for j in range(12):
                f.write(f"{NAMES[i]},{NAMES[j]},{tms[peak][12 * i + j] / 1e6:.6f}\n")
    off_diag = sum(tms[peak][12 * i + j] for i in range(12) for j in range(12) if i != j)
    print(f"peak TM: line {peak + 1} of 36, {sum(tms[peak]) / 1e9:.4f} Gbps in total, "
          f"{off_diag / 1e9:.4f} Gbps between PoPs")


if __name__ == "__main__":
    main()
