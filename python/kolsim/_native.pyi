"""Type stubs of the extension module ``kolsim._native`` (the Rust library). Use the wrappers
in ``kolsim`` (``kolsim.run``, ``kolsim.Scenario``, ...) rather than these directly."""

from os import PathLike
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import numpy.typing as npt

__version__: str

class ScenarioError(ValueError):
    """A scenario is invalid: file, line, column and key, as the CLI says."""

class InputError(ValueError):
    """An input (edge list, node file, observed launch, in-memory network) is invalid."""

_Progress = Optional[Callable[[int, int], None]]
_Path = Union[str, "PathLike[str]"]

class NativeScenario:
    @staticmethod
    def load(path: _Path) -> NativeScenario: ...
    @staticmethod
    def parse(text: str, path: _Path) -> NativeScenario: ...
    @staticmethod
    def from_dict(d: Dict[str, Any], path: _Path) -> NativeScenario: ...
    def with_values(self, items: Sequence[Tuple[str, Any]]) -> NativeScenario: ...
    def with_network(self, name: str) -> NativeScenario: ...
    def to_dict(self) -> Dict[str, Any]: ...
    @property
    def name(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def steps(self) -> int: ...
    @property
    def replicates(self) -> int: ...
    @property
    def seed(self) -> int: ...
    @property
    def models(self) -> List[str]: ...
    @property
    def arms(self) -> List[str]: ...
    @property
    def network_kind(self) -> str: ...
    @property
    def observed(self) -> Optional[str]: ...

class NativeRun:
    def table(self, name: str) -> bytes: ...
    @property
    def segmented(self) -> bool: ...
    def to_folder(self, path: _Path, force: bool = False) -> None: ...
    def report_html(self) -> str: ...
    def describe(self) -> str: ...

class NativeFit:
    def table(self, name: str) -> bytes: ...
    @property
    def verdict(self) -> str: ...
    @property
    def text(self) -> str: ...
    def fitted_scenario(self) -> NativeScenario: ...

def register_network(
    ids: List[str],
    src: npt.NDArray[np.int64],
    dst: npt.NDArray[np.int64],
    weight: Optional[npt.NDArray[np.float64]],
    directed: bool,
    columns: Sequence[Tuple[str, Union[npt.NDArray[np.float64], List[str]]]],
) -> str: ...
def run(scenario: NativeScenario, threads: int = 0, progress: _Progress = None) -> NativeRun: ...
def fit(
    scenario: NativeScenario,
    observed: _Path,
    id_column: Optional[str] = None,
    time_column: Optional[str] = None,
    missing: Optional[List[str]] = None,
    periods: Optional[int] = None,
    unobserved: str = "exclude",
    period_effects: bool = True,
    permutations: int = 999,
    holdout: Optional[int] = None,
    sim_replicates: int = 30,
    bootstrap: int = 0,
    strata: Optional[str] = None,
    covariates: Optional[List[str]] = None,
    threads: int = 0,
    progress: _Progress = None,
) -> NativeFit: ...
def select_seeds(
    scenario: NativeScenario,
    k: Optional[int] = None,
    model: Optional[str] = None,
    theories: Optional[str] = None,
    horizon: Optional[int] = None,
    objective: str = "adopters",
    method: str = "auto",
    budget: Optional[float] = None,
    cost: Optional[str] = None,
    epsilon: float = 0.1,
    candidates: Optional[str] = None,
    sentinel: str = "auto",
    pool: int = 500,
    replicates: Optional[int] = None,
    threads: int = 0,
    progress: _Progress = None,
) -> Dict[str, bytes]: ...
def sweep(
    scenario: NativeScenario,
    set: Sequence[Tuple[str, Union[str, Sequence[float]]]],
    threads: int = 0,
    progress: _Progress = None,
) -> Tuple[str, str]: ...
def models() -> List[List[str]]: ...
