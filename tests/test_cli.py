"""The command line: training, export/import, predict, and one-line errors."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from nnviz import cli
from nnviz import io as nnio


def run(*argv, capsys):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_train_json_summary(capsys, tmp_path):
    code, out, err = run("train", "--data", "toy", "--iterations", "300", "--json", capsys=capsys)
    assert code == 0 and err == ""
    s = json.loads(out)
    for key in ("iterations", "mse", "accuracy", "test_mse", "test_accuracy", "seconds",
                "iterations_per_second", "stopped"):
        assert key in s
    assert s["iterations"] == 300 and s["stopped"] == "max_iterations" and s["test_mse"] is None


def test_train_with_test_split_and_regression(capsys, tmp_path):
    csv = tmp_path / "r.csv"
    rng = np.random.default_rng(0)
    x = rng.uniform(-2, 2, size=(60, 2))
    y = x[:, 0] ** 2 + x[:, 1] * 3 + 100
    csv.write_text("u,v,y\n" + "".join(f"{a},{b},{c}\n" for (a, b), c in zip(x, y)))
    code, out, _ = run("train", "--data", str(csv), "--hidden", "5", "--algorithm", "rprop+",
                       "--iterations", "500", "--test-fraction", "0.25", "--json", capsys=capsys)
    s = json.loads(out)
    assert code == 0 and s["accuracy"] is None and s["test_mse"] is not None and s["test_accuracy"] is None


def test_human_summary_and_export_then_init_unchanged(capsys, tmp_path):
    m = tmp_path / "m.json"
    code, out, _ = run("train", "--data", "iris", "--iterations", "200", "--export", str(m), capsys=capsys)
    assert code == 0 and "accuracy" in out and "confusion" in out and str(m) in out
    m2 = tmp_path / "m2.json"
    code, out, _ = run("train", "--data", "iris", "--init", str(m), "--iterations", "0", "--export", str(m2),
                       "--json", capsys=capsys)
    assert code == 0
    a, b = nnio.load(m), nnio.load(m2)
    for x, y in zip(a.network.weights, b.network.weights):
        assert np.array_equal(x, y)
    # --init continues training: 200 + 300 iterations equals 500 in one go
    m3 = tmp_path / "m3.json"
    run("train", "--data", "iris", "--init", str(m), "--iterations", "300", "--export", str(m3), capsys=capsys)
    m4 = tmp_path / "m4.json"
    run("train", "--data", "iris", "--iterations", "500", "--export", str(m4), capsys=capsys)
    for x, y in zip(nnio.load(m3).network.weights, nnio.load(m4).network.weights):
        assert np.array_equal(x, y)


def test_predict_writes_class_names(capsys, tmp_path):
    m = tmp_path / "m.json"
    run("train", "--data", "iris", "--algorithm", "rprop+", "--iterations", "300", "--export", str(m), capsys=capsys)
    rows = tmp_path / "new.csv"
    rows.write_text("Petal.Width,Sepal.Length,Sepal.Width,Petal.Length\n0.2,5.1,3.5,1.4\n2.3,6.7,3.0,5.2\n")
    out_csv = tmp_path / "pred.csv"
    code, _, err = run("predict", "--model", str(m), "--data", str(rows), "--output", str(out_csv), capsys=capsys)
    assert code == 0
    lines = out_csv.read_text().splitlines()
    assert lines[0].endswith("pred.virginica,predicted")
    assert lines[1].endswith(",setosa") and lines[2].endswith(",virginica")
    code, out, _ = run("predict", "--model", str(m), "--data", str(rows), capsys=capsys)
    assert out.splitlines() == lines


def test_datasets_lists_every_builtin(capsys):
    code, out, _ = run("datasets", capsys=capsys)
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()] == [
        "toy", "iris", "digits", "wine", "breast-cancer", "diabetes", "xor", "circles", "spiral", "gaussian",
        "fn-sine", "fn-cubic", "fn-abs", "plane", "gauss-mix"]


@pytest.fixture
def files(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b,y\n1,2,x\n3,oops,y\n")
    corrupt = tmp_path / "corrupt.json"
    corrupt.write_text('{"format": "nnviz-model", "version": 1, "weights": [')
    shape = tmp_path / "shape.json"
    cli.main(["train", "--data", "toy", "--iterations", "1", "--export", str(shape), "--quiet"])
    doc = json.loads(shape.read_text())
    doc["weights"][0] = doc["weights"][0][:-1]
    shape.write_text(json.dumps(doc))
    return {"bad": str(bad), "corrupt": str(corrupt), "shape": str(shape), "dir": tmp_path}


@pytest.mark.parametrize("argv,text", [
    (["train", "--data", "nope"], "unknown data set 'nope'"),
    (["train", "--data", "missing.csv"], "missing.csv: no such file"),
    (["train", "--data", "{bad}"], "line 3, column 'b'"),
    (["train", "--data", "{bad}", "--target", "zz"], "no column named 'zz'"),
    (["train", "--lr", "fast"], "--lr: 'fast' is not a number"),
    (["train", "--lr", "-1"], "learning rate"),
    (["train", "--hidden", "6,x"], "hidden layers"),
    (["train", "--activation", "swish"], "unknown activation 'swish'"),
    (["train", "--iterations", "-5"], "--iterations"),
    (["train", "--test-fraction", "2"], "test fraction"),
    (["train", "--init", "{corrupt}"], "corrupt.json: not valid JSON (line 1"),
    (["train", "--data", "toy", "--init", "{shape}"], "weight matrix 1 has shape"),
    (["predict", "--model", "{corrupt}", "--data", "{bad}"], "not valid JSON"),
    (["predict", "--model", "{shape}", "--data", "{bad}"], "weight matrix 1"),
    (["train", "--data", "toy", "--export", "{dir}/no/such/dir/m.json"], "does not exist"),
    (["frobnicate"], "invalid choice"),
])
def test_errors_are_one_line_with_status_2(capsys, files, argv, text):
    argv = [a.format(**files) for a in argv]
    code, out, err = run(*argv, capsys=capsys)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("nnviz: error: ")
    assert text in err
    assert "Traceback" not in err


def test_divergence_exits_3_and_exports_finite_weights(capsys, tmp_path):
    m = tmp_path / "d.json"
    code, out, err = run("train", "--data", "iris", "--activation", "relu", "--output-activation", "linear",
                         "--lr", "0.5", "--iterations", "2000", "--export", str(m), "--json", capsys=capsys)
    assert code == 3
    s = json.loads(out)
    assert s["stopped"] == "diverged" and "learning rate" in err
    model = nnio.load(m)
    assert all(np.isfinite(w).all() for w in model.network.weights)


def _env():
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(Path(cli.__file__).resolve().parents[2])]
                                        + [p for p in [env.get("PYTHONPATH")] if p])
    return env


def test_python_dash_m_and_ctrl_c_still_exports(tmp_path):
    m = tmp_path / "int.json"
    # on a loaded machine 3 s may still be the start: Ctrl+C then exits 130 having written
    # nothing (before the network is built) or -2 (before Python has installed any handler);
    # try again, waiting longer
    for wait in (3, 10, 30):
        proc = subprocess.Popen(
            [sys.executable, "-m", "nnviz", "train", "--data", "iris", "--iterations", "100000000",
             "--export", str(m), "--json"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env())
        time.sleep(wait)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=120)
        if out.strip():
            break
    assert proc.returncode == 130, err
    assert err.startswith("nnviz: interrupted (Ctrl+C) at iteration") and err.count("\n") == 1, err
    s = json.loads(out)
    assert s["stopped"] == "interrupted" and 0 < s["iterations"] < 100000000
    assert nnio.load(m).training["iterations"] == s["iterations"]


def test_core_and_cli_do_not_import_qt():
    code = ("import sys, nnviz.core.training, nnviz.core.experiment, nnviz.cli, nnviz.io, nnviz.io.session;"
            "bad = [m for m in sys.modules if m.startswith(('PySide6', 'pyqtgraph', 'shiboken'))];"
            "print(bad); sys.exit(1 if bad else 0)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=_env())
    assert r.returncode == 0, r.stdout + r.stderr


def test_train_with_penalties_schedule_and_early_stopping(capsys, tmp_path):
    m = tmp_path / "m.json"
    code, out, err = run("train", "--data", "iris", "--l1", "0.0001", "--l2", "0.001", "--lr-schedule",
                         "inv:0.001", "--validation-fraction", "0.2", "--patience", "200", "--iterations",
                         "20000", "--export", str(m), "--json", capsys=capsys)
    assert code == 0, err
    s = json.loads(out)
    assert (s["l1"], s["l2"], s["lr_schedule"], s["validation_fraction"], s["patience"]) == \
        (0.0001, 0.001, "inv:0.001", 0.2, 200)
    assert s["stopped"] == "early_stop" and s["iterations"] == s["best_iteration"] < s["stopped_at"]
    assert s["stopped_at"] - s["best_iteration"] >= 200
    assert s["validation_mse"] == s["best_validation_mse"] > 0
    assert s["learning_rate_now"] == pytest.approx(0.02 / (1 + 0.001 * s["iterations"]), rel=1e-15)
    assert "restored the weights of iteration" in s["message"]
    training = nnio.load(m).training
    assert training["stopped"] == "early_stop" and training["best_iteration"] == s["best_iteration"]
    assert training["iterations"] == s["iterations"] and training["lr_schedule"] == "inv:0.001"
    code, out, err = run("train", "--data", "iris", "--validation-fraction", "0.2", "--patience", "200",
                         "--iterations", "20000", capsys=capsys)
    assert code == 0 and "stopped: early_stop" in out and "early stop at iteration" in out
    assert "validation mse" in out


@pytest.mark.parametrize("args,text", [
    (["--l1", "-0.1"], "L1 rate must be a number of at least 0"),
    (["--l2", "abc"], "is not a number"),
    (["--lr-schedule", "cosine"], "unknown learning-rate schedule"),
    (["--lr-schedule", "step:0.5"], "malformed learning-rate schedule"),
    (["--lr-schedule", "step:0.5:x"], "malformed learning-rate schedule"),
    (["--validation-fraction", "1"], "validation fraction must be at least 0 and below 1"),
    (["--validation-fraction", "0.01", "--data", "toy"], "leaves an empty train or validation set"),
    (["--patience", "0", "--validation-fraction", "0.2"], "must be at least 1"),
    (["--patience", "10"], "needs a validation split"),
    (["--algorithm", "rprop+", "--lr-schedule", "exp:0.9"], "schedule goes with --algorithm gd only"),
])
def test_bad_training_extras_are_one_line_errors(capsys, args, text):
    code, out, err = run("train", "--iterations", "5", *args, capsys=capsys)
    assert code == 2 and out == ""
    assert text in err and err.count("\n") == 1 and err.startswith("nnviz: error:")


def test_train_export_keeps_plot_nn_s_error_and_the_error_history(capsys, tmp_path):
    """The model file's 'error' is neuralnet's 1/2 SSE of the training rows, and its history is
    the run's curve: the first point the seed's mse, the last that of a run to that iteration."""
    from nnviz.core.experiment import Experiment, Settings
    from nnviz.io.format_json import HISTORY_POINTS, history_of

    path = tmp_path / "m.json"
    code, _, _ = run("train", "--data", "iris", "--test-fraction", "0.2", "--iterations", "2500", "--export",
                     str(path), "--quiet", capsys=capsys)
    assert code == 0
    model = nnio.load(path)
    settings = Settings(data="iris", test_fraction=0.2, iterations=2500)
    exp = Experiment(settings)
    Yhat = model.network.predict(exp.X_train)
    sse = sum((float(exp.Y_train[i, j]) - float(Yhat[i, j])) ** 2
              for i in range(exp.Y_train.shape[0]) for j in range(exp.Y_train.shape[1]))
    assert exp.Y_train.shape[0] == 120 and abs(model.training["error"] - sse / 2) < 1e-9
    x, y = history_of(model.training)
    assert len(x) == HISTORY_POINTS and x[0] == 0 and x[-1] == 2499 and (np.diff(x) > 0).all()
    assert y[0] == Experiment(settings).evaluate().mse  # before the first update
    later = Experiment(settings)
    later.session.run(int(x[-1]))
    assert abs(y[-1] - later.evaluate().mse) < 1e-12


def test_model_files_without_or_with_a_bad_history(tmp_path):
    from nnviz.core.experiment import Experiment, Settings
    from nnviz.io.format_json import history_entry, history_of

    exp = Experiment(Settings(data="toy", hidden=(2,)))
    old = exp.model()  # as files were written before the history: it loads, and has none
    nnio.save(old, tmp_path / "old.json")
    assert history_of(nnio.load(tmp_path / "old.json").training) is None
    xs, ys = np.arange(10), np.array([0.5, np.nan, *np.linspace(0.4, 0.1, 8)])
    entry = history_entry(xs, ys)
    assert entry == {"iterations": [0, *range(2, 10)], "mse": [0.5, *np.linspace(0.4, 0.1, 8).tolist()]}
    for fmt in ("json", "npz"):  # every format carries the metadata
        nnio.save(exp.model({"history": entry}), tmp_path / f"m.{fmt}")
        x, y = history_of(nnio.load(tmp_path / f"m.{fmt}").training)
        assert x.tolist() == entry["iterations"] and y.tolist() == entry["mse"]
    for bad in ({"iterations": [0, 1], "mse": [0.5]}, {"iterations": [2, 1], "mse": [0.5, 0.4]}, [1, 2],
                {"iterations": [0, True], "mse": [0.5, 0.4]}):
        with pytest.raises(ValueError, match="^'training' 'history'"):
            history_of({"history": bad})


def test_animate_progress_is_a_bar_on_a_terminal_and_plain_lines_otherwise(capsys, monkeypatch):
    import io as _io

    show = cli._FilmProgress("training", time.perf_counter())
    for k in range(1, 21):
        show(k, 20)
    lines = capsys.readouterr().err.split("\n")
    assert lines[-1] == "" and "\r" not in "".join(lines)
    assert [ln.split(" frames")[0] for ln in lines[:-1]] == [f"training: {k}/20" for k in range(2, 21, 2)]
    assert lines[-2].startswith("training: 20/20 frames (100 %), ") and lines[-2].endswith(" s")

    class Terminal(_io.StringIO):
        def isatty(self):
            return True

    tty = Terminal()
    monkeypatch.setattr(sys, "stderr", tty)
    bar = cli._FilmProgress("painting", time.perf_counter())
    bar(1, 4)
    bar(2, 4)  # within 0.1 s of the last: not redrawn
    bar(4, 4)
    out = tty.getvalue()
    assert out.count("\r") == 2 and out.endswith(" s\n") and out.count("\n") == 1
    first, last = out.split("\r")[1:]
    assert first.startswith("painting [" + "#" * 7 + " " * 23 + "] 1/4 frames  ")
    assert last.startswith("painting [" + "#" * 30 + "] 4/4 frames  ")


def test_the_learning_rate_auto_is_the_default_and_is_shown(capsys, tmp_path):
    m = tmp_path / "m.json"
    code, out, _ = run("train", "--data", "digits", "--iterations", "0", "--json", "--export", str(m), capsys=capsys)
    s = json.loads(out)
    assert code == 0 and s["learning_rate"] == 0.00167 and s["learning_rate_auto"] is True  # 3 / 1,797 rows
    assert s["settings"]["lr"] == "auto" and nnio.load(m).training["learning_rate"] == 0.00167
    code, out, _ = run("train", "--data", "digits", "--lr", "0.02", "--iterations", "0", "--json", capsys=capsys)
    s = json.loads(out)
    assert s["learning_rate"] == 0.02 and s["learning_rate_auto"] is False and s["settings"]["lr"] == 0.02
    code, out, _ = run("train", "--data", "breast-cancer", "--lr", "AUTO", "--iterations", "2", capsys=capsys)
    assert code == 0 and out.splitlines()[0].endswith("gd, lr 0.00527 (auto)")  # 3 / 569 rows
    code, out, _ = run("train", "--data", "iris", "--iterations", "2", capsys=capsys)
    assert out.splitlines()[0].endswith("gd, lr 0.02 (auto)")
    code, _, err = run("train", "--lr", "fast", capsys=capsys)
    assert code == 2 and err == "nnviz: error: argument --lr: 'fast' is not a number or auto\n"


@pytest.mark.slow
def test_the_posts_iris_run_keeps_its_numbers_with_the_defaults(capsys):
    code, out, _ = run("train", "--data", "iris", "--json", capsys=capsys)
    auto = json.loads(out)
    code, out, _ = run("train", "--data", "iris", "--hidden", "6,6", "--lr", "0.02", "--iterations", "50000",
                       "--seed", "1", "--json", capsys=capsys)
    post = json.loads(out)
    assert auto["learning_rate"] == post["learning_rate"] == 0.02
    assert auto["mse"] == post["mse"] and f"{post['mse']:.8f}" == "0.00435217"  # the README's numbers
    assert f"{post['accuracy']:.2%}" == "99.33%" and auto["hint"] is None


def test_the_summary_says_what_went_wrong_and_what_to_try(capsys):
    # the post's rate with a linear output on Playground's mixture diverges within a few hundred iterations
    code, out, err = run("train", "--data", "gauss-mix", "--output-activation", "linear", "--lr", "0.02",
                         "--iterations", "2000", capsys=capsys)
    assert code == 3 and "training diverged at iteration" in err
    hint = [line for line in out.splitlines() if line.startswith("hint: ")]
    assert len(hint) == 1 and hint[0].startswith("hint: diverged at iteration ")
    assert hint[0].endswith("lower the learning rate (try 0.00094)")
    # a rate far too big for iris saturates the sigmoid outputs: every flower gets the same answer
    code, out, _ = run("train", "--data", "iris", "--lr", "5", "--iterations", "3000", "--json", capsys=capsys)
    s = json.loads(out)
    assert code == 0 and s["accuracy"] < 0.5
    assert s["hint"].startswith("outputs saturated at 0 or 1, the error flat since iteration ")
    assert s["hint"].endswith("(accuracy 33%): lower the learning rate (try 0.02)")
    code, out, _ = run("train", "--data", "iris", "--iterations", "3000", capsys=capsys)
    assert "hint" not in out


def test_sweep_takes_auto_among_the_rates(capsys):
    code, out, _ = run("sweep", "--data", "iris", "--lr", "auto,0.01", "--iterations", "5", "--json", capsys=capsys)
    runs = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [r["learning_rate"] for r in runs] == [0.02, 0.01]
    assert [r["settings"]["lr"] for r in runs] == ["auto", 0.01]


# -- nnviz gui FILE, nnviz FILE, nnviz tour: the window in a subprocess, offscreen --------------------

LESSONS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "examples", "lessons")


def _window(*argv, tmp_path, timeout=120):
    env = _env()
    env.update(QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path / "config"))
    return subprocess.run([sys.executable, "-m", "nnviz", *argv], capture_output=True, text=True, env=env,
                          timeout=timeout)


def _summary(r) -> dict:
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("command", [("gui",), ()])
def test_gui_file_opens_a_lesson_session(tmp_path, command):
    lesson = os.path.join(LESSONS, "xor-hidden-layer.nnviz")
    s = _summary(_window(*command, lesson, "--quit-when-done", "--json", tmp_path=tmp_path))
    assert s["session"] == lesson and s["settings"]["data"] == "xor" and s["settings"]["hidden"] == []
    assert s["lesson"]["title"] == "XOR needs a hidden layer" and "hidden" not in s["lesson"]["lock"]
    assert "data" in s["lesson"]["lock"] and "l2" in s["lesson"]["hide"]


def test_gui_file_opens_a_plain_session_and_a_model(tmp_path, capsys):
    model = tmp_path / "m.json"
    code, _, err = run("train", "--data", "toy", "--hidden", "5", "--iterations", "40", "--export", str(model),
                       capsys=capsys)
    assert code == 0, err
    s = _summary(_window("gui", str(model), "--data", "toy", "--quit-when-done", "--json", tmp_path=tmp_path))
    assert s["settings"]["hidden"] == [5] and s["settings"]["data"] == "toy" and "lesson" not in s
    from nnviz.core.experiment import Experiment, Settings
    from nnviz.io import session as sessionfile

    exp = Experiment(Settings(data="spiral", hidden=(3,), iterations=60))
    exp.session.run(25)
    path = tmp_path / "plain.nnviz"
    sessionfile.save(path, exp.settings, exp.dataset, exp.session.get_state(), np.arange(25), np.ones(25))
    s = _summary(_window("gui", str(path), "--quit-when-done", "--json", tmp_path=tmp_path))
    assert s["session"] == str(path) and s["iterations"] == 25 and s["settings"]["data"] == "spiral"
    assert "lesson" not in s
    s = _summary(_window("gui", str(path), "--autostart", "--quit-when-done", "--json", "--speed", "max",
                         tmp_path=tmp_path))
    assert s["settings"]["data"] == "spiral" and s["iterations"] == 60  # the session trained on to its end


def test_gui_file_that_cannot_be_opened_is_one_line(tmp_path):
    bad = tmp_path / "bad.nnviz"
    bad.write_text('{"format": "nnviz-session", "version": 1, "lesson": {"title": "x", "lock": ["warp"]}}')
    for path, text in ((bad, "bad.nnviz: "), (tmp_path / "notes.txt", "notes.txt: nnviz opens a session")):
        r = _window("gui", str(path), "--quit-when-done", tmp_path=tmp_path)
        assert r.returncode == 2 and r.stderr.startswith("nnviz: error: ") and text in r.stderr
        assert r.stderr.count("\n") == 1


def test_tour_opens_at_a_step_and_resumes_there(tmp_path):
    s = _summary(_window("tour", "--step", "cost", "--quit-when-done", "--json", tmp_path=tmp_path))
    assert s["tour_step"] == "cost" and s["settings"]["data"] == "toy" and s["settings"]["hidden"] == [4]
    s = _summary(_window("tour", "--quit-when-done", "--json", tmp_path=tmp_path))
    assert s["tour_step"] == "cost"  # where it was left
    s = _summary(_window("tour", "--step", "1", "--quit-when-done", "--json", tmp_path=tmp_path))
    assert s["tour_step"] == "welcome" and s["settings"]["data"] == "iris"  # the first step sets nothing up
    r = _window("tour", "--step", "nope", tmp_path=tmp_path)
    assert r.returncode == 2 and "unknown step 'nope'" in r.stderr and r.stderr.count("\n") == 1


def test_a_kernel_still_compiling_is_said_once_on_stderr_unless_quiet(capsys, monkeypatch):
    """The first run after installing compiles numba's kernel for 10-30 s: nnviz train says so
    (issue 26 item 4) instead of stalling without a word; --quiet keeps stderr empty."""
    import threading

    from nnviz.core import sweep

    def slow_warm_up(engine, dtype):  # a kernel whose load takes 0.6 s, as a compile would take longer
        t = threading.Thread(target=threading.Event().wait, args=(0.6,), daemon=True)
        t.start()
        return t

    monkeypatch.setattr("nnviz.core.training.warm_up", slow_warm_up)
    monkeypatch.setattr(sweep, "KERNEL_NOTICE_SECONDS", 0.2)
    code, out, err = run("train", "--data", "toy", "--iterations", "20", capsys=capsys)
    assert code == 0 and err.count("compiling the training kernel") == 1, err
    code, out, err = run("train", "--data", "toy", "--iterations", "20", "--quiet", capsys=capsys)
    assert code == 0 and "compiling" not in err and out == ""
