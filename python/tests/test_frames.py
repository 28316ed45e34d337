"""Data frames in and out: pandas and polars inputs give the same model as the files;
decision and constraint tables agree with the report; a solution's table fed back as data
reproduces it; params as dicts and Series; HTML for notebooks."""

import json

import pandas as pd
import polars as pl
import pytest

import archc
from conftest import EXAMPLES, frames_for

PLACEMENT = EXAMPLES / "placement" / "global.arch"
CAPACITY = EXAMPLES / "capacity" / "buildout.arch"


@pytest.fixture(scope="module")
def placement():
    return archc.compile(str(PLACEMENT), data=frames_for(PLACEMENT)).solve()


def test_values_are_indexed_by_the_decisions_index_variables(placement):
    df = placement.values("replicas")
    assert list(df.index.names) == ["s", "r"]
    assert list(df.columns) == ["replicas"]
    report = {d["name"]: d for d in placement.report["decisions"]}["replicas"]
    assert len(df) == report["count"]  # every instance, zeros included
    nonzero = placement.values("replicas", nonzero=True)
    assert len(nonzero) == len(report["values"])
    assert placement.value("replicas", "checkout", "us-east") == df.loc[("checkout", "us-east"), "replicas"]


def test_bounds_come_with_values_when_asked(placement):
    df = placement.values("replicas", bounds=True)
    assert list(df.columns) == ["replicas", "lb", "ub"]
    assert (df["replicas"] >= df["lb"]).all() and (df["replicas"] <= df["ub"]).all()


def test_constraint_activity_and_slack_agree_with_the_report(placement):
    df = placement.constraint("cores_fit")
    assert list(df.index.names) == ["r"]
    rows = {r["index"][0]: r for c in placement.report["constraints"] if c["name"] == "cores_fit" for r in c["rows"]}
    assert len(df) == len(rows)
    for region, row in rows.items():
        assert df.loc[region, "activity"] == pytest.approx(row["activity"])
        assert df.loc[region, "hi"] == row["hi"]
        assert df.loc[region, "slack"] == pytest.approx(row["hi"] - row["activity"])
        assert bool(df.loc[region, "binding"]) == row["binding"]


def test_polars_in_and_out_equals_pandas(placement):
    data = {k: (pl.from_pandas(v) if isinstance(v, pd.DataFrame) else v) for k, v in frames_for(PLACEMENT).items()}
    s = archc.compile(str(PLACEMENT), data=data).solve()
    assert s.objective == placement.objective
    out = s.values("replicas", frame="polars")
    assert isinstance(out, pl.DataFrame)
    assert out.columns == ["s", "r", "replicas"]
    assert out["replicas"].sum() == placement.values("replicas")["replicas"].sum()


def test_a_solution_table_round_trips_as_data():
    """The build-out's `build` plan, written back as a param of a model that fixes it,
    gives the same cost: values out as a DataFrame, in again as a Series."""
    first = archc.compile(str(CAPACITY)).solve()
    build = first.values("build")
    assert build.index.nlevels >= 1
    table = build["build"]
    text = CAPACITY.read_text()
    idx = ", ".join(f"{n} in {s}" for n, s in zip(build.index.names, _sets_of(text, "build")))
    fixed = text + f"\nparam planned[{idx}]: int from \"planned.csv\"\n" + \
        f"constraint keep[{idx}]: build[{', '.join(build.index.names)}] == planned[{', '.join(build.index.names)}]\n"
    second = archc.compile(fixed, name="fixed.arch", base_dir=CAPACITY.parent,
                           data={"planned": table}).solve()
    assert second.objective == pytest.approx(first.objective)
    pd.testing.assert_series_equal(second.values("build")["build"], table)


def _sets_of(text, decision):
    import re

    m = re.search(rf"decide\s+{decision}\[([^\]]*)\]", text)
    binds = [b.split(" where ")[0].strip() for b in m.group(1).split(",")]
    return [b.split(" in ")[1].strip() for b in binds]


def test_params_as_dicts_and_series_give_the_same_model():
    model = """
kind region { cores: core = 0 core }
regions from "r.csv"
param price[r in regions, t in tiers]: usd from "p.csv"
set tiers = {gold, silver}
decide x[r in regions, t in tiers]: int >= 0 <= 3
constraint fit[r in regions]: sum(t in tiers) 16 core * x[r, t] <= r.cores
maximize value: sum(r in regions, t in tiers) price[r, t] * x[r, t]
"""
    regions = pd.DataFrame({"name": ["a", "b"], "cores": [64, 32]})
    prices = {("a", "gold"): 3, ("a", "silver"): 2, ("b", "gold"): 1, ("b", "silver"): 5}
    series = pd.Series(prices)
    series.index.names = ["r", "t"]
    one = archc.compile(model, data={"regions": regions}, params={"price": prices}).solve()
    two = archc.compile(model, data={"regions": regions}, params={"price": series}).solve()
    three = archc.compile(model, data={"regions": regions.to_dict("records"), "p.csv": series.reset_index(name="value")}).solve()
    assert one.objective == two.objective == three.objective == 3 * 3 + 2 * 1 + 2 * 5
    pd.testing.assert_frame_equal(one.values("x"), two.values("x"))


def test_to_json_is_the_report_schema(placement):
    d = json.loads(placement.to_json())
    assert d["schema"] == "archc.solution/1"
    assert d["objective"]["value"] == placement.objective


def test_html_shows_status_objective_and_tables(placement):
    h = placement._repr_html_()
    assert "optimal" in h and "verified" in h and "<table" in h and "replicas" in h
    diags = archc.check("kind x {")
    assert "E01" in diags._repr_html_()


def test_html_report_is_the_clis_and_its_charts_show_in_jupyter(placement):
    import re
    import subprocess

    from conftest import REPO, cli_binary

    page = placement.to_html()
    out = subprocess.run([str(cli_binary()), "solve", str(PLACEMENT), "--format", "html", "-q"],
                         capture_output=True, text=True, cwd=REPO)
    cli_page = out.stdout
    assert page.startswith("<!DOCTYPE html>") and 'id="verified"' in page
    # The same sections and charts as the CLI's page (times differ, so not the bytes).
    ids = lambda p: re.findall(r'<h2 id="([^"]+)"', p)  # noqa: E731
    assert ids(page) == ids(cli_page) and "utilisation" in ids(page)
    assert page.count("<svg") == cli_page.count("<svg") > 0
    h = placement._repr_html_()
    assert "<iframe srcdoc=" in h and h.count("&lt;svg") == page.count("<svg")
    # A plan with nothing to chart gets no frame.
    plain = archc.compile("decide x: int >= 0 <= 3\nmaximize o: x").solve()
    assert "<svg" not in plain.to_html() and "<iframe" not in plain._repr_html_()


def test_strings_with_separators_and_quotes_survive_the_csv_text():
    model = """
kind region { cores: core = 0 core, note: str = "" }
regions from "regions.csv"
decide n[r in regions where r.note == "a, \\"b\\""]: int >= 0 <= 1
maximize tagged: sum(r in regions where r.note == "a, \\"b\\"") n[r]
"""
    regions = pd.DataFrame({"name": ["x", "y", "z"], "cores": [1.0, 2.0, float("nan")],
                            "note": ['a, "b"', "a", 'a, "b"']})
    for frame in (regions, pl.from_pandas(regions)):
        assert archc.compile(model, data={"regions": frame}).solve().objective == 2
