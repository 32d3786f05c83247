"""Ctrl+C and SIGTERM at any early moment (issue 24, item 3): one line, --export written when
there is a network to write, exit status 130 or 143.  Real processes; the signals are sent at
several moments after nnviz has installed its handlers, and only the outcome is checked.

A signal used to be lost when it landed in an import (numpy.random turned the KeyboardInterrupt
into an ImportError that a fallback caught) and training ran to its end; the window installed
its own handler only once Qt was loaded, and the SIGINT before that went the same way."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nnviz import cli, stopping

pytestmark = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads Linux /proc")

ENV = dict(os.environ, QT_QPA_PLATFORM="offscreen",
           PYTHONPATH=os.pathsep.join([str(Path(cli.__file__).parents[2]), os.environ.get("PYTHONPATH", "")]))


def handlers_installed(pid: int) -> bool:
    """True once the process catches SIGTERM: nnviz's handlers are in place (Python itself
    catches only SIGINT)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return True  # ended already: communicate() will say how
    caught = int(next(line.split()[1] for line in status.splitlines() if line.startswith("SigCgt:")), 16)
    return bool(caught >> (signal.SIGTERM - 1) & 1)


def stop(argv: list[str], signum: int, delay: float) -> subprocess.CompletedProcess:
    p = subprocess.Popen([sys.executable, "-m", "nnviz", *argv], env=ENV, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    end = time.monotonic() + 60
    while not handlers_installed(p.pid) and time.monotonic() < end:
        time.sleep(0.002)
    time.sleep(delay)
    p.send_signal(signum)
    out, err = p.communicate(timeout=120)
    return subprocess.CompletedProcess(p.args, p.returncode, out, err)


def check_outcome(r: subprocess.CompletedProcess, signum: int, export: Path) -> None:
    name = {signal.SIGINT: "Ctrl+C", signal.SIGTERM: "SIGTERM"}[signum]
    assert r.returncode == 128 + signum, (r.returncode, r.stderr)
    assert "Traceback" not in r.stderr and "Error" not in r.stderr, r.stderr
    lines = r.stderr.strip().splitlines()
    assert lines and lines[0].startswith(f"nnviz: interrupted ({name})"), r.stderr
    if r.stdout.strip():  # stopped once the network was there: its summary and its weights
        summary = json.loads(r.stdout.strip().splitlines()[-1])
        assert summary["stopped"] == "interrupted"
        assert json.loads(export.read_text())["training"]["iterations"] == summary["iterations"]
    else:  # stopped while starting: nothing written
        assert not export.exists(), r.stderr


@pytest.mark.parametrize("signum,delay", [(signal.SIGINT, d) for d in (0.0, 0.1, 0.4, 1.0, 2.5)]
                         + [(signal.SIGTERM, d) for d in (0.0, 0.4, 2.5)])
def test_train_stops_cleanly_whenever_the_signal_comes(tmp_path, signum, delay):
    export = tmp_path / "m.json"
    r = stop(["train", "--hidden", "30,30", "--iterations", "100000000", "--export", str(export), "--json"],
             signum, delay)
    check_outcome(r, signum, export)
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr  # one line


@pytest.mark.parametrize("signum,delay", [(signal.SIGINT, 0.0), (signal.SIGINT, 3.0),
                                          (signal.SIGTERM, 0.5), (signal.SIGTERM, 3.0)])
def test_the_window_stops_cleanly_whenever_the_signal_comes(tmp_path, signum, delay):
    export = tmp_path / "m.json"
    r = stop(["gui", "--hidden", "30,30", "--iterations", "100000000", "--autostart", "--export", str(export),
              "--json"], signum, delay)
    check_outcome(r, signum, export)


def test_a_sweep_stops_between_or_within_runs(tmp_path):
    r = stop(["sweep", "--lr", "0.01,0.02,0.05", "--iterations", "100000000", "--json"], signal.SIGTERM, 1.0)
    assert r.returncode == 143 and "Traceback" not in r.stderr
    assert r.stderr.strip().splitlines()[-1].startswith("nnviz: interrupted (SIGTERM)")


def test_the_handler_records_and_a_second_signal_ends_at_once(monkeypatch, capsys):
    exits = []
    monkeypatch.setattr(stopping.os, "_exit", exits.append)
    with stopping.handling():
        assert stopping.requested() is None
        signal.raise_signal(signal.SIGTERM)  # recorded, nothing raised
        assert stopping.requested() == signal.SIGTERM and exits == []
        with pytest.raises(stopping.Interrupted):
            stopping.check()
        signal.raise_signal(signal.SIGINT)  # a second one: out at once, with the first one's status
        assert exits == [143]
    assert stopping.requested() is None  # forgotten with the handlers
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL
    assert "interrupted again" in capsys.readouterr().err
