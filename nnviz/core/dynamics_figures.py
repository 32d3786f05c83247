"""The Dynamics tab as figures: the gradient flow (||dC/dW||, mean |delta| and the update ratio per
layer over the iterations, log scale) and the hidden space at some iterations, as ``diagram.Scene``s
that ``nnviz.gui.render`` writes to SVG, PDF or PNG.  No Qt here.

Layer colours run from dark (the first weight layer) to light green (the output), as in the
window; the y axes are log10 with a tick per decade.  ``side_by_side`` puts scenes in a row
(the README's sigmoid-against-relu picture).
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from .scene import Circle, Line, Polyline, Rect, Scene, Text, draw_title, nice_ticks, text_width, theme
from .dynamics import GRID_LINES, GUIDE_RATIO, HiddenSpace, History
from .landscape_figures import VIRIDIS, colour_at

PANELS = (("grad", "\u2016dC/dW\u2016 per layer"), ("delta", "mean |\u03b4| per layer"),
          ("ratio", "update / weight \u2016\u0394W\u2016 / \u2016W\u2016"))


def layer_colour(li: int, layers: int) -> tuple[int, int, int]:
    return colour_at(0.85 * li / max(layers - 1, 1), VIRIDIS)


def _log_panel(scene: Scene, th, box, x: np.ndarray, series: list[np.ndarray], colours, title: str,
               xr: tuple[float, float], yr: tuple[float, float], guide: float | None = None,
               marker: int | None = None) -> None:
    """A framed panel with log10 y (a tick per decade) and one polyline per series (gaps at NaN)."""
    x0, y0, w, h = box
    scene.items.append(Rect(x0, y0, w, h, None, th.muted))

    def sx(v):
        return x0 + (np.asarray(v, dtype=float) - xr[0]) / (xr[1] - xr[0] or 1.0) * w

    def sy(v):  # v in log10
        return y0 + h - (np.asarray(v, dtype=float) - yr[0]) / (yr[1] - yr[0] or 1.0) * h

    for d in range(math.ceil(yr[0]), math.floor(yr[1]) + 1):
        scene.items.append(Line(x0, float(sy(d)), x0 + w, float(sy(d)), 0.6, th.grid))
        scene.items.append(Text(x0 - 4, float(sy(d)), f"1e{d}" if d not in (0, 1) else ("1" if d == 0 else "10"),
                                9, th.muted, "end"))
    for v in nice_ticks(xr[0], xr[1], 4):
        if xr[0] <= v <= xr[1]:
            scene.items.append(Line(float(sx(v)), y0 + h, float(sx(v)), y0 + h + 3, 0.8, th.muted))
            scene.items.append(Text(float(sx(v)), y0 + h + 12, f"{v:,.0f}", 9, th.muted))
    if guide is not None and yr[0] <= math.log10(guide) <= yr[1]:
        gy = float(sy(math.log10(guide)))
        scene.items.append(Line(x0, gy, x0 + w, gy, 1.0, th.muted, True))
        scene.items.append(Text(x0 + 4, gy - 7, f"{guide:g}", 9, th.muted, "start"))
    for y, colour in zip(series, colours, strict=True):
        with np.errstate(divide="ignore", invalid="ignore"):
            ly = np.where(y > 0, np.log10(np.where(y > 0, y, 1.0)), np.nan)
        ok = np.isfinite(ly)
        for run in np.split(np.flatnonzero(ok), np.flatnonzero(np.diff(np.flatnonzero(ok)) > 1) + 1):
            if run.size > 1:
                pts = tuple(zip(sx(x[run]).tolist(), np.clip(sy(ly[run]), y0, y0 + h).tolist(), strict=True))
                scene.items.append(Polyline(pts, 1.8, colour))
    if marker is not None and xr[0] <= marker <= xr[1]:
        mx = float(sx(marker))
        scene.items.append(Line(mx, y0, mx, y0 + h, 1.2, (179, 88, 6)))
    scene.items.append(Text(x0 + w / 2, y0 - 9, title, 11, th.text))


def gradient_flow(history: History, activations: tuple[str, ...], title: str | None = None,
                  theme_name: str = "light", size=(960, 330), marker: int | None = None,
                  subtitle: str = "", panels: tuple[str, ...] = ("grad", "delta", "ratio"),
                  vertical: bool = False) -> Scene:
    """Panels side by side (``vertical``: one under another) of ||dC/dW||, mean |delta| and the
    update ratio (with its 1e-3 line), one line per weight layer, over the recorded iterations; a
    legend of the layers above."""
    th = theme(theme_name)
    W_, H_ = size
    scene = Scene(W_, H_, th.background)
    L = history.values.shape[1]
    colours = [layer_colour(li, L) for li in range(L)]
    top = (34.0 if title else 0.0) + (20.0 if subtitle else 0.0)
    if subtitle:
        scene.items.append(Text(12, top - 10, subtitle, 12, th.text, "start"))
    # the legend: one entry per layer, wrapped
    lx, ly = 12.0, top + 12
    for li in range(L):
        name = f"W{li + 1} \u2192 " + ("out" if li == L - 1 else f"h{li + 1}") + f" ({activations[li]})"
        wd = 22 + text_width(name, 10) + 14
        if lx + wd > W_ - 8:
            lx, ly = 12.0, ly + 16
        scene.items.append(Line(lx, ly, lx + 16, ly, 2.5, colours[li]))
        scene.items.append(Text(lx + 20, ly, name, 10, th.muted, "start"))
        lx += wd
    top = ly + 30
    x = history.iterations.astype(float)
    xr = (float(x.min()), float(x.max())) if x.size and x.max() > x.min() else (0.0, 1.0)
    data = {"grad": history.grad_norm, "delta": history.delta_mean, "ratio": history.ratio}
    labels = dict(PANELS)
    chosen = [(key, labels[key]) for key in panels]
    n = len(chosen)
    cw, ch = (W_, (H_ - top - 26) / n) if vertical else (W_ / n, H_ - top)
    for k, (key, label) in enumerate(chosen):
        v = data[key]
        with np.errstate(divide="ignore", invalid="ignore"):
            lv = np.log10(v[np.isfinite(v) & (v > 0)])
        lo, hi = (float(lv.min()), float(lv.max())) if lv.size else (-3.0, 0.0)
        if key == "ratio":
            lo, hi = min(lo, math.log10(GUIDE_RATIO)), max(hi, math.log10(GUIDE_RATIO))
        lo, hi = math.floor(lo * 2) / 2, math.ceil(hi * 2) / 2
        if hi <= lo:
            hi = lo + 1
        box = (46, top + k * ch, cw - 76, ch - 36) if vertical else (k * cw + 46, top, cw - 76, H_ - top - 26)
        _log_panel(scene, th, box, x, [v[:, li] for li in range(L)], colours, label, xr, (lo, hi),
                   GUIDE_RATIO if key == "ratio" else None, marker)
    scene.items.append(Text(W_ / 2, H_ - 6, "iteration (recorded at snapshot time)", 10, th.muted))
    if title:
        draw_title(scene, title, 0, 0, W_, 16, th.text)
    return scene


def hidden_space_panels(frames: list[tuple[int, HiddenSpace]], title: str | None = None, theme_name: str = "light",
                        size=(960, 360), names: tuple[str, str] = ("x1", "x2"), same_range: bool = False) -> Scene:
    """One panel per (iteration, hidden space): the input plane's grid lines (lines of constant x1
    blue-grey, of constant x2 orange-grey) and the rows coloured by class, in the layer's space."""
    th = theme(theme_name)
    W_, H_ = size
    scene = Scene(W_, H_, th.background)
    top = 46.0 + (34.0 if title else 0.0)
    n = max(len(frames), 1)
    cw = W_ / n
    side = min(cw - 30, H_ - top - 40)
    ranges = [_extent(hs.points) for _, hs in frames]
    if same_range and ranges:
        lo = np.min([r[0] for r in ranges], axis=0)
        hi = np.max([r[1] for r in ranges], axis=0)
        ranges = [(lo, hi)] * len(frames)
    lines_colour = ((150, 170, 205), (225, 180, 140))
    for k, (it, hs) in enumerate(frames):
        x0, y0 = k * cw + (cw - side) / 2, top
        lo, hi = ranges[k]
        span = np.maximum(hi - lo, 1e-9)

        def at(p, x0=x0, y0=y0, lo=lo, span=span):
            q = (np.asarray(p, dtype=float) - lo) / span
            return np.column_stack([x0 + q[:, 0] * side, y0 + side - q[:, 1] * side])

        for j, line in enumerate(hs.lines):
            pts = at(line)
            inside = ((pts[:, 0] >= x0 - 1) & (pts[:, 0] <= x0 + side + 1) & (pts[:, 1] >= y0 - 1)
                      & (pts[:, 1] <= y0 + side + 1))
            for run in np.split(np.flatnonzero(inside), np.flatnonzero(np.diff(np.flatnonzero(inside)) > 1) + 1):
                if run.size > 1:
                    scene.items.append(Polyline(tuple(map(tuple, pts[run].tolist())), 0.8,
                                                lines_colour[0 if j < GRID_LINES else 1]))
        for (px, py), c in zip(at(hs.points).tolist(), hs.classes if hs.classes is not None else [0] * len(hs.points),
                               strict=True):
            colour = th.classes[int(c) % len(th.classes)]
            scene.items.append(Circle(px, py, 2.6, colour, th.text, 0.5))
        if hs.boundary is not None:
            ends = clip_line(hs.boundary, lo, lo + span)
            if ends is not None:
                (ax, ay), (bx, by) = at(np.array(ends)).tolist()
                scene.items.append(Line(ax, ay, bx, by, 1.6, th.text, True))
        scene.items.append(Rect(x0, y0, side, side, None, th.muted))
        scene.items.append(Text(x0 + side / 2, y0 - 10, f"iteration {it:,}", 12, th.text))
        for v in nice_ticks(float(lo[0]), float(lo[0] + span[0]), 4):
            tx = x0 + (v - lo[0]) / span[0] * side
            scene.items.append(Text(float(tx), y0 + side + 10, f"{v:g}", 9, th.muted))
        for v in nice_ticks(float(lo[1]), float(lo[1] + span[1]), 4):
            ty = y0 + side - (v - lo[1]) / span[1] * side
            scene.items.append(Text(x0 - 4, float(ty), f"{v:g}", 9, th.muted, "end"))
        scene.items.append(Text(x0 + side / 2, y0 + side + 24, hs.axes[0], 10, th.muted))
        scene.items.append(Text(x0, y0 - 10, hs.axes[1], 10, th.muted, "start"))
    if frames:
        _, hs = frames[0]
        how = (f"the first two principal components of hidden layer {hs.layer}'s activations at iteration "
               f"{hs.fitted_at:,}, fixed" if hs.kind == "pca" else f"hidden layer {hs.layer}'s two neurons")
        line = ", the output's decision line dashed" if any(h.boundary is not None for _, h in frames) else ""
        scene.items.append(Text(12, top - 26, f"the rows and the input plane's grid lines ({names[0]} blue-grey, "
                                              f"{names[1]} orange-grey) in {how}{line}", 11, th.text, "start"))
    if title:
        draw_title(scene, title, 0, 0, W_, 16, th.text)
    return scene


def clip_line(line: tuple[float, float, float], lo, hi) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """The part of the line u x + v y + w = 0 inside the box lo..hi (x, y), its two ends, or None."""
    u, v, w = line
    pts = []
    if abs(v) > 1e-300:
        for x in (lo[0], hi[0]):
            y = -(u * x + w) / v
            if lo[1] <= y <= hi[1]:
                pts.append((float(x), float(y)))
    if abs(u) > 1e-300:
        for y in (lo[1], hi[1]):
            x = -(v * y + w) / u
            if lo[0] <= x <= hi[0]:
                pts.append((float(x), float(y)))
    pts = sorted(set(pts))
    return (pts[0], pts[-1]) if len(pts) >= 2 and pts[0] != pts[-1] else None


def _extent(points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    p = points[np.isfinite(points).all(axis=1)]
    if p.size == 0:
        return np.zeros(2), np.ones(2)
    lo, hi = p.min(axis=0), p.max(axis=0)
    pad = np.maximum((hi - lo) * 0.08, 1e-6)
    return lo - pad, hi + pad


def shifted(scene: Scene, dx: float, dy: float) -> list:
    """The scene's items moved by (dx, dy)."""
    out: list = []
    for it in scene.items:
        if isinstance(it, Line):
            out.append(replace(it, x1=it.x1 + dx, y1=it.y1 + dy, x2=it.x2 + dx, y2=it.y2 + dy))
        elif isinstance(it, Polyline):
            out.append(replace(it, points=tuple((x + dx, y + dy) for x, y in it.points)))
        elif isinstance(it, Text):
            box = None if it.box is None else (it.box[0] + dx, it.box[1] + dy, it.box[2], it.box[3])
            out.append(replace(it, x=it.x + dx, y=it.y + dy, box=box))
        elif isinstance(it, (Circle, Rect)):
            out.append(replace(it, x=it.x + dx, y=it.y + dy))
        else:
            out.append(it)
    return out


def side_by_side(*scenes: Scene, gap: float = 16.0) -> Scene:
    """Scenes in a row, their tops aligned."""
    W_ = sum(s.width for s in scenes) + gap * (len(scenes) - 1)
    H_ = max(s.height for s in scenes)
    out = Scene(W_, H_, scenes[0].background)
    x = 0.0
    for s in scenes:
        out.items.extend(shifted(s, x, 0.0))
        out.notes.extend(s.notes)
        x += s.width + gap
    return out


def stacked(*scenes: Scene, gap: float = 12.0) -> Scene:
    """Scenes one under another."""
    W_ = max(s.width for s in scenes)
    H_ = sum(s.height for s in scenes) + gap * (len(scenes) - 1)
    out = Scene(W_, H_, scenes[0].background)
    y = 0.0
    for s in scenes:
        out.items.extend(shifted(s, 0.0, y))
        y += s.height + gap
    return out
