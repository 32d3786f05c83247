"""Ctrl+C (SIGINT) and SIGTERM as a request to stop, for the entry points.  Imports nothing
heavy: the launcher installs the handlers before NumPy, numba or Qt are loaded.

The handler only records the first signal (``requested``); nnviz looks at the record at
points where stopping is safe: the training loop between chunks (it stops, the command
writes --export and exits with 128 + the signal's number: 130 for Ctrl+C, 143 for
SIGTERM), the window's poll timer, and ``check()`` between the steps of starting up,
loading and writing (a stop there writes nothing).  A second signal ends the process at
once (``os._exit``, after the one line), for a stop that does not come soon enough: a file
being written then is left as it was (writes are atomic).

Why not raise from the handler, as Python's own KeyboardInterrupt does: the exception lands
wherever the main thread is, and the code there may swallow it or turn it into another.
Seen here, sending SIGINT at 0.05 s steps of nnviz's first second: an import inside
numpy.random turned it into an ImportError that a fallback caught (the signal was lost and
training ran for ever), a class body turned it into a RuntimeError (a traceback), a C
extension printed it and went on; and CPython exits with -2 instead of 130 when a
KeyboardInterrupt went through certain of its calls, even if it was caught.

Not here: the moment before Python has run nnviz's first line, when the system's default
action applies (the process ends at once, as any program does).
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(BaseException):
    """A stop asked for by a signal (a BaseException: ``except Exception`` lets it pass)."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum

    @property
    def status(self) -> int:
        return status(self.signum)


def status(signum: int) -> int:
    """The exit status of a command stopped by ``signum``: 128 + its number, as a shell reports it."""
    return 128 + int(signum)


_signum: int | None = None
_depth = 0
_previous: dict[int, object] = {}


def _handler(signum: int, frame) -> None:
    global _signum
    if _signum is None:
        _signum = signum
        return
    print(f"nnviz: interrupted again ({describe(signum)}): stopped at once", file=sys.stderr, flush=True)
    os._exit(status(_signum))


def requested() -> int | None:
    """The signal that asked nnviz to stop (None while none has come)."""
    return _signum


def stop_requested() -> bool:
    """True once a signal asked to stop (a ``should_stop`` for the training loop)."""
    return _signum is not None


def describe(signum: int) -> str:
    names = {int(signal.SIGINT): "Ctrl+C", int(signal.SIGTERM): "SIGTERM"}
    return names.get(int(signum), f"signal {signum}")


@contextmanager
def handling() -> Iterator[None]:
    """SIGINT and SIGTERM go to nnviz's handler within the block (in the main thread; nested
    blocks share the outermost's handlers, which then restores the old ones and forgets the
    signal)."""
    global _depth, _signum
    installed = False
    if _depth == 0:
        try:
            for sig in SIGNALS:
                _previous[sig] = signal.signal(sig, _handler)
            installed = True
        except ValueError:  # not the main thread: the caller's handlers stay
            for s, old in _previous.items():
                signal.signal(s, old)  # type: ignore[arg-type]
            _previous.clear()
    _depth += 1
    try:
        yield
    finally:
        _depth -= 1
        if installed:
            for s, old in _previous.items():
                signal.signal(s, old)  # type: ignore[arg-type]
            _previous.clear()
            _signum = None


def check() -> None:
    """Raise ``Interrupted`` now if a signal came (a point where stopping is safe)."""
    if _signum is not None:
        raise Interrupted(_signum)


def interrupted_line(what: str = "") -> str:
    """The one line nnviz says when a signal stopped it."""
    name = describe(_signum) if _signum is not None else "a signal"
    return f"nnviz: interrupted ({name}){': ' + what if what else ''}"


def report(exc: BaseException | None = None) -> int | None:
    """At an entry point: when a signal came, print the one line and return the exit status
    (``exc``, whatever was raised meanwhile, is the interruption's doing and is not shown);
    None when no signal came (``exc`` is then a real error for the caller)."""
    if _signum is None and not isinstance(exc, (Interrupted, KeyboardInterrupt)):
        return None
    signum = _signum if _signum is not None else getattr(exc, "signum", signal.SIGINT)
    print(f"nnviz: interrupted ({describe(signum)})", file=sys.stderr)
    return status(signum)
