"""The command line's shared vocabulary: argument types, the training options of train, sweep,
animate, compare-r and gui, ``--quiet``/``--verbose`` and the lines on stderr they govern, ``-``
for standard input or output, the exit codes and the one-line usage error."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .. import logs
from ..core import data as datamod
from ..core import sweep
from ..core.activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from ..core.experiment import MAX_ITERATIONS, Settings
from ..core.features import FEATURES
from ..core.losses import LOSSES
from ..core.training import ALGORITHMS, DTYPES, ENGINES

EXIT_ERROR = 2
EXIT_DIVERGED = 3
STDIO = "-"  # a file option given "-": standard input or output


class UsageError(Exception):
    """A bad command line; printed as one line."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, no usage block
        raise UsageError(message)


def positive_int(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if v < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1 (got {v})")
    return v


def count(text: str) -> int:
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


def number(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if v != v or v in (float("inf"), float("-inf")):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
    return v


def rate(text: str) -> float | str:
    """A learning rate: a finite number, or auto."""
    if text.strip().lower() == "auto":
        return "auto"
    try:
        return number(text)
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number or auto") from None


def speed(text: str) -> float | None:
    """--speed N (iterations per second, > 0) or max (None)."""
    if text.strip().lower() == "max":
        return None
    v = number(text)
    if v <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive number of iterations per second or max (got {text})")
    return v


def shard(text: str) -> tuple[int, int]:
    """--shard K/N."""
    try:
        return sweep.parse_shard(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def tour_step(text: str) -> int | str:
    """--step N (1-based) or a step's name."""
    from ..core.tour import KEYS

    if text.strip().isdigit():
        n = int(text)
        if not 1 <= n <= len(KEYS):
            raise argparse.ArgumentTypeError(f"must be from 1 to {len(KEYS)} (got {n})")
        return n - 1
    if text not in KEYS:
        raise argparse.ArgumentTypeError(f"unknown step {text!r} (known: {', '.join(KEYS)})")
    return text


def figure_size(text: str | None, default: tuple[int, int]) -> tuple[int, int]:
    """A figure's ``--size`` WIDTHxHEIGHT in pixels, 100 to 10000 each (``default`` when not given)."""
    if text is None:
        return default
    try:
        w, h = (int(v) for v in text.lower().split("x"))
        if not (100 <= w <= 10000 and 100 <= h <= 10000):
            raise ValueError
    except ValueError:
        raise ValueError(f"--size must be WIDTHxHEIGHT between 100 and 10000 pixels (got {text!r})") from None
    return w, h


def add_training_options(p: argparse.ArgumentParser) -> None:
    """The options shared by ``train`` and ``gui``."""
    d = Settings()
    p.add_argument("--data", default=d.data, help=f"built-in data set ({', '.join(datamod.BUILTINS)}) or a CSV file (default: {d.data})")
    p.add_argument("--target", help="CSV target column(s), comma-separated (default: the last column)")
    p.add_argument("--classify", action="store_true", help="treat a numeric CSV target as class labels")
    p.add_argument("--noise", type=number, default=d.noise, help="noise level of the 2-D built-ins, 0 to 1 (default: 0.1)")
    p.add_argument("--features", help=f"input features of two-input data, comma-separated, from {', '.join(FEATURES)} "
                   "(x1, x2: the first and second input column; default: the raw inputs)")
    p.add_argument("--hidden", help="hidden layer sizes, e.g. 6,6 (default); 0 for none")
    p.add_argument("--activation", help=f"hidden activation, one or one per layer ({', '.join(HIDDEN_ACTIVATIONS)}; default sigmoid)")
    p.add_argument("--output-activation", choices=OUTPUT_ACTIVATIONS, default=d.output_activation)
    p.add_argument("--loss", choices=LOSSES, default=d.loss, help="sse = 1/2 sum (y - yhat)^2 (default) or ce")
    p.add_argument("--algorithm", choices=ALGORITHMS, default=d.algorithm)
    p.add_argument("--lr", type=rate, default=d.lr,
                   help="learning rate, a number or auto: min(0.02, c / rows) for the rows an update sums over, "
                        "c = 3 for a sigmoid or softmax output with sse, 3/4 with ce, 3/16 for a linear output: "
                        "0.02 for iris (default: auto)")
    p.add_argument("--momentum", type=number, default=d.momentum)
    p.add_argument("--batch-size", type=positive_int, help="mini-batch size (default: the full training set)")
    p.add_argument("--threshold", type=number, help="stop when max |dC/dw| falls below this (neuralnet's threshold)")
    p.add_argument("--iterations", type=count, default=d.iterations, help=f"maximum iterations (default: {d.iterations})")
    p.add_argument("--seed", type=int, default=d.seed, help=f"random seed (default: {d.seed})")
    p.add_argument("--test-fraction", type=number, default=d.test_fraction, help="share of rows held out for testing (default: 0)")
    p.add_argument("--l1", type=number, default=d.l1,
                   help="L1 penalty rate: W += lr (input^T delta - l1 sign(W)), bias row not penalised (default: 0)")
    p.add_argument("--l2", type=number, default=d.l2,
                   help="L2 penalty rate: W += lr (input^T delta - l2 W), bias row not penalised (default: 0)")
    p.add_argument("--lr-schedule", default=d.lr_schedule, metavar="SCHEDULE",
                   help="constant (default), step:FACTOR:EVERY (lr f^floor(t/N)), exp:GAMMA (lr g^t) or "
                        "inv:K (lr / (1 + K t)); t = iterations done")
    p.add_argument("--validation-fraction", type=number, default=d.validation_fraction,
                   help="share of the training rows held out to measure the validation mse (default: 0)")
    p.add_argument("--patience", type=positive_int, default=d.patience,
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


def add_quiet_and_verbose(sub) -> None:
    """Every command gets --quiet and --verbose (those that have their own keep them)."""
    for p in sub.choices.values():
        have = {o for a in p._actions for o in a.option_strings}
        if "--quiet" not in have:
            p.add_argument("--quiet", action="store_true", help="print nothing but the results and errors")
        if "--verbose" not in have:
            p.add_argument("--verbose", action="store_true", help="also say on stderr what is done, step by step")


def is_quiet(args) -> bool:
    return bool(getattr(args, "quiet", False))


def is_verbose(args) -> bool:
    return bool(getattr(args, "verbose", False))


def note(args, message: str) -> None:
    """A line on stderr about what was done (not with --quiet)."""
    if not is_quiet(args):
        print(f"nnviz: {message}", file=sys.stderr)


def detail(args, message: str) -> None:
    """A line on stderr only with --verbose."""
    if is_verbose(args):
        print(f"nnviz: {message}", file=sys.stderr)


def say_notes(notes) -> None:
    """What reading the data skipped (rows of empty fields), one line each on stderr."""
    for note in notes:
        print(f"nnviz: note: {note}", file=sys.stderr)
