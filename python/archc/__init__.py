"""archc from Python: check, compile and solve ``.arch`` models with data frames in and out.

>>> import archc, pandas as pd
>>> regions = pd.DataFrame({"name": ["us-east", "eu-west"], "cores": [64, 32]})
>>> model = archc.compile('''
... kind region { cores: core = 0 core }
... regions from "regions.csv"
... decide replicas[r in regions]: int >= 0 <= 10
... constraint fit[r in regions]: 16 core * replicas[r] <= r.cores
... maximize served: sum(r in regions) replicas[r]
... ''', data={"regions": regions})
>>> solution = model.solve()
>>> solution.objective
6.0
>>> solution.values("replicas")["replicas"].tolist()
[4.0, 2.0]

The core runs in-process (a Rust extension): compiling and solving release the GIL, and
Ctrl-C interrupts a solve. Errors raise :class:`ArchError` subclasses per phase, carrying
the diagnostics. ``archc.ray`` runs sweeps of solves as Ray tasks.
"""

from __future__ import annotations

import os
from typing import Any, Mapping, Optional, Sequence, Union

from . import _archc
from ._data import resolve, slots_of
from ._diagnostics import Diagnostic, Diagnostics
from ._errors import (
    ArchError,
    ArchSyntaxError,
    ArchTypeError,
    DataError,
    InternalError,
    LoweringError,
    NameResolutionError,
    SolveError,
    UnitError,
    VerificationError,
    error_class,
)
from ._solution import Solution

__version__ = _archc.__version__

__all__ = [
    "check",
    "compile",
    "slots",
    "solvers",
    "Model",
    "Solution",
    "Diagnostic",
    "Diagnostics",
    "ArchError",
    "ArchSyntaxError",
    "NameResolutionError",
    "ArchTypeError",
    "UnitError",
    "DataError",
    "LoweringError",
    "SolveError",
    "VerificationError",
    "InternalError",
    "error_class",
]

PathLike = Union[str, "os.PathLike[str]"]


def solvers() -> list:
    """The MILP solvers built into this package, default first."""
    return list(_archc.solvers())


def _is_path(model: Any) -> bool:
    if isinstance(model, os.PathLike):
        return True
    if not isinstance(model, str):
        raise TypeError(f"a model is a path or source text, not {type(model).__name__}")
    if "\n" in model:
        return False
    return model.endswith(".arch") or os.path.isfile(model)


class _Input:
    """A model to analyse: a path, or source text with a name and a base directory."""

    def __init__(self, model: Any, name: Optional[str], base_dir: Optional[PathLike]):
        if _is_path(model):
            self.path: Optional[str] = os.fspath(model)
            self.source: Optional[str] = None
            self.name = self.path
            self.base_dir = None
            try:
                with open(self.path, "rb") as f:
                    self.text: Optional[str] = f.read().decode("utf-8", errors="replace")
            except OSError:
                self.text = None  # the core reports the unreadable file
        else:
            self.path = None
            self.source = model
            self.text = model
            self.name = name or "model.arch"
            self.base_dir = os.fspath(base_dir) if base_dir is not None else None

    def analyze(self, data, params, backend: str, compile: bool, max_file_size: Optional[int] = None):
        overlays, scalars = resolve(self.text, data, params)
        try:
            return _archc.analyze(
                self.path, self.source, self.name, self.base_dir, overlays, scalars, backend, compile,
                max_file_size,
            )
        except _archc.Panic as e:
            raise InternalError(str(e)) from None


def slots(model: PathLike, *, name: Optional[str] = None) -> list:
    """What a model (a path, or source text) can be given from Python: each set and param
    loaded ``from`` a file (name, path as written, index columns, unit) and each scalar
    param."""
    source = _Input(model, name, None)
    return slots_of(source.text) if source.text else []


def check(
    model: PathLike,
    data: Optional[Mapping[str, Any]] = None,
    params: Optional[Mapping[str, Any]] = None,
    *,
    name: Optional[str] = None,
    base_dir: Optional[PathLike] = None,
    max_file_size: Optional[int] = None,
) -> Diagnostics:
    """Check a model (a path, or source text) with its data as the CLI's ``archc check``
    does, and return every diagnostic (an empty list when it is clean).
    ``max_file_size`` caps the files read from disk, in bytes (default 1 GiB)."""
    diags, _ = _Input(model, name, base_dir).analyze(data, params, "auto", False, max_file_size)
    return Diagnostics.from_json(diags)


def compile(
    model: PathLike,
    data: Optional[Mapping[str, Any]] = None,
    params: Optional[Mapping[str, Any]] = None,
    *,
    name: Optional[str] = None,
    base_dir: Optional[PathLike] = None,
    backend: str = "auto",
    max_file_size: Optional[int] = None,
) -> "Model":
    """Compile a model (a path, or source text named ``name`` whose relative paths resolve
    against ``base_dir``) with data from Python; see :mod:`archc._data` for what a data
    entry may be. Raises the :class:`ArchError` of the first error's phase."""
    source = _Input(model, name, base_dir)
    diags, inner = source.analyze(data, params, backend, True, max_file_size)
    diagnostics = Diagnostics.from_json(diags)
    if inner is None:
        from ._errors import raise_for

        raise_for(diagnostics)
    return Model(inner, diagnostics, source, data, params, backend, max_file_size)


class Model:
    """A compiled model, instantiated over its data; :meth:`solve` it any number of times."""

    def __init__(self, inner, diagnostics, source, data, params, backend, max_file_size=None):
        self._inner = inner
        self.diagnostics: Diagnostics = diagnostics
        self._source = source
        self._data = data
        self._params = params
        self._backend = backend
        self._max_file_size = max_file_size

    @property
    def warnings(self) -> Diagnostics:
        return Diagnostics(self.diagnostics.warnings)

    @property
    def backend(self) -> str:
        """``"milp"`` or ``"dp"`` (plans solved by dynamic programming)."""
        return self._inner.backend

    @property
    def size(self) -> dict:
        columns, rows, nonzeros = self._inner.size
        return {"columns": columns, "rows": rows, "nonzeros": nonzeros}

    @property
    def decisions(self) -> list:
        return list(self._inner.decisions)

    @property
    def constraints(self) -> list:
        return list(self._inner.constraints)

    @property
    def slots(self) -> list:
        """The data the model loads ``from`` files and its scalar params."""
        return slots_of(self._source.text) if self._source.text else []

    def solve(
        self,
        solver: Optional[str] = None,
        time_limit: Optional[float] = None,
        gap: Optional[float] = None,
        backend: Optional[str] = None,
        *,
        threads: Optional[int] = None,
        explain: bool = False,
    ) -> Solution:
        """Solve and verify. ``solver``: ``"microlp"``, ``"highs"`` or ``"cbc"`` (see
        :func:`solvers`); ``time_limit`` in seconds; ``gap`` a relative MIP gap (0.01 =
        1%); ``backend`` ``"auto"``, ``"dp"`` or ``"milp"`` for models with plans (a
        different backend than the model was compiled for compiles it again); ``explain``
        also explains a solved plan (infeasible and unbounded ones always are).

        Returns a :class:`Solution` whatever the status (infeasible included, with its
        explanation); raises :class:`SolveError` when the solver fails and
        :class:`VerificationError` when its answer breaks the model. Ctrl-C stops HiGHS
        with its best plan (status ``"interrupted"``) and abandons the other solvers."""
        inner = self._inner
        if backend is not None and backend != self._backend:
            diags, inner = self._source.analyze(self._data, self._params, backend, True, self._max_file_size)
            if inner is None:
                from ._errors import raise_for

                raise_for(Diagnostics.from_json(diags))
        try:
            raw = inner.solve(solver, time_limit, gap, threads, explain)
        except _archc.Failure as e:
            from ._errors import raise_for

            raise_for(Diagnostics.from_json(e.args[0]))
        except _archc.Panic as e:
            raise InternalError(str(e)) from None
        return Solution(raw, inner)

    def set_param(self, name: str, value: float, index: Any = ()) -> None:
        """Change one value of param ``name`` for the next solve: ``value`` in the unit
        the param is declared with, ``index`` the element names (a tuple, or one name;
        none for a scalar param). The model is not parsed or checked again: the next
        solve takes every value changed so far into the compiled model — in place when
        the structure stays (only the declarations that read the param are built again),
        else by instantiating the model again. A param that is not a number, a value that
        is not finite (or not whole for an ``int`` param) or a wrong number of indices
        raises :class:`SolveError` (E0748) here; an index that names no element raises it
        at the solve. A ``backend=`` that compiles the model again starts from its data."""
        key = [index] if isinstance(index, str) else [str(i) for i in index]
        try:
            self._inner.set_param(name, key, float(value))
        except _archc.Failure as e:
            from ._errors import raise_for

            raise_for(Diagnostics.from_json(e.args[0]))
        except _archc.Panic as e:
            raise InternalError(str(e)) from None

    def clear_changes(self) -> None:
        """Forget every value changed by :meth:`set_param`: the next solve is on the
        values the model compiled with."""
        self._inner.clear_changes()

    def solve_shard(
        self,
        partition: str,
        part: int,
        *,
        seed: int = 1,
        solver: Optional[str] = None,
        time_limit: Optional[float] = None,
        gap: Optional[float] = None,
    ) -> str:
        """Solve part ``part`` (from 0) of a partitioned model: ``partition`` is
        ``"SET:K"`` (``""``: the model's own ``partition SET into K``), the elements of SET dealt at random (``seed``) into K parts, each with
        its share of every shared resource. Returns the part's plan as the JSON text of a
        shard file (``archc.shard/1``, what ``archc solve --partition SET:K --shard i/K``
        writes), for :meth:`merge_shards` here, in another process, or ``archc merge``."""
        try:
            return self._inner.solve_shard(partition, part, seed, solver, time_limit, gap)
        except _archc.Failure as e:
            from ._errors import raise_for

            raise_for(Diagnostics.from_json(e.args[0]))
        except _archc.Panic as e:
            raise InternalError(str(e)) from None

    def _split(self, partition: str, seed: int = 1):
        """(K, items of each part) of ``partition`` (``"SET:K"``) with ``seed``."""
        try:
            return self._inner.split(partition, seed)
        except _archc.Failure as e:
            from ._errors import raise_for

            raise_for(Diagnostics.from_json(e.args[0]))

    def merge_shards(
        self,
        shards: Sequence[Any],
        *,
        solver: Optional[str] = None,
        time_limit: Optional[float] = None,
    ) -> Solution:
        """Merge the shard files of every part (JSON texts, or ``(name, text)`` pairs) into
        one plan: checked to be the parts of one split of this model and data (E0732),
        merged, repaired where a shared row breaks, and verified against the full model.
        The :class:`Solution`'s ``scale`` says how (parts, repair, bound, gap)."""
        files = [s if isinstance(s, tuple) else (f"part {i}", s) for i, s in enumerate(shards)]
        try:
            raw = self._inner.merge_shards(files, solver, time_limit)
        except _archc.Failure as e:
            from ._errors import raise_for

            raise_for(Diagnostics.from_json(e.args[0]))
        except _archc.Panic as e:
            raise InternalError(str(e)) from None
        return Solution(raw, self._inner)

    def __repr__(self) -> str:
        s = self.size
        return (
            f"<archc.Model {self._source.name}: {self.backend}, {s['columns']} columns, "
            f"{s['rows']} rows, {len(self.diagnostics.warnings)} warning(s)>"
        )
