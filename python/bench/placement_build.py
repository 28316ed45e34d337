#!/usr/bin/env python3
"""Model building from DataFrames: the capacitated placement of the peers' benchmark
(shared/peers, `gen.py` data) built by archc from pandas DataFrames, by linopy and by Pyomo
from the same DataFrames, and the data written as the CSV files the CLI reads.

    python placement_build.py prepare 20000x100          # gen.py JSON -> DataFrames -> CSV files
    python placement_build.py archc 20000x100            # archc.compile(model, data=DataFrames)
    python placement_build.py linopy 20000x100           # linopy.Model from the same DataFrames
    python placement_build.py pyomo 20000x100            # pyomo ConcreteModel from the same
    archc check DIR/20000x100/model.arch                 # the CLI on the CSV files

Each tool run prints one line `RESULT tool=.. read_s=.. build_s=..`: `read_s` reads the
DataFrames (parquet, written by `prepare`), `build_s` builds the model from them (for archc:
DataFrames to CSV text, parse, check, load, instantiate; no file written; for the peers:
their own model objects, no file written). Whole-process time and memory: run each command
under `/usr/bin/time -v` (or any process timer). The model is the one of
`crates/archc-bench/benches/bench_gen.rs`; the peers' models are theirs (`shared/peers`),
reading the DataFrames instead of the JSON.
"""

import json
import os
import subprocess
import sys
import time

DIR = os.environ.get("ARCHC_BENCH_DIR", "/tmp/archc-pybench")
GEN = os.environ.get("PEERS_GEN", "/work/shared/peers/gen.py")

MODEL = """/// Capacitated service placement (the peers' facility-location benchmark).
kind site { capacity: int = 0, open_cost: real = 0 }
kind job { demand: int = 0 }

sites from "sites.csv"
jobs from "jobs.csv"
param cost[j in jobs, s in sites]: real from "cost.csv"

decide open[s in sites]: bool
decide assign[j in jobs, s in sites]: bool

constraint one[j in jobs]: sum(s in sites) assign[j, s] == 1
constraint cap[s in sites]: sum(j in jobs) j.demand * assign[j, s] <= s.capacity * open[s]
constraint only_open[j in jobs, s in sites]: assign[j, s] <= open[s]

minimize total:
    sum(s in sites) s.open_cost * open[s] + sum(j in jobs, s in sites) cost[j, s] * assign[j, s]
"""


def size_dir(size):
    return os.path.join(DIR, size)


def prepare(size):
    import pandas as pd

    s, r = (int(x) for x in size.split("x"))
    d = size_dir(size)
    os.makedirs(d, exist_ok=True)
    js = os.path.join(DIR, f"fl_{size}_seed1.json")
    if not os.path.exists(js):
        subprocess.run([sys.executable, GEN, "-S", str(s), "-R", str(r), "--seed", "1", "-o", js], check=True)
    with open(js) as f:
        data = json.load(f)
    sites = pd.DataFrame({"name": [f"r{i}" for i in range(r)], "capacity": data["capacity"],
                          "open_cost": data["open_cost"]})
    jobs = pd.DataFrame({"name": [f"s{i}" for i in range(s)], "demand": data["demand"]})
    cost = pd.DataFrame({
        "job": [f"s{i}" for i in range(s) for _ in range(r)],
        "site": [f"r{k}" for _ in range(s) for k in range(r)],
        "value": [c for row in data["assign_cost"] for c in row],
    })
    for name, df in (("sites", sites), ("jobs", jobs), ("cost", cost)):
        df.to_parquet(os.path.join(d, f"{name}.parquet"), index=False)
        df.to_csv(os.path.join(d, f"{name}.csv"), index=False)
    with open(os.path.join(d, "model.arch"), "w") as f:
        f.write(MODEL)
    print(f"prepared {d}")


def read(size):
    import pandas as pd

    d = size_dir(size)
    return {n: pd.read_parquet(os.path.join(d, f"{n}.parquet")) for n in ("sites", "jobs", "cost")}


def build_archc(frames, size):
    import archc

    m = archc.compile(MODEL, name="model.arch", base_dir=size_dir(size) + "/nonexistent", data=frames)
    return m.size


def build_linopy(frames, size):
    import linopy
    import xarray as xr

    sites, jobs, cost = frames["sites"], frames["jobs"], frames["cost"]
    si = jobs["name"].rename("s")
    ri = sites["name"].rename("r")
    dem = xr.DataArray(jobs["demand"].to_numpy(float), coords=[si.values], dims=["s"])
    cap = xr.DataArray(sites["capacity"].to_numpy(float), coords=[ri.values], dims=["r"])
    oc = xr.DataArray(sites["open_cost"].to_numpy(float), coords=[ri.values], dims=["r"])
    ac = cost.set_index(["job", "site"])["value"].astype(float).to_xarray().rename(job="s", site="r")
    ac = ac.reindex(s=si.values, r=ri.values)
    m = linopy.Model()
    open_ = m.add_variables(binary=True, coords=[oc.indexes["r"]], name="open")
    assign = m.add_variables(binary=True, coords=[ac.indexes["s"], ac.indexes["r"]], name="assign")
    m.add_constraints(assign.sum("r") == 1, name="one")
    m.add_constraints((dem * assign).sum("s") - cap * open_ <= 0, name="cap")
    m.add_constraints(assign - open_ <= 0, name="link")
    m.add_objective((oc * open_).sum() + (ac * assign).sum())
    return (m.nvars, m.ncons)


def build_pyomo(frames, size):
    import pyomo.environ as pyo

    sites, jobs, cost = frames["sites"], frames["jobs"], frames["cost"]
    S, R = list(jobs["name"]), list(sites["name"])
    dem = dict(zip(jobs["name"], jobs["demand"]))
    cap = dict(zip(sites["name"], sites["capacity"]))
    oc = dict(zip(sites["name"], sites["open_cost"]))
    ac = dict(zip(zip(cost["job"], cost["site"]), cost["value"]))
    m = pyo.ConcreteModel()
    m.S = pyo.Set(initialize=S)
    m.R = pyo.Set(initialize=R)
    m.open = pyo.Var(m.R, within=pyo.Binary)
    m.assign = pyo.Var(m.S, m.R, within=pyo.Binary)
    m.one = pyo.Constraint(m.S, rule=lambda m, s: pyo.quicksum(m.assign[s, r] for r in m.R) == 1)
    m.cap = pyo.Constraint(m.R, rule=lambda m, r:
                           pyo.quicksum(dem[s] * m.assign[s, r] for s in m.S) <= cap[r] * m.open[r])
    m.link = pyo.Constraint(m.S, m.R, rule=lambda m, s, r: m.assign[s, r] <= m.open[r])
    m.obj = pyo.Objective(
        expr=pyo.quicksum(oc[r] * m.open[r] for r in m.R)
        + pyo.quicksum(ac[s, r] * m.assign[s, r] for s in m.S for r in m.R),
        sense=pyo.minimize)
    return (len(m.assign) + len(m.open),)


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    tool, size = sys.argv[1], sys.argv[2]
    if tool == "prepare":
        return prepare(size)
    build = {"archc": build_archc, "linopy": build_linopy, "pyomo": build_pyomo}[tool]
    t = time.perf_counter()
    frames = read(size)
    read_s = time.perf_counter() - t
    t = time.perf_counter()
    shape = build(frames, size)
    build_s = time.perf_counter() - t
    print(f"RESULT tool={tool} size={size} read_s={read_s:.3f} build_s={build_s:.3f} shape={shape}", flush=True)


if __name__ == "__main__":
    main()
