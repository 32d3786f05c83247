"""Finding R and running ``Rscript``: one line that says what to install when it is missing.

R is found when it is needed (``NNVIZ_RSCRIPT``, else ``Rscript`` on the PATH), with the
libraries R itself is set up to use.  ``run_r`` runs it in a session of its own, polling a
``should_stop`` (then ``Cancelled``) and a deadline.  What R is given and what it returns
is ``rjob.py``'s; no Qt here.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass

R_MISSING = "R is not installed (Debian: apt install r-base-core; then in R: install.packages('neuralnet'))"
NEURALNET_MISSING = "the R package neuralnet is not installed (in R: install.packages('neuralnet'))"
TIMEOUT = 600.0  # seconds neuralnet may take by default


class RUnavailable(ValueError):
    """R, or its neuralnet package, is not installed (the message says what to install)."""


class Cancelled(Exception):
    """``should_stop`` asked the comparison to stop."""


def find_rscript() -> str:
    """The Rscript to run: ``NNVIZ_RSCRIPT``, else ``Rscript`` on the PATH; RUnavailable otherwise."""
    given = os.environ.get("NNVIZ_RSCRIPT")
    if given:
        found = shutil.which(given)
        if found is None:
            raise RUnavailable(f"NNVIZ_RSCRIPT={given} is not an executable file (unset it to use Rscript "
                               "on the PATH)")
        return found
    found = shutil.which("Rscript")
    if found is None:
        raise RUnavailable(R_MISSING)
    return found


@dataclass(frozen=True)
class RInfo:
    rscript: str
    r_version: str
    neuralnet_version: str


def find_r(timeout: float = 60.0) -> RInfo:
    """Rscript and the versions of R and neuralnet (starts R once, about 0.3 s); RUnavailable
    with what to install when either is missing."""
    rscript = find_rscript()
    code = ('v <- tryCatch(as.character(utils::packageVersion("neuralnet")), error = function(e) "") ; '
            'ok <- v != "" && requireNamespace("neuralnet", quietly = TRUE) ; '
            'cat(paste(R.version$major, R.version$minor, sep = "."), if (ok) v else "", "\\n")')
    try:
        done = subprocess.run([rscript, "-e", code], capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL)
    except OSError as exc:
        raise RUnavailable(f"{rscript} does not run ({exc.strerror or exc}); {R_MISSING}") from None
    except subprocess.TimeoutExpired:
        raise ValueError(f"{rscript} did not answer within {timeout:g} s") from None
    parts = done.stdout.split()
    if done.returncode != 0 or not parts:
        raise RUnavailable(f"{rscript} fails ({one_line(done.stderr) or f'exit status {done.returncode}'})")
    if len(parts) < 2:
        raise RUnavailable(NEURALNET_MISSING)
    return RInfo(rscript, parts[0], parts[1])


def one_line(text: str, limit: int = 300) -> str:
    """``text`` on one line, cut to ``limit`` characters."""
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 3] + "..."


def run_r(argv: list[str], timeout: float, should_stop: Callable[[], bool] | None) -> subprocess.CompletedProcess:
    """Run R in a session of its own (Ctrl+C reaches nnviz, which stops it), polling ``should_stop``."""
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                            text=True, start_new_session=True)
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                out, err = proc.communicate(timeout=0.1)
                return subprocess.CompletedProcess(argv, proc.returncode, out, err)
            except subprocess.TimeoutExpired:
                pass
            if should_stop is not None and should_stop():
                raise Cancelled("the comparison with neuralnet was stopped")
            if time.monotonic() > deadline:
                raise ValueError(f"neuralnet did not finish within {timeout:g} s (R was stopped; "
                                 "fewer iterations or a larger threshold take less time)")
    finally:
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except OSError:
                proc.kill()
            proc.communicate()
