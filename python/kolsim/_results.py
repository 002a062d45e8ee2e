"""Result objects: the CLI's files as pandas DataFrames (read from the same bytes the CLI
writes, so each equals ``pandas.read_csv`` of the CLI's file), with ids mapped back to the
original node ids of a network given in memory."""

from __future__ import annotations

import html
import io
import json
import os
from typing import Any, Dict, Hashable, List, Optional

import pandas as pd

from . import _native
from ._scenario import Scenario


def read_table(data: bytes, ids: Optional[Dict[str, Hashable]] = None) -> pd.DataFrame:
    """A CSV file's bytes as a DataFrame; with ``ids``, the ``id`` column (and the
    space-separated ``ids`` column) hold the original node ids."""
    if ids is None:
        return pd.read_csv(io.BytesIO(data))
    df = pd.read_csv(io.BytesIO(data), dtype={"id": str, "ids": str})
    if "id" in df.columns:
        df["id"] = df["id"].map(lambda t: ids.get(t, t))
    if "ids" in df.columns:
        df["ids"] = df["ids"].map(lambda s: _split_ids(s, ids))
    return df


def _split_ids(cell: Any, ids: Dict[str, Hashable]) -> list:
    """A space-separated list of ids as the original ids (an id whose text holds spaces is
    found by joining words until they name a node)."""
    out, words = [], cell.split(" ") if isinstance(cell, str) else []
    part: Optional[str] = None
    for w in words:
        part = w if part is None else f"{part} {w}"
        if part in ids:
            out.append(ids[part])
            part = None
    if part is not None:
        out.extend(part.split(" "))
    return out


class RunResult:
    """A run's results (``kolsim.run``): the CLI's tables as DataFrames, ``to_folder`` for the
    CLI's folder, ``report_html`` for its report.

    Tables: ``curves`` (one row per model × arm × replicate × step), ``summary`` (mean and
    quantiles per step), ``metrics`` (per replicate), ``comparison`` (paired comparisons),
    ``kols`` (every physician of realisation 0 with KOL score, rank and attributes); with a
    ``segment`` attribute also ``segment_summary``, ``segment_metrics``, ``segment_comparison``
    and ``segment_curves``.
    """

    _TABLES = ("curves", "summary", "metrics", "comparison", "kols", "segment_curves",
               "segment_summary", "segment_metrics", "segment_comparison")

    def __init__(self, native: "_native.NativeRun", scenario: Scenario):
        self._native = native
        self.scenario = scenario
        self._cache: Dict[str, pd.DataFrame] = {}

    def _table(self, name: str) -> pd.DataFrame:
        if name not in self._cache:
            if name.startswith("segment_") and not self._native.segmented:
                raise AttributeError(f"{name}: the scenario has no `segment`")
            ids = self.scenario._ids if name == "kols" else None
            self._cache[name] = read_table(self._native.table(name + ".csv"), ids)
        return self._cache[name]

    def __getattr__(self, name: str) -> pd.DataFrame:
        if name in RunResult._TABLES:
            return self._table(name)
        raise AttributeError(name)

    def __dir__(self) -> List[str]:
        return sorted(set(super().__dir__()) | set(self._TABLES))

    def to_folder(self, path: "os.PathLike[str] | str", force: bool = False) -> None:
        """Writes the folder ``kolsim run`` writes (CSV files, manifest, scenario copy, plots,
        report), atomically; ``force`` replaces a folder kolsim wrote."""
        self._native.to_folder(os.fspath(path), force)

    def report_html(self) -> str:
        """The run's ``report.html`` (a self-contained page)."""
        return self._native.report_html()

    def final_shares(self) -> pd.DataFrame:
        """Mean final share adopted per model (rows) and arm (columns)."""
        m = self.metrics
        return m.pivot_table(index="model", columns="arm", values="final_share", aggfunc="mean", sort=False)

    def __repr__(self) -> str:
        return f"RunResult({self._native.describe()})"

    def _repr_html_(self) -> str:
        return (f"<p><b>kolsim run</b> — {html.escape(self._native.describe())}</p>"
                f"<p>Mean final share adopted:</p>{self.final_shares().to_html(float_format=lambda x: f'{x:.3f}')}")


class FitResult:
    """A fit's results (``kolsim.fit``): ``models`` (the ranking, ``models.csv``),
    ``estimates`` (``fit.csv``), ``verdict`` (text), ``fitted_scenario`` (the fitted theories
    as a :class:`Scenario`), ``best_network_theory``."""

    def __init__(self, native: "_native.NativeFit", scenario: Scenario):
        self._native = native
        self.scenario = scenario
        self.models: pd.DataFrame = read_table(native.table("models.csv"))
        self.estimates: pd.DataFrame = read_table(native.table("fit.csv"))
        self.verdict: str = native.verdict
        self.fitted_scenario = Scenario(native.fitted_scenario(), scenario._ids)

    @property
    def permutation(self) -> pd.DataFrame:
        """The exposure permutation test (``permutation.csv``)."""
        return read_table(self._native.table("permutation.csv"))

    @property
    def best_network_theory(self) -> str:
        """The fitted theory with a network term (a model tested against one without it)
        that has the largest Akaike weight."""
        m = self.models
        fitted = set(self.fitted_scenario.models)
        net = m[m["lr_against"].notna() & m["model"].isin(fitted)]
        if net.empty:
            raise ValueError("no fitted theory with a network term")
        return str(net.sort_values("akaike_weight", ascending=False, kind="stable")["model"].iloc[0])

    def __repr__(self) -> str:
        return f"FitResult({self.scenario.name}: {len(self.models)} models)\n{self.verdict}"

    def _repr_html_(self) -> str:
        return f"<p>{html.escape(self.verdict)}</p>{self.models.to_html(index=False)}"


class SeedResult:
    """A seed selection (``kolsim.select_seeds``): ``seeds`` (``seeds.csv``: rank, id, gain,
    attributes), ``ids`` (the recommended physicians), ``comparison`` (the compared sets),
    ``certificate`` (dict), ``regret`` (with several theories), ``summary`` (text)."""

    def __init__(self, files: Dict[str, bytes], scenario: Scenario):
        self._files = files
        self.scenario = scenario
        ids = scenario._ids
        self.seeds: pd.DataFrame = read_table(files["seeds.csv"], ids)
        self.comparison: pd.DataFrame = read_table(files["comparison.csv"], ids)
        self.certificate: Dict[str, Any] = json.loads(files["certificate.json"])
        # The CLI's text without its last line, which names a results folder (none is written).
        self.summary: str = "".join(
            line for line in files["summary.txt"].decode().splitlines(keepends=True)
            if not line.startswith("Results in "))

    @property
    def ids(self) -> list:
        """The recommended seeds' ids, in selection order."""
        return list(self.seeds["id"])

    @property
    def regret(self) -> pd.DataFrame:
        """The regret table (several theories only)."""
        if "regret.csv" not in self._files:
            raise AttributeError("regret: one theory, no regret table")
        return read_table(self._files["regret.csv"], self.scenario._ids)

    def report_html(self) -> str:
        """The selection's ``report.html``."""
        return self._files["report.html"].decode()

    def __repr__(self) -> str:
        return f"SeedResult({self.summary.splitlines()[0] if self.summary else ''}; seeds {self.ids})"

    def _repr_html_(self) -> str:
        return f"<pre>{html.escape(self.summary)}</pre>"
