"""The nnviz command line: train, sweep, predict, datasets, plot, animate, explain, landscape,
compare-r, convert, completion, gui, tour.

Errors are one line ``nnviz: error: ...`` on stderr with exit status 2;
training that diverges exits with status 3 (after exporting the last finite
weights when --export is given); Ctrl+C or SIGTERM stops training, writes --export
and exits with 130 or 143 (see ``stopping``).  Only this package prints.  PySide6 is
imported only by ``nnviz gui`` (and the figures of plot, animate, explain and landscape).

This module builds the parser and dispatches; each command lives in its own module
(training, predict, sweep, plot, explain, landscape, compare_r, convert), on the shared
options (options.py), ``-`` for standard input and output (stdio.py) and the headless run
with its progress bar (run.py).  ``gui`` and ``tour`` are here: they only hand over to
``gui.app``.
"""

from __future__ import annotations

import argparse
import sys

from .. import __version__, logs, stopping
from ..core import data as datamod
from ..core.training import warm_up
from . import compare_r, convert, explain, landscape, plot, predict, sweep, training
from .options import (EXIT_DIVERGED, EXIT_ERROR, STDIO, Parser, UsageError, add_quiet_and_verbose,
                      add_training_options, detail, is_quiet, is_verbose, speed, tour_step)
from .plot import FilmProgress
from .run import Progress, build_experiment, train
from .stdio import decode, load_model, read_stdin, save_model

__all__ = ["EXIT_DIVERGED", "EXIT_ERROR", "STDIO", "Progress", "UsageError", "add_training_options",
           "build_experiment", "build_parser", "load_model", "main", "save_model", "train"]

_FilmProgress = FilmProgress  # the name the tests of the film's progress know


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="nnviz", description="Watch a neural network built from scratch in NumPy learn.")
    parser.add_argument("--version", action="version", version=f"nnviz {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=Parser)
    training.add_parser(sub)
    predict.add_parser(sub)
    sub.add_parser("datasets", help="list the built-in data sets")
    plot.add_parsers(sub)  # plot, animate
    sweep.add_parsers(sub)  # sweep, sweep-merge
    sub.add_parser("install-desktop", help="install the desktop entry and icon for this user (no root needed)")
    _add_gui(sub)
    compare_r.add_parser(sub)
    explain.add_parser(sub)
    landscape.add_parser(sub)
    _add_tour(sub)
    convert.add_parsers(sub)  # convert, completion
    add_quiet_and_verbose(sub)  # last: every command gets --quiet and --verbose
    return parser


def _add_gui(sub) -> None:
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
    g.add_argument("--speed", type=speed, default=argparse.SUPPRESS,
                   help="the speed of Play in iterations per second, or max (default: 2000, after a slow start; "
                        "the command line's training is never paced)")


def _add_tour(sub) -> None:
    tr = sub.add_parser("tour", help="open the window with the guided tour \"Follow the post\" "
                        "(where it was left, or at its first step)")
    tr.add_argument("--step", type=tour_step, help="start at this step: its number (1 = the first) or its name "
                    "(network, design, forward, cost, output-delta, hidden-delta, update, toy, iris-raw, "
                    "iris-scaled, learning-rate, deeper, neuralnet)")
    tr.add_argument("--quit-when-done", action="store_true", help="close the window after painting it once")
    tr.add_argument("--screenshot", metavar="FILE.png", help="save the window to a PNG before quitting")
    tr.add_argument("--size", metavar="WxH", default="1600x1000", help="with --screenshot: the window's size")
    tr.add_argument("--speed", type=speed, default=argparse.SUPPRESS,
                    help="the speed of Play in iterations per second, or max (default: 2000, after a slow start)")
    tr.add_argument("--json", action="store_true", help="print a JSON summary on stdout (with the tour's step)")


def cmd_datasets(args) -> int:
    w = max(len(n) for n in datamod.BUILTINS)
    for name, text in datamod.BUILTINS.items():
        print(f"{name:<{w}}  {text}")
        if is_verbose(args):
            ds = datamod.builtin(name)
            print(f"{'':<{w}}  {ds.n} rows, {len(ds.input_names)} inputs, {len(ds.output_names)} outputs ({ds.task})")
    return 0


def cmd_install_desktop(args) -> int:
    from ..desktop import install

    for path in install():
        if not is_quiet(args):
            print(f"wrote {path}")
    return 0


def cmd_gui(args) -> int:
    if args.data == STDIO:
        raise ValueError("--data - (standard input) is for train, sweep, animate and compare-r: the window opens files")
    detail(args, f"opening the window on {args.data}")
    warm_up(args.engine, args.dtype)  # the compiled kernel loads while the window is built
    from ..gui.app import run_from_args  # PySide6 only from here on

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
COMMANDS = {"train": training.cmd_train, "predict": predict.cmd_predict, "datasets": cmd_datasets, "gui": cmd_gui,
            "plot": plot.cmd_plot, "animate": plot.cmd_animate, "sweep": sweep.cmd_sweep,
            "install-desktop": cmd_install_desktop, "sweep-merge": sweep.cmd_sweep_merge,
            "compare-r": compare_r.cmd_compare_r, "explain": explain.cmd_explain, "landscape": landscape.cmd_landscape,
            "tour": cmd_tour, "convert": convert.cmd_convert, "completion": convert.cmd_completion}


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
        if args.command is None:
            raise UsageError("a command is needed (nnviz --help lists them)")
        if is_quiet(args) and is_verbose(args):
            raise UsageError("--quiet and --verbose cannot be given together")
        if getattr(args, "data", None) == STDIO and args.command in ("train", "sweep", "animate", "compare-r"):
            args.stdin_text = decode(read_stdin())
        return COMMANDS[args.command](args)
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
