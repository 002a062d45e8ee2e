"""Scenarios from Python, errors, threads, progress, Ctrl-C, the model list, help texts and the
CKM story example."""

import _thread
import json
import os
import subprocess
import sys
import threading
import time
import types

import pandas as pd
import pytest

import kolsim
from conftest import CKM, QUICK, ROOT


def test_scenario_errors_carry_the_cli_message():
    with pytest.raises(kolsim.ScenarioError) as e:
        kolsim.Scenario.from_file(CKM).with_(**{"model.bass.q": -1})
    assert isinstance(e.value, ValueError)
    msg = str(e.value)
    assert "ckm-tetracycline.toml (changed in Python):" in msg and "`model[1].q`" in msg and "outside [0, 1]" in msg
    with pytest.raises(kolsim.ScenarioError, match="missing.toml"):
        kolsim.Scenario.from_file(ROOT / "no-such-folder" / "missing.toml")
    with pytest.raises(kolsim.ScenarioError, match="network.kind"):
        kolsim.Scenario.from_dict({"name": "x", "steps": 3, "replicates": 2, "network": {"kind": "moon"},
                                   "model": [{"kind": "bass", "p": 0.1, "q": 0.1}]})
    with pytest.raises(ValueError, match="no model named"):
        kolsim.Scenario.from_file(CKM).with_(**{"model.nope.q": 0.1})
    with pytest.raises(TypeError, match="not a scenario value"):
        kolsim.Scenario.from_file(CKM).with_(steps=object())


def test_from_dict_is_the_same_scenario_as_the_file():
    sc = kolsim.Scenario.from_file(QUICK)
    again = kolsim.Scenario.from_dict(sc.to_dict(), path=QUICK)
    a, b = kolsim.run(sc, replicates=5), kolsim.run(again, replicates=5)
    pd.testing.assert_frame_equal(a.curves, b.curves, check_exact=True)
    changed = sc.with_({"model.bass.q": 0.4}, replicates=7, **{"kols.share": 0.01})
    d = changed.to_dict()
    assert d["replicates"] == 7 and d["kols"]["share"] == 0.01
    assert [m["q"] for m in d["model"] if m["name"] == "bass"] == [0.4]
    assert sc.replicates == 200  # scenarios are immutable


def test_bad_options_raise_value_errors():
    with pytest.raises(ValueError, match="threads"):
        kolsim.run(QUICK, threads=-1)
    with pytest.raises(ValueError, match="objective"):
        kolsim.select_seeds(CKM, k=3, model="bass", objective="most")
    with pytest.raises(ValueError, match="--k must be at least 1"):
        kolsim.select_seeds(CKM, k=0, model="bass")
    with pytest.raises(ValueError, match="nothing to sweep"):
        kolsim.sweep(QUICK, {})
    with pytest.raises(TypeError, match="observed"):
        kolsim.fit(CKM, observed=3)


def test_progress_bar_uses_tqdm_when_installed(monkeypatch):
    seen = []

    class Bar:
        def __init__(self, **kw):
            self.total, self.n = None, 0

        def refresh(self):
            seen.append((self.n, self.total))

        def close(self):
            seen.append("closed")

    fake = types.ModuleType("tqdm.auto")
    fake.tqdm = Bar
    monkeypatch.setitem(sys.modules, "tqdm", types.ModuleType("tqdm"))
    monkeypatch.setitem(sys.modules, "tqdm.auto", fake)
    kolsim.run(QUICK, replicates=40, progress=True, threads=1)
    assert seen[-1] == "closed"
    assert seen[-2] == (40, 40)  # one work item per replicate, all shown


def test_ctrl_c_interrupts_within_a_second():
    sc = kolsim.Scenario.from_file(QUICK).with_(replicates=200_000, **{"network.n": 20_000})
    fired = []

    def interrupt():
        fired.append(time.monotonic())
        _thread.interrupt_main()

    timer = threading.Timer(0.5, interrupt)
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        kolsim.run(sc, threads=1)
    assert time.monotonic() - fired[0] < 1.0


def test_no_panic_crosses_the_boundary():
    # Inputs at the edges raise Python exceptions, never pyo3's PanicException.
    sc = kolsim.Scenario.from_file(QUICK)
    for bad in ({"steps": 0}, {"replicates": 10**12}, {"seed": -1}, {"kols.share": float("nan")}):
        with pytest.raises(ValueError):
            sc.with_(bad)


def test_models_table():
    m = kolsim.models()
    assert {"imitation", "bass", "threshold", "independent_cascade"} <= set(m["kind"])
    assert list(m.columns) == ["kind", "summary", "reference", "parameter", "meaning", "unit", "range", "default"]


def test_help_is_useful():
    for f in (kolsim.run, kolsim.fit, kolsim.select_seeds, kolsim.sweep, kolsim.Scenario.with_network):
        assert f.__doc__ and ">>>" in f.__doc__
    assert "DataFrame" in kolsim.run.__doc__


def test_ckm_story_example(tmp_path):
    script = ROOT / "examples" / "python" / "ckm_story.py"
    assert len(script.read_text().splitlines()) < 25
    env = dict(os.environ, MPLBACKEND="Agg")
    png = ROOT / "ckm_story.png"
    existed = png.exists()
    try:
        out = subprocess.run([sys.executable, str(script)], cwd=ROOT, capture_output=True, text=True,
                             timeout=300, env=env)
    finally:
        if png.exists() and not existed:
            png.unlink()
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert "best network theory: bass" in lines
    table = lines[lines.index("best network theory: bass") + 1:]
    assert table[0].split() == ["arm", "optimized", "kols"]
    assert {"innovation", "bass", "cascade", "learning"} <= {t.split()[0] for t in table[2:6]}


def test_ckm_story_notebook(monkeypatch):
    nb = json.loads((ROOT / "examples" / "python" / "ckm_story.ipynb").read_text())
    code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    ns = {}
    exec(compile(code, "ckm_story.ipynb", "exec"), ns)
    assert ns["res"].final_shares().columns.tolist() == ["optimized", "kols"]
    assert "<table" in ns["res"]._repr_html_()
