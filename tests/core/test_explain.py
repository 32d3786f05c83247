"""A cell of a step opened into its sum: the numbers written out give the cell back (to 1e-12),
and the cell is what a forward and backward pass written here in plain NumPy gives."""

from __future__ import annotations

import math

import numpy as np
import pytest

from nnviz.core.experiment import Experiment, Settings
from nnviz.core.explain import KINDS, explain, num
from nnviz.core.notation import Names, plain


def setup(**kw):
    e = Experiment(Settings(**kw))
    e.session.run(3)
    W0 = [W.copy() for W in e.network.weights]
    t = e.session.step_trace()
    names = Names(e.arch.sizes, tuple(e.input_labels), tuple(e.dataset.output_names))
    return e, W0, t, names


def f(name, A):
    return {"sigmoid": lambda a: 1 / (1 + np.exp(-a)), "tanh": np.tanh, "relu": lambda a: np.maximum(a, 0),
            "linear": lambda a: a}[name](A)


def fprime(name, A):
    H = f(name, A)
    return {"sigmoid": H * (1 - H), "tanh": 1 - H ** 2, "relu": (A > 0) * 1.0, "linear": np.ones_like(A)}[name]


def by_hand(X, Y, weights, acts, lr):
    """The post's step in plain NumPy: [1, H] W, f, delta_y = (y - yhat) f'(A), delta_h, lr [1, H]^T delta."""
    ins, As, Hs = [], [], []
    H = X
    for W, a in zip(weights, acts, strict=True):
        inp = np.hstack([np.ones((H.shape[0], 1)), H])
        A = inp @ W
        H = f(a, A)
        ins.append(inp)
        As.append(A)
        Hs.append(H)
    D = [None] * len(weights)
    D[-1] = (Y - Hs[-1]) * fprime(acts[-1], As[-1])
    for li in range(len(weights) - 2, -1, -1):
        D[li] = (D[li + 1] @ weights[li + 1][1:].T) * fprime(acts[li], As[li])
    return ins, As, Hs, D, [lr * ins[li].T @ D[li] for li in range(len(weights))]


@pytest.mark.parametrize("kw", [dict(data="iris"), dict(data="toy", hidden=(5, 4), activation=("tanh", "relu")),
                                dict(data="iris", hidden=(4,), l1=0.001, l2=0.01)])
def test_every_written_out_cell_gives_its_value_back_and_matches_a_pass_by_hand(kw):
    e, W0, t, names = setup(**kw)
    acts = list(e.arch.layer_activations)
    ins, As, Hs, D, U = by_hand(e.X_train, e.Y_train, W0, acts, 0.02)
    L = len(W0)
    for lw in range(1, L + 1):
        li = lw - 1
        for r in range(0, len(t.rows), max(1, len(t.rows) // 4)):
            for j in range(W0[li].shape[1]):
                a = explain(t, names, "A", lw, r, j)
                assert a.value == t.layers[li].A[r, j]
                assert abs(a.recomputed - a.value) < 1e-12 and abs(a.value - As[li][r, j]) < 1e-12
                assert len(a.terms) == W0[li].shape[0] and a.terms[0] == (1.0, W0[li][0, j])  # the bias first
                for x, w in a.terms:  # every term is written, with its numbers
                    assert num(x).lstrip("\u2212") in a.numbers and num(w).lstrip("\u2212") in a.numbers
                assert a.numbers.endswith(f"= {num(a.value)}")
                h = explain(t, names, "H", lw, r, j)
                assert abs(h.recomputed - h.value) < 1e-12 and abs(h.value - Hs[li][r, j]) < 1e-12
                d = explain(t, names, "delta", lw, r, j)
                assert abs(d.recomputed - d.value) < 1e-12 and abs(d.value - D[li][r, j]) < 1e-12
                fp = explain(t, names, "fprime", lw, r, j)
                assert abs(fp.recomputed - fp.value) < 1e-12
        for i in range(W0[li].shape[0]):
            for j in range(W0[li].shape[1]):
                g = explain(t, names, "gradient", lw, i, j)
                assert abs(g.recomputed - g.value) < 1e-12 and len(g.terms) == len(t.rows)
                u = explain(t, names, "update", lw, i, j)
                assert abs(u.recomputed - u.value) < 1e-12
                if t.l1 == 0 and t.l2 == 0:
                    assert abs(u.value - U[li][i, j]) < 1e-12
                    assert abs(u.recomputed - 0.02 * g.recomputed) < 1e-15
                assert "\u2212dC/dw" in g.formula  # the sign convention, where it is used
    e_ = explain(t, names, "error", L, 4, 1)
    assert e_.value == t.error[4, 1] and abs(e_.recomputed - (e.Y_train[4, 1] - Hs[-1][4, 1])) < 1e-12


def test_the_written_sum_is_the_posts_formula_with_the_numbers_in():
    e, W0, t, names = setup(data="toy")
    a = explain(t, names, "A", 1, 2, 3)  # A1[obs 3, h1.4] = 1 * b + x1 w1 + x2 w2 + x3 w3
    x = t.layers[0].input[2]

    def p(v):
        text = f"{v:.6g}".replace("-", "\u2212")
        return f"({text})" if v < 0 else text

    expected = " + ".join(f"{p(v)} \u00d7 {p(w)}" for v, w in zip(x, W0[0][:, 3], strict=True))
    assert a.numbers == f"a = {expected} = {num(t.layers[0].A[2, 3])}"
    assert plain(a.title) == "A1[obs 3, h1.4]"
    d = explain(t, names, "delta", 2, 0, 1)  # a hidden delta: (sum_k delta_k w_jk) f'(a)
    assert len(d.terms) == 2 and d.factor_names == ("\u03b4<sub>y</sub>", "W<sub>3</sub>")  # delta_h2 from delta_y
    assert math.isclose(d.recomputed, math.fsum(p * q for p, q in d.terms) * t.layers[1].fprime[0, 1], rel_tol=1e-15)


def test_a_long_sum_is_abbreviated_and_whole_on_request():
    e, W0, t, names = setup(data="iris")
    u = explain(t, names, "update", 2, 3, 1)
    assert len(u.terms) == 150 and "(142 more)" in u.numbers and u.full.count("\u00d7") > 150
    with pytest.raises(ValueError, match="unknown kind"):
        explain(t, names, "nonsense", 1, 0, 0)
    assert set(KINDS) >= {"A", "H", "delta", "update"}


def test_the_posts_names_beside_the_apps():
    n = Names((4, 6, 6, 3), ("Sepal.Length", "Sepal.Width", "Petal.Length", "Petal.Width"),
              ("setosa", "versicolor", "virginica"))
    assert plain(n.input(1)) == "X" and plain(n.input_long(1)) == "X = [1, x]" and plain(n.input_app(1)) == "[1, H0]"
    assert plain(n.input(2)) == "H\u03041" and plain(n.H(3)) == "\u0177" and plain(n.H_app(3)) == "H3"
    assert plain(n.delta(3)) == "\u03b4y" and plain(n.delta(2)) == "\u03b4h2" and plain(n.delta(1)) == "\u03b4h1"
    assert plain(n.delta_app(1)) == "\u03b41"
    assert plain(n.with_app(n.H(3), n.H_app(3))) == "\u0177 (app:\u00a0H3)"
    assert n.node_long(0, 2) == "x3 (input 3: Petal.Length)"
    assert n.node_long(1, 3) == "h1.4 (hidden layer 1, node 4)"
    assert n.node_long(3, 1) == "\u01772 (output 2: versicolor)"
    one = Names((3, 4, 2), ("x1", "x2", "x3"), ("y1", "y2"))  # the post's first example: H, H-bar, delta_h
    assert plain(one.H(1)) == "H" and plain(one.input(2)) == "H\u0304" and plain(one.delta(1)) == "\u03b4h"
