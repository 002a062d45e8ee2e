"""Every DataFrame equals `pandas.read_csv` of the CLI's file, for the same scenario and seed:
run, fit, seed and sweep; `to_folder` writes the CLI's folder."""

import filecmp
import json
import re

import pandas as pd

import kolsim
from conftest import CKM, QUICK


def test_run_tables_equal_the_cli_files(cli):
    out = cli("run", CKM, "--replicates", 40)
    res = kolsim.run(CKM, replicates=40, threads=2)
    for name in ["curves", "summary", "metrics", "comparison", "kols"]:
        pd.testing.assert_frame_equal(getattr(res, name), pd.read_csv(out / f"{name}.csv"), check_exact=True)


def test_to_folder_writes_the_cli_folder(cli, tmp_path):
    out = cli("run", CKM, "--replicates", 30)
    sc = kolsim.Scenario.from_file(CKM)
    res = kolsim.run(sc.with_(replicates=30))
    mine = tmp_path / "run"
    res.to_folder(mine)
    assert sorted(p.name for p in mine.iterdir()) == sorted(p.name for p in out.iterdir())
    for name in ["curves.csv", "summary.csv", "metrics.csv", "comparison.csv", "kols.csv", "adoption.svg"]:
        assert filecmp.cmp(mine / name, out / name, shallow=False), name
    a, b = (json.loads((d / "manifest.json").read_text()) for d in (mine, out))
    assert a["files"] == b["files"] and a["seed"] == b["seed"]
    # The same scenario unchanged: the folder's copy is the file itself.
    res2 = kolsim.run(sc)
    res2.to_folder(tmp_path / "run2")
    assert (tmp_path / "run2" / "scenario.toml").read_text() == CKM.read_text()


def test_report_html_and_notebook_view():
    res = kolsim.run(CKM, replicates=10)
    page = res.report_html()
    assert page.startswith("<!DOCTYPE html>") and "ckm-tetracycline" in page
    view = res._repr_html_()
    assert "<table" in view and "imitation" in view
    assert res.final_shares().shape == (7, 2)


def test_fit_tables_equal_the_cli_files(cli):
    out = cli("fit", CKM)
    f = kolsim.fit(CKM)
    pd.testing.assert_frame_equal(f.models, pd.read_csv(out / "models.csv"), check_exact=True)
    pd.testing.assert_frame_equal(f.estimates, pd.read_csv(out / "fit.csv"), check_exact=True)
    assert f.verdict + "\n" == (out / "verdict.txt").read_text()
    assert f.fitted_scenario.models == ["innovation", "bass", "cascade", "learning"]
    assert f.best_network_theory == "bass"


def test_fit_with_controls_equals_the_cli(cli):
    out = cli("fit", CKM, "--covariates", "jours,med_sch_yr,patients", "--strata", "city_name")
    f = kolsim.fit(CKM, covariates=["jours", "med_sch_yr", "patients"], strata="city_name")
    pd.testing.assert_frame_equal(f.models, pd.read_csv(out / "models.csv"), check_exact=True)
    pd.testing.assert_frame_equal(f.estimates, pd.read_csv(out / "fit.csv"), check_exact=True)
    assert f.verdict + "\n" == (out / "verdict.txt").read_text()
    assert "city_name" in f.verdict


def test_fit_takes_a_dataframe(cli):
    observed = pd.read_csv(CKM.parent / "data" / "ckm" / "observed.csv", dtype=str, keep_default_na=False)
    f = kolsim.fit(CKM, observed)
    pd.testing.assert_frame_equal(f.models, kolsim.fit(CKM).models, check_exact=True)


def untimed(v):
    """`v` without its timings (keys naming seconds)."""
    if isinstance(v, dict):
        return {k: untimed(x) for k, x in v.items() if "seconds" not in k}
    return [untimed(x) for x in v] if isinstance(v, list) else v


def test_seed_tables_equal_the_cli_files(cli):
    out = cli("seed", CKM, "--model", "bass", "--k", 11)
    s = kolsim.select_seeds(CKM, k=11, model="bass")
    pd.testing.assert_frame_equal(s.seeds, pd.read_csv(out / "seeds.csv"), check_exact=True)
    pd.testing.assert_frame_equal(s.comparison, pd.read_csv(out / "comparison.csv"), check_exact=True)
    assert untimed(s.certificate) == untimed(json.loads((out / "certificate.json").read_text()))
    assert len(s.ids) == 11
    cli_text = (out / "summary.txt").read_text().splitlines(keepends=True)
    seconds = re.compile(r"[0-9.]+ s\b")  # timings differ
    assert seconds.sub("T", s.summary) == seconds.sub("T", "".join(cli_text[:-1]))
    assert cli_text[-1].startswith("Results in ")


def test_sweep_table_equals_the_cli_file(cli):
    out = cli("sweep", QUICK, "--set", "model.bass.q=0.1,0.3", "--replicates", 8)
    df = kolsim.sweep(kolsim.Scenario.from_file(QUICK).with_(replicates=8), {"model.bass.q": [0.1, 0.3]})
    pd.testing.assert_frame_equal(df, pd.read_csv(out / "sweep.csv"), check_exact=True)
    text = kolsim.sweep(QUICK, {"model.bass.q": "0.1,0.3"}, threads=1).shape
    assert text[0] == 2 * 4  # points × models


def test_threads_do_not_change_results():
    a = kolsim.run(QUICK, replicates=6, threads=1)
    b = kolsim.run(QUICK, replicates=6, threads=2)
    pd.testing.assert_frame_equal(a.curves, b.curves, check_exact=True)
