"""Films of the window's run replay the run itself: from its stored states, with the
settings in force at each iteration, across changes of settings and edited weights."""

from __future__ import annotations

import numpy as np
import pytest
from recorder import Recorder

from nnviz.core.experiment import Experiment, Settings
from nnviz.core.film import frame_iterations, shoot, shoot_source
from nnviz.core.runner import Runner
from nnviz.core.timeline import Timeline


def run_until_idle(runner):
    while runner.busy:
        runner.advance()


def steps(runner, n):
    runner.step(n)
    run_until_idle(runner)


def same(a, b) -> bool:
    return all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))


def changed_run():
    """A run whose learning rate and algorithm change at 120 and one weight is edited at 200."""
    rec = Recorder()
    runner = Runner(rec)
    s = Settings(data="iris", hidden=(5,), iterations=10_000)
    runner.configure(s)
    steps(runner, 120)
    runner.configure(rec.last.settings.with_(lr=0.2, momentum=0.5))
    steps(runner, 80)
    runner.set_weight(1, 2, 1, 3.25)
    steps(runner, 100)
    # the same run, by hand
    e = Experiment(s)
    mse = [e.session.run(120).mse]
    e.session.reconfigure(s.with_(lr=0.2, momentum=0.5).train_config())
    mse.append(e.session.run(80).mse)
    e.network.weights[1][2, 1] = 3.25
    mse.append(e.session.run(100).mse)
    e.mses = np.concatenate(mse)
    return runner, rec, e, s


def test_film_of_a_changed_run_starts_at_the_seed_and_ends_at_the_present():
    runner, rec, by_hand, s = changed_run()
    assert same(rec.last.weights, by_hand.network.weights)
    source = runner.film_source()
    assert source.first == 0 and source.present == 300
    reel = shoot_source(source, 0, 300, 12)
    assert [f.iteration for f in reel.frames] == frame_iterations(300, 12).tolist()
    assert same(reel.frames[0].weights, Experiment(s).network.weights)
    assert same(reel.frames[-1].weights, rec.last.weights)
    # the history is every iteration's mse, as the window's curve
    assert reel.history_x.tolist() == list(range(1, 301))
    assert np.array_equal(reel.history_y, by_hand.mses)
    # a replay of the settings in force now, from the seed, is another network: the states matter
    fresh = shoot(Experiment(rec.last.settings), frame_iterations(300, 12))
    assert not same(fresh.frames[-1].weights, rec.last.weights)
    # the run itself is untouched
    assert runner.iteration == 300 and same(runner.exp.network.weights, rec.last.weights)


def test_every_frame_of_a_changed_run_is_the_window_s_network_at_that_iteration():
    runner, rec, _, s = changed_run()
    reel = shoot_source(runner.film_source(), 0, 300, 30)
    for f in reel.frames:
        runner.preview(f.iteration)
        assert rec.last.iteration == f.iteration
        assert same(f.weights, rec.last.weights), f.iteration


def test_a_range_of_the_run_and_beyond_the_present():
    runner, rec, _, s = changed_run()
    source = runner.film_source()
    reel = shoot_source(source, 150, 260, 5)
    assert reel.frames[0].iteration == 150 and reel.frames[-1].iteration == 260
    runner.preview(150)
    assert same(reel.frames[0].weights, rec.last.weights)
    assert reel.history_x[0] == 151 and reel.history_x[-1] == 260
    on = shoot_source(runner.film_source(), 0, 350, 4)  # on past the present, with today's settings
    steps(runner, 50)
    assert same(on.frames[-1].weights, rec.last.weights)
    with pytest.raises(ValueError, match="from 0 on, the first below the last"):
        shoot_source(source, 200, 200, 5)


def test_thinning_keeps_the_states_where_settings_changed():
    e = Experiment(Settings(data="iris", hidden=(4,)))
    tl = Timeline(capacity=8, keep_recent=2)
    tl.record(e.session)
    for it in range(1, 41):
        if it == 11:
            e.session.reconfigure(e.session.config.__class__(lr=0.3))
            tl.record(e.session, anchor=True)
        e.session.run(5)
        tl.record(e.session)
    assert len(tl) <= 8 + 1 and 50 in tl.iterations  # the anchor stayed through the thinning
    for target in (30, 120, 190):
        r = Experiment(Settings(data="iris", hidden=(4,)))
        r.session.run(min(target, 50))
        if target > 50:
            r.session.reconfigure(r.session.config.__class__(lr=0.3))
            r.session.run(target - 50)
        assert np.array_equal(tl.state_at(e.session, target)["params"], r.network.params), target
