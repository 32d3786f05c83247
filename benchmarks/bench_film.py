"""How long a training film takes: ``nnviz animate`` of iris 2 x 6, 20,000 iterations,
150 frames at 1280x720 to a GIF, split into training to the frames, painting them and
writing the GIF, plus the whole command as a user runs it.  Target: under a minute on a
2-core machine.

    python benchmarks/bench_film.py [--frames 150] [--size 1280x720] [--repeats 1]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--frames", type=int, default=150)
    ap.add_argument("--size", default="1280x720")
    ap.add_argument("--iterations", type=int, default=20000)
    ap.add_argument("--repeats", type=int, default=1)
    args = ap.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from nnviz.core.experiment import Experiment, Settings
    from nnviz.core.film import frame_iterations, shoot
    from nnviz.gui import film

    size = film.parse_size(args.size)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "run.gif"
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            reel = shoot(Experiment(Settings(iterations=args.iterations)), frame_iterations(args.iterations, args.frames))
            t1 = time.perf_counter()
            painter = film.Painter(reel, size)
            images = [painter.image(f) for f in reel.frames]
            t2 = time.perf_counter()
            q = [film.quantize(im) for im in images]
            q[0].save(out, format="GIF", save_all=True, append_images=q[1:], duration=66, loop=0)
            t3 = time.perf_counter()
            print(f"train {t1 - t0:.1f} s, paint {t2 - t1:.1f} s ({(t2 - t1) / len(images) * 1000:.0f} ms a frame), "
                  f"GIF {t3 - t2:.1f} s, {out.stat().st_size / 1e6:.1f} MB")
            t0 = time.perf_counter()
            r = subprocess.run([sys.executable, "-m", "nnviz", "animate", "--data", "iris", "--hidden", "6,6",
                                "--iterations", str(args.iterations), "--frames", str(args.frames), "--size",
                                args.size, "--out", str(out)], capture_output=True, text=True)
            wall = time.perf_counter() - t0
            if r.returncode:
                print(r.stderr.strip().splitlines()[-1])
                return 1
            print(f"nnviz animate, whole command: {wall:.1f} s (target < 60 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
