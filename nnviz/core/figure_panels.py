"""The error curve, the decision map, the confusion matrix and predicted against actual, as scenes.

Each function returns a ``scene.Scene`` in a ``size`` box at ``origin``, so a film or a
combined figure places several side by side (``scene.combine``).  No Qt here; the network
diagram itself is ``diagram.diagram``.
"""

from __future__ import annotations

import numpy as np

from .scene import Circle, Line, Polyline, Rect, Scene, Text, draw_title, faded, nice_ticks, text_width, theme, \
    title_extra

MAX_CURVE_POINTS = 2000  # an error curve keeps at most this many points (~2 a pixel column)


def thin_curve(x, y, n: int = MAX_CURVE_POINTS) -> tuple[np.ndarray, np.ndarray]:
    """At most ``n`` evenly spaced points of a curve, the first and last kept: the figure looks the same."""
    x, y = np.asarray(x), np.asarray(y)
    if x.size <= n:
        return x, y
    keep = np.unique(np.linspace(0, x.size - 1, n).astype(int))
    return x[keep], y[keep]


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
             else nice_ticks(x_min, xmax))
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
        draw_title(scene, title, ox, oy, W_, 16, th.text)
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
    for v in nice_ticks(x0, x0 + w, 4):
        xx = px0 + (v - x0) / w * side
        scene.items.append(Text(xx, py0 + side + 12, f"{v:g}", 10, th.muted))
    for v in nice_ticks(y0, y0 + h, 4):
        yy = py0 + side - (v - y0) / h * side
        scene.items.append(Text(px0 - 5, yy, f"{v:g}", 10, th.muted, "end"))
    scene.items.append(Text(px0 + side / 2, py0 + side + 28, names[0], 12, th.text))
    scene.items.append(Text(px0 - L + 12, py0 - 4 if not title else py0 - 8, names[1], 12, th.text, "start"))
    if title:
        draw_title(scene, title, ox, oy, W_, 16, th.text)
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
    for v in nice_ticks(lo, hi, 4):
        x, y = at(v, v)
        scene.items.append(Text(x, py0 + side + 12, f"{v:g}", 10, th.muted))
        scene.items.append(Text(px0 - 5, y, f"{v:g}", 10, th.muted, "end"))
    scene.items.append(Text(px0 + side / 2, py0 + side + 28, f"actual {name}", 12, th.text))
    scene.items.append(Text(ox + 12, oy + 16, f"predicted {name} (training rows)", 12, th.text, "start"))
    return scene
