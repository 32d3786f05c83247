"""Time per training iteration: nnviz's engines against plain NumPy, scikit-learn and PyTorch.

One table, one run: for each workload every implementation is timed in turn, the
whole round repeated ``--repeats`` times (interleaved, so a busy machine slows all
of them alike), and the median is reported, with the speed-up over the plain
reference (nnviz/core/reference.py) and, for each row, its time over the fastest of
textbook NumPy, scikit-learn and PyTorch in the same dtype (the median of the per-round
ratios).  Full-batch gradient descent, no momentum, everywhere, in float64 and float32:

* nnviz numba / numpy engine (TrainingSession.run);
* reference: nnviz/core/reference.py, the post's algorithm written plainly (float64);
* the fused floor (iris only): benchmarks/floor_kernel.py, the iteration as one plain
  compiled loop, what the kernel is measured against;
* textbook NumPy: the usual version (separate bias vectors, new arrays each step);
* scikit-learn MLPRegressor and MLPClassifier (solver="sgd", batch = all rows,
  momentum 0, logistic hidden units) and PyTorch on the CPU (nn.Linear + Sigmoid,
  SGD on the mean squared error), when installed (pip install 'nnviz[bench]').

Workloads: the post's iris run (4-6-6-3, 150 rows), a digits-sized net (64-128-64-10
on the built-in UCI digits, 1,797 rows), and
784-128-64-10 on 10,000 random rows.  Every measurement runs a fixed number of
iterations, so the benchmark ends by itself.  ``--threads T`` puts every implementation on
T threads (BLAS, torch); ``--clock cpu`` times the thread's CPU time instead of the wall
clock (with --threads 1: a shared machine's other processes then cost less noise).

    python benchmarks/bench_engines.py --threads 1 --clock cpu   # about ten minutes here
    python benchmarks/bench_engines.py --quick       # fewer iterations and repeats
    python benchmarks/bench_engines.py --profile     # where an iris iteration's time goes
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import os
import platform
import pstats
import statistics
import time
import warnings

import numpy as np

from nnviz.core import blas, kernel
from nnviz.core.experiment import Experiment, Settings
from nnviz.core.network import Architecture, Network
from nnviz.core.reference import train_reference
from nnviz.core.training import TrainConfig, TrainingSession


# -- workloads ------------------------------------------------------------------

def iris():
    e = Experiment(Settings(data="iris", seed=1))
    return "iris 4-6-6-3, 150 rows", e.X_train, e.Y_train, (6, 6), 0.02, [w.copy() for w in e.network.weights]


def digits():
    e = Experiment(Settings(data="digits", hidden=(128, 64), seed=1))  # the built-in UCI digits
    return "digits 64-128-64-10, 1,797 rows", e.X_train, e.Y_train, (128, 64), 1e-3, [w.copy() for w in e.network.weights]


def large():
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(10_000, 784)), np.eye(10)[rng.integers(0, 10, 10_000)]
    net = Network.random(Architecture(784, (128, 64), 10), rng)
    return "784-128-64-10, 10,000 random rows", X, Y, (128, 64), 1e-5, [w.copy() for w in net.weights]


# -- implementations: each returns a function(iterations) -> seconds ------------

def nnviz_engine(engine, dtype):
    def make(X, Y, hidden, lr, W0):
        arch = Architecture(X.shape[1], hidden, Y.shape[1])
        s = TrainingSession(Network.from_weights(arch, W0), X, Y, TrainConfig(lr=lr), engine=engine, dtype=dtype)
        if THREADS:
            s.blas_threads = THREADS  # as every other implementation (--threads)
        s.run(2)  # compiled code loaded, buffers made, BLAS threads chosen

        def run(n):
            t0 = clock()
            s.run(n)
            return clock() - t0
        run.note = f"BLAS threads {s.blas_threads}" + (f"; auto ran {s.engine}" if engine == "auto" else "")
        return run
    return make


def reference(X, Y, hidden, lr, W0):
    def run(n):
        t0 = clock()
        train_reference(X, Y, W0, lr, n)
        return clock() - t0
    return run


def plain_numpy(dtype="float64"):
    def make(X, Y, hidden, lr, W0):
        """The textbook version: W and b apart, sigmoid everywhere, new arrays every step."""
        X, Y = X.astype(dtype), Y.astype(dtype)
        Ws = [w[1:].astype(dtype) for w in W0]
        bs = [w[0].astype(dtype) for w in W0]
        rate = np.dtype(dtype).type(lr)

        def sig(z):
            return 1.0 / (1.0 + np.exp(-z))

        def run(n):
            t0 = clock()
            with np.errstate(over="ignore"):
                for _ in range(n):
                    hs = [X]
                    for W, b in zip(Ws, bs):
                        hs.append(sig(hs[-1] @ W + b))
                    delta = (Y - hs[-1]) * hs[-1] * (1 - hs[-1])
                    for l in range(len(Ws) - 1, -1, -1):
                        gW, gb = hs[l].T @ delta, delta.sum(axis=0)
                        if l:
                            delta = (delta @ Ws[l].T) * hs[l] * (1 - hs[l])
                        Ws[l] += rate * gW
                        bs[l] += rate * gb
            return clock() - t0
        return run
    return make


def floor(X, Y, hidden, lr, W0):
    """The fused floor (benchmarks/floor_kernel.py): the iteration as one plain compiled loop."""
    from floor_kernel import Floor

    f = Floor((X.shape[1], *hidden, Y.shape[1]), X, Y, W0, lr)
    f.run(2)

    def run(n):
        t0 = clock()
        f.run(n)
        return clock() - t0
    return run


def sklearn_mlp(kind, dtype="float64"):
    def make(X, Y, hidden, lr, W0):
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.neural_network import MLPClassifier, MLPRegressor

        cls = MLPRegressor if kind == "regressor" else MLPClassifier
        X = X.astype(dtype)  # scikit-learn's MLP keeps float32 input in float32
        y = Y.astype(dtype) if kind == "regressor" else Y.argmax(axis=1)

        def run(n):
            m = cls(hidden_layer_sizes=hidden, activation="logistic", solver="sgd", batch_size=X.shape[0],
                    learning_rate_init=lr, momentum=0.0, nesterovs_momentum=False, max_iter=n, tol=0.0,
                    n_iter_no_change=10**9, shuffle=False, alpha=0.0, random_state=0)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                t0 = clock()
                m.fit(X, y)
                return clock() - t0
        return run
    return make


def torch_mlp(dtype="float64"):
    def make(X, Y, hidden, lr, W0):
        import torch

        tdt = torch.float64 if dtype == "float64" else torch.float32
        torch.set_num_threads(THREADS or TORCH_THREADS)
        layers = []
        for W in W0:
            lin = torch.nn.Linear(W.shape[0] - 1, W.shape[1]).to(tdt)
            with torch.no_grad():
                lin.weight.copy_(torch.from_numpy(W[1:].T.copy()))
                lin.bias.copy_(torch.from_numpy(W[0].copy()))
            layers += [lin, torch.nn.Sigmoid()]
        model = torch.nn.Sequential(*layers)
        opt = torch.optim.SGD(model.parameters(), lr=lr)
        Xt, Yt = torch.from_numpy(X.astype(dtype)), torch.from_numpy(Y.astype(dtype))

        def run(n):
            t0 = clock()
            for _ in range(n):
                opt.zero_grad()
                loss = 0.5 * ((model(Xt) - Yt) ** 2).sum()
                loss.backward()
                opt.step()
            return clock() - t0
        run.note = f"torch threads {torch.get_num_threads()}"
        return run
    return make


def available(dtypes=("float64", "float32")):
    """(label, factory) of every implementation installed, in each dtype asked for."""
    impls = []
    for dt in dtypes:
        if kernel.AVAILABLE:
            impls.append((f"nnviz numba {dt}", nnviz_engine("numba", dt)))
        impls.append((f"nnviz numpy {dt}", nnviz_engine("numpy", dt)))
    if kernel.AVAILABLE:
        impls.append((FLOOR, floor))
    impls.append((REFERENCE, reference))
    for dt in dtypes:
        impls.append((f"textbook NumPy {dt}", plain_numpy(dt)))
        with contextlib.suppress(ImportError):
            import sklearn  # noqa: F401

            impls += [(f"scikit-learn MLPRegressor {dt}", sklearn_mlp("regressor", dt)),
                      (f"scikit-learn MLPClassifier {dt}", sklearn_mlp("classifier", dt))]
        with contextlib.suppress(ImportError):
            import torch  # noqa: F401

            impls.append((f"PyTorch CPU {dt}", torch_mlp(dt)))
    return impls


FLOOR = "fused floor (floor_kernel.py) float64"
REFERENCE = "plain reference (reference.py) float64"
def clock() -> float:
    """The clock every implementation is timed with (--clock)."""
    return time.thread_time() if CLOCK == "cpu" else time.perf_counter()


CLOCK = "wall"
TORCH_THREADS = 1  # as nnviz's BLAS (blas.py): on 2 vCPUs a second thread mostly spins (--torch-threads)
THREADS = 0  # --threads T: every implementation on T threads (BLAS for NumPy, scikit-learn and nnviz, torch's own)


# -- the table -------------------------------------------------------------------

def bench(workload, impls, iterations, repeats):
    """{implementation: [seconds per iteration of each round]}, the rounds interleaved."""
    name, X, Y, hidden, lr, W0 = workload
    runners = {label: make(X, Y, hidden, lr, W0) for label, make in impls}
    times = {label: [] for label in runners}
    with same_threads():
        for _ in range(repeats):
            for label, run in runners.items():
                n = iterations(label)
                times[label].append(run(n) / n)
    notes = {label: getattr(runners[label], "note", "") for label in runners}
    return times, notes


def ratio(times, label, others) -> float:
    """The median over rounds of label's time / the best of ``others`` in the same round."""
    return statistics.median(t / min(times[o][i] for o in others) for i, t in enumerate(times[label]))


def dtype_of(label: str) -> str:
    return label.rsplit(" ", 1)[-1]


def same_threads():
    """With --threads T, BLAS at T threads for every implementation (nnviz's sessions are set
    to T as well, torch to T); otherwise each as it chooses."""
    if not THREADS:
        return contextlib.nullcontext()
    from threadpoolctl import threadpool_limits

    return threadpool_limits(THREADS, user_api="blas")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="a fifth of the iterations, three repeats")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--profile", action="store_true", help="only: where an iris iteration's time goes")
    ap.add_argument("--workload", choices=["iris", "digits", "large"], help="only this workload")
    ap.add_argument("--torch-threads", type=int, default=TORCH_THREADS, help="PyTorch's threads (default: 1)")
    ap.add_argument("--threads", type=int, default=0,
                    help="every implementation on this many threads (BLAS and torch); default: each its own")
    ap.add_argument("--clock", choices=["wall", "cpu"], default="wall",
                    help="wall clock (default) or the thread's CPU time (with --threads 1)")
    args = ap.parse_args()
    if args.clock == "cpu" and args.threads != 1:
        ap.error("--clock cpu needs --threads 1 (other threads' time would not be counted)")
    globals()["CLOCK"] = args.clock
    globals()["TORCH_THREADS"] = args.torch_threads
    globals()["THREADS"] = args.threads
    if args.profile:
        profile()
        return
    q = 5 if args.quick else 1
    repeats = 3 if args.quick else args.repeats
    impls = available()
    fast = ("nnviz numba", FLOOR)
    plans = [
        (iris, lambda label: (50_000 if label.startswith(fast) else 2_000) // q),
        (digits, lambda label: (200 if label.startswith(fast) else 50) // q),
        (large, lambda label: max((10 if label.startswith(fast) else 4) // q, 2)),
    ]
    if args.workload:
        plans = [p for p in plans if p[0].__name__ == args.workload]
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores ({platform.processor() or 'cpu'}), "
          f"Python {platform.python_version()}, NumPy {np.__version__}, BLAS threads by default {blas.max_threads()}")
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; median of {repeats} interleaved repeats; "
          f"threads: {args.threads or 'each its own'}; clock: {args.clock}; load average {os.getloadavg()[0]:.2f} at the start\n")
    print("speed-up = the plain reference's time / time; vs best other = time / the fastest of textbook NumPy, "
          "scikit-learn and PyTorch in the same dtype (median of the per-round ratios; below 1 is faster)\n")
    print("| workload | implementation | per iteration | speed-up vs reference | vs best other | note |")
    print("| --- | --- | --- | --- | --- | --- |")
    for build, iterations in plans:
        workload = build()
        chosen = [(label, make) for label, make in impls if label != FLOOR or build is iris]
        times, notes = bench(workload, chosen, iterations, repeats)
        name, X, Y, hidden, lr, W0 = workload
        auto = TrainingSession(Network.from_weights(Architecture(X.shape[1], hidden, Y.shape[1]), W0), X, Y,
                               TrainConfig(lr=lr)).engine
        print(f"| {name} | the default engine (auto) | = nnviz {auto} | | | |")
        ref = statistics.median(times[REFERENCE])
        for label, t in times.items():
            sec = statistics.median(t)
            per = f"{sec * 1e6:,.1f} us" if sec < 1e-3 else f"{sec * 1e3:,.2f} ms"
            others = [o for o in times if not o.startswith(("nnviz", "fused", "plain")) and dtype_of(o) == dtype_of(label)]
            vs = f"{ratio(times, label, others):.2f}" if others and label not in (REFERENCE, FLOOR) else ""
            note = notes[label]
            if label == FLOOR:
                note = f"nnviz numba float64 / floor = {ratio(times, 'nnviz numba float64', [FLOOR]):.2f}"
            print(f"| {name} | {label} | {per} | {ref / sec:.1f}x | {vs} | {note} |")
    print(f"\nload average at the end {os.getloadavg()[0]:.2f}")
    if kernel.AVAILABLE:
        name, X, Y, hidden, lr, W0 = iris()
        run = nnviz_engine("numba", "float64")(X, Y, hidden, lr, W0)
        print(f"iris, 50,000 iterations with the numba engine: {run(50_000):.2f} s")


def profile() -> None:
    """cProfile of the Python side of run() calls, then the kernel's parts timed in compiled loops."""
    e = Experiment(Settings(data="iris", seed=1, engine="numba" if kernel.AVAILABLE else "numpy"))
    s = e.session
    s.run(10)
    for n, calls in ((1, 20_000), (1000, 20)):
        pr = cProfile.Profile()
        pr.enable()
        for _ in range(calls):
            s.run(n)
        pr.disable()
        out = io.StringIO()
        pstats.Stats(pr, stream=out).sort_stats("tottime").print_stats(8)
        total = pstats.Stats(pr).total_tt
        print(f"--- {calls} calls of run({n}) on iris, {s.engine} engine: {total / (calls * n) * 1e6:.1f} us "
              f"per iteration (under cProfile)")
        print("\n".join(line for line in out.getvalue().splitlines()[6:] if line.strip()))
    if kernel.AVAILABLE:
        print("\n--- inside the kernel: one iris iteration's parts, each timed alone in a compiled loop")
        for part, us in kernel_parts(s).items():
            print(f"{part:<48} {us:7.2f} us")


def kernel_parts(s) -> dict:
    """Microseconds of each part of one iris iteration (4-6-6-3, 150 rows) inside the kernel."""
    import numba

    K = kernel
    rng = np.random.default_rng(0)
    n = s.n
    sizes = s.net.arch.sizes
    reps = 5000

    @numba.njit
    def loop_fwd(W, XT, AT, reps):
        for _ in range(reps):
            K._forward_product(W, XT, AT)

    @numba.njit
    def loop_grad(XT, DT, G, reps):
        for _ in range(reps):
            K._gradient_product(XT, DT, G)

    @numba.njit
    def loop_back(W, DT, DpT, reps):
        for _ in range(reps):
            K._backward_product(W, DT, DpT)

    @numba.njit
    def loop_act(code, a, h, reps):
        for _ in range(reps):
            K._activate(code, a, h)

    @numba.njit
    def loop_derive(code, a, h, reps):
        for _ in range(reps):
            K._derive(code, a, h, h)

    def timed(f, *a):
        f(*a, 1)
        t0 = time.perf_counter()
        f(*a, reps)
        return (time.perf_counter() - t0) / reps * 1e6

    parts = {}
    fwd = grad = back = act = der = 0.0
    for l in range(len(sizes) - 1):
        a, b = sizes[l] + 1, sizes[l + 1]
        W, XT, AT = rng.normal(size=(a, b)), rng.normal(size=(a, n)), np.empty((b, n))
        fwd += timed(loop_fwd, W, XT, AT)
        grad += timed(loop_grad, XT, rng.normal(size=(b, n)), np.empty((a, b)))
        if l:
            back += timed(loop_back, W, rng.normal(size=(b, n)), np.empty((a - 1, n)))
        act += timed(loop_act, 0, rng.normal(size=b * n), np.empty(b * n))
        der += timed(loop_derive, 0, rng.normal(size=b * n), rng.uniform(size=b * n))
    parts["forward products A = [1, H] W (3 layers)"] = fwd
    parts["sigmoid H = f(A) (3 layers, 2,250 values)"] = act
    parts["derivatives f'(A) (3 layers; hidden ones fused with the delta product)"] = der
    parts["gradients input^T delta (3 layers, BLAS)"] = grad
    parts["backward products delta W^T (2 layers)"] = back
    @numba.njit
    def loop_update(params, grad, step, vel, rs, ro, hyper, reps):
        for _ in range(reps):
            K.update(params, grad, step, vel, rs, ro, 0, hyper)

    P = s._params.size
    parts[f"weight update ({P} weights)"] = timed(loop_update, np.zeros(P), np.zeros(P), np.zeros(P), np.zeros(P),
                                                  np.zeros(P), np.zeros(P), np.array([0.0, 0, 1.2, 0.5, 0.1, 1e-10]))
    t0 = time.perf_counter()
    s.run(reps)
    parts["whole iteration (run)"] = (time.perf_counter() - t0) / reps * 1e6
    parts["rest: copies, error, calls, slicing"] = parts["whole iteration (run)"] - sum(
        v for k, v in parts.items() if k != "whole iteration (run)")
    return parts


if __name__ == "__main__":
    main()
