"""nnviz.show and the notebook pictures: the window opened on a run, a model or an estimator
(offscreen), and a run's diagram, error curve and film as SVG, PNG and GIF."""

import numpy as np
import pytest

import nnviz


def _close(w):
    w.confirm_close = False
    w.close()
    assert not w.controller.training_thread.isRunning()


def _weights_of(snap):
    return [np.asarray(W) for W in snap.weights]


def test_show_a_run_opens_the_window_on_its_weights_and_history(qtbot):
    run = nnviz.fit(data="iris", iterations=400)
    w = nnviz.show(run, block=False, speed=None)
    qtbot.addWidget(w)
    qtbot.waitUntil(lambda: w.latest is not None and w.latest.iteration == 400, timeout=10_000)
    assert w.isVisible()
    assert all(np.array_equal(W, V) for W, V in zip(_weights_of(w.latest), run.weights, strict=True))
    hx, hy = run.history
    assert len(w.controller.history) >= len(hx) // 2 and w.controller.history.x[0] == 0  # the run's curve
    assert w.context.dataset.name == "iris"
    # the window trains a copy: the run stays where it was when the window goes on
    w.step(5)
    qtbot.waitUntil(lambda: w.latest.iteration == 405, timeout=10_000)
    assert run.iteration == 400
    _close(w)


def test_show_a_model_on_array_rows_and_an_estimator(qtbot, tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    y = np.where(X[:, 0] * X[:, 1] > 0, "same", "different")
    run = nnviz.fit(X, y, hidden=(4,), iterations=300)
    run.save(tmp_path / "m.json")
    model = nnviz.load(tmp_path / "m.json")
    w = nnviz.show(model, data=(X, y), block=False, speed=None)
    qtbot.addWidget(w)
    qtbot.waitUntil(lambda: w.latest is not None and w.context is not None, timeout=10_000)
    assert w.context.dataset.n == 60 and w.context.arch.hidden == (4,)
    assert all(np.array_equal(W, V) for W, V in zip(_weights_of(w.latest), run.weights, strict=True))
    _close(w)
    with pytest.raises(ValueError, match="give data="):
        nnviz.show(model, block=False)
    sklearn = pytest.importorskip("sklearn")
    assert sklearn
    from nnviz.sklearn import NNVizClassifier

    clf = NNVizClassifier(hidden=(3,), iterations=200).fit(X, y)
    w = clf.show(block=False, speed=None)
    qtbot.addWidget(w)
    qtbot.waitUntil(lambda: w.latest is not None and w.latest.iteration == 200, timeout=10_000)
    assert all(np.array_equal(W, V) for W, V in zip(_weights_of(w.latest), clf.model_.network.weights, strict=True))
    _close(w)


def test_show_a_session_file(qtbot, tmp_path):
    run = nnviz.fit(data="toy", iterations=120)
    run.save(tmp_path / "toy.nnviz")
    w = nnviz.show(str(tmp_path / "toy.nnviz"), block=False, speed=None)
    qtbot.addWidget(w)
    qtbot.waitUntil(lambda: w.latest is not None and w.latest.iteration == 120, timeout=10_000)
    assert all(np.array_equal(W, V) for W, V in zip(_weights_of(w.latest), run.weights, strict=True))
    _close(w)


def test_pictures_for_notebooks(qapp, tmp_path):
    run = nnviz.fit(data="iris", iterations=300)
    svg = run._repr_svg_()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg and "Petal.Length" in svg  # the diagram's labels
    png = run._repr_png_()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    errors = run.figure("errors")._repr_svg_()
    assert "<svg" in errors and errors != svg
    run.save(tmp_path / "m.json")
    model = nnviz.load(tmp_path / "m.json")
    assert "Petal.Length" in model._repr_svg_()
    assert "nnviz.Model 4-6-6-3" in repr(model) and "iteration 300" in repr(run)
    model.plot(tmp_path / "d.pdf")
    assert (tmp_path / "d.pdf").read_bytes()[:4] == b"%PDF"
    circles = nnviz.fit(data="circles", hidden=(3,), iterations=100)
    assert "<svg" in circles.figure("map")._repr_svg_()
    film = run.film(frames=5, size=(320, 180), path=tmp_path / "f.gif")
    assert film.gif[:6] == b"GIF89a" and (tmp_path / "f.gif").read_bytes() == film.gif
    assert film._repr_html_().startswith('<img src="data:image/gif;base64,R0lGOD')
