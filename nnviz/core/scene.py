"""The figure model: a ``Scene`` of circles, lines, polylines, rectangles and texts, and its themes.

Sizes are CSS pixels (1/96 inch); ``nnviz.gui.render`` paints a scene onto SVG, PDF or PNG
and the tests measure it directly (label boxes, edge count).  Text widths are estimated
(``text_width``); the painter shrinks a text that would not fit the box made for it, so the
boxes computed here are the ones drawn.  Also here: what every figure shares (a title that
wraps, axis ticks).  No Qt, and no figure in particular (``diagram``, ``figure_panels``,
``importance_figures`` make them).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

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


# -- what every figure shares --------------------------------------------------------
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


def draw_title(scene: Scene, title: str, ox: float, oy: float, W_: float, size: float, colour: RGB) -> None:
    """The title centred at the top: its first line's centre 20 px down, a second 1.25 lines lower."""
    lines, s = title_lines(title, size, W_ - 24)
    for i, line in enumerate(lines):
        scene.items.append(Text(ox + W_ / 2, oy + 20 + i * 1.25 * size, line, s, colour, bold=True))


def title_extra(title: str | None, size: float, W_: float) -> float:
    """The height a title takes beyond its first line (a wrapped title's second line)."""
    return 0.0 if not title else (len(title_lines(title, size, W_ - 24)[0]) - 1) * 1.25 * size


def nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """At most about ``n`` round values (1, 2 or 5 times a power of ten apart) from ``lo`` to ``hi``."""
    step = 10 ** np.floor(np.log10(max(hi - lo, 1e-12) / n))
    for m in (1, 2, 5, 10):
        if (hi - lo) / (m * step) <= n:
            step *= m
            break
    return [float(v) for v in np.arange(np.ceil(lo / step) * step, hi + step * 1e-9, step)]


def combine(width: float, height: float, background: RGB, *scenes: Scene) -> Scene:
    """Scenes drawn at their own origins into one."""
    out = Scene(width, height, background)
    for s in scenes:
        out.items.extend(s.items)
        out.notes.extend(s.notes)
    return out
