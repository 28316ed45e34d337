"""Exceptions of the archc package: one ArchError class per phase of the compiler, chosen
by the code of the first error (E01xx syntax, E02xx names, E03xx types, E04xx units, E05xx
data, E06xx lowering, E07xx solving), each carrying every diagnostic."""

from __future__ import annotations

from typing import TYPE_CHECKING, List, Optional

if TYPE_CHECKING:  # pragma: no cover
    from ._diagnostics import Diagnostic, Diagnostics


class ArchError(Exception):
    """A model that did not compile or solve. ``diagnostics`` holds every diagnostic
    (errors and warnings); ``code`` is the code of the first error; ``str(e)`` is their
    rendering, as the CLI prints it."""

    phase = "model"

    def __init__(self, message: str, diagnostics: Optional["Diagnostics"] = None):
        super().__init__(message)
        from ._diagnostics import Diagnostics

        self.diagnostics: Diagnostics = diagnostics if diagnostics is not None else Diagnostics([])

    @property
    def errors(self) -> List["Diagnostic"]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def code(self) -> Optional[str]:
        errors = self.errors
        return errors[0].code if errors else None

    @property
    def codes(self) -> List[str]:
        return [d.code for d in self.errors]

    def _repr_html_(self) -> str:
        return self.diagnostics._repr_html_()


class ArchSyntaxError(ArchError):
    """E01xx: the text does not parse."""

    phase = "syntax"


class NameResolutionError(ArchError):
    """E02xx: unknown or duplicate names, unreadable files."""

    phase = "names"


class ArchTypeError(ArchError):
    """E03xx: types."""

    phase = "types"


class UnitError(ArchError):
    """E04xx: units."""

    phase = "units"


class DataError(ArchError):
    """E05xx: data files and data frames."""

    phase = "data"


class LoweringError(ArchError):
    """E06xx: instantiation and lowering (sizes, missing values, plans)."""

    phase = "lowering"


class SolveError(ArchError):
    """E07xx: the solver failed, or a solution did not pass verification."""

    phase = "solve"


class VerificationError(SolveError):
    """E0702: the solver's answer broke the model; no unverified plan is returned."""


class InternalError(ArchError):
    """A bug in the core (a panic), caught before it crossed into Python."""

    phase = "internal"


_BY_RANGE = {
    "E01": ArchSyntaxError,
    "E02": NameResolutionError,
    "E03": ArchTypeError,
    "E04": UnitError,
    "E05": DataError,
    "E06": LoweringError,
    "E07": SolveError,
}


def error_class(code: Optional[str]) -> type:
    """The ArchError subclass of a diagnostic code."""
    if code == "E0702":
        return VerificationError
    if code is None:
        return ArchError
    return _BY_RANGE.get(code[:3], ArchError)


def raise_for(diagnostics: "Diagnostics") -> None:
    """Raise the error of the first error diagnostic, carrying them all."""
    errors = [d for d in diagnostics if d.severity == "error"]
    first = errors[0] if errors else None
    cls = error_class(first.code if first else None)
    message = "\n".join(d.rendered for d in errors) or "the model did not compile"
    raise cls(message, diagnostics)
