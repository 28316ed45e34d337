"""HTML of a solution for Jupyter: the headline, the verification, the report's charts (in a
frame, when the report has any), the objective's terms, each decision's non-zero values and each constraint's binding rows (the first rows of
each), and the explanation of an infeasible or unbounded model."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from ._solution import Solution

#: Rows shown per table.
ROWS = 20

_STATUS_COLOURS = {"optimal": "#1a7f37", "feasible": "#9a6700", "interrupted": "#9a6700"}


def _table(df, caption: str) -> str:
    shown = df.head(ROWS)
    more = len(df) - len(shown)
    tail = f"<p style='color:#666'>… {more} more rows</p>" if more > 0 else ""
    return f"<h4>{html.escape(caption)}</h4>{shown.to_html(escape=True)}{tail}"


def solution_html(s: "Solution") -> str:
    r = s.report
    colour = _STATUS_COLOURS.get(s.status, "#b00020")
    obj = ""
    if s.objective is not None:
        o = r["objective"]
        obj = f" · {html.escape(o['sense'])} <b>{html.escape(o['name'])}</b> = <b>{s.objective:,.6g}</b> {html.escape(o['unit'])}"
    parts = [
        f"<div><span style='color:{colour};font-weight:bold'>{html.escape(s.status)}</span>{obj}"
        f" · {html.escape(s.backend)} ({html.escape(s.solver)}) · {s.solve_time:.3f} s"
        f" · {r['size']['columns']:,} columns, {r['size']['rows']:,} rows</div>"
    ]
    v = s.verification
    if v is not None:
        ok = "verified" if v["ok"] else "NOT verified"
        parts.append(
            f"<div>{ok}: {v['violations']} violation(s), largest row violation {v['max_row_violation']:.3g}</div>"
        )
    if s.gap is not None and s.status != "optimal":
        parts.append(f"<div>gap {s.gap:.4%}</div>")
    page = s.to_html()
    if "<svg" in page:
        # The report's charts, in a frame of their own: its styles and script stay inside.
        parts.append(
            "<details open><summary>Charts (the full report: <code>Solution.to_html()</code>)</summary>"
            f"<iframe srcdoc=\"{html.escape(page, quote=True)}\" sandbox=\"allow-scripts\""
            " style='width:100%;height:560px;border:1px solid #ddd'></iframe></details>"
        )
    if s.explanation_text:
        parts.append(f"<h4>Explanation</h4><pre>{html.escape(s.explanation_text)}</pre>")
    terms = s.objective_terms()
    if len(terms) > 1:
        parts.append(_table(terms, "Objective terms"))
    if s.status in ("optimal", "feasible", "interrupted") and s.backend != "dp":
        for d in s.decisions:
            df = s.values(d, nonzero=True)
            parts.append(_table(df, f"{d} (non-zero: {len(df)})"))
        for c in s.constraints:
            df = s.constraint(c)
            binding = df[df["binding"]]
            parts.append(_table(binding, f"{c}: {len(binding)} of {len(df)} rows binding"))
    for plan in r.get("plans") or []:
        parts.append(f"<h4>plan {html.escape(str(plan.get('plan', '')))}</h4><pre>{html.escape(str(plan))[:2000]}</pre>")
    return "".join(parts)
