"""BLAS threads as a setting: measure one against all, keep the faster, scope it to training.

OpenBLAS starts as many threads as there are cores, and for the matrices of a
small network the second thread costs more than it brings.  For big ones it depends on
the machine and on what else runs on it: on this project's 2-vCPU machine, quiet, on
2026-12-04 (ms an iteration, numba engine, one thread / two threads):

    rows x network            multiply-adds   float64        float32
    1797 x 64-128-64-10              93 M     4.8 / 3.5      2.8 / 2.0
    10000 x 784-128-64-10          3282 M     140 / 86       76 / 50

while under load, on 2026-11-25, a second thread made the numba engine 10-20x slower on
digits.  So ``choose_threads`` decides per engine, network and batch shape: one thread
below ``MEASURE_FROM`` multiply-adds per iteration, and above that a few iterations of a
clone of the session are timed with one and with all threads, alternately, and the faster
count is kept (remembered per shape for the life of the process), for both engines (the
numba kernel's products go through SciPy's OpenBLAS, which threadpoolctl limits too).
``limited(n)`` applies the choice only while training runs, through threadpoolctl, so no
other code (the window's thread) runs with a changed setting afterwards; a session's
``leave_cores`` keeps cores out of the choice for a window that paints beside training.

Not here: the threads of numba itself (the kernel is single-threaded).
"""

from __future__ import annotations

import os
import sys
import time
from contextlib import nullcontext

MEASURE_FROM = 50_000_000  # multiply-adds per iteration below which one thread was always faster here
MEASURE_SECONDS = 0.25  # at most about this long to measure one shape

_controller = None
_controller_key = None
_choices: dict[tuple, int] = {}


def controller():
    """threadpoolctl's view of the BLAS libraries loaded now (numba's SciPy BLAS included
    once the kernel is imported); None without threadpoolctl."""
    global _controller, _controller_key
    key = ("numpy" in sys.modules, "scipy.linalg.cython_blas" in sys.modules)
    if _controller is None or key != _controller_key:
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:  # pragma: no cover - threadpoolctl is a dependency
            return None
        _controller, _controller_key = ThreadpoolController(), key
    return _controller


def max_threads() -> int:
    """The BLAS threads the process uses by default (the largest of the loaded libraries)."""
    c = controller()
    if c is None:
        return 1
    blas = c.select(user_api="blas")
    return max((lib.num_threads for lib in blas.lib_controllers), default=1)


SMALL = 1_000_000  # multiply-adds per iteration below which OpenBLAS stays on one thread anyway


class _Limit:
    """BLAS libraries at ``threads`` threads inside a with-block, as they were after it (the
    libraries' own get/set calls: threadpoolctl's ``limit`` costs ~100 us a call, too much
    around run(1))."""

    def __init__(self, libs, threads: int):
        self.libs, self.threads = libs, threads
        self.old: list[int] = []

    def __enter__(self):
        self.old = [lib.get_num_threads() for lib in self.libs]
        for lib in self.libs:
            lib.set_num_threads(self.threads)
        return self

    def __exit__(self, *exc):
        for lib, n in zip(self.libs, self.old, strict=True):
            lib.set_num_threads(n)
        return False


def limited(threads: int, work_per_iteration: float = float("inf")):
    """A context in which BLAS uses at most ``threads`` threads (nothing to do when that is all,
    or when the products are too small for OpenBLAS to use a second thread)."""
    if work_per_iteration < SMALL:
        return nullcontext()
    c = controller()
    if c is None or threads >= max_threads():
        return nullcontext()
    return _Limit(c.select(user_api="blas").lib_controllers, threads)


def work(session) -> int:
    """Multiply-adds of one iteration's matrix products, forward and backward (about 3 x forward)."""
    return work_of(session.net.arch.sizes, session.batch_size)


def work_of(sizes, rows: int) -> int:
    """``work`` of a network of these layer sizes on a batch of ``rows``."""
    return 3 * rows * sum((sizes[li] + 1) * sizes[li + 1] for li in range(len(sizes) - 1))


def cores_for_training(leave: int) -> int | None:
    """At most all cores but ``leave`` (at least one thread; None: no cap): the window keeps a
    core for its own thread, which paints while training runs.  Measured here (2 cores, digits
    64-128-64-10 in the window): with two BLAS threads the window trained at 0.56 of `nnviz
    train` (which used both) and painted 23 frames a second, with one at 0.79 and 29."""
    return max((os.cpu_count() or 1) - leave, 1) if leave > 0 else None


def choose_threads(session) -> int:
    """1 or all BLAS threads (all the cores left to training: the session's ``leave_cores``),
    whichever trains this session's network and batch faster."""
    cap = cores_for_training(getattr(session, "leave_cores", 0))
    top = max_threads() if cap is None else min(max_threads(), cap)
    if top <= 1 or work(session) < MEASURE_FROM:
        return 1
    key = (session.engine, session.dtype, session.net.arch.sizes, session.batch_size, top)
    if key not in _choices and others_busy():
        return 1  # not remembered: measured when the cores are free
    if key not in _choices:
        _choices[key] = _measure(session, (1, top))
    return _choices[key]


MEASURE_MARGIN = 0.8  # more threads only when they take at most this share of one thread's time


def others_busy() -> bool:
    """Other processes keep the cores busy: the 1-minute load average, less this process, is
    within half a core of all of them.  Measured here with two busy processes beside nnviz train
    on digits: a clone's best single iteration sometimes favoured two threads, which then trained
    at 8 to 49 iterations a second against 163 to 179 with one."""
    try:
        load = os.getloadavg()[0]
    except (OSError, AttributeError):  # no load average (Windows): measure as before
        return False
    return load - 1.0 >= (os.cpu_count() or 1) - 0.5


def _measure(session, counts: tuple[int, ...]) -> int:
    """Time iterations of a clone with each thread count, alternately; more threads only when
    clearly faster (MEASURE_MARGIN)."""
    twin = session.clone()
    best = {c: float("inf") for c in counts}
    t_end = time.perf_counter() + MEASURE_SECONDS
    for _ in range(3):
        for c in counts:
            twin.blas_threads = c
            t0 = time.perf_counter()
            twin.run(1)
            best[c] = min(best[c], time.perf_counter() - t0)
        if time.perf_counter() > t_end:
            break
    chosen = counts[0]
    for c in counts[1:]:
        if best[c] <= MEASURE_MARGIN * best[chosen]:
            chosen = c
    return chosen
