"""A solved model from Python: status, objective, decisions and constraints as data
frames, the verification report and the explanation; rendered as HTML in notebooks."""

from __future__ import annotations

import html
import json
from typing import Any, Dict, List, Optional

from . import _archc


def _frame(table, value_name: Optional[str], frame: str):
    index_names, index, columns = table
    data: Dict[str, Any] = {}
    for name, col in zip(index_names, index):
        data[name] = col
    for name, col in columns:
        data[value_name if (value_name and name == "value") else name] = col
    if frame == "polars":
        import polars as pl

        return pl.DataFrame(data)
    if frame != "pandas":
        raise ValueError(f'frame must be "pandas" or "polars", not {frame!r}')
    import pandas as pd

    df = pd.DataFrame(data)
    if index_names:
        df = df.set_index(list(index_names))
    return df


class Solution:
    """The verified outcome of :meth:`archc.Model.solve`."""

    def __init__(self, raw, model):
        self._raw = raw
        self._model = model
        self.report: Dict[str, Any] = json.loads(raw.report_json())
        explanation = raw.explanation_json()
        self.explanation: Optional[Dict[str, Any]] = json.loads(explanation) if explanation else None
        self.explanation_text: Optional[str] = raw.explanation_text()

    # The headline -------------------------------------------------------------------

    @property
    def status(self) -> str:
        """``optimal``, ``feasible``, ``infeasible``, ``unbounded``, ``error``,
        ``time_limit`` or ``interrupted`` (as ``archc solve --format json``)."""
        return self.report["status"]

    @property
    def objective(self) -> Optional[float]:
        o = self.report.get("objective")
        return o["value"] if o else None

    @property
    def objective_unit(self) -> Optional[str]:
        o = self.report.get("objective")
        return o["unit"] if o else None

    @property
    def gap(self) -> Optional[float]:
        return self.report.get("gap")

    @property
    def solver(self) -> str:
        return self.report["solver"]

    @property
    def backend(self) -> str:
        return self.report["backend"]

    @property
    def solve_time(self) -> float:
        """Seconds the solver took."""
        return self.report["solve_time_ms"] / 1000.0

    @property
    def scale(self) -> Optional[Dict[str, Any]]:
        """For a partitioned or merged solve: the method, the set split, k, seed, each
        part's items, status, time and objective, the repair, the bound and the gap (as
        ``archc solve --format json``'s ``scale``); None otherwise."""
        return self.report.get("scale")

    @property
    def verification(self) -> Optional[Dict[str, Any]]:
        """``{"ok", "max_row_violation", "violations"}``: the plan checked against every
        row and bound of the model, or None without a plan."""
        return self.report.get("verification")

    @property
    def verified(self) -> bool:
        v = self.verification
        return bool(v and v["ok"])

    @property
    def decisions(self) -> List[str]:
        return list(self._model.decisions)

    @property
    def constraints(self) -> List[str]:
        return list(self._model.constraints)

    # Tables -------------------------------------------------------------------------

    def values(self, decision: str, *, nonzero: bool = False, bounds: bool = False, frame: str = "pandas"):
        """Every instance of ``decision`` as a DataFrame indexed by its index variables
        (``s``, ``r``), the value in a column named after the decision; ``bounds`` adds
        ``lb`` and ``ub``; ``nonzero`` keeps the instances that are not 0. Values are NaN
        when there is no plan. ``frame="polars"`` gives a polars DataFrame (index
        variables as columns)."""
        try:
            table = self._raw.decision_table(decision)
        except _archc.Panic as e:
            from ._errors import InternalError

            raise InternalError(str(e)) from None
        if not bounds:
            table = (table[0], table[1], [c for c in table[2] if c[0] == "value"])
        df = _frame(table, decision, frame)
        if nonzero:
            df = df[df[decision] != 0] if frame == "pandas" else df.filter(df[decision] != 0)
        return df

    def value(self, decision: str, *index: str) -> float:
        """The value of ``decision[index...]``; KeyError for an instance that does not exist."""
        df = self.values(decision)
        key = index[0] if len(index) == 1 else tuple(index)
        try:
            return float(df.loc[key, decision]) if index else float(df[decision].iloc[0])
        except KeyError:
            raise KeyError(f"{decision}[{', '.join(index)}] is not an instance of the model") from None

    def constraint(self, name: str, *, frame: str = "pandas"):
        """Every row of constraint ``name``: ``activity``, bounds ``lo`` and ``hi``
        (infinite when open), ``slack`` (distance to the nearer bound), ``dual`` (NaN when
        the solver gives none) and ``binding``."""
        try:
            table = self._raw.constraint_table(name)
        except _archc.Panic as e:
            from ._errors import InternalError

            raise InternalError(str(e)) from None
        df = _frame(table, None, frame)
        if frame == "pandas":
            scale = df[["lo", "hi"]].abs().where(lambda x: x != float("inf"), 0).max(axis=1).clip(lower=1.0)
            df["binding"] = df["slack"].abs() <= 1e-6 * scale
        return df

    def objective_terms(self):
        """The objective's terms as written in the model, with their values."""
        import pandas as pd

        o = self.report.get("objective") or {"terms": []}
        return pd.DataFrame(o["terms"], columns=["label", "value"])

    def to_dict(self) -> Dict[str, Any]:
        """The report (schema ``archc.solution/1``), with the explanation when there is one."""
        d = dict(self.report)
        if self.explanation is not None:
            d["explanation"] = self.explanation
        return d

    def to_json(self, indent: Optional[int] = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent)

    def __repr__(self) -> str:
        obj = "" if self.objective is None else f", objective {self.objective:g} {self.objective_unit or ''}".rstrip()
        return f"<archc.Solution {self.status}{obj}, {self.solver}, {self.solve_time:.3f} s>"

    # HTML and Jupyter ---------------------------------------------------------------

    def to_html(self) -> str:
        """The HTML report as ``archc solve --html`` writes it: one self-contained page with
        the verification, the objective, the charts (utilisation of capacities, values over
        ordered periods, the network on a map) and every decision."""
        return self._raw.report_html()

    def save_html(self, path) -> None:
        """Write :meth:`to_html` to ``path``."""
        with open(path, "w", encoding="utf-8") as f:
            f.write(self.to_html())

    def _repr_html_(self) -> str:
        from ._html import solution_html

        return solution_html(self)
