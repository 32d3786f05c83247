"""The console scripts' entry points, kept free of heavy imports.

Importing the CLI loads NumPy, numba and the core, which takes a second or more; a Ctrl+C
(or SIGTERM) in that second must end nnviz with one line, not a traceback, so the signal
handlers (``stopping``) are installed before anything else is imported.
"""

from __future__ import annotations

import sys

from . import stopping


def main(argv: list[str] | None = None) -> int:
    """``nnviz``: the command line (``gui`` when no command is given)."""
    with stopping.handling():
        try:
            from .cli import main as cli_main

            code = cli_main(argv)
        except BaseException as exc:  # noqa: BLE001 - after a signal, whatever it caused is the stop
            reported = stopping.report(exc)
            if reported is None:
                raise
            code = reported
            return code
    gui = sys.modules.get("nnviz.gui.app")
    if gui is not None and getattr(gui, "window_closed", False):
        _exit_now(code)
    return code


def _exit_now(code: int) -> None:
    """After the window has closed and everything is written: end the process at once.  The
    interpreter's own teardown (Qt's objects, numba, the thread pools) took 1.2 to 3 s after
    the window had gone; nothing is left to save, so it is skipped (streams are flushed)."""
    import contextlib
    import os

    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)


def gui_main() -> int:
    """``nnviz-gui``: the window (iris loaded by default)."""
    return main(["gui", *sys.argv[1:]])
