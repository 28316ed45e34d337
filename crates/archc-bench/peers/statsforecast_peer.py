"""The statsforecast side of `bench_forecast speed`: the same series, AutoETS and AutoTheta
(season 12) and their mean, forecast 12 ahead in parallel; prints time, peak RSS and sMAPE.

    cargo bench -p archc-bench --bench bench_forecast -- speed --n 10000 --write /tmp/speed.csv
    python3 crates/archc-bench/peers/statsforecast_peer.py /tmp/speed.csv [N_JOBS]

Measured with statsforecast 2.1.1 (Python 3.11.7, numpy 2.4.6, pandas 2.3.3), installed with
`pip install statsforecast==2.1.1` in a fresh venv. Run it under `/usr/bin/time -v` for the
CPU seconds of the workers too.
"""

import resource
import sys
import time

import numpy as np
import pandas as pd
from statsforecast import StatsForecast
from statsforecast.models import AutoETS, AutoTheta


def smape(y, f):
    d = np.abs(y) + np.abs(f)
    return np.mean(np.where(d == 0, 0.0, 200.0 * np.abs(y - f) / np.where(d == 0, 1, d)))


def main():
    path = sys.argv[1]
    n_jobs = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    df = pd.read_csv(path)
    train = df[df.part == "train"][["unique_id", "ds", "y"]]
    test = df[df.part == "test"][["unique_id", "ds", "y"]]
    sf = StatsForecast(
        models=[AutoETS(season_length=12), AutoTheta(season_length=12)],
        freq=1,
        n_jobs=n_jobs,
    )
    t = time.perf_counter()
    fc = sf.forecast(df=train, h=12)
    secs = time.perf_counter() - t
    fc = fc.reset_index() if "unique_id" not in fc.columns else fc
    merged = test.merge(fc, on=["unique_id", "ds"])
    merged["Mean"] = (merged["AutoETS"] + merged["AutoTheta"]) / 2
    n = train.unique_id.nunique()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    peak_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"statsforecast: {n} series, {n_jobs} jobs: {secs:.2f} s ({n / secs:.0f} series/s), "
        f"peak RSS {peak:.0f} MiB (largest worker {peak_children:.0f} MiB)"
    )
    for m in ["AutoETS", "AutoTheta", "Mean"]:
        per = merged.groupby("unique_id").apply(lambda g: smape(g.y.values, g[m].values))
        print(f"  {m}: sMAPE {per.mean():.2f}")


if __name__ == "__main__":
    main()
