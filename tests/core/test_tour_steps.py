"""The tour "Follow the post" as data (core/tour.py): what each step sets up, what completes its
task, and the numbers its texts quote, measured again here."""

from __future__ import annotations

import re

import numpy as np
import pytest
from recorder import Recorder

from nnviz.core import tour
from nnviz.core.experiment import Experiment, Settings
from nnviz.core.runner import Runner


def step(key: str) -> tour.TourStep:
    return tour.STEPS[tour.index_of(key)]


def runner_for(settings: Settings):
    rec = Recorder()
    runner = Runner(rec)
    runner.configure(settings)
    return runner, rec


def test_the_steps_follow_the_post_in_its_order_and_cite_it_by_title():
    assert tour.KEYS == ("welcome", "network", "design", "forward", "cost", "output-delta", "hidden-delta", "update",
                         "toy", "iris-raw", "iris-scaled", "learning-rate", "deeper", "neuralnet")
    assert len(set(tour.KEYS)) == len(tour.KEYS)
    assert "Deep Neural Network from Scratch in R" in tour.STEPS[0].text
    for s in tour.STEPS:
        assert s.view in tour.VIEWS + ("",) and set(s.point) <= set(tour.POINTS), s.key
        assert (s.task is None) == (s.doing == ""), s.key  # a task says what to do, and only a task


@pytest.mark.parametrize("key, data, sizes, lr, standardize", [
    ("network", "toy", "3-4-2", 0.02, False),
    ("design", "toy", "3-4-2", 0.02, False),
    ("update", "toy", "3-4-2", 0.02, False),
    ("toy", "toy", "3-6-6-2", 0.02, False),
    ("iris-raw", "iris", "4-6-6-3", 0.02, False),
    ("iris-scaled", "iris", "4-6-6-3", 0.02, True),
    ("learning-rate", "iris", "4-6-6-3", 0.005, False),
    ("neuralnet", "iris", "4-6-6-3", 0.02, True),
])
def test_each_step_sets_up_the_network_its_title_and_text_name(key, data, sizes, lr, standardize):
    s = step(key)
    settings = s.settings()
    exp = Experiment(settings)
    assert exp.arch.describe().split(" ")[0] == sizes
    assert (settings.data, settings.lr, settings.standardize, settings.seed) == (data, lr, standardize, 1)
    assert settings.activation == ("sigmoid",) and settings.algorithm == "gd" and settings.iterations == 50_000
    said = s.title + s.text + "".join(a + b for a, b in s.formulas)
    if sizes in ("3-6-6-2", "4-6-6-3"):
        assert sizes in said
    assert f"{lr:g}" in said or key in ("network", "design", "update", "neuralnet")


def test_a_step_without_setup_leaves_the_settings_alone_and_is_done_at_once():
    welcome = step("welcome")
    assert welcome.settings() is None and welcome.task is None
    assert welcome.matches(Settings(data="spiral")) and welcome.done(None)


@pytest.mark.parametrize("key, stage, presses", [
    ("design", "forward 1", 1), ("forward", "forward 2", 2), ("cost", "error", 3),
    ("output-delta", "delta 2", 4), ("hidden-delta", "delta 1", 5), ("update", "update", 6)])
def test_a_stage_task_is_done_by_exactly_its_micro_steps(key, stage, presses):
    s = step(key)
    assert s.task.stage == stage and s.task.presses(len(s.settings().hidden)) == presses
    runner, rec = runner_for(s.settings())
    assert not s.done(rec.last)  # iteration 0, no micro-step yet
    for k in range(presses):
        assert not s.done(rec.last), f"done after {k} of {presses} micro-steps"
        runner.micro_step()
    assert rec.last.stage == stage and s.done(rec.last)
    assert rec.last.iteration == (1 if stage == "update" else 0)


def test_a_stage_task_is_not_done_by_steps_or_on_another_network():
    s = step("hidden-delta")
    runner, rec = runner_for(s.settings())
    runner.step(3)
    while runner.busy:
        runner.advance()
    assert rec.last.iteration == 3 and not s.done(rec.last)
    other, orec = runner_for(s.settings().with_(hidden=(5,)))
    for _ in range(5):
        other.micro_step()
    assert orec.last.stage == "delta 1" and not s.done(orec.last)  # the stage, but not the step's network


def test_an_iteration_task_is_done_at_its_iteration_and_not_one_before():
    s = step("iris-raw")
    runner, rec = runner_for(s.settings())
    runner.step(4_999)
    while runner.busy:
        runner.advance()
    assert rec.last.iteration == 4_999 and not s.done(rec.last)
    runner.step(1)
    while runner.busy:
        runner.advance()
    assert s.done(rec.last)
    assert not step("iris-scaled").done(rec.last)  # unscaled inputs are not the scaled step's run


def test_the_layers_task_counts_hidden_layers_whatever_their_sizes():
    s = step("deeper")
    runner, rec = runner_for(s.settings())
    assert not s.done(rec.last)
    runner.configure(s.settings().with_(hidden=(6, 6, 6)))
    assert s.done(rec.last)
    runner.configure(s.settings().with_(hidden=(6, 6, 6), standardize=False))
    assert not s.done(rec.last)


def test_the_cost_the_tour_writes_is_half_the_sum_of_squares_of_the_snapshot():
    s = step("cost")
    runner, rec = runner_for(s.settings())
    runner.step(7)
    while runner.busy:
        runner.advance()
    snap = rec.last
    exp = Experiment(s.settings())
    T = exp.train.T
    by_hand = 0.5 * float(np.sum((T - snap.outputs) ** 2))
    n, k = T.shape
    assert tour.cost(snap.mse, n, k) == pytest.approx(by_hand, rel=1e-12)
    text = tour.live_text(s, snap, n, k)
    assert f"C = {by_hand:.6g}" in text and f"{n} rows" in text and f"{k} outputs" in text
    assert tour.live_text(step("toy"), snap, n, k) == ""


def test_stage_labels_are_the_post_names():
    assert tour.stage_label("forward 1", 1) == "X \u2192 H"
    assert tour.stage_label("forward 2", 1) == "H \u2192 \u0177"
    assert tour.stage_label("delta 2", 1) == "\u03b4_y"
    assert tour.stage_label("delta 1", 1) == "\u03b4_h"
    assert tour.stage_label("delta 1", 2) == "\u03b4_h1"
    assert "\u03b4_h" in step("hidden-delta").doing and "X \u2192 H" in step("design").doing


def test_progress_says_where_the_student_is():
    s = step("cost")
    runner, rec = runner_for(s.settings())
    assert "no micro-step" in s.task.progress(rec.last)
    runner.micro_step()
    runner.micro_step()
    assert s.task.progress(rec.last) == "now at: H \u2192 \u0177"
    assert step("toy").task.progress(rec.last) == "now: iteration 0 of 50,000"


def _rises(settings: Settings):
    exp = Experiment(settings)
    mse = exp.session.run(settings.iterations).mse
    d = np.diff(mse)
    return exp, mse, np.flatnonzero(d > 0), d / mse[:-1]


def _number(text: str, before: str) -> float:
    """The number written just before ``before`` in a text ("at iteration 4,277" -> 4277)."""
    m = re.search(r"([\d,.]+)\s*" + re.escape(before), text)
    assert m, before
    return float(m.group(1).replace(",", ""))


@pytest.mark.slow
def test_the_measured_numbers_of_the_iris_steps_hold():
    raw = step("iris-raw")
    exp, mse, rises, rel = _rises(raw.settings())
    assert rises[-1] == 4_277 and "4,277" in raw.text
    assert exp.evaluate().accuracy == pytest.approx(149 / 150) and "149 of the 150" in raw.text
    around = mse[990:1010]
    below = round(int(np.argmax(mse < 0.005)), -2)
    assert rel.max() == pytest.approx(1.42, abs=0.005)
    scaled = step("iris-scaled")
    exp, mse, rises, _ = _rises(scaled.settings())
    assert len(rises) == 0 and "never rises" in scaled.text
    assert f"{mse[999]:.2g}" == "0.0089" and mse[990:1010].max() - mse[990:1010].min() < 1e-4  # smooth
    assert f"{around.min():.2g} and {around.max():.2g}" == "0.011 and 0.027"
    assert "0.0089 while the unscaled one jumps between 0.011 and 0.027" in scaled.text
    assert (round(int(np.argmax(mse < 0.005)), -2), below) == (3_400, 4_400)
    assert "after about 3,400 iterations, the unscaled run after about 4,400" in scaled.text
    assert exp.evaluate().accuracy == pytest.approx(149 / 150)
    slow = step("learning-rate")
    exp, mse, rises, rel = _rises(slow.settings())
    assert rises[-1] == 14_201 and "14,201" in slow.text
    assert round(100 * rel.max()) == 15 and "15%, against 142%" in slow.text


@pytest.mark.slow
def test_the_measured_numbers_of_the_toy_and_deeper_steps_hold():
    toy = step("toy")
    exp = Experiment(toy.settings())
    mse = exp.session.run(50_000).mse
    assert exp.evaluate().accuracy == 1.0
    assert f"{mse[-1]:.3g}" == "0.000299" and "0.000299 at 50,000" in toy.text
    assert [f"{mse[i - 1]:.2g}" for i in (1_000, 5_000, 10_000)] == ["0.22", "0.11", "0.0091"]
    assert "0.22 at iteration 1,000, 0.11 at 5,000, 0.0091 at 10,000" in toy.text
    deep = step("deeper")
    ten = deep.settings().with_(hidden=(6,) * 10)
    trace = Experiment(ten).session.step_trace()
    first, out = (float(np.abs(trace.layers[i].delta).mean()) for i in (0, -1))
    assert f"{out:.2g}" == "0.11" and f"{first:.1g}" == "8e-08"
    exp = Experiment(ten)
    exp.session.run(50_000)
    assert round(100 * exp.evaluate().accuracy) == 34 and "at 34%" in deep.text


def test_index_of_an_unknown_step_is_the_first():
    assert tour.index_of(None) == 0 and tour.index_of("no such step") == 0 and tour.index_of("cost") == 4


def test_the_scaled_and_slow_steps_start_from_the_unscaled_runs_weights():
    """The texts say "the same network from the same start weights": only the inputs or the rate differ."""
    raw = Experiment(step("iris-raw").settings())
    for key in ("iris-scaled", "learning-rate"):
        other = Experiment(step(key).settings())
        for a, b in zip(raw.network.weights, other.network.weights, strict=True):
            assert np.array_equal(a, b), key
    assert "the same start weights" in step("iris-scaled").text
