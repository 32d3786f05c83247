"""The network diagram, the error curve and the decision map as drawable primitives.

No Qt here: a figure is a ``Scene`` of circles, lines, polylines, rectangles and texts
in CSS pixels (1/96 inch), which ``nnviz.gui.render`` paints onto SVG, PDF or PNG and
the tests measure directly (label boxes, edge count).  The graph and its layout
(networkx) are the same the window's diagram uses.  Text widths are estimated
(``text_width``); the painter shrinks a text that would not fit the box made for it,
so the boxes computed here are the ones drawn.  Left out: arrows, curved edges,
collapsed-layer markers beyond the "+N" text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx
import numpy as np

MAX_NODES = 16
MAX_LABELS = 150  # above this many edges only the strongest are labelled


def build_graph(sizes: tuple[int, ...], max_nodes: int = MAX_NODES) -> nx.DiGraph:
    """The diagram's graph: neurons ("n", layer, i), bias nodes ("b", layer), "more" markers.

    Edges carry ``layer`` (weight matrix index), ``row`` and ``col`` into it
    (row 0 = bias, as in the weight layout).
    """
    G = nx.DiGraph()
    shown = [list(range(s)) if s <= max_nodes else list(range(max_nodes - 1)) for s in sizes]
    for li, s in enumerate(sizes):
        if li < len(sizes) - 1:
            G.add_node(("b", li), layer=li, kind="bias")
        for i in shown[li]:
            G.add_node(("n", li, i), layer=li, kind="neuron")
        if len(shown[li]) < s:
            G.add_node(("more", li), layer=li, kind="more", hidden=s - len(shown[li]))
    for li in range(len(sizes) - 1):
        for j in shown[li + 1]:
            G.add_edge(("b", li), ("n", li + 1, j), layer=li, row=0, col=j)
            for i in shown[li]:
                G.add_edge(("n", li, i), ("n", li + 1, j), layer=li, row=i + 1, col=j)
    return G


def layout(G: nx.DiGraph, sizes: tuple[int, ...]) -> dict:
    """Positions: networkx's multipartite columns; within a column bias on top, neurons downwards."""
    pos = nx.multipartite_layout(G, subset_key="layer")
    out = {}
    for li in range(len(sizes)):
        nodes = [n for n in G.nodes if G.nodes[n]["layer"] == li]
        order = sorted(nodes, key=lambda n: (0, 0) if n[0] == "b" else (2, 0) if n[0] == "more" else (1, n[2]))
        ys = sorted((pos[n][1] for n in nodes), reverse=True)
        for n, y in zip(order, ys, strict=False):
            out[n] = (float(pos[n][0]), float(y))
    return out


# -- themes -------------------------------------------------------------------------
RGB = tuple[int, int, int]


@dataclass(frozen=True)
class Theme:
    background: RGB
    text: RGB
    muted: RGB
    positive: RGB
    negative: RGB
    node_fill: RGB
    io_fill: RGB
    bias_fill: RGB
    node_stroke: RGB
    label_fill: RGB  # the halo box behind a weight label
    grid: RGB
    dash_negative: bool = False  # print: the sign is told by the line style, not the colour
    classes: tuple[RGB, ...] = ((33, 102, 172), (230, 97, 1), (77, 175, 74), (152, 78, 163), (228, 26, 28),
                                (166, 86, 40), (247, 129, 191), (153, 153, 153))


THEMES = {
    "light": Theme((255, 255, 255), (0, 0, 0), (90, 90, 90), (33, 102, 172), (230, 97, 1), (250, 250, 250),
                   (225, 225, 225), (158, 202, 225), (60, 60, 60), (255, 255, 255), (220, 220, 220)),
    "print": Theme((255, 255, 255), (0, 0, 0), (70, 70, 70), (0, 0, 0), (0, 0, 0), (255, 255, 255),
                   (230, 230, 230), (200, 200, 200), (0, 0, 0), (255, 255, 255), (215, 215, 215),
                   dash_negative=True,
                   classes=((40, 40, 40), (150, 150, 150), (210, 210, 210), (90, 90, 90), (180, 180, 180))),
    "dark": Theme((24, 26, 30), (235, 235, 235), (160, 160, 160), (103, 169, 230), (253, 150, 60), (45, 48, 54),
                  (70, 74, 82), (40, 90, 130), (200, 200, 200), (24, 26, 30), (60, 62, 68)),
}


def theme(name: str) -> Theme:
    if name not in THEMES:
        raise ValueError(f"unknown theme {name!r} (choose from {', '.join(THEMES)})")
    return THEMES[name]


def faded(rgb: RGB, level: float, towards: RGB = (255, 255, 255)) -> RGB:
    """rgb mixed with the background: weak edges pale, opaque (level 0..1)."""
    keep = 0.3 + 0.7 * level
    return tuple(round(b + (c - b) * keep) for c, b in zip(rgb, towards, strict=False))  # type: ignore[return-value]


# -- primitives ---------------------------------------------------------------------
@dataclass(frozen=True)
class Circle:
    x: float
    y: float
    r: float
    fill: RGB
    stroke: RGB
    stroke_width: float = 1.2


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    width: float
    colour: RGB
    dashed: bool = False
    sign: int = 0  # +1 / -1 for a weight's edge, 0 for anything else


@dataclass(frozen=True)
class Polyline:
    points: tuple[tuple[float, float], ...]
    width: float
    colour: RGB


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    fill: RGB | None
    stroke: RGB | None = None


@dataclass(frozen=True)
class Text:
    x: float
    y: float  # the baseline's middle height: y is the text's vertical centre
    text: str
    size: float  # pixel size of the font
    colour: RGB
    anchor: str = "middle"  # start, middle, end (horizontal)
    box: tuple[float, float, float, float] | None = None  # halo box (x, y, w, h) drawn behind
    box_fill: RGB | None = None
    bold: bool = False


@dataclass
class Scene:
    width: float
    height: float
    background: RGB
    items: list = field(default_factory=list)  # in painting order
    notes: list[str] = field(default_factory=list)

    @property
    def edges(self) -> list[Line]:
        return [it for it in self.items if isinstance(it, Line) and it.sign]

    @property
    def label_boxes(self) -> list[tuple[float, float, float, float]]:
        return [it.box for it in self.items if isinstance(it, Text) and it.box is not None]


def text_width(text: str, size: float) -> float:
    """An estimate of a sans-serif text's width (digits and most letters are about 0.56 em)."""
    return sum(0.34 * size if c in " .,:;!|il-()[]" else 0.64 * size for c in text)


def overlaps(a, b, gap: float = 0.0) -> bool:
    """Do boxes (x, y, w, h) a and b overlap (with ``gap`` of clearance)?"""
    return a[0] < b[0] + b[2] + gap and b[0] < a[0] + a[2] + gap and a[1] < b[1] + b[3] + gap and b[1] < a[1] + a[3] + gap


def title_lines(title: str, size: float, width: float, bold: bool = True) -> tuple[list[str], float]:
    """A title that fits ``width``: one line, or two split at the word that balances them, and
    the font's pixel size, shrunk when a line is still too wide (bold text is ~12 % wider)."""
    def est(t: str, s: float) -> float:
        return text_width(t, s) * (1.12 if bold else 1.0)

    lines, words = [title], title.split()
    if est(title, size) > width and len(words) > 1:
        k = min(range(1, len(words)),
                key=lambda k: max(est(" ".join(words[:k]), size), est(" ".join(words[k:]), size)))
        lines = [" ".join(words[:k]), " ".join(words[k:])]
    widest = max(est(t, size) for t in lines)
    return lines, (max(size * width / widest, 6.0) if widest > width else size)


def _title(scene: Scene, title: str, ox: float, oy: float, W_: float, size: float, colour: RGB) -> None:
    """The title centred at the top: its first line's centre 20 px down, a second 1.25 lines lower."""
    lines, s = title_lines(title, size, W_ - 24)
    for i, line in enumerate(lines):
        scene.items.append(Text(ox + W_ / 2, oy + 20 + i * 1.25 * size, line, s, colour, bold=True))


def title_extra(title: str | None, size: float, W_: float) -> float:
    """The height a title takes beyond its first line (a wrapped title's second line)."""
    return 0.0 if not title else (len(title_lines(title, size, W_ - 24)[0]) - 1) * 1.25 * size


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


MAX_CURVE_POINTS = 2000  # an error curve keeps at most this many points (~2 a pixel column)


def thin_curve(x, y, n: int = MAX_CURVE_POINTS) -> tuple[np.ndarray, np.ndarray]:
    """At most ``n`` evenly spaced points of a curve, the first and last kept: the figure looks the same."""
    x, y = np.asarray(x), np.asarray(y)
    if x.size <= n:
        return x, y
    keep = np.unique(np.linspace(0, x.size - 1, n).astype(int))
    return x[keep], y[keep]


def _box_hits_circle(b, cx, cy, r) -> bool:
    nx_, ny_ = min(max(cx, b[0]), b[0] + b[2]), min(max(cy, b[1]), b[1] + b[3])
    return (nx_ - cx) ** 2 + (ny_ - cy) ** 2 < r * r


# -- the diagram --------------------------------------------------------------------
def edge_weights(G: nx.DiGraph, weights) -> list[tuple]:
    """(source, target, layer, row, col, w) of every edge of the graph."""
    return [(u, v, d["layer"], d["row"], d["col"], float(weights[d["layer"]][d["row"], d["col"]]))
            for u, v, d in G.edges(data=True)]


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
        _title(scene, title, ox, oy, W_, 18, th.text)
    if footer:
        scene.items.append(Text(ox + W_ / 2, oy + H_ - 14, footer, 13, th.text))
    for i, note in enumerate(scene.notes):  # one line each, top right
        scene.items.append(Text(ox + W_ - 10, oy + top - 16 + 14 * i, note, 11, th.muted, "end"))
    return scene


_FALLBACK = tuple(np.round(np.arange(0.9, 0.12, -0.03), 2).tolist())


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


def place_labels(seg: np.ndarray, values: np.ndarray, rows: np.ndarray, widths, height: float, circles,
                 obstacles, frame, max_labels: int = MAX_LABELS) -> tuple[list[tuple], list[str]]:
    """Where each edge's label goes, strongest ``values`` first: the first spot along the edge
    (near its target, staggered by ``rows``, the source's row) whose box (``widths[k]`` x
    ``height``) lies inside ``frame`` (x, y, w, h) and clears every circle (x, y, r), every
    obstacle box and the boxes placed before it.  ``seg``: (n, 4) source x, y, target x, y.
    Returns [(edge, centre x, centre y, box)] and the notes to show (labels left out).  The
    figures and the window's live diagram both place their labels with it."""
    order = np.argsort(-np.abs(np.asarray(values, dtype=float)), kind="stable")
    notes = []
    if len(order) > max_labels:
        order = order[:max_labels]
        notes.append(f"only the {max_labels} strongest of {len(values)} edges labelled")
    C = np.asarray(circles, dtype=float).reshape(-1, 3)
    B = np.empty((len(obstacles) + len(order), 4))
    B[:len(obstacles)] = np.asarray(obstacles, dtype=float).reshape(-1, 4)
    n = len(obstacles)
    fx, fy, fw, fh = frame
    spots, missing = [], 0
    fallback = np.array(_FALLBACK)
    for k in order.tolist():  # every spot along the edge checked at once; the first clear one wins
        xa, ya, xb, yb = seg[k]
        bw, bh = float(widths[k]), height
        stagger = (int(rows[k]) % 4) * 0.07
        t = np.concatenate([[0.8 - stagger, 0.72 - stagger, 0.64 - stagger, 0.86 - stagger], fallback])
        cx, cy = xa + (xb - xa) * t, ya + (yb - ya) * t
        x0, y0 = cx - bw / 2, cy - bh / 2
        ok = (fx <= x0) & (x0 + bw <= fx + fw) & (fy <= y0) & (y0 + bh <= fy + fh)
        if C.size:  # the box's nearest point to each centre, closer than r + 1
            nx_ = np.clip(C[None, :, 0], x0[:, None], x0[:, None] + bw) - C[None, :, 0]
            ny_ = np.clip(C[None, :, 1], y0[:, None], y0[:, None] + bh) - C[None, :, 1]
            ok &= ~(nx_ * nx_ + ny_ * ny_ < (C[None, :, 2] + 1) ** 2).any(axis=1)
        P = B[:n]
        if n:
            ok &= ~((x0[:, None] < P[:, 0] + P[:, 2] + 0.5) & (P[:, 0] < x0[:, None] + bw + 0.5)
                    & (y0[:, None] < P[:, 1] + P[:, 3] + 0.5) & (P[:, 1] < y0[:, None] + bh + 0.5)).any(axis=1)
        if not ok.any():
            missing += 1
            continue
        j = int(np.argmax(ok))
        B[n] = (x0[j], y0[j], bw, bh)
        n += 1
        spots.append((k, float(cx[j]), float(cy[j]), (float(x0[j]), float(y0[j]), bw, bh)))
    if missing:
        notes.append(f"{missing} label{'s' if missing > 1 else ''} left out for lack of room")
    return spots, notes


# -- the error curve and the decision map -------------------------------------------
def _nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    step = 10 ** np.floor(np.log10(max(hi - lo, 1e-12) / n))
    for m in (1, 2, 5, 10):
        if (hi - lo) / (m * step) <= n:
            step *= m
            break
    return [float(v) for v in np.arange(np.ceil(lo / step) * step, hi + step * 1e-9, step)]


def error_plot(x, y, theme_name: str = "light", size=(900, 600), origin=(0.0, 0.0), marker: int | None = None,
               title: str | None = None, x_max: float | None = None, y_range=None, log_x: bool = False,
               test=None, x_min: float = 0.0) -> Scene:
    """mse against iteration on a log scale, as a polyline with axes; ``marker``: a dot at that
    iteration; ``log_x``: iterations on a log scale too (iteration - x_min + 1, so x_min fits);
    ``test``: (x, y) of the test set's mse, a second curve; ``x_min``: where the axis starts."""
    th = theme(theme_name)
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    ok = np.isfinite(y) & (y > 0)
    x, y = x[ok], y[ok]
    if x.size == 0:
        raise ValueError("there is no error history to plot")
    W_, H_ = size
    ox, oy = origin
    scene = Scene(W_, H_, th.background)
    xmax = float(x_max if x_max is not None else max(x.max(), 1))
    span = max(xmax - x_min, 1.0)

    def frac(v):  # where an iteration lies along the axis, 0..1
        if log_x:
            return np.log10(np.asarray(v) - x_min + 1.0) / np.log10(span + 1.0)
        return (np.asarray(v) - x_min) / span

    ticks = ([x_min] + [x_min + 10.0 ** e for e in range(1, int(np.log10(span)) + 1)] if log_x
             else _nice_ticks(x_min, xmax))
    L, R, T, B = 62.0, 18.0, 30.0 + (28 + title_extra(title, 16, W_) if title else 0), 42.0
    for v in ticks:  # the right margin leaves room for half of the last tick label, and 6 px more
        f, half = float(frac(v)), text_width(f"{v:,.0f}", 11) / 2
        if f > 0:
            R = max(R, (W_ - L) - (W_ - 6 - L - half) / f)
    px0, px1, py0, py1 = ox + L, ox + W_ - R, oy + T, oy + H_ - B
    ally = y
    if test is not None and not y_range:
        ty = np.asarray(test[1], dtype=float)
        ally = np.concatenate([y, ty[np.isfinite(ty) & (ty > 0)]])
    ly_lo, ly_hi = (np.log10(y_range[0]), np.log10(y_range[1])) if y_range else (np.log10(ally.min()),
                                                                                   np.log10(ally.max()))
    ly_lo, ly_hi = np.floor(ly_lo * 4) / 4, np.ceil(ly_hi * 4) / 4
    if ly_hi - ly_lo < 0.5:
        ly_lo, ly_hi = ly_lo - 0.25, ly_hi + 0.25

    def sx(v):
        return px0 + (px1 - px0) * frac(v)

    def sy(v):
        return py1 - (py1 - py0) * (np.log10(v) - ly_lo) / (ly_hi - ly_lo)

    scene.items.append(Rect(px0, py0, px1 - px0, py1 - py0, None, th.muted))
    steps = (1, 2, 5) if ly_hi - ly_lo < 2.5 else (1,)  # a narrow range gets 2 and 5 too
    for e in range(int(np.floor(ly_lo)), int(np.ceil(ly_hi)) + 1):
        for m in steps:
            v = m * 10.0 ** e
            if not (ly_lo - 1e-9 <= np.log10(v) <= ly_hi + 1e-9):
                continue
            yy = float(sy(v))
            scene.items.append(Line(px0, yy, px1, yy, 0.8, th.grid))
            scene.items.append(Text(px0 - 6, yy, f"{m}e{e}", 11, th.muted, "end"))
    for v in ticks:
        xx = float(sx(v))
        scene.items.append(Line(xx, py1, xx, py1 + 4, 1.0, th.muted))
        scene.items.append(Text(xx, py1 + 14, f"{v:,.0f}", 11, th.muted))
    scene.items.append(Text((px0 + px1) / 2, oy + H_ - 10, "iteration" + (" (log scale)" if log_x else ""), 12,
                            th.text))
    scene.items.append(Text(px0, py0 - 10, "mse (log scale)", 12, th.text, "start"))
    x, y = thin_curve(x, y)  # at most ~2 points per pixel column: the drawing looks the same
    pts = tuple((float(a), float(b)) for a, b in zip(sx(x), sy(np.clip(y, 10 ** ly_lo, 10 ** ly_hi)), strict=False))
    scene.items.append(Polyline(pts, 2.0, th.positive))
    if test is not None:
        tx, ty = np.asarray(test[0], dtype=float), np.asarray(test[1], dtype=float)
        ok = np.isfinite(ty) & (ty > 0)
        if ok.sum() > 1:
            tp = tuple((float(a), float(b)) for a, b in zip(sx(tx[ok]), sy(np.clip(ty[ok], 10 ** ly_lo, 10 ** ly_hi)), strict=False))
            scene.items.append(Polyline(tp, 2.0, th.negative))
            scene.items.append(Text(px1, py0 - 10, "train", 12, th.positive, "end"))
            scene.items.append(Text(px1 - 46, py0 - 10, "test", 12, th.negative, "end"))
    if marker is not None:
        i = int(np.searchsorted(x, marker, side="right")) - 1
        if i >= 0:
            mx, my = float(sx(x[i])), float(sy(max(y[i], 10 ** ly_lo)))
            scene.items.append(Line(mx, py0, mx, py1, 1.0, th.muted))
            scene.items.append(Circle(mx, my, 5, th.negative, th.text, 1.0))
    if title:
        _title(scene, title, ox, oy, W_, 16, th.text)
    return scene


def decision_map(outputs: np.ndarray, grid: int, rect, theme_name: str = "light", size=(600, 600),
                 origin=(0.0, 0.0), points=None, point_class=None, names=("x1", "x2"), title=None) -> Scene:
    """The network's output over a ``grid`` x ``grid`` lattice (x-major, over ``rect`` = x, y, w, h
    in data units) as cells coloured by the winning class (one output: by its value), paler where
    the network is unsure; ``points`` (n, 2) coloured by ``point_class`` on top."""
    th = theme(theme_name)
    W_, H_ = size
    ox, oy = origin
    scene = Scene(W_, H_, th.background)
    L, R, T, B = 52.0, 14.0, 14.0 + (34 + title_extra(title, 16, W_) if title else 0), 40.0
    side = min(W_ - L - R, H_ - T - B)
    # the square centred in the room its margins leave
    px0, py0 = ox + L + (W_ - L - R - side) / 2, oy + T + (H_ - T - B - side) / 2
    out = np.asarray(outputs, dtype=float).reshape(grid, grid, -1)
    if out.shape[2] == 1:
        cls = (out[..., 0] >= 0.5).astype(int)
        conf = np.clip(np.abs(out[..., 0] - 0.5) * 2, 0, 1)
    else:
        cls = out.argmax(axis=2)
        srt = np.sort(out, axis=2)
        conf = np.clip(srt[..., -1] - srt[..., -2], 0, 1)
    cell = side / grid
    levels = np.round((0.15 + 0.45 * conf) * 16) / 16  # 16 shades: a column is a few runs of one colour
    for i in range(grid):  # x index
        j = 0
        while j < grid:  # y index, upwards; one rectangle per run of equal cells
            k = j
            while k + 1 < grid and cls[i, k + 1] == cls[i, j] and levels[i, k + 1] == levels[i, j]:
                k += 1
            colour = faded(th.classes[cls[i, j] % len(th.classes)], float(levels[i, j]), th.background)
            # each cell overlaps its left and lower neighbours by half a pixel: no seams where renderers antialias
            ow, oh = (0.5 if i + 1 < grid else 0.0), (0.5 if j > 0 else 0.0)
            scene.items.append(Rect(px0 + i * cell, py0 + side - (k + 1) * cell, cell + ow, (k - j + 1) * cell + oh,
                                    colour))
            j = k + 1
    scene.items.append(Rect(px0, py0, side, side, None, th.muted))
    x0, y0, w, h = rect
    if points is not None:
        for (a, b), c in zip(np.asarray(points, dtype=float), point_class, strict=False):
            scene.items.append(Circle(px0 + (a - x0) / w * side, py0 + side - (b - y0) / h * side, 3.2,
                                      th.classes[int(c) % len(th.classes)], th.text, 0.7))
    for v in _nice_ticks(x0, x0 + w, 4):
        xx = px0 + (v - x0) / w * side
        scene.items.append(Text(xx, py0 + side + 12, f"{v:g}", 10, th.muted))
    for v in _nice_ticks(y0, y0 + h, 4):
        yy = py0 + side - (v - y0) / h * side
        scene.items.append(Text(px0 - 5, yy, f"{v:g}", 10, th.muted, "end"))
    scene.items.append(Text(px0 + side / 2, py0 + side + 28, names[0], 12, th.text))
    scene.items.append(Text(px0 - L + 12, py0 - 4 if not title else py0 - 8, names[1], 12, th.text, "start"))
    if title:
        _title(scene, title, ox, oy, W_, 16, th.text)
    return scene


def confusion_panel(counts: np.ndarray, names, theme_name: str = "light", size=(500, 400), origin=(0.0, 0.0),
                    title: str = "training rows: true (rows) by predicted (columns)") -> Scene:
    """A confusion matrix as cells shaded by the share of their row, with the counts written in;
    the diagonal in the positive colour, mistakes in the negative."""
    th = theme(theme_name)
    W_, H_ = size
    ox, oy = origin
    scene = Scene(W_, H_, th.background)
    k = counts.shape[0]
    label = max(text_width(str(n), 11) for n in names) + 12
    top = 34.0 + 16
    side = max(min(W_ - label - 20, H_ - top - 20), 20.0)
    cell = side / k
    x0, y0 = ox + label, oy + top
    totals = np.maximum(counts.sum(axis=1, keepdims=True), 1)
    for i in range(k):
        for j in range(k):
            share = counts[i, j] / totals[i, 0]
            colour = faded(th.positive if i == j else th.negative, float(share), th.background) if counts[i, j] \
                else th.background
            scene.items.append(Rect(x0 + j * cell, y0 + i * cell, cell, cell, colour, th.grid))
            if cell >= 14:
                scene.items.append(Text(x0 + (j + 0.5) * cell, y0 + (i + 0.5) * cell, str(int(counts[i, j])),
                                        min(13.0, cell * 0.4), th.text))
        if cell >= 10:
            scene.items.append(Text(x0 - 6, y0 + (i + 0.5) * cell, str(names[i]), min(11.0, cell * 0.6), th.text, "end"))
            scene.items.append(Text(x0 + (i + 0.5) * cell, y0 - 8, str(names[i]), min(11.0, cell * 0.6), th.text))
    scene.items.append(Text(ox + 12, oy + 16, title, 12, th.text, "start"))
    return scene


def scatter_panel(actual: np.ndarray, predicted: np.ndarray, theme_name: str = "light", size=(500, 400),
                  origin=(0.0, 0.0), lim: tuple[float, float] | None = None, name: str = "y") -> Scene:
    """Predicted against actual values (one dot a row) with the identity line; ``lim``: the
    axes' range (a film fixes it)."""
    th = theme(theme_name)
    W_, H_ = size
    ox, oy = origin
    scene = Scene(W_, H_, th.background)
    a, p = np.asarray(actual, dtype=float), np.asarray(predicted, dtype=float)
    lo, hi = lim if lim is not None else (float(min(a.min(), p.min())), float(max(a.max(), p.max())))
    hi = hi if hi > lo else lo + 1.0
    L, T, B = 56.0, 34.0, 40.0
    side = max(min(W_ - L - 16, H_ - T - B), 20.0)
    px0, py0 = ox + L, oy + T

    def at(u, v):
        return px0 + (u - lo) / (hi - lo) * side, py0 + side - (v - lo) / (hi - lo) * side

    scene.items.append(Rect(px0, py0, side, side, None, th.muted))
    (xa, ya), (xb, yb) = at(lo, lo), at(hi, hi)
    scene.items.append(Line(xa, ya, xb, yb, 1.0, th.muted, True))
    for u, v in zip(a, np.clip(p, lo, hi), strict=True):
        x, y = at(u, v)
        scene.items.append(Circle(x, y, 2.6, th.positive, th.positive, 0.5))
    for v in _nice_ticks(lo, hi, 4):
        x, y = at(v, v)
        scene.items.append(Text(x, py0 + side + 12, f"{v:g}", 10, th.muted))
        scene.items.append(Text(px0 - 5, y, f"{v:g}", 10, th.muted, "end"))
    scene.items.append(Text(px0 + side / 2, py0 + side + 28, f"actual {name}", 12, th.text))
    scene.items.append(Text(ox + 12, oy + 16, f"predicted {name} (training rows)", 12, th.text, "start"))
    return scene


def combine(width: float, height: float, background: RGB, *scenes: Scene) -> Scene:
    """Scenes drawn at their own origins into one."""
    out = Scene(width, height, background)
    for s in scenes:
        out.items.extend(s.items)
        out.notes.extend(s.notes)
    return out
