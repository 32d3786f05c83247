"""Building the window's worker changes no module-level setting (issue 24, item 10)."""

import numpy as np
import pytest

from nnviz.core import kernel
from nnviz.core.data import Dataset
from nnviz.core.experiment import Experiment, Settings


@pytest.mark.skipif(not kernel.AVAILABLE, reason="numba is not installed")
def test_a_worker_leaves_the_engine_of_other_experiments_alone(qapp):
    from nnviz.gui.worker import TrainingWorker

    rng = np.random.default_rng(0)
    ds = Dataset("wide", rng.normal(size=(1000, 400)), np.eye(3)[rng.integers(0, 3, 1000)],
                 tuple(f"p{i}" for i in range(400)), ("a", "b", "c"), "classes")
    worker = TrainingWorker()
    assert worker.runner.interruptible and worker.runner.leave_cores == 1
    assert Experiment(Settings(data="wide", hidden=(256, 256)), dataset=ds).session.engine == "numpy"
