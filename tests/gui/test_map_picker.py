"""The decision map's class picker sits in a row of its own above the map: it covers neither
the title nor the axes nor the map."""

from __future__ import annotations

from PySide6.QtCore import QRect, QRectF

from nnviz.core.experiment import Settings


def in_plot(plot, item) -> QRect:
    """A graphics item's box in the plot widget's own pixels (where the picker, a child widget, is)."""
    box = plot.viewportTransform().mapRect(item.sceneBoundingRect())
    return QRectF(box).toAlignedRect().translated(plot.viewport().pos())


def test_the_picker_is_above_the_title_axes_and_map(make_window, qtbot):
    w = make_window(Settings(data="circles", hidden=(4,), iterations=1000, test_fraction=0.3))
    w.resize(1200, 800)
    p = w.predictions
    qtbot.waitUntil(lambda: w.latest.map_values is not None, timeout=10_000)
    plot, picker = p.map_plot, p.points.picker
    plot.setTitle("hidden 1, node 3 (click it again for the network's decision)")  # as a chosen node's map
    qtbot.waitUntil(lambda: picker.isVisible() and picker.buttons[0].isVisible(), timeout=10_000)
    qtbot.wait(50)
    box = picker.geometry()
    assert box.width() > 100 and box.top() >= 0
    pi = plot.plotItem
    for name, item in [("title", pi.titleLabel), ("map", pi.getViewBox()), ("left axis", pi.getAxis("left")),
                       ("top", pi.getAxis("top"))]:
        if item.isVisible():
            assert box.bottom() < in_plot(plot, item).top(), name
    # a regression set has no class buttons but the value field: the row is kept the same way
    w.controller.configure(Settings(data="plane", hidden=(3,), iterations=1000))
    qtbot.waitUntil(lambda: w.context.dataset.task == "regression" and w.latest is not None
                    and w.latest.map_values is not None,
                    timeout=10_000)
    qtbot.wait(50)
    assert picker.isVisible() and picker.geometry().bottom() < in_plot(plot, pi.getViewBox()).top()
