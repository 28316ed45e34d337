"""Many solves of one model as Ray tasks: a sweep over param values or data sets, each task
calling the archc core in-process (no CLI, no temporary file), results gathered in the
order of the scenarios.

>>> import ray, archc.ray
>>> ray.init(num_cpus=2)                                          # doctest: +SKIP
>>> results = archc.ray.sweep("fleet.arch", {h: {"hours": h} for h in (500, 730)})  # doctest: +SKIP
>>> results.frame()[["key", "status", "objective", "solve_s"]]    # doctest: +SKIP

A scenario is a mapping of overrides keyed like the data and params of
:func:`archc.compile` (set and param names, or paths as written in the model), laid over the
base ``data`` and ``params``. The driver turns every data entry into file text once (the
model's own data files included, read on the driver), so the tasks need nothing but the
``archc`` package: the same code runs against ``ray.init()`` on a laptop and against a
cluster (``address="ray://head:10001"`` or ``RAY_ADDRESS``).

Failures are never dropped: a model error (an :class:`archc.ArchError`) is reported in the
scenario's result with its code and diagnostics and is not retried (it would fail again);
any other failure of a task (a crashed worker, a lost node, an exception) is retried up to
``retries`` times and then reported. Each result carries its times: compile and solve
inside the task, the whole task, and the wall time from submission to result.
"""

from __future__ import annotations

import dataclasses
import json
import os
import socket
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from . import _archc
from ._data import resolve, slots_of

__all__ = ["sweep", "partitioned", "TaskResult", "SweepResult", "PartitionResult"]


@dataclass
class TaskResult:
    """The outcome of one scenario."""

    key: Any
    ok: bool
    status: Optional[str] = None
    objective: Optional[float] = None
    #: The report (schema ``archc.solution/1``), with ``explanation`` when there is one.
    report: Optional[Dict[str, Any]] = None
    #: Decision tables asked for with ``values=``, as pandas DataFrames.
    values: Dict[str, Any] = field(default_factory=dict)
    #: Constraint tables asked for with ``constraints=``.
    constraints: Dict[str, Any] = field(default_factory=dict)
    #: On failure: the exception's class and message, and for model errors the code and
    #: the diagnostics (as dicts).
    error: Optional[str] = None
    code: Optional[str] = None
    diagnostics: List[Dict[str, Any]] = field(default_factory=list)
    attempts: int = 0
    compile_s: Optional[float] = None
    solve_s: Optional[float] = None
    task_s: Optional[float] = None
    wall_s: Optional[float] = None
    worker: Optional[str] = None


class SweepResult(list):
    """The results of a sweep, one :class:`TaskResult` per scenario, in scenario order."""

    @property
    def failures(self) -> List[TaskResult]:
        return [r for r in self if not r.ok]

    def frame(self):
        """One row per scenario: key, ok, status, objective, times, attempts, error."""
        import pandas as pd

        cols = ["key", "ok", "status", "objective", "compile_s", "solve_s", "task_s", "wall_s",
                "attempts", "worker", "code", "error"]
        return pd.DataFrame([{c: getattr(r, c) for c in cols} for r in self], columns=cols)

    def raise_on_failure(self) -> "SweepResult":
        if self.failures:
            lines = [f"{r.key!r}: {r.error}" for r in self.failures]
            raise RuntimeError(f"{len(self.failures)} of {len(self)} scenarios failed:\n" + "\n".join(lines))
        return self


@dataclass(frozen=True)
class _Job:
    """What a task needs, as plain strings: picklable and independent of the driver's disk."""

    name: str
    text: str
    base_dir: Optional[str]
    overlays: Tuple[Tuple[str, str], ...]
    scalars: Tuple[Tuple[str, str], ...]
    backend: str
    solve: Tuple[Optional[str], Optional[float], Optional[float], Optional[int], bool]
    values: Tuple[str, ...]
    constraints: Tuple[str, ...]


def _in_task(key: Any, fail_first: int, attempt: int, body: Callable[[TaskResult], None]) -> TaskResult:
    """Run ``body`` as one task (a Ray worker, or the driver): it fills the result; a model
    error is reported in the result (not raised, not retried), a panic of the core becomes
    :class:`archc.InternalError`, and the times and the worker are recorded."""
    from ._errors import ArchError, InternalError

    start = time.perf_counter()
    worker = f"{socket.gethostname()}:{os.getpid()}"
    if attempt <= fail_first:
        raise RuntimeError(f"injected failure (attempt {attempt})")
    result = TaskResult(key=key, ok=False, worker=worker, attempts=attempt)
    try:
        try:
            body(result)
        except _archc.Panic as e:
            raise InternalError(str(e)) from None
        result.ok = True
    except ArchError as e:
        result.error = f"{type(e).__name__}: {e}"
        result.code = e.code
        result.diagnostics = [dataclasses.asdict(d) for d in e.diagnostics]
    result.task_s = time.perf_counter() - start
    return result


def _compile(job: Any, backend: str, result: TaskResult):
    """The task's model, compiled from the shipped text and data; its time in ``result``."""
    from . import Diagnostics
    from ._errors import raise_for

    t = time.perf_counter()
    diags, inner = _archc.analyze(None, job.text, job.name, job.base_dir, list(job.overlays),
                                  list(job.scalars), backend, True)
    result.compile_s = time.perf_counter() - t
    if inner is None:
        raise_for(Diagnostics.from_json(diags))
    return inner


def _calling(method, *args):
    """``method(*args)``, raising the :class:`archc.ArchError` of the core's diagnostics."""
    from . import Diagnostics
    from ._errors import raise_for

    try:
        return method(*args)
    except _archc.Failure as e:
        raise_for(Diagnostics.from_json(e.args[0]))


def _run(job: _Job, key: Any, fail_first: int = 0, attempt: int = 1) -> TaskResult:
    """One scenario, in the process that runs it (a Ray worker, or the driver)."""
    from ._solution import Solution

    def body(result: TaskResult) -> None:
        inner = _compile(job, job.backend, result)
        t = time.perf_counter()
        solution = Solution(_calling(inner.solve, *job.solve), inner)
        result.solve_s = time.perf_counter() - t
        result.status = solution.status
        result.objective = solution.objective
        result.report = solution.to_dict()
        result.values = {d: solution.values(d) for d in job.values}
        result.constraints = {c: solution.constraint(c) for c in job.constraints}

    return _in_task(key, fail_first, attempt, body)


def _model_source(model: Any, name: Optional[str], base_dir: Optional[str]) -> Tuple[str, str, Optional[str]]:
    from . import _is_path

    if _is_path(model):
        path = os.fspath(model)
        with open(path, "rb") as f:
            text = f.read().decode("utf-8", errors="replace")
        return os.path.basename(path), text, os.path.dirname(os.path.abspath(path))
    return name or "model.arch", model, os.fspath(base_dir) if base_dir is not None else None


def _shipped_files(text: str, base_dir: Optional[str], given: Iterable[str]) -> List[Tuple[str, str]]:
    """The model's own data files not given from Python, read on the driver."""
    given = set(given)
    out = []
    for slot in slots_of(text):
        if slot.path and slot.path not in given:
            path = os.path.join(base_dir or "", slot.path)
            if os.path.isfile(path):
                with open(path, "rb") as f:
                    out.append((slot.path, f.read().decode("utf-8", errors="replace")))
    return out


def sweep(
    model: Any,
    scenarios: Any,
    *,
    data: Optional[Mapping[str, Any]] = None,
    params: Optional[Mapping[str, Any]] = None,
    name: Optional[str] = None,
    base_dir: Optional[str] = None,
    backend: str = "auto",
    solver: Optional[str] = None,
    time_limit: Optional[float] = None,
    gap: Optional[float] = None,
    threads: Optional[int] = None,
    explain: bool = False,
    values: Sequence[str] = (),
    constraints: Sequence[str] = (),
    retries: int = 2,
    local: bool = False,
    address: Optional[str] = None,
    num_cpus: Optional[float] = 1,
    runtime_env: Optional[Dict[str, Any]] = None,
    on_result: Optional[Callable[[TaskResult], None]] = None,
    _fail_first: Optional[Mapping[Any, int]] = None,
) -> SweepResult:
    """Solve ``model`` once per scenario, as Ray tasks (``local=True``: in this process,
    one after the other, with the same code). ``scenarios`` is a mapping from a key to
    overrides, or a sequence of overrides (keyed by position). ``values`` and
    ``constraints`` name the tables each result brings back. ``num_cpus`` is what each
    task asks of Ray; ``address`` is passed to ``ray.init`` when Ray is not initialised
    yet; ``runtime_env`` to the tasks (e.g. ``{"pip": ["archc @ file:///..."]}``).
    ``on_result`` is called as each result arrives. Returns a :class:`SweepResult` in
    scenario order."""
    items = list(scenarios.items()) if isinstance(scenarios, Mapping) else list(enumerate(scenarios))
    fail_first = dict(_fail_first or {})
    model_name, text, model_dir = _model_source(model, name, base_dir)
    base_overlays, base_scalars = resolve(text, data, params)
    jobs = []
    for key, overrides in items:
        over_overlays, over_scalars = resolve(text, overrides, None)
        overlays = dict(base_overlays)
        overlays.update(over_overlays)
        scalars = dict(base_scalars)
        scalars.update(over_scalars)
        overlays.update(dict(_shipped_files(text, model_dir, overlays)))
        jobs.append((key, _Job(
            name=model_name, text=text, base_dir=model_dir,
            overlays=tuple(overlays.items()), scalars=tuple(scalars.items()), backend=backend,
            solve=(solver, time_limit, gap, threads, explain),
            values=tuple(values), constraints=tuple(constraints),
        )))
    if local:
        return _sweep_local(jobs, retries, fail_first, on_result)
    return _sweep_ray(jobs, retries, fail_first, on_result, address, num_cpus, runtime_env)


def _failure(key: Any, attempts: int, error: BaseException) -> TaskResult:
    return TaskResult(key=key, ok=False, attempts=attempts, error=f"{type(error).__name__}: {error}")


def _sweep_local(jobs, retries, fail_first, on_result, runner=None) -> SweepResult:
    runner = runner or _run
    out = SweepResult()
    for key, job in jobs:
        start = time.perf_counter()
        for attempt in range(1, retries + 2):
            try:
                r = runner(job, key, fail_first.get(key, 0), attempt)
                break
            except Exception as e:  # noqa: BLE001 - every failure is reported
                r = _failure(key, attempt, e)
        r.wall_s = time.perf_counter() - start
        if on_result:
            on_result(r)
        out.append(r)
    return out


def _sweep_ray(jobs, retries, fail_first, on_result, address, num_cpus, runtime_env, runner=None) -> SweepResult:
    import ray

    if not ray.is_initialized():
        ray.init(address=address)
    options: Dict[str, Any] = {"max_retries": 0, "num_cpus": num_cpus}
    if runtime_env:
        options["runtime_env"] = runtime_env
    task = ray.remote(runner or _run).options(**options)
    job_ref = {}
    pending = {}  # ref -> (index, attempt, submitted at)
    results: List[Optional[TaskResult]] = [None] * len(jobs)

    def submit(i: int, attempt: int) -> None:
        key, job = jobs[i]
        if i not in job_ref:
            job_ref[i] = ray.put(job)
        ref = task.remote(job_ref[i], key, fail_first.get(key, 0), attempt)
        pending[ref] = (i, attempt, pending_start[i])

    pending_start: Dict[int, float] = {}
    for i in range(len(jobs)):
        pending_start[i] = time.perf_counter()
        submit(i, 1)
    while pending:
        ready, _ = ray.wait(list(pending), num_returns=1)
        for ref in ready:
            i, attempt, started = pending.pop(ref)
            key = jobs[i][0]
            try:
                r = ray.get(ref)
            except Exception as e:  # noqa: BLE001 - a crashed worker, a lost node, a raise
                if attempt <= retries:
                    submit(i, attempt + 1)
                    continue
                r = _failure(key, attempt, e)
            r.wall_s = time.perf_counter() - started
            results[i] = r
            if on_result:
                on_result(r)
    return SweepResult(r for r in results if r is not None)


# Partitioned solves --------------------------------------------------------------------


@dataclass(frozen=True)
class _ShardJob:
    """One part of a partitioned solve, as plain strings."""

    name: str
    text: str
    base_dir: Optional[str]
    overlays: Tuple[Tuple[str, str], ...]
    scalars: Tuple[Tuple[str, str], ...]
    partition: str
    seed: int
    solve: Tuple[Optional[str], Optional[float], Optional[float]]


def _run_shard(job: _ShardJob, part: int, fail_first: int = 0, attempt: int = 1) -> TaskResult:
    """Solve one part in the process that runs it; the shard file comes back in ``report``."""

    def body(result: TaskResult) -> None:
        inner = _compile(job, "milp", result)
        t = time.perf_counter()
        solver, time_limit, gap = job.solve
        text = _calling(inner.solve_shard, job.partition, part, job.seed, solver, time_limit, gap)
        result.solve_s = time.perf_counter() - t
        shard = json.loads(text)
        result.status = shard["plan"]["status"]
        result.objective = shard["plan"].get("objective")
        result.report = shard

    return _in_task(part, fail_first, attempt, body)


@dataclass
class PartitionResult:
    """A partitioned solve run as tasks: one :class:`TaskResult` per part (key: the part,
    ``report``: its shard file), and the merged plan verified against the full model —
    None when a part failed after its retries (see ``tasks.failures``)."""

    tasks: SweepResult
    solution: Optional[Any] = None
    merge_s: Optional[float] = None

    def raise_on_failure(self) -> "PartitionResult":
        self.tasks.raise_on_failure()
        return self


def partitioned(
    model: Any,
    partition: Optional[str] = None,
    *,
    data: Optional[Mapping[str, Any]] = None,
    params: Optional[Mapping[str, Any]] = None,
    name: Optional[str] = None,
    base_dir: Optional[str] = None,
    seed: int = 1,
    solver: Optional[str] = None,
    time_limit: Optional[float] = None,
    gap: Optional[float] = None,
    retries: int = 2,
    local: bool = False,
    address: Optional[str] = None,
    num_cpus: Optional[float] = 1,
    runtime_env: Optional[Dict[str, Any]] = None,
    on_result: Optional[Callable[[TaskResult], None]] = None,
    _fail_first: Optional[Mapping[Any, int]] = None,
) -> PartitionResult:
    """Solve ``model`` partitioned: ``partition`` is ``"SET:K"``, or None for the model's own
    ``partition SET into K`` (an error when it names none); each of the K parts (the
    elements of SET dealt at random with ``seed``, each part with its share of every shared
    resource) is solved by a Ray task calling the core in-process (``local=True``: here,
    one after the other), and the parts' shard files are merged on the driver with the
    merge of ``archc merge``: checked to belong together, repaired, verified against the
    full model. ``time_limit`` applies to each part. The same seed gives the same plan as
    ``archc solve --partition SET:K --seed N`` and as its shards merged by ``archc merge``.
    Failures are retried and reported as in :func:`sweep`; a part that still fails leaves
    ``solution`` None."""
    from . import compile as compile_model

    fail_first = dict(_fail_first or {})
    # The empty partition is the model's own, for the driver and every task alike.
    partition = partition or ""
    model_name, text, model_dir = _model_source(model, name, base_dir)
    overlays, scalars = resolve(text, data, params)
    overlays = dict(overlays)
    overlays.update(dict(_shipped_files(text, model_dir, overlays)))
    job = _ShardJob(
        name=model_name, text=text, base_dir=model_dir, overlays=tuple(overlays.items()),
        scalars=tuple(dict(scalars).items()), partition=partition, seed=seed,
        solve=(solver, time_limit, gap),
    )
    # The full model is compiled here first: a model error or a bad partition is raised
    # before any task runs, and the merge needs it.
    full = compile_model(model, data=data, params=params, name=name, base_dir=base_dir, backend="milp")
    parts, _ = full._split(partition, seed)
    jobs = [(p, job) for p in range(parts)]
    if local:
        tasks = _sweep_local(jobs, retries, fail_first, on_result, _run_shard)
    else:
        tasks = _sweep_ray(jobs, retries, fail_first, on_result, address, num_cpus, runtime_env, _run_shard)
    result = PartitionResult(tasks=tasks)
    if tasks.failures:
        return result
    start = time.perf_counter()
    result.solution = full.merge_shards([(f"part {r.key}", json.dumps(r.report)) for r in tasks],
                                        solver=solver, time_limit=time_limit)
    result.merge_s = time.perf_counter() - start
    return result
