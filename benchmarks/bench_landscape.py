"""What the Dynamics tab and the loss landscape cost (``python benchmarks/bench_landscape.py``).

* The landscape: the grid alone (41 x 41 by default, PCA and random directions), the replay of
  the run that gives the PCA directions, and the whole ``nnviz landscape --out`` command in a
  fresh process (imports, numba's cached kernel, the replay, the grid, the PNG), medians.
* The Dynamics tab's share of a snapshot: the training thread's CPU time per snapshot with and
  without its needs (``dynamics``, ``dyn_hist:L``, ``hidden_space:L:start``), medians of 40, one
  BLAS thread, as bench_window.py measures the neuron maps.

The machine is shared: the load average is printed before and after; compare columns of one run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def _load() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def _median(f, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def landscape(repeats: int, size: int) -> None:
    from nnviz.core import landscape as L
    from nnviz.core.experiment import Experiment, Settings

    rows = []
    for name, s, its in (("iris 4-6-6-3", Settings(data="iris"), 50_000),
                         ("digits 64-128-64-10", Settings(data="digits", hidden=(128, 64)), 200)):
        exp = Experiment(s.with_(iterations=its))
        exp.session.warm_up()
        at = L.path_iterations(0, its, L.path_points(exp.arch.n_weights))
        t = time.perf_counter()
        traj = L.trajectory_of(exp, at)
        replay = time.perf_counter() - t
        center = traj.params[-1]
        X, Y = exp.X_train, exp.Y_train
        pca = _median(lambda: L.compute(exp.arch, center, its, X, Y, "pca", size, traj), repeats)  # noqa: B023
        rnd = _median(lambda: L.compute(exp.arch, center, its, X, Y, "random", size, None,  # noqa: B023
                                        np.random.default_rng(1)), repeats)
        rows.append((name, its, replay, pca, rnd))
    print(f"\n| network, run | replay of the path | grid {size} x {size}, PCA | grid, random |")
    print("|---|---:|---:|---:|")
    for name, its, replay, pca, rnd in rows:
        print(f"| {name}, {its:,} iterations | {replay:.2f} s | {pca:.2f} s | {rnd:.2f} s |")


def command(repeats: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        model = Path(tmp) / "iris.json"
        subprocess.run([sys.executable, "-m", "nnviz", "train", "--data", "iris", "--iterations", "50000",
                        "--export", str(model), "--quiet"], check=True)
        for directions in ("pca", "random"):
            cmd = [sys.executable, "-m", "nnviz", "landscape", "--model", str(model), "--directions", directions,
                   "--out", str(Path(tmp) / "land.png")]
            t = _median(lambda: subprocess.run(cmd, check=True, capture_output=True), repeats)  # noqa: B023
            print(f"nnviz landscape --model iris.json (50,000 iterations) --directions {directions} --out land.png: "
                  f"{t:.2f} s (median of {repeats}, a fresh process each)")


def snapshots(repeats: int) -> None:
    from threadpoolctl import threadpool_limits

    from nnviz.core.experiment import Settings
    from nnviz.core.runner import Runner

    class Quiet:
        def on_context(self, ctx): ...
        def on_snapshot(self, snap): ...
        def on_error(self, message): ...

    cases = (("iris 4-6-6-3", Settings(data="iris"), None),
             ("spiral 2-8x6-2", Settings(data="spiral", hidden=(8,) * 6), "hidden_space:6:start"),
             ("spiral 2-16-16-2-2", Settings(data="spiral", hidden=(16, 16, 2), activation=("tanh",)),
              "hidden_space:3:start"),
             ("digits 64-128-64-10", Settings(data="digits", hidden=(128, 64)), None))
    print("\n| data, network | snapshot without | with the history | + histograms | + hidden space |")
    print("|---|---:|---:|---:|---:|")
    base = {"outputs", "confusion"}
    for name, s, hidden in cases:
        r = Runner(Quiet())
        r.configure(s.with_(iterations=10**9))
        r.step(200)
        while r.busy:
            r.advance()
        out = []
        asks = [base, base | {"dynamics"}, base | {"dynamics", "dyn_hist:0"}]
        if hidden:
            asks.append(base | {"dynamics", hidden})
        for needs in asks:
            r.set_view(needs)
            with threadpool_limits(1):
                ts = []
                for _ in range(repeats):
                    t = time.thread_time()
                    r.snapshot()
                    ts.append(time.thread_time() - t)
            out.append(statistics.median(ts) * 1000)
        cells = " | ".join(f"{v:.1f} ms" for v in out) + (" | -" if not hidden else "")
        print(f"| {name} | {cells} |")


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--size", type=int, default=41)
    p.add_argument("--only", choices=("landscape", "command", "snapshots"))
    args = p.parse_args()
    print(f"load average before: {_load()}")
    if args.only in (None, "landscape"):
        landscape(args.repeats, args.size)
    if args.only in (None, "command"):
        command(max(args.repeats // 2, 3))
    if args.only in (None, "snapshots"):
        snapshots(40)
    print(f"\nload average after: {_load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
