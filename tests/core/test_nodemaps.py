"""Neuron maps and histograms come with the snapshot and equal an independent forward pass."""

from __future__ import annotations

import numpy as np
import pytest
from recorder import Recorder

from nnviz.core import nodemaps
from nnviz.core.data import Dataset
from nnviz.core.diagram import build_graph
from nnviz.core.experiment import Settings
from nnviz.core.runner import NODE_GRID, Runner

F = {"sigmoid": lambda a: 1.0 / (1.0 + np.exp(-a)), "tanh": np.tanh, "relu": lambda a: np.maximum(a, 0.0),
     "linear": lambda a: a}


def by_hand(weights, acts, X):
    """Every layer's values (inputs first), row by row, from the weights alone (bias in row 0)."""
    out, H = [np.asarray(X, dtype=float)], np.asarray(X, dtype=float)
    for W, name in zip(weights, acts, strict=True):
        A = W[0] + H @ W[1:]
        H = F[name](A)
        out.append(H)
    return out


def make(settings, dataset=None):
    rec = Recorder()
    runner = Runner(rec)
    runner.configure(settings, dataset)
    return runner, rec


def test_every_node_map_equals_that_nodes_activation_on_the_grid():
    runner, rec = make(Settings(data="xor", hidden=(5, 4), activation=("tanh", "sigmoid"), iterations=500))
    runner.set_view({"node_maps"})
    runner.step(30)
    while runner.busy:
        runner.advance()
    snap, ctx = rec.last, rec.contexts[-1]
    grid = ctx.node_grid
    assert grid.size == NODE_GRID and grid.points.shape == (NODE_GRID ** 2, 2)
    # the same plane as the decision map, coarser
    assert grid.rect == ctx.map_grid.rect
    ref = by_hand(snap.weights, ("tanh", "sigmoid", "sigmoid"), grid.points)
    assert [m.shape for m in snap.node_maps] == [(2, 40, 40), (5, 40, 40), (4, 40, 40), (2, 40, 40)]
    for li, values in enumerate(ref):
        for j in range(values.shape[1]):
            for xi, yi in ((0, 0), (3, 17), (39, 0), (21, 39), (39, 39)):
                assert snap.node_maps[li][j, xi, yi] == pytest.approx(values[xi * grid.size + yi, j], abs=1e-13)
            assert np.allclose(snap.node_maps[li][j].ravel(), values[:, j], rtol=0, atol=1e-13)
    # [node, x, y]: x grows along the second axis, y along the third
    assert np.all(np.diff(snap.node_maps[0][0][:, 0]) > 0) and np.all(np.diff(snap.node_maps[0][1][0, :]) > 0)
    assert not snap.node_maps[1].flags.writeable


def test_the_maps_follow_the_weights():
    runner, rec = make(Settings(data="circles", hidden=(4,), iterations=500))
    runner.set_view({"node_maps"})
    first = rec.last.node_maps
    runner.step(50)
    while runner.busy:
        runner.advance()
    later = rec.last.node_maps
    assert np.array_equal(first[0], later[0])  # the inputs do not learn
    assert not np.allclose(first[1], later[1]) and not np.allclose(first[2], later[2])
    # an edited weight moves exactly the maps downstream of it
    runner.set_weight(0, 0, 2, 3.0)  # bias of hidden neuron 3
    edited = rec.last.node_maps
    assert np.array_equal(edited[1][[0, 1, 3]], later[1][[0, 1, 3]])
    assert not np.allclose(edited[1][2], later[1][2])
    ref = by_hand(rec.last.weights, ("sigmoid", "sigmoid"), rec.contexts[-1].node_grid.points)
    assert np.allclose(edited[1][2].ravel(), ref[1][:, 2], atol=1e-13, rtol=0)


def test_the_selected_node_has_its_map_on_the_decision_maps_grid():
    runner, rec = make(Settings(data="spiral", hidden=(6, 3), activation=("tanh",), iterations=100))
    runner.set_view({"node_map", "node_maps"}, 0, (2, 1))
    snap, grid = rec.last, rec.contexts[-1].map_grid
    assert snap.map_node == (2, 1) and snap.node_map.shape == (grid.size, grid.size)
    ref = by_hand(snap.weights, ("tanh", "tanh", "sigmoid"), grid.points)
    assert np.allclose(snap.node_map.ravel(), ref[2][:, 1], atol=1e-13, rtol=0)
    runner.set_view({"node_map"}, 0, (0, 1))  # an input: its own values
    assert np.array_equal(rec.last.node_map.ravel(), grid.points[:, 1])
    runner.set_view({"node_map"}, 0, None)
    assert rec.last.node_map is None and rec.last.map_node is None
    runner.set_view({"node_map"}, 0, (5, 0))  # no such layer: nothing, no error
    assert rec.last.node_map is None and not rec.errors


def test_nothing_is_computed_unless_asked():
    runner, rec = make(Settings(data="xor", iterations=100))
    runner.set_view({"outputs"}, 0, (1, 0))
    snap = rec.last
    assert snap.node_maps is None and snap.node_map is None and snap.node_hists is None
    runner.set_view({"outputs", "node_maps"})
    assert rec.last.node_maps is not None and rec.last.node_hists is None
    runner.set_view({"outputs", "node_hists"})
    assert rec.last.node_maps is None and rec.last.node_hists is not None


def test_no_maps_without_two_inputs():
    runner, rec = make(Settings(data="iris", iterations=100))
    runner.set_view({"node_maps", "node_map"}, 0, (1, 0))
    assert rec.contexts[-1].node_grid is None and rec.last.node_maps is None and rec.last.node_map is None


def test_histograms_equal_numpys_per_class():
    runner, rec = make(Settings(data="iris", hidden=(5, 3), activation=("tanh", "relu"), iterations=300))
    runner.set_view({"node_hists"})
    runner.step(200)
    while runner.busy:
        runner.advance()
    snap, exp = rec.last, runner.exp
    values = by_hand(snap.weights, ("tanh", "relu", "sigmoid"), exp.X_train)
    label = exp.train.T.argmax(axis=1)
    assert [c.shape for c in snap.node_hists] == [(4, 3, 12), (5, 3, 12), (3, 3, 12), (3, 3, 12)]
    for li, v in enumerate(values):
        for j in range(v.shape[1]):
            edges = snap.node_hist_edges[li][j]
            if li in (1,):  # tanh: fixed -1..1
                assert np.allclose(edges, np.linspace(-1, 1, 13))
            elif li == 3:  # sigmoid: fixed 0..1
                assert np.allclose(edges, np.linspace(0, 1, 13))
            else:  # inputs, relu: the observed range
                lo, hi = v[:, j].min(), v[:, j].max()
                if hi > lo:
                    assert edges[0] == pytest.approx(lo, abs=1e-12) and edges[-1] == pytest.approx(hi, abs=1e-12)
            # the observed range's ends are the engine's values: the same numbers as by hand to
            # rounding (1e-15), so a value by hand may sit a hair outside and is put back on the end
            col = np.clip(v[:, j], edges[0], edges[-1]) if li in (0, 2) else v[:, j]
            assert np.allclose(col, v[:, j], atol=1e-12, rtol=0)
            for k in range(3):
                counts, _ = np.histogram(col[label == k], bins=edges)
                assert np.array_equal(snap.node_hists[li][j, k], counts), (li, j, k)
            assert snap.node_hists[li][j].sum() == exp.train.n


def test_histogram_binning_matches_numpy_at_the_edges():
    rng = np.random.default_rng(3)
    edges = np.linspace(-1, 1, 13)
    # values on every edge, a hair either side, outside, and NaN
    v = np.concatenate([edges, np.nextafter(edges, 2), np.nextafter(edges, -2), [-1.5, 1.5, np.nan],
                        rng.uniform(-1, 1, 500)])
    group = rng.integers(0, 2, v.size)
    got = nodemaps.histogram(v[:, None], edges[None, :], group, 2)
    for k in range(2):
        sel = v[group == k]
        assert np.array_equal(got[0, k], np.histogram(sel[np.isfinite(sel)], bins=edges)[0])


def test_wide_layers_give_pictures_of_the_drawn_neurons_only():
    rng = np.random.default_rng(0)
    n = 5000
    X = rng.normal(size=(n, 3))
    T = np.eye(2)[(X[:, 0] > 0).astype(int)]
    ds = Dataset("wide", X, T, ("a", "b", "c"), ("no", "yes"), "classes")
    runner, rec = make(Settings(data="wide", hidden=(40,), iterations=10), ds)
    runner.set_view({"node_hists"})
    counts = rec.last.node_hists
    G = build_graph(runner.exp.arch.sizes)
    drawn = [sum(1 for key in G.nodes if key[0] == "n" and key[1] == li) for li in range(3)]
    assert [c.shape[0] for c in counts] == drawn == list(nodemaps.shown(runner.exp.arch.sizes)) == [3, 15, 2]
    # 5,000 rows: every third row is counted
    rows = nodemaps.rows_used(n)
    assert rows.size == 1667 and all(c[j].sum() == rows.size for c in counts for j in range(c.shape[0]))
    label = runner.exp.train.T.argmax(axis=1)[rows]
    v = runner.exp.X_train[rows, 1]
    assert np.array_equal(counts[0][1, 1], np.histogram(v[label == 1], bins=rec.last.node_hist_edges[0][1])[0])
