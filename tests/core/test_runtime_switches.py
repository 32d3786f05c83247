"""How training runs (an engine that can be cut short, cores left to a painting window) is a
parameter of the Runner, passed down to its experiments and sessions, never module-level
state: what a process built before (a window) changes nothing after (issue 24, item 10)."""

import numpy as np
import pytest

from nnviz.core import blas, kernel, training
from nnviz.core.data import Dataset
from nnviz.core.experiment import Experiment, Settings
from nnviz.core.network import Architecture, Network
from nnviz.core.runner import Runner
from nnviz.core.training import AUTO_NUMPY_MACS, TrainConfig, TrainingSession, resolve_engine

needs_numba = pytest.mark.skipif(not kernel.AVAILABLE, reason="numba is not installed")


class Quiet:
    def on_context(self, ctx):
        pass

    def on_snapshot(self, snap):
        pass

    def on_error(self, message):
        raise AssertionError(message)


def wide() -> Dataset:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(1000, 400))
    return Dataset("wide", X, np.eye(3)[rng.integers(0, 3, 1000)], tuple(f"p{i}" for i in range(400)),
                   ("a", "b", "c"), "classes")


BIG = Settings(data="wide", hidden=(256, 256))


def test_no_module_level_switches_are_left():
    for module, name in ((training, "_interruptible"), (training, "prefer_interruptible"),
                         (blas, "_cap"), (blas, "leave_cores")):
        assert not hasattr(module, name), f"{module.__name__}.{name} is global state again"


@needs_numba
def test_an_interruptible_runner_keeps_the_kernel_and_nothing_else_does():
    ds = wide()
    assert resolve_engine("auto", AUTO_NUMPY_MACS) == "numpy"
    assert resolve_engine("auto", AUTO_NUMPY_MACS, interruptible=True) == "numba"
    runner = Runner(Quiet(), interruptible=True, leave_cores=1)
    runner.configure(BIG, dataset=ds)
    assert runner.exp.session.engine == "numba" and runner.exp.session.leave_cores == 1
    runner.reset()
    assert runner.exp.session.engine == "numba"  # a new network of the same runner
    # the window's runner changed nothing for anyone else in the process
    assert Experiment(BIG, dataset=ds).session.engine == "numpy"
    assert Runner(Quiet()).configure(BIG, dataset=ds) is None
    # an experiment built elsewhere (an opened session) takes the runner's way when adopted
    exp = Experiment(BIG, dataset=ds)
    runner.adopt(exp)
    assert runner.exp.session.engine == "numba" and runner.exp.session.leave_cores == 1
    before = exp.network.params.copy()
    assert np.array_equal(runner.exp.network.params, before)  # same weights, other engine


def test_cores_left_are_a_session_setting(monkeypatch):
    rng = np.random.default_rng(0)
    args = (rng.normal(size=(600, 256)), rng.uniform(size=(600, 10)), TrainConfig(lr=1e-4))
    net = Network.random(Architecture(256, (256,), 10), rng)
    monkeypatch.setattr(blas, "MEASURE_FROM", 1)
    monkeypatch.setattr(blas, "max_threads", lambda: 2)
    monkeypatch.setattr(blas.os, "cpu_count", lambda: 2)
    measured = []
    monkeypatch.setattr(blas, "_measure", lambda session, counts: measured.append(counts) or counts[-1])
    monkeypatch.setattr(blas, "_choices", {})
    window = TrainingSession(net.copy(), *args, engine="numpy", leave_cores=1)
    assert window.blas_threads == 1 and measured == []  # 2 cores, one left for painting
    cli = TrainingSession(net.copy(), *args, engine="numpy")
    assert cli.blas_threads == 2 and measured == [(1, 2)]  # all the cores, whatever came before
    assert window.clone().leave_cores == 1 and window.clone().blas_threads == 1
