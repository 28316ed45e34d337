"""Diagnostics as Python values: code, severity, message, file, line, column and the
rendered text the CLI prints; a list of them renders as HTML in Jupyter."""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional


@dataclass(frozen=True)
class Diagnostic:
    code: str
    severity: str
    message: str
    file: Optional[str]
    line: Optional[int]
    column: Optional[int]
    rendered: str
    help: Optional[str] = None
    notes: List[str] = field(default_factory=list)
    labels: List[Dict[str, Any]] = field(default_factory=list)

    @classmethod
    def from_json(cls, d: Dict[str, Any]) -> "Diagnostic":
        labels = d.get("labels") or []
        primary = next((l for l in labels if l.get("primary")), labels[0] if labels else None)
        return cls(
            code=d["code"],
            severity=d["severity"],
            message=d["message"],
            file=primary["file"] if primary else None,
            line=primary["line"] if primary else None,
            column=primary["column"] if primary else None,
            rendered=d.get("rendered", d["message"]),
            help=d.get("help"),
            notes=list(d.get("notes") or []),
            labels=list(labels),
        )

    def __str__(self) -> str:
        return self.rendered

    def _repr_html_(self) -> str:
        return Diagnostics([self])._repr_html_()


_COLOURS = {"error": "#b00020", "warning": "#9a6700", "note": "#0b5cad"}


class Diagnostics(list):
    """A list of :class:`Diagnostic`, rendered as HTML in notebooks."""

    @classmethod
    def from_json(cls, text: str) -> "Diagnostics":
        return cls(Diagnostic.from_json(d) for d in json.loads(text))

    @property
    def errors(self) -> List[Diagnostic]:
        return [d for d in self if d.severity == "error"]

    @property
    def warnings(self) -> List[Diagnostic]:
        return [d for d in self if d.severity == "warning"]

    def __str__(self) -> str:
        return "\n".join(d.rendered for d in self)

    def _repr_html_(self) -> str:
        if not self:
            return "<p><b>no diagnostics</b></p>"
        parts = []
        for d in self:
            colour = _COLOURS.get(d.severity, "#333")
            where = f"{d.file}:{d.line}:{d.column}" if d.file else ""
            parts.append(
                f'<div style="margin-bottom:0.6em">'
                f'<span style="color:{colour};font-weight:bold">{html.escape(d.code)} '
                f"{html.escape(d.severity)}</span>: {html.escape(d.message)} "
                f'<span style="color:#666">{html.escape(where)}</span>'
                f'<pre style="margin:0.2em 0">{html.escape(d.rendered)}</pre></div>'
            )
        return "".join(parts)
