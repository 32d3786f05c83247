"""The runs of a sweep side by side: on this machine's cores, or on a Dask cluster.

A sweep's runs are independent, so they can train at the same time.  Here each run is a
``Job`` (its place in the grid and its settings); ``run_job`` trains one exactly as ``nnviz
train`` would (the same Experiment, runner and summary: the same weights to the last bit)
on a data set loaded once for the whole sweep (``load_data``) and returns its ``--json``
summary.  ``run_local`` runs jobs on threads of this process, ``run_dask`` as tasks of a
Dask distributed cluster (the data scattered to the workers once); both yield an ``Outcome``
per run as runs end, in the order they end.

Threads, not processes, on one machine: the training kernel holds no GIL, and a process pays
for starting (benchmarks/bench_sweep.py, a 4 x 4 iris sweep on 2 shared cores, 2026-12-07:
2 processes took 22-31% more CPU time than 2 threads at 50,000 iterations a run and 2.4x
at 10,000, even with a forkserver that preloads NumPy and numba, and were the slowest in
every repeat; threads took 6-10% more CPU than one at a time).  OpenBLAS's thread count is one setting for the whole process,
so with threads every run trains with the same count, set once for the sweep
(``sweep_blas_threads``): 1 when every run is small (what ``nnviz train`` chooses for them
too), else the cores shared out between the runs; never more runs x threads than cores.

A stop (``should_stop``: Ctrl+C) stops the runs under way at their next chunk (their
summaries say "interrupted") and starts no other (their Outcome has no summary); an error in
run k does the same to the runs after k only, so that the runs before it end as they would
one at a time.

Not here: printing and ordering the lines (the CLI), sharding a grid (``sweep.in_shard``).
"""

from __future__ import annotations

import functools
import math
import os
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import nullcontext
from dataclasses import dataclass, field

import numpy as np

from . import blas
from . import data as datamod
from .experiment import Experiment, Settings
from .model import Model
from .options import early_fields, run_summary
from .sweep import train_headless

POLL_SECONDS = 0.1  # how often the sweep's own thread looks for a stop and for runs that ended
DASK_CONNECT_SECONDS = 10.0  # how long to try to reach a Dask scheduler
DASK_STOP_POLL_SECONDS = 0.5  # how often a run on a Dask worker asks whether the sweep was stopped


@dataclass(frozen=True)
class Job:
    """One run of a sweep: its place in the whole grid (from 1) and its settings."""

    index: int
    settings: Settings
    start: tuple[np.ndarray, ...] | None = None  # starting weights (read from a CSV file for --init)


@dataclass
class Shared:
    """What every run of a sweep shares, sent to a cluster once: the data sets by ``data_key``,
    and the --init model (None without)."""

    datasets: dict[tuple, datamod.Dataset]
    init: Model | None = None

    def dataset(self, settings: Settings) -> datamod.Dataset:
        return self.datasets[data_key(settings)]


@dataclass
class Outcome:
    """How one run ended: its summary (None when it never started), or the error that stopped it."""

    job: Job
    summary: dict | None = None
    error: BaseException | None = field(default=None, repr=False)


def data_key(s: Settings) -> tuple:
    """What the data of a run depends on: the data set, its target, and for the generated 2-D
    built-ins the noise and the seed."""
    generated = s.data in datamod.GENERATED
    return (s.data, s.target, s.classify, s.noise if generated else None, s.seed if generated else None)


def load_data(settings: Sequence[Settings]) -> dict[tuple, datamod.Dataset]:
    """Each data set the runs need, loaded once (a ValueError of one line, as ``nnviz train``'s)."""
    out: dict[tuple, datamod.Dataset] = {}
    for s in settings:
        key = data_key(s)
        if key not in out:
            out[key] = datamod.load(s.data, s.target, s.classify, s.noise, s.seed)
    return out


def build(job: Job, shared: Shared) -> Experiment:
    """The experiment of a job (its data from ``shared``, its start weights when given)."""
    exp = Experiment(job.settings, dataset=shared.dataset(job.settings), init=shared.init)
    if job.start is not None:
        for W, new in zip(exp.network.weights, job.start, strict=True):
            W[...] = new
    return exp


def summary_of(exp: Experiment, snap, stopped: str) -> dict:
    """The ``--json`` summary of a trained experiment, as ``nnviz train --json`` prints it."""
    ev = exp.evaluate()
    early = early_fields(snap)
    summary = run_summary(exp.dataset.name, exp.arch, exp.settings, exp.session.iteration, ev,
                          snap.training_seconds, early["stopped_at"] or exp.session.iteration, stopped,
                          snap.message, early, exp.learning_rate())
    summary.update(engine=exp.session.engine, blas_threads=exp.session.blas_threads)
    return summary


def run_job(job: Job, shared: Shared, should_stop: Callable[[], bool] = lambda: False,
            on_progress: Callable[[int, float], None] | None = None, blas_threads: int | None = None) -> dict | None:
    """Train one run and return its summary; None when a stop came before it started.
    ``blas_threads``: the BLAS threads it trains with (None: its own choice, as ``nnviz train``'s).
    An error inside training is a ``sweep.TrainingFailed``."""
    if should_stop():
        return None
    exp = build(job, shared)
    if blas_threads is not None:
        exp.session.blas_threads = blas_threads
    snap, stopped = train_headless(exp, should_stop, on_progress)
    return summary_of(exp, snap, stopped)


# -- this machine ----------------------------------------------------------------------------

def cores() -> int:
    """The cores this process may run on (a batch system's allocation, not the whole machine's)."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except (AttributeError, OSError):  # not on Linux
        return os.cpu_count() or 1


def work_bound(job: Job, shared: Shared) -> int:
    """At most the multiply-adds of one of the job's iterations (blas.work; all the rows when
    full batch, since the split is not made here)."""
    s, ds = job.settings, shared.dataset(job.settings)
    if shared.init is not None:
        sizes = shared.init.arch.sizes
    else:
        sizes = (len(s.features) or ds.X.shape[1], *s.hidden, ds.T.shape[1])
    return blas.work_of(sizes, min(s.batch_size or ds.n, ds.n))


def sweep_blas_threads(jobs: Sequence[Job], shared: Shared, workers: int) -> int:
    """The BLAS threads of every run of a sweep on ``workers`` threads: 1 when all are below
    ``blas.MEASURE_FROM`` (where one thread was always the faster), else the cores shared out."""
    if all(work_bound(j, shared) < blas.MEASURE_FROM for j in jobs):
        return 1
    return max(cores() // max(workers, 1), 1)


def _blas_limit(threads: int):
    """BLAS at ``threads`` threads in the whole process for the with-block (threadpoolctl)."""
    c = blas.controller()
    return nullcontext() if c is None else c.limit(limits=threads, user_api="blas")


def _guarded(job: Job, shared: Shared, should_stop, blas_threads: int) -> Outcome:
    try:
        return Outcome(job, run_job(job, shared, should_stop, blas_threads=blas_threads))
    except Exception as exc:  # noqa: BLE001 - handed to the sweep, which stops and reports it
        return Outcome(job, error=exc)


def run_local(jobs: Sequence[Job], shared: Shared, workers: int, should_stop: Callable[[], bool] = lambda: False,
              on_progress: Callable[[Job, int, float], None] | None = None) -> Iterator[Outcome]:
    """Train the jobs on ``workers`` threads (one: one after the other in this thread, telling
    ``on_progress`` the job, its iteration and mse between chunks), yielding each Outcome as its
    run ends.  A stop stops every run; an error in run k the runs after k (as one after the
    other, the runs before it end as they would have)."""
    if workers <= 1 or len(jobs) <= 1:
        for job in jobs:
            progress = None if on_progress is None else functools.partial(on_progress, job)
            try:
                summary = run_job(job, shared, should_stop, progress)
            except Exception as exc:  # noqa: BLE001 - the caller reports it
                yield Outcome(job, error=exc)
                return
            yield Outcome(job, summary)
            if summary is None or should_stop():
                return
        return
    workers = min(workers, len(jobs))
    threads = sweep_blas_threads(jobs, shared, workers)
    for engine, dtype in {(j.settings.engine, j.settings.dtype) for j in jobs}:
        from .training import warm_up  # the kernel loaded once, before any run (its BLAS before the limit)

        loading = warm_up(engine, dtype)
        while loading is not None and loading.is_alive() and not should_stop():
            loading.join(POLL_SECONDS)
    after = [math.inf]  # runs with a greater index stop (the first failed run's)

    def stop_for(index: int) -> Callable[[], bool]:
        return lambda: index > after[0] or should_stop()

    with _blas_limit(threads), ThreadPoolExecutor(workers, thread_name_prefix="nnviz-sweep") as pool:
        futures: dict[Future, Job] = {pool.submit(_guarded, j, shared, stop_for(j.index), threads): j for j in jobs}
        pending = set(futures)
        try:
            while pending:
                done, pending = wait(pending, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
                for f in sorted(done, key=lambda f: futures[f].index):
                    out = Outcome(futures[f]) if f.cancelled() else f.result()
                    if out.error is not None:
                        after[0] = min(after[0], out.job.index)
                    yield out
                for f in pending:
                    if should_stop() or futures[f].index > after[0]:
                        f.cancel()  # not started: it never will
        finally:  # also when the caller stops early: nothing more starts, the runs under way stop
            after[0] = -math.inf
            for f in futures:
                f.cancel()


# -- a Dask cluster --------------------------------------------------------------------------

def _dask():
    try:
        import distributed
    except ImportError:
        raise ValueError("--dask needs Dask's distributed scheduler: pip install 'nnviz[dask]'") from None
    return distributed


def _version() -> str:
    from .. import __version__

    return __version__


def _dask_task(job: Job, shared: Shared, stop_name: str) -> dict | None:
    """A run on a Dask worker; it stops when the sweep's Dask Variable (the index after which
    runs stop) falls below its index, asked at most every DASK_STOP_POLL_SECONDS (each ask is
    a message to the scheduler)."""
    import distributed

    after = distributed.Variable(stop_name)
    last = [-math.inf, False]

    def should_stop() -> bool:
        now = time.monotonic()
        if not last[1] and now - last[0] >= DASK_STOP_POLL_SECONDS:
            try:
                limit = after.get(timeout=DASK_CONNECT_SECONDS)
            except Exception:  # noqa: BLE001 - the sweep has gone (its Variable with it): stop
                limit = -math.inf
            last[0], last[1] = now, job.index > limit
        return bool(last[1])

    return run_job(job, shared, should_stop)


def connect(address: str):
    """A Dask client of the scheduler at ``address``; a ValueError of one line when there is none
    or its workers cannot run nnviz (not installed, or another version)."""
    distributed = _dask()
    try:  # a malformed address: said now (a Client made of one takes 20 s to give up)
        from distributed.comm import get_address_host_port, parse_address

        if parse_address(address)[0] in ("tcp", "tls"):
            get_address_host_port(address)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"--dask {address!r} is not a scheduler's address, like tcp://host:8786 ({exc})") from None
    try:
        client = distributed.Client(address, timeout=DASK_CONNECT_SECONDS, set_as_default=False)
    except Exception as exc:  # noqa: BLE001 - whatever the address did wrong, one line
        raise ValueError(f"--dask {address}: cannot reach a Dask scheduler there "
                         f"({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else 'no answer'})") from None
    try:
        versions = client.run(_version)
    except Exception as exc:  # noqa: BLE001
        client.close()
        raise ValueError(f"--dask {address}: the workers cannot run nnviz ({type(exc).__name__}: {exc}); "
                         "install nnviz on every worker") from None
    if not versions:
        client.close()
        raise ValueError(f"--dask {address}: the cluster has no workers")
    other = sorted({v for v in versions.values() if v != _version()})
    if other:
        client.close()
        raise ValueError(f"--dask {address}: the workers have nnviz {', '.join(other)}, this is {_version()}: "
                         "install the same version on every worker")
    return client


def run_dask(jobs: Sequence[Job], shared: Shared, client, should_stop: Callable[[], bool] = lambda: False
             ) -> Iterator[Outcome]:
    """Train each job as a task of the cluster behind ``client`` (the shared data scattered to
    every worker once), yielding each Outcome as its run ends.  A stop stops every run, an error
    in run k the runs after k (through a Dask Variable the runs look at); a run stopped before
    it started returns no summary."""
    distributed = _dask()
    tag = uuid.uuid4().hex
    stop_name = f"nnviz-sweep-stop-{tag}"
    after = distributed.Variable(stop_name, client=client)
    limit = max((j.index for j in jobs), default=0)
    after.set(limit)
    sent = client.scatter(shared, broadcast=True)
    futures = {client.submit(_dask_task, j, sent, stop_name, key=f"nnviz-run-{j.index}-{tag}", pure=False): j
               for j in jobs}
    pending = set(futures)
    try:
        while pending:
            done = {f for f in pending if f.done()}  # (distributed.wait wants a default client)
            pending -= done
            if not done:
                time.sleep(POLL_SECONDS)
            for f in sorted(done, key=lambda f: futures[f].index):
                try:
                    out = Outcome(futures[f], f.result())
                except Exception as exc:  # noqa: BLE001 - the run's own error, raised again here
                    out = Outcome(futures[f], error=exc)
                if out.error is not None and out.job.index < limit:
                    limit = out.job.index
                    after.set(limit)
                yield out
            if limit > 0 and should_stop():
                limit = 0
                after.set(0)
    finally:
        if pending:
            after.set(0)
            client.cancel(list(pending))
        after.delete()
        del sent
