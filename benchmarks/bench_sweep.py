"""A sweep's runs side by side: one at a time, on threads, on processes.

The workload is a 4 x 4 sweep of iris (hidden 2, 4, 6, 8 x lr 0.005, 0.01, 0.02, 0.05, the
post's 2 x 6 network otherwise, full batch, --iterations each).  Timed, alternately, median of
--repeats:

* ``jobs 1``: ``parallel.run_local(jobs, shared, 1)``, what ``nnviz sweep --jobs 1`` runs;
* ``threads N``: ``parallel.run_local(jobs, shared, N)``, what ``nnviz sweep --jobs N`` runs
  (a thread per run at a time; the kernel holds no GIL; BLAS at one thread);
* ``processes N``: a ``ProcessPoolExecutor`` of N workers running the same
  ``parallel.run_job``, the data sent once to each worker, BLAS limited to cores / N in each.
  Forkserver (fork is unsafe once OpenBLAS and numba have started threads), its server
  preloading nnviz's core (NumPy, numba, SciPy), so a worker only loads the kernel; the
  pool's start is part of its time, as it would be in the CLI.

Besides the wall time, the CPU time all of it took (this process and the workers, psutil):
the machine is shared, and while other work takes the cores, the wall time of two runs side
by side says little, but what each way costs in CPU stays.  Every variant's summaries are
compared with the one-at-a-time ones (all but the timing fields) before any time is printed.

    python benchmarks/bench_sweep.py                    # 50,000 iterations a run, 5 repeats
    python benchmarks/bench_sweep.py --iterations 20000 --repeats 3
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import platform
import statistics
import time
from concurrent.futures import ProcessPoolExecutor

import psutil  # (installed with dask[distributed])

from nnviz.core import parallel
from nnviz.core.experiment import Settings

TIMING = ("seconds", "iterations_per_second")
_shared: parallel.Shared | None = None


def grid(iterations: int) -> list[parallel.Job]:
    settings = [Settings(hidden=(h,), lr=lr, iterations=iterations)
                for h in (2, 4, 6, 8) for lr in (0.005, 0.01, 0.02, 0.05)]
    return [parallel.Job(k, s) for k, s in enumerate(settings, 1)]


def _init(shared: parallel.Shared, threads: int) -> None:
    """A worker process: the data once, BLAS at ``threads``, the kernel loaded."""
    global _shared
    from threadpoolctl import threadpool_limits

    from nnviz.core.training import warm_up

    _shared = shared
    loading = warm_up()
    if loading is not None:
        loading.join()
    threadpool_limits(threads, user_api="blas")


def _run(job: parallel.Job) -> dict | None:
    assert _shared is not None
    return parallel.run_job(job, _shared)


def threads(jobs, shared, n: int) -> list[dict]:
    return [out.summary for out in sorted(parallel.run_local(jobs, shared, n), key=lambda o: o.job.index)]


_workers_cpu = [0.0]


def processes(jobs, shared, n: int) -> list[dict]:
    per = max(parallel.cores() // n, 1)
    ctx = mp.get_context("forkserver")
    ctx.set_forkserver_preload(["nnviz.core.parallel", "nnviz.core.training"])
    with ProcessPoolExecutor(n, mp_context=ctx, initializer=_init, initargs=(shared, per)) as pool:
        out = list(pool.map(_run, jobs))
        for proc in list(pool._processes.values()):  # the workers' CPU time, before they go
            t = psutil.Process(proc.pid).cpu_times()
            _workers_cpu[0] += t.user + t.system
    return out


def cpu_seconds() -> float:
    t = psutil.Process().cpu_times()
    return t.user + t.system + _workers_cpu[0]


def untimed(summaries) -> list[dict]:
    return [{k: v for k, v in s.items() if k not in TIMING} for s in summaries]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--iterations", type=int, default=50_000)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    jobs = grid(args.iterations)
    shared = parallel.Shared(parallel.load_data([j.settings for j in jobs]))
    n = args.workers
    variants = {"jobs 1": lambda: threads(jobs, shared, 1), f"threads {n}": lambda: threads(jobs, shared, n),
                f"processes {n}": lambda: processes(jobs, shared, n)}
    load_before = os.getloadavg()[0]
    reference = untimed(variants["jobs 1"]())  # also loads the kernel in this process
    times: dict[str, list[float]] = {name: [] for name in variants}
    cpu: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(args.repeats):
        for name, run in variants.items():
            c0, t0 = cpu_seconds(), time.perf_counter()
            out = run()
            times[name].append(time.perf_counter() - t0)
            cpu[name].append(cpu_seconds() - c0)
            assert untimed(out) == reference, f"{name}: the runs differ from one at a time"
    print(f"{platform.processor() or platform.machine()}, {parallel.cores()} cores, Python {platform.python_version()}; "
          f"load average (1 min) before/after: {load_before:.2f}/{os.getloadavg()[0]:.2f}")
    print(f"4 x 4 iris sweep, {args.iterations:,} iterations a run, median of {args.repeats} "
          "(all runs equal to one at a time)")
    base = statistics.median(times["jobs 1"])
    for name, ts in times.items():
        med = statistics.median(ts)
        print(f"  {name:<12} {med:6.2f} s   x{base / med:4.2f}   fastest {min(ts):6.2f} s   "
              f"CPU {statistics.median(cpu[name]):6.2f} s   "
              f"(all: {', '.join(f'{t:.2f}' for t in ts)})")


if __name__ == "__main__":
    main()
