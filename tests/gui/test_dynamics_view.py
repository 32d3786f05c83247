"""The Dynamics tab: its lines, bands, bars and dots are the snapshot's, for the iteration shown (the
present or a look back with the history slider), computed only while the tab is visible; the
landscape is computed off the GUI thread, can be cancelled, and its cross follows the slider."""

from __future__ import annotations

import numpy as np

from nnviz.core import dynamics as dyn
from nnviz.core.experiment import Experiment, Settings


def _sig(a):
    return 1.0 / (1.0 + np.exp(-a))


def _hidden(weights, X, layer, f=np.tanh):
    """Hidden layer ``layer``'s activations, written out here."""
    H = X
    for W in weights[:layer]:
        H = f(np.c_[np.ones(len(H)), H] @ W)
    return H


def _shown(w, qtbot, iteration: int, preview: bool = False, part: str = "history"):
    view = w.dynamics

    def ready():
        s = w.latest
        return (s is not None and s.iteration == iteration and s.preview == preview and s.dynamics is not None
                and getattr(s.dynamics, part) is not None and view.dynamics is s.dynamics)
    qtbot.waitUntil(ready, timeout=20_000)
    return w.latest


def test_the_lines_are_the_snapshots_history(make_window, qtbot):
    w = make_window(data="spiral", hidden=(6, 6, 6), iterations=2000)
    w.predictions.setCurrentWidget(w.dynamics)
    for n, at in ((5, 5), (20, 25), (50, 75)):
        w.step(n)
        qtbot.waitUntil(lambda at=at: w.latest.iteration == at and w.latest.state == "paused", timeout=20_000)
    snap = _shown(w, qtbot, 75)
    h = snap.dynamics.history
    assert {5, 25, 75} <= set(h.iterations.tolist()) and h.iterations[-1] == 75  # (and snapshots mid-step)
    page = w.dynamics.gradients
    for k, values in enumerate((h.grad_norm, h.delta_mean, h.ratio)):
        assert len(page.curves[k]) == 4
        for li, curve in enumerate(page.curves[k]):
            x, y = curve.getData()
            assert np.array_equal(x, h.iterations)
            assert np.allclose(y, np.log10(values[:, li]), rtol=0, atol=1e-12)  # a log axis holds log10
    assert all(m.value() == 75 for m in page.markers)
    # the gradient norm of the first layer, against a forward and backward pass written here
    exp = Experiment(Settings(data="spiral", hidden=(6, 6, 6), iterations=2000))
    exp.session.run(75)
    trace = exp.session.step_trace()
    assert np.allclose(h.grad_norm[-1], [np.linalg.norm(lt.gradient) for lt in trace.layers], rtol=1e-10)


def test_nothing_is_computed_while_the_tab_is_hidden(make_window, qtbot):
    w = make_window(data="iris", hidden=(5,), iterations=300)
    w.predictions.setCurrentIndex(0)
    w.step(3)
    qtbot.waitUntil(lambda: w.latest.iteration == 3, timeout=10_000)
    assert w.latest.dynamics is None
    assert not any(dyn.is_need(n) for n in w.controller.worker.runner.needs)
    w.predictions.setCurrentWidget(w.dynamics)
    qtbot.waitUntil(lambda: w.latest.dynamics is not None, timeout=10_000)
    assert "dynamics" in w.controller.worker.runner.needs


def test_the_view_follows_a_look_back_with_the_history_slider(make_window, qtbot):
    s = Settings(data="xor", hidden=(5, 2), activation=("tanh",), iterations=300)
    w = make_window(s)
    view = w.dynamics
    w.predictions.setCurrentWidget(view)
    view.show_page(view.distributions)
    view.distributions.layer_box.setCurrentIndex(1)
    w.play()
    qtbot.waitUntil(lambda: w.latest.state == "finished", timeout=20_000)
    end = _shown(w, qtbot, 300, part="hist")
    w.loss_plot.slider.setValue(120)  # drag the history slider
    then = _shown(w, qtbot, 120, preview=True, part="hist")
    assert view.shown_iteration == 120
    assert all(m.value() == 120 for m in view.distributions.markers)
    assert len(then.dynamics.history.iterations) == len(end.dynamics.history.iterations)  # nothing recorded
    ref = Experiment(s)
    ref.session.run(120)
    counts, edges = np.histogram(ref.network.weights[1], bins=dyn.BINS)
    bars = view.distributions.w_bars.opts
    assert np.array_equal(bars["y1"], counts) and np.allclose(bars["x0"], edges[:-1], atol=1e-15)
    assert not np.array_equal(end.dynamics.hist.w_counts, then.dynamics.hist.w_counts)
    # the hidden space of the look back: the second hidden layer's two neurons, row by row
    view.show_page(view.hidden)
    snap = _shown(w, qtbot, 120, preview=True, part="hidden")
    hs = snap.dynamics.hidden
    x, y = view.hidden.dots.getData()
    H = _hidden(ref.network.weights, ref.X_train, 2)
    assert hs.layer == 2 and np.abs(x - H[hs.rows, 0]).max() < 1e-12 and np.abs(y - H[hs.rows, 1]).max() < 1e-12


def test_saturation_is_flagged(make_window, qtbot):
    from nnviz.gui.views.dynamics_view import saturation_text

    text = saturation_text(np.array([0.1, 0.75, 0.9]), ("sigmoid", "relu", "sigmoid"))
    assert "h1 10% saturated" in text and "h2 75% dead \u26a0" in text and "out 90% saturated" in text
    assert "out 90% saturated \u26a0" not in text  # an output near 0 or 1 is what training wants
    w = make_window(data="iris", hidden=(6, 6), iterations=300)
    w.predictions.setCurrentWidget(w.dynamics)
    w.dynamics.show_page(w.dynamics.distributions)
    w.step(10)
    snap = _shown(w, qtbot, 10, part="hist")
    assert w.dynamics.distributions.saturation.text() == saturation_text(snap.dynamics.now[:, 3], snap.dynamics.activations)


def test_the_landscape_is_computed_in_the_background_and_its_cross_follows_the_slider(make_window, qtbot, tmp_path):
    s = Settings(data="iris", hidden=(5,), iterations=400)
    w = make_window(s)
    view = w.dynamics
    w.predictions.setCurrentWidget(view)
    view.show_page(view.landscape)
    page = view.landscape
    w.play()
    qtbot.waitUntil(lambda: w.latest.state == "finished", timeout=20_000)
    page.size_box.setValue(11)
    assert page.compute()
    qtbot.waitUntil(lambda: page.land is not None and not page.busy, timeout=30_000)
    land = page.land
    ref = Experiment(s)
    ref.session.run(400)
    assert land.iteration == 400 and np.array_equal(land.center, ref.network.params)
    assert abs(land.current - ref.evaluate().mse) < 1e-12
    assert np.abs(land.path[-1]).max() < 1e-12 and land.path_iterations[0] == 0
    w.loss_plot.slider.setValue(100)
    qtbot.waitUntil(lambda: page.shown_iteration == 100 and page.shown is not None and page.shown[0] == 100,
                    timeout=10_000)
    back = Experiment(s)
    back.session.run(100)
    want = [(back.network.params - land.center) @ d for d in (land.d1, land.d2)]  # orthonormal PCA directions
    x, y = page.cross.getData()
    assert np.allclose([x[0], y[0]], want, atol=1e-9)
    path = tmp_path / "land.svg"
    assert page.save(str(path)) and path.read_text().startswith("<?xml")
    # Cancel: nothing replaces the landscape shown
    page.directions_box.setCurrentIndex(1)
    page.size_box.setValue(201)
    assert page.compute()
    page.cancel()
    qtbot.waitUntil(lambda: not page.busy, timeout=30_000)
    assert page.land is land and page.note.text() in ("cancelled", "")


def test_closing_mid_landscape_leaves_no_thread(make_window, qtbot):
    w = make_window(data="digits", hidden=(32,), iterations=100)
    page = w.dynamics.landscape
    w.step(20)
    qtbot.waitUntil(lambda: w.latest.iteration == 20, timeout=20_000)
    page.size_box.setValue(201)
    assert page.compute()
    qtbot.waitUntil(lambda: page._job is not None and page._job[1] is not None, timeout=20_000)
    thread = page._job[1]
    w.close()
    assert not thread.isRunning() and not page.busy


def test_the_pages_figures_are_what_they_show(make_window, qtbot, tmp_path):
    import pytest

    from nnviz.core.diagram import Polyline
    from nnviz.gui.views.dynamics_view import save_scene

    w = make_window(data="xor", hidden=(4, 2), activation=("tanh",), iterations=500)
    view = w.dynamics
    w.predictions.setCurrentWidget(view)
    with pytest.raises(ValueError, match="nothing to draw yet"):
        save_scene(view.hidden.scene, str(tmp_path / "none.svg"))
    w.step(30)
    snap = _shown(w, qtbot, 30)
    scene = view.gradients.scene()
    lines = [p for p in scene.items if isinstance(p, Polyline)]
    assert len(lines) == 3 * 3  # three panels, a line per weight layer (each unbroken)
    save_scene(view.gradients.scene, str(tmp_path / "g.svg"))
    assert (tmp_path / "g.svg").read_text().startswith("<?xml")
    view.show_page(view.hidden)
    snap = _shown(w, qtbot, 30, part="hidden")
    save_scene(view.hidden.scene, str(tmp_path / "h.png"), dpi=96)
    assert (tmp_path / "h.png").read_bytes()[:4] == b"\x89PNG"
    assert view.hidden.scene().items and snap.dynamics.hidden.boundary is not None
    with pytest.raises(ValueError, match="unsupported image format"):
        save_scene(view.hidden.scene, str(tmp_path / "h.gif"))
