"""Paint a training film (``nnviz.core.film``) frame by frame and write it as GIF (Pillow)
or MP4 (imageio-ffmpeg, an optional extra).  Each frame: the diagram, the error curve with
a marker at the frame's iteration, and the decision map for two-input data."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..core import diagram as D
from ..core.film import Frame, Reel, Source
from ..core.runner import map_grid
from ..io import atomic
from . import render

FORMATS = (".gif", ".mp4")


def parse_size(text: str) -> tuple[int, int]:
    """'1280x720' -> (1280, 720); one-line ValueError otherwise."""
    try:
        w, h = (int(v) for v in text.lower().split("x"))
        check_size((w, h))
    except ValueError:
        raise ValueError(f"--size must be WIDTHxHEIGHT between 160x120 and 4000x4000 pixels (got {text!r})") from None
    return w, h


def check_rate(frames: int, fps: float) -> None:
    """One-line ValueError for a number of frames or a frame rate a film cannot have."""
    if frames < 2 or frames > 10_000:
        raise ValueError(f"a film needs 2 to 10,000 frames (got {frames})")
    if not (0 < fps <= 100):
        raise ValueError(f"the frame rate must be above 0 and at most 100 frames a second (got {fps:g})")


def check_size(size: tuple[int, int]) -> None:
    if not (160 <= size[0] <= 4000 and 120 <= size[1] <= 4000):
        raise ValueError(f"a frame must be between 160x120 and 4000x4000 pixels (got {size[0]}x{size[1]})")


def mp4_available() -> bool:
    try:
        import imageio_ffmpeg  # noqa: F401
    except ImportError:
        return False
    return True


MP4_HINT = "an MP4 needs imageio-ffmpeg: pip install imageio-ffmpeg (or write a .gif)"


def check_target(path: str | Path, size: tuple[int, int] | None = None) -> str:
    """The film's format from its extension; MP4 only with imageio-ffmpeg installed, and
    (its yuv420p frames) an even width and height."""
    ext = Path(path).suffix.lower()
    if ext not in FORMATS:
        raise ValueError(f"--out must name a .gif or .mp4 file (got {path})")
    if ext == ".gif":
        try:
            import PIL  # noqa: F401
        except ImportError:
            raise ValueError("a GIF needs Pillow: pip install 'nnviz[film]'") from None
    else:
        if not mp4_available():
            raise ValueError(MP4_HINT)
        if size is not None and (size[0] % 2 or size[1] % 2):
            raise ValueError(f"an MP4 needs an even width and height (got {size[0]}x{size[1]})")
    atomic.check_writable(path)
    return ext


PANELS = ("auto", "map", "predictions", "none")  # beside the diagram, under the error curve


def panel_for(panel: str, n_inputs: int) -> str:
    """The panel a film shows: ``auto`` is the decision map for two inputs, else the predictions."""
    if panel not in PANELS:
        raise ValueError(f"the panel must be one of {', '.join(PANELS)} (got {panel!r})")
    if panel == "auto":
        return "map" if n_inputs == 2 else "predictions"
    if panel == "map" and n_inputs != 2:
        raise ValueError(f"a decision map needs a data set with 2 inputs, this one has {n_inputs}")
    return panel


@dataclass(frozen=True)
class FilmOptions:
    """What File > Export animation films, with ``nnviz animate``'s options; ``start`` and
    ``end``: the iterations of the first and last frames (default: the run's first stored
    iteration, and the present); ``title``: above the diagram (default: data set and network)."""

    path: str
    frames: int = 150
    fps: float = 15.0
    size: tuple[int, int] = (1280, 720)
    panel: str = "auto"
    start: int | None = None
    end: int | None = None
    theme: str = "light"
    title: str | None = None  # above the diagram (None: the data set and the network)

    def check(self, n_inputs: int, first: int, present: int) -> None:
        """Every option, before anything is made: one-line ValueError on the first wrong one."""
        check_rate(self.frames, self.fps)
        check_size(self.size)
        panel_for(self.panel, n_inputs)
        self.range_of(first, present)
        check_target(self.path, self.size)

    def range_of(self, first: int, present: int) -> tuple[int, int]:
        start = first if self.start is None else self.start
        end = present if self.end is None else self.end
        if self.start is None and self.end is None and present <= first:
            raise ValueError("nothing to film yet: train for a few iterations first")
        if start < first:
            raise ValueError(f"the film cannot start before iteration {first:,}, where this run's history starts")
        if end <= start:
            raise ValueError(f"the last iteration must come after the first (got {start:,} to {end:,})")
        return start, end

    def range_in(self, source: Source) -> tuple[int, int]:
        return self.range_of(source.first, source.present)


class Painter:
    """Frames of one reel as scenes, with scales fixed over the whole film: the diagram on the
    left, on the right the error curve and under it the decision map or the predictions."""

    def __init__(self, reel: Reel, size: tuple[int, int], theme: str = "light", title: str | None = None,
                 panel: str = "auto"):
        self.reel, self.size, self.theme, self.title = reel, size, theme, title
        exp = reel.experiment
        self.panel = panel_for(panel, len(exp.dataset.input_names))
        self.w_max = max(float(max(np.abs(W).max() for W in f.weights)) for f in reel.frames) or 1.0
        self.n0, self.n = int(reel.frames[0].iteration), int(reel.frames[-1].iteration)
        y = reel.history_y[np.isfinite(reel.history_y) & (reel.history_y > 0)]
        finals = [f.mse for f in reel.frames if f.mse > 0]
        lo = min([*y.tolist(), *finals]) if (y.size or finals) else 1e-3
        hi = max([*y.tolist(), *finals]) if (y.size or finals) else 1.0
        self.y_range = (lo, hi)
        self.grid = map_grid(exp.dataset, exp.scaling, 60) if self.panel == "map" else None
        if self.title is None:
            self.title = f"{exp.dataset.name}, {exp.arch.describe()}"
        T = exp.train.T
        self.classes = T.argmax(axis=1) if T.shape[1] > 1 else (T[:, 0] >= 0.5).astype(int)
        if exp.task == "regression":
            a = T[:, 0]
            pad = 0.1 * (float(np.ptp(a)) or 1.0)
            self.lim = (float(a.min()) - pad, float(a.max()) + pad)

    def _panel(self, frame: Frame, size, origin) -> D.Scene:
        from ..core.network import Network

        exp = self.reel.experiment
        net = Network.from_weights(exp.arch, [np.asarray(w) for w in frame.weights])
        if self.grid is not None:
            return D.decision_map(net.predict(self.grid.points), self.grid.size, self.grid.rect, self.theme, size=size,
                                  origin=origin, points=exp.train.X, point_class=self.classes,
                                  names=tuple(exp.dataset.input_names))
        Yhat = net.predict(exp.X_train)
        if exp.task == "regression":
            return D.scatter_panel(exp.train.T[:, 0], exp.scaling.outputs(Yhat)[:, 0], self.theme, size, origin,
                                   self.lim, exp.dataset.output_names[0])
        if Yhat.shape[1] > 1:
            names = exp.dataset.output_names
            predicted = Yhat.argmax(axis=1)
        else:
            names = (f"not {exp.dataset.output_names[0]}", exp.dataset.output_names[0])
            predicted = (Yhat[:, 0] >= 0.5).astype(int)
        k = len(names)
        counts = np.zeros((k, k), dtype=int)
        np.add.at(counts, (self.classes, predicted), 1)
        return D.confusion_panel(counts, names, self.theme, size, origin)

    def scene(self, frame: Frame) -> D.Scene:
        W, H = self.size
        th = D.theme(self.theme)
        exp = self.reel.experiment
        side = W * 0.42
        footer = D.footer_text(frame.mse * exp.Y_train.size / 2, frame.iteration)  # plot.nn: 1/2 SSE
        parts = [D.diagram(frame.weights, exp.input_labels, exp.dataset.output_names, self.theme,
                           title=self.title, footer=footer, size=(W - side, H), w_max=self.w_max)]
        hx, hy = self.reel.history_x, self.reel.history_y
        upto = int(np.searchsorted(hx, frame.iteration, side="right"))
        first = self.reel.frames[0]
        x = np.concatenate([[first.iteration], hx[:upto]])
        y = np.concatenate([[first.mse], hy[:upto]])
        curve_h = H / 2 if self.panel != "none" else H
        parts.append(D.error_plot(x, y, self.theme, size=(side, curve_h), origin=(W - side, 0), marker=frame.iteration,
                                  x_max=max(self.n, self.n0 + 1), y_range=self.y_range, log_x=True, x_min=self.n0))
        if self.panel != "none":
            parts.append(self._panel(frame, (side, H / 2), (W - side, H / 2)))
        return D.combine(W, H, th.background, *parts)

    def image(self, frame: Frame):
        """The frame as a Pillow RGB image."""
        from PIL import Image

        img = render.to_image(self.scene(frame))
        ptr = img.constBits()
        arr = np.frombuffer(ptr, dtype=np.uint8, count=img.sizeInBytes()).reshape(img.height(), img.bytesPerLine())
        bgra = arr[:, : img.width() * 4].reshape(img.height(), img.width(), 4)
        return Image.fromarray(np.ascontiguousarray(bgra[..., 2::-1]), "RGB")


def quantize(im):
    """The one palette step a GIF frame goes through (the tests compare against it)."""
    from PIL import Image

    return im.quantize(colors=256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)


def gif_durations(n: int, fps: float) -> list[int]:
    """Each frame's duration in ms for a GIF, which counts in hundredths of a second: frame k
    ends at k / fps rounded to 10 ms, so 15 fps alternates 70, 70, 60 ms and the durations sum
    to n / fps (to the nearest 10 ms) instead of drifting by a rounding a frame."""
    ends = np.round(np.arange(n + 1) * (100.0 / fps)).astype(np.int64) * 10
    return np.diff(ends).tolist()


def write(painter: Painter, path: str | Path, fps: float = 15.0,
          progress: Callable[[int, int], None] | None = None) -> None:
    """Every frame of the painter's reel to a .gif or .mp4 file, atomically.  Frames are
    painted one at a time and kept only as the GIF's palette images (a quarter of the RGB
    size) or sent straight to ffmpeg, so a long film does not hold every picture in memory."""
    ext = Path(path).suffix.lower()
    frames = painter.reel.frames

    def images():
        for k, f in enumerate(frames):
            yield painter.image(f)
            if progress:
                progress(k + 1, len(frames))

    def gif(tmp: str) -> None:
        q = [quantize(im) for im in images()]
        hold = gif_durations(len(q), fps)
        hold[-1] = max(hold[-1], 2000)  # rest on the trained network before looping
        q[0].save(tmp, format="GIF", save_all=True, append_images=q[1:], duration=hold, loop=0, optimize=True,
                  disposal=1)

    def mp4(tmp: str) -> None:
        import imageio_ffmpeg

        gen = imageio_ffmpeg.write_frames(tmp, painter.size, fps=fps, macro_block_size=1, output_params=["-f", "mp4"])
        gen.send(None)
        try:
            for im in images():
                gen.send(np.asarray(im).tobytes())
        finally:
            gen.close()

    atomic.write_with(path, gif if ext == ".gif" else mp4)
