"""nnviz sweep side by side (issue 26, item 6): --jobs N on threads, --dask on a cluster,
--shard K/N and sweep-merge.  Each run's line must be the one-at-a-time run's, field for
field, except how long it took."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from nnviz import cli
from nnviz.core import parallel
from nnviz.core.experiment import Settings

TIMING = ("seconds", "iterations_per_second")
# mini-batches (each run's own generator), a test split and momentum: state a shared object would mix up
GRID = ["--data", "iris", "--hidden", "2,5", "--lr", "0.01,0.03,0.1", "--iterations", "300", "--batch-size", "32",
        "--momentum", "0.5", "--test-fraction", "0.2", "--json"]


def sweep(*argv, capsys) -> tuple[int, list[dict], str]:
    code = cli.main(["sweep", *argv])
    out, err = capsys.readouterr()
    return code, [json.loads(line) for line in out.splitlines()], err


def untimed(lines: list[dict]) -> list[dict]:
    return [{k: v for k, v in s.items() if k not in TIMING} for s in lines]


@pytest.fixture(scope="module")
def serial() -> list[dict]:
    """The grid run one at a time (computed once for the module)."""
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert cli.main(["sweep", *GRID, "--jobs", "1"]) == 0
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_the_serial_grid_is_what_the_sweep_runs(serial):
    assert [(s["run"], s["runs"], s["architecture"], s["learning_rate"]) for s in serial] == [
        (1, 6, "4-2-3", 0.01), (2, 6, "4-2-3", 0.03), (3, 6, "4-2-3", 0.1),
        (4, 6, "4-5-3", 0.01), (5, 6, "4-5-3", 0.03), (6, 6, "4-5-3", 0.1)]
    assert len({s["grid"] for s in serial}) == 1
    assert len({s["mse"] for s in serial}) == 6  # six different runs, not one six times


@pytest.mark.parametrize("jobs", ["2", "4"])
def test_parallel_runs_equal_serial_ones_in_the_grids_order(serial, capsys, jobs):
    code, lines, _ = sweep(*GRID, "--jobs", jobs, capsys=capsys)
    assert code == 0
    assert untimed(lines) == untimed(serial)  # every field, floats to the last bit, and the order


def test_runs_on_generated_data_each_get_their_own_points(capsys):
    """The 2-D built-ins are drawn with the run's seed and noise: a sweep over them loads one data
    set per (seed, noise), and each run equals nnviz train with its settings."""
    base = ["--data", "xor", "--hidden", "3", "--iterations", "200", "--json"]
    code, lines, _ = sweep(*base, "--seed", "1,2", "--noise", "0.1,0.4", "--jobs", "2", capsys=capsys)
    assert code == 0 and len(lines) == 4
    for s in lines:
        assert cli.main(["train", *base, "--seed", str(s["seed"]), "--noise", str(s["settings"]["noise"])]) == 0
        t = json.loads(capsys.readouterr().out)
        assert {k: t[k] for k in ("mse", "accuracy", "settings")} == {k: s[k] for k in ("mse", "accuracy", "settings")}


def test_shards_cover_the_grid_once_and_merge_to_the_unsharded_sweep(serial, capsys, tmp_path):
    files = []
    for k in (1, 2, 3, 4):
        code, lines, _ = sweep(*GRID, "--shard", f"{k}/4", "--jobs", "2", capsys=capsys)
        assert code == 0
        # interleaved: shard k has the runs k, k + 4, ...
        assert [s["run"] for s in lines] == list(range(k, 7, 4))
        assert untimed(lines) == untimed([serial[i - 1] for i in range(k, 7, 4)])
        path = tmp_path / f"shard{k}.json"
        path.write_text("".join(json.dumps(s) + "\n" for s in lines))
        files.append(str(path))
    code = cli.main(["sweep-merge", files[2], files[0], files[3], files[1]])  # in any order
    out, err = capsys.readouterr()
    assert code == 0 and err == ""
    assert untimed([json.loads(line) for line in out.splitlines()]) == untimed(serial)


def test_merge_refuses_what_is_not_one_whole_sweep(serial, capsys, tmp_path):
    def write(name, lines):
        path = tmp_path / name
        path.write_text("".join(json.dumps(s) + "\n" for s in lines))
        return str(path)

    odd, even = write("odd.json", serial[0::2]), write("even.json", serial[1::2])
    other = write("other.json", [{**serial[1], "grid": "0123456789abcdef"}])
    broken = write("broken.json", [{**serial[1], "stopped": "interrupted"}])
    rest = write("rest.json", serial[3::2])  # runs 4 and 6
    for argv, message in [
        ([odd], "runs 2, 4, 6 of 6 missing"),
        ([odd, odd], "run 1 is in"),
        ([odd, other], "two different sweeps"),
        ([odd, broken, rest], "run 2 of 6 interrupted"),
        ([write("train.json", [{k: v for k, v in serial[0].items() if k != "run"}])], "not a line of nnviz sweep"),
    ]:
        assert cli.main(["sweep-merge", *argv]) == 2
        out, err = capsys.readouterr()
        assert out == "" and message in err and err.count("\n") == 1, err
    assert cli.main(["sweep-merge", "--partial", odd]) == 0
    out, err = capsys.readouterr()
    assert [json.loads(line)["run"] for line in out.splitlines()] == [1, 3, 5]
    assert "note: runs 2, 4, 6 of 6 missing" in err
    assert cli.main(["sweep-merge", even, odd]) == 0
    assert untimed([json.loads(line) for line in capsys.readouterr().out.splitlines()]) == untimed(serial)


def test_a_failing_run_stops_the_sweep_with_one_line(capsys):
    """Cross-entropy cannot fit the plane's numbers: run 2 fails when it is built; run 1 is printed."""
    code, lines, err = sweep("--data", "plane", "--output-activation", "linear", "--loss", "sse,ce", "--hidden", "3",
                             "--iterations", "100", "--json", "--jobs", "2", capsys=capsys)
    assert code == 2
    assert [s["run"] for s in lines] == [1] and lines[0]["stopped"] == "max_iterations"
    assert err.startswith("nnviz: error: run 2: --loss ce needs") and err.count("\n") == 1


@pytest.mark.parametrize("argv, message", [
    (["--jobs", "0"], "argument --jobs: must be at least 1 (got 0)"),
    (["--shard", "3/2"], "argument --shard: K/N needs 1 <= K <= N (got 3/2)"),
    (["--shard", "2"], "argument --shard: '2' is not K/N"),
    (["--shard", "0/4"], "K/N needs 1 <= K <= N"),
    (["--dask", "nonsense"], "--dask 'nonsense' is not a scheduler's address"),
    (["--dask", "tcp://127.0.0.1:1"], "--dask tcp://127.0.0.1:1: cannot reach a Dask scheduler there"),
    (["--dask", "tcp://127.0.0.1:1", "--jobs", "2"], "--jobs is for this machine"),
])
def test_bad_parallel_options_are_one_line(capsys, monkeypatch, argv, message):
    if "--dask" in argv and "--jobs" not in argv:
        pytest.importorskip("distributed")
    monkeypatch.setattr(parallel, "DASK_CONNECT_SECONDS", 0.5)
    code, lines, err = sweep("--iterations", "10", "--lr", "0.1,0.2", *argv, capsys=capsys)
    assert code == 2 and lines == []
    assert err.startswith("nnviz: error: ") and message in err and err.count("\n") == 1, err


def test_the_dask_cluster_gives_the_local_results(serial, capsys):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        code, lines, _ = sweep(*GRID, "--dask", cluster.scheduler_address, capsys=capsys)
    assert code == 0
    assert untimed(lines) == untimed(serial)


ENV = dict(os.environ, PYTHONPATH=os.pathsep.join([str(Path(cli.__file__).parents[2]),
                                                   os.environ.get("PYTHONPATH", "")]))


@pytest.mark.skipif(not hasattr(signal, "SIGINT") or sys.platform == "win32", reason="POSIX signals")
def test_ctrl_c_stops_a_parallel_sweep_and_keeps_the_runs_done():
    """Runs 1 and 2 are short, 3 and 4 would take hours: Ctrl+C once 1 and 2 are printed stops
    3 and 4 at once, prints them as interrupted, and exits 130 with one line."""
    p = subprocess.Popen([sys.executable, "-m", "nnviz", "sweep", "--iterations", "2000,100000000", "--seed", "1,2",
                          "--jobs", "2", "--json"], env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = [json.loads(p.stdout.readline()) for _ in range(2)]  # type: ignore[union-attr]
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=60)
    finally:
        if p.poll() is None:
            p.kill()
    lines = first + [json.loads(line) for line in out.splitlines()]
    assert p.returncode == 130, err
    assert [(s["run"], s["stopped"]) for s in lines] == [(1, "max_iterations"), (2, "max_iterations"),
                                                         (3, "interrupted"), (4, "interrupted")]
    assert all(s["iterations"] < 100_000_000 for s in lines[2:])
    assert err == "nnviz: interrupted (Ctrl+C): the sweep stopped after 2 of 4 runs\n"


def test_a_stop_reaches_the_runs_on_the_dask_cluster():
    """Two short runs, then two that would take hours: a stop asked once the short ones have
    ended stops the long ones on the workers (their summaries say interrupted)."""
    distributed = pytest.importorskip("distributed")
    settings = [Settings(hidden=(3,), iterations=n, seed=seed) for n in (500, 100_000_000) for seed in (1, 2)]
    jobs = [parallel.Job(k, s) for k, s in enumerate(settings, 1)]
    shared = parallel.Shared(parallel.load_data(settings))
    ended: list[parallel.Outcome] = []
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster, set_as_default=False) as client:
        def stop() -> bool:
            return len(ended) >= 2

        for out in parallel.run_dask(jobs, shared, client, stop):
            ended.append(out)
    by_run = {o.job.index: o for o in ended}
    assert sorted(by_run) == [1, 2, 3, 4] and all(o.error is None for o in ended)
    assert [by_run[k].summary["stopped"] for k in (1, 2)] == ["max_iterations", "max_iterations"]
    for k in (3, 4):  # stopped, or never started when the stop came first
        s = by_run[k].summary
        assert s is None or (s["stopped"] == "interrupted" and s["iterations"] < 100_000_000)
    assert any(by_run[k].summary is not None for k in (3, 4))  # with 2 threads, run 3 was under way


def test_jobs_and_their_data_travel_to_other_processes_intact(tmp_path):
    """A Dask cluster of worker processes (or hosts) gets each job and the shared data pickled
    (a LocalCluster with processes=False passes them as they are): the run is the same after."""
    import pickle

    from nnviz import io as nnio

    model = tmp_path / "start.json"
    assert cli.main(["train", "--hidden", "3", "--iterations", "50", "--export", str(model), "--quiet"]) == 0
    init = nnio.load(str(model))
    s = Settings(hidden=(3,), iterations=200, lr=0.05, batch_size=16, test_fraction=0.2)
    job, shared = parallel.Job(1, s), parallel.Shared(parallel.load_data([s]), init)
    here = parallel.run_job(job, shared)
    there = parallel.run_job(pickle.loads(pickle.dumps(job)), pickle.loads(pickle.dumps(shared)))
    assert untimed([there]) == untimed([here])
    assert here["mse"] != parallel.run_job(job, parallel.Shared(shared.datasets))["mse"]  # the start counts


@pytest.mark.parametrize("ext", ["json", "csv"])
def test_a_sweep_from_init_weights_equals_nnviz_train_from_them(capsys, tmp_path, ext):
    start = tmp_path / f"start.{ext}"
    assert cli.main(["train", "--hidden", "3", "--iterations", "300", "--export", str(start), "--quiet"]) == 0
    base = ["--hidden", "3", "--init", str(start), "--iterations", "200", "--json"]
    code, lines, _ = sweep(*base, "--lr", "0.01,0.05", "--jobs", "2", capsys=capsys)
    assert code == 0 and len(lines) == 2
    for s in lines:
        assert cli.main(["train", *base, "--lr", str(s["learning_rate"])]) == 0
        t = json.loads(capsys.readouterr().out)
        assert (s["mse"], s["settings"]) == (t["mse"], t["settings"])
    assert cli.main(["train", "--hidden", "3", "--iterations", "200", "--lr", "0.01", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["mse"] != lines[0]["mse"]  # the start weights count
