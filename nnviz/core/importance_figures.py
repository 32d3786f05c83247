"""What the network learned as figures: importance bars, generalized weights (gwplot's picture,
one panel per input) and profiles (one panel per input), as ``scene.Scene``s that
``nnviz.gui.render`` writes to SVG, PDF or PNG.  No Qt here.

Bars are in the inputs' order, signed, in the diagram's colours (blue positive, orange
negative; ``--theme print`` grey).  A panel's y range is the data's, padded by 5 %.  Left out:
sorting the bars (NeuralNetTools sorts them), facets by output (one output a figure).
"""

from __future__ import annotations

import math

import numpy as np

from .profiles import Profiles
from .scene import Circle, Line, Polyline, Rect, Scene, Text, Theme, draw_title, nice_ticks, text_width, theme

ICE_LINES = 200  # a figure draws at most this many ICE curves (every k-th row)


def _range(values) -> tuple[float, float]:
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return 0.0, 1.0
    lo, hi = float(v.min()), float(v.max())
    if hi - lo < 1e-12 * max(1.0, abs(hi)):
        lo, hi = lo - 0.5, hi + 0.5
    pad = (hi - lo) * 0.05
    return lo - pad, hi + pad


def _fmt(v: float) -> str:
    return f"{v:.4g}" if v != 0 else "0"


def _axes(scene: Scene, th: Theme, box, xr, yr, xlabel: str, ylabel: str, small: bool):
    """A framed panel in ``box`` (x, y, w, h) with ticks; returns the maps data -> page."""
    x0, y0, w, h = box
    fs = 9.0 if small else 11.0
    scene.items.append(Rect(x0, y0, w, h, None, th.muted))

    def sx(v):
        return x0 + (np.asarray(v, dtype=float) - xr[0]) / (xr[1] - xr[0]) * w

    def sy(v):
        return y0 + h - (np.asarray(v, dtype=float) - yr[0]) / (yr[1] - yr[0]) * h

    for v in nice_ticks(xr[0], xr[1], 3 if small else 5):
        if xr[0] <= v <= xr[1]:
            scene.items.append(Line(float(sx(v)), y0 + h, float(sx(v)), y0 + h + 3, 0.8, th.muted))
            scene.items.append(Text(float(sx(v)), y0 + h + fs + 2, _fmt(v), fs, th.muted))
    for v in nice_ticks(yr[0], yr[1], 3 if small else 5):
        if yr[0] <= v <= yr[1]:
            scene.items.append(Line(x0, float(sy(v)), x0 + w, float(sy(v)), 0.6, th.grid))
            scene.items.append(Text(x0 - 4, float(sy(v)), _fmt(v), fs, th.muted, "end"))
    scene.items.append(Text(x0 + w / 2, y0 + h + 2 * fs + 6, xlabel, fs + 1, th.text))
    if ylabel:
        scene.items.append(Text(x0, y0 - fs, ylabel, fs + 1, th.text, "start"))
    return sx, sy


def _grid(n: int, size, top: float) -> list[tuple[float, float, float, float]]:
    """Panel boxes for n panels in columns and rows filling ``size`` below ``top``."""
    W_, H_ = size
    cols = min(n, max(1, round(math.sqrt(n * W_ / max(H_ - top, 1.0)))))
    rows = math.ceil(n / cols)
    cols = math.ceil(n / rows)  # no row emptier than it must be (4 panels: 2 x 2, not 3 + 1)
    cw, ch = W_ / cols, (H_ - top) / rows
    small = cw < 260 or ch < 200
    L, R, T, B = (48.0, 12.0, 22.0, 34.0) if small else (62.0, 18.0, 28.0, 44.0)
    return [((k % cols) * cw + L, top + (k // cols) * ch + T, cw - L - R, ch - T - B) for k in range(n)]


def importance_bars(names, values, label: str, theme_name: str = "light", size=(700, 420),
                    title: str | None = None) -> Scene:
    """One horizontal bar per input, in the inputs' order, from zero: blue positive, orange
    negative (dashed outline in the print theme), the value written beside each bar."""
    th = theme(theme_name)
    W_, H_ = size
    scene = Scene(W_, H_, th.background)
    values = np.asarray(values, dtype=float)
    n = len(names)
    fs = 12.0 if n <= 20 else max(7.0, 12.0 * 20 / n)
    left = max(text_width(str(s), fs) for s in names) + 18
    top = 44.0 + (30.0 if title else 0.0)
    lo, hi = min(0.0, float(np.nanmin(values))), max(0.0, float(np.nanmax(values)))
    # room beside the bars for their values: on the left too when a bar is negative
    x0, x1, y0, y1 = left + (text_width("-0.000", fs) if lo < 0 else 0.0), W_ - 70.0, top, H_ - 40.0
    if hi - lo == 0:
        hi = 1.0
    pad = (hi - lo) * 0.04
    lo, hi = lo - (pad if lo < 0 else 0), hi + (pad if hi > 0 else 0)

    def sx(v):
        return x0 + (v - lo) / (hi - lo) * (x1 - x0)

    band = (y1 - y0) / max(n, 1)
    for v in nice_ticks(lo, hi, 5):
        scene.items.append(Line(float(sx(v)), y0, float(sx(v)), y1, 0.6, th.grid))
        scene.items.append(Text(float(sx(v)), y1 + 14, _fmt(v), 10, th.muted))
    for i, (name, v) in enumerate(zip(names, values, strict=True)):
        yc = y0 + (i + 0.5) * band
        colour = th.positive if v >= 0 else th.negative
        a, b = sorted((float(sx(0.0)), float(sx(v))))
        scene.items.append(Rect(a, yc - band * 0.35, max(b - a, 0.5), band * 0.7, colour,
                                th.text if th.dash_negative and v < 0 else None))
        scene.items.append(Text(left - 8, yc, str(name), fs, th.text, "end"))
        if fs >= 9:
            scene.items.append(Text(b + 4 if v >= 0 else a - 4, yc, f"{v:.3g}", fs - 2, th.muted,
                                    "start" if v >= 0 else "end"))
    scene.items.append(Line(float(sx(0.0)), y0, float(sx(0.0)), y1, 1.2, th.text))
    scene.items.append(Text((x0 + x1) / 2, H_ - 10, label, 12, th.text))
    if title:
        draw_title(scene, title, 0, 0, W_, 16, th.text)
    return scene


def gw_panels(x, values, names, label: str, output: str, theme_name: str = "light", size=(900, 600),
              title: str | None = None) -> Scene:
    """gwplot's picture for every input: each row's generalized weight (y) against the input's
    value (x), one panel per input, one common y range (as gwplot's ylim for one response)."""
    th = theme(theme_name)
    x, values = np.asarray(x, dtype=float), np.asarray(values, dtype=float)
    scene = Scene(size[0], size[1], th.background)
    top = 34.0 + (30.0 if title else 0.0)
    scene.items.append(Text(12, top - 18, f"generalized weights: d {label} of {output} / d input "
                                          "(standardised inputs), one dot a row", 12, th.text, "start"))
    yr = _range(values)
    for j, box in enumerate(_grid(len(names), size, top)):
        small = box[2] < 200
        sx, sy = _axes(scene, th, box, _range(x[:, j]), yr, str(names[j]), "GW" if j == 0 else "", small)
        for a, b in zip(sx(x[:, j]), sy(values[:, j]), strict=True):
            scene.items.append(Circle(float(a), float(b), 1.8 if small else 2.4, th.positive, th.positive, 0.4))
        zero = float(sy(0.0))
        if box[1] < zero < box[1] + box[3]:
            scene.items.append(Line(box[0], zero, box[0] + box[2], zero, 0.8, th.muted, True))
    if title:
        draw_title(scene, title, 0, 0, size[0], 16, th.text)
    return scene


def profile_panels(p: Profiles, output: int, input_names, output_name: str, theme_name: str = "light",
                   size=(900, 600), title: str | None = None) -> Scene:
    """One panel per swept input: Lek's curves, one per group (coloured, with a legend), or the
    ICE curves (thin, pale; at most ICE_LINES) under their mean, the partial dependence (thick)."""
    th = theme(theme_name)
    scene = Scene(size[0], size[1], th.background)
    head = 16.0 + (30.0 if title else 0.0)
    top = head + 18.0 + (18.0 if p.kind != "pdp" else 0.0)
    curves = p.curves[..., output]  # (inputs, m, steps)
    what = "partial dependence (thick) and ICE curves (one a row)" if p.kind == "pdp" else \
        "Lek's profiles, the other inputs held at the " + ("quantiles" if p.kind == "lek" else "cluster centres")
    scene.items.append(Text(12, head, f"{output_name}: {what}", 12, th.text, "start"))
    lx = 12.0
    if p.kind != "pdp":  # the legend, a line of its own under the heading
        for g, text in enumerate(p.labels):
            scene.items.append(Line(lx, head + 18, lx + 16, head + 18, 2.5, th.classes[g % len(th.classes)]))
            scene.items.append(Text(lx + 20, head + 18, text, 10, th.muted, "start"))
            lx += 20 + text_width(text, 10) + 14
    ice_rows = np.arange(0, curves.shape[1], max(1, -(-curves.shape[1] // ICE_LINES)))
    mean = p.mean[..., output] if p.mean is not None else curves.mean(axis=1)  # (inputs, steps)
    yr = _range(curves if p.kind != "pdp" else np.concatenate([curves[:, ice_rows].ravel(), mean.ravel()]))
    pale = tuple(round(b + (c - b) * 0.25) for c, b in zip(th.muted, th.background, strict=True))
    for a, box in enumerate(_grid(len(p.inputs), size, top)):
        small = box[2] < 200
        sx, sy = _axes(scene, th, box, _range(p.x[a]), yr, str(input_names[p.inputs[a]]),
                       output_name if a == 0 else "", small)
        xs = sx(p.x[a])
        if p.kind == "pdp":
            for r in ice_rows:
                scene.items.append(Polyline(tuple(zip(xs.tolist(), sy(curves[a, r]).tolist(), strict=True)), 0.6,
                                            pale))  # type: ignore[arg-type]
            scene.items.append(Polyline(tuple(zip(xs.tolist(), sy(mean[a]).tolist(), strict=True)),
                                        2.6, th.positive))
        else:
            for g in range(curves.shape[1]):
                scene.items.append(Polyline(tuple(zip(xs.tolist(), sy(curves[a, g]).tolist(), strict=True)), 1.8,
                                            th.classes[g % len(th.classes)]))
    if title:
        draw_title(scene, title, 0, 0, size[0], 16, th.text)
    return scene
