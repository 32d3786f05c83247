"""Olden, Garson, generalized weights and profiles, without R: against independent computations
written here plainly (paths summed one by one, derivatives by finite differences, profiles
row by row), never against the module's own functions."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from nnviz.core import importance as imp
from nnviz.core import profiles as prof
from nnviz.core.data import Scaling
from nnviz.core.network import Architecture, Network


def _net(sizes, acts=("sigmoid",), out="sigmoid", seed=3, scale=1.5) -> Network:
    arch = Architecture(sizes[0], tuple(sizes[1:-1]), sizes[-1], acts, out,
                        "ce" if out == "softmax" else "sse")
    rng = np.random.default_rng(seed)
    return Network(arch, rng.uniform(-scale, scale, arch.n_weights))


# -- Olden ------------------------------------------------------------------------------------------

def test_olden_is_the_sum_over_paths_of_the_products_of_the_weights():
    net = _net((3, 4, 2, 2))
    W1, W2, W3 = net.weights
    want = np.zeros((3, 2))
    for i, j, m, k in itertools.product(range(3), range(4), range(2), range(2)):  # every path i -> j -> m -> k
        want[i, k] += W1[i + 1, j] * W2[j + 1, m] * W3[m + 1, k]  # row 0 is the bias: not on a path
    assert np.abs(imp.olden(net.weights) - want).max() < 1e-12


def test_olden_with_one_hidden_layer_and_with_none():
    net = _net((4, 5, 3))
    W1, W2 = net.weights
    want = [[sum(W1[i + 1, j] * W2[j + 1, k] for j in range(5)) for k in range(3)] for i in range(4)]
    assert np.abs(imp.olden(net.weights) - np.array(want)).max() < 1e-12
    flat = _net((4, 2))
    assert np.array_equal(imp.olden(flat.weights), flat.weights[0][1:])  # a single path per input: the weight


# -- Garson ------------------------------------------------------------------------------------------

def test_garson_follows_the_definition():
    net = _net((4, 3, 1))
    W1, W2 = net.weights
    # Garson (1991) as NeuralNetTools computes it: c_ij = |w_ij| |v_j|; r_ij = c_ij / sum_i c_ij; S_i = sum_j r_ij
    S = []
    for i in range(4):
        total = 0.0
        for j in range(3):
            col = sum(abs(W1[a + 1, j]) * abs(W2[j + 1, 0]) for a in range(4))
            total += abs(W1[i + 1, j]) * abs(W2[j + 1, 0]) / col
        S.append(total)
    want = np.array(S) / sum(S)
    got = imp.garson(net.weights)
    assert np.abs(got - want).max() < 1e-12
    assert math.isclose(got.sum(), 1.0)


@pytest.mark.parametrize("sizes, words", [((4, 3, 3, 1), "one hidden layer, this network has 2"),
                                          ((4, 3, 2), "one output, this network has 2"),
                                          ((4, 2), "one hidden layer, this network has 0")])
def test_garson_is_refused_in_one_line_where_neuralnettools_refuses_it(sizes, words):
    net = _net(sizes)
    with pytest.raises(ValueError, match=words) as err:
        imp.garson(net.weights)
    assert "\n" not in str(err.value) and "Olden" in str(err.value)


# -- generalized weights -----------------------------------------------------------------------------

def _fd(f, X, h=1e-6) -> np.ndarray:
    """(n, k, p) central differences of f (n, k) in each input."""
    cols = []
    for j in range(X.shape[1]):
        e = np.zeros(X.shape[1])
        e[j] = h
        cols.append((f(X + e) - f(X - e)) / (2 * h))
    return np.stack(cols, axis=2)


@pytest.mark.parametrize("acts", [("sigmoid",), ("tanh",), ("relu", "tanh")])
def test_generalized_weights_are_the_derivatives_of_the_log_odds(acts):
    net = _net((3, 5, 4, 2) if len(acts) == 2 else (3, 5, 2), acts)
    X = np.random.default_rng(0).normal(size=(40, 3))

    def log_odds(X):
        y = net.predict(X)
        return np.log(y) - np.log1p(-y)

    gw = imp.generalized_weights(net, X)
    assert gw.shape == (40, 2, 3)
    assert np.abs(gw - _fd(log_odds, X)).max() < 1e-6


def test_generalized_weights_of_a_softmax_output_are_its_log_odds_derivatives():
    net = _net((3, 4, 3), ("tanh",), "softmax")
    X = np.random.default_rng(1).normal(size=(30, 3))

    def log_odds(X):
        p = net.predict(X)
        return np.log(p) - np.log1p(-p)

    assert np.abs(imp.generalized_weights(net, X) - _fd(log_odds, X)).max() < 1e-6


def test_a_linear_output_gives_the_derivative_of_the_output_itself_and_says_so():
    net = _net((2, 6, 1), ("sigmoid",), "linear")
    X = np.random.default_rng(2).normal(size=(25, 2))
    assert np.abs(imp.generalized_weights(net, X) - _fd(net.predict, X)).max() < 1e-7
    assert imp.log_odds_label("linear") == "output" and imp.log_odds_label("sigmoid") == "log-odds"


def test_generalized_weights_per_raw_unit():
    net = _net((2, 4, 1), ("tanh",), "linear")
    sc = Scaling(np.array([10.0, -3.0]), np.array([4.0, 0.5]), np.array([100.0]), np.array([20.0]))
    raw = np.random.default_rng(4).normal(size=(20, 2)) * sc.x_scale + sc.x_center

    def in_target_units(R):
        return sc.outputs(net.predict(sc.inputs(R)))

    got = imp.generalized_weights(net, sc.inputs(raw), sc, raw=True)
    assert np.abs(got - _fd(in_target_units, raw, 1e-5)).max() < 1e-6


def test_a_saturated_output_still_has_its_generalized_weights():
    """Where y rounds to 1, neuralnet's f'(a) / (y (1 - y)) is 0/0; the log-odds' derivative is finite."""
    net = _net((2, 3, 1))
    net.weights[1][0, 0] = 60.0  # the output's bias: y = 1 / (1 + e^-(60 + ...)) rounds to 1
    X = np.random.default_rng(5).normal(size=(50, 2))
    assert (net.predict(X) == 1.0).any()
    gw = imp.generalized_weights(net, X)
    assert np.isfinite(gw).all()


# -- profiles ------------------------------------------------------------------------------------------

def _r_quantile(col, q) -> float:
    """R's quantile type 7, as its documentation writes it."""
    x = sorted(col)
    h = (len(x) - 1) * q
    lo = math.floor(h)
    return x[lo] + (h - lo) * (x[min(lo + 1, len(x) - 1)] - x[lo])


def _model():
    net = _net((3, 4, 2), ("tanh",), "softmax", seed=7)
    sc = Scaling(np.array([1.0, 2.0, 3.0]), np.array([2.0, 0.5, 1.5]), np.zeros(2), np.ones(2))
    X = np.random.default_rng(8).normal(size=(37, 3)) * sc.x_scale + sc.x_center
    return net, sc, X


def test_lek_sweeps_each_input_with_the_others_at_the_quantiles():
    net, sc, X = _model()
    p = prof.profiles("lek", prof.model_predict(net, sc), X, steps=7)
    assert p.curves.shape == (3, 6, 7, 2) and p.labels == ("0%", "20%", "40%", "60%", "80%", "100%")
    for j in range(3):
        lo, hi = X[:, j].min(), X[:, j].max()
        for g, q in enumerate((0, 0.2, 0.4, 0.6, 0.8, 1.0)):
            for s in range(7):
                row = np.array([_r_quantile(X[:, c], q) for c in range(3)])
                row[j] = lo + s * (hi - lo) / 6
                y = net.predict(((row - sc.x_center) / sc.x_scale)[None, :])[0]
                assert np.abs(p.curves[j, g, s] - y).max() < 1e-12
                assert abs(p.x[j, s] - row[j]) < 1e-12


def test_lek_with_the_clusters_holds_the_others_at_the_centres():
    rng = np.random.default_rng(9)
    blobs = np.array([[0, 0, 0], [10, 0, 0], [0, 10, 0], [0, 0, 10]], dtype=float)
    X = np.concatenate([b + rng.normal(scale=0.3, size=(25, 3)) for b in blobs])
    centres = prof.cluster_groups(X, 4)
    want = sorted(X[k * 25:(k + 1) * 25].mean(axis=0).tolist() for k in range(4))  # each blob's mean, sorted
    assert np.abs(centres - np.array(want)).max() < 1e-12
    net, sc, _ = _model()
    p = prof.profiles("lek_clusters", prof.model_predict(net, sc), X, inputs=(1,), steps=5, clusters=4)
    row = centres[2].copy()
    row[1] = p.x[0, 3]
    assert np.abs(p.curves[0, 2, 3] - net.predict(sc.inputs(row[None, :]))[0]).max() < 1e-12
    assert p.labels[2] == "cluster 3"


def test_clusters_need_as_many_distinct_rows():
    with pytest.raises(ValueError, match="6 clusters need 6 distinct rows, the data has 2"):
        prof.cluster_groups(np.array([[0.0, 1.0], [0.0, 1.0], [2.0, 3.0]]), 6)


def test_partial_dependence_is_the_mean_of_the_ice_curves():
    net, sc, X = _model()
    p = prof.profiles("pdp", prof.model_predict(net, sc), X, inputs=(0, 2), steps=4)
    assert p.curves.shape == (2, 37, 4, 2) and p.mean.shape == (2, 4, 2)
    for a, j in enumerate((0, 2)):
        grid = np.linspace(X[:, j].min(), X[:, j].max(), 4)
        total = np.zeros((4, 2))
        for r in range(37):
            for s, v in enumerate(grid):
                row = X[r].copy()
                row[j] = v
                y = net.predict(sc.inputs(row[None, :]))[0]
                assert np.abs(p.curves[a, r, s] - y).max() < 1e-12
                total[s] += y
        assert np.abs(p.mean[a] - total / 37).max() < 1e-12


# -- what the Explain tab asks for ---------------------------------------------------------------------

def test_derive_gives_only_what_is_asked():
    net, sc, X = _model()
    Xs = sc.inputs(X)
    assert imp.derive(net, Xs, X, sc, {"outputs", "map"}) == {}
    got = imp.derive(net, Xs, X, sc, {"importance"})["learned"]
    assert np.array_equal(got.olden, imp.olden(net.weights)) and got.gw is None and got.profile is None
    assert got.garson is None and "one output" in got.garson_note
    got = imp.derive(net, Xs, X, sc, {"gen_weights:1", "profile:pdp:2"})["learned"]
    assert got.olden is None and got.gw.output == 1
    assert np.array_equal(got.gw.values, imp.generalized_weights(net, Xs)[:, 1, :])
    assert np.abs(got.gw.x - X).max() < 1e-12  # the inputs in their own units
    assert got.profile.kind == "pdp" and got.profile.inputs == (2,)
    assert not imp.is_need("profile:nope:1") and imp.is_need("profile:lek_clusters:0") and not imp.is_need("nodes")
    assert imp.is_need("gen_weights:0") and imp.is_need("importance") and not imp.is_need("gen_weights:x")


# -- figures -------------------------------------------------------------------------------------------

def test_the_bars_are_the_values_from_zero_in_the_signs_colours():
    from nnviz.core import diagram as D
    from nnviz.core import importance_figures as figs

    values = np.array([2.0, -1.0, 0.5, -3.0])
    scene = figs.importance_bars(["a", "b", "c", "d"], values, "Olden")
    th = D.theme("light")
    bars = [it for it in scene.items if isinstance(it, D.Rect) and it.fill in (th.positive, th.negative)]
    assert [b.fill for b in bars] == [th.positive, th.negative, th.positive, th.negative]
    per_unit = bars[0].w / 2.0
    assert all(abs(b.w - abs(v) * per_unit) < 1e-9 for b, v in zip(bars, values, strict=True))
    zero = bars[0].x  # positive bars start at zero, negative ones end there
    assert abs(bars[1].x + bars[1].w - zero) < 1e-9 and abs(bars[2].x - zero) < 1e-9
    assert [b.y for b in bars] == sorted(b.y for b in bars)  # in the inputs' order, top down


def test_one_outputs_generalized_weights_are_those_of_all_outputs():
    for out in ("sigmoid", "softmax", "linear"):
        net = _net((3, 4, 3), ("tanh",), out, seed=11)
        sc = Scaling(np.zeros(3), np.array([2.0, 3.0, 0.5]), np.zeros(3), np.array([1.0, 10.0, 100.0]))
        X = np.random.default_rng(12).normal(size=(20, 3))
        every = imp.generalized_weights(net, X, sc, raw=True)
        for k in range(3):
            assert np.array_equal(imp.generalized_weights(net, X, sc, raw=True, output=k)[:, 0], every[:, k])
