"""Every example compiles and solves from Python with its data given as pandas DataFrames
(read from the example's own files), and agrees with the CLI (`archc solve --format json`
on the files) on the status, the objective and every decision value."""

import math
import re

import pytest

import archc
from conftest import EXAMPLES, frames_for

SCALE_CASES = {"uscarrier.arch"}  # tens of thousands of columns: HiGHS only


def example_models():
    for path in sorted(EXAMPLES.rglob("*.arch")):
        marks = []
        if path.name in SCALE_CASES and "highs" not in archc.solvers():
            marks.append(pytest.mark.skip(reason="scale case: solved with HiGHS only"))
        yield pytest.param(path, id=str(path.relative_to(EXAMPLES)), marks=marks)


def decision_values(report: dict) -> dict:
    return {
        (d["name"], tuple(v["index"])): v["value"] for d in report["decisions"] for v in d["values"]
    }


@pytest.mark.parametrize("path", list(example_models()))
def test_example_from_data_frames_matches_the_cli(path, cli):
    data = frames_for(path)
    model = archc.compile(str(path), data=data)
    solver = archc.solvers()[0]  # the same solver on both sides
    solution = model.solve(solver=solver)
    # `archc solve` splits a model that names its partition (`partition SET into K`); the
    # embedding solves the whole model (partitioned solves are `archc.ray.partitioned` and
    # `solve_shard`/`merge_shards`), as `archc solve --partition off` does.
    whole = ["--partition", "off"] if re.search(r"^\s*partition\s+\S+\s+into\s", path.read_text(), re.M) else []
    expected = cli("solve", str(path), "--format", "json", "--quiet", "--solver", solver, *whole)
    assert solution.status == expected["status"]
    assert solution.objective == pytest.approx(expected["objective"]["value"], rel=1e-9)
    assert solution.verified
    if model.backend == "dp":
        assert solution.report["plans"] == expected["plans"]
        return
    # Same instance, same solver: the same plan, value for value.
    got = decision_values(solution.report)
    want = decision_values(expected)
    assert got.keys() == want.keys()
    for key, value in want.items():
        assert math.isclose(got[key], value, rel_tol=1e-9, abs_tol=1e-9), key
    # The DataFrame of each decision holds the same values, and zeros elsewhere.
    for name in model.decisions:
        df = solution.values(name)
        table = {_key(k, list(df.index.names)): v for k, v in zip(df.index, df[name])}
        assert len(table) == len(df)  # one row per instance
        nonzero = {k[1]: v for k, v in want.items() if k[0] == name}
        for index, value in nonzero.items():
            assert table[index] == pytest.approx(value, abs=1e-9)
        assert sum(1 for v in table.values() if v != 0) == len(nonzero)


def _key(k, names):
    if names == [None]:  # a decision without an index: one row
        return ()
    return k if isinstance(k, tuple) else (k,)
