"""Start the desktop application: ``build_window()`` for tests, ``main()`` for users.

``nnviz gui`` (and ``nnviz`` with no command) takes the same options as
``nnviz train`` to preset the window, plus --autostart, --quit-when-done,
--screenshot FILE.png, --export FILE and --json, and a FILE to open (a session or lesson,
a model, a CSV file).  ``nnviz tour`` opens it with the tour "Follow the post".
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from typing import Literal

from ..core.experiment import Settings
from ..core.model import Model
from ..core.snapshot import Snapshot
from ..core.options import early_fields, own_inputs, run_summary, settings_from_options


def check_display() -> None:
    """ValueError with a one-line hint when Qt would have no display to open."""
    if not sys.platform.startswith("linux"):
        return
    if os.environ.get("QT_QPA_PLATFORM") or os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"):
        return
    raise ValueError("no display found: run nnviz in a desktop session, under xvfb-run, "
                     "or set QT_QPA_PLATFORM=offscreen (with --screenshot to see the result)")


def build_window(settings: Settings | None = None, init: Model | None = None, dataset=None,
                 speed: float | None | Literal["default"] = "default"):
    """The main window (a QApplication must exist); ``dataset``: the CSV named by settings, loaded;
    ``speed``: Play's pace in iterations per second, None for as fast as possible, or "default"."""
    from ..core.pace import DEFAULT_SPEED
    from .main_window import MainWindow

    return MainWindow(settings, init, dataset, DEFAULT_SPEED if speed == "default" else speed)


window_closed = False  # set once a window run by run_from_args has closed and been shut down

# Said by Qt's offscreen platform on every window shown: true of the platform, useless to a user.
_QUIET = ("This plugin does not support propagateSizeHints", "This plugin does not support raise")


def _message_handler(mode, context, message: str) -> None:
    if not message.startswith(_QUIET):
        sys.stderr.write(message + "\n")


def _application():
    from PySide6.QtCore import qInstallMessageHandler
    from PySide6.QtWidgets import QApplication

    if not QApplication.instance():
        qInstallMessageHandler(_message_handler)
    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setApplicationName("nnviz")
    app.setOrganizationName("nnviz")
    app.setDesktopFileName("nnviz")
    from importlib import resources

    from PySide6.QtGui import QIcon

    with resources.as_file(resources.files("nnviz.gui.share") / "nnviz.svg") as icon:
        app.setWindowIcon(QIcon(str(icon)))
    return app


@dataclass
class _Outcome:
    """How a run from the command line ended: its exit status, the last snapshot, whether it finished."""

    code: int = 0
    snapshot: Snapshot | None = None
    done: bool = False


def run_from_args(args) -> int:
    """``nnviz gui``: open the window preset from the parsed options; returns the exit code.

    Everything the options name is checked before the window opens (a bad CSV, model or
    destination is one line and status 2, and nothing is written).  Ctrl+C or SIGTERM (see
    nnviz.stopping), even while the window is being built, pauses training, writes --export,
    closes the window and exits with 130 or 143; before the window is built, nothing is written."""
    from .. import io as nnio
    from .. import stopping
    from ..core import data as datamod

    with stopping.handling():  # (installed already when started from nnviz.cli)
        return _run(args, nnio, datamod, stopping)


def _opened_file(args):
    """``nnviz gui FILE``: a model becomes --init, a CSV file --data; a session (or lesson) is read
    and checked here, before the window opens, and returned as (path, data, experiment, kept runs)."""
    from pathlib import Path

    path = getattr(args, "file", None)
    if not path:
        return None
    suffix = Path(path).suffix.lower()
    if suffix in (".json", ".npz", ".onnx"):
        if args.init:
            raise ValueError(f"give the model once: {path} or --init {args.init}")
        args.init = path
        return None
    if suffix == ".csv":
        args.data = path
        return None
    if suffix != ".nnviz":
        raise ValueError(f"{path}: nnviz opens a session (.nnviz), a model (.json, .npz, .onnx) or a CSV file")
    from ..io import runs as runfile
    from ..io import session as sessionfile

    data = sessionfile.load(path)
    return path, data, sessionfile.restore(data), runfile.session_runs(data)


def _run(args, nnio, datamod, stopping) -> int:
    check_display()
    session = _opened_file(args)
    init = nnio.load(args.init) if args.init else None
    settings = settings_from_options(args, init)
    if args.screenshot and not args.screenshot.lower().endswith(".png"):
        raise ValueError(f"--screenshot must name a .png file (got {args.screenshot})")
    from .film import parse_size

    shot_size = parse_size(getattr(args, "size", "1600x1000"))
    from pathlib import Path

    from ..core.files import refuse_own_input

    if args.export:  # onto --init on purpose is allowed, as in nnviz train
        refuse_own_input(args.export, own_inputs(args, "--data"), "--export")
        nnio.check_target(args.export)
    if args.screenshot:
        refuse_own_input(args.screenshot, own_inputs(args, "--data", "--init"), "--screenshot")
    for opt, value in (("--screenshot", args.screenshot),):
        if value and not Path(value).resolve().parent.is_dir():
            raise ValueError(f"{opt} {value}: the folder {Path(value).parent} does not exist")
    dataset = None
    if settings.data not in datamod.BUILTINS:
        dataset = datamod.load_csv(settings.data, settings.target, settings.classify)
        for note in dataset.notes:  # rows of empty fields skipped
            print(f"nnviz: note: {note}", file=sys.stderr)
    if settings.features:  # features need two raw inputs: said here, not in a dialog
        from ..core.features import check_inputs

        ds = dataset if dataset is not None else datamod.builtin(settings.data, settings.noise, settings.seed)
        check_inputs(settings.features, ds.X.shape[1], ds.source or ds.name)
    stopping.check()  # a signal while the data loaded: stop before the window opens
    app = _application()
    from PySide6.QtCore import QTimer

    from . import figures

    window = build_window(settings, init, dataset, speed=getattr(args, "speed", "default"))
    window.files.model_path = args.init
    if session is not None:  # checked above; a new window has no training to lose
        def adopt(_ctx) -> None:  # once the window's first network is there, so the session replaces it
            window.controller.contextChanged.disconnect(adopt)
            window.sessions.adopt(*session)
            if args.autostart:
                window.play()  # queued after the session: its network trains

        window.controller.contextChanged.connect(adopt)
    tour = getattr(args, "tour", None)
    if tour is not None:
        window.guides.open_tour(None if tour == "remembered" else tour)
    if args.screenshot:  # the picture at the size asked for, not the screen's
        window.show_at_size(*shot_size)
    else:
        window.show()
    outcome = _Outcome()

    def finish(snap=None) -> None:
        if outcome.done:
            return  # finished already
        outcome.done = True
        snap = snap or window.latest
        outcome.snapshot = snap
        if args.screenshot:
            app.processEvents()
            try:
                figures.save_png(window, args.screenshot)
            except ValueError as exc:
                print(f"nnviz: error: {exc}", file=sys.stderr)
                outcome.code = 2
        if args.export and window.latest is None:  # stopped before the first snapshot: no weights yet
            print(f"nnviz: {args.export} not written: the network was not there yet", file=sys.stderr)
        elif args.export and not window.exports.export_weights(args.export):
            print(f"nnviz: error: {window.last_error}", file=sys.stderr)
            outcome.code = 2
        window.close()

    if args.quit_when_done:
        window.confirm_close = False  # automation: nobody is there to answer
        window.finished.connect(lambda snap: QTimer.singleShot(0, lambda: finish(snap)))
        window.controller.error.connect(lambda msg: print(f"nnviz: {msg}", file=sys.stderr))
    waited = [0]

    def on_interrupt() -> None:
        """After Ctrl+C or SIGTERM: pause, write --export (once the first snapshot is there), close."""
        signum = stopping.requested()
        if signum is None or outcome.done:
            return
        if window.latest is None and waited[0] < 50:  # the first snapshot is on its way (5 s at most)
            waited[0] += 1
            return
        window.confirm_close = False
        window.controller.pause()
        outcome.code = stopping.status(signum)
        print(stopping.interrupted_line(), file=sys.stderr)
        finish()

    poll = QTimer()  # Python runs signal handlers only when it has control: give it some
    poll.setInterval(100)
    poll.timeout.connect(on_interrupt)
    poll.start()
    if args.autostart and session is None:
        window.play()
    elif args.autostart:
        pass  # the session's network plays once it is in the window (adopt, above)
    elif args.quit_when_done:
        # nothing to wait for: paint once, then finish
        QTimer.singleShot(1500, finish)
    QTimer.singleShot(0, on_interrupt)  # one that came while the window was being built
    app.exec()
    poll.stop()
    window.controller.shutdown()
    global window_closed
    window_closed = True  # the launcher may end the process at once (see launcher._exit_now)
    snap = outcome.snapshot or window.latest
    if args.json and snap is not None:
        print(json.dumps(_summary(window, snap)))
    if snap is not None and snap.stopped == "diverged" and outcome.code == 0:
        return 3
    return outcome.code


def _summary(window, snap) -> dict:
    """The run's JSON summary plus how the window painted it: frames, frames per second while
    training, and the largest lag (in iterations) between a view and its frame (always 0)."""
    ctx = window.context
    c = window.controller
    stopped = snap.stopped or ("interrupted" if snap.state != "finished" else None)
    settings = snap.settings or ctx.settings
    summary = run_summary(ctx.dataset.name, ctx.arch, settings, snap.iteration, snap,
                          snap.training_seconds, snap.iteration, stopped, snap.message, early_fields(snap),
                          settings.learning_rate(ctx.train.n))
    summary.update(frames_rendered=c.frames_rendered, frames_while_training=c.live_frames,
                   frames_per_second_training=round(c.live_fps, 2), max_view_lag=window.max_lag,
                   snapshots=c.snapshots_received)
    if window.files.session_path:
        summary["session"] = window.files.session_path
    lesson = window.guides.lesson
    if lesson is not None:
        summary["lesson"] = {"title": lesson.title, "lock": list(lesson.lock), "hide": list(lesson.hide)}
    tour = window.guides.tour
    if tour is not None and not tour.isHidden():  # open (the window itself is closed now)
        summary["tour_step"] = tour.step.key
    return summary


