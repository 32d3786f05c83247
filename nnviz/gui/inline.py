"""The Python API's Qt side: figures as SVG and PNG bytes for Jupyter, films as GIF bytes, and
the window opened on a run, a model or a session from a script or a notebook.

Figures go through the path of ``nnviz plot`` (``figures.figure_scene``, then ``render.save``),
painted offscreen when there is no display.  The application made here is a QApplication (not
the QGuiApplication ``render.ensure_app`` would make), so that a window can still be opened
after a picture was painted in the same process.

The window: ``show_*`` build it with ``app.build_window`` and hand it the run (the controller's
``adopt``, as opening a session does).  In a script it blocks in ``app.exec()`` until the window
is closed; in IPython or Jupyter it turns on IPython's Qt event loop (``%gui qt``) and returns at
once, so the window stays live while the notebook runs.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from ..core import data as datamod
from ..core.experiment import Experiment, Settings
from . import figures, render


def application():
    """The process's QApplication (made, offscreen without a display, when there is none)."""
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    app = QGuiApplication.instance()
    if app is not None and not isinstance(app, QApplication):
        raise ValueError("a QGuiApplication exists in this process: nnviz needs a QApplication (make one first)")
    from .app import _application

    return _application()


# -- pictures --------------------------------------------------------------------------------

def scene(fig: figures.Figure, what: str = "diagram", labels: bool = False, theme: str = "light",
          title: str | None = None, size: tuple[int, int] | None = None):
    """The scene of a figure, as ``nnviz plot`` draws it (``what``: diagram, errors or map)."""
    if what not in figures.WHAT:
        raise ValueError(f"a figure is one of {', '.join(figures.WHAT)} (got {what!r})")
    return figures.figure_scene(fig, what, labels, theme, title, size or figures.SIZES[what])


def _bytes(sc, suffix: str, dpi: float = 96.0) -> bytes:
    application()
    with tempfile.TemporaryDirectory(prefix="nnviz-") as tmp:
        path = Path(tmp) / f"figure{suffix}"
        render.save(sc, path, dpi=dpi)
        return path.read_bytes()


def svg(sc) -> str:
    """A scene as SVG text (vectors: circles, lines and text)."""
    return _bytes(sc, ".svg").decode("utf-8")


def png(sc, dpi: float = 96.0) -> bytes:
    """A scene as PNG bytes (at 96 dpi: one pixel per scene unit)."""
    return _bytes(sc, ".png", dpi)


def film(exp: Experiment, iterations: int, frames: int, size: tuple[int, int], fps: float, panel: str,
         theme: str, title: str | None, path: str | Path | None) -> bytes:
    """A run's film (``nnviz animate``: ``exp`` trained from its start to ``iterations``) as GIF
    bytes; written to ``path`` too (.gif or .mp4) when given."""
    from ..core.film import frame_iterations, shoot
    from . import film as filmmod

    filmmod.check_rate(frames, fps)
    filmmod.check_size(size)
    filmmod.panel_for(panel, len(exp.dataset.input_names))
    if path is not None:
        filmmod.check_target(path, size)
    application()
    reel = shoot(exp, frame_iterations(iterations, frames))
    painter = filmmod.Painter(reel, size, theme, title, panel)
    with tempfile.TemporaryDirectory(prefix="nnviz-") as tmp:
        gif = Path(tmp) / "film.gif"
        filmmod.write(painter, gif, fps)
        data = gif.read_bytes()
    if path is not None:
        if str(path).lower().endswith(".gif"):
            from ..io import atomic

            atomic.write_bytes(Path(path), data)
        else:
            filmmod.write(painter, path, fps)
    return data


# -- the window ------------------------------------------------------------------------------

def _ipython():
    """The running IPython shell, or None (a plain script)."""
    if "IPython" not in sys.modules:
        return None
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


def _blocking(block: bool | None) -> bool:
    """Whether ``show`` waits for the window to close: ``block``, or by default only outside
    IPython; inside it, IPython's Qt event loop is turned on (``%gui qt``) instead."""
    shell = _ipython()
    if block is None:
        block = shell is None
    if not block and shell is not None:
        kernel = getattr(shell, "kernel", None)
        if getattr(kernel, "eventloop", None) is None and getattr(shell, "active_eventloop", None) is None:
            shell.enable_gui("qt")
    return block


def _open(window, block: bool):
    window.show()
    window.raise_()
    if block:
        application().exec()
        window.controller.shutdown()
    return window


def show_settings(settings: Settings, model, dataset, block: bool | None = None, speed="default"):
    """The window on ``settings`` (a new network, or ``model``'s weights), on a built-in (``dataset``
    None) or on the given rows."""
    from .app import build_window, check_display

    check_display()
    blocking = _blocking(block)
    application()
    window = build_window(settings, model, dataset, speed=speed)
    return _open(window, blocking)


def show_experiment(exp: Experiment, history_x=None, history_y=None, block: bool | None = None, speed="default"):
    """The window on a run: a copy of its experiment (the run itself is not trained by the window)
    with its error history, as an opened session is shown."""
    from .app import build_window, check_display

    check_display()
    blocking = _blocking(block)
    application()
    s = exp.settings
    copy = Experiment(s, dataset=exp.dataset, scaling=exp.scaling)
    copy.session.set_state(exp.session.get_state())
    builtin = s.data in datamod.BUILTINS and not exp.dataset.custom and not exp.dataset.source
    window = build_window(s, None, None if builtin else exp.dataset, speed=speed)
    window.controller.adopt(copy, history_x, history_y)
    return _open(window, blocking)


def show_session(path: str, block: bool | None = None, speed="default"):
    """The window on a session file (.nnviz)."""
    from ..io import session as sessionfile
    from .app import build_window, check_display

    check_display()
    sessionfile.load(path)  # a bad file is one line here, before a window opens
    blocking = _blocking(block)
    application()
    window = build_window(Settings(), speed=speed)
    if not window.sessions.open_session(path):
        window.confirm_close = False
        window.close()
        raise ValueError(window.last_error or f"{path}: the session could not be opened")
    return _open(window, blocking)
