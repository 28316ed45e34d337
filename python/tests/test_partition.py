"""Partitioned solves from Python: a part solved into its shard file, shards merged into one
plan verified against the full model, and archc.ray.partitioned running the parts as tasks
(in process and on a local Ray instance). The plan equals the CLI's `--partition` solve
with the same seed, and shards move between Python and `archc merge` in both directions."""

import json
import subprocess

import pandas as pd
import pytest

import archc
import archc.ray as aray
from conftest import EXAMPLES, REPO, cli_binary, frames_for

MODEL = EXAMPLES / "scale" / "placement.arch"
PARTITION = "jobs:4"


@pytest.fixture(scope="module")
def data():
    return frames_for(MODEL)


@pytest.fixture(scope="module")
def cli_plan(cli):
    return cli("solve", str(MODEL), "--partition", PARTITION, "--seed", "3", "--format", "json", "-q")


def assign_values(report: dict) -> dict:
    """`assign`'s nonzero values of a report, keyed by index."""
    for d in report["decisions"]:
        if d["name"] == "assign":
            return {tuple(v["index"]): v["value"] for v in d["values"] if v["value"] != 0}
    raise AssertionError("no decision `assign` in the report")


def test_local_partitioned_solve_equals_the_cli(data, cli_plan):
    result = aray.partitioned(str(MODEL), PARTITION, data=data, seed=3, local=True)
    assert not result.tasks.failures
    assert [t.key for t in result.tasks] == [0, 1, 2, 3]
    for t in result.tasks:
        assert t.report["schema"] == "archc.shard/1" and t.report["plan"]["part"] == t.key
        assert t.compile_s > 0 and t.solve_s >= 0 and t.attempts == 1
    s = result.solution
    assert s.verified and s.status == cli_plan["status"]
    assert s.objective == cli_plan["objective"]["value"]
    assert assign_values(s.report) == assign_values(cli_plan)
    scale = s.scale
    assert (scale["method"], scale["set"], scale["k"], scale["seed"]) == ("merged shards", "jobs", 4, 3)
    assert sum(p["items"] for p in scale["parts"]) == 40
    # The merged plan is a plan of the full model: every job on one open site.
    assign = s.values("assign")
    per_job = assign.groupby(level=0)["assign"].sum()
    assert (per_job == 1).all() and len(per_job) == 40


def test_the_models_own_partition_is_taken_when_none_is_given(data, cli_plan):
    # partitioned.arch uses placement.arch (whose files it loads) and declares `partition
    # jobs into 4`.
    model = EXAMPLES / "scale" / "partitioned.arch"
    result = aray.partitioned(str(model), seed=3, local=True)
    assert not result.tasks.failures
    assert [t.key for t in result.tasks] == [0, 1, 2, 3]
    s = result.solution
    assert s.verified
    assert (s.scale["set"], s.scale["k"], s.scale["partition_from"]) == ("jobs", 4, "model")
    assert assign_values(s.report) == assign_values(cli_plan)
    # A model that names no partition: E0730 without SET:K.
    with pytest.raises(archc.ArchError) as e:
        aray.partitioned(str(MODEL), data=data, local=True)
    assert e.value.code == "E0730"


def test_python_shards_merge_in_the_cli_and_cli_shards_merge_in_python(data, cli_plan, tmp_path):
    model = archc.compile(str(MODEL), data=data)
    paths = []
    for part in range(4):
        text = model.solve_shard(PARTITION, part, seed=3)
        path = tmp_path / f"part{part}.json"
        path.write_text(text)
        paths.append(str(path))
    out = subprocess.run([str(cli_binary()), "merge", str(MODEL), *paths, "--format", "json", "-q"],
                         capture_output=True, text=True, cwd=REPO)
    merged = json.loads(out.stdout)
    assert merged["objective"]["value"] == cli_plan["objective"]["value"]
    assert assign_values(merged) == assign_values(cli_plan)

    texts = []
    for part in range(4):
        path = tmp_path / f"cli{part}.json"
        subprocess.run([str(cli_binary()), "solve", str(MODEL), "--partition", PARTITION, "--seed", "3",
                        "--shard", f"{part}/4", "--out", str(path), "-q"], check=True, cwd=REPO)
        texts.append(path.read_text())
    s = model.merge_shards(texts)
    assert s.verified and s.objective == cli_plan["objective"]["value"]


def test_bad_partitions_and_shards_raise_with_their_codes(data):
    with pytest.raises(archc.ArchError) as e:
        aray.partitioned(str(MODEL), "jobs", data=data, local=True)
    assert e.value.code == "E0730"
    with pytest.raises(archc.ArchError) as e:
        aray.partitioned(str(MODEL), "hosts:2", data=data, local=True)
    assert e.value.code == "E0255"
    model = archc.compile(str(MODEL), data=data)
    with pytest.raises(archc.ArchError) as e:
        model.solve_shard(PARTITION, 4)
    assert e.value.code == "E0731"
    shards = [model.solve_shard(PARTITION, p) for p in range(3)]
    with pytest.raises(archc.ArchError) as e:
        model.merge_shards(shards)  # part 3 missing
    assert e.value.code == "E0732"
    with pytest.raises(archc.ArchError) as e:
        model.merge_shards(["not json"] + shards)
    assert e.value.code == "E0580"


@pytest.fixture(scope="module")
def local_ray():
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def test_ray_partitioned_equals_in_process_and_retries_failed_parts(data, cli_plan, local_ray):
    result = aray.partitioned(str(MODEL), PARTITION, data=data, seed=3, retries=1, _fail_first={2: 1})
    assert not result.tasks.failures
    assert [t.attempts for t in result.tasks] == [1, 1, 2, 1]
    assert all(t.wall_s >= t.task_s > 0 for t in result.tasks)
    assert len({t.worker for t in result.tasks}) >= 1
    s = result.solution
    assert s.verified and s.objective == cli_plan["objective"]["value"]
    assert assign_values(s.report) == assign_values(cli_plan)
    assert result.merge_s > 0

    failed = aray.partitioned(str(MODEL), PARTITION, data=data, seed=3, retries=0, _fail_first={1: 1})
    assert [t.key for t in failed.tasks.failures] == [1]
    assert failed.solution is None
    with pytest.raises(RuntimeError, match="1 of 4"):
        failed.raise_on_failure()
    frame = failed.tasks.frame()
    assert isinstance(frame, pd.DataFrame) and list(frame["ok"]) == [True, False, True, True]
