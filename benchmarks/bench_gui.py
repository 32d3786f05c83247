"""Training cost of the window: the same iris run in `nnviz gui` and `nnviz train`.

Runs `nnviz train --json` and `nnviz gui --autostart --quit-when-done --json`
(offscreen) alternately, several times, and compares the training seconds
of their JSON summaries (medians).  The issue's target: the window adds at
most 15%.

    python benchmarks/bench_gui.py [--iterations 100000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys


def run(kind: str, iterations: int) -> dict:
    args = [sys.executable, "-m", "nnviz", kind, "--data", "iris", "--iterations", str(iterations), "--json"]
    if kind == "gui":
        args += ["--autostart", "--quit-when-done"]
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run(args, capture_output=True, text=True, env=env, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--iterations", type=int, default=100_000)
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args()
    times = {"train": [], "gui": []}
    frames = []
    for i in range(a.repeats):
        for kind in ("train", "gui"):
            s = run(kind, a.iterations)
            times[kind].append(s["seconds"])
            if kind == "gui":
                frames.append(s["frames_rendered"] / s["seconds"])
            print(f"run {i + 1} {kind:<5} {s['seconds']:7.2f} s  mse {s['mse']:.6g}", flush=True)
    t, g = statistics.median(times["train"]), statistics.median(times["gui"])
    print(f"median: train {t:.2f} s, gui {g:.2f} s -> the window adds {100 * (g / t - 1):+.1f}% "
          f"({statistics.median(frames):.1f} frames per second painted)")


if __name__ == "__main__":
    main()
