"""The Dynamics tab's data (core/dynamics.py): the gradient norms and deltas are the engine's own
(TrainingSession.step_trace), the percentiles NumPy's, the update ratios the updates gradient
descent makes, the hidden space the hidden layer's activations; recorded at snapshot time, bounded,
following a look back and cut by a step back."""

from __future__ import annotations

import numpy as np
import pytest
from recorder import Recorder

from nnviz.core import dynamics as dyn
from nnviz.core.experiment import Experiment, Settings
from nnviz.core.runner import Runner

SIX = Settings(data="spiral", hidden=(8,) * 6, activation=("sigmoid",), iterations=5000, seed=3)


def _sig(a):
    return 1.0 / (1.0 + np.exp(-a))


def _plain_layers(weights, X, acts):
    """H of every layer, written out here (the post's forward pass): H = f([1, H_prev] W)."""
    f = {"sigmoid": _sig, "tanh": np.tanh, "relu": lambda a: np.maximum(a, 0.0), "linear": lambda a: a}
    out, H = [], X
    for W, name in zip(weights, acts, strict=True):
        H = f[name](np.c_[np.ones(len(H)), H] @ W)
        out.append(H)
    return out


def _rest(runner):
    while runner.busy:
        runner.advance()


def _runner(settings, needs=("dynamics",)):
    rec = Recorder()
    runner = Runner(rec)
    runner.configure(settings)
    runner.set_view(set(needs))
    return runner, rec


def _at(settings, iteration):
    """An experiment replayed independently to ``iteration``."""
    exp = Experiment(settings)
    if iteration:
        exp.session.run(iteration)
    return exp


@pytest.mark.parametrize("engine", ["numba", "numpy"])
def test_gradient_norms_and_deltas_are_the_engines_own(engine):
    s = SIX.with_(engine=engine)
    runner, rec = _runner(s)
    for n in (1, 7, 60, 300):
        runner.step(n)
        _rest(runner)
    hist = rec.last.dynamics.history
    assert hist.iterations[0] == 0 and hist.iterations[-1] == 368
    checked = 0
    for i, it in enumerate(hist.iterations):
        if it not in (0, 1, 8, 68, 368):
            continue
        trace = _at(s, int(it)).session.step_trace()  # the iteration that starts from these weights
        want_g = [np.linalg.norm(lt.gradient) for lt in trace.layers]
        want_d = [np.abs(lt.delta).mean() for lt in trace.layers]
        assert np.allclose(hist.grad_norm[i], want_g, rtol=1e-10, atol=0)
        assert np.allclose(hist.delta_mean[i], want_d, rtol=1e-10, atol=0)
        checked += 1
    assert checked == 5
    # the vanishing gradient of a deep sigmoid network: the first layer's deltas far below the last's
    last = hist.delta_mean[-1]
    assert last[0] < last[-1] / 100


def test_deltas_with_cross_entropy_and_relu_and_tanh_layers():
    s = Settings(data="iris", hidden=(5, 4), activation=("relu", "tanh"), output_activation="softmax", loss="ce",
                 iterations=500)
    runner, rec = _runner(s)
    runner.step(25)
    _rest(runner)
    trace = _at(s, 25).session.step_trace()
    now = rec.last.dynamics.now
    assert np.allclose(now[:, 0], [np.linalg.norm(lt.gradient) for lt in trace.layers], rtol=1e-10, atol=0)
    assert np.allclose(now[:, 1], [np.abs(lt.delta).mean() for lt in trace.layers], rtol=1e-10, atol=0)


def test_percentiles_are_numpys_on_the_same_weights_and_activations():
    s = Settings(data="iris", hidden=(6, 6), iterations=500)
    runner, rec = _runner(s)
    runner.step(40)
    _rest(runner)
    hist = rec.last.dynamics.history
    exp = _at(s, 40)
    H = _plain_layers(exp.network.weights, exp.X_train, ("sigmoid", "sigmoid", "sigmoid"))
    q = [0, 6.68, 15.87, 30.85, 50, 69.15, 84.13, 93.32, 100]
    for li, W in enumerate(exp.network.weights):
        assert np.allclose(hist.w_pct[-1, li], np.percentile(W, q), rtol=0, atol=1e-14)
        assert np.allclose(hist.a_pct[-1, li], np.percentile(H[li], q), rtol=0, atol=1e-14)
        assert hist.w_pct[-1, li, 0] == W.min() and hist.w_pct[-1, li, -1] == W.max()


def test_update_ratio_is_the_gradient_step_over_the_weights():
    """Gradient descent without momentum: the ratio recorded at iteration t is ||W(t+1) - W(t)|| / ||W(t)||,
    the update the next iteration makes (the penalty's part included)."""
    s = Settings(data="iris", hidden=(6,), iterations=500, lr=0.03, l2=0.01)
    runner, rec = _runner(s)
    runner.step(30)
    _rest(runner)
    ratio = rec.last.dynamics.history.ratio[-1]
    exp = _at(s, 30)
    before = [W.copy() for W in exp.network.weights]
    exp.session.run(1)
    want = [np.linalg.norm(a - b) / np.linalg.norm(b) for a, b in zip(exp.network.weights, before, strict=True)]
    assert np.allclose(ratio, want, rtol=1e-9, atol=0)


def test_saturation_and_dead_units():
    H = np.array([[0.001, 0.5, 0.995], [0.2, 0.0095, 0.999]])
    assert dyn.saturation(H, "sigmoid") == pytest.approx(4 / 6)
    assert dyn.saturation(np.array([[-0.995, 0.0], [0.3, 0.991]]), "tanh") == pytest.approx(2 / 4)
    assert dyn.saturation(np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 2.0]]), "relu") == pytest.approx(1 / 3)
    assert np.isnan(dyn.saturation(H, "linear"))


def test_the_history_is_bounded_over_a_million_iterations():
    track = dyn.Track(2, capacity=1000)
    point = np.zeros((2, dyn.FIELDS))
    size = track._v.nbytes
    for it in range(0, 1_000_000, 7):
        track.add(it, point + it)
    assert len(track) <= 1000 and track._v.nbytes == size
    its, values = track.frozen()
    assert its[-1] == 999_999 and its[0] == 0 and np.all(np.diff(its) > 0)
    assert np.array_equal(values[:, 0, 0], its)  # every point stays with its own iteration
    gaps = np.diff(its[:-1])
    assert gaps.max() <= 2 * gaps.min()  # evenly thinned


def test_recorded_at_snapshot_time_only_while_asked_and_a_preview_records_nothing():
    s = Settings(data="iris", hidden=(5,), iterations=2000)
    runner, rec = _runner(s, needs=())
    runner.step(50)
    _rest(runner)
    assert rec.last.dynamics is None
    runner.set_view({"dynamics"})
    runner.step(50)
    _rest(runner)
    hist = rec.last.dynamics.history
    assert hist.iterations[0] == 50 and hist.iterations[-1] == 100  # nothing before it was asked
    n = len(hist.iterations)
    runner.preview(70)
    snap = rec.last
    assert snap.preview and snap.iteration == 70
    assert len(snap.dynamics.history.iterations) == n  # a look back records nothing
    exp = _at(s, 70)
    H = _plain_layers(exp.network.weights, exp.X_train, ("sigmoid", "sigmoid"))
    assert np.allclose(snap.dynamics.now[:, 4 + 4], [np.median(W) for W in exp.network.weights], atol=1e-14)
    assert np.allclose(snap.dynamics.now[:, -1], [h.max() for h in H], atol=1e-14)
    assert np.all(np.isnan(snap.dynamics.now[:, 2]))  # no optimiser state of iteration 70 at hand
    runner.resume_from(80)  # a step back: the history after 80 belongs to a run that is gone
    assert rec.last.dynamics.history.iterations[-1] <= 80


def test_histograms_of_the_shown_layer():
    s = Settings(data="iris", hidden=(6, 6), iterations=500)
    runner, rec = _runner(s, needs=("dyn_hist:1",))
    runner.step(20)
    _rest(runner)
    h = rec.last.dynamics.hist
    exp = _at(s, 20)
    H = _plain_layers(exp.network.weights, exp.X_train, ("sigmoid", "sigmoid", "sigmoid"))
    c, e = np.histogram(exp.network.weights[1], bins=dyn.BINS)
    assert h.layer == 1 and np.array_equal(h.w_counts, c) and np.allclose(h.w_edges, e, atol=1e-15)
    c, e = np.histogram(H[1], bins=dyn.BINS, range=(0.0, 1.0))
    assert np.array_equal(h.a_counts, c) and np.array_equal(h.a_edges, e)
    assert h.w_counts.sum() == 7 * 6 and h.a_counts.sum() == 150 * 6
    assert rec.last.dynamics.history is None  # not asked


def test_hidden_space_of_two_neurons_is_their_activations():
    s = Settings(data="xor", hidden=(6, 2), activation=("tanh",), iterations=500)
    runner, rec = _runner(s, needs=("hidden_space:2:start",))
    runner.step(33)
    _rest(runner)
    hs = rec.last.dynamics.hidden
    exp = _at(s, 33)
    H2 = _plain_layers(exp.network.weights, exp.X_train, ("tanh", "tanh", "sigmoid"))[1]
    assert hs.kind == "neurons" and hs.axes == ("h2.1", "h2.2")
    assert np.abs(hs.points - H2[hs.rows]).max() < 1e-12
    # the grid line of constant x1 at the left edge, through the network written out here
    x, y, w, h = runner.context.map_grid.rect
    raw = np.column_stack([np.full(dyn.LINE_POINTS, x), np.linspace(y, y + h, dyn.LINE_POINTS)])
    G2 = _plain_layers(exp.network.weights, exp.scaling.inputs(raw), ("tanh", "tanh", "sigmoid"))[1]
    assert np.abs(hs.lines[0] - G2).max() < 1e-12
    T = exp.train.T[hs.rows]
    assert exp.task == "classes" and T.shape[1] == 2
    assert np.array_equal(hs.classes, [list(t).index(1.0) for t in T])  # the one-hot column that is 1


def test_the_decision_line_in_the_last_two_neuron_layer_splits_the_rows_as_the_output_does():
    s = Settings(data="spiral", hidden=(8, 2), activation=("tanh",), iterations=500)
    runner, rec = _runner(s, needs=("hidden_space:2:start",))
    runner.step(300)
    _rest(runner)
    hs = rec.last.dynamics.hidden
    u, v, w = hs.boundary
    exp = _at(s, 300)
    W = exp.network.weights
    out = _sig(np.c_[np.ones(len(hs.rows)), _plain_layers(W[:2], exp.X_train, ("tanh", "tanh"))[1][hs.rows]] @ W[2])
    side = u * hs.points[:, 0] + v * hs.points[:, 1] + w > 0
    assert np.array_equal(side, out[:, 0] > out[:, 1]) and 0 < side.mean() < 1
    runner.set_view({"hidden_space:1:start"})  # a layer the output does not read directly: no line
    assert rec.last.dynamics.hidden.boundary is None


def test_a_wide_layer_is_projected_by_the_start_weights_pca_fixed_for_the_run():
    s = Settings(data="spiral", hidden=(8, 8), activation=("tanh",), iterations=2000)
    runner, rec = _runner(s, needs=("hidden_space:1:start",))
    start = _at(s, 0)
    H0 = _plain_layers(start.network.weights, start.X_train, ("tanh", "tanh", "sigmoid"))[0]
    mean = H0.mean(axis=0)
    vals, vecs = np.linalg.eigh(np.cov((H0 - mean).T))
    basis = vecs[:, ::-1][:, :2]
    for j in range(2):
        if basis[np.argmax(np.abs(basis[:, j])), j] < 0:
            basis[:, j] *= -1
    for n in (10, 200):
        runner.step(n)
        _rest(runner)
        hs = rec.last.dynamics.hidden
        exp = _at(s, rec.last.iteration)
        H1 = _plain_layers(exp.network.weights, exp.X_train, ("tanh", "tanh", "sigmoid"))[0]
        assert hs.kind == "pca" and hs.fitted_at == 0
        assert np.abs(hs.points - (H1[hs.rows] - mean) @ basis).max() < 1e-10
    assert hs.explained[0] == pytest.approx(vals[-1] / vals.sum(), rel=1e-9)
    runner.set_view({"hidden_space:1:r1"})  # refit on the weights shown (iteration 210)
    hs = rec.last.dynamics.hidden
    assert hs.fitted_at == 210 and abs(float(hs.points.mean(axis=0)[0])) < 1e-12


def test_a_new_network_starts_a_new_history():
    s = Settings(data="iris", hidden=(5,), iterations=500)
    runner, rec = _runner(s)
    runner.step(30)
    _rest(runner)
    runner.reset()
    assert list(rec.last.dynamics.history.iterations) == [0]
