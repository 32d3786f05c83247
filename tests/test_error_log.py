"""An error inside training keeps its one line for the user and its traceback in a log file
under the user's state folder (issue 24, item 9); ``--verbose`` prints the traceback too."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from nnviz import cli, logs
from nnviz.core import training
from nnviz.core.experiment import Experiment, Settings
from nnviz.core.runner import Runner


class Listener:
    def __init__(self):
        self.errors: list[str] = []

    def on_context(self, ctx):
        pass

    def on_snapshot(self, snap):
        pass

    def on_error(self, message):
        self.errors.append(message)


def broken_run(self, n, interrupt=None):
    raise RuntimeError("a bug deep inside")


@pytest.fixture
def state_home(tmp_path, monkeypatch):
    home = tmp_path / "state"
    monkeypatch.setenv("XDG_STATE_HOME", str(home))
    yield home
    logs.configure(None)  # the handlers of this test's main() go with it


def test_the_runner_logs_the_traceback_and_says_one_line(monkeypatch, caplog):
    listener = Listener()
    runner = Runner(listener)
    runner.adopt(Experiment(Settings(data="toy", iterations=50)))
    monkeypatch.setattr(training.TrainingSession, "run", broken_run)
    runner.play()
    with caplog.at_level(logging.ERROR, logger="nnviz"):
        runner.advance()
    assert listener.errors == ["training stopped: a bug deep inside"]
    assert runner.failure == "training stopped: a bug deep inside" and not runner.busy
    [record] = [r for r in caplog.records if r.name == "nnviz.core.runner"]
    assert record.exc_info is not None and record.exc_info[0] is RuntimeError
    assert "broken_run" in caplog.text  # the frame where it happened


def test_the_cli_says_one_line_and_where_the_traceback_is(state_home, monkeypatch, capsys):
    monkeypatch.setattr(training.TrainingSession, "run", broken_run)
    code = cli.main(["train", "--data", "toy", "--iterations", "50", "--json"])
    out, err = capsys.readouterr()
    log = state_home / "nnviz" / "nnviz.log"
    assert code == 2 and out == ""  # not a run that reached its iterations
    assert err.count("\n") == 1 and err.startswith("nnviz: error: training stopped: a bug deep inside")
    assert str(log) in err
    text = log.read_text()
    assert "Traceback" in text and "RuntimeError: a bug deep inside" in text and "broken_run" in text
    # a second failure in the same process is logged once, not once per main() called so far
    cli.main(["train", "--data", "toy", "--iterations", "50", "--quiet"])
    assert log.read_text().count("RuntimeError: a bug deep inside") == 2


def test_verbose_prints_the_traceback_on_stderr(state_home, monkeypatch, capsys):
    monkeypatch.setattr(training.TrainingSession, "run", broken_run)
    code = cli.main(["train", "--data", "toy", "--iterations", "50", "--verbose"])
    _, err = capsys.readouterr()
    assert code == 2
    assert "Traceback" in err and "RuntimeError: a bug deep inside" in err
    assert err.strip().splitlines()[-1].startswith("nnviz: error: training stopped")


def test_the_log_defaults_to_local_state_and_a_bad_folder_is_silent(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("XDG_STATE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert logs.log_path() == tmp_path / ".local" / "state" / "nnviz" / "nnviz.log"
    monkeypatch.setenv("XDG_STATE_HOME", "relative/not/allowed")  # the spec: ignore a relative path
    assert logs.log_path() == tmp_path / ".local" / "state" / "nnviz" / "nnviz.log"
    blocker = tmp_path / "afile"
    blocker.write_text("")
    monkeypatch.setenv("XDG_STATE_HOME", str(blocker))  # the folder cannot be made
    monkeypatch.setattr(training.TrainingSession, "run", broken_run)
    try:
        code = cli.main(["train", "--data", "toy", "--iterations", "50"])
    finally:
        logs.configure(None)
    _, err = capsys.readouterr()
    assert code == 2 and err.count("\n") == 1 and "Logging error" not in err
    assert not Path(blocker).is_dir()


def test_the_core_configures_no_handler():
    import subprocess
    import sys

    code = ("import logging, nnviz.core.runner, nnviz.core.training, nnviz.io;"
            "h = logging.getLogger('nnviz').handlers + logging.getLogger().handlers;"
            "assert all(isinstance(x, logging.NullHandler) for x in h), h")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       env={**__import__("os").environ, "PYTHONPATH": str(Path(cli.__file__).parents[2])})
    assert r.returncode == 0, r.stderr
