#!/usr/bin/env python3
"""Convert SNDlib's GEANT network (raw/sndlib_geant.txt) into the CSV files of ../geant.arch.

Input (copied unchanged, see ../../SOURCES.md): SNDlib 1.0 native format, network `geant`:
22 PoPs with coordinates, 36 undirected links, 462 directed demands in Mbit/s (a real GEANT
traffic matrix by Steve Uhlig, scaled directed peak over 4 months, 3 Tbit/s in total).

Outputs:
  regions.csv  name,country,lat,lon       (22 PoPs, named by city; country = ISO code;
                                          SNDlib coordinates in degrees)
  links.csv    name,src,dst,capacity,latency
               72 directed links, two per SNDlib link. SNDlib gives no installed capacity,
               only modules of 40 000 Mbit/s; every direction here gets CAPACITY_GBPS.
               Latency is the great-circle distance over 200 km/ms (light in fibre), a
               lower bound of the real fibre delay.
  demand.csv   origin,dest,value          (462 rows, Gbps = SNDlib Mbit/s / 1000)

Run from this directory: python3 convert.py
"""

import math
import re

# SNDlib node id -> (name in the model, ISO country of the PoP).
POPS = {
    "at1.at": ("vienna", "AT"), "be1.be": ("brussels", "BE"), "ch1.ch": ("geneva", "CH"),
    "cz1.cz": ("prague", "CZ"), "de1.de": ("frankfurt", "DE"), "es1.es": ("madrid", "ES"),
    "fr1.fr": ("paris", "FR"), "gr1.gr": ("athens", "GR"), "hr1.hr": ("zagreb", "HR"),
    "hu1.hu": ("budapest", "HU"), "ie1.ie": ("dublin", "IE"), "il1.il": ("tel-aviv", "IL"),
    "it1.it": ("milan", "IT"), "lu1.lu": ("luxembourg", "LU"), "nl1.nl": ("amsterdam", "NL"),
    "ny1.ny": ("new-york", "US"), "pl1.pl": ("poznan", "PL"), "pt1.pt": ("lisbon", "PT"),
    "se1.se": ("stockholm", "SE"), "si1.si": ("ljubljana", "SI"), "sk1.sk": ("bratislava", "SK"),
    "uk1.uk": ("london", "GB"),
}
CAPACITY_GBPS = 400
FIBRE_KM_PER_MS = 200.0
EARTH_RADIUS_KM = 6371.0


def great_circle_km(a, b):
    (lon1, lat1), (lon2, lat2) = a, b
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def section(text, name):
    m = re.search(r"^" + name + r" \(\n(.*?)^\)", text, re.S | re.M)
    return m.group(1).strip().splitlines()


def main():
    text = open("raw/sndlib_geant.txt").read()
    coords = {}
    for line in section(text, "NODES"):
        m = re.match(r"\s*(\S+) \( (\S+) (\S+) \)", line)
        coords[m.group(1)] = (float(m.group(2)), float(m.group(3)))
    assert set(coords) == set(POPS), "unexpected PoPs"
    with open("regions.csv", "w") as f:
        f.write("name,country,lat,lon\n")
        for node in coords:
            lon, lat = coords[node]
            f.write("%s,%s,%g,%g\n" % (*POPS[node], lat, lon))
    with open("links.csv", "w") as f:
        f.write("name,src,dst,capacity,latency\n")
        n = 0
        for line in section(text, "LINKS"):
            m = re.match(r"\s*\S+ \( (\S+) (\S+) \)", line)
            a, b = m.group(1), m.group(2)
            ms = great_circle_km(coords[a], coords[b]) / FIBRE_KM_PER_MS
            for s, d in ((a, b), (b, a)):
                src, dst = POPS[s][0], POPS[d][0]
                f.write(f"{src}->{dst},{src},{dst},{CAPACITY_GBPS},{ms:.2f}\n")
                n += 1
    total = 0.0
    with open("demand.csv", "w") as f:
        f.write("origin,dest,value\n")
        for line in section(text, "DEMANDS"):
            m = re.match(r"\s*\S+ \( (\S+) (\S+) \) \S+ (\S+) \S+", line)
            mbps = float(m.group(3))
            total += mbps
            f.write(f"{POPS[m.group(1)][0]},{POPS[m.group(2)][0]},{mbps / 1000:.3f}\n")
    print(f"{len(coords)} PoPs, {n} directed links, {total / 1e6:.3f} Tbps of demand")


if __name__ == "__main__":
    main()
