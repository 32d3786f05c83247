"""The compiled kernel, loaded before a network's first run while the window shows the network.  No Qt.

``load_kernel`` loads the kernel of an experiment's engine (training.warm_up: in a thread of
its own; nothing to load for NumPy) before the first run, so that the run's seconds do not
count it.  Loading takes about a second (numba reads its cache), or 10 to 30 s the first run
after installing (numba compiles it).  Meanwhile the caller is told twice at most: once when
the kernel did not come at once, so that a first snapshot shows the network without the next
step's matrices (they need the kernel), and once more past ``KERNEL_NOTICE_SECONDS`` with
``KERNEL_COMPILING``, the note its snapshots then carry; and once more when it is loaded.  The
runner makes those snapshots.
"""

from __future__ import annotations

from collections.abc import Callable

from . import training
from .experiment import Experiment

KERNEL_NOTICE_SECONDS = 1.0  # a kernel still loading after this long is being compiled
KERNEL_COMPILING = ("compiling the training kernel into numba's cache (the first run after installing, "
                    "10 to 30 s; later runs start at once): commands wait until it is ready")


def load_kernel(exp: Experiment, waiting: Callable[[str | None], None]) -> None:
    """Load ``exp``'s compiled kernel, calling ``waiting("")`` when it does not come within 50 ms,
    ``waiting(KERNEL_COMPILING)`` when it is still loading after ``KERNEL_NOTICE_SECONDS`` and,
    after either, ``waiting(None)`` when the wait is over (loaded, or the wait failed); then the
    session's own kernel arguments (TrainingSession.warm_up)."""
    loading = training.warm_up(exp.session.engine, exp.session.dtype)  # a thread; None for NumPy
    if loading is not None:
        loading.join(0.05)
    if loading is not None and loading.is_alive():
        try:
            waiting("")
            loading.join(KERNEL_NOTICE_SECONDS)
            if loading.is_alive():
                waiting(KERNEL_COMPILING)
                loading.join()
        finally:
            waiting(None)
    exp.session.warm_up()  # this network's own kernel arguments (the code is loaded by now)
