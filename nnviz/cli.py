"""The nnviz command line: train, sweep, predict, datasets, plot, animate, gui, tour.

Errors are one line ``nnviz: error: ...`` on stderr with exit status 2;
training that diverges exits with status 3 (after exporting the last finite
weights when --export is given); Ctrl+C or SIGTERM stops training, writes --export
and exits with 130 or 143 (see ``stopping``).  Only this module prints.  PySide6 is
imported only by ``nnviz gui``.
"""

from __future__ import annotations

import argparse
import csv
import io
import itertools
import json
import sys
import time
from contextlib import redirect_stdout
from pathlib import Path

from . import __version__, logs, stopping
from . import io as nnio
from .core import data as datamod
from .core import metrics, parallel, sweep
from .core.activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from .core.experiment import MAX_ITERATIONS, Evaluation, Experiment, Settings
from .core.features import FEATURES
from .core.features import labels as feature_labels
from .core.files import read_text, refuse_own_input
from .core.losses import LOSSES
from .core.options import early_fields, own_inputs, run_summary, settings_from_options
from .core.sweep import MAX_AXES, TrainingFailed, train_headless
from .core.training import ALGORITHMS
from .core.training import DTYPES, ENGINES, warm_up
from .io.format_json import history_entry

EXIT_ERROR = 2
EXIT_DIVERGED = 3


class UsageError(Exception):
    """A bad command line; printed as one line."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, no usage block
        raise UsageError(message)


def _positive_int(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if v < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1 (got {v})")
    return v


def _count(text: str) -> int:
    try:
        f = float(text)
    except ValueError:
        f = float("nan")
    if not (f == f and f == int(f) if f not in (float("inf"), float("-inf")) else False):
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number")
    v = int(f)
    if v < 0:
        raise argparse.ArgumentTypeError(f"cannot be negative (got {v})")
    if v > MAX_ITERATIONS:
        raise argparse.ArgumentTypeError(f"at most 10^15 iterations are supported (got {text})")
    return v


def _number(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if v != v or v in (float("inf"), float("-inf")):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
    return v


def _rate(text: str) -> float | str:
    """A learning rate: a finite number, or auto."""
    if text.strip().lower() == "auto":
        return "auto"
    try:
        return _number(text)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number or auto") from None


def add_training_options(p: argparse.ArgumentParser) -> None:
    """The options shared by ``train`` and ``gui``."""
    d = Settings()
    p.add_argument("--data", default=d.data, help=f"built-in data set ({', '.join(datamod.BUILTINS)}) or a CSV file (default: {d.data})")
    p.add_argument("--target", help="CSV target column(s), comma-separated (default: the last column)")
    p.add_argument("--classify", action="store_true", help="treat a numeric CSV target as class labels")
    p.add_argument("--noise", type=_number, default=d.noise, help="noise level of the 2-D built-ins, 0 to 1 (default: 0.1)")
    p.add_argument("--features", help=f"input features of two-input data, comma-separated, from {', '.join(FEATURES)} "
                   "(x1, x2: the first and second input column; default: the raw inputs)")
    p.add_argument("--hidden", help="hidden layer sizes, e.g. 6,6 (default); 0 for none")
    p.add_argument("--activation", help=f"hidden activation, one or one per layer ({', '.join(HIDDEN_ACTIVATIONS)}; default sigmoid)")
    p.add_argument("--output-activation", choices=OUTPUT_ACTIVATIONS, default=d.output_activation)
    p.add_argument("--loss", choices=LOSSES, default=d.loss, help="sse = 1/2 sum (y - yhat)^2 (default) or ce")
    p.add_argument("--algorithm", choices=ALGORITHMS, default=d.algorithm)
    p.add_argument("--lr", type=_rate, default=d.lr,
                   help="learning rate, a number or auto: min(0.02, c / rows) for the rows an update sums over, "
                        "c = 3 for a sigmoid or softmax output with sse, 3/4 with ce, 3/16 for a linear output: "
                        "0.02 for iris (default: auto)")
    p.add_argument("--momentum", type=_number, default=d.momentum)
    p.add_argument("--batch-size", type=_positive_int, help="mini-batch size (default: the full training set)")
    p.add_argument("--threshold", type=_number, help="stop when max |dC/dw| falls below this (neuralnet's threshold)")
    p.add_argument("--iterations", type=_count, default=d.iterations, help=f"maximum iterations (default: {d.iterations})")
    p.add_argument("--seed", type=int, default=d.seed, help=f"random seed (default: {d.seed})")
    p.add_argument("--test-fraction", type=_number, default=d.test_fraction, help="share of rows held out for testing (default: 0)")
    p.add_argument("--l1", type=_number, default=d.l1,
                   help="L1 penalty rate: W += lr (input^T delta - l1 sign(W)), bias row not penalised (default: 0)")
    p.add_argument("--l2", type=_number, default=d.l2,
                   help="L2 penalty rate: W += lr (input^T delta - l2 W), bias row not penalised (default: 0)")
    p.add_argument("--lr-schedule", default=d.lr_schedule, metavar="SCHEDULE",
                   help="constant (default), step:FACTOR:EVERY (lr f^floor(t/N)), exp:GAMMA (lr g^t) or "
                        "inv:K (lr / (1 + K t)); t = iterations done")
    p.add_argument("--validation-fraction", type=_number, default=d.validation_fraction,
                   help="share of the training rows held out to measure the validation mse (default: 0)")
    p.add_argument("--patience", type=_positive_int, default=d.patience,
                   help="early stopping: stop when the validation mse has not improved for this many "
                        "iterations and restore the best weights (needs --validation-fraction)")
    p.add_argument("--no-standardize", action="store_true", help="do not standardise the inputs")
    p.add_argument("--init", metavar="MODEL_FILE", help="start from the weights in a model file")
    p.add_argument("--export", metavar="FILE",
                   help="write the trained model to FILE (.json, .npz, .csv weights, .onnx)")
    p.add_argument("--engine", choices=ENGINES, default=d.engine,
                   help="the training loop: numba (compiled, holds no GIL), numpy, or auto (numba when installed)")
    p.add_argument("--dtype", choices=DTYPES, default=d.dtype, help="float64 (default) or float32 (large networks)")
    p.add_argument("--json", action="store_true", help="print a JSON summary on stdout")
    p.add_argument("--verbose", action="store_true",
                   help="also say on stderr what is done, step by step, and print the traceback of an error inside "
                        f"training there too (always in {_shown_log()})")


def _shown_log() -> str:
    """The log file as the help shows it (~ for the home folder)."""
    path, home = str(logs.log_path()), str(Path.home())
    return "~" + path[len(home):] if path.startswith(home + "/") else path


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="nnviz", description="Watch a neural network built from scratch in NumPy learn.")
    parser.add_argument("--version", action="version", version=f"nnviz {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)
    t = sub.add_parser("train", help="train a network headless and optionally export it")
    add_training_options(t)
    t.add_argument("--quiet", action="store_true", help="no progress bar and no summary")
    p = sub.add_parser("predict", help="predict new rows with a saved model")
    p.add_argument("--model", required=True, help="model file (.json, .npz, .onnx)")
    p.add_argument("--data", required=True, help="CSV file with the model's input columns")
    p.add_argument("--output", help="write the predictions to this CSV file (default: stdout)")
    p.add_argument("--columns", help="the CSV columns for the model's inputs, in order, comma-separated "
                   "(default: the model's input names)")
    sub.add_parser("datasets", help="list the built-in data sets")
    pl = sub.add_parser("plot", help="draw a model's diagram, error curve or decision map to SVG, PDF or PNG (no window)")
    pl.add_argument("--model", required=True, help="model file (.json, .npz, .onnx) or session (.nnviz, has the errors)")
    pl.add_argument("--out", required=True, help="output figure (.svg, .pdf or .png)")
    pl.add_argument("--what", choices=("diagram", "errors", "map"), default="diagram",
                    help="the network diagram (default), the error curve, or the decision map of a 2-input model")
    pl.add_argument("--labels", action="store_true", help="print each weight on its edge, like neuralnet's plot")
    pl.add_argument("--theme", choices=("light", "print", "dark"), default="light",
                    help="light (default), print (grey-scale: dashed lines are negative) or dark")
    pl.add_argument("--dpi", type=_number, default=300.0, help="PNG resolution (default: 300)")
    pl.add_argument("--title", help="a title above the figure")
    pl.add_argument("--size", default="900x600", help="figure size in CSS pixels (1/96 inch), WIDTHxHEIGHT (default: 900x600)")
    an = sub.add_parser("animate", help="train headless and write the run as a film (.gif, or .mp4 with imageio-ffmpeg)")
    add_training_options(an)
    an.add_argument("--out", required=True, help="output film (.gif or .mp4)")
    an.add_argument("--frames", type=_positive_int, default=150, help="frames, at log-spaced iterations (default: 150)")
    an.add_argument("--fps", type=_number, default=15.0, help="frames per second (default: 15)")
    an.add_argument("--size", default="1280x720", help="frame size in pixels, WIDTHxHEIGHT (default: 1280x720)")
    an.add_argument("--theme", choices=("light", "print", "dark"), default="light")
    an.add_argument("--title", help="a title above the diagram")
    an.add_argument("--panel", choices=("auto", "map", "predictions", "none"), default="auto",
                    help="under the error curve: the decision map (2 inputs), the predictions (a confusion matrix, "
                         "or predicted against actual), or nothing (default auto: the map for 2 inputs)")
    sw = sub.add_parser("sweep", help="train one run per value (a grid over one or two settings) and print a line per run")
    add_training_options(sw)
    sw.add_argument("--quiet", action="store_true", help="no progress on stderr")
    _listify(sw)
    sw.add_argument("--jobs", type=_positive_int, metavar="N",
                    help="train N runs at a time on this machine's cores (default: every core it may use)")
    sw.add_argument("--dask", metavar="ADDRESS",
                    help="train the runs on the Dask cluster whose scheduler is at ADDRESS (tcp://host:8786), "
                         "one task per run (needs nnviz[dask] here and on the workers)")
    sw.add_argument("--shard", type=_shard, metavar="K/N",
                    help="train only the K-th of N interleaved slices of the grid (runs K, K+N, K+2N...), "
                         "for a batch system's array job; nnviz sweep-merge joins the --json results")
    mg = sub.add_parser("sweep-merge", help="join the --json lines of a sweep's shards in the grid's order")
    mg.add_argument("files", nargs="+", metavar="FILE", help="the shards' nnviz sweep --json --shard K/N output")
    mg.add_argument("--partial", action="store_true",
                    help="merge even when runs are missing or were interrupted (a note names them)")
    sub.add_parser("install-desktop", help="install the desktop entry and icon for this user (no root needed)")
    g = sub.add_parser("gui", help="open the desktop window (the default with no command)")
    g.add_argument("file", nargs="?", metavar="FILE",
                   help="a session or lesson (.nnviz), a model (.json, .npz, .onnx: as --init) or a CSV file "
                        "(as --data) to open")
    add_training_options(g)
    g.add_argument("--autostart", action="store_true", help="start training at once")
    g.add_argument("--quit-when-done", action="store_true", help="close the window when training stops")
    g.add_argument("--screenshot", metavar="FILE.png", help="save the window to a PNG before quitting")
    g.add_argument("--size", metavar="WxH", default="1600x1000",
                   help="with --screenshot: the window's size in pixels, whatever the screen (default: 1600x1000)")
    g.add_argument("--speed", type=_speed, default=argparse.SUPPRESS,
                   help="the speed of Play in iterations per second, or max (default: 2000, after a slow start; "
                        "the command line's training is never paced)")
    _add_compare_r(sub)
    _add_explain(sub)
    tr = sub.add_parser("tour", help="open the window with the guided tour \"Follow the post\" "
                        "(where it was left, or at its first step)")
    tr.add_argument("--step", type=_tour_step, help="start at this step: its number (1 = the first) or its name "
                    "(network, design, forward, cost, output-delta, hidden-delta, update, toy, iris-raw, "
                    "iris-scaled, learning-rate, deeper, neuralnet)")
    tr.add_argument("--quit-when-done", action="store_true", help="close the window after painting it once")
    tr.add_argument("--screenshot", metavar="FILE.png", help="save the window to a PNG before quitting")
    tr.add_argument("--size", metavar="WxH", default="1600x1000", help="with --screenshot: the window's size")
    tr.add_argument("--speed", type=_speed, default=argparse.SUPPRESS,
                    help="the speed of Play in iterations per second, or max (default: 2000, after a slow start)")
    tr.add_argument("--json", action="store_true", help="print a JSON summary on stdout (with the tour's step)")
    _add_python_ecosystem(sub)  # last: every command gets --quiet and --verbose
    return parser


def _tour_step(text: str) -> int | str:
    """--step N (1-based) or a step's name."""
    from .core.tour import KEYS

    if text.strip().isdigit():
        n = int(text)
        if not 1 <= n <= len(KEYS):
            raise argparse.ArgumentTypeError(f"must be from 1 to {len(KEYS)} (got {n})")
        return n - 1
    if text not in KEYS:
        raise argparse.ArgumentTypeError(f"unknown step {text!r} (known: {', '.join(KEYS)})")
    return text


# -- nnviz convert, nnviz completion, --quiet / --verbose, "-" for stdin and stdout (issue 29) --------

STDIO = "-"  # a file option given "-": standard input or output


def _quiet(args) -> bool:
    return bool(getattr(args, "quiet", False))


def _verbose(args) -> bool:
    return bool(getattr(args, "verbose", False))


def _note(args, message: str) -> None:
    """A line on stderr about what was done (not with --quiet)."""
    if not _quiet(args):
        print(f"nnviz: {message}", file=sys.stderr)


def _detail(args, message: str) -> None:
    """A line on stderr only with --verbose."""
    if _verbose(args):
        print(f"nnviz: {message}", file=sys.stderr)


def _add_python_ecosystem(sub) -> None:
    cv = sub.add_parser("convert", help="write a model as a standalone NumPy, R or PyTorch program, or in another "
                                        "model format")
    cv.add_argument("--model", required=True, help="model file (.json, .npz, .onnx), or - for JSON on stdin")
    cv.add_argument("--to", choices=(*_CODE, *_MODEL_FORMATS),
                    help="numpy, r or pytorch (a program), or json, npz, csv, onnx (a model file); "
                         "default: from --out's extension (.R, .json, .npz, .csv, .onnx)")
    cv.add_argument("--out", required=True, help="the file to write, or - for stdout")
    co = sub.add_parser("completion", help="print a shell completion script (bash, zsh or fish)")
    co.add_argument("shell", choices=("bash", "zsh", "fish"))
    for p in sub.choices.values():
        have = {o for a in p._actions for o in a.option_strings}
        if "--quiet" not in have:
            p.add_argument("--quiet", action="store_true", help="print nothing but the results and errors")
        if "--verbose" not in have:
            p.add_argument("--verbose", action="store_true", help="also say on stderr what is done, step by step")


_CODE = ("numpy", "r", "pytorch")
_MODEL_FORMATS = ("json", "npz", "csv", "onnx")


def _read_stdin() -> bytes:
    if sys.stdin is None or sys.stdin.isatty():
        raise ValueError("- means standard input, and nothing is piped into it")
    return sys.stdin.buffer.read()


def load_model(spec: str):
    """A model file, or with "-" a JSON model on standard input."""
    if spec != STDIO:
        return nnio.load(spec)
    from .io import format_json

    try:
        return format_json.load_bytes(_read_stdin(), Path("<stdin>"))
    except ValueError as exc:
        raise ValueError(f"<stdin>: {exc}") from None


def save_model(model, target: str) -> None:
    """Write a model file, or with "-" the JSON model on standard output."""
    if target != STDIO:
        nnio.save(model, target)
        return
    from .io import format_json

    sys.stdout.buffer.write(format_json.save_bytes(model))
    sys.stdout.flush()


def _check_export(args) -> None:
    """--export's destination, before training (stdout: not with --json, which writes there too)."""
    if args.export == STDIO:
        if args.json:
            raise ValueError("--export - and --json both write to stdout: choose one")
        return
    nnio.check_target(args.export)


def cmd_convert(args) -> int:
    """A model as a program (numpy, r, pytorch) or in another model format."""
    to = args.to
    if to is None:
        ext = Path(args.out).suffix.lower()
        to = {".r": "r", ".json": "json", ".npz": "npz", ".csv": "csv", ".onnx": "onnx"}.get(ext)
        if to is None:
            raise ValueError(f"--to is needed for {args.out}: numpy, r, pytorch, json, npz, csv or onnx")
    if to in _MODEL_FORMATS and args.out != STDIO and Path(args.out).suffix.lower() != f".{to}":
        raise ValueError(f"--to {to} writes a .{to} file (got --out {args.out})")
    if args.out != STDIO:
        nnio.atomic.check_writable(args.out)
    model = load_model(args.model)
    _detail(args, f"{args.model}: the {model.arch.describe()} network ({', '.join(model.arch.layer_activations)}), "
            f"inputs {', '.join(model.input_names)}")
    if to in _CODE:
        from .io import codegen

        text = codegen.render(model, to)
        if args.out == STDIO:
            sys.stdout.write(text)
        else:
            nnio.atomic.write_text(args.out, text)
    elif args.out == STDIO:
        fmt = nnio.formats()[f".{to}"]
        getattr(fmt, "available", lambda: None)()
        sys.stdout.buffer.write(fmt.save_bytes(model))
        sys.stdout.flush()
    else:
        nnio.save(model, args.out)
    if args.out != STDIO:
        _note(args, f"the {model.arch.describe()} network written to {args.out} ({to})")
    return 0


def cmd_completion(args) -> int:
    from .completion import script

    sys.stdout.write(script(build_parser(), args.shell, tuple(datamod.BUILTINS)))
    return 0


def _shard(text: str) -> tuple[int, int]:
    """--shard K/N."""
    try:
        return sweep.parse_shard(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _speed(text: str) -> float | None:
    """--speed N (iterations per second, > 0) or max (None)."""
    if text.strip().lower() == "max":
        return None
    v = _number(text)
    if v <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive number of iterations per second or max (got {text})")
    return v


# options that take a list in ``nnviz sweep`` (every option of a training setting with a value)
_NOT_LISTED = ("data", "target", "engine", "init", "export")


def _listify(p: argparse.ArgumentParser) -> None:
    """Make each setting's option of ``p`` take a comma-separated list of values; within a
    value of --hidden and --activation the layers are joined by "-" (4,6-6: (4) and (6, 6))."""
    known = set(Settings.__dataclass_fields__)
    for action in p._actions:
        if (action.dest in known or action.dest == "hidden") and action.dest not in _NOT_LISTED \
                and action.nargs is None and action.option_strings and not isinstance(action.const, bool):
            action.type = _list_of(action.type, action.choices, action.dest in ("hidden", "activation", "features"))
            if action.choices is not None:
                action.help = f"{action.help + '; ' if action.help else ''}one or more of {', '.join(action.choices)}"
            action.choices = None


def _list_of(convert, choices, layers: bool):
    def parse(text: str) -> list:
        items = [t.strip() for t in text.split(",")]
        if not any(items):
            raise argparse.ArgumentTypeError("no values: give one or more, separated by commas")
        if not all(items):
            raise argparse.ArgumentTypeError(f"an empty value in {text!r}: separate values by single commas")
        out = []
        for item in items:
            value = convert(item) if convert is not None else item
            if choices is not None and value not in choices:
                raise argparse.ArgumentTypeError(f"invalid choice {item!r} (choose from {', '.join(choices)})")
            out.append(value.replace("-", ",") if layers else value)
        return out
    return parse


def build_experiment(args) -> Experiment:
    """The experiment the options describe; --init from any model format (CSV weights
    take the architecture from --hidden and the data, and must fit it)."""
    dataset = _stdin_dataset(args) if args.data == STDIO else None
    if dataset is not None:
        _detail(args, f"standard input: {dataset.n} rows, inputs {', '.join(dataset.input_names)}, {dataset.task}")
    if args.init and args.init.lower().endswith(".csv"):
        exp = Experiment(settings_from_options(args), dataset=dataset)
        weights = nnio.read_csv_weights(args.init, exp.arch)
        for W, new in zip(exp.network.weights, weights, strict=True):
            W[...] = new
        return exp
    init = nnio.load(args.init) if args.init else None
    return Experiment(settings_from_options(args, init), dataset=dataset, init=init)


def _stdin_dataset(args):
    """The CSV rows piped in with --data - (read once by main: a sweep's runs share them)."""
    target = args.target if isinstance(args.target, str) else None
    return datamod.parse_csv(args.stdin_text, "<stdin>", target, bool(args.classify))


class _Progress:
    """A one-line progress bar on stderr, drawn only on a terminal."""

    def __init__(self, total: int, enabled: bool):
        self.total, self.enabled = max(total, 1), enabled
        self.t0 = time.perf_counter()
        self.last = 0.0

    def update(self, iteration: int, mse: float, force: bool = False) -> None:
        now = time.perf_counter()
        if not self.enabled or (now - self.last < 0.1 and not force):
            return
        self.last = now
        frac = min(iteration / self.total, 1.0)
        bar = "#" * int(frac * 30)
        rate = iteration / max(now - self.t0, 1e-9)
        sys.stderr.write(f"\r[{bar:<30}] {iteration:>{len(str(self.total))}}/{self.total}  mse {mse:.6g}  {rate:,.0f} it/s ")
        sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")
            sys.stderr.flush()


def train(exp: Experiment, should_stop, on_progress=None):
    """Train to the iteration limit with the same runner as the window (see ``sweep.train_headless``);
    an error inside training is one line that says where its traceback is."""
    try:
        return train_headless(exp, should_stop, on_progress)
    except TrainingFailed as exc:
        raise ValueError(f"{exc} (the traceback is in {logs.log_path()})") from None


def cmd_train(args) -> int:
    if args.export:  # --init may be overwritten on purpose: training on from a model and saving it back
        refuse_own_input(args.export, own_inputs(args, "--data"), "--export")
        _check_export(args)
    exp = build_experiment(args)
    stopping.check()  # a signal while nnviz read the data: stop, nothing written
    _say_notes(exp.dataset.notes)
    _detail(args, f"{exp.dataset.name}: {exp.train.n} training rows, network {exp.arch.describe()}, "
            f"engine {exp.session.engine}, {exp.session.blas_threads} BLAS thread(s), lr {exp.learning_rate():g}")
    show = not args.quiet and not args.json and sys.stderr.isatty() and sys.stdout.isatty()
    bar = _Progress(args.iterations, show)
    # from here, with a network built, a signal stops training and the export below is
    # written: the weights of the iteration reached
    snap, stopped = train(exp, stopping.stop_requested, bar.update)
    bar.close()
    ev = exp.evaluate()
    early = early_fields(snap)
    if args.export:
        save_model(exp.model({"stopped": stopped, "best_iteration": early["best_iteration"],
                              "stopped_at": early["stopped_at"],
                              "error": ev.mse * exp.Y_train.size / 2,  # neuralnet's 1/2 SSE, plot.nn's footer
                              "history": history_entry(snap.new_iterations, snap.new_mse)}), args.export)
    summary = run_summary(exp.dataset.name, exp.arch, exp.settings, exp.session.iteration, ev,
                          snap.training_seconds, early["stopped_at"] or exp.session.iteration, stopped,
                          snap.message, early, exp.learning_rate())
    summary.update(engine=exp.session.engine, blas_threads=exp.session.blas_threads)
    if args.json:
        print(json.dumps(summary))
    elif not args.quiet:
        with redirect_stdout(sys.stderr if args.export == STDIO else sys.stdout):  # stdout has the model
            _print_summary(exp, summary, ev, "stdout" if args.export == STDIO else args.export)
            if snap.hint:
                print(f"hint: {snap.hint}")
    signum = stopping.requested()
    if signum is not None:
        wrote = f"; the model is written to {args.export}" if args.export else ""
        print(f"{stopping.interrupted_line()} at iteration {exp.session.iteration:,}{wrote}", file=sys.stderr)
        return stopping.status(signum)
    if stopped == "diverged":
        print(f"nnviz: {snap.message}", file=sys.stderr)
        return EXIT_DIVERGED
    return 0


def _say_notes(notes) -> None:
    """What reading the data skipped (rows of empty fields), one line each on stderr."""
    for note in notes:
        print(f"nnviz: note: {note}", file=sys.stderr)


def _sweep_runs(args) -> tuple[list[tuple[dict, argparse.Namespace]], list[str]]:
    """Each run's options (the varied values, and all of them) and the names of the varied settings;
    every run's settings are checked before any trains."""
    listed = {k: v for k, v in vars(args).items() if isinstance(v, list)}
    axes = {k: v for k, v in listed.items() if len(v) > 1}
    if len(axes) > MAX_AXES:
        raise ValueError(f"a sweep varies one or two settings, not {len(axes)} "
                         f"({', '.join('--' + k.replace('_', '-') for k in axes)})")
    runs = []
    for combo in itertools.product(*axes.values()):
        ns = argparse.Namespace(**{k: (v[0] if isinstance(v, list) else v) for k, v in vars(args).items()})
        varied = dict(zip(axes, combo, strict=True))
        for k, v in varied.items():
            setattr(ns, k, v)
        try:
            settings_from_options(ns).train_config()
        except ValueError as exc:
            what = ", ".join(f"--{k.replace('_', '-')} {v}" for k, v in varied.items())
            raise ValueError(f"the run with {what}: {exc}" if what else str(exc)) from None
        runs.append((varied, ns))
    return runs, list(axes)


def _sweep_jobs(args, runs) -> tuple[list[parallel.Job], parallel.Shared, str]:
    """The jobs of the whole grid, what they share (the data loaded once, the --init model) and
    the grid's name (sweep.grid_id)."""
    init_csv = bool(args.init) and args.init.lower().endswith(".csv")
    init = nnio.load(args.init) if args.init and not init_csv else None
    settings = [settings_from_options(ns, init) for _, ns in runs]
    shared = parallel.Shared(parallel.load_data(settings), init)
    jobs = []
    for k, s in enumerate(settings, 1):
        start = None
        if init_csv:  # CSV weights are read against each run's architecture
            start = tuple(nnio.read_csv_weights(args.init, Experiment(s, dataset=shared.dataset(s)).arch))
        jobs.append(parallel.Job(k, s, start))
    extra = Path(args.init).read_bytes() if args.init else b""
    return jobs, shared, sweep.grid_id(settings, extra)


def cmd_sweep(args) -> int:
    """One run per combination of the listed values, each exactly as ``nnviz train`` with the same
    options would run it; N at a time (--jobs), or on a Dask cluster (--dask), or only a shard of
    the grid (--shard K/N).  Lines come in the grid's order, each as soon as its run and the runs
    before it have ended."""
    if args.export:
        raise ValueError("nnviz sweep exports no models: train the run you want with nnviz train --export")
    if args.dask is not None and args.jobs is not None:
        raise ValueError("--jobs is for this machine: on a Dask cluster the workers' threads say how many runs "
                         "train at a time")
    runs, axes = _sweep_runs(args)
    jobs, shared, grid = _sweep_jobs(args, runs)
    what = {job.index: ", ".join(f"{key} {_show_option(v)}" for key, v in varied.items())
            for job, (varied, _) in zip(jobs, runs, strict=True)}
    mine = [job for job in jobs if sweep.in_shard(job.index, args.shard)]
    stopping.check()  # a signal while nnviz read the data: stop, nothing printed
    client = parallel.connect(args.dask) if args.dask is not None else None
    _say_notes(next(iter(shared.datasets.values())).notes)
    workers = max(min(args.jobs or parallel.cores(), len(mine)), 1)
    show = not args.quiet and sys.stderr.isatty()
    bar = _SweepProgress(len(jobs), len(mine), None if client is not None else workers, what, show)
    ended: dict[int, parallel.Outcome] = {}
    printed = 0  # the runs of ``mine`` printed, in order
    failed: parallel.Outcome | None = None
    status = 0
    try:
        stopping.check()  # a signal while nnviz reached the cluster: stop, nothing printed
        if client is not None:
            outcomes = parallel.run_dask(mine, shared, client, stopping.stop_requested)
        else:
            outcomes = parallel.run_local(mine, shared, workers, stopping.stop_requested, bar.update)
        for out in outcomes:
            bar.ended(out)
            ended[out.job.index] = out
            if out.error is not None and (failed is None or out.job.index < failed.job.index):
                failed = out  # the runs after it stop; those before it end as one at a time
            if out.summary is not None and out.summary["stopped"] == "diverged":
                status = EXIT_DIVERGED
            while printed < len(mine) and mine[printed].index in ended and ended[mine[printed].index].error is None:
                if ended[mine[printed].index].summary is not None:
                    _print_sweep_run(args, ended[mine[printed].index], len(jobs), what, grid)
                printed += 1
            bar.redraw()
    finally:
        bar.close()
        if client is not None:
            client.close()
    if failed is not None:
        raise _run_error(failed, args.dask)
    for job in mine[printed:]:  # after a stop: the runs that ended after one still under way, in order
        out = ended.get(job.index)
        if out is not None and out.summary is not None:
            _print_sweep_run(args, out, len(jobs), what, grid)
    signum = stopping.requested()
    if signum is not None:
        finished = sum(1 for o in ended.values() if o.summary is not None and o.summary["stopped"] != "interrupted")
        print(f"{stopping.interrupted_line()}: the sweep stopped after {finished} of {len(mine)} runs", file=sys.stderr)
        return stopping.status(signum)
    return status


def _run_error(out: parallel.Outcome, dask: str | None) -> BaseException:
    """The error of a run as the sweep raises it: a ValueError of one line naming the run (the
    traceback of an error inside training is in the log: nnviz's, or the Dask worker's)."""
    exc = out.error
    assert exc is not None
    where = f"run {out.job.index}: "
    if isinstance(exc, TrainingFailed):
        log = "the Dask worker's log" if dask else str(logs.log_path())
        return ValueError(f"{where}{exc} (the traceback is in {log})")
    if isinstance(exc, ValueError) or dask:
        text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return ValueError(f"{where}{text}" if isinstance(exc, ValueError) else f"{where}{type(exc).__name__}: {text}")
    return exc


def _print_sweep_run(args, out: parallel.Outcome, n: int, what: dict[int, str], grid: str) -> None:
    """A run's line on stdout: its --json summary with its place in the grid (run, runs) and the
    grid's name, or a line of text."""
    s = out.summary
    assert s is not None
    if args.json:
        print(json.dumps({**s, "run": out.job.index, "runs": n, "grid": grid}), flush=True)
    else:
        _print_sweep_line(out.job.index, n, what[out.job.index], s)


class _SweepProgress:
    """A sweep's progress on stderr (a terminal only): one after the other, each run's name and
    bar; side by side, how many runs have ended."""

    def __init__(self, total: int, mine: int, workers: int | None, what: dict[int, str], enabled: bool):
        self.total, self.mine, self.what, self.enabled = total, mine, what, enabled
        self.serial = workers == 1
        self.job: parallel.Job | None = None
        self.bar: _Progress | None = None
        self.done = 0
        if enabled and not self.serial:
            where = "the Dask cluster" if workers is None else f"{workers} threads"
            sys.stderr.write(f"{mine} runs on {where}\n")

    def update(self, job: parallel.Job, iteration: int, mse: float) -> None:
        if job is not self.job:
            self.close()
            self.job = job
            if self.enabled:
                sys.stderr.write(f"run {job.index}/{self.total}{': ' + self.what[job.index] if self.what[job.index] else ''}\n")
            self.bar = _Progress(job.settings.iterations, self.enabled)
        assert self.bar is not None
        self.bar.update(iteration, mse)

    def ended(self, out: parallel.Outcome) -> None:
        """A run ended: its bar closed (or the count's line wiped) before lines are printed."""
        self.done += 1
        if self.serial:
            self.close()
        elif self.enabled:
            sys.stderr.write("\r\033[K")

    def redraw(self) -> None:
        """Side by side: the count of runs ended, on a line of its own after the printed lines."""
        if self.enabled and not self.serial:
            sys.stderr.write(f"\r{self.done}/{self.mine} runs ended")
            sys.stderr.flush()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
        elif self.enabled and not self.serial:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


def cmd_sweep_merge(args) -> int:
    """The --json lines of a sweep's shards in the grid's order, on stdout."""
    lines = []
    for path in args.files:
        text = read_text(path)
        lines += [(f"{path}: line {i}", line) for i, line in enumerate(text.splitlines(), 1) if line.strip()]
        stopping.check()
    merged, notes = sweep.merge(lines, partial=args.partial)
    for note in notes:
        print(f"nnviz: note: {note}", file=sys.stderr)
    for line in merged:
        print(line)
    return 0


def _show_option(value) -> str:
    return str(value).replace(",", "-") if isinstance(value, str) else f"{value:g}" if isinstance(value, float) else str(value)


def _print_sweep_line(k: int, n: int, what: str, s: dict) -> None:
    line = f"run {k}/{n}  {what or 'the settings as given'}:  {s['architecture']}  train mse {s['mse']:.6g}" \
        if s["mse"] is not None else f"run {k}/{n}  {what}:  {s['architecture']}  train mse -"
    if s["accuracy"] is not None:
        line += f"  accuracy {s['accuracy']:.2%}"
    if s["test_mse"] is not None:
        line += f"  test mse {s['test_mse']:.6g}"
    line += f"  {s['iterations']} iterations  {s['seconds']:.2f} s  stopped: {s['stopped']}"
    print(line, flush=True)


def _print_summary(exp: Experiment, s: dict, ev: Evaluation, export: str | None) -> None:
    rate = f", {s['iterations_per_second']:,.0f} it/s" if s["iterations_per_second"] else ""
    print(f"{exp.dataset.name}: {exp.train.n} training rows, network {exp.arch.describe()} "
          f"({', '.join(exp.arch.layer_activations)}), {s['algorithm']}, lr {s['learning_rate']:g}"
          + (" (auto)" if s["learning_rate_auto"] else ""))
    if exp.scaling.features:
        print(f"input features: {', '.join(feature_labels(exp.scaling.features, exp.dataset.input_names))}")
    print(f"iterations {s['iterations']} in {s['seconds']:.2f} s{rate}; stopped: {s['stopped']}")
    if s["stopped"] == "early_stop":
        print(f"early stop at iteration {s['stopped_at']}: kept the weights of iteration {s['best_iteration']} "
              f"(the best validation mse, {s['best_validation_mse']:.6g})")
    extras = [f"l1 {s['l1']:g}" if s["l1"] else "", f"l2 {s['l2']:g}" if s["l2"] else "",
              f"lr schedule {s['lr_schedule']} (now {s['learning_rate_now']:.6g})" if s["lr_schedule"] != "constant" else ""]
    if any(extras):
        print("; ".join(e for e in extras if e))
    line = f"train mse {ev.mse:.6g} (scaled units)" if ev.regression else f"train mse {ev.mse:.6g}"
    if ev.accuracy is not None:
        line += f", accuracy {ev.accuracy:.2%}"
    if ev.test_mse is not None:
        line += f"; test mse {ev.test_mse:.6g}"
        if ev.test_accuracy is not None:
            line += f", accuracy {ev.test_accuracy:.2%}"
    if ev.validation_mse is not None:
        line += f"; validation mse {ev.validation_mse:.6g}"
    print(line)
    for which, r in (ev.regression or {}).items():
        print(f"{which}: RMSE {r['rmse']:.6g}, MAE {r['mae']:.6g}, R^2 {r['r2']:.4f} (in the target's units)")
    if exp.task == "classes":
        cm = metrics.confusion(exp.Y_train, exp.network.predict(exp.X_train))
        names = exp.dataset.output_names
        w = max(max(len(n) for n in names), 5)
        print("confusion (rows: true, columns: predicted)")
        print(" " * (w + 1) + " ".join(f"{n[:w]:>{w}}" for n in names))
        for name, row in zip(names, cm, strict=True):
            print(f"{name[:w]:>{w}} " + " ".join(f"{c:>{w}}" for c in row))
    if export:
        print(f"model written to {export}")


# -- nnviz compare-r ---------------------------------------------------------------------------

def _add_compare_r(sub) -> None:
    cr = sub.add_parser("compare-r", help="train as nnviz train does, then R's neuralnet from the same start "
                                          "weights with the same settings, and compare them (needs R)")
    add_training_options(cr)
    cr.add_argument("--r-timeout", type=_number, default=600.0, metavar="SECONDS",
                    help="stop neuralnet after this many seconds (default: 600)")
    cr.add_argument("--quiet", action="store_true", help="no progress bar")


def cmd_compare_r(args) -> int:
    """nnviz's run exactly as ``nnviz train`` trains it, then neuralnet in R from the same start
    weights (io/rcompare.py); R and what neuralnet cannot do are checked before training."""
    from .io import rcompare

    if args.export:
        _check_export(args)
    if not args.r_timeout > 0:
        raise ValueError(f"--r-timeout must be a positive number of seconds (got {args.r_timeout:g})")
    exp = build_experiment(args)
    rcompare.check(exp.settings, exp.X_train.shape[0])
    r = rcompare.find_r()
    start = [W.copy() for W in exp.network.weights]
    bar = _Progress(exp.settings.iterations, not args.quiet and not args.json and sys.stderr.isatty())
    snap, stopped = train(exp, stopping.stop_requested, bar.update)
    bar.close()
    if stopped == "diverged":
        print(f"nnviz: {snap.message}", file=sys.stderr)
        return EXIT_DIVERGED
    signum = stopping.requested()
    if stopped == "interrupted" or signum is not None:
        print(stopping.interrupted_line(), file=sys.stderr)
        return stopping.status(signum) if signum is not None else 130
    ev = exp.evaluate()
    if args.export:
        save_model(exp.model({"stopped": stopped, "error": ev.mse * exp.Y_train.size / 2,
                              "history": history_entry(snap.new_iterations, snap.new_mse)}), args.export)
    try:
        c = rcompare.against_neuralnet(exp, start, stopped, snap.training_seconds, rscript=r.rscript,
                                       timeout=args.r_timeout, should_stop=stopping.stop_requested)
    except rcompare.Cancelled:
        signum = stopping.requested()
        print(stopping.interrupted_line(), file=sys.stderr)
        return stopping.status(signum) if signum is not None else 130
    early = early_fields(snap)
    summary = run_summary(exp.dataset.name, exp.arch, exp.settings, exp.session.iteration, ev,
                          snap.training_seconds, exp.session.iteration, stopped, snap.message, early,
                          exp.learning_rate())
    summary.update(engine=exp.session.engine, blas_threads=exp.session.blas_threads, steps=c.nnviz.steps,
                   error=c.nnviz.error, reached_threshold=c.nnviz.reached_threshold,
                   max_weight_difference=c.max_weight_difference, neuralnet=c.neuralnet_json())
    if args.json:
        print(json.dumps(summary))
        return 0
    s = exp.settings
    how = f"lr {exp.learning_rate():g}" if s.algorithm == "gd" else f"threshold {s.threshold:g}" if s.threshold else "no threshold"
    print(f"{exp.dataset.name}: {exp.train.n} training rows, network {exp.arch.describe()} "
          f"({', '.join(exp.arch.layer_activations)}), {s.algorithm}, {how}")
    print(f"neuralnet {c.neuralnet_version} in R {c.r_version}: {c.call}")
    rows = [("steps", c.nnviz.steps, c.neuralnet.steps), ("error", c.nnviz.error, c.neuralnet.error),
            ("reached threshold", c.nnviz.reached_threshold, c.neuralnet.reached_threshold),
            ("mse", c.nnviz.mse, c.neuralnet.mse)]
    if c.nnviz.accuracy is not None and c.neuralnet.accuracy is not None:
        rows.append(("accuracy", f"{c.nnviz.accuracy:.2%}", f"{c.neuralnet.accuracy:.2%}"))
    if c.nnviz.test_mse is not None:
        rows.append(("test mse", c.nnviz.test_mse, c.neuralnet.test_mse))
    if c.nnviz.test_accuracy is not None and c.neuralnet.test_accuracy is not None:
        rows.append(("test accuracy", f"{c.nnviz.test_accuracy:.2%}", f"{c.neuralnet.test_accuracy:.2%}"))
    rows += [("stopped", c.nnviz.stopped, c.neuralnet.stopped),
             ("seconds", f"{c.nnviz.seconds:.2f}", f"{c.neuralnet.seconds:.2f}")]
    print(f"{'':<18} {'nnviz':>18} {'neuralnet':>18}")
    for name, a, b in rows:
        show = [f"{v:.12g}" if isinstance(v, float) else str(v) for v in (a, b)]
        print(f"{name:<18} {show[0]:>18} {show[1]:>18}")
    largest = max(float(abs(W).max()) for W in c.nnviz.weights)
    print(f"largest weight difference {c.max_weight_difference:.3g} (the largest weight is {largest:.3g}); "
          "steps count the first evaluation, as neuralnet does: weight updates + 1")
    if args.export:
        print(f"model written to {args.export}")
    return 0


# -- nnviz explain ------------------------------------------------------------------------------

EXPLAIN_METHODS = ("olden", "garson", "gw", "lek", "pdp")


def _add_explain(sub) -> None:
    ex = sub.add_parser("explain", help="what a model learned: input importance (Olden, Garson), generalized "
                                        "weights, Lek's profiles, partial dependence; as R's NeuralNetTools and "
                                        "neuralnet compute them")
    ex.add_argument("--model", required=True, help="model file (.json, .npz, .onnx) or session (.nnviz, has its data)")
    ex.add_argument("--method", required=True, choices=EXPLAIN_METHODS,
                    help="olden (signed, any depth), garson (one hidden layer, one output), gw (generalized "
                         "weights per row), lek (Lek's profiles), pdp (partial dependence and ICE curves)")
    ex.add_argument("--data", help="the rows for gw, lek and pdp: a built-in data set or a CSV file with the "
                                   "model's input columns (default: the session's training rows, or the built-in "
                                   "data set the model was trained on)")
    ex.add_argument("--output", help="the output to explain, by name or number (default: the first, as "
                                     "NeuralNetTools' out_var)")
    ex.add_argument("--groups", choices=("quantiles", "clusters"), default="quantiles",
                    help="lek: the other inputs at the quantiles 0, 20, ..., 100%% (default) or at k-means centres")
    ex.add_argument("--clusters", type=_positive_int, default=6, help="lek --groups clusters: how many (default: 6)")
    ex.add_argument("--steps", type=_positive_int, help="lek, pdp: values each input is swept over (default: 100, 50)")
    ex.add_argument("--raw-units", action="store_true",
                    help="gw: per unit of each input's own scale (default: per standard deviation, the "
                         "standardised inputs the network and neuralnet see)")
    ex.add_argument("--json", action="store_true", help="print the values as JSON on stdout")
    ex.add_argument("--out", help="write a figure (.svg, .pdf or .png)")
    ex.add_argument("--theme", choices=("light", "print", "dark"), default="light")
    ex.add_argument("--dpi", type=_number, default=300.0, help="PNG resolution (default: 300)")
    ex.add_argument("--title", help="a title above the figure")
    ex.add_argument("--size", help="figure size in CSS pixels, WIDTHxHEIGHT (default: 700x420 for bars, 900x600)")


def _explain_output(spec: str | None, names: tuple[str, ...]) -> int:
    """The output index named by --output (a name, or a number from 1)."""
    if spec is None:
        return 0
    if spec in names:
        return names.index(spec)
    if spec.strip().isdigit() and 1 <= int(spec) <= len(names):
        return int(spec) - 1
    raise ValueError(f"--output {spec!r} is not one of the model's outputs ({', '.join(names)}, or 1 to {len(names)})")


def _explain_rows(args, model, data=None):
    """The raw input rows the model is explained on, and where they come from."""
    if args.data:
        if args.data in datamod.BUILTINS:
            ds = datamod.load(args.data, seed=int(model.training.get("seed", 0) or 0))
            if tuple(ds.input_names) != tuple(model.input_names):
                raise ValueError(f"the built-in {args.data!r} has the inputs {', '.join(ds.input_names)}; "
                                 f"the model takes {', '.join(model.input_names)}")
            return ds.X, f"the {ds.n} rows of the built-in {args.data}"
        X, _, _ = datamod.load_inputs(args.data, tuple(model.input_names))
        return X, f"the {X.shape[0]} rows of {args.data}"
    if data is not None:
        return data.X, f"the session's {data.n} training rows"
    name = model.training.get("data")
    if isinstance(name, str) and name in datamod.BUILTINS:
        ds = datamod.load(name, seed=int(model.training.get("seed", 0) or 0))
        if tuple(ds.input_names) == tuple(model.input_names):
            return ds.X, f"the {ds.n} rows of the built-in {name} (the model's data; --data for others)"
    raise ValueError(f"--method {args.method} needs rows: give --data (a built-in data set or a CSV file "
                     "with the model's input columns)")


def _explain_size(args, bars: bool) -> tuple[int, int]:
    if args.size is None:
        return (700, 420) if bars else (900, 600)
    try:
        w, h = (int(v) for v in args.size.lower().split("x"))
        if not (100 <= w <= 10000 and 100 <= h <= 10000):
            raise ValueError
    except ValueError:
        raise ValueError(f"--size must be WIDTHxHEIGHT between 100 and 10000 pixels (got {args.size!r})") from None
    return w, h


def cmd_explain(args) -> int:
    """Olden's or Garson's importance, generalized weights or profiles of a model (core/importance.py,
    core/profiles.py); --json the values, --out a figure (core/importance_figures.py, gui/render.py)."""
    from .core import importance as imp
    from .core import importance_figures as figs
    from .core import profiles as prof

    if args.out is not None and not args.out.lower().endswith((".svg", ".pdf", ".png")):
        raise ValueError(f"--out must name a .svg, .pdf or .png file (got {args.out})")
    size = _explain_size(args, args.method in ("olden", "garson"))
    if args.out is not None:
        nnio.atomic.check_writable(args.out)
    data = None
    if args.model.lower().endswith(".nnviz"):
        from .io import session as sessionfile

        exp = sessionfile.restore(sessionfile.load(args.model))
        model, data = exp.model(), exp.train
    else:
        model = nnio.load(args.model)
    names_in, names_out = tuple(model.input_labels), tuple(model.output_names)
    k = _explain_output(args.output, names_out)
    doc: dict = {"method": args.method, "model": args.model, "output": names_out[k], "outputs": list(names_out)}
    notes = [f"output {names_out[k]} (of {len(names_out)}: --output NAME for another)"] if len(names_out) > 1 \
        and args.output is None else []
    if args.method in ("olden", "garson"):
        values = imp.olden(model.network.weights)[:, k] if args.method == "olden" else imp.garson(model.network.weights)
        label = "Olden's importance (sum over paths of the products of the weights)" if args.method == "olden" \
            else "Garson's relative importance"
        doc.update(inputs=list(names_in), importance=[float(v) for v in values])
        scene = figs.importance_bars(names_in, values, f"{label}, {names_out[k]}", args.theme, size, args.title) \
            if args.out else None
        lines = [f"{n:>{max(len(m) for m in names_in)}}  {v: .6g}" for n, v in zip(names_in, values, strict=True)]
    else:
        X_raw, where = _explain_rows(args, model, data)
        notes.append(f"on {where}")
        if args.method == "gw":
            X = model.scaling.inputs(X_raw)
            gw = imp.generalized_weights(model.network, X, model.scaling, raw=args.raw_units, output=k)[:, 0, :]
            label = imp.log_odds_label(model.arch.output_activation)
            x = X * model.scaling.x_scale + model.scaling.x_center
            doc.update(inputs=list(names_in), label=label, units="raw" if args.raw_units else "standardised",
                       x=x.tolist(), values=gw.tolist())
            scene = figs.gw_panels(x, gw, names_in, label, names_out[k], args.theme, size, args.title) \
                if args.out else None
            lines = [f"generalized weights: d {label} of {names_out[k]} / d input, {gw.shape[0]} rows; "
                     f"mean, min, max per input:"]
            lines += [f"  {n}: {gw[:, j].mean(): .6g} {gw[:, j].min(): .6g} {gw[:, j].max(): .6g}"
                      for j, n in enumerate(names_in)]
        else:
            kind = "pdp" if args.method == "pdp" else "lek" if args.groups == "quantiles" else "lek_clusters"
            p = prof.profiles(kind, prof.model_predict(model.network, model.scaling), X_raw, steps=args.steps,
                              clusters=args.clusters)
            raw_names = list(model.input_names)
            doc.update(inputs=raw_names, x=p.x.tolist())
            if kind == "pdp":
                doc.update(values=p.mean[..., k].tolist(), ice=p.curves[..., k].tolist())
            else:
                doc.update(groups=list(p.labels), held=p.held.tolist(), values=p.curves[..., k].tolist())
            scene = figs.profile_panels(p, k, raw_names, names_out[k], args.theme, size, args.title) \
                if args.out else None
            ends = p.mean[..., k] if kind == "pdp" else p.curves[..., k].mean(axis=1)
            lines = [f"{prof.KIND_NAMES[kind]} of {names_out[k]}, {p.x.shape[1]} steps; "
                     "at each input's minimum and maximum" + ("" if kind == "pdp" else " (mean over the groups)") + ":"]
            lines += [f"  {n}: {ends[j, 0]:.6g} -> {ends[j, -1]:.6g}" for j, n in enumerate(raw_names)]
    for note in notes:
        print(f"nnviz: {note}", file=sys.stderr)
    if args.json:
        print(json.dumps(doc))
    else:
        print("\n".join(lines))
    if scene is not None:
        from .gui import render  # Qt only from here on

        render.save(scene, args.out, dpi=args.dpi)
        print(f"{args.method} of the {model.arch.describe()} network written to {args.out}", file=sys.stderr)
    return 0


def _input_columns(args, model, text: str | None = None) -> tuple[str, ...]:
    """The CSV columns that feed the model's inputs: --columns, else the model's input names;
    a model without names (one imported from ONNX) takes all the CSV's columns in order when
    their number fits, and says so.  A model with input features reads its two raw columns."""
    p = len(model.input_names)
    if args.columns is not None:
        cols = tuple(c.strip() for c in args.columns.split(",") if c.strip())
        if len(cols) != p:
            raise ValueError(f"--columns names {len(cols)} column(s), the model takes {p} inputs")
        return cols
    if not model.training.get("imported_from"):
        return tuple(model.input_names)
    try:
        first = next((r for r in csv.reader(io.StringIO(text if text is not None else
                                                        read_text(args.data, fallback_latin1=True)))
                      if any(c.strip() for c in r)), [])
    except csv.Error as exc:
        raise ValueError(f"{args.data}: not a readable CSV file ({exc})") from None
    header = tuple(c.strip() for c in first)
    if len(header) != p or len(set(header)) != p:
        raise ValueError(f"{args.model} has no input names and {args.data} has {len(header)} columns, not {p} "
                         f"distinct ones; name the input columns with --columns a,b,...")
    _note(args, f"{args.model} has no input names; using the CSV's {p} columns in order: {', '.join(header)}")
    return header


def cmd_predict(args) -> int:
    if args.output and args.output != STDIO:
        refuse_own_input(args.output, own_inputs(args, "--data", "--model"), "--output")
    if args.model == STDIO and args.data == STDIO:
        raise ValueError("--model - and --data - cannot both read standard input")
    model = load_model(args.model)
    _detail(args, f"{args.model}: the {model.arch.describe()} network, inputs {', '.join(model.input_names)}")
    notes: list[str] = []
    if args.data == STDIO:
        raw = _read_stdin()
        text = raw.decode("utf-8-sig") if _utf8(raw) else raw.decode("latin-1")
        X, rows, header = datamod.parse_inputs(text, "<stdin>", _input_columns(args, model, text), notes)
    else:
        X, rows, header = datamod.load_inputs(args.data, _input_columns(args, model), notes)
    _say_notes(notes)
    stopping.check()  # a signal while the files loaded: nothing is written
    Y = model.predict(X)
    labels = model.predict_labels(X)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    out_cols = [f"pred.{n}" for n in model.output_names]
    w.writerow(header + out_cols + (["predicted"] if labels else []))
    for i, r in enumerate(rows):
        w.writerow(r + [repr(float(v)) for v in Y[i]] + ([labels[i]] if labels else []))
    if args.output and args.output != STDIO:
        nnio.atomic.write_text(args.output, buf.getvalue())
        if not _quiet(args):
            print(f"{len(rows)} predictions written to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(buf.getvalue())
    return 0


def _utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return True


def cmd_datasets(args) -> int:
    w = max(len(n) for n in datamod.BUILTINS)
    for name, text in datamod.BUILTINS.items():
        print(f"{name:<{w}}  {text}")
        if _verbose(args):
            ds = datamod.builtin(name)
            print(f"{'':<{w}}  {ds.n} rows, {len(ds.input_names)} inputs, {len(ds.output_names)} outputs ({ds.task})")
    return 0


def cmd_plot(args) -> int:
    try:
        w, h = (int(v) for v in args.size.lower().split("x"))
        if not (100 <= w <= 10000 and 100 <= h <= 10000):
            raise ValueError
    except ValueError:
        raise ValueError(f"--size must be WIDTHxHEIGHT between 100 and 10000 pixels (got {args.size!r})") from None
    if not args.out.lower().endswith((".svg", ".pdf", ".png")):
        raise ValueError(f"--out must name a .svg, .pdf or .png file (got {args.out})")
    refuse_own_input(args.out, own_inputs(args, "--model"), "--out")
    from .gui import figures  # Qt only from here on

    fig = figures.open_figure(args.model)
    stopping.check()
    scene = figures.save_figure(fig, args.what, args.out, args.labels, args.theme, args.title, (w, h), args.dpi)
    for note in scene.notes:
        _note(args, note)
    if not _quiet(args):
        print(f"{args.what} of the {fig.model.arch.describe()} network written to {args.out}", file=sys.stderr)
    return 0


class _FilmProgress:
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

    from .core.film import frame_iterations, shoot

    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from .gui import film  # Qt only from here on

    refuse_own_input(args.out, own_inputs(args, "--data", "--init"), "--out")
    film.check_rate(args.frames, args.fps)
    size = film.parse_size(args.size)
    film.check_target(args.out, size)
    exp = build_experiment(args)
    _say_notes(exp.dataset.notes)
    film.panel_for(args.panel, len(exp.dataset.input_names))
    t0 = time.perf_counter()
    quiet = _quiet(args)
    _detail(args, f"{exp.dataset.name}: network {exp.arch.describe()}, {args.frames} frames of {size[0]}x{size[1]}")
    reel = shoot(exp, frame_iterations(args.iterations, args.frames), None if quiet else _FilmProgress("training", t0))
    painter = film.Painter(reel, size, args.theme, args.title, args.panel)
    film.write(painter, args.out, args.fps, None if quiet else _FilmProgress("painting", t0))
    if not quiet:
        print(f"{len(reel.frames)} frames of {reel.frames[-1].iteration} iterations written to {args.out} "
              f"in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return 0


def cmd_install_desktop(args) -> int:
    from .desktop import install

    for path in install():
        if not _quiet(args):
            print(f"wrote {path}")
    return 0


def cmd_gui(args) -> int:
    if args.data == STDIO:
        raise ValueError("--data - (standard input) is for train, sweep, animate and compare-r: the window opens files")
    _detail(args, f"opening the window on {args.data}")
    warm_up(args.engine, args.dtype)  # the compiled kernel loads while the window is built
    from .gui.app import run_from_args  # PySide6 only from here on

    return run_from_args(args)


def cmd_tour(args) -> int:
    """``nnviz tour``: ``nnviz gui`` with the tour open (at --step, or where it was left)."""
    gui = build_parser().parse_args(["gui"])
    for name in ("quit_when_done", "screenshot", "size", "speed", "json"):
        if hasattr(args, name):
            setattr(gui, name, getattr(args, name))
    gui.tour = args.step if args.step is not None else "remembered"
    return cmd_gui(gui)


FILE_SUFFIXES = (".nnviz", ".json", ".npz", ".onnx", ".csv")  # `nnviz FILE` is `nnviz gui FILE`


def main(argv: list[str] | None = None) -> int:
    """``nnviz``; returns the exit status (see the module doc)."""
    with stopping.handling():  # (installed already when started by the launcher)
        try:
            return _main(argv)
        except BaseException as exc:  # noqa: BLE001 - after a signal, whatever it caused is the stop
            code = stopping.report(exc)
            if code is None:
                raise
            return code


def _main(argv: list[str] | None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser()
    try:
        opens_file = bool(argv) and argv[0].lower().endswith(FILE_SUFFIXES)
        if not argv or opens_file or argv[0].startswith("-") and argv[0] not in ("-h", "--help", "--version"):
            argv = ["gui", *argv]
        args = parser.parse_args(argv)
        stopping.check()  # a signal while nnviz was starting: stop before anything is read
        logs.configure(logs.log_path(), verbose=getattr(args, "verbose", False))
        command = {"train": cmd_train, "predict": cmd_predict, "datasets": cmd_datasets, "gui": cmd_gui,
                   "plot": cmd_plot, "animate": cmd_animate, "sweep": cmd_sweep, "install-desktop": cmd_install_desktop,
                   "sweep-merge": cmd_sweep_merge}
        command["compare-r"] = cmd_compare_r
        command["explain"] = cmd_explain
        command["tour"] = cmd_tour
        command.update(convert=cmd_convert, completion=cmd_completion)
        if args.command is None:
            raise UsageError("a command is needed (nnviz --help lists them)")
        if _quiet(args) and _verbose(args):
            raise UsageError("--quiet and --verbose cannot be given together")
        if getattr(args, "data", None) == STDIO and args.command in ("train", "sweep", "animate", "compare-r"):
            raw = _read_stdin()
            args.stdin_text = raw.decode("utf-8-sig") if _utf8(raw) else raw.decode("latin-1")
        return command[args.command](args)
    except UsageError as exc:
        print(f"nnviz: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except ValueError as exc:
        if stopping.requested() is not None:
            raise  # the signal's doing (see stopping): reported as the interruption
        print(f"nnviz: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:
        return 0
