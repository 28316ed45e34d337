"""Solving from Python: infeasible and unbounded models come back explained (as the CLI
explains them), the GIL is released while the core solves, Ctrl-C interrupts a solve, and
a solver's limits give a status instead of an exception."""

import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest

import archc
from conftest import REPO

EXPLAIN = REPO / "crates" / "archc-cli" / "tests" / "fixtures" / "explain"


def market_split(rows: int = 4, items: int = 40, seed: int = 7) -> str:
    """A market split instance (Cornuéjols and Dawande): a few equality rows over binaries
    with random weights; branch and bound without cuts takes practically forever."""
    import random

    rnd = random.Random(seed)
    a = [[rnd.randrange(100) for _ in range(items)] for _ in range(rows)]
    lines = [f"set items = 1..{items}", f"set rows = 1..{rows}", "decide x[j in items]: bool",
             "decide surplus[i in rows]: real >= 0", "decide shortfall[i in rows]: real >= 0"]
    table = ", ".join(f"({i + 1}, {j + 1}): {a[i][j]}" for i in range(rows) for j in range(items))
    lines.append(f"param a[i in rows, j in items]: int = {{{table}}}")
    target = ", ".join(f"{i + 1}: {sum(a[i]) // 2}" for i in range(rows))
    lines.append(f"param d[i in rows]: int = {{{target}}}")
    lines.append("constraint split[i in rows]: sum(j in items) a[i, j] * x[j] + surplus[i] - shortfall[i] == d[i]")
    lines.append("minimize deviation: sum(i in rows) surplus[i] + sum(i in rows) shortfall[i]")
    return "\n".join(lines) + "\n"


def test_an_infeasible_model_is_explained_as_the_cli_does(cli):
    path = EXPLAIN / "capacity.arch"
    solution = archc.compile(str(path)).solve()
    expected = cli("solve", str(path), "--format", "json", "--quiet")
    assert solution.status == expected["status"] == "infeasible"
    assert solution.objective is None
    assert solution.explanation is not None
    assert solution.explanation.keys() == expected["explanation"].keys()
    assert "E0711" in solution.explanation_text
    assert "Explanation" in solution._repr_html_()


def test_an_unbounded_model_is_explained():
    m = archc.compile("decide x: real >= 0\nmaximize big: x\n")
    s = m.solve()
    assert s.status == "unbounded"
    assert s.explanation is not None and s.explanation_text


def test_a_solved_plan_is_explained_when_asked():
    path = EXPLAIN / "ok_capacity.arch"
    m = archc.compile(str(path))
    assert m.solve().explanation is None
    explained = m.solve(explain=True)
    assert explained.status == "optimal" and explained.explanation is not None


def test_the_gil_is_released_while_solving():
    model = archc.compile(market_split())
    done = {}

    def solve():
        done["solution"] = model.solve(time_limit=1.5)

    t = threading.Thread(target=solve)
    t.start()
    spins = 0
    while t.is_alive():  # runs only if the solving thread lets go of the GIL
        spins += 1
    t.join()
    assert "solution" in done
    assert spins > 100_000


def test_a_time_limit_gives_a_status():
    s = archc.compile(market_split()).solve(time_limit=0.5)
    assert s.status in ("feasible", "time_limit")


CTRL_C = """
import sys, archc
sys.path.insert(0, {tests!r})
from test_solve import market_split
model = archc.compile(market_split())
print("solving", flush=True)
try:
    model.solve()
    print("finished", flush=True)
except KeyboardInterrupt:
    print("interrupted", flush=True)
"""


def test_ctrl_c_interrupts_a_solve():
    script = CTRL_C.format(tests=str(REPO / "python" / "tests"))
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "solving"
        time.sleep(0.5)
        child.send_signal(signal.SIGINT)
        out, _ = child.communicate(timeout=60)
    finally:
        child.kill()
    assert out.strip() == "interrupted"
