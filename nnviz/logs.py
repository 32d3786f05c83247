"""Where nnviz logs what a bug report needs: the traceback of an error inside training.

The core only calls ``logging.getLogger(__name__).exception(...)`` and tells the user one
line; the entry points (the command line, which the window starts from too) call
``configure`` to send the records of the ``nnviz`` loggers to a file under the user's state
folder, ``$XDG_STATE_HOME/nnviz/nnviz.log`` (default ``~/.local/state/nnviz/nnviz.log``), and
with ``--verbose`` to stderr as well.  The file is made only when there is something to
write, is kept below about 2 MB (one older file, ``nnviz.log.1``), and a folder that cannot
be written costs nothing but the log: no error of the log itself reaches the terminal.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys
from pathlib import Path

LOGGER = "nnviz"
MAX_BYTES = 1_000_000
_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(process)d]: %(message)s"
_ours: list[logging.Handler] = []


def log_path() -> Path:
    """The log file: under $XDG_STATE_HOME when it is an absolute path, else ~/.local/state."""
    base = os.environ.get("XDG_STATE_HOME", "")
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".local" / "state"
    return root / "nnviz" / "nnviz.log"


class _FileHandler(logging.handlers.RotatingFileHandler):
    """A rotating file made (with its folder) on the first record; silent when it cannot be."""

    def __init__(self, path: Path):
        self.folder = path.parent
        super().__init__(path, maxBytes=MAX_BYTES, backupCount=1, encoding="utf-8", delay=True)

    def _open(self):
        self.folder.mkdir(parents=True, exist_ok=True)
        return super()._open()

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 - logging's name
        pass  # a log that cannot be written must not turn one line into a screenful


def configure(path: Path | None, verbose: bool = False) -> None:
    """Send the ``nnviz`` loggers' errors to ``path`` (None: nowhere; the handlers a previous
    call added are removed first, so a process that runs main() again logs each record once),
    and with ``verbose`` to stderr too."""
    logger = logging.getLogger(LOGGER)
    for h in _ours:
        logger.removeHandler(h)
        h.close()
    _ours.clear()
    if path is not None:
        _ours.append(_FileHandler(path))
    if verbose:
        _ours.append(logging.StreamHandler(sys.stderr))
    for h in _ours:
        h.setLevel(logging.ERROR)
        h.setFormatter(logging.Formatter(_FORMAT))
        logger.addHandler(h)
    logger.setLevel(logging.ERROR if _ours else logging.NOTSET)
