#!/usr/bin/env python3
"""A sweep of N solves of one model: as Ray tasks on a local Ray with 2 workers, or as a
sequential loop in one process (the same archc calls).

    python ray_sweep.py ray 32 [capacity|split]    # archc.ray.sweep, ray.init(num_cpus=2)
    python ray_sweep.py loop 32 [capacity|split]   # for each scenario: archc.compile(...).solve()

`capacity` (default): examples/capacity/buildout.arch, a solve of about 10 ms; scenario k sets
`headroom` to k/100 (this measures the overhead of the tasks). `split`: a market split
instance (4 equality rows over 40 binaries, hopeless for branch and bound) solved with a
time limit of 1 s; scenario k shifts the targets by k (this measures the parallel speed-up
on solves that take a while). Prints
`RESULT mode=.. n=.. sweep_s=.. sum_task_s=..` (sweep_s: from the first submission to the
last result, Ray start-up excluded; ray_init_s apart). Whole-process time: run under
`/usr/bin/time -v` or any process timer.
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


def main():
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
