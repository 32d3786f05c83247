"""Iterations per second of nnviz's training loop against the plain reference.

Workloads: the post's toy and iris runs (2 x 6 sigmoid hidden layers, full
batch, 50,000 iterations) and a large net (784-128-64-10 on 10,000 rows of
synthetic data).  The reference (nnviz.core.reference: concatenate the ones
column and allocate new arrays every step) is timed in the same run on the
same data and start weights, and the two final weight sets are compared.

    python benchmarks/bench_train.py            # full run (about a minute or two)
    python benchmarks/bench_train.py --quick    # a tenth of the iterations
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np

from nnviz.core.experiment import Experiment, Settings
from nnviz.core.network import Architecture, Network
from nnviz.core.reference import train_reference
from nnviz.core.training import TrainConfig, TrainingSession


def _large(seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(10_000, 784))
    Y = np.eye(10)[rng.integers(0, 10, 10_000)]
    net = Network.random(Architecture(784, (128, 64), 10), rng)
    return net, X, Y


def bench(name, net, X, Y, lr, iters, ref_iters):
    start = [w.copy() for w in net.weights]
    session = TrainingSession(net, X, Y, TrainConfig(lr=lr))
    session.run(min(10, iters))  # warm-up (buffers, BLAS threads)
    net.params[:] = np.concatenate([w.ravel() for w in start])
    session = TrainingSession(net, X, Y, TrainConfig(lr=lr))
    t0 = time.perf_counter()
    session.run(iters)
    fast = time.perf_counter() - t0
    t0 = time.perf_counter()
    W_ref, _ = train_reference(X, Y, start, lr, ref_iters)
    ref = time.perf_counter() - t0
    check = Network(net.arch, np.concatenate([w.ravel() for w in start]))
    TrainingSession(check, X, Y, TrainConfig(lr=lr)).run(ref_iters)
    diff = max(float(np.abs(a - b).max()) for a, b in zip(check.weights, W_ref))
    f_rate, r_rate = iters / fast, ref_iters / ref
    print(f"{name:<28} {iters:>7} it  {f_rate:>10,.0f} it/s  {1e6 / f_rate:>9.1f} us/it   "
          f"reference {r_rate:>9,.0f} it/s  {1e6 / r_rate:>9.1f} us/it   x{f_rate / r_rate:4.2f}   "
          f"max |dW| {diff:.1e}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="a tenth of the iterations")
    args = ap.parse_args()
    k = 10 if args.quick else 1
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"numpy {np.__version__}")
    for data in ("toy", "iris"):
        e = Experiment(Settings(data=data, seed=1))
        bench(f"{data} {e.arch.describe()}", e.network, e.X_train, e.Y_train, 0.02, 50_000 // k, 5_000 // k)
    net, X, Y = _large()
    bench("large 784-128-64-10 (10k)", net, X, Y, 1e-5, max(20 // k, 3), max(10 // k, 2))


if __name__ == "__main__":
    main()
