"""The loss landscape as a figure: a contour map of the training mse on the slice, the training
path projected on it, the current weights marked (and an iteration shown, if any), as a
``diagram.Scene`` that ``nnviz.gui.render`` writes to SVG, PDF or PNG.  No Qt here.

The colours are log10(mse) through viridis (grey in the print theme), drawn as one rectangle
per run of equal colour in a column (vectors, no embedded picture, as the decision map);
contour lines at ``LEVELS`` quantiles of the values, traced by marching squares (``contours``, which
the window's view draws too).
"""

from __future__ import annotations

import numpy as np

from .scene import Circle, Line, Polyline, Rect, Scene, Text, draw_title, nice_ticks, text_width, theme
from .landscape import Landscape

LEVELS = 14  # contour lines
SHADES = 32  # colours of the map
VIRIDIS = ((68, 1, 84), (72, 40, 120), (62, 74, 137), (49, 104, 142), (38, 130, 142), (31, 158, 137),
           (53, 183, 121), (109, 205, 89), (180, 222, 44), (253, 231, 37))
GREYS = ((40, 40, 40), (245, 245, 245))


def colour_at(t: float, stops=VIRIDIS) -> tuple[int, int, int]:
    """The colour at t (0..1) along the stops, linearly."""
    t = float(np.clip(t, 0.0, 1.0)) * (len(stops) - 1)
    k = min(int(t), len(stops) - 2)
    f = t - k
    r, g, b_ = (round(a + (b - a) * f) for a, b in zip(stops[k], stops[k + 1], strict=True))
    return r, g, b_


def log_levels(values: np.ndarray, n: int = LEVELS) -> np.ndarray:
    """Up to n values of log10(mse) at evenly spaced quantiles of the grid's values (not at either
    end): each band between two lines holds about as many grid points, so a flat valley gets its
    lines as a steep wall does."""
    v = np.log10(np.clip(np.asarray(values, dtype=float), 1e-300, None))
    v = v[np.isfinite(v)]
    if v.size == 0 or v.max() <= v.min():
        return np.empty(0)
    q = np.unique(np.quantile(v, np.linspace(0.0, 1.0, n + 2)[1:-1]))
    return q[(q > v.min()) & (q < v.max())]


def contours(a: np.ndarray, b: np.ndarray, V: np.ndarray, level: float) -> list[np.ndarray]:
    """The lines where V (indexed [i, j] at (a[i], b[j])) crosses ``level``: polylines (k, 2) in (a, b),
    by marching squares, joined across cells through the edges they share (saddles split by the
    cell's mean)."""
    V = np.asarray(V, dtype=float)
    na, nb = V.shape
    above = np.greater(V, level)

    def point(e) -> tuple[float, float]:  # where the edge crosses the level, by linear interpolation
        kind, i, j = e
        i2, j2 = (i + 1, j) if kind == "a" else (i, j + 1)
        v1, v2 = V[i, j], V[i2, j2]
        t = 0.5 if v2 == v1 else (level - v1) / (v2 - v1)
        return (float(a[i] + (a[i2] - a[i]) * t), float(b[j] + (b[j2] - b[j]) * t))

    links: dict[tuple, list[tuple]] = {}
    for i in range(na - 1):
        for j in range(nb - 1):
            c = (above[i, j], above[i + 1, j], above[i + 1, j + 1], above[i, j + 1])
            if all(c) or not any(c):
                continue
            # the cell's edges in order round it: bottom (along a at j), right, top, left
            edges = [("a", i, j), ("b", i + 1, j), ("a", i, j + 1), ("b", i, j)]
            crossed = [edges[k] for k in range(4) if c[k] != c[(k + 1) % 4]]
            if len(crossed) == 2:
                pairs = [(crossed[0], crossed[1])]
            else:  # a saddle: join so that the centre's side stays connected
                centre = V[i:i + 2, j:j + 2].mean() > level
                pairs = [(edges[0], edges[1]), (edges[2], edges[3])] if centre == c[0] else \
                    [(edges[3], edges[0]), (edges[1], edges[2])]
            for u, v in pairs:
                links.setdefault(u, []).append(v)
                links.setdefault(v, []).append(u)
    lines, seen = [], set()
    for start in sorted(links, key=lambda e: (len(links[e]), e)):  # open ends first
        if start in seen:
            continue
        chain, prev, cur = [start], None, start
        seen.add(start)
        while True:
            nxt = [e for e in links[cur] if e != prev and e not in seen]
            if not nxt:
                if len(chain) > 2 and start in links[cur]:
                    chain.append(start)  # a closed loop
                break
            prev, cur = cur, nxt[0]
            chain.append(cur)
            seen.add(cur)
        lines.append(np.array([point(e) for e in chain]))
    return lines


def landscape_scene(land: Landscape, title: str | None = None, theme_name: str = "light", size=(760, 640),
                    shown: tuple[int, np.ndarray] | None = None, subtitle: str = "") -> Scene:
    """The contour map with the path (the start a small dot, the current weights a ring) and, with
    ``shown`` = (iteration, (a, b)), that iteration's weights as a cross; a colour bar of the mse."""
    th = theme(theme_name)
    W_, H_ = size
    scene = Scene(W_, H_, th.background)
    top = 34.0 + (34.0 if title else 0.0)
    L, R, B = 70.0, 96.0, 52.0
    x0, y0, w, h = L, top, W_ - L - R, H_ - top - B
    a, b, V = land.a, land.b, land.values
    logv = np.log10(np.clip(V, 1e-300, None))
    lo, hi = float(np.nanmin(logv)), float(np.nanmax(logv))
    span = hi - lo if hi > lo else 1.0
    stops = GREYS if th.dash_negative else VIRIDIS
    shade = np.clip(np.round((logv - lo) / span * (SHADES - 1)), 0, SHADES - 1)
    na, nb = V.shape
    # cell (i, j) is centred on (a[i], b[j]); the map covers a[0]..a[-1] by b[0]..b[-1]
    da, db = (a[-1] - a[0]) / (na - 1), (b[-1] - b[0]) / (nb - 1)

    def sx(v):
        return x0 + (np.asarray(v, dtype=float) - (a[0] - da / 2)) / (da * na) * w

    def sy(v):
        return y0 + h - (np.asarray(v, dtype=float) - (b[0] - db / 2)) / (db * nb) * h

    cw, ch = w / na, h / nb
    for i in range(na):
        j = 0
        while j < nb:
            k = j
            while k + 1 < nb and shade[i, k + 1] == shade[i, j]:
                k += 1
            ow, oh = (0.5 if i + 1 < na else 0.0), (0.5 if j > 0 else 0.0)
            scene.items.append(Rect(x0 + i * cw, y0 + h - (k + 1) * ch, cw + ow, (k - j + 1) * ch + oh,
                                    colour_at(shade[i, j] / (SHADES - 1), stops)))
            j = k + 1
    line_colour = (255, 255, 255) if not th.dash_negative else (0, 0, 0)
    for level in log_levels(V):
        for xy in contours(a, b, logv, float(level)):
            scene.items.append(Polyline(tuple(zip(sx(xy[:, 0]).tolist(), sy(xy[:, 1]).tolist(), strict=True)),
                                        0.8, line_colour))
    scene.items.append(Rect(x0, y0, w, h, None, th.muted))
    path = land.path
    if path.shape[0]:
        inside = (np.abs(path[:, 0]) <= abs(a[-1]) + da / 2) & (np.abs(path[:, 1]) <= abs(b[-1]) + db / 2)
        for run in _runs(inside):  # the path within the map, a polyline per stretch inside it
            if run.size > 1:
                pts = tuple(zip(sx(path[run, 0]).tolist(), sy(path[run, 1]).tolist(), strict=True))
                scene.items.append(Polyline(pts, 2.2, th.negative))
        if inside[0]:
            scene.items.append(Circle(float(sx(path[0, 0])), float(sy(path[0, 1])), 3.5, th.negative, th.text, 0.8))
    cx, cy = float(sx(0.0)), float(sy(0.0))
    scene.items.append(Circle(cx, cy, 6.0, (255, 255, 255), th.text, 2.0))
    if shown is not None:
        it, (sa, sb) = shown
        px, py = float(sx(sa)), float(sy(sb))
        scene.items.append(Line(px - 6, py - 6, px + 6, py + 6, 2.2, (228, 26, 28)))
        scene.items.append(Line(px - 6, py + 6, px + 6, py - 6, 2.2, (228, 26, 28)))
    for v in nice_ticks(float(a[0]), float(a[-1]), 5):
        scene.items.append(Line(float(sx(v)), y0 + h, float(sx(v)), y0 + h + 4, 0.8, th.muted))
        scene.items.append(Text(float(sx(v)), y0 + h + 14, f"{v:.3g}", 10, th.muted))
    for v in nice_ticks(float(b[0]), float(b[-1]), 5):
        scene.items.append(Line(x0 - 4, float(sy(v)), x0, float(sy(v)), 0.8, th.muted))
        scene.items.append(Text(x0 - 6, float(sy(v)), f"{v:.3g}", 10, th.muted, "end"))
    scene.items.append(Text(x0 + w / 2, y0 + h + 34, land.names[0], 12, th.text))
    scene.items.append(Text(x0, y0 - 10, land.names[1], 12, th.text, "start"))
    # the colour bar: log-spaced mse values
    bx, bw = x0 + w + 18, 14.0
    for k in range(SHADES):
        scene.items.append(Rect(bx, y0 + h - (k + 1) * h / SHADES, bw, h / SHADES + 0.5,
                                colour_at(k / (SHADES - 1), stops)))
    scene.items.append(Rect(bx, y0, bw, h, None, th.muted))
    for v in nice_ticks(lo, hi, 5):
        yy = y0 + h - (v - lo) / span * h
        scene.items.append(Line(bx + bw, yy, bx + bw + 4, yy, 0.8, th.muted))
        scene.items.append(Text(bx + bw + 6, yy, f"{10 ** v:.2g}", 10, th.muted, "start"))
    scene.items.append(Text(bx + bw / 2, y0 - 10, "mse", 11, th.text))
    head = (f"training mse around the weights of iteration {land.iteration:,} (ring)"
            + (", the training path (orange, from the dot)" if path.shape[0] else "")
            + (f", iteration {shown[0]:,} (cross)" if shown is not None else ""))
    if subtitle:
        head = f"{subtitle}: {head}"
    size_ = 12.0
    while text_width(head, size_) > W_ - 24 and size_ > 8:
        size_ -= 0.5
    scene.items.append(Text(12, top - 26, head, size_, th.text, "start"))
    if title:
        draw_title(scene, title, 0, 0, W_, 16, th.text)
    return scene


def _runs(mask: np.ndarray) -> list[np.ndarray]:
    """The index runs where ``mask`` is True."""
    idx = np.flatnonzero(mask)
    if idx.size == 0:
        return []
    return np.split(idx, np.flatnonzero(np.diff(idx) > 1) + 1)
