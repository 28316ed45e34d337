#!/usr/bin/env python3
"""A sweep of N solves of one model: as Ray tasks on a local Ray with 2 workers, or as a
sequential loop in one process (the same archc calls). Also a partitioned solve of the peers'
placement instance as Ray tasks against the CLI's in-process partitioned solve.

    python ray_sweep.py ray 32 [capacity|split]    # archc.ray.sweep, ray.init(num_cpus=2)
    python ray_sweep.py loop 32 [capacity|split]   # for each scenario: archc.compile(...).solve()
    python ray_sweep.py partitioned 2000x50 4      # archc.ray.partitioned, ray.init(num_cpus=2)
    python ray_sweep.py cli-partitioned 2000x50 4  # archc solve --partition jobs:4 (same data)

`capacity` (default): examples/capacity/buildout.arch, a solve of about 10 ms; scenario k sets
`headroom` to k/100 (this measures the overhead of the tasks). `split`: a market split
instance (4 equality rows over 40 binaries, hopeless for branch and bound) solved with a
time limit of 1 s; scenario k shifts the targets by k (this measures the parallel speed-up
on solves that take a while). Prints
`RESULT mode=.. n=.. sweep_s=.. sum_task_s=..` (sweep_s: from the first submission to the
last result, Ray start-up excluded; ray_init_s apart). Whole-process time: run under
`/usr/bin/time -v` or any process timer.

`partitioned SxR K`: the capacitated placement of `placement_build.py` on the peers' `gen.py`
data (seed 1, S jobs x R sites; written by `placement_build.py prepare SxR` when missing),
split into K parts over `jobs` (seed 1), each part a Ray task on a local Ray with 2 workers,
the shards merged, repaired and verified on the driver. Prints `RESULT mode=partitioned
.. wall_s=.. objective=..` (wall_s: the whole `archc.ray.partitioned` call: compiling the
full model on the driver, the tasks, the merge; Ray start-up apart) and one `PART` line per
task (its compile, solve and task times). `cli-partitioned SxR K` runs `archc solve
--partition jobs:K --seed 1` ($ARCHC_BIN, else `archc` on the PATH) on the same files and
prints the same `RESULT` fields from its JSON report (wall_s: the whole process). Both use
the solver the build has first (HiGHS when built in) with `--time-limit` $TIME_LIMIT (60 s).
"""

import os
import sys
import time
from pathlib import Path

import archc

MODEL = str(Path(__file__).resolve().parents[2] / "examples" / "capacity" / "buildout.arch")


def split_model() -> str:
    import random

    rnd = random.Random(7)
    rows, items = 4, 40
    a = [[rnd.randrange(100) for _ in range(items)] for _ in range(rows)]
    table = ", ".join(f"({i + 1}, {j + 1}): {a[i][j]}" for i in range(rows) for j in range(items))
    target = ", ".join(f"{i + 1}: {sum(a[i]) // 2}" for i in range(rows))
    return f"""set items = 1..{items}
set rows = 1..{rows}
param shift: int = 0
decide x[j in items]: bool
decide surplus[i in rows]: real >= 0
decide shortfall[i in rows]: real >= 0
param a[i in rows, j in items]: int = {{{table}}}
param d[i in rows]: int = {{{target}}}
constraint split[i in rows]: sum(j in items) a[i, j] * x[j] + surplus[i] - shortfall[i] == d[i] + shift
minimize deviation: sum(i in rows) surplus[i] + sum(i in rows) shortfall[i]
"""


def placement(size: str) -> str:
    """The placement model's path for `size`, its data prepared when missing."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import placement_build

    path = os.path.join(placement_build.size_dir(size), "model.arch")
    if not os.path.exists(path):
        placement_build.prepare(size)
    return path


def partitioned(mode: str, size: str, k: int):
    import json
    import subprocess

    model = placement(size)
    time_limit = float(os.environ.get("TIME_LIMIT", "60"))
    partition = f"jobs:{k}"
    load = os.getloadavg()
    if mode == "cli-partitioned":
        binary = os.environ.get("ARCHC_BIN", "archc")
        t = time.perf_counter()
        out = subprocess.run([binary, "solve", model, "--partition", partition, "--seed", "1", "--time-limit",
                              str(time_limit), "--format", "json", "--quiet"], capture_output=True, text=True)
        wall_s = time.perf_counter() - t
        report = json.loads(out.stdout)
        for p in report["scale"]["parts"]:
            print(f"PART {p['part']} status={p['status']} time_s={p['time_ms'] / 1000:.3f} "
                  f"objective={p.get('objective')}", flush=True)
        print(f"RESULT mode=cli-partitioned size={size} k={k} wall_s={wall_s:.3f} solver={report['solver']} "
              f"status={report['status']} objective={report['objective']['value']} gap={report.get('gap')} "
              f"verified={report['verification']['ok']} load={load[0]:.2f}", flush=True)
        return
    import ray
    from archc import ray as archc_ray

    t = time.perf_counter()
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    init_s = time.perf_counter() - t
    t = time.perf_counter()
    result = archc_ray.partitioned(model, partition, seed=1, time_limit=time_limit).raise_on_failure()
    wall_s = time.perf_counter() - t
    for r in result.tasks:
        print(f"PART {r.key} status={r.status} compile_s={r.compile_s:.3f} solve_s={r.solve_s:.3f} "
              f"task_s={r.task_s:.3f} worker={r.worker}", flush=True)
    s = result.solution
    print(f"RESULT mode=partitioned size={size} k={k} ray_init_s={init_s:.3f} wall_s={wall_s:.3f} "
          f"merge_s={result.merge_s:.3f} sum_task_s={sum(r.task_s for r in result.tasks):.3f} solver={s.solver} "
          f"status={s.status} objective={s.objective} gap={s.gap} verified={s.verified} load={load[0]:.2f}",
          flush=True)
    ray.shutdown()


def main():
    if sys.argv[1] in ("partitioned", "cli-partitioned"):
        return partitioned(sys.argv[1], sys.argv[2], int(sys.argv[3]))
    mode, n = sys.argv[1], int(sys.argv[2])
    which = sys.argv[3] if len(sys.argv) > 3 else "capacity"
    if which == "split":
        model, time_limit = split_model(), 1.0
        scenarios = {k: {"shift": k} for k in range(n)}
    else:
        model, time_limit = MODEL, None
        scenarios = {k: {"headroom": k / 100} for k in range(n)}
    if mode == "loop":
        t = time.perf_counter()
        objectives = [archc.compile(model, params=s).solve(time_limit=time_limit).objective
                      for s in scenarios.values()]
        sweep_s = time.perf_counter() - t
        print(f"RESULT mode=loop model={which} n={n} sweep_s={sweep_s:.3f} distinct={len(set(objectives))}", flush=True)
        return
    import ray
    from archc import ray as archc_ray

    t = time.perf_counter()
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    init_s = time.perf_counter() - t
    t = time.perf_counter()
    results = archc_ray.sweep(model, scenarios, time_limit=time_limit).raise_on_failure()
    sweep_s = time.perf_counter() - t
    tasks = sum(r.task_s for r in results)
    print(f"RESULT mode=ray model={which} n={n} ray_init_s={init_s:.3f} sweep_s={sweep_s:.3f} sum_task_s={tasks:.3f} "
          f"distinct={len(set(r.objective for r in results))}", flush=True)
    ray.shutdown()


if __name__ == "__main__":
    main()
