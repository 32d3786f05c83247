"""The console scripts' entry points, kept free of heavy imports.

Importing the CLI loads NumPy, numba and the core, which takes a second or
more; a Ctrl+C in that second must end nnviz with one line, not a traceback.
"""

from __future__ import annotations

import sys

EXIT_INTERRUPTED = 130


def main(argv: list[str] | None = None) -> int:
    """``nnviz``: the command line (``gui`` when no command is given)."""
    try:
        from .cli import main as cli_main

        return cli_main(argv)
    except KeyboardInterrupt:
        print("nnviz: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED


def gui_main() -> int:
    """``nnviz-gui``: the window (iris loaded by default)."""
    return main(["gui", *sys.argv[1:]])
