"""kolsim from Python: simulate how a new drug spreads through a physician network, fit the
theories to an observed launch, choose seeds, sweep parameters — the same Rust library as the
``kolsim`` command, with pandas DataFrames out and networkx graphs (or DataFrames) in.

>>> import kolsim
>>> sc = kolsim.Scenario.from_file("scenarios/quickstart.toml")          # doctest: +SKIP
>>> res = kolsim.run(sc, replicates=50, progress=True)                   # doctest: +SKIP
>>> res.summary.head()                                                   # doctest: +SKIP

Errors: :class:`ScenarioError` (a ``ValueError``) for an invalid scenario, with the CLI's
message (file, line, column, key); :class:`InputError` (a ``ValueError``) for bad data files
or networks; ``ValueError`` for bad options; ``KeyboardInterrupt`` on Ctrl-C.
"""

from ._native import InputError, ScenarioError, __version__
from ._api import fit, models, run, select_seeds, sweep
from ._results import FitResult, RunResult, SeedResult
from ._scenario import Scenario

__all__ = [
    "Scenario",
    "ScenarioError",
    "InputError",
    "run",
    "fit",
    "select_seeds",
    "sweep",
    "models",
    "RunResult",
    "FitResult",
    "SeedResult",
    "__version__",
]
