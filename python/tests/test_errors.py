"""Every error path raises: each error fixture of the compiler raises the ArchError of its
phase with the same diagnostics as the CLI's `archc check --format json`, and misuse of
the Python API (bad data frames, unknown names, bad solve options) raises with the right
code or the right Python exception."""

import pandas as pd
import pytest

import archc
from conftest import REPO

FIXTURES = REPO / "crates" / "archc-cli" / "tests" / "fixtures"
# Fixtures whose first line is `// args: ...` are errors of command-line flags on a model
# that compiles (`--alternatives 0`): the CLI's tests run them, not the compile path here.
ERR_FIXTURES = sorted(
    p for p in FIXTURES.glob("*/err/*.arch") if not p.read_text().startswith("// args:")
)

MODEL = """
kind region { cores: core = 0 core }
regions from "data/regions.csv"
param hours: h = 730 h
param price[r in regions]: usd/core/h from "data/price.csv"
decide replicas[r in regions]: int >= 0 <= 10
constraint fit[r in regions]: 16 core * replicas[r] <= r.cores
minimize cost: sum(r in regions) price[r] * 16 core * replicas[r] * hours - 1 usd * sum(r in regions) replicas[r] * 1000
"""

REGIONS = pd.DataFrame({"name": ["us-east", "eu-west"], "cores": [64, 32]})
PRICE = pd.Series([0.03, 0.04], index=pd.Index(["us-east", "eu-west"], name="r"))


def test_there_are_error_fixtures():
    assert len(ERR_FIXTURES) > 50


@pytest.mark.parametrize("path", ERR_FIXTURES, ids=[str(p.relative_to(FIXTURES)) for p in ERR_FIXTURES])
def test_error_fixture_raises_its_phase_with_the_clis_diagnostics(path, cli):
    # The fixture harness's one option: `// max-file-size: BYTES` on the first line.
    first = path.read_text().splitlines()[0]
    limit = int(first.split(":")[1]) if first.startswith("// max-file-size:") else None
    extra = ["--max-file-size", str(limit)] if limit else []
    expected = cli("check", str(path), "--format", "json", *extra)
    want = [(d["code"], d["severity"], d["message"]) for d in expected]
    diagnostics = archc.check(str(path), max_file_size=limit)
    assert [(d.code, d.severity, d.message) for d in diagnostics] == want
    first_error = next(d for d in expected if d["severity"] == "error")
    with pytest.raises(archc.ArchError) as info:
        archc.compile(str(path), max_file_size=limit)
    assert type(info.value) is archc.error_class(first_error["code"])
    assert info.value.code == first_error["code"]
    assert [d.code for d in info.value.diagnostics] == [d["code"] for d in expected]
    primary = next(l for l in first_error["labels"] if l["primary"]) if first_error["labels"] else None
    if primary:
        got = info.value.errors[0]
        assert (got.file, got.line, got.column) == (primary["file"], primary["line"], primary["column"])
        assert first_error["code"] in got.rendered


def test_phases_map_to_classes():
    assert archc.error_class("E0101") is archc.ArchSyntaxError
    assert archc.error_class("E0201") is archc.NameResolutionError
    assert archc.error_class("E0301") is archc.ArchTypeError
    assert archc.error_class("E0401") is archc.UnitError
    assert archc.error_class("E0504") is archc.DataError
    assert archc.error_class("E0609") is archc.LoweringError
    assert archc.error_class("E0701") is archc.SolveError
    assert archc.error_class("E0702") is archc.VerificationError
    assert issubclass(archc.VerificationError, archc.SolveError)


def test_the_model_compiles_with_good_frames():
    m = archc.compile(MODEL, data={"regions": REGIONS, "price": PRICE})
    assert m.solve().status == "optimal"


def test_a_bad_cell_in_a_data_frame_is_a_data_error_at_the_models_path():
    bad = pd.DataFrame({"name": ["us-east", "eu-west"], "cores": ["64", "3x2"]})
    with pytest.raises(archc.DataError) as info:
        archc.compile(MODEL, data={"regions": bad, "price": PRICE})
    e = info.value
    assert e.code == "E0504"
    assert e.errors[0].file.endswith("data/regions.csv")
    assert (e.errors[0].line, e.errors[0].column) == (3, 9)
    assert "E0504" in str(e)


def test_a_missing_column_is_e0503():
    with pytest.raises(archc.DataError) as info:
        price = pd.DataFrame({"place": ["us-east", "eu-west"], "value": [0.03, 0.04]})
        archc.compile(MODEL, data={"regions": REGIONS, "price": price})
    assert info.value.code == "E0503"


def test_an_unknown_element_in_a_param_series_is_e0511():
    price = pd.Series([0.03], index=pd.Index(["us-esat"], name="r"))
    with pytest.raises(archc.DataError) as info:
        archc.compile(MODEL, data={"regions": REGIONS, "price": price})
    assert info.value.code == "E0511"


def test_a_missing_data_frame_leaves_the_file_unreadable():
    with pytest.raises(archc.ArchError) as info:
        archc.compile(MODEL, data={"regions": REGIONS}, base_dir="/nonexistent-archc")
    assert info.value.code == "E0501"


def test_a_scalar_param_with_the_wrong_unit_is_a_unit_error():
    with pytest.raises(archc.UnitError):
        archc.compile(MODEL, data={"regions": REGIONS, "price": PRICE}, params={"hours": "700 core"})


def test_a_scalar_param_number_gets_the_params_unit():
    base = archc.compile(MODEL, data={"regions": REGIONS, "price": PRICE}).solve()
    half = archc.compile(MODEL, data={"regions": REGIONS, "price": PRICE}, params={"hours": 365}).solve()
    assert base.status == half.status == "optimal"
    assert half.objective != base.objective


def test_unknown_names_and_wrong_types_are_python_errors():
    with pytest.raises(KeyError, match="no set or param `nope`"):
        archc.compile(MODEL, data={"regions": REGIONS, "price": PRICE, "nope": REGIONS})
    with pytest.raises(TypeError):
        archc.compile(MODEL, data={"regions": 5, "price": PRICE})
    with pytest.raises(ValueError, match="index"):
        archc.compile(MODEL, data={"regions": REGIONS, "price": {("us-east", "x"): 1.0}})
    with pytest.raises(ValueError, match="given twice"):
        archc.compile(MODEL, data={"regions": REGIONS, "price": PRICE}, params={"price": PRICE})
    with pytest.raises(ValueError, match="is read as CSV"):
        archc.compile(MODEL, data={"regions": str(REPO / "examples/placement/data/services.json"), "price": PRICE})
    with pytest.raises(TypeError):
        archc.compile(42)


def test_bad_solve_options_are_value_errors():
    m = archc.compile(MODEL, data={"regions": REGIONS, "price": PRICE})
    for kwargs in ({"gap": 2.0}, {"gap": -0.1}, {"time_limit": 0}, {"time_limit": float("nan")},
                   {"solver": "gurobi"}, {"backend": "fast"}, {"threads": 0}):
        with pytest.raises(ValueError):
            m.solve(**kwargs)


@pytest.mark.skipif("highs" in archc.solvers(), reason="HiGHS is built in")
def test_a_solver_not_built_in_is_e0701():
    m = archc.compile(MODEL, data={"regions": REGIONS, "price": PRICE})
    with pytest.raises(archc.SolveError) as info:
        m.solve(solver="highs")
    assert info.value.code == "E0701"


def test_an_unreadable_model_file_raises_with_a_code():
    with pytest.raises(archc.ArchError) as info:
        archc.compile("/nonexistent-archc/model.arch")
    assert info.value.code is not None and info.value.code.startswith("E")


def test_unknown_decisions_and_constraints_are_key_errors():
    s = archc.compile(MODEL, data={"regions": REGIONS, "price": PRICE}).solve()
    with pytest.raises(KeyError):
        s.values("fit")
    with pytest.raises(KeyError):
        s.constraint("replicas")
