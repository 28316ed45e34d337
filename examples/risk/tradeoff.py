#!/usr/bin/env python3
"""The availability/throughput trade-off of teavar_99.arch, from actual runs of `archc solve`.

For each demand scale and level beta, solve the TeaVaR model (`--set scale=... --set
beta=...`), read each scenario's loss from the JSON report, recompute each scenario's
probability from data/abilene/spans.csv (independent span cuts: the product of p_fail over
the spans down and of 1 - p_fail over the others), and print a Markdown table:

* CVaR: the objective;
* VaR: the least loss exceeded with probability at most 1 - beta (by sorting the losses);
* guaranteed throughput: 1 - VaR, the fraction of its demand every pair receives with
  probability at least beta;
* availability: the probability of the scenarios in which no pair loses anything.

Run from this directory: python3 tradeoff.py [path to archc]
"""

import csv
import itertools
import json
import math
import subprocess
import sys

ARCHC = sys.argv[1] if len(sys.argv) > 1 else "archc"
SCALES = [1, 2, 3, 4]
BETAS = [0.99, 0.999]


def main():
    p = {r["name"]: float(r["p_fail"]) for r in csv.DictReader(open("data/abilene/spans.csv"))}
    base = math.prod(1 - q for q in p.values())

    def prob(name):
        if name == "nominal":
            return base
        down = name[len("down("):-1].split(", ")
        return base * math.prod(p[d] / (1 - p[d]) for d in down)

    print("| demand scale | beta | CVaR | VaR | guaranteed throughput | availability |")
    print("|---|---|---|---|---|---|")
    for scale in SCALES:
        for beta in BETAS:
            out = subprocess.run(
                [ARCHC, "solve", "teavar_99.arch", "--format", "json",
                 "--set", f"scale={scale}", "--set", f"beta={beta}"],
                check=True, capture_output=True, text=True).stdout
            report = json.loads(out)
            loss = next(d for d in report["decisions"] if d["name"] == "loss")
            values = {v["index"][0]: v["value"] for v in loss["values"]}
            names = all_scenarios(p, base)
            assert len(names) == loss["count"], "the enumeration here differs from archc's"
            scenarios = [(values.get(s, 0.0), prob(s)) for s in names]
            scenarios.sort(reverse=True)
            tail, var = 1 - beta, 0.0
            for value, q in scenarios:
                if tail <= 1e-12:
                    break
                var, tail = value, tail - q
            mass = sum(q for _, q in scenarios)
            available = sum(q for v, q in scenarios if v <= 1e-9)
            cvar = report["objective"]["value"]
            print(f"| {scale} | {beta} | {cvar:.4f} | {var:.4f} | {1 - var:.1%} "
                  f"| {available:.6f} (of {mass:.6f}) |")


def all_scenarios(p, base):
    """The names of the scenarios at least as likely as the cutoff, enumerated here (the
    report leaves zero losses out)."""
    spans = list(p)
    cutoff = (sum(p.values()) / len(p)) ** 2
    names = ["nominal"]
    for k in range(1, len(spans) + 1):
        found = False
        for down in itertools.combinations(spans, k):
            q = base * math.prod(p[d] / (1 - p[d]) for d in down)
            if q >= cutoff:
                names.append(f"down({', '.join(down)})")
                found = True
        if not found:
            return names
    return names


if __name__ == "__main__":
    main()
