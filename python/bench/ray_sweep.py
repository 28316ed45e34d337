#!/usr/bin/env python3
"""A sweep of N solves of one model: as Ray tasks on a local Ray with 2 workers, or as a
sequential loop in one process (the same archc calls).

    python ray_sweep.py ray 32          # archc.ray.sweep, ray.init(num_cpus=2)
    python ray_sweep.py loop 32         # for each scenario: archc.compile(...).solve()

The model is examples/capacity/buildout.arch; scenario k sets `headroom` to k/100. Prints
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


def main():
    mode, n = sys.argv[1], int(sys.argv[2])
    scenarios = {k: {"headroom": k / 100} for k in range(n)}
    if mode == "loop":
        t = time.perf_counter()
        objectives = [archc.compile(MODEL, params=s).solve().objective for s in scenarios.values()]
        sweep_s = time.perf_counter() - t
        print(f"RESULT mode=loop n={n} sweep_s={sweep_s:.3f} distinct={len(set(objectives))}", flush=True)
        return
    import ray
    import archc.ray

    t = time.perf_counter()
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    init_s = time.perf_counter() - t
    t = time.perf_counter()
    results = archc.ray.sweep(MODEL, scenarios).raise_on_failure()
    sweep_s = time.perf_counter() - t
    tasks = sum(r.task_s for r in results)
    print(f"RESULT mode=ray n={n} ray_init_s={init_s:.3f} sweep_s={sweep_s:.3f} sum_task_s={tasks:.3f} "
          f"distinct={len(set(r.objective for r in results))}", flush=True)
    ray.shutdown()


if __name__ == "__main__":
    main()
