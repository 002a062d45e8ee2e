"""Networks in memory: a networkx graph, or edge and node DataFrames, as the arrays the
library builds a network from (``kolsim._native.register_network``)."""

from __future__ import annotations

from typing import Any, Dict, Hashable, List, Optional, Sequence, Tuple

import numpy as np
import pandas as pd

from . import _native


def _is_networkx(g: Any) -> bool:
    return all(hasattr(g, a) for a in ("nodes", "edges", "is_directed", "adj"))


def _tokens(nodes: Sequence[Hashable]) -> List[str]:
    """Distinct non-empty strings for the node ids: ``str(id)``, else ``repr(id)``."""
    for make in (str, repr):
        tokens = [make(v) for v in nodes]
        if len(set(tokens)) == len(tokens) and all(tokens):
            return tokens
    raise ValueError(
        "network: node ids must be distinct as text (str or repr); two ids read the same"
    )


def _column(name: str, values: pd.Series) -> Tuple[str, Any]:
    """A node attribute column: float64 (NaN = missing) when every value is a number (or
    missing), else text (missing = empty), as a node file is read."""
    if pd.api.types.is_bool_dtype(values):
        return name, [str(v) for v in values]
    if pd.api.types.is_numeric_dtype(values):
        return name, values.to_numpy(dtype="float64", na_value=np.nan)
    try:
        return name, pd.to_numeric(values, errors="raise").to_numpy(dtype="float64", na_value=np.nan)
    except (ValueError, TypeError):
        return name, ["" if pd.isna(v) else str(v) for v in values]


def _from_networkx(g: Any, weight: Optional[str], directed: Optional[bool]):
    nodes = list(g.nodes)
    if not nodes:
        raise ValueError("network: the graph has no nodes")
    index = {v: i for i, v in enumerate(nodes)}
    edges = list(g.edges(data=True))
    src = np.fromiter((index[u] for u, _, _ in edges), dtype=np.int64, count=len(edges))
    dst = np.fromiter((index[v] for _, v, _ in edges), dtype=np.int64, count=len(edges))
    w = None
    if weight is not None and any(weight in d for _, _, d in edges):
        w = np.array([_weight(d.get(weight, 1.0), u, v) for u, v, d in edges], dtype="float64")
    attrs = pd.DataFrame.from_records([dict(d) for _, d in g.nodes(data=True)], index=range(len(nodes)))
    columns = [_column(str(c), attrs[c]) for c in attrs.columns]
    return nodes, src, dst, w, g.is_directed() if directed is None else directed, columns


def _weight(x: Any, u: Any, v: Any) -> float:
    try:
        return float(x)
    except (TypeError, ValueError):
        raise TypeError(f"network: edge ({u!r}, {v!r}): weight {x!r} is not a number") from None


def _need(df: pd.DataFrame, col: str, what: str) -> pd.Series:
    if col not in df.columns:
        raise ValueError(
            f"network: the {what} DataFrame has no column {col!r} (its columns: {', '.join(map(str, df.columns))})"
        )
    return df[col]


def _from_frames(edges: pd.DataFrame, nodes: Optional[pd.DataFrame], source: str, target: str,
                 weight: Optional[str], id: str, directed: Optional[bool]):
    s, t = _need(edges, source, "edge"), _need(edges, target, "edge")
    if nodes is not None:
        ids = _need(nodes, id, "node")
        if ids.isna().any():
            raise ValueError(f"network: the node DataFrame's {id!r} column has missing ids")
        node_list = list(ids)
        attrs = nodes.drop(columns=[id])
        columns = [_column(str(c), attrs[c]) for c in attrs.columns]
    else:
        # First appearance, row by row (source, then target), as an edge-list file is read.
        node_list = list(pd.unique(np.column_stack([s.to_numpy(object), t.to_numpy(object)]).ravel()))
        columns = []
    index = pd.Index(node_list)
    if not index.is_unique:
        raise ValueError("network: node ids are not distinct")
    src, dst = index.get_indexer(s), index.get_indexer(t)
    for arr, col in ((src, s), (dst, t)):
        bad = np.flatnonzero(arr < 0)
        if bad.size:
            raise ValueError(
                f"network: edge row {int(bad[0])}: node id {col.iloc[int(bad[0])]!r} is not in the node DataFrame"
            )
    w = None
    if weight is not None and weight in edges.columns:
        try:
            w = edges[weight].to_numpy(dtype="float64")
        except (TypeError, ValueError):
            raise TypeError(f"network: the weight column {weight!r} is not numeric") from None
    return node_list, src.astype(np.int64), dst.astype(np.int64), w, True if directed is None else directed, columns


def register(network: Any, *, nodes: Optional[pd.DataFrame] = None, weight: Optional[str] = "weight",
             source: str = "source", target: str = "target", id: str = "id",
             directed: Optional[bool] = None) -> Tuple[str, Dict[str, Hashable]]:
    """Builds and registers ``network``; returns its name and the map from the ids in the
    outputs (text) back to the original node ids."""
    if _is_networkx(network):
        parts = _from_networkx(network, weight, directed)
    elif isinstance(network, pd.DataFrame):
        parts = _from_frames(network, nodes, source, target, weight, id, directed)
    else:
        raise TypeError(
            f"network: expected a networkx Graph/DiGraph or an edge DataFrame, not {type(network).__name__}"
        )
    node_list, src, dst, w, is_directed, columns = parts
    tokens = _tokens(node_list)
    name = _native.register_network(tokens, src, dst, w, bool(is_directed), columns)
    return name, dict(zip(tokens, node_list))
