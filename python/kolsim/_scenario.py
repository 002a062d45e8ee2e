"""``kolsim.Scenario``: a validated scenario, from a file, a dict or another scenario."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Dict, Hashable, Mapping, Optional, Union

from . import _native, _network

PathLike = Union[str, "os.PathLike[str]"]


class Scenario:
    """A validated scenario: the same file format, checks and messages as ``kolsim`` (the CLI).

    Build one with :meth:`from_file`, :meth:`from_dict` or :meth:`from_toml`; derive others with
    :meth:`with_` (values by dotted key) and :meth:`with_network` (a graph held in memory).
    Scenarios are immutable.

    >>> sc = Scenario.from_file("scenarios/quickstart.toml")        # doctest: +SKIP
    >>> sc.with_(**{"model.bass.q": 0.2, "replicates": 100}).replicates   # doctest: +SKIP
    100
    """

    __slots__ = ("_native", "_ids")

    def __init__(self, native: "_native.NativeScenario", ids: Optional[Dict[str, Hashable]] = None):
        self._native = native
        self._ids = ids

    @classmethod
    def from_file(cls, path: PathLike) -> "Scenario":
        """Loads a scenario file (TOML). Raises :class:`kolsim.ScenarioError` with the file,
        line, column and key of the problem.

        >>> Scenario.from_file("scenarios/ckm-tetracycline.toml").name   # doctest: +SKIP
        'ckm-tetracycline'
        """
        return cls(_native.NativeScenario.load(os.fspath(path)))

    @classmethod
    def from_toml(cls, text: str, path: Optional[PathLike] = None) -> "Scenario":
        """Reads scenario text; ``path`` (default ``./scenario.toml``) names it in messages and
        is where relative data paths resolve from."""
        return cls(_native.NativeScenario.parse(text, os.fspath(path or Path.cwd() / "scenario.toml")))

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], path: Optional[PathLike] = None) -> "Scenario":
        """A scenario from a dict with the same keys as the TOML file (tables are dicts,
        ``[[model]]`` a list of dicts; ``None`` values are left out). Relative data paths
        resolve from ``path``'s folder (default: the working folder).

        >>> Scenario.from_dict({"name": "demo", "steps": 12, "replicates": 20,
        ...     "network": {"kind": "barabasi_albert", "n": 500, "m": 2},
        ...     "model": [{"kind": "bass", "p": 0.01, "q": 0.3}]}).models
        ['bass']
        """
        return cls(_native.NativeScenario.from_dict(dict(d), os.fspath(path or Path.cwd() / "(scenario from a Python dict)")))

    def with_(self, values: Optional[Mapping[str, Any]] = None, /, **kw: Any) -> "Scenario":
        """This scenario with values set by key: ``model.<name>.<param>`` (a ``[[model]]`` by
        name), ``arm.<name>.<param>``, or a dotted table path such as ``kols.share`` or
        ``steps``. The key ``network`` takes a graph (as :meth:`with_network`).

        >>> sc2 = sc.with_({"model.bass.q": 0.2}, replicates=100)      # doctest: +SKIP
        """
        items = dict(values or {}, **kw)
        out = self
        if "network" in items and not isinstance(items["network"], Mapping):
            out = out.with_network(items.pop("network"))
        if not items:
            return out
        ids = None if any(k == "network" or k.startswith("network.") for k in items) else out._ids
        return Scenario(out._native.with_values(list(items.items())), ids)

    def with_network(self, network: Any, *, nodes: Any = None, weight: Optional[str] = "weight",
                     source: str = "source", target: str = "target", id: str = "id",
                     directed: Optional[bool] = None) -> "Scenario":
        """This scenario on a network held in memory: a networkx ``Graph``/``DiGraph`` (edge
        attribute ``weight`` as the tie weight, node attributes as node columns) or an edge
        DataFrame (columns ``source``, ``target``, optional ``weight``) with an optional node
        DataFrame (column ``id`` plus attributes). Node ids of any hashable type come back in
        the outputs. Directed by default for DataFrames (like edge-list files); for graphs,
        as the graph is. Bad input raises ``kolsim.InputError`` / ``ValueError`` / ``TypeError``.

        >>> import networkx as nx
        >>> g = nx.karate_club_graph()
        >>> sc = Scenario.from_dict({"name": "karate", "steps": 10, "replicates": 5,
        ...     "network": {"kind": "complete", "n": 2}, "model": [{"kind": "imitation", "q": 0.3}],
        ...     "kols": {"count": 2}, "initial_adopters": {"strategy": "kols", "count": 2}})
        >>> sc.with_network(g).network_kind
        'in_memory'
        """
        name, ids = _network.register(network, nodes=nodes, weight=weight, source=source,
                                      target=target, id=id, directed=directed)
        return Scenario(self._native.with_network(name), ids)

    def to_dict(self) -> Dict[str, Any]:
        """The scenario's keys as a dict (``Scenario.from_dict(sc.to_dict())`` is the same)."""
        return self._native.to_dict()

    @property
    def name(self) -> str:
        """``name``."""
        return self._native.name

    @property
    def text(self) -> str:
        """The scenario text (TOML)."""
        return self._native.text

    @property
    def path(self) -> Path:
        """The scenario file (relative data paths resolve from its folder)."""
        return Path(self._native.path)

    @property
    def steps(self) -> int:
        """``steps``."""
        return self._native.steps

    @property
    def replicates(self) -> int:
        """``replicates``."""
        return self._native.replicates

    @property
    def seed(self) -> int:
        """``seed``."""
        return self._native.seed

    @property
    def models(self) -> list:
        """Model names, in file order."""
        return list(self._native.models)

    @property
    def arms(self) -> list:
        """Seeding arm names."""
        return list(self._native.arms)

    @property
    def network_kind(self) -> str:
        """The network kind (``in_memory`` for a graph handed over from Python)."""
        return self._native.network_kind

    @property
    def observed(self) -> Optional[Path]:
        """The ``[observed]`` file, if the scenario has one."""
        p = self._native.observed
        return None if p is None else Path(p)

    def __repr__(self) -> str:
        return (f"Scenario({self.name!r}: {self.network_kind} network, models {', '.join(self.models)}, "
                f"{self.steps} steps, {self.replicates} replicates, seed {self.seed})")
