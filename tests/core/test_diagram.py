"""The figure model without Qt: edges, their widths and line styles, label boxes, film frames."""

import numpy as np
import pytest

from nnviz.core import diagram as D
from nnviz.core.film import frame_iterations


def _weights(sizes, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.normal(0, 2, (a + 1, b)) for a, b in zip(sizes[:-1], sizes[1:], strict=False)]


IRIS_IN = ("Sepal.Length", "Sepal.Width", "Petal.Length", "Petal.Width")
IRIS_OUT = ("setosa", "versicolor", "virginica")


def test_one_line_per_weight_with_width_and_sign_of_its_weight():
    W = _weights((4, 6, 6, 3))
    s = D.diagram(W, IRIS_IN, IRIS_OUT)
    G = D.build_graph((4, 6, 6, 3))
    pos = s  # edges are matched to weights by their end points
    assert len(s.edges) == sum(w.size for w in W) == 93
    top = max(np.abs(w).max() for w in W)
    # the circles' centres, by layer column (x) and row (y): each weight's edge joins two of them
    expected = sorted((round(0.6 + 6.4 * abs(W[d["layer"]][d["row"], d["col"]]) / top, 9),
                       1 if W[d["layer"]][d["row"], d["col"]] >= 0 else -1) for _, _, d in G.edges(data=True))
    got = sorted((round(e.width, 9), e.sign) for e in pos.edges)
    assert got == expected
    assert not any(e.dashed for e in s.edges)


def test_print_theme_dashes_exactly_the_negative_weights():
    s = D.diagram(_weights((4, 6, 3)), IRIS_IN, IRIS_OUT, "print")
    assert s.edges and all(e.dashed == (e.sign < 0) for e in s.edges)
    assert any(e.dashed for e in s.edges) and any(not e.dashed for e in s.edges)
    assert len({e.colour for e in s.edges if e.width > 6.9}) == 1  # grey-scale: sign is not the colour
    assert all(len(set(e.colour)) == 1 for e in s.edges)


@pytest.mark.parametrize("sizes", [(4, 6, 6, 3), (3, 2), (2, 8, 8, 1), (5, 10, 4)])
def test_label_boxes_do_not_overlap_each_other_or_nodes(sizes):
    names_in = tuple(f"input{i}" for i in range(sizes[0]))
    names_out = tuple(f"out{i}" for i in range(sizes[-1]))
    s = D.diagram(_weights(sizes, 3), names_in, names_out, labels=True, title="t", footer="Error: 1  Steps: 2")
    boxes = s.label_boxes
    n_edges = len(s.edges)
    assert len(boxes) + sum(int(n.split()[0]) for n in s.notes if "left out" in n) == n_edges
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not (a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]), (a, b)
        for c in (it for it in s.items if isinstance(it, D.Circle)):
            nx_, ny_ = min(max(c.x, a[0]), a[0] + a[2]), min(max(c.y, a[1]), a[1] + a[3])
            assert (nx_ - c.x) ** 2 + (ny_ - c.y) ** 2 >= c.r ** 2
        assert a[0] >= 0 and a[0] + a[2] <= s.width and a[1] >= 0 and a[1] + a[3] <= s.height


def test_iris_gets_every_label_and_each_names_its_weight():
    W = _weights((4, 6, 6, 3), 7)
    s = D.diagram(W, IRIS_IN, IRIS_OUT, labels=True)
    texts = sorted(t.text for t in s.items if isinstance(t, D.Text) and t.box is not None)
    assert texts == sorted(f"{w:.2f}" for m in W for w in m.ravel())
    assert s.notes == []


def test_above_150_edges_only_the_strongest_are_labelled_and_the_figure_says_so():
    W = _weights((10, 12, 3), 1)  # 11 * 12 + 13 * 3 = 171 edges
    s = D.diagram(W, tuple(f"x{i}" for i in range(10)), ("a", "b", "c"), labels=True, size=(1400, 900))
    labelled = [t for t in s.items if isinstance(t, D.Text) and t.box is not None]
    assert len(labelled) <= 150
    assert any("only the 150 strongest of 171 edges labelled" in n for n in s.notes)
    shown = " ".join(t.text for t in s.items if isinstance(t, D.Text) and t.box is None)
    assert "150 strongest" in shown
    cut = np.sort(np.abs(np.concatenate([w.ravel() for w in W])))[-150]
    assert all(abs(float(t.text)) >= round(cut, 2) - 0.005 for t in labelled)


def test_footer_title_and_names_are_drawn():
    s = D.diagram(_weights((4, 6, 3)), IRIS_IN, IRIS_OUT, title="Iris", footer="Error: 0.6523  Steps: 50000")
    texts = {t.text for t in s.items if isinstance(t, D.Text)}
    assert {"Iris", "Error: 0.6523  Steps: 50000", *IRIS_IN, *IRIS_OUT} <= texts


def test_bad_figures_raise_one_line():
    with pytest.raises(ValueError, match="names do not fit"):
        D.diagram(_weights((4, 3)), ("a",), IRIS_OUT)
    with pytest.raises(ValueError, match="unknown theme"):
        D.diagram(_weights((4, 3)), IRIS_IN, IRIS_OUT, "neon")
    with pytest.raises(ValueError, match="no error history"):
        D.error_plot([], [])


def test_frame_iterations_log_spaced_from_0_to_n():
    it = frame_iterations(20000, 150)
    assert it[0] == 0 and it[-1] == 20000 and len(it) == 150
    assert (np.diff(it) > 0).all()
    assert it[10] < 20 and it[75] < 1000  # log-spaced: half the frames before the 1,000th iteration
    few = frame_iterations(3, 6)
    assert few[0] == 0 and few[-1] == 3 and (np.diff(few) >= 0).all() and set(few.tolist()) == {0, 1, 2, 3}
    with pytest.raises(ValueError):
        frame_iterations(10, 1)


def test_wide_layers_are_collapsed_and_the_figure_says_so():
    W = _weights((64, 32, 10))
    s = D.diagram(W, tuple(f"p{i}" for i in range(64)), tuple(str(i) for i in range(10)))
    assert len(s.edges) == 16 * 15 + 16 * 10  # 15 shown neurons + bias into 15, then into 10
    assert "wide layers collapsed: 400 of 2,410 weights drawn" in s.notes
    assert {"+49", "+17"} <= {t.text for t in s.items if isinstance(t, D.Text)}


def test_neuralnet_error_and_footer_are_plot_nn_s():
    rng = np.random.default_rng(3)
    Y, Yhat = rng.random((7, 3)), rng.random((7, 3))
    sse = 0.0
    for i in range(7):  # sum over rows and outputs, halved
        for j in range(3):
            sse += (Y[i, j] - Yhat[i, j]) ** 2
    assert abs(D.neuralnet_error(Y, Yhat) - sse / 2) < 1e-12
    assert D.footer_text(0.65234, 50000) == "Error: 0.6523  Steps: 50000"
    assert D.footer_text(None, 12) == "Steps: 12" and D.footer_text(None, None) is None


def test_the_decision_map_square_is_centred():
    out = np.tile([0.2, 0.8], (30 * 30, 1))
    for size in ((900, 600), (400, 700)):
        s = D.decision_map(out, 30, (0, 0, 1, 1), size=size, origin=(10, 20))
        frame = [it for it in s.items if isinstance(it, D.Rect) and it.fill is None][0]
        assert frame.w == frame.h == min(size[0] - 66, size[1] - 54)  # margins 52 + 14, 14 + 40
        # centred in the room the margins leave: x from 10 + 52 to 10 + W - 14, y from 20 + 14 to 20 + H - 40
        assert abs(frame.x + frame.w / 2 - (10 + 52 + 10 + size[0] - 14) / 2) < 1e-9
        assert abs(frame.y + frame.h / 2 - (20 + 14 + 20 + size[1] - 40) / 2) < 1e-9
        cells = [it for it in s.items if isinstance(it, D.Rect) and it.fill is not None]
        assert min(c.x for c in cells) == frame.x and min(c.y for c in cells) == frame.y


def _title_texts(s, title):
    return [t for t in s.items if isinstance(t, D.Text) and t.bold]


@pytest.mark.parametrize("kind", ["diagram", "errors", "map"])
def test_a_long_title_is_wrapped_onto_two_lines_inside_the_figure(kind):
    title = "A very long title for a figure in a paper, which goes on and on and on and on and on about it"
    W = 600
    if kind == "diagram":
        s = D.diagram(_weights((4, 6, 3)), IRIS_IN, IRIS_OUT, title=title, size=(W, 400))
    elif kind == "errors":
        s = D.error_plot(np.arange(100), np.linspace(1, 0.1, 100), title=title, size=(W, 400))
    else:
        s = D.decision_map(np.full((100, 1), 0.7), 10, (0, 0, 1, 1), title=title, size=(W, 500))
    lines = _title_texts(s, title)
    assert len(lines) == 2 and " ".join(t.text for t in lines) == title
    for t in lines:  # the estimate, and 12 % for bold, within the figure's width
        assert 1.12 * D.text_width(t.text, t.size) <= W - 24 and t.x == W / 2
    below = max(t.y + t.size * 0.6 for t in lines)
    rest = [it.y - getattr(it, "r", 0) for it in s.items if isinstance(it, D.Circle)] + \
        [it.y for it in s.items if isinstance(it, D.Rect)]
    assert min(rest) > below  # the second line pushes the drawing down
    short = D.error_plot(np.arange(100), np.linspace(1, 0.1, 100), title="mse", size=(W, 400))
    assert [t.text for t in _title_texts(short, "mse")] == ["mse"]


def test_one_unbroken_long_title_is_shrunk_to_fit():
    s = D.error_plot(np.arange(10), np.linspace(1, 0.1, 10), title="x" * 80, size=(400, 300))
    (t,) = _title_texts(s, "")
    assert t.size < 16 and 1.12 * D.text_width(t.text, t.size) <= 400 - 24 + 1e-9


@pytest.mark.parametrize(("n", "log_x"), [(50_000, False), (1000, False), (20_000, True), (7, False)])
def test_the_last_x_tick_label_stays_inside_the_figure(n, log_x):
    x = np.arange(n + 1)
    s = D.error_plot(x, 1 / (1 + x), size=(500, 300), origin=(100, 0), log_x=log_x)
    ticks = [t for t in s.items if isinstance(t, D.Text) and t.size == 11 and t.anchor == "middle"]
    right = max(t.x + D.text_width(t.text, 11) / 2 for t in ticks)
    assert right <= 100 + 500 - 6 + 1e-9
    frame = [it for it in s.items if isinstance(it, D.Rect)][0]
    assert frame.x + frame.w <= 100 + 500 - 18  # never less room than before
    if n % 1000 == 0 and not log_x:  # a tick at the axis's end: its label is what needed the room
        assert ticks[-1].text == f"{n:,}" and abs(ticks[-1].x - (frame.x + frame.w)) < 1e-9
