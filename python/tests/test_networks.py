"""Networks in memory: a networkx graph, or edge and node DataFrames, give the same results
as the same edges in an edge-list file; ids of any hashable type come back; bad input raises a
clear Python exception."""

import math

import networkx as nx
import numpy as np
import pandas as pd
import pytest

import kolsim
from conftest import CKM

DATA = CKM.parent / "data" / "ckm"


def ckm_frames():
    edges = pd.read_csv(DATA / "advice.csv")
    nodes = pd.read_csv(DATA / "nodes.csv")
    # The scenario reads `nominee → nominator` (the adviser influences).
    return edges.rename(columns={"nominee": "source", "nominator": "target"})[["source", "target"]], nodes


def ckm_graph():
    edges, nodes = ckm_frames()
    g = nx.DiGraph()
    for row in nodes.to_dict("records"):
        nid = row.pop("id")
        g.add_node(nid, **{k: v for k, v in row.items() if not (isinstance(v, float) and math.isnan(v))})
    g.add_edges_from(zip(edges["source"], edges["target"]))
    return g


def same_run(a, b):
    for name in ["curves", "summary", "metrics", "comparison", "kols"]:
        pd.testing.assert_frame_equal(getattr(a, name), getattr(b, name), check_exact=True, check_dtype=False)


def test_networkx_graph_gives_the_edge_list_results():
    sc = kolsim.Scenario.from_file(CKM).with_(replicates=30)
    from_file = kolsim.run(sc)
    g = ckm_graph()
    from_graph = kolsim.run(sc, network=g)
    assert sc.with_network(g).network_kind == "in_memory"
    same_run(from_file, from_graph)


def test_dataframes_give_the_edge_list_results():
    sc = kolsim.Scenario.from_file(CKM).with_(replicates=30)
    edges, nodes = ckm_frames()
    same_run(kolsim.run(sc), kolsim.run(sc.with_network(edges, nodes=nodes)))


def test_in_memory_network_works_for_fit_seed_and_sweep():
    sc = kolsim.Scenario.from_file(CKM)
    g = ckm_graph()
    pd.testing.assert_frame_equal(kolsim.fit(sc, network=g).models, kolsim.fit(sc).models, check_exact=True)
    a = kolsim.select_seeds(sc, k=5, model="bass", network=g)
    b = kolsim.select_seeds(sc, k=5, model="bass")
    assert a.ids == b.ids
    grid = {"model.bass.q": [0.1, 0.2]}
    small = sc.with_(replicates=5)
    pd.testing.assert_frame_equal(kolsim.sweep(small, grid, network=g), kolsim.sweep(small, grid), check_exact=True)


def star_scenario():
    return kolsim.Scenario.from_dict({
        "name": "ids", "steps": 6, "replicates": 4, "seed": 3,
        "network": {"kind": "complete", "n": 3},
        "kols": {"count": 1}, "initial_adopters": {"strategy": "kols", "count": 1},
        "model": [{"kind": "independent_cascade", "beta": 0.5}],
    })


def test_ids_of_any_hashable_type_round_trip():
    g = nx.Graph()
    hub = ("dr", 1)
    others = ["ann", 7, 2.5, frozenset({"x"}), ("dr", 2)]
    g.add_edges_from((hub, o, {"weight": 2.0}) for o in others)
    g.add_edge("ann", 7)
    res = kolsim.run(star_scenario(), network=g)
    kols = res.kols
    assert set(kols["id"]) == {hub, *others}
    assert kols.loc[kols["kol"] == 1, "id"].tolist() == [hub]
    s = kolsim.select_seeds(star_scenario(), k=1, model="independent_cascade", network=g)
    assert s.ids == [hub]
    assert hub in s.comparison["ids"].iloc[0]


def test_node_attributes_become_columns():
    g = nx.path_graph(["a", "b", "c", "d"])
    nx.set_node_attributes(g, {"a": "x", "b": "y", "c": "x", "d": "y"}, "town")
    nx.set_node_attributes(g, {"a": 3.0, "b": 1.0, "c": 2.0}, "volume")
    kols = kolsim.run(star_scenario(), network=g).kols
    assert list(kols.columns[-2:]) == ["town", "volume"]
    assert kols.set_index("id")["town"].to_dict() == {"a": "x", "b": "y", "c": "x", "d": "y"}
    assert math.isnan(kols.set_index("id").loc["d", "volume"])


@pytest.mark.parametrize("make, error, text", [
    (lambda: nx.Graph(), ValueError, "no nodes"),
    (lambda: nx.empty_graph(3), kolsim.InputError, "no edges"),
    (lambda: nx.Graph([(0, 1, {"weight": float("nan")})]), kolsim.InputError, "weight NaN"),
    (lambda: nx.Graph([(0, 1, {"weight": -2})]), kolsim.InputError, "positive"),
    (lambda: nx.Graph([(0, 1, {"weight": "heavy"})]), TypeError, "not a number"),
    (lambda: pd.DataFrame({"source": [1], "target": [2]}).rename(columns={"target": "to"}), ValueError, "no column 'target'"),
    (lambda: [(0, 1)], TypeError, "networkx Graph"),
])
def test_bad_networks_raise_clear_errors(make, error, text):
    with pytest.raises(error, match=text):
        star_scenario().with_network(make())


def test_unknown_ids_and_node_frames_without_id():
    edges = pd.DataFrame({"source": ["a", "b"], "target": ["b", "zed"]})
    nodes = pd.DataFrame({"id": ["a", "b"]})
    with pytest.raises(ValueError, match="'zed' is not in the node DataFrame"):
        star_scenario().with_network(edges, nodes=nodes)
    with pytest.raises(ValueError, match="no column 'id'"):
        star_scenario().with_network(edges, nodes=nodes.rename(columns={"id": "name"}))
    with pytest.raises(ValueError, match="not distinct"):
        star_scenario().with_network(edges, nodes=pd.DataFrame({"id": ["a", "a", "b", "zed"]}))


def test_weights_from_a_named_attribute():
    g = nx.DiGraph()
    g.add_edge("a", "b", strength=3.0)
    g.add_edge("b", "c", strength=0.5)
    sc = star_scenario()
    a = sc.with_network(g, weight="strength")
    edges = pd.DataFrame({"source": ["a", "b"], "target": ["b", "c"], "weight": np.array([3.0, 0.5])})
    b = sc.with_network(edges)
    same_run(kolsim.run(a), kolsim.run(b))
