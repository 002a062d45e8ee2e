"""The calls: ``run``, ``fit``, ``select_seeds``, ``sweep``, ``models``. Each releases the GIL
while it works, stops on Ctrl-C (``KeyboardInterrupt``) within a fraction of a second, takes
``threads=`` (0: all cores; results never depend on it) and shows a tqdm progress bar with
``progress=True`` when tqdm is installed."""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from typing import Any, Callable, Dict, Iterator, Mapping, Optional, Union

import pandas as pd

from . import _native
from ._results import FitResult, RunResult, SeedResult, read_table
from ._scenario import Scenario

ScenarioLike = Union[Scenario, str, "os.PathLike[str]"]


def _scenario(scenario: ScenarioLike, network: Any = None, overrides: Optional[Mapping[str, Any]] = None) -> Scenario:
    if not isinstance(scenario, Scenario):
        if isinstance(scenario, (str, os.PathLike)):
            scenario = Scenario.from_file(scenario)
        elif isinstance(scenario, Mapping):
            scenario = Scenario.from_dict(scenario)
        else:
            raise TypeError(f"scenario: expected a kolsim.Scenario, a path or a dict, not {type(scenario).__name__}")
    if network is not None:
        scenario = scenario.with_network(network)
    if overrides:
        scenario = scenario.with_(dict(overrides))
    return scenario


@contextmanager
def _progress(enabled: bool, what: str) -> Iterator[Optional[Callable[[int, int], None]]]:
    """A ``(done, total)`` callback drawing a tqdm bar, or ``None`` (no tqdm, or disabled)."""
    if not enabled:
        yield None
        return
    try:
        from tqdm.auto import tqdm
    except ImportError:
        yield None
        return
    bar = tqdm(desc=what, unit="item")

    def update(done: int, total: int) -> None:
        if total and bar.total != total:
            bar.total = total
        bar.n = done
        bar.refresh()

    try:
        yield update
    finally:
        bar.close()


def _threads(threads: Optional[int]) -> int:
    if threads is None:
        return 0
    if not isinstance(threads, int) or isinstance(threads, bool) or threads < 0:
        raise ValueError(f"threads = {threads!r}: give a whole number >= 0 (0: all cores)")
    return threads


def run(scenario: ScenarioLike, *, network: Any = None, threads: int = 0, progress: bool = False,
        **overrides: Any) -> RunResult:
    """Runs every arm × model × replicate of ``scenario`` (as ``kolsim run``) and returns a
    :class:`RunResult` whose DataFrames equal the CLI's CSV files.

    ``network``: a networkx graph or an edge DataFrame to run on (see
    :meth:`Scenario.with_network`); other keyword arguments set scenario values
    (``**{"model.bass.q": 0.2}``, ``replicates=100``).

    >>> res = kolsim.run("scenarios/quickstart.toml", replicates=50)     # doctest: +SKIP
    >>> res.summary.query("step == 24")                                   # doctest: +SKIP
    """
    sc = _scenario(scenario, network, overrides)
    with _progress(progress, f"{sc.name}: simulating") as cb:
        native = _native.run(sc._native, _threads(threads), cb)
    return RunResult(native, sc)


def fit(scenario: ScenarioLike, observed: Any = None, *, network: Any = None, threads: int = 0,
        progress: bool = False, **options: Any) -> FitResult:
    """Fits the models to an observed launch (as ``kolsim fit``): ``observed`` is a path, a
    DataFrame (per physician: ``id`` and ``adopted_at``; an empty cell = not adopted in the
    window, ``NA`` = unknown; or aggregate ``step,adopters``) or ``None`` for the scenario's
    ``[observed]`` file. Options as the CLI's flags: ``id_column``, ``time_column``,
    ``missing``, ``periods``, ``unobserved`` ("exclude"/"never"), ``period_effects``,
    ``permutations``, ``holdout``, ``sim_replicates``, ``bootstrap``, ``strata`` (a node
    column: fixed effects per group) and ``covariates`` (a list of node columns; ``name:factor``
    for dummies), as ``--strata`` / ``--covariates``.

    >>> f = kolsim.fit(kolsim.Scenario.from_file("scenarios/ckm-tetracycline.toml"))  # doctest: +SKIP
    >>> f.models[["model", "aic", "akaike_weight"]]                                    # doctest: +SKIP
    """
    sc = _scenario(scenario, network)
    with _observed_path(sc, observed) as path, _progress(progress, f"{sc.name}: fitting") as cb:
        native = _native.fit(sc._native, path, threads=_threads(threads), progress=cb, **options)
    return FitResult(native, sc)


@contextmanager
def _observed_path(sc: Scenario, observed: Any) -> Iterator[str]:
    if observed is None:
        if sc.observed is None:
            raise ValueError(f"{sc.name}: no observed launch: give observed= or an [observed] table in the scenario")
        yield os.fspath(sc.observed)
    elif isinstance(observed, pd.DataFrame):
        df = observed
        if sc._ids is not None and "id" in df.columns:
            back = {v: k for k, v in sc._ids.items()}
            df = df.assign(id=[back.get(v, str(v)) for v in df["id"]])
        with tempfile.TemporaryDirectory(prefix="kolsim-observed-") as d:
            path = os.path.join(d, "observed.csv")
            df.to_csv(path, index=False)
            yield path
    elif isinstance(observed, (str, os.PathLike)):
        yield os.fspath(observed)
    else:
        raise TypeError(f"observed: expected a path or a DataFrame, not {type(observed).__name__}")


def select_seeds(scenario: ScenarioLike, k: Optional[int] = None, *, model: Optional[str] = None,
                 theories: Optional[Union[str, Mapping[str, float]]] = None, horizon: Optional[int] = None,
                 network: Any = None, threads: int = 0, progress: bool = False, **options: Any) -> SeedResult:
    """Chooses ``k`` seeds (initial adopters) to maximise the spread under ``model`` (or over
    several ``theories``: a dict ``{model: weight}`` or a fit's ``fitted.toml``), compared by
    forward simulation with the scenario's KOL list and arms (as ``kolsim seed``). Options as
    the CLI's flags: ``objective``, ``method``, ``budget``, ``cost``, ``epsilon``,
    ``candidates``, ``sentinel``, ``pool``, ``replicates``.

    >>> s = kolsim.select_seeds(sc, k=11, model="bass")       # doctest: +SKIP
    >>> s.ids, s.comparison[["strategy", "mean", "ratio_to_recommended"]]   # doctest: +SKIP
    """
    sc = _scenario(scenario, network)
    if isinstance(theories, Mapping):
        theories = ",".join(f"{m}={w}" for m, w in theories.items())
    with _progress(progress, f"{sc.name}: selecting seeds") as cb:
        files = _native.select_seeds(sc._native, k=k, model=model, theories=theories, horizon=horizon,
                                     threads=_threads(threads), progress=cb, **options)
    return SeedResult(files, sc)


def sweep(scenario: ScenarioLike, grid: Optional[Mapping[str, Any]] = None, *, network: Any = None,
          threads: int = 0, progress: bool = False) -> pd.DataFrame:
    """Runs a parameter sweep (as ``kolsim sweep``) and returns ``sweep.csv`` as a DataFrame:
    one row per point × model × arm. ``grid`` maps keys to values (a list, or text such as
    ``"0.05:0.5:0.05"``); it adds to (and overrides) the scenario's ``[sweep]`` table.

    >>> kolsim.sweep(sc, {"model.bass.q": [0.1, 0.2, 0.4]})     # doctest: +SKIP
    """
    sc = _scenario(scenario, network)
    with _progress(progress, f"{sc.name}: sweeping") as cb:
        csv, _summary = _native.sweep(sc._native, list((grid or {}).items()), _threads(threads), cb)
    return read_table(csv.encode())


def models() -> pd.DataFrame:
    """The model kinds and their parameters (as ``kolsim models``): one row per parameter."""
    cols = ["kind", "summary", "reference", "parameter", "meaning", "unit", "range", "default"]
    return pd.DataFrame(_native.models(), columns=cols)
