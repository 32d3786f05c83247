"""The window on a small (or scaled) screen: QT_SCALE_FACTOR=2 on 1600 x 1000 leaves 800 x 500
logical pixels.  Sizes in Qt are logical, so the scale factor itself need not be set here."""

import numpy as np


def _wide_csv(tmp_path, inputs=64, classes=10, rows=80):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(rows, inputs))
    y = rng.integers(0, classes, rows)
    path = tmp_path / "wide.csv"
    path.write_text(",".join(f"p{i}" for i in range(inputs)) + ",digit\n"
                    + "".join(",".join(f"{v:.3f}" for v in row) + f",d{k}\n" for row, k in zip(X, y, strict=True)))
    return path


def test_the_window_can_be_as_small_as_a_scaled_laptop_screen(make_window, tmp_path):
    w = make_window(data=str(_wide_csv(tmp_path)), hidden=(128, 64))
    for tab in range(w.predictions.count()):  # whatever tab is shown (the Runs tab was 840 wide)
        w.predictions.setCurrentIndex(tab)
        hint = w.minimumSizeHint()
        assert hint.width() <= 760 and hint.height() <= 470, (w.predictions.tabText(tab), hint)


def _shrink(qtbot, w):
    w.resize(w.minimumSizeHint())
    qtbot.waitUntil(lambda: w.width() <= 760)
    qtbot.wait(50)  # the layer strip lays out on a zero timer


def test_names_too_close_to_read_are_thinned_and_never_overlap(make_window, qtbot, tmp_path):
    w = make_window(data=str(_wide_csv(tmp_path)), hidden=(128, 64))
    nv = w.network_view
    _shrink(qtbot, w)
    for side in (-1, 1):
        texts = [t for t in nv._texts if getattr(t, "side", 0) == side]
        shown = [t for t in texts if t.isVisible()]
        assert 1 < len(shown) < len(texts)  # thinned, not all gone
        m = shown[0].textItem.document().documentMargin()  # the glyphs' box, without the margins
        boxes = sorted((t.sceneBoundingRect().adjusted(0, m, 0, -m) for t in shown), key=lambda r: r.top())
        for a, b in zip(boxes, boxes[1:]):
            assert a.bottom() <= b.top() + 1, (a, b)
    # the bias nodes are too small for their "1" at this size
    assert not any(t.isVisible() for t in nv._texts if t.is_bias)
    # on a big screen every name is back
    w.resize(1280, 1000)
    qtbot.waitUntil(lambda: all(t.isVisible() for t in nv._texts if getattr(t, "side", 0) == 1))


def test_the_layer_buttons_stay_inside_their_strip_without_overlapping(make_window, qtbot, tmp_path):
    w = make_window(data=str(_wide_csv(tmp_path)), hidden=(128, 64, 32))
    _shrink(qtbot, w)
    strip = w.layer_buttons
    groups = [(minus, plus, count) for minus, plus, count in strip.pairs]
    rects = [b.geometry() for b in (strip.layer_minus, strip.layer_plus)]
    if strip.layer_label.isVisible():
        rects.append(strip.layer_label.geometry())
    for g in groups:
        rects += [b.geometry() for b in g if b.isVisible()]  # counts give way last
    assert sum(1 for g in groups for b in g[:2] if b.isVisible()) == 6  # every +/- is there
    for r in rects:
        assert r.left() >= 0 and r.right() <= strip.width(), (r, strip.width())
    for i, a in enumerate(rects):
        for b in rects[i + 1:]:
            assert not a.intersects(b), (a, b, [x.sizeHint() for x in (strip.layer_minus, strip.layer_plus)], strip.width())


def test_the_predictions_summary_never_widens_the_window(make_window, qtbot, tmp_path):
    w = make_window(data=str(_wide_csv(tmp_path)), hidden=(128, 64))
    _shrink(qtbot, w)
    s = w.predictions.summary
    assert "iteration" in s.full_text
    assert s.fontMetrics().horizontalAdvance(s.text()) <= s.contentsRect().width() + 1
