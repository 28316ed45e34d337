"""Shared fixtures: the repository, the `archc` binary the CLI comparisons run, and the
examples' data read into pandas DataFrames."""

import json
import os
import subprocess
from pathlib import Path

import pandas as pd
import pytest

import archc

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"


def cli_binary() -> Path:
    """The `archc` binary: $ARCHC_BIN, else the debug build under the cargo target dir."""
    if os.environ.get("ARCHC_BIN"):
        return Path(os.environ["ARCHC_BIN"])
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    return target / "debug" / "archc"


@pytest.fixture(scope="session")
def cli():
    binary = cli_binary()
    if not binary.exists():
        pytest.fail(f"no archc binary at {binary}: run `cargo build -p archc-cli` or set ARCHC_BIN")

    def run(*args: str) -> dict:
        out = subprocess.run([str(binary), *args], capture_output=True, text=True, cwd=REPO)
        try:
            return json.loads(out.stdout)
        except json.JSONDecodeError:
            raise AssertionError(f"archc {' '.join(args)}: no JSON (exit {out.returncode})\n{out.stderr}")

    return run


def read_frame(path: Path):
    """A data file as a pandas DataFrame (JSON of another shape than records: the path)."""
    if path.suffix == ".csv":
        return pd.read_csv(path, comment="#", skipinitialspace=True)
    if path.suffix == ".tsv":
        return pd.read_csv(path, sep="\t", comment="#", skipinitialspace=True)
    with open(path) as f:
        doc = json.load(f)
    return pd.DataFrame(doc) if isinstance(doc, list) else path


def frames_for(model_path: Path) -> dict:
    """Every data slot of a model, read by pandas from the example's own files."""
    data = {}
    for slot in archc.slots(str(model_path)):
        if slot.path:
            data[slot.name] = read_frame(model_path.parent / slot.path)
    return data
