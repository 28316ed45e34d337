"""Data given from Python, turned into the text of the data files the model names.

A model loads data with ``regions from "data/regions.csv"`` and
``param demand[r in regions, q in quarters]: core from "data/demand.csv"``. From Python a
data entry is keyed by the set or param name (``"regions"``) or by the path as written
(``"data/regions.csv"``), and its value is a path to a file, a pandas or polars DataFrame
with the columns the file would have, a pandas Series or a dict (indexed params), or a list
of records. The core reads the text under the model's own path (an overlay of its file
layer): no temporary file is written, and data errors point into that path. Scalar params
(``param hours: h = 730 h``) take a number (the param's unit is added), a bool, or source
text (``"700 h"``)."""

from __future__ import annotations

import io
import json
import math
import os
from dataclasses import dataclass
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple


@dataclass(frozen=True)
class Slot:
    name: str
    kind: str  # "entities", "param" or "scalar"
    path: Optional[str]
    index: Tuple[str, ...]
    unit: str


def slots_of(text: str) -> List[Slot]:
    from . import _archc

    return [
        Slot(s["name"], s["kind"], s["path"], tuple(s["index"]), s["unit"])
        for s in json.loads(_archc.data_slots(text))
    ]


def _format(path: str) -> str:
    ext = os.path.splitext(path)[1].lower()
    return {".csv": "csv", ".tsv": "tsv", ".json": "json"}.get(ext, "csv")


def _is_pandas(value: Any, what: str) -> bool:
    return type(value).__module__.split(".")[0] == "pandas" and type(value).__name__ == what


def _is_polars(value: Any, what: str) -> bool:
    return type(value).__module__.split(".")[0] == "polars" and type(value).__name__ == what


def _pandas_frame(df: Any) -> Any:
    """A copy whose cells write the way the core reads them: named indexes as columns,
    booleans as true/false, whole floats as integers (``16``, not ``16.0``)."""
    import pandas as pd

    if any(n is not None for n in df.index.names):
        df = df.reset_index()
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if pd.api.types.is_bool_dtype(s):
            out[col] = s.map({True: "true", False: "false"})
        elif pd.api.types.is_float_dtype(s):
            finite = s.dropna()
            if len(finite) and bool(((finite % 1) == 0).all()) and bool((finite.abs() < 2**53).all()):
                out[col] = s.astype("Int64")
    return out


def _arrow_text(df: Any, sep: str) -> Optional[str]:
    """CSV text of a pandas DataFrame through pyarrow's writer (several times faster than
    ``to_csv`` on millions of rows), or None when pyarrow is missing or cannot take the
    frame. Cells are quoted only when a string holds a separator, a quote or a line break,
    so the text reads like the frame and diagnostics point at the same columns."""
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.csv as pcsv
    except ImportError:
        return None
    if any(n is not None for n in df.index.names):
        df = df.reset_index()
    try:
        table = pa.Table.from_pandas(df, preserve_index=False)
    except (pa.ArrowException, TypeError, ValueError):
        return None
    special = '[' + ('\t' if sep == '\t' else ',') + '"\n\r]'
    quote = any(ch in str(name) for name in table.column_names for ch in (sep, '"', "\n", "\r"))
    for col in table.columns:
        if pa.types.is_string(col.type) or pa.types.is_large_string(col.type):
            if pc.any(pc.match_substring_regex(col, special)).as_py():
                quote = True
        elif not (pa.types.is_integer(col.type) or pa.types.is_floating(col.type)
                  or pa.types.is_boolean(col.type) or pa.types.is_null(col.type)):
            return None  # dates, lists, objects: pandas writes them
    sink = io.BytesIO()
    # The header is written here: arrow quotes it whatever the quoting style.
    names_quoted = any(ch in str(n) for n in table.column_names for ch in (sep, '"', "\n", "\r"))
    if names_quoted:
        options = pcsv.WriteOptions(delimiter=sep, quoting_style="needed")
    else:
        sink.write((sep.join(map(str, table.column_names)) + "\n").encode("utf-8"))
        options = pcsv.WriteOptions(delimiter=sep, include_header=False,
                                    quoting_style="needed" if quote else "none")
    try:
        pcsv.write_csv(table, sink, options)
    except pa.ArrowException:
        return None
    return sink.getvalue().decode("utf-8")


def frame_text(df: Any, fmt: str) -> str:
    """The text of a pandas or polars DataFrame as a CSV, TSV or JSON (records) file."""
    if _is_polars(df, "DataFrame"):
        if fmt == "json":
            return json.dumps(df.to_dicts(), default=str)
        return df.write_csv(separator="\t" if fmt == "tsv" else ",")
    if fmt != "json":
        text = _arrow_text(df, "\t" if fmt == "tsv" else ",")
        if text is not None:
            return text
    df = _pandas_frame(df)
    if fmt == "json":
        return df.to_json(orient="records")
    return df.to_csv(index=False, sep="\t" if fmt == "tsv" else ",", lineterminator="\n")


def _records_frame(records: Sequence[Mapping[str, Any]]) -> Any:
    import pandas as pd

    return pd.DataFrame(list(records))


def _param_frame(value: Any, slot: Slot) -> Any:
    """A long-format frame (index columns, then ``value``) from a Series or a dict."""
    import pandas as pd

    columns = list(slot.index) + ["value"]
    if _is_pandas(value, "Series"):
        if value.index.nlevels != len(slot.index):
            raise ValueError(
                f"param `{slot.name}` has {len(slot.index)} index(es) ({', '.join(slot.index)}); "
                f"the Series has {value.index.nlevels} index level(s)"
            )
        df = value.reset_index()
        df.columns = columns
        return df
    if _is_polars(value, "Series"):
        return _param_frame(value.to_pandas(), slot)
    rows = []
    for key, v in value.items():
        key = key if isinstance(key, tuple) else (key,)
        if len(key) != len(slot.index):
            raise ValueError(
                f"param `{slot.name}` has {len(slot.index)} index(es) ({', '.join(slot.index)}); "
                f"the key {key!r} has {len(key)}"
            )
        rows.append(list(key) + [v])
    return pd.DataFrame(rows, columns=columns)


def _read_file(path: Any, written: str) -> str:
    given = os.fspath(path)
    if _format(given) != _format(written):
        raise ValueError(
            f"`{written}` is read as {_format(written).upper()}; the file `{given}` is not"
        )
    with open(given, "rb") as f:
        return f.read().decode("utf-8", errors="replace")


def entry_text(value: Any, slot: Optional[Slot], written: str) -> str:
    """The file text for one data entry, in the format of the path the model names."""
    fmt = _format(written)
    if isinstance(value, (str, os.PathLike)):
        return _read_file(value, written)
    if _is_pandas(value, "DataFrame") or _is_polars(value, "DataFrame"):
        return frame_text(value, fmt)
    if slot is not None and slot.kind == "param" and (
        _is_pandas(value, "Series") or _is_polars(value, "Series") or isinstance(value, Mapping)
    ):
        return frame_text(_param_frame(value, slot), fmt)
    if isinstance(value, Mapping):
        # Entities keyed by name: {"us-east": {"cores": 64}, ...}
        import pandas as pd

        df = pd.DataFrame.from_dict(value, orient="index")
        # The model's key column: `name`, or the column of `SET from "..." key COLUMN`.
        key = slot.index[0] if slot is not None and slot.kind == "entities" and slot.index else "name"
        df.index.name = key
        return frame_text(df.reset_index(), fmt)
    if isinstance(value, Sequence) and all(isinstance(r, Mapping) for r in value):
        return frame_text(_records_frame(value), fmt)
    raise TypeError(
        f"data for `{written}` must be a path, a pandas or polars DataFrame, a Series or dict "
        f"(indexed params) or a list of records, not {type(value).__name__}"
    )


def scalar_text(value: Any, slot: Slot) -> str:
    """The source text of a scalar param's value: numbers get the param's unit."""
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()  # numpy scalars
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"param `{slot.name}` must be a finite number, not {value}")
        number = repr(value)
        return f"{number} {slot.unit}" if slot.unit else number
    if isinstance(value, str):
        return value
    raise TypeError(f"param `{slot.name}` takes a number, a bool or source text, not {type(value).__name__}")


def resolve(
    text: Optional[str], data: Optional[Mapping[str, Any]], params: Optional[Mapping[str, Any]]
) -> Tuple[List[Tuple[str, str]], List[Tuple[str, str]]]:
    """The (path as written, text) data overlays and (param, source text) replacements."""
    slots = slots_of(text) if text is not None else []
    by_name = {s.name: s for s in slots}
    by_path = {s.path: s for s in slots if s.path}
    overlays: List[Tuple[str, str]] = []
    scalars: List[Tuple[str, str]] = []
    entries: Dict[str, Any] = {}
    for source in (data or {}), (params or {}):
        for key, value in source.items():
            if key in entries:
                raise ValueError(f"`{key}` is given twice")
            entries[key] = value
    for key, value in entries.items():
        slot = by_name.get(key) or by_path.get(key)
        if slot is not None and slot.kind == "scalar":
            scalars.append((slot.name, scalar_text(value, slot)))
            continue
        if slot is not None and slot.path:
            overlays.append((slot.path, entry_text(value, slot, slot.path)))
            continue
        if os.path.splitext(str(key))[1].lower() in (".csv", ".tsv", ".json"):
            # A path the main file does not name itself (a `use`d file's data, say).
            overlays.append((str(key), entry_text(value, None, str(key))))
            continue
        known = ", ".join(sorted(by_name)) or "none"
        if key in _computed_params(text):
            raise ValueError(
                f"`{key}` is an indexed param computed in the model; only params loaded "
                f"`from` a file take data (the model's data slots: {known})"
            )
        raise KeyError(f"the model has no set or param `{key}` loaded from data (its data slots: {known})")
    return overlays, scalars


def _computed_params(text: Optional[str]) -> List[str]:
    if not text:
        return []
    import re

    return re.findall(r"^\s*param\s+([A-Za-z_][\w-]*)\s*\[", text, flags=re.M)
