"""Ctrl+C and bad input at the command line, as a user meets them (real processes)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ENV = dict(os.environ, QT_QPA_PLATFORM="offscreen")


def nnviz(*args) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "nnviz", *args], env=ENV, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def wait_for_thread(p: subprocess.Popen, name: str, seconds: float = 60) -> None:
    """Until the process runs a thread called ``name`` (Linux shows QThread names)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        tasks = Path(f"/proc/{p.pid}/task")
        try:
            if any((t / "comm").read_text().strip() == name for t in tasks.iterdir()):
                return
        except (FileNotFoundError, ProcessLookupError):
            pass
        time.sleep(0.05)
    p.kill()
    raise AssertionError(f"no thread {name} within {seconds} s")


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
def test_ctrl_c_in_the_window_stops_exports_and_exits_cleanly(tmp_path):
    out = tmp_path / "m.json"
    p = nnviz("gui", "--iterations", "100000000", "--autostart", "--export", str(out), "--json")
    wait_for_thread(p, "nnviz-training")
    time.sleep(1.0)
    p.send_signal(signal.SIGINT)
    stdout, stderr = p.communicate(timeout=60)
    assert p.returncode == 130, stderr
    assert "Traceback" not in stderr and "nnviz: interrupted (Ctrl+C)" in stderr
    summary = json.loads(stdout.strip().splitlines()[-1])
    assert summary["stopped"] == "interrupted"
    # the weights written are those of the iteration training had reached
    assert json.loads(out.read_text())["training"]["iterations"] == summary["iterations"]


def test_ctrl_c_while_starting_is_one_line():
    for wait in (0.2, 0.5, 1.0, 2.0):
        p = nnviz("train", "--iterations", "100000000")
        time.sleep(wait)
        p.send_signal(signal.SIGINT)
        _, stderr = p.communicate(timeout=60)
        if p.returncode != -signal.SIGINT:  # else the signal came before Python's own handler
            break  # (a loaded machine): try again a little later
    assert "Traceback" not in stderr and p.returncode == 130, stderr
    assert stderr.strip().splitlines()[-1].startswith("nnviz: ")


def test_gui_with_a_bad_csv_exits_2_and_writes_nothing(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b,y\n1,2,x\n3,oops,z\n")
    out = tmp_path / "m.json"
    p = nnviz("gui", "--data", str(bad), "--autostart", "--quit-when-done", "--export", str(out))
    _, stderr = p.communicate(timeout=60)
    assert p.returncode == 2
    assert stderr.strip() == f"nnviz: error: {bad}: line 3, column 'b': 'oops' is not a finite number"
    assert not out.exists()
