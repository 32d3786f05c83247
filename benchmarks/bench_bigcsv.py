"""Issue 26 item 3: a 1,000,000-row, 5-column CSV through ``nnviz train --iterations 1``
in at most 3 x numpy.loadtxt + 1 s and 400 MB peak.

Writes the file (header x1,x2,x3,x4,y; 4 random inputs and a target: 0/1 classes, a
numeric one for regression, or text classes), then, each in fresh processes, ``--repeats``
times: ``numpy.loadtxt`` of it (the time of the call), ``nnviz train --data FILE --hidden 6,6
--iterations 1 --quiet`` (wall time, CPU time and the process's peak RSS, from wait4's
rusage), and the same on the built-in iris (Python, NumPy, numba and nnviz alone: the
floor of the peak).  Prints a markdown table of the medians.  ``--against DIR`` (repeatable):
the same runs of other checkouts of nnviz too (``git archive main | tar -x -C DIR``), in turn
with this one's, so that all see the same load.  (benchmarks/bench_big_csv.py times the reader
alone, and one iteration per engine.)

The machine's load moves the wall time (a second core busy with other work doubles it):
the CPU time, and the ratio to loadtxt measured alongside, move less.

    python benchmarks/bench_bigcsv.py [--rows 1000000] [--repeats 3] [--target binary,regression,text]
                                      [--against DIR ...]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGETS = ("binary", "regression", "text")

LOADTXT = r"""
import sys, time
import numpy as np
t0 = time.perf_counter()
np.loadtxt(sys.argv[1], delimiter=",", skiprows=1, usecols=range(int(sys.argv[2])))
print(time.perf_counter() - t0)
"""


def write_csv(path: str, rows: int, target: str, seed: int = 0) -> None:
    """x1..x4 standard normal with 6 decimals, and y: 0/1, a float, or yes/no."""
    rng = np.random.default_rng(seed)
    with open(path, "w") as f:
        f.write("x1,x2,x3,x4,y\n")
        for r0 in range(0, rows, 100_000):
            X = rng.standard_normal((min(100_000, rows - r0), 4))
            y = X @ [0.5, -1.0, 2.0, 0.1] + 0.1 * rng.standard_normal(X.shape[0])
            if target == "regression":
                np.savetxt(f, np.column_stack([X, y]), fmt="%.6f", delimiter=",")
            elif target == "binary":
                np.savetxt(f, np.column_stack([X, y > 0]), fmt=["%.6f"] * 4 + ["%d"], delimiter=",")
            else:
                labels = np.where(y > 0, "yes", "no")
                f.write("".join(f"{a:.6f},{b:.6f},{c:.6f},{d:.6f},{s}\n"
                                for (a, b, c, d), s in zip(X, labels, strict=True)))


def run(cmd: list[str], root: str = ROOT) -> tuple[float, float, float, str]:
    """(wall seconds, CPU seconds, peak RSS in MB, stdout) of a command in a child process with
    ``root`` first on its PYTHONPATH (its own rusage, from wait4: RUSAGE_CHILDREN would give
    the largest of all children so far)."""
    env = dict(os.environ, PYTHONPATH=root + os.pathsep + os.environ.get("PYTHONPATH", ""))
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, cwd=root)
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait again
        out.seek(0)
        err.seek(0)
        if p.returncode:
            raise SystemExit(f"{' '.join(cmd)} failed ({p.returncode}):\n{err.read().decode()}")
        return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, out.read().decode()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--target", default="binary", help="comma-separated: " + ", ".join(TARGETS))
    ap.add_argument("--against", metavar="DIR", action="append", default=[],
                    help="another checkout of nnviz, measured in turn with this one (repeatable)")
    args = ap.parse_args()
    targets = [t.strip() for t in args.target.split(",")]
    if any(t not in TARGETS for t in targets):
        raise SystemExit(f"--target takes {', '.join(TARGETS)}")
    roots = {"this": ROOT}
    for d in args.against:
        roots[os.path.basename(os.path.normpath(d))] = os.path.abspath(d)
    train = [sys.executable, "-m", "nnviz", "train", "--hidden", "6,6", "--iterations", "1", "--quiet", "--data"]
    floor = {}
    for name, root in roots.items():
        run(train + ["iris"], root)  # the compiled code loaded (or compiled, and cached) once before timing
        floor[name] = [run(train + ["iris"], root) for _ in range(args.repeats)]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for target in targets:
            path = os.path.join(tmp, f"big-{target}.csv")
            write_csv(path, args.rows, target)
            size = os.path.getsize(path) / 2**20
            for root in roots.values():
                run(train + [path], root)  # numba's CSV functions compiled and cached, the file in the page cache
            cols = "4" if target == "text" else "5"  # loadtxt reads the numeric columns (text would stop it)
            loadtxt, runs = [], {name: [] for name in roots}
            for _ in range(args.repeats):  # in turn, so that every command sees the same load
                loadtxt.append(float(run([sys.executable, "-c", LOADTXT, path, cols])[3]))
                for name, root in roots.items():
                    runs[name].append(run(train + [path], root))
            lt = float(np.median(loadtxt))
            budget = 3 * lt + 1
            for name, rs in runs.items():
                wall, cpu, peak = (float(np.median([r[i] for r in rs])) for i in range(3))
                who = "" if len(roots) == 1 else f" ({name})"
                rows.append(f"| {target}{who} | {size:.0f} MB | {wall:.2f} s | {cpu:.2f} s | {peak:.0f} MB | {lt:.2f} s "
                            f"| {budget:.2f} s | {wall / budget:.2f} | {peak / 400:.2f} |")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{args.rows:,} rows, median of {args.repeats} processes each, load average {load:.1f} at the end; "
          "the floor (`nnviz train --data iris --iterations 1`: Python, NumPy, numba, nnviz): " + ", ".join(
              f"{name} {np.median([r[0] for r in fl]):.2f} s, {np.median([r[2] for r in fl]):.0f} MB"
              for name, fl in floor.items()) + "\n")
    print("| target | file | wall | CPU | peak RSS | loadtxt | 3 x loadtxt + 1 s | wall / budget | peak / 400 MB |")
    print("|---|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
