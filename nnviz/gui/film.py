"""Paint a training film (``nnviz.core.film``) frame by frame and write it as GIF (Pillow)
or MP4 (imageio-ffmpeg, an optional extra).  Each frame: the diagram, the error curve with
a marker at the frame's iteration, and the decision map for two-input data."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from ..core import diagram as D
from ..core.film import Frame, Reel
from ..core.runner import map_grid
from ..io import atomic
from . import render

FORMATS = (".gif", ".mp4")


def parse_size(text: str) -> tuple[int, int]:
    """'1280x720' -> (1280, 720); one-line ValueError otherwise."""
    try:
        w, h = (int(v) for v in text.lower().split("x"))
        if not (160 <= w <= 4000 and 120 <= h <= 4000):
            raise ValueError
    except ValueError:
        raise ValueError(f"--size must be WIDTHxHEIGHT between 160x120 and 4000x4000 pixels (got {text!r})") from None
    return w, h


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
        try:
            import imageio_ffmpeg  # noqa: F401
        except ImportError:
            raise ValueError("an MP4 needs imageio-ffmpeg: pip install imageio-ffmpeg (or write a .gif)") from None
        if size is not None and (size[0] % 2 or size[1] % 2):
            raise ValueError(f"an MP4 needs an even width and height (got {size[0]}x{size[1]})")
    atomic.check_writable(path)
    return ext


class Painter:
    """Frames of one reel as scenes, with scales fixed over the whole film."""

    def __init__(self, reel: Reel, size: tuple[int, int], theme: str = "light", title: str | None = None):
        self.reel, self.size, self.theme, self.title = reel, size, theme, title
        exp = reel.experiment
        self.w_max = max(float(max(np.abs(W).max() for W in f.weights)) for f in reel.frames) or 1.0
        self.n = int(reel.frames[-1].iteration)
        y = reel.history_y[np.isfinite(reel.history_y) & (reel.history_y > 0)]
        finals = [f.mse for f in reel.frames if f.mse > 0]
        lo = min([*y.tolist(), *finals]) if (y.size or finals) else 1e-3
        hi = max([*y.tolist(), *finals]) if (y.size or finals) else 1.0
        self.y_range = (lo, hi)
        self.grid = map_grid(exp.dataset, exp.scaling, 60)
        if self.title is None:
            self.title = f"{exp.dataset.name}, {exp.arch.describe()}"
        self.rows = (exp.train.X, exp.train.T.argmax(axis=1) if exp.train.T.shape[1] > 1
                     else (exp.train.T[:, 0] >= 0.5).astype(int)) if self.grid is not None else None

    def scene(self, frame: Frame) -> D.Scene:
        W, H = self.size
        th = D.theme(self.theme)
        exp = self.reel.experiment
        side = W * 0.42
        footer = f"Error: {frame.mse * exp.Y_train.size / 2:.4f}  Steps: {frame.iteration}"
        parts = [D.diagram(frame.weights, exp.input_labels, exp.dataset.output_names, self.theme,
                           title=self.title, footer=footer, size=(W - side, H), w_max=self.w_max)]
        hx, hy = self.reel.history_x, self.reel.history_y
        upto = int(np.searchsorted(hx, frame.iteration, side="right"))
        x = np.concatenate([[0], hx[:upto]]) if upto else np.array([0.0])
        y = np.concatenate([[self.reel.frames[0].mse], hy[:upto]]) if upto else np.array([self.reel.frames[0].mse])
        curve_h = H / 2 if self.grid is not None else H
        parts.append(D.error_plot(x, y, self.theme, size=(side, curve_h), origin=(W - side, 0), marker=frame.iteration,
                                  x_max=max(self.n, 1), y_range=self.y_range, log_x=True))
        if self.grid is not None:
            from ..core.network import Network

            net = Network.from_weights(exp.arch, [np.asarray(w) for w in frame.weights])
            out = net.predict(self.grid.points)
            parts.append(D.decision_map(out, self.grid.size, self.grid.rect, self.theme, size=(side, H / 2),
                                        origin=(W - side, H / 2), points=self.rows[0], point_class=self.rows[1],
                                        names=tuple(exp.dataset.input_names)))
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


def write(painter: Painter, path: str | Path, fps: float = 15.0,
          progress: Callable[[int, int], None] | None = None) -> None:
    """Every frame of the painter's reel to a .gif or .mp4 file, atomically."""
    ext = Path(path).suffix.lower()
    frames = painter.reel.frames
    images = []
    for k, f in enumerate(frames):
        images.append(painter.image(f))
        if progress:
            progress(k + 1, len(frames))

    def gif(tmp: str) -> None:
        q = [quantize(im) for im in images]
        hold = [round(1000 / fps)] * len(q)
        hold[-1] = max(hold[-1], 2000)  # rest on the trained network before looping
        q[0].save(tmp, format="GIF", save_all=True, append_images=q[1:], duration=hold, loop=0, optimize=True,
                  disposal=1)

    def mp4(tmp: str) -> None:
        import imageio_ffmpeg

        w, h = images[0].size
        gen = imageio_ffmpeg.write_frames(tmp, (w, h), fps=fps, macro_block_size=1, output_params=["-f", "mp4"])
        gen.send(None)
        for im in images:
            gen.send(np.asarray(im).tobytes())
        gen.close()

    atomic.write_with(path, gif if ext == ".gif" else mp4)
