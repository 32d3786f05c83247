"""The Explain tab's data travels with the snapshot of the iteration it belongs to, and only
when asked for (Runner.set_view with the tab's need strings)."""

from __future__ import annotations

import numpy as np
from recorder import Recorder

from nnviz.core.experiment import Experiment, Settings
from nnviz.core.runner import Runner

ASK = {"outputs", "importance", "gen_weights:0", "profile:lek:3"}


def _olden_by_paths(weights) -> np.ndarray:
    """Olden's importance of a one-hidden-layer net, path by path (written independently)."""
    W1, W2 = weights
    p, h, k = W1.shape[0] - 1, W1.shape[1], W2.shape[1]
    return np.array([[sum(W1[i + 1, j] * W2[j + 1, o] for j in range(h)) for o in range(k)] for i in range(p)])


def _runner(settings: Settings):
    rec = Recorder()
    runner = Runner(rec)
    runner.configure(settings)
    return runner, rec


def _rest(runner):
    while runner.busy:
        runner.advance()


def test_nothing_is_explained_unless_the_tab_asks():
    runner, rec = _runner(Settings(hidden=(5,), iterations=100))
    runner.step(5)
    _rest(runner)
    assert rec.last.learned is None
    runner.set_view({"outputs", "bogus:1", "profile:lek:x"})
    assert rec.last.learned is None and runner.needs == {"outputs"}


def test_the_snapshot_explains_its_own_weights_and_a_preview_its_own():
    s = Settings(hidden=(5,), iterations=1000, lr=0.02)
    runner, rec = _runner(s)
    runner.set_view(ASK)
    runner.step(120)
    _rest(runner)
    now = rec.last
    assert now.iteration == 120 and now.learned is not None
    assert np.abs(now.learned.olden - _olden_by_paths(now.weights)).max() < 1e-12
    assert now.learned.gw.output == 0 and now.learned.gw.values.shape == (150, 4)
    assert now.learned.profile.kind == "lek" and now.learned.profile.inputs == (3,)
    runner.preview(40)
    then = rec.last
    assert then.preview and then.iteration == 40
    exp = Experiment(s)
    exp.session.run(40)
    assert np.abs(then.learned.olden - _olden_by_paths(exp.network.weights)).max() < 1e-12
    assert not np.allclose(then.learned.olden, now.learned.olden)  # importance moved during training
    # the profile of the preview is the network of iteration 40's, row by row
    prof = then.learned.profile
    row = prof.held[1].copy()
    row[3] = prof.x[0, 10]
    assert np.abs(prof.curves[0, 1, 10] - exp.network.predict(exp.scaling.inputs(row[None, :]))[0]).max() < 1e-12
