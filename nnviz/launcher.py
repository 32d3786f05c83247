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

            return cli_main(argv)
        except BaseException as exc:  # noqa: BLE001 - after a signal, whatever it caused is the stop
            code = stopping.report(exc)
            if code is None:
                raise
            return code


def gui_main() -> int:
    """``nnviz-gui``: the window (iris loaded by default)."""
    return main(["gui", *sys.argv[1:]])
