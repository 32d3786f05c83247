"""What train, sweep, animate and compare-r share: the experiment the options describe (``--data -``
and ``--init`` in any model format), training it to the end with the window's runner, and the
progress bar drawn on a terminal."""

from __future__ import annotations

import sys
import time

from .. import io as nnio
from .. import logs
from ..core import data as datamod
from ..core.experiment import Experiment
from ..core.options import settings_from_options
from ..core.sweep import TrainingFailed, train_headless
from .options import STDIO, detail


def build_experiment(args) -> Experiment:
    """The experiment the options describe; --init from any model format (CSV weights
    take the architecture from --hidden and the data, and must fit it)."""
    dataset = stdin_dataset(args) if args.data == STDIO else None
    if dataset is not None:
        detail(args, f"standard input: {dataset.n} rows, inputs {', '.join(dataset.input_names)}, {dataset.task}")
    if args.init and args.init.lower().endswith(".csv"):
        exp = Experiment(settings_from_options(args), dataset=dataset)
        weights = nnio.read_csv_weights(args.init, exp.arch)
        for W, new in zip(exp.network.weights, weights, strict=True):
            W[...] = new
        return exp
    init = nnio.load(args.init) if args.init else None
    return Experiment(settings_from_options(args, init), dataset=dataset, init=init)


def stdin_dataset(args):
    """The CSV rows piped in with --data - (read once by main: a sweep's runs share them)."""
    target = args.target if isinstance(args.target, str) else None
    return datamod.parse_csv(args.stdin_text, "<stdin>", target, bool(args.classify))


class Progress:
    """A one-line progress bar on stderr, drawn only on a terminal."""

    def __init__(self, total: int, enabled: bool):
        self.total, self.enabled = max(total, 1), enabled
        self.t0 = time.perf_counter()
        self.last = 0.0

    def update(self, iteration: int, mse: float, force: bool = False) -> None:
        now = time.perf_counter()
        if not self.enabled or (now - self.last < 0.1 and not force):
            return
        self.last = now
        frac = min(iteration / self.total, 1.0)
        bar = "#" * int(frac * 30)
        rate = iteration / max(now - self.t0, 1e-9)
        sys.stderr.write(f"\r[{bar:<30}] {iteration:>{len(str(self.total))}}/{self.total}  mse {mse:.6g}  {rate:,.0f} it/s ")
        sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")
            sys.stderr.flush()


COMPILING = ("nnviz: compiling the training kernel into numba's cache (the first run after installing, "
             "10 to 30 s; later runs start at once)")


def train(exp: Experiment, should_stop, on_progress=None, quiet: bool = False):
    """Train to the iteration limit with the same runner as the window (see ``sweep.train_headless``);
    an error inside training is one line that says where its traceback is. Unless ``quiet``, a
    kernel still compiling after a second is said once on stderr (the first run after installing)."""
    def compiling() -> None:
        print(COMPILING, file=sys.stderr, flush=True)

    try:
        return train_headless(exp, should_stop, on_progress, None if quiet else compiling)
    except TrainingFailed as exc:
        raise ValueError(f"{exc} (the traceback is in {logs.log_path()})") from None
