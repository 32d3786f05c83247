"""A 1,000,000-row CSV: load time and peak memory, and one full-batch iteration on it.

Writes a 5-column file (4 numeric inputs, a class column) into a temporary folder,
then in fresh processes: loads it with nnviz.core.data.load_csv (time of the call,
the process's peak RSS, and tracemalloc's peak of the call), and times one
full-batch iteration of a 4-6-6-2 network on it with each engine.

    python benchmarks/bench_big_csv.py [--rows 1000000]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

LOAD = r"""
import json, resource, sys, time, tracemalloc
t0 = time.perf_counter()
from nnviz.core import data
t1 = time.perf_counter()
ds = data.load_csv(sys.argv[1])  # cold: numba's start-up (import, loading the compiled code) included
t2 = time.perf_counter()
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
del ds
t3 = time.perf_counter()
ds = data.load_csv(sys.argv[1])  # warm
t4 = time.perf_counter()
del ds
tracemalloc.start()
ds = data.load_csv(sys.argv[1])
peak = tracemalloc.get_traced_memory()[1]
print(json.dumps({"import": t1 - t0, "cold": t2 - t1, "warm": t4 - t3, "rows": ds.n,
                  "tracemalloc_peak_mb": peak / 2**20, "max_rss_mb": rss}))
"""


ITERATE = r"""
import json, sys, time
from nnviz.core import data
from nnviz.core.experiment import Experiment, Settings
ds = data.load_csv(sys.argv[1])
out = {}
for engine in ("numba", "numpy"):
    e = Experiment(Settings(data=sys.argv[1], hidden=(6, 6), engine=engine), dataset=ds)
    e.session.run(1)  # buffers, compiled code
    t0 = time.perf_counter()
    e.session.run(3)
    out[engine] = (time.perf_counter() - t0) / 3
print(json.dumps(out))
"""


def write_csv(path: str, rows: int, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    names = np.array(["setosa", "virginica"])
    with open(path, "w") as f:
        f.write("a,b,c,d,species\n")
        for r0 in range(0, rows, 100_000):
            X = rng.normal(size=(min(100_000, rows - r0), 4)) * [1, 2, 10, 0.5] + [5, 3, 4, 1]
            lab = names[(X[:, 0] + X[:, 3] > 6).astype(int)]
            f.write("".join(f"{a:.4f},{b:.4f},{c:.4f},{d:.4f},{s}\n" for (a, b, c, d), s in zip(X, lab)))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "big.csv")
        t0 = time.perf_counter()
        write_csv(path, args.rows)
        print(f"wrote {args.rows:,} rows ({os.path.getsize(path) / 2**20:.1f} MB) in {time.perf_counter() - t0:.1f} s")
        env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        loads = []
        for _ in range(args.repeats):
            r = subprocess.run([sys.executable, "-c", LOAD, path], capture_output=True, text=True, env=env, check=True)
            loads.append(json.loads(r.stdout))
        med = {k: float(np.median([x[k] for x in loads])) for k in loads[0]}
        print(f"load_csv (median of {args.repeats} processes): {med['cold']:.2f} s in a fresh process (numba's "
              f"start-up included), {med['warm']:.2f} s the second time; allocated at most "
              f"{med['tracemalloc_peak_mb']:.0f} MB (tracemalloc); process peak RSS after the first load "
              f"{med['max_rss_mb']:.0f} MB (Python, NumPy, numba included)")
        r = subprocess.run([sys.executable, "-c", ITERATE, path], capture_output=True, text=True, env=env, check=True)
        it = json.loads(r.stdout)
        print("one full-batch iteration of 4-6-6-2: " + ", ".join(f"{k} {v:.3f} s" for k, v in it.items()))


if __name__ == "__main__":
    main()
