"""Schedule factors and penalty rates are bounded to what can work, refused in one line by the
core's validation, and no NumPy warning comes out of a schedule (issue 24, item 6)."""

import warnings

import numpy as np
import pytest

from nnviz import cli
from nnviz.core.experiment import Settings
from nnviz.core.training import MAX_PENALTY, TrainConfig, parse_schedule, schedule_rates


@pytest.mark.parametrize("text,match", [
    ("step:1e308:1", "step:FACTOR:EVERY needs 0 < FACTOR <= 1"),
    ("step:1.5:100", "step:FACTOR:EVERY needs 0 < FACTOR <= 1"),
    ("step:0:100", "step:FACTOR:EVERY needs 0 < FACTOR <= 1"),
    ("step:0.5:1e300", "EVERY"),
    ("inv:1e308", "inv:K needs 0 <= K <= 1000"),
    ("inv:1001", "inv:K needs 0 <= K <= 1000"),
    ("exp:1e-320", "exp:GAMMA needs"),
])
def test_schedules_beyond_what_can_work_are_refused(text, match):
    with pytest.raises(ValueError, match=match) as info:
        Settings(lr_schedule=text).train_config()
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("kw,match", [
    (dict(l2=1e308), "L2 rate must be between 0 and 1000"),
    (dict(l1=MAX_PENALTY * 2), "L1 rate must be between 0 and 1000"),
    (dict(l2=100.0, lr=0.02), r"lr \* L2 .* below 2"),  # each update multiplies W by 1 - 2: it swings ever wider
    (dict(l2=160.0, lr=0.02, momentum=0.5), r"lr \* L2 .* below 3"),
])
def test_penalty_rates_beyond_what_can_work_are_refused(kw, match):
    with pytest.raises(ValueError, match=match) as info:
        Settings(**kw).train_config()
    assert "\n" not in str(info.value)


def test_rates_within_the_bounds_are_taken():
    TrainConfig(l1=MAX_PENALTY, algorithm="rprop+", l2=MAX_PENALTY)  # rprop has no learning rate to bound lr * l2
    TrainConfig(lr=0.02, l2=99.0)
    TrainConfig(lr=0.02, l2=140.0, momentum=0.5)
    for text in ("step:1:1", "step:1e-300:1", "exp:1", "exp:1e-300", "inv:1000", "inv:0"):
        parse_schedule(text)


@pytest.mark.parametrize("text", ["step:1e-300:1", "exp:1e-300", "inv:1000", "step:0.5:1", "exp:0.5"])
def test_no_numpy_warning_from_a_schedule_at_any_iteration(text):
    t = np.array([0, 1, 2, 10**6, 2**53 - 1], dtype=np.float64)
    with warnings.catch_warnings(), np.errstate(all="raise"):  # even where NumPy is told to raise
        warnings.simplefilter("error")
        rates = schedule_rates(0.02, text, t)
    assert np.isfinite(rates).all() and (rates >= 0).all() and (rates <= 0.02).all()


def test_the_cli_refuses_the_overflowing_schedule_in_one_line(capsys):
    code = cli.main(["train", "--data", "toy", "--lr-schedule", "step:1e308:1", "--iterations", "10"])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("nnviz: error: ") and "FACTOR" in err
    assert "Warning" not in err
