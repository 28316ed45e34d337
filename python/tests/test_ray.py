"""archc.ray on a local Ray instance (2 CPUs): a sweep gives the same results as a
sequential loop of archc.compile/solve; failures are reported (model errors, with their
code) or retried (other failures), never dropped; every result has its times."""

import pandas as pd
import pytest

import archc
from conftest import EXAMPLES, frames_for

ray = pytest.importorskip("ray")
import archc.ray as aray  # noqa: E402

CAPACITY = EXAMPLES / "capacity" / "buildout.arch"
HEADROOMS = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5]


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def test_a_sweep_equals_a_sequential_loop(local_ray):
    data = frames_for(CAPACITY)
    scenarios = {h: {"headroom": h} for h in HEADROOMS}
    results = aray.sweep(str(CAPACITY), scenarios, data=data, values=["build"])
    assert [r.key for r in results] == HEADROOMS
    for h, r in zip(HEADROOMS, results):
        expected = archc.compile(str(CAPACITY), data=data, params={"headroom": h}).solve()
        assert r.ok, r.error
        assert (r.status, r.objective) == (expected.status, expected.objective)
        pd.testing.assert_frame_equal(r.values["build"], expected.values("build"))
        assert r.compile_s > 0 and r.solve_s >= 0 and r.task_s >= r.compile_s and r.wall_s >= r.task_s
        assert r.attempts == 1
    objectives = [r.objective for r in results]
    assert len(set(objectives)) > 1  # the scenarios differ
    frame = results.frame()
    assert list(frame["key"]) == HEADROOMS and frame["ok"].all()


def test_failures_are_reported_or_retried_never_dropped(local_ray):
    bad = pd.DataFrame({"name": ["us-east"], "cores": ["lots"]})
    model = """
kind region { cores: core = 0 core }
regions from "regions.csv"
decide n[r in regions]: int >= 0 <= 10
constraint fit[r in regions]: 16 core * n[r] <= r.cores
maximize served: sum(r in regions) n[r]
"""
    good = pd.DataFrame({"name": ["us-east"], "cores": [64]})
    scenarios = {"good": {"regions": good}, "bad": {"regions": bad}, "flaky": {"regions": good}}
    results = aray.sweep(model, scenarios, retries=1, _fail_first={"flaky": 1})
    by_key = {r.key: r for r in results}
    assert len(results) == 3
    assert by_key["good"].ok and by_key["good"].objective == 4
    assert not by_key["bad"].ok and by_key["bad"].code == "E0504" and by_key["bad"].attempts == 1
    assert by_key["flaky"].ok and by_key["flaky"].attempts == 2
    assert [r.key for r in results.failures] == ["bad"]
    with pytest.raises(RuntimeError, match="1 of 3 scenarios failed"):
        results.raise_on_failure()
    again = aray.sweep(model, {"flaky": {"regions": good}}, retries=0, _fail_first={"flaky": 1})
    assert not again[0].ok and "injected failure" in again[0].error


def test_local_mode_runs_the_same_tasks_without_ray():
    scenarios = [{"headroom": h} for h in HEADROOMS[:2]]
    results = aray.sweep(str(CAPACITY), scenarios, local=True)
    for h, r in zip(HEADROOMS, results):
        assert r.ok and r.objective == archc.compile(str(CAPACITY), params={"headroom": h}).solve().objective
