"""Is the window responsive while training?  Two measurements, in one process, offscreen:

1. Timer lateness: while the iris run trains, a 20 ms QTimer records how late each of
   its ticks fires (the GUI event loop's responsiveness).  Target: under ~50 ms.
2. One diagram update (render + paint) of a 784-128-64-10 network.  Target: ~30 ms.

    python benchmarks/bench_responsiveness.py
"""

from __future__ import annotations

import os
import statistics
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
from PySide6.QtCore import QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from nnviz.core.experiment import Settings  # noqa: E402
from nnviz.gui.app import build_window  # noqa: E402


def timer_lateness(app, seconds: float = 8.0) -> list[float]:
    w = build_window(Settings(iterations=10_000_000))
    w.show()
    late: list[float] = []
    last = [None]

    def tick():
        now = time.perf_counter()
        if last[0] is not None:  # the first tick only starts the clock
            late.append(max(0.0, now - last[0] - 0.020))
        last[0] = now

    t = QTimer()
    t.setInterval(20)
    t.timeout.connect(tick)
    QTimer.singleShot(300, w.play)
    QTimer.singleShot(400, t.start)
    QTimer.singleShot(int(seconds * 1000), app.quit)
    app.exec()
    t.stop()
    w.close()
    return late


def big_diagram_update(app) -> list[float]:
    from nnviz.core.data import Dataset
    from nnviz.core.snapshot import frozen

    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 784))
    T = np.eye(10)[rng.integers(0, 10, 200)]
    ds = Dataset("synthetic", X, T, tuple(f"px{i}" for i in range(784)), tuple(f"d{i}" for i in range(10)),
                 "classes")
    w = build_window(Settings(hidden=(128, 64), iterations=1))
    w.show()
    t0 = time.time()
    while w.context is None and time.time() - t0 < 30:
        app.processEvents()
    w.controller.configure(w.controller.context.settings.with_(data="synthetic", hidden=(128, 64)), ds)
    t0 = time.time()
    while (w.context is None or w.context.arch.n_inputs != 784) and time.time() - t0 < 30:
        app.processEvents()
    while w.latest is None and time.time() - t0 < 30:
        app.processEvents()
    snap = w.latest
    times = []
    for i in range(20):
        weights = tuple(frozen(W + rng.normal(scale=0.01, size=W.shape)) for W in snap.weights)
        s = snap.__class__(**{**snap.__dict__, "weights": weights, "state": "running"})
        t = time.perf_counter()
        w.network_view.show_snapshot(s, fast=True)
        w.network_view.repaint()
        app.processEvents()
        times.append(time.perf_counter() - t)
    w.close()
    return times


def main() -> None:
    app = QApplication.instance() or QApplication([])
    late = timer_lateness(app)
    print(f"timer lateness while training iris: median {1000 * statistics.median(late):.1f} ms, "
          f"95th percentile {1000 * float(np.percentile(late, 95)):.1f} ms, max {1000 * max(late):.1f} ms "
          f"({len(late)} ticks; the worst at tick {int(np.argmax(late))})")
    times = big_diagram_update(app)
    print(f"784-128-64-10 diagram update: median {1000 * statistics.median(times):.1f} ms, "
          f"max {1000 * max(times):.1f} ms")


if __name__ == "__main__":
    main()
