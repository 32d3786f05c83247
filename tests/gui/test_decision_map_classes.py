"""The decision map of three classes or more: each cell in its winning class's colour."""

import numpy as np
import pytest

from nnviz.core.network import Network


def _three_blobs(tmp_path):
    rng = np.random.default_rng(0)
    centres = np.array([[-2.0, -2.0], [2.0, -2.0], [0.0, 2.5]])
    k = np.repeat(np.arange(3), 40)
    X = centres[k] + rng.normal(scale=0.6, size=(k.size, 2))
    path = tmp_path / "blobs.csv"
    path.write_text("a,b,kind\n" + "".join(f"{x:.4f},{y:.4f},k{c}\n" for (x, y), c in zip(X, k, strict=True)))
    return path


def test_three_classes_paint_the_winner_of_each_cell_in_its_colour(make_window, qtbot, tmp_path):
    from nnviz.gui.views.map_editor import class_colour

    w = make_window(data=str(_three_blobs(tmp_path)), hidden=(6,), algorithm="rprop+", iterations=300)
    w.play()
    qtbot.waitUntil(lambda: w.latest.state == "finished" and w.latest.map_class is not None, timeout=30_000)
    qtbot.waitUntil(lambda: w.predictions.map_values().ndim == 3)
    snap, ctx = w.latest, w.context
    net = Network.from_weights(ctx.arch, list(snap.weights))
    z = net.predict(ctx.map_grid.points)  # independently: the outputs over the grid
    g = ctx.map_grid.size
    win = z.argmax(axis=1).reshape(g, g)
    top = np.sort(z, axis=1)
    margin = (top[:, -1] - top[:, -2]).reshape(g, g)
    assert np.array_equal(snap.map_class, win)
    assert len(np.unique(win)) == 3  # every class wins somewhere
    image = w.predictions.map_values()
    assert image.shape == (g, g, 3) and image.dtype == np.uint8
    for i, j in [(0, 0), (g // 2, g // 2), (g - 1, 5), (7, g - 3)]:
        level = 0.15 + 0.45 * margin[i, j]
        expect = 255 + (np.array(class_colour(int(win[i, j])), dtype=float) - 255) * level
        assert image[i, j] == pytest.approx(np.round(expect), abs=1)
