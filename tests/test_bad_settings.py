"""Bad settings: one line, status 2, before anything is built (issue: hardening)."""

import pytest

from nnviz.cli import main
from nnviz.core import experiment
from nnviz.core.experiment import Experiment, Settings


@pytest.mark.parametrize("args, words", [
    (["--hidden", "\u00b2"], "hidden layers must be positive whole numbers"),
    (["--hidden", "6,\u0663"], "hidden layers must be positive whole numbers"),  # an Arabic-Indic 3
    (["--seed", "-1"], "the seed must be a whole number from 0"),
    (["--activation", ","], "--activation needs a name for every layer"),
    (["--hidden", "100000,100000"], "GiB"),
    (["--data", "toy", "--output-activation", "softmax", "--loss", "ce"], "independent 0/1 targets"),
])
def test_bad_settings_are_one_line(args, words, capsys):
    assert main(["train", "--iterations", "1", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("nnviz: error: ") and words in err and err.count("\n") == 1


def regression_csv(tmp_path):
    path = tmp_path / "reg.csv"
    path.write_text("a,b,y\n" + "".join(f"{i},{i % 3},{0.5 * i + 3}\n" for i in range(20)))
    return str(path)


def test_cross_entropy_on_numeric_targets_is_refused(tmp_path):
    with pytest.raises(ValueError, match="cross-entropy .* needs 0/1 or class targets"):
        Experiment(Settings(data=regression_csv(tmp_path), loss="ce"))


def test_softmax_of_a_single_output_is_refused(tmp_path):
    path = tmp_path / "one.csv"
    path.write_text("a,b,y\n" + "".join(f"{i},{i % 3},{i % 2}\n" for i in range(20)))
    with pytest.raises(ValueError, match="softmax output needs one-hot classes"):
        Experiment(Settings(data=str(path), output_activation="softmax", loss="ce"))


def test_memory_estimate_counts_weights_and_rows(monkeypatch):
    arch = experiment.Architecture(4, (10,), 3)
    assert experiment.estimate_bytes(arch, 100) == arch.n_weights * 64 + 100 * (4 + 10 + 3) * 48
    monkeypatch.setattr(experiment, "_memory_bytes", lambda: 10 * 2**20)
    with pytest.raises(ValueError, match="needs about"):
        Experiment(Settings(hidden=(3000, 3000)))
