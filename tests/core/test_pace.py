"""Play's pace: the schedule's arithmetic, and the runner following it on a clock of its own."""

from __future__ import annotations

import math

import numpy as np
import pytest
from recorder import Recorder

from nnviz.core.experiment import Experiment, Settings
from nnviz.core.pace import DEFAULT_SPEED, Pace
from nnviz.core.runner import Runner


class Clock:
    def __init__(self):
        self.t = 0.0

    def __call__(self):
        return self.t


def numeric_seconds(pace: Pace, a: float, b: float, steps: int = 200_000) -> float:
    """The integral of dt / r(t) from a to b by the midpoint rule: independent of the closed form."""
    t = np.linspace(a, b, steps + 1)
    mid = (t[:-1] + t[1:]) / 2
    rates = np.minimum(pace.speed, pace.start_rate + mid / pace.ramp_seconds)
    return float(np.sum(np.diff(t) / rates))


@pytest.mark.parametrize("speed", [1.0, 7.5, 30.0, 500.0, DEFAULT_SPEED, 100_000.0])
@pytest.mark.parametrize("a, b", [(0, 100), (0, 50_000), (37, 4_000), (10_000, 60_000)])
def test_seconds_between_is_the_integral_of_one_over_the_rate(speed, a, b):
    pace = Pace(speed)
    assert pace.seconds_between(a, b) == pytest.approx(numeric_seconds(pace, a, b), rel=1e-6)


@pytest.mark.parametrize("speed", [1.0, 30.0, DEFAULT_SPEED, 100_000.0])
@pytest.mark.parametrize("start", [0, 150, 5_000, 300_000])
def test_iteration_after_inverts_seconds_between(speed, start):
    pace = Pace(speed)
    for seconds in (0.01, 0.5, 2.0, 9.0, 40.0):
        it = pace.iteration_after(start, seconds)
        assert it > start
        assert pace.seconds_between(start, it) == pytest.approx(seconds, rel=1e-9)


def test_the_default_pace_makes_the_posts_iris_run_watchable():
    """Issue 23: the post's 50,000 iterations last 15 to 60 s, the first 100 at least 2 s."""
    pace = Pace()
    assert 15 <= pace.seconds_between(0, 50_000) <= 60
    assert pace.seconds_between(0, 100) >= 2
    # ... and the rate grows with the iteration: the early iterations are the slow ones
    assert pace.rate(0) < pace.rate(1_000) < pace.rate(10_000) == DEFAULT_SPEED


def test_a_pace_refuses_a_speed_that_is_not_positive():
    for bad in (0.0, -1.0, math.inf, math.nan):
        with pytest.raises(ValueError, match="speed"):
            Pace(bad)


def paced_runner(speed: float, iterations: int = 10_000):
    clock = Clock()
    rec = Recorder()
    runner = Runner(rec, clock=clock)
    runner.configure(Settings(iterations=iterations))
    runner.set_pace(Pace(speed))
    return runner, rec, clock


def test_play_follows_the_pace_on_the_runners_clock():
    runner, rec, clock = paced_runner(DEFAULT_SPEED)
    pace = runner.pace
    runner.play()
    for seconds in (0.0, 0.3, 1.0, 1.8, 2.5, 3.2, 4.0):  # steps under PACE_SLACK
        clock.t = seconds
        for _ in range(50):  # whatever is due now, however many chunks it takes
            runner.advance()
        expected = int(pace.iteration_after(0, seconds) + 1e-9)
        assert runner.iteration == expected, seconds
        assert runner.busy
    # nothing is due before its time: wait() says how long until the next iteration
    wait = runner.wait()
    assert wait > 0
    clock.t += wait
    runner.advance()
    assert runner.iteration == expected + 1


@pytest.mark.parametrize("speed", [10.0, 30.0])
def test_at_a_pace_up_to_the_frame_rate_every_iteration_is_a_snapshot(speed):
    runner, rec, clock = paced_runner(speed, iterations=40)
    runner.play()
    seen = []
    while runner.busy and clock.t < 60:
        clock.t += max(runner.wait(), 1e-3)
        runner.advance()
        seen.append(rec.last.iteration)
    assert rec.last.state == "finished" and rec.last.iteration == 40
    assert sorted(set(seen)) == list(range(1, 41))  # each iteration was a snapshot of its own
    assert set(range(1, 41)) <= {s.iteration for s in rec.snapshots}


def test_a_paced_run_gives_the_weights_of_an_unpaced_one():
    runner, rec, clock = paced_runner(DEFAULT_SPEED, iterations=3_000)
    runner.play()
    while runner.busy:
        clock.t += max(runner.wait(), 1e-3)
        runner.advance()
    exp = Experiment(Settings(iterations=3_000))
    exp.session.run(3_000)
    for W, V in zip(rec.last.weights, exp.network.weights, strict=True):
        assert np.array_equal(W, V)
    xs = np.concatenate([s.new_iterations for s in rec.snapshots])
    assert np.array_equal(xs, np.arange(3_000))


def test_a_run_slower_than_the_pace_keeps_no_debt():
    """When the iterations are slower than the pace, training runs as fast as it can, and a
    later stretch of spare time is not spent catching up a backlog at once."""
    runner, rec, clock = paced_runner(1_000.0, iterations=1_000_000)
    runner.play()
    clock.t = 100.0  # the pace allows ~98,000 iterations by now: far more than one chunk
    runner.advance()
    done = runner.iteration
    assert 0 < done < 100
    clock.t += 0.1  # 0.1 s later, the pace allows about 100 more, not the backlog
    for _ in range(20):
        runner.advance()
    assert 0 < runner.iteration - done <= 0.1 * 1_000 + 1


def test_step_n_and_the_command_line_are_not_paced():
    runner, rec, clock = paced_runner(1.0, iterations=1_000)
    runner.step(500)
    for _ in range(1_000):
        if not runner.busy:
            break
        runner.advance()  # the clock never moves: only an unpaced Step N can finish
    assert rec.last.iteration == 500 and rec.last.state == "paused"
    runner.set_pace(None)
    runner.play()
    for _ in range(1_000):
        if not runner.busy:
            break
        runner.advance()
    assert rec.last.iteration == 1_000
