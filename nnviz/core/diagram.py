"""The network diagram as drawable primitives, with R neuralnet's footer.

No Qt here: a figure is a ``Scene`` (``scene.py``: circles, lines, polylines, rectangles and
texts in CSS pixels, and the themes), which ``nnviz.gui.render`` paints onto SVG, PDF or PNG
and the tests measure directly (label boxes, edge count).  The graph and its layout
(``diagram_graph.py``, networkx) are the same the window's diagram uses, and so is the
placement of weight labels (``label_placement.py``).  The error curve, the decision map and
the other panels are in ``figure_panels.py``; this module re-exports all of their public
names, so ``core.diagram`` stays the one place the figures are taken from.  Left out:
arrows, curved edges, collapsed-layer markers beyond the "+N" text.
"""

from __future__ import annotations

import numpy as np

from .diagram_graph import MAX_NODES, build_graph, edge_weights, layout
from .figure_panels import MAX_CURVE_POINTS, confusion_panel, decision_map, error_plot, scatter_panel, thin_curve
from .label_placement import MAX_LABELS, overlaps, place_labels
from .scene import (RGB, THEMES, Circle, Line, Polyline, Rect, Scene, Text, Theme, combine, draw_title, faded,
                    nice_ticks, text_width, theme, title_extra, title_lines)

__all__ = ["MAX_CURVE_POINTS", "MAX_LABELS", "MAX_NODES", "RGB", "THEMES", "Circle", "Line", "Polyline", "Rect",
           "Scene", "Text", "Theme", "build_graph", "combine", "confusion_panel", "decision_map", "diagram",
           "draw_title", "edge_weights", "error_plot", "faded", "footer_text", "layout", "neuralnet_error",
           "nice_ticks", "overlaps", "place_labels", "scatter_panel", "text_width", "theme", "thin_curve",
           "title_extra", "title_lines"]


def neuralnet_error(Y, Yhat) -> float:
    """R neuralnet's error, the one plot.nn prints: 1/2 sum over rows and outputs of (y - yhat)^2.
    Y, Yhat: (n, k) targets and outputs in network units."""
    d = np.asarray(Y, dtype=float) - np.asarray(Yhat, dtype=float)
    return float(0.5 * np.sum(d * d))


def footer_text(error: float | None, steps: int | None) -> str | None:
    """plot.nn's footer, "Error: 0.6523  Steps: 50000"; a part that is not known is left out."""
    parts = ([f"Error: {error:.4f}"] if error is not None else []) + ([f"Steps: {int(steps)}"] if steps is not None
                                                                     else [])
    return "  ".join(parts) or None


def diagram(weights, input_names, output_names, theme_name: str = "light", labels: bool = False,
            title: str | None = None, footer: str | None = None, size: tuple[float, float] = (900, 600),
            origin: tuple[float, float] = (0.0, 0.0), max_labels: int = MAX_LABELS,
            w_max: float | None = None) -> Scene:
    """The diagram of a network with these weight matrices (shapes (n_in + 1, n_out)) in a
    ``size`` box at ``origin``: nodes, edges (width 0.6 + 6.4 |w| / max |w|, colour or dash
    by sign), input and output names, bias "1"s, optional weight labels, title and footer.
    ``w_max``: the |w| drawn at full width (default: the largest here; a film fixes it so
    growth shows)."""
    th = theme(theme_name)
    sizes = tuple([weights[0].shape[0] - 1] + [W.shape[1] for W in weights])
    if len(input_names) != sizes[0] or len(output_names) != sizes[-1]:
        raise ValueError(f"the names do not fit the network: {len(input_names)} inputs and {len(output_names)} "
                         f"outputs named, the weights take {sizes[0]} and give {sizes[-1]}")
    W_, H_ = size
    ox, oy = origin
    scene = Scene(W_, H_, th.background)
    G = build_graph(sizes)
    pos = layout(G, sizes)
    name_size = 13.0
    left = max(text_width(n, name_size) for n in input_names[:MAX_NODES]) + 24
    right = max(text_width(n, name_size) for n in output_names[:MAX_NODES]) + 24
    top = 30.0 + (30.0 + title_extra(title, 18, W_) if title else 0.0)
    bottom = 30.0 + (22.0 if footer else 0.0)
    xs = np.array([p[0] for p in pos.values()])
    ys = np.array([p[1] for p in pos.values()])
    rows = max(sum(1 for n in G.nodes if G.nodes[n]["layer"] == li) for li in range(len(sizes)))
    spacing = (H_ - top - bottom) / max(rows - 1, 1)
    r = float(np.clip(0.3 * spacing, 4.0, 15.0))
    x0, x1 = ox + left + r, ox + W_ - right - r
    y0, y1 = oy + top + r, oy + H_ - bottom - r

    def at(p) -> tuple[float, float]:
        fx = (p[0] - xs.min()) / (np.ptp(xs) or 1.0)
        fy = (ys.max() - p[1]) / (np.ptp(ys) or 1.0)
        return x0 + fx * (x1 - x0), y0 + fy * (y1 - y0)

    P = {n: at(p) for n, p in pos.items()}
    # edges, weak ones first so the strong lie on top
    E = edge_weights(G, weights)
    total = sum(int(np.asarray(W).size) for W in weights)
    if len(E) < total:
        scene.notes.append(f"wide layers collapsed: {len(E):,} of {total:,} weights drawn")
    mag = np.array([abs(e[5]) for e in E])
    top_w = w_max if w_max else mag.max() if mag.size and mag.max() > 0 else 1.0
    for k in np.argsort(mag, kind="stable"):
        u, v, _, _, _, w = E[k]
        frac = min(mag[k] / top_w, 1.0)
        colour = faded(th.positive if w >= 0 else th.negative, frac, th.background)
        (xa, ya), (xb, yb) = P[u], P[v]
        scene.items.append(Line(xa, ya, xb, yb, 0.6 + 6.4 * frac, colour, th.dash_negative and w < 0,
                                1 if w >= 0 else -1))
    # nodes and their texts
    last = len(sizes) - 1
    for n in G.nodes:
        x, y = P[n]
        kind = G.nodes[n]["kind"]
        if kind == "more":
            scene.items.append(Text(x, y, f"+{G.nodes[n]['hidden']}", 11, th.muted))
            continue
        fill = th.bias_fill if kind == "bias" else th.io_fill if n[1] in (0, last) else th.node_fill
        scene.items.append(Circle(x, y, r, fill, th.node_stroke))
        if kind == "bias":
            scene.items.append(Text(x, y, "1", min(12.0, 1.2 * r), th.text))
        elif n[1] == 0:
            scene.items.append(Text(x - r - 6, y, input_names[n[2]], name_size, th.text, "end"))
        elif n[1] == last:
            scene.items.append(Text(x + r + 6, y, output_names[n[2]], name_size, th.text, "start"))
    if labels:
        _weight_labels(scene, E, P, r, th, max_labels, (ox, oy, W_, H_))
    # legend, title, footer, notes
    ly = oy + top - 16
    lx = ox + 12
    for text, colour, dashed in (("positive", th.positive, False), ("negative", th.negative, th.dash_negative)):
        scene.items.append(Line(lx, ly, lx + 26, ly, 3.0, colour, dashed))
        scene.items.append(Text(lx + 32, ly, text, 11, th.muted, "start"))
        lx += 32 + text_width(text, 11) + 18
    scene.items.append(Text(lx, ly, "width \u221d |w|", 11, th.muted, "start"))
    if title:
        draw_title(scene, title, ox, oy, W_, 18, th.text)
    if footer:
        scene.items.append(Text(ox + W_ / 2, oy + H_ - 14, footer, 13, th.text))
    for i, note in enumerate(scene.notes):  # one line each, top right
        scene.items.append(Text(ox + W_ - 10, oy + top - 16 + 14 * i, note, 11, th.muted, "end"))
    return scene



def _weight_labels(scene: Scene, E, P, r: float, th: Theme, max_labels: int, frame) -> None:
    """Each weight on its edge near the target (``place_labels``), names and nodes kept clear."""
    size = 10.0
    circles = [(c.x, c.y, c.r) for c in scene.items if isinstance(c, Circle)]
    obstacles = []
    for t in scene.items:  # names and "1"s are obstacles too
        if isinstance(t, Text):
            w = text_width(t.text, t.size)
            x = t.x - w if t.anchor == "end" else t.x - w / 2 if t.anchor == "middle" else t.x
            obstacles.append((x, t.y - t.size * 0.6, w, t.size * 1.2))
    seg = np.array([(*P[u], *P[v]) for u, v, *_ in E], dtype=float).reshape(-1, 4)
    texts = [f"{e[5]:.2f}" for e in E]
    spots, notes = place_labels(seg, np.array([e[5] for e in E]), np.array([e[3] for e in E]),
                                [text_width(t, size) + 3.0 for t in texts], size * 1.25, circles, obstacles, frame,
                                max_labels)
    for k, cx, cy, box in spots:
        scene.items.append(Text(cx, cy, texts[k], size, th.text, "middle", box, th.label_fill))
    scene.notes.extend(notes)
