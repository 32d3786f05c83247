"""How the window keeps up: frames, training throughput, command latency and paint costs.

One command, one table per part, everything measured in this run (the machine is
shared and noisy: medians of repeats, and ratios between runs made side by side):

1. Throughput: ``nnviz train --json`` against ``nnviz gui --autostart --quit-when-done
   --json`` (offscreen) for the same run, alternately; the window's frames per second
   while training and the largest lag between a view and its frame (must be 0).
   Targets: iris 2 x 6 within 10% and at least 20 frames/s; digits 64-128-64-10 within 25%.
2. Command latency, in one window: from Pause / Step / Reset to the answer painted, and
   Close to the thread ended, for networks up to 784-256-256-10, right after a change of
   architecture.  Target: 100 ms.
3. Paint cost per view and frame (iris, digits), and a diagram update (iris, 784-128-64-10).
   Targets: diagram under 5 ms for iris, 30 ms for 784-128-64-10.
4. Neuron maps and histograms: their cost where the snapshot is made (the runner, in the
   training thread) and in the diagram's paint, with the pictures on and off.

    python benchmarks/bench_window.py [--repeats 3] [--quick] [--only maps]

Every part ends by itself (deadlines on every wait).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402


def synthetic(rows: int, inputs: int, classes: int, seed: int = 0):
    from nnviz.core.data import Dataset

    rng = np.random.default_rng(seed)
    X = rng.normal(size=(rows, inputs))
    T = np.eye(classes)[rng.integers(0, classes, rows)]
    return Dataset("synthetic", X, T, tuple(f"x{i}" for i in range(inputs)), tuple(f"c{i}" for i in range(classes)),
                   "classes")


def LATENCY_CASES():  # noqa: N802 (a constant made on demand)
    return [("iris-like 4-6-6-3 (150)", synthetic(150, 4, 3), (6, 6)),
            ("64-128-64-10 (1,797)", synthetic(1797, 64, 10), (128, 64)),
            ("64-256-256-256-10 (1,797)", synthetic(1797, 64, 10), (256, 256, 256)),
            ("784-256-256-10 (1,797)", synthetic(1797, 784, 10), (256, 256))]


# -- 1. throughput -------------------------------------------------------------------
def run_cli(kind: str, args: list[str]) -> dict:
    cmd = [sys.executable, "-m", "nnviz", kind, *args, "--json"]
    if kind == "gui":
        cmd += ["--autostart", "--quit-when-done", "--speed", "max"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=600,
                         env=dict(os.environ, QT_QPA_PLATFORM="offscreen")).stdout
    return json.loads(out.strip().splitlines()[-1])


def throughput(cases, repeats: int) -> list[str]:
    rows = ["| run | `nnviz train` it/s | window it/s | window / train | frames/s while training | max view lag |",
            "|---|---:|---:|---:|---:|---:|"]
    for name, args in cases:
        tr, gu, fps, lag = [], [], [], []
        for _ in range(repeats):
            t = run_cli("train", args)
            g = run_cli("gui", args)
            tr.append(t["iterations_per_second"])
            gu.append(g["iterations_per_second"])
            fps.append(g["frames_per_second_training"])
            lag.append(g["max_view_lag"])
            print(f"  {name}: train {t['iterations_per_second']:,.0f} it/s, window {g['iterations_per_second']:,.0f} it/s, "
                  f"{g['frames_per_second_training']:.1f} frames/s", flush=True)
        t, g = statistics.median(tr), statistics.median(gu)
        rows.append(f"| {name} | {t:,.0f} | {g:,.0f} | {g / t:.2f} | {statistics.median(fps):.1f} | {max(lag)} |")
    return rows


# -- 2. command latency ---------------------------------------------------------------
def wait(app, cond, seconds: float = 30.0) -> bool:
    end = time.perf_counter() + seconds
    while not cond():
        if time.perf_counter() > end:
            return False
        app.processEvents()
        time.sleep(0.0005)
    return True


def latency(app, cases) -> list[str]:
    """From a command to its answer painted, in one window, for the step-through sequence a
    student makes: Pause a running network, the first Step after it, a second Step, Step back,
    Reset, the first Step after the Reset, a change of architecture (hidden sizes less one) and
    the first Step after it; then Close (the training thread ended)."""
    from nnviz.core.experiment import Settings
    from nnviz.gui.app import build_window

    keys = ("Pause", "Step 1st", "Step", "Back", "Reset", "Step after Reset", "Rebuild", "Step after rebuild",
            "Close")
    rows = ["| network (rows) | " + " | ".join(keys) + " |", "|---|" + "---:|" * len(keys)]
    for name, ds, hidden in cases:
        w = build_window(Settings(iterations=10_000_000), speed=None)
        w.confirm_close = w.sessions.confirm_discard = False
        w.show()
        wait(app, lambda: w.latest is not None)
        w.controller.configure(w.controller.context.settings.with_(data="synthetic", hidden=hidden), ds)
        wait(app, lambda: w.context.arch.hidden == hidden and w.latest is not None
             and w.latest.generation == w.context.generation)
        w.play()
        wait(app, lambda: w.latest.state == "running", 10)
        time.sleep(0.5)
        out = {}
        smaller = tuple(max(h - 1, 1) for h in hidden)

        def rebuild():
            w.controller.configure(w.controller.context.settings.with_(hidden=smaller), ds)

        it = 0
        for what, act, done in (
                ("Pause", w.pause, lambda: w.latest.state == "paused"),
                ("Step 1st", lambda: w.step(1), lambda: w.latest.state == "paused" and w.latest.iteration == it + 1),
                ("Step", lambda: w.step(1), lambda: w.latest.iteration == it + 1),
                ("Back", w.commands.step_back, lambda: w.latest.iteration == it - 1),
                ("Reset", w.commands.reset, lambda: w.latest is not None and w.latest.iteration == 0),
                ("Step after Reset", lambda: w.step(1), lambda: w.latest.iteration == 1),
                ("Rebuild", rebuild, lambda: w.context.arch.hidden == smaller and w.latest is not None
                 and w.latest.generation == w.context.generation),
                ("Step after rebuild", lambda: w.step(1), lambda: w.latest.iteration == 1
                 and w.latest.generation == w.context.generation)):
            app.processEvents()
            it = w.latest.iteration if w.latest is not None else 0
            t0 = time.perf_counter()
            act()
            ok = wait(app, done, 30)
            out[what] = (time.perf_counter() - t0) * 1000 if ok else float("nan")
        w.play()
        wait(app, lambda: w.latest.state == "running", 10)
        time.sleep(0.3)
        t0 = time.perf_counter()
        w.close()
        out["Close"] = (time.perf_counter() - t0) * 1000
        rows.append(f"| {name} | " + " | ".join(f"{out[k]:.0f} ms" for k in keys) + " |")
        print(f"  {name}: " + ", ".join(f"{k} {v:.0f} ms" for k, v in out.items()), flush=True)
    return rows


def exit_time(repeats: int) -> list[str]:
    """From the window closing (Quit) to the process gone: nnviz gui training digits-sized data."""
    code = ("import time, sys\n"
            "from PySide6.QtCore import QTimer\n"
            "from PySide6.QtWidgets import QApplication\n"
            "from nnviz.core.experiment import Settings\n"
            "from nnviz.gui.app import _application, build_window\n"
            "app = _application()\n"
            "w = build_window(Settings(hidden=(128, 64), iterations=10_000_000), speed=None)\n"
            "w.confirm_close = False\n"
            "w.show(); w.play()\n"
            "def quit_():\n"
            "    w.close(); sys.stderr.write(f'closed {time.time()!r}\\n'); sys.stderr.flush()\n"
            "QTimer.singleShot(1500, quit_)\n"
            "app.exec()\n"
            "w.controller.shutdown()\n"
            "from nnviz.launcher import _exit_now\n"
            "_exit_now(0)\n")
    times = []
    for _ in range(repeats):
        p = subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.PIPE, text=True)
        closed = None
        for line in p.stderr:
            if line.startswith("closed "):
                closed = float(line.split()[1])
        p.wait()
        end = time.time()
        if closed is not None:
            times.append(end - closed)
    med = statistics.median(times) * 1000 if times else float("nan")
    print(f"  exit after close: {med:.0f} ms (median of {len(times)})", flush=True)
    return ["| from the window closing to the process gone |", "|---:|", f"| {med:.0f} ms |"]


# -- 3. paint costs -------------------------------------------------------------------
def paint_costs(app, cases) -> list[str]:
    from dataclasses import replace

    from nnviz.core.experiment import Settings
    from nnviz.core.snapshot import frozen
    from nnviz.gui.app import build_window

    rows = ["| data, network | diagram | error plot | predictions | inspector | whole frame |",
            "|---|---:|---:|---:|---:|---:|"]
    rng = np.random.default_rng(1)
    for name, settings, ds in cases:
        w = build_window(Settings(iterations=1_000_000), speed=None)
        w.confirm_close = w.sessions.confirm_discard = False
        w.show()
        wait(app, lambda: w.latest is not None)
        if ds is not None or settings != w.controller.context.settings:
            w.controller.configure(settings, ds)
            wait(app, lambda: w.context.arch.hidden == settings.hidden and w.latest is not None
                 and w.latest.generation == w.context.generation)
        w.step(20)
        wait(app, lambda: w.latest.iteration == 20)
        base = w.latest
        times = {k: [] for k in ("diagram", "plot", "predictions", "inspector", "frame")}
        views = {"diagram": lambda s: w.network_view.show_snapshot(s, fast=True),
                 "plot": lambda s: w.loss_plot.show_snapshot(s, w.controller.history, w.controller.test_history),
                 "predictions": w.predictions.show_snapshot, "inspector": w.inspector.show_snapshot}
        widgets = {"diagram": w.network_view, "plot": w.loss_plot, "predictions": w.predictions,
                   "inspector": w.inspector}
        for i in range(30):
            weights = tuple(frozen(W + rng.normal(scale=0.01, size=W.shape)) for W in base.weights)
            snap = replace(base, weights=weights, state="running", iteration=base.iteration + i + 1, trace=None)
            # each view alone (set data, then Qt paints what became dirty), then a whole frame
            for k, show in views.items():
                app.processEvents()
                t0 = time.perf_counter()
                show(snap)
                app.processEvents()
                times[k].append(time.perf_counter() - t0)
            app.processEvents()
            t0 = time.perf_counter()
            w._on_render(replace(snap, iteration=snap.iteration + 1000))
            app.processEvents()
            times["frame"].append(time.perf_counter() - t0)
        rows.append(f"| {name} | " + " | ".join(f"{1000 * statistics.median(times[k]):.1f} ms"
                                               for k in ("diagram", "plot", "predictions", "inspector", "frame")) + " |")
        print(f"  {name}: frame {1000 * statistics.median(times['frame']):.1f} ms", flush=True)
        w.close()
    return rows


# -- 4. neuron maps ------------------------------------------------------------------
class _Quiet:
    def on_context(self, ctx):
        pass

    def on_snapshot(self, snap):
        pass

    def on_error(self, message):
        pass


def node_picture_costs(app, cases, repeats: int = 40) -> list[str]:
    from dataclasses import replace

    from nnviz.core.runner import Runner
    from nnviz.core.snapshot import frozen
    from nnviz.gui.app import build_window

    # CPU time of this thread (the runner's work, then the diagram's set-data and Qt's paint), not
    # wall time: on a shared machine the wall clock measures the neighbours as much as nnviz
    rows = ["| data, network | pictures | snapshot without | snapshot with | diagram paint without | diagram paint with |",
            "|---|---|---:|---:|---:|---:|"]
    rng = np.random.default_rng(2)
    for name, settings, ds in cases:
        runner = Runner(_Quiet())
        runner.configure(settings, ds)
        runner.step(20)
        while runner.busy:
            runner.advance()
        kind = "node_maps" if runner.context.node_grid is not None else "node_hists"
        base_needs = {"outputs", "confusion", "nodes"}
        core = {}
        for label, needs in (("without", base_needs), ("with", base_needs | {kind})):
            runner.set_view(needs)
            runner.snapshot()
            ts = []
            for _ in range(repeats):
                t0 = time.thread_time()
                runner.snapshot()
                ts.append(time.thread_time() - t0)
            core[label] = statistics.median(ts)
        w = build_window(settings, dataset=ds) if ds is not None else build_window(settings)
        w.confirm_close = w.sessions.confirm_discard = False
        w.show()
        wait(app, lambda: w.latest is not None)
        w.maps_action.setChecked(True)
        w.view.set_neuron_maps(True)
        w.step(20)
        wait(app, lambda: w.latest.iteration == 20 and getattr(w.latest, kind) is not None)
        base = w.latest
        paint = {}
        for label, on in (("without", False), ("with", True)):
            w.network_view.set_show_pictures(on)
            ts = []
            for i in range(repeats):
                weights = tuple(frozen(W + rng.normal(scale=0.01, size=W.shape)) for W in base.weights)
                snap = replace(base, weights=weights, state="running", iteration=base.iteration + i + 1, trace=None)
                app.processEvents()
                t0 = time.thread_time()
                w.network_view.show_snapshot(snap, fast=True)
                app.processEvents()
                ts.append(time.thread_time() - t0)
            paint[label] = statistics.median(ts)
        w.close()
        what = "maps 40 x 40" if kind == "node_maps" else "histograms"
        rows.append(f"| {name} | {what} | {1000 * core['without']:.1f} ms | {1000 * core['with']:.1f} ms "
                    f"| {1000 * paint['without']:.1f} ms | {1000 * paint['with']:.1f} ms |")
        print("  " + rows[-1], flush=True)
    return rows


def maps_cases():
    from nnviz.core.experiment import Settings

    return [("spiral 2-8-8-2", Settings(data="spiral", hidden=(8, 8), activation=("tanh",)), None),
            ("xor 2-6-6-2", Settings(data="xor"), None),
            ("spiral 2-128-64-2", Settings(data="spiral", hidden=(128, 64), activation=("tanh",)), None),
            ("iris 4-6-6-3", Settings(), None),
            ("digits 64-128-64-10", Settings(data="digits", hidden=(128, 64), iterations=10_000), None)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="fewer iterations, one repeat (a smoke run)")
    ap.add_argument("--only", choices=["maps", "latency"], help="only part 4, the neuron maps, or part 2, latency")
    a = ap.parse_args()
    repeats = 1 if a.quick else a.repeats
    if a.only in ("maps", "latency"):
        from PySide6.QtWidgets import QApplication

        app = QApplication.instance() or QApplication([])
        if a.only == "maps":
            print("4. neuron maps", flush=True)
            print("\n".join(node_picture_costs(app, maps_cases())))
        else:
            print("2. command latency", flush=True)
            print("\n".join(latency(app, LATENCY_CASES()) + [""] + exit_time(repeats)))
        return
    iris_n = 20_000 if a.quick else 100_000
    digits_n = 100 if a.quick else 600
    print("1. throughput", flush=True)
    t1 = throughput([("iris 4-6-6-3", ["--data", "iris", "--iterations", str(iris_n)]),
                     ("digits 64-128-64-10", ["--data", "digits", "--hidden", "128,64",
                                              "--iterations", str(digits_n)])], repeats)
    from PySide6.QtWidgets import QApplication

    from nnviz.core.experiment import Settings

    app = QApplication.instance() or QApplication([])
    print("2. command latency", flush=True)
    t2 = latency(app, LATENCY_CASES()) + [""] + exit_time(repeats)
    print("3. paint costs", flush=True)
    t3 = paint_costs(app, [("iris 4-6-6-3", Settings(iterations=1_000_000), None),
                           ("digits 64-128-64-10", Settings(data="digits", hidden=(128, 64), iterations=10_000),
                            None),
                           ("784-128-64-10 (200 rows)", Settings(data="synthetic", hidden=(128, 64), iterations=10_000),
                            synthetic(200, 784, 10))])
    print("4. neuron maps", flush=True)
    t4 = node_picture_costs(app, maps_cases())
    for table in (t1, t2, t3, t4):
        print()
        print("\n".join(table))


if __name__ == "__main__":
    main()
