"""``nnviz plot`` and ``nnviz animate``: a model's diagram, error curve or decision map as a figure,
and a run trained headless as a film; Qt (offscreen) is imported only once the options are checked."""

from __future__ import annotations

import sys
import time

from .. import stopping
from ..core.files import refuse_own_input
from ..core.options import own_inputs
from .options import add_training_options, detail, figure_size, note, number, positive_int, is_quiet, say_notes
from .run import build_experiment


def add_parsers(sub) -> None:
    pl = sub.add_parser("plot", help="draw a model's diagram, error curve or decision map to SVG, PDF or PNG (no window)")
    pl.add_argument("--model", required=True, help="model file (.json, .npz, .onnx) or session (.nnviz, has the errors)")
    pl.add_argument("--out", required=True, help="output figure (.svg, .pdf or .png)")
    pl.add_argument("--what", choices=("diagram", "errors", "map"), default="diagram",
                    help="the network diagram (default), the error curve, or the decision map of a 2-input model")
    pl.add_argument("--labels", action="store_true", help="print each weight on its edge, like neuralnet's plot")
    pl.add_argument("--theme", choices=("light", "print", "dark"), default="light",
                    help="light (default), print (grey-scale: dashed lines are negative) or dark")
    pl.add_argument("--dpi", type=number, default=300.0, help="PNG resolution (default: 300)")
    pl.add_argument("--title", help="a title above the figure")
    pl.add_argument("--size", default="900x600", help="figure size in CSS pixels (1/96 inch), WIDTHxHEIGHT (default: 900x600)")
    an = sub.add_parser("animate", help="train headless and write the run as a film (.gif, or .mp4 with imageio-ffmpeg)")
    add_training_options(an)
    an.add_argument("--out", required=True, help="output film (.gif or .mp4)")
    an.add_argument("--frames", type=positive_int, default=150, help="frames, at log-spaced iterations (default: 150)")
    an.add_argument("--fps", type=number, default=15.0, help="frames per second (default: 15)")
    an.add_argument("--size", default="1280x720", help="frame size in pixels, WIDTHxHEIGHT (default: 1280x720)")
    an.add_argument("--theme", choices=("light", "print", "dark"), default="light")
    an.add_argument("--title", help="a title above the diagram")
    an.add_argument("--panel", choices=("auto", "map", "predictions", "none"), default="auto",
                    help="under the error curve: the decision map (2 inputs), the predictions (a confusion matrix, "
                         "or predicted against actual), or nothing (default auto: the map for 2 inputs)")


def cmd_plot(args) -> int:
    w, h = figure_size(args.size, (900, 600))
    if not args.out.lower().endswith((".svg", ".pdf", ".png")):
        raise ValueError(f"--out must name a .svg, .pdf or .png file (got {args.out})")
    refuse_own_input(args.out, own_inputs(args, "--model"), "--out")
    from ..gui import figures  # Qt only from here on

    fig = figures.open_figure(args.model)
    stopping.check()
    scene = figures.save_figure(fig, args.what, args.out, args.labels, args.theme, args.title, (w, h), args.dpi)
    for line in scene.notes:
        note(args, line)
    if not is_quiet(args):
        print(f"{args.what} of the {fig.model.arch.describe()} network written to {args.out}", file=sys.stderr)
    return 0


class FilmProgress:
    """A film's progress, ``(k, n)`` frames, on stderr: on a terminal a bar redrawn in place (at
    most 10 times a second, and at the end); otherwise a plain line at every tenth of the way."""

    def __init__(self, what: str, t0: float):
        self.what, self.t0 = what, t0
        self.tty = sys.stderr.isatty()
        self.last, self.tenth = 0.0, 0

    def __call__(self, k: int, n: int) -> None:
        stopping.check()  # Ctrl+C or SIGTERM: the film is not written (its temporary file goes)
        now = time.perf_counter()
        elapsed = now - self.t0
        if self.tty:
            if k < n and now - self.last < 0.1:
                return
            self.last = now
            bar = "#" * int(30 * k / max(n, 1))
            sys.stderr.write(f"\r{self.what:<8} [{bar:<30}] {k:>{len(str(n))}}/{n} frames  {elapsed:.1f} s"
                             + ("\n" if k == n else ""))
        else:
            tenth = 10 * k // max(n, 1)
            if tenth == self.tenth and k < n:
                return
            self.tenth = tenth
            sys.stderr.write(f"{self.what}: {k}/{n} frames ({100 * k // max(n, 1)} %), {elapsed:.1f} s\n")
        sys.stderr.flush()


def cmd_animate(args) -> int:
    import os

    from ..core.film import frame_iterations, shoot

    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from ..gui import film  # Qt only from here on

    refuse_own_input(args.out, own_inputs(args, "--data", "--init"), "--out")
    film.check_rate(args.frames, args.fps)
    size = film.parse_size(args.size)
    film.check_target(args.out, size)
    exp = build_experiment(args)
    say_notes(exp.dataset.notes)
    film.panel_for(args.panel, len(exp.dataset.input_names))
    t0 = time.perf_counter()
    quiet = is_quiet(args)
    detail(args, f"{exp.dataset.name}: network {exp.arch.describe()}, {args.frames} frames of {size[0]}x{size[1]}")
    reel = shoot(exp, frame_iterations(args.iterations, args.frames), None if quiet else FilmProgress("training", t0))
    painter = film.Painter(reel, size, args.theme, args.title, args.panel)
    film.write(painter, args.out, args.fps, None if quiet else FilmProgress("painting", t0))
    if not quiet:
        print(f"{len(reel.frames)} frames of {reel.frames[-1].iteration} iterations written to {args.out} "
              f"in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return 0
