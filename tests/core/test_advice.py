"""Defaults that work: the learning rate "auto", and the hint when training goes wrong."""

import numpy as np
import pytest

from nnviz.core import advice
from nnviz.core.advice import Situation, Watch, hint
from nnviz.core.experiment import Experiment, Settings
from nnviz.core.sweep import train_headless

# -- the learning rate "auto" ---------------------------------------------------------------


@pytest.mark.parametrize("data,rows,lr", [
    ("toy", 8, 0.02),  # 3 / 8 is above the post's 0.02
    ("iris", 150, 0.02),  # the post's run: exactly 0.02
    ("xor", 200, 0.015),
    ("wine", 178, 0.0169),  # 3 / 178 = 0.016853...
    ("breast-cancer", 569, 0.00527),  # 0.0052724...
    ("diabetes", 442, 0.00679),  # sigmoid output (the default): 0.0067873...
    ("digits", 1797, 0.00167),  # 0.0016694...
])
def test_auto_is_three_over_the_rows_at_most_the_posts_rate(data, rows, lr):
    exp = Experiment(Settings(data=data, iterations=0))
    assert exp.settings.lr == "auto" and exp.train.n == rows
    assert exp.config.lr == lr and exp.session.config.lr == lr and exp.learning_rate() == lr


def test_auto_for_cross_entropy_linear_outputs_batches_and_splits():
    # c = 3/4 with cross-entropy, 3/16 for a linear output; rounded to 3 significant digits
    assert Experiment(Settings(data="iris", output_activation="softmax", loss="ce")).config.lr == 0.005
    assert Experiment(Settings(data="digits", output_activation="softmax", loss="ce")).config.lr == 0.000417
    assert Experiment(Settings(data="gauss-mix", output_activation="linear")).config.lr == 0.000937
    assert Experiment(Settings(data="diabetes", output_activation="linear")).config.lr == 0.000424
    # the rows an update sums over: the batch size, the training rows after the splits
    assert Experiment(Settings(data="digits", batch_size=500)).config.lr == 0.006
    assert Experiment(Settings(data="digits", batch_size=16)).config.lr == 0.02
    assert Experiment(Settings(data="digits", test_fraction=0.5)).config.lr == 0.00334  # 3 / 898 rows
    assert Settings(batch_size=3000).learning_rate(1797) == 0.00167  # a batch bigger than the data


def test_a_number_is_kept_and_auto_is_spelled_any_way():
    assert Experiment(Settings(data="digits", lr=0.02)).config.lr == 0.02
    assert Settings(lr="AUTO ").lr == "auto" and Settings(lr="0.05").lr == 0.05 and Settings(lr=1).lr == 1.0
    for bad in ("fast", True, None):
        with pytest.raises(ValueError, match="learning rate must be a positive number or auto"):
            Settings(lr=bad)
    with pytest.raises(ValueError, match="learning rate must be a positive number"):
        Settings(lr=0.0).train_config()


def test_digits_with_the_defaults_is_far_above_chance_within_1000_iterations():
    exp = Experiment(Settings(data="digits"))
    exp.session.run(1000)
    assert exp.evaluate().accuracy > 0.9  # chance: 10%; the post's 0.02 with 128,64 hidden gave 14%


def test_a_linear_output_diverges_at_the_posts_rate_and_trains_with_auto():
    s = Settings(data="gauss-mix", output_activation="linear", iterations=6000)
    post = Experiment(s.with_(lr=0.02))
    snap, stopped = train_headless(post)
    assert stopped == "diverged" and snap.hint.startswith(f"diverged at iteration {snap.iteration + 1:,} ")
    assert "lower the learning rate (try 0.00094)" in snap.hint  # auto's 0.000937, below 0.02 / 10
    auto = Experiment(s)
    snap, stopped = train_headless(auto)
    assert stopped == "max_iterations" and snap.hint == ""
    assert auto.evaluate().regression["train"]["r2"] > 0.5


# -- hints -----------------------------------------------------------------------------------

def _classes(n=100, k=10):
    Y = np.zeros((n, k))
    Y[np.arange(n), np.arange(n) % k] = 1.0
    return Y


def _flat_from(start, end, value=0.1, before=0.3):
    """An error curve at ``before`` until ``start``, then at ``value`` until ``end``."""
    x = np.arange(0, end)
    return x, np.where(x < start, before, value)


def test_saturated_outputs_with_a_flat_error_and_poor_accuracy_get_a_hint():
    Y = _classes()
    out = np.zeros_like(Y)  # every output at 0: mse 0.1, as digits 64-128-64-10 at lr 0.02
    x, y = _flat_from(2000, 10_000)
    s = Situation(iteration=10_000, outputs=out, targets=Y, task="classes", output_activation="sigmoid",
                  lr=0.02, auto=0.00167, history_x=x, history_y=y)
    assert hint(s) == ("outputs saturated at 0 or 1, the error flat since iteration 2,000 (accuracy 10%): "
                       "lower the learning rate (try 0.0017)")
    # inputs not standardised: say so too
    assert hint(Situation(**{**s.__dict__, "standardize": False})).endswith(
        "lower the learning rate (try 0.0017) or standardise the inputs")
    # rprop has no learning rate
    assert hint(Situation(**{**s.__dict__, "algorithm": "rprop+"})).endswith("try --algorithm gd with the learning rate auto")
    # a rate already below auto's: a tenth of it
    assert hint(Situation(**{**s.__dict__, "lr": 0.001})).endswith("(try 0.0001)")


def test_no_saturation_hint_when_it_does_not_apply():
    Y = _classes()
    x, y = _flat_from(2000, 10_000)
    base = dict(iteration=10_000, targets=Y, task="classes", output_activation="sigmoid", history_x=x, history_y=y)
    assert hint(Situation(outputs=Y.copy(), **base)) is None  # saturated, but every row right (iris well fitted)
    assert hint(Situation(outputs=np.full_like(Y, 0.1), **base)) is None  # not at 0 or 1
    out = np.zeros_like(Y)
    out[0, 0] = 0.5  # one output of one row away from 0 and 1
    assert hint(Situation(outputs=out, **base)) is None
    assert hint(Situation(outputs=np.zeros_like(Y), **{**base, "output_activation": "linear"})) is None
    # flat, but not for long enough: 1,000 iterations at least, and a fifth of the run
    x, y = _flat_from(9500, 10_000)
    assert hint(Situation(outputs=np.zeros_like(Y), **{**base, "history_x": x, "history_y": y})) is None
    x, y = _flat_from(500, 1200)
    assert hint(Situation(outputs=np.zeros_like(Y), **{**base, "iteration": 1200, "history_x": x,
                                                           "history_y": y})) is None
    x, y = _flat_from(500, 2000)
    assert "since iteration 500" in hint(Situation(outputs=np.zeros_like(Y), **{**base, "iteration": 2000,
                                                                                "history_x": x, "history_y": y}))


def test_poor_is_measured_against_always_guessing_the_commonest_class():
    # 90 rows of class 0, 10 of class 1: predicting class 0 everywhere is 90% right, which is
    # no better than guessing; a good score is halfway from there to 100%, 95%
    Y = np.zeros((100, 2))
    Y[:90, 0] = 1
    Y[90:, 1] = 1
    out = np.zeros_like(Y)
    out[:, 0] = 1.0
    x, y = _flat_from(100, 5000)
    s = Situation(iteration=5000, outputs=out, targets=Y, task="classes", output_activation="softmax",
                  history_x=x, history_y=y)
    assert "(accuracy 90%)" in hint(s)
    assert advice.score("classes", Y, out) == (0.9, 0.95, "accuracy 90%")
    # 0/1 targets (the toy set): accuracy per output against its commoner value
    T = np.array([[0, 1], [0, 1], [0, 0], [1, 1]], dtype=float)
    acc, good, _ = advice.score("binary", T, np.zeros_like(T))
    assert acc == 0.5 and good == (1 + 0.75) / 2
    # regression: R^2, good from 0.5
    t = np.array([[0.0], [0.5], [1.0]])
    assert advice.score("regression", t, np.ones_like(t))[0] == pytest.approx(1 - 1.25 / 0.5)


def test_divergence_hints_name_the_iteration_and_a_smaller_rate():
    Y = _classes()
    s = Situation(iteration=136, outputs=np.full_like(Y, 0.5), targets=Y, task="classes",
                  output_activation="linear", lr=0.02, auto=0.000937, stopped="diverged")
    assert hint(s) == ("diverged at iteration 137 (the error became NaN or infinite): "
                       "lower the learning rate (try 0.00094)")
    # growing without becoming infinite: ten times the first error
    x = np.arange(500)
    y = np.linspace(0.5, 60.0, 500)
    grown = Situation(**{**s.__dict__, "stopped": None, "iteration": 500, "history_x": x, "history_y": y})
    assert hint(grown) == "diverging: the error grew from 0.5 at iteration 0 to 60: lower the learning rate (try 0.00094)"
    assert hint(Situation(**{**grown.__dict__, "history_y": np.linspace(0.5, 4.9, 500)})) is None


def test_flat_since():
    x = np.arange(0, 100, 10)
    assert advice.flat_since(x, np.array([9, 8, 7, 6, 5, 1.0, 1.005, 0.999, 1.0, 1.0])) == 50
    assert advice.flat_since(x, np.ones(10)) == 0
    assert advice.flat_since(x, np.arange(10.0, 0, -1)) == 90
    assert advice.flat_since(x, np.array([1.0] * 9 + [np.nan])) is None


class _Exp:
    """What Watch.hint reads of an Experiment."""

    def __init__(self, iteration, Y, stopped_lr=0.02):
        self.session = type("S", (), {"iteration": iteration})()
        self.Y_train, self.task = Y, "classes"
        self.arch = type("A", (), {"output_activation": "sigmoid"})()
        self.settings = Settings()
        self.config = type("C", (), {"lr": stopped_lr})()

    def learning_rate(self, settings):
        return 0.00167


def test_the_watch_keeps_the_history_across_snapshots_and_forgets_it_when_it_must():
    Y = _classes()
    out = np.zeros_like(Y)
    w = Watch()
    x, y = _flat_from(2000, 10_000)
    # the error arrives in pieces, as the snapshots bring it
    for a in range(0, 10_000, 2500):
        h = w.hint(1, _Exp(a + 2500, Y), out, x[a:a + 2500], y[a:a + 2500], None)
    assert h.startswith("outputs saturated at 0 or 1, the error flat since iteration 2,000 ")
    # a step back to 2,500: the points after it are gone, and the flat part is too short
    assert w.hint(1, _Exp(2500, Y), out, x[:0], y[:0], None) == ""
    assert w.history.x[-1] <= 2500
    # a new network: a new history
    w.hint(2, _Exp(10, Y), out, x[:10], y[:10], None)
    assert w.history.x.tolist() == list(range(10))


def test_a_sweep_takes_auto_among_the_rates():
    from nnviz.core import sweep

    assert sweep.parse_values("lr", "auto, 0.01") == ["auto", 0.01]
    runs = sweep.grid(Settings(data="digits", iterations=0), {"lr": ["auto", 0.01]})
    assert [Experiment(s).config.lr for s in runs] == [0.00167, 0.01]
