"""``nnviz sweep`` and ``nnviz sweep-merge``: one run per value of one or two settings, N at a time,
on a Dask cluster or a shard of the grid, a line per run in the grid's order; the shards' lines
joined."""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path

from .. import io as nnio
from .. import logs, stopping
from ..core import parallel, sweep
from ..core.experiment import Experiment, Settings
from ..core.files import read_text
from ..core.options import settings_from_options
from ..core.sweep import MAX_AXES, TrainingFailed
from .options import EXIT_DIVERGED, STDIO, add_training_options, positive_int, say_notes, shard
from .run import Progress, stdin_dataset


def add_parsers(sub) -> None:
    sw = sub.add_parser("sweep", help="train one run per value (a grid over one or two settings) and print a line per run")
    add_training_options(sw)
    sw.add_argument("--quiet", action="store_true", help="no progress on stderr")
    _listify(sw)
    sw.add_argument("--jobs", type=positive_int, metavar="N",
                    help="train N runs at a time on this machine's cores (default: every core it may use)")
    sw.add_argument("--dask", metavar="ADDRESS",
                    help="train the runs on the Dask cluster whose scheduler is at ADDRESS (tcp://host:8786), "
                         "one task per run (needs nnviz[dask] here and on the workers)")
    sw.add_argument("--shard", type=shard, metavar="K/N",
                    help="train only the K-th of N interleaved slices of the grid (runs K, K+N, K+2N...), "
                         "for a batch system's array job; nnviz sweep-merge joins the --json results")
    mg = sub.add_parser("sweep-merge", help="join the --json lines of a sweep's shards in the grid's order")
    mg.add_argument("files", nargs="+", metavar="FILE", help="the shards' nnviz sweep --json --shard K/N output")
    mg.add_argument("--partial", action="store_true",
                    help="merge even when runs are missing or were interrupted (a note names them)")


# options that take a list in ``nnviz sweep`` (every option of a training setting with a value)
_NOT_LISTED = ("data", "target", "engine", "init", "export")


def _listify(p: argparse.ArgumentParser) -> None:
    """Make each setting's option of ``p`` take a comma-separated list of values; within a
    value of --hidden and --activation the layers are joined by "-" (4,6-6: (4) and (6, 6))."""
    known = set(Settings.__dataclass_fields__)
    for action in p._actions:
        if (action.dest in known or action.dest == "hidden") and action.dest not in _NOT_LISTED \
                and action.nargs is None and action.option_strings and not isinstance(action.const, bool):
            action.type = _list_of(action.type, action.choices, action.dest in ("hidden", "activation", "features"))
            if action.choices is not None:
                action.help = f"{action.help + '; ' if action.help else ''}one or more of {', '.join(action.choices)}"
            action.choices = None


def _list_of(convert, choices, layers: bool):
    def parse(text: str) -> list:
        items = [t.strip() for t in text.split(",")]
        if not any(items):
            raise argparse.ArgumentTypeError("no values: give one or more, separated by commas")
        if not all(items):
            raise argparse.ArgumentTypeError(f"an empty value in {text!r}: separate values by single commas")
        out = []
        for item in items:
            value = convert(item) if convert is not None else item
            if choices is not None and value not in choices:
                raise argparse.ArgumentTypeError(f"invalid choice {item!r} (choose from {', '.join(choices)})")
            out.append(value.replace("-", ",") if layers else value)
        return out
    return parse


def _sweep_runs(args) -> tuple[list[tuple[dict, argparse.Namespace]], list[str]]:
    """Each run's options (the varied values, and all of them) and the names of the varied settings;
    every run's settings are checked before any trains."""
    listed = {k: v for k, v in vars(args).items() if isinstance(v, list)}
    axes = {k: v for k, v in listed.items() if len(v) > 1}
    if len(axes) > MAX_AXES:
        raise ValueError(f"a sweep varies one or two settings, not {len(axes)} "
                         f"({', '.join('--' + k.replace('_', '-') for k in axes)})")
    runs = []
    for combo in itertools.product(*axes.values()):
        ns = argparse.Namespace(**{k: (v[0] if isinstance(v, list) else v) for k, v in vars(args).items()})
        varied = dict(zip(axes, combo, strict=True))
        for k, v in varied.items():
            setattr(ns, k, v)
        try:
            settings_from_options(ns).train_config()
        except ValueError as exc:
            what = ", ".join(f"--{k.replace('_', '-')} {v}" for k, v in varied.items())
            raise ValueError(f"the run with {what}: {exc}" if what else str(exc)) from None
        runs.append((varied, ns))
    return runs, list(axes)


def _sweep_jobs(args, runs) -> tuple[list[parallel.Job], parallel.Shared, str]:
    """The jobs of the whole grid, what they share (the data loaded once, the --init model) and
    the grid's name (sweep.grid_id)."""
    init_csv = bool(args.init) and args.init.lower().endswith(".csv")
    init = nnio.load(args.init) if args.init and not init_csv else None
    settings = [settings_from_options(ns, init) for _, ns in runs]
    piped = stdin_dataset(args) if args.data == STDIO else None  # the rows read once by main
    shared = parallel.Shared(parallel.load_data(settings, piped), init)
    jobs = []
    for k, s in enumerate(settings, 1):
        start = None
        if init_csv:  # CSV weights are read against each run's architecture
            start = tuple(nnio.read_csv_weights(args.init, Experiment(s, dataset=shared.dataset(s)).arch))
        jobs.append(parallel.Job(k, s, start))
    extra = Path(args.init).read_bytes() if args.init else b""
    return jobs, shared, sweep.grid_id(settings, extra)


def cmd_sweep(args) -> int:
    """One run per combination of the listed values, each exactly as ``nnviz train`` with the same
    options would run it; N at a time (--jobs), or on a Dask cluster (--dask), or only a shard of
    the grid (--shard K/N).  Lines come in the grid's order, each as soon as its run and the runs
    before it have ended."""
    if args.export:
        raise ValueError("nnviz sweep exports no models: train the run you want with nnviz train --export")
    if args.dask is not None and args.jobs is not None:
        raise ValueError("--jobs is for this machine: on a Dask cluster the workers' threads say how many runs "
                         "train at a time")
    runs, axes = _sweep_runs(args)
    jobs, shared, grid = _sweep_jobs(args, runs)
    what = {job.index: ", ".join(f"{key} {_show_option(v)}" for key, v in varied.items())
            for job, (varied, _) in zip(jobs, runs, strict=True)}
    mine = [job for job in jobs if sweep.in_shard(job.index, args.shard)]
    stopping.check()  # a signal while nnviz read the data: stop, nothing printed
    client = parallel.connect(args.dask) if args.dask is not None else None
    say_notes(next(iter(shared.datasets.values())).notes)
    workers = max(min(args.jobs or parallel.cores(), len(mine)), 1)
    show = not args.quiet and sys.stderr.isatty()
    bar = _SweepProgress(len(jobs), len(mine), None if client is not None else workers, what, show)
    ended: dict[int, parallel.Outcome] = {}
    printed = 0  # the runs of ``mine`` printed, in order
    failed: parallel.Outcome | None = None
    status = 0
    try:
        stopping.check()  # a signal while nnviz reached the cluster: stop, nothing printed
        if client is not None:
            outcomes = parallel.run_dask(mine, shared, client, stopping.stop_requested)
        else:
            outcomes = parallel.run_local(mine, shared, workers, stopping.stop_requested, bar.update)
        for out in outcomes:
            bar.ended(out)
            ended[out.job.index] = out
            if out.error is not None and (failed is None or out.job.index < failed.job.index):
                failed = out  # the runs after it stop; those before it end as one at a time
            if out.summary is not None and out.summary["stopped"] == "diverged":
                status = EXIT_DIVERGED
            while printed < len(mine) and mine[printed].index in ended and ended[mine[printed].index].error is None:
                if ended[mine[printed].index].summary is not None:
                    _print_sweep_run(args, ended[mine[printed].index], len(jobs), what, grid)
                printed += 1
            bar.redraw()
    finally:
        bar.close()
        if client is not None:
            client.close()
    if failed is not None:
        raise _run_error(failed, args.dask)
    for job in mine[printed:]:  # after a stop: the runs that ended after one still under way, in order
        late = ended.get(job.index)
        if late is not None and late.summary is not None:
            _print_sweep_run(args, late, len(jobs), what, grid)
    signum = stopping.requested()
    if signum is not None:
        finished = sum(1 for o in ended.values() if o.summary is not None and o.summary["stopped"] != "interrupted")
        print(f"{stopping.interrupted_line()}: the sweep stopped after {finished} of {len(mine)} runs", file=sys.stderr)
        return stopping.status(signum)
    return status


def _run_error(out: parallel.Outcome, dask: str | None) -> BaseException:
    """The error of a run as the sweep raises it: a ValueError of one line naming the run (the
    traceback of an error inside training is in the log: nnviz's, or the Dask worker's)."""
    exc = out.error
    assert exc is not None
    where = f"run {out.job.index}: "
    if isinstance(exc, TrainingFailed):
        log = "the Dask worker's log" if dask else str(logs.log_path())
        return ValueError(f"{where}{exc} (the traceback is in {log})")
    if isinstance(exc, ValueError) or dask:
        text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return ValueError(f"{where}{text}" if isinstance(exc, ValueError) else f"{where}{type(exc).__name__}: {text}")
    return exc


def _print_sweep_run(args, out: parallel.Outcome, n: int, what: dict[int, str], grid: str) -> None:
    """A run's line on stdout: its --json summary with its place in the grid (run, runs) and the
    grid's name, or a line of text."""
    s = out.summary
    assert s is not None
    if args.json:
        print(json.dumps({**s, "run": out.job.index, "runs": n, "grid": grid}), flush=True)
    else:
        _print_sweep_line(out.job.index, n, what[out.job.index], s)


class _SweepProgress:
    """A sweep's progress on stderr (a terminal only): one after the other, each run's name and
    bar; side by side, how many runs have ended."""

    def __init__(self, total: int, mine: int, workers: int | None, what: dict[int, str], enabled: bool):
        self.total, self.mine, self.what, self.enabled = total, mine, what, enabled
        self.serial = workers == 1
        self.job: parallel.Job | None = None
        self.bar: Progress | None = None
        self.done = 0
        if enabled and not self.serial:
            where = "the Dask cluster" if workers is None else f"{workers} threads"
            sys.stderr.write(f"{mine} runs on {where}\n")

    def update(self, job: parallel.Job, iteration: int, mse: float) -> None:
        if job is not self.job:
            self.close()
            self.job = job
            if self.enabled:
                sys.stderr.write(f"run {job.index}/{self.total}{': ' + self.what[job.index] if self.what[job.index] else ''}\n")
            self.bar = Progress(job.settings.iterations, self.enabled)
        assert self.bar is not None
        self.bar.update(iteration, mse)

    def ended(self, out: parallel.Outcome) -> None:
        """A run ended: its bar closed (or the count's line wiped) before lines are printed."""
        self.done += 1
        if self.serial:
            self.close()
        elif self.enabled:
            sys.stderr.write("\r\033[K")

    def redraw(self) -> None:
        """Side by side: the count of runs ended, on a line of its own after the printed lines."""
        if self.enabled and not self.serial:
            sys.stderr.write(f"\r{self.done}/{self.mine} runs ended")
            sys.stderr.flush()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None
        elif self.enabled and not self.serial:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


def cmd_sweep_merge(args) -> int:
    """The --json lines of a sweep's shards in the grid's order, on stdout."""
    lines = []
    for path in args.files:
        text = read_text(path)
        lines += [(f"{path}: line {i}", line) for i, line in enumerate(text.splitlines(), 1) if line.strip()]
        stopping.check()
    merged, notes = sweep.merge(lines, partial=args.partial)
    for note in notes:
        print(f"nnviz: note: {note}", file=sys.stderr)
    for line in merged:
        print(line)
    return 0


def _show_option(value) -> str:
    return str(value).replace(",", "-") if isinstance(value, str) else f"{value:g}" if isinstance(value, float) else str(value)


def _print_sweep_line(k: int, n: int, what: str, s: dict) -> None:
    line = f"run {k}/{n}  {what or 'the settings as given'}:  {s['architecture']}  train mse {s['mse']:.6g}" \
        if s["mse"] is not None else f"run {k}/{n}  {what}:  {s['architecture']}  train mse -"
    if s["accuracy"] is not None:
        line += f"  accuracy {s['accuracy']:.2%}"
    if s["test_mse"] is not None:
        line += f"  test mse {s['test_mse']:.6g}"
    line += f"  {s['iterations']} iterations  {s['seconds']:.2f} s  stopped: {s['stopped']}"
    print(line, flush=True)
