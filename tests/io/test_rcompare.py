"""Comparing with R's neuralnet (io/rcompare.py).

Without R: the files R is given (columns, scaling, startweights order against the README's
R snippet), the script's neuralnet call, the refusals, the missing-R and missing-neuralnet
messages, R's errors, the timeout (a stand-in Rscript plays R).  With R and neuralnet
installed (skipped otherwise): the post's toy set with backprop, iris with rprop+ and a
threshold, and a fixed number of backprop steps, against neuralnet itself.
"""

from __future__ import annotations

import json
import math
import os
import stat
import textwrap

import numpy as np
import pytest

from nnviz.core import data as datamod
from nnviz.core.experiment import Experiment, Settings
from nnviz.core.runs import RunTable
from nnviz.io import format_csv
from nnviz.io import rcompare as rc
from nnviz.io import runs as runfile


def _hex_rows(path) -> tuple[list[str], np.ndarray]:
    lines = path.read_text().splitlines()
    return lines[0].split(","), np.array([[float.fromhex(v) for v in ln.split(",")] for ln in lines[1:]])


def _readme_snippet(csv_text: str) -> np.ndarray:
    """The README's R snippet, step by step: read.csv, split by layer, m[cbind(row, col)] <- weight
    in a matrix of max(row) x max(col), then unlist (R's vectors are column-major)."""
    rows = [ln.split(",") for ln in csv_text.splitlines()[1:]]
    out = []
    for layer in sorted({int(r[0]) for r in rows}):
        d = [r for r in rows if int(r[0]) == layer]
        m = np.zeros((max(int(r[1]) for r in d), max(int(r[2]) for r in d)))
        for _, row, col, w in d:
            m[int(row) - 1, int(col) - 1] = float(w)
        out.extend(m[i, j] for j in range(m.shape[1]) for i in range(m.shape[0]))  # unlist: down each column
    return np.array(out)


# -- without R ---------------------------------------------------------------------------------

def test_the_files_hold_the_rows_nnviz_trains_on_and_its_start_weights(tmp_path):
    exp = Experiment(Settings(data="iris", hidden=(6, 6), iterations=10, test_fraction=0.2))
    job = rc.job_for(exp, exp.network.weights)
    rc.write_job(tmp_path, job)
    header, table = _hex_rows(tmp_path / "data.csv")
    assert header == ["Sepal.Length", "Sepal.Width", "Petal.Length", "Petal.Width", "setosa", "versicolor", "virginica"]
    assert table.shape == (120, 7)  # the training rows only
    # the inputs are the training rows standardised as R's scale() does (mean, sd with n - 1), bit for bit
    raw = exp.train.X
    assert np.array_equal(table[:, :4], (raw - raw.mean(axis=0)) / raw.std(axis=0, ddof=1))
    assert np.array_equal(table[:, 4:], exp.train.T)
    # the start weights in neuralnet's order: the README's snippet applied to nnviz's CSV export
    start = np.array([float.fromhex(v) for v in (tmp_path / "startweights.txt").read_text().split()])
    assert np.array_equal(start, _readme_snippet(format_csv.weights_to_csv(exp.network.weights)))
    W1 = exp.network.weights[0]
    assert start[0] == W1[0, 0] and start[1] == W1[1, 0] and start[5] == W1[0, 1]  # column by column
    assert start.size == exp.arch.n_weights


def test_features_and_awkward_names_become_r_names(tmp_path):
    exp = Experiment(Settings(data="circles", features=("x1^2", "x2^2", "x1*x2"), hidden=(3,), iterations=5))
    job = rc.job_for(exp, exp.network.weights)
    assert job.formula == "blue + orange ~ x1.2 + x2.2 + x1.x2"
    rc.write_job(tmp_path, job)
    header, table = _hex_rows(tmp_path / "data.csv")
    assert header == ["x1.2", "x2.2", "x1.x2", "blue", "orange"]
    assert np.array_equal(table[:, :3], exp.X_train)  # the features, computed and scaled as nnviz trains on them
    assert rc.r_names(["if", "1a", "a b", ".", "_x", "y", "y", "NA"]) == ["if.", "X1a", "a.b", "X.", "X_x", "y", "y.1",
                                                                          "NA."]
    assert rc.r_names(["y"], taken=["y", "y.1"]) == ["y.2"]


def test_the_script_calls_neuralnet_with_the_settings():
    exp = Experiment(Settings(data="toy", hidden=(6, 6), iterations=200, lr=0.02))
    text = rc.script(rc.job_for(exp, exp.network.weights))
    call = text[text.index("neuralnet::neuralnet("):]
    for line in ("y1 + y2 ~ x1 + x2 + x3,", "startweights = startweights,", "hidden = c(6, 6),", "threshold = 0,",
                 "stepmax = 201,", "rep = 1,", 'algorithm = "backprop",',
                 f"learningrate = {(0.02).hex()},  # 0.02", 'err.fct = "sse",', 'act.fct = "logistic",',
                 "linear.output = FALSE"):
        assert f"\n      {line}" in call, line
    args = rc.neuralnet_arguments(Settings(hidden=(5,), activation=("tanh",), output_activation="linear",
                                           algorithm="rprop-", threshold=0.5, iterations=99, loss="sse"))
    assert args == {"hidden": [5], "threshold": 0.5, "stepmax": 100, "rep": 1, "algorithm": "rprop-",
                    "err.fct": "sse", "act.fct": "tanh", "linear.output": True}
    assert rc.neuralnet_arguments(Settings(hidden=(), loss="ce"), 150)["hidden"] == [0]
    assert rc.r_call("y ~ x", {"hidden": [0], "threshold": 0.01}, r_source=False) == \
        "neuralnet(y ~ x, data, startweights, hidden = 0, threshold = 0.01)"


@pytest.mark.parametrize("change, named", [
    (dict(activation=("relu",)), "--activation relu"),
    (dict(activation=("tanh", "sigmoid")), "--activation tanh,sigmoid"),
    (dict(output_activation="softmax", loss="ce"), "--output-activation softmax"),
    (dict(activation=("tanh",)), "--activation tanh with --output-activation sigmoid"),
    (dict(l2=0.001), "--l2 0.001"),
    (dict(l1=0.01), "--l1 0.01"),
    (dict(momentum=0.9), "--momentum 0.9"),
    (dict(batch_size=16), "--batch-size 16"),
    (dict(lr_schedule="exp:0.999"), "--lr-schedule exp:0.999"),
    (dict(validation_fraction=0.2, patience=50), "--patience 50"),
    (dict(dtype="float32"), "--dtype float32"),
])
def test_what_neuralnet_cannot_do_is_refused_in_one_line(change, named):
    with pytest.raises(ValueError) as info:
        rc.check(Settings(hidden=(6, 6), **change), 150)
    message = str(info.value)
    assert message.startswith(f"cannot compare with neuralnet: {named}") and "\n" not in message


def test_what_neuralnet_can_do_is_not_refused():
    for s in (Settings(), Settings(activation=("tanh", "tanh"), output_activation="linear"),
              Settings(algorithm="rprop+", threshold=0.01), Settings(loss="ce"), Settings(hidden=(), activation=("relu",)),
              Settings(batch_size=150), Settings(validation_fraction=0.2), Settings(test_fraction=0.3),
              Settings(features=("x1", "x1^2")), Settings(engine="numpy")):
        assert rc.refusal(s, 150) is None, s


def test_missing_r_says_what_to_install(monkeypatch, tmp_path):
    monkeypatch.delenv("NNVIZ_RSCRIPT", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(rc.RUnavailable) as info:
        rc.find_r()
    assert str(info.value) == ("R is not installed (Debian: apt install r-base-core; "
                               "then in R: install.packages('neuralnet'))")
    monkeypatch.setenv("NNVIZ_RSCRIPT", str(tmp_path / "nothing-here"))
    with pytest.raises(rc.RUnavailable, match="NNVIZ_RSCRIPT=.*nothing-here is not an executable file"):
        rc.find_rscript()


def _fake_rscript(tmp_path, body: str):
    """An Rscript that is a shell script: ``-e`` answers the version question, a script run
    does ``body`` (with $2 the folder)."""
    path = tmp_path / "Rscript"
    path.write_text("#!/bin/sh\n" + textwrap.dedent(body))
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return str(path)


def test_missing_neuralnet_says_what_to_install(monkeypatch, tmp_path):
    fake = _fake_rscript(tmp_path, """\
        if [ "$1" = "-e" ]; then echo "4.3.1 "; exit 0; fi
        echo "there is no package called 'neuralnet'" > "$2/error.txt"; exit 3
        """)
    monkeypatch.setenv("NNVIZ_RSCRIPT", fake)
    with pytest.raises(rc.RUnavailable) as info:
        rc.find_r()
    assert str(info.value) == "the R package neuralnet is not installed (in R: install.packages('neuralnet'))"
    exp = Experiment(Settings(data="toy", iterations=3))
    with pytest.raises(rc.RUnavailable, match=r"^the R package neuralnet is not installed .*: there is no package"):
        rc.run_job(rc.job_for(exp, exp.network.weights))


def test_an_error_in_r_is_one_line(monkeypatch, tmp_path):
    fake = _fake_rscript(tmp_path, """\
        printf 'Error in rprop(weights = weights):\\n  missing value where TRUE/FALSE needed\\n' > "$2/error.txt"
        exit 4
        """)
    exp = Experiment(Settings(data="toy", iterations=3))
    with pytest.raises(ValueError) as info:
        rc.run_job(rc.job_for(exp, exp.network.weights), rscript=fake)
    assert str(info.value) == ("neuralnet failed: Error in rprop(weights = weights): missing value where "
                               "TRUE/FALSE needed")
    crash = _fake_rscript(tmp_path, "echo 'Fatal error: cannot open file' >&2; exit 2\n")
    with pytest.raises(ValueError, match=r"^neuralnet failed: Fatal error: cannot open file$"):
        rc.run_job(rc.job_for(exp, exp.network.weights), rscript=crash)


def test_a_slow_r_is_stopped_by_the_timeout_or_by_should_stop(tmp_path):
    slow = _fake_rscript(tmp_path, "sleep 30\n")
    exp = Experiment(Settings(data="toy", iterations=3))
    job = rc.job_for(exp, exp.network.weights)
    with pytest.raises(ValueError, match=r"^neuralnet did not finish within 0.3 s \(R was stopped"):
        rc.run_job(job, rscript=slow, timeout=0.3)
    with pytest.raises(rc.Cancelled):
        rc.run_job(job, rscript=slow, should_stop=lambda: True)
    with pytest.raises(rc.Cancelled):  # compare(): stopped while nnviz trains
        rc.compare(Settings(data="toy", iterations=1000), rscript=slow, should_stop=lambda: True)


def _comparison() -> rc.RComparison:
    exp = Experiment(Settings(data="iris", hidden=(3,), iterations=20, test_fraction=0.2))
    net = exp.network
    side = rc._side(exp, net, 21, "max_iterations", 0.5)
    other = rc.Side(**{**side.__dict__, "steps": 15, "stopped": "threshold", "seconds": 2.5, "mse": 0.125})
    return rc.RComparison(exp.settings, "iris", "4-3-3", "neuralnet(...)", side, other, True, 3.5e-15,
                          "1.44.2", "4.2.2")


def test_neuralnets_run_is_a_kept_run_for_the_runs_table():
    c = _comparison()
    run = c.to_run_record()
    assert (run.iterations, run.mse, run.seconds, run.stopped, run.curve) == (14, 0.125, 2.5, "threshold", None)
    assert run.settings == c.settings and run.accuracy == c.neuralnet.accuracy
    assert run.test_mse == c.neuralnet.test_mse and run.test_mse is not None
    assert run.origin == "neuralnet 1.44.2, max |w - nnviz w| 3.5e-15"
    table = RunTable([run])
    cols = [col.key for col in table.columns]
    assert table.value(0, cols.index("origin")) == run.origin and table.value(0, cols.index("iterations")) == 14
    back = runfile.from_dict(json.loads(json.dumps(runfile.to_dict(run))))  # as a session keeps it
    assert (back.iterations, back.mse, back.stopped, back.origin) == (14, 0.125, "threshold", run.origin)
    assert c.describe() == (f"neuralnet 1.44.2: 15 steps, error {c.neuralnet.error:.6g}; nnviz: 21 steps, "
                            f"error {c.nnviz.error:.6g}; largest weight difference 3.5e-15")
    doc = c.neuralnet_json()
    assert (doc["steps"], doc["iterations"], doc["converged"], doc["version"]) == (15, 14, True, "1.44.2")


def test_error_and_threshold_are_neuralnets():
    """error = 1/2 SSE (or the summed cross-entropy); reached.threshold = max |dE/dw|, checked
    against finite differences of that error."""
    exp = Experiment(Settings(data="toy", hidden=(4,), iterations=0))
    net, X, Y = exp.network, exp.X_train, exp.Y_train
    Yhat = net.predict(X)
    assert rc.neuralnet_error("sse", Y, Yhat, "sigmoid") == pytest.approx(0.5 * ((Y - Yhat) ** 2).sum(), rel=1e-15)
    ce = -(Y * np.log(Yhat) + (1 - Y) * np.log(1 - Yhat)).sum()
    assert rc.neuralnet_error("ce", Y, Yhat, "sigmoid") == pytest.approx(ce, rel=1e-14)
    grads = rc.error_gradients(net, X, Y)
    h = 1e-6
    for li, (r, c) in ((0, (0, 0)), (0, (3, 2)), (1, (4, 1))):
        W = net.weights[li]
        keep = W[r, c]
        W[r, c] = keep + h
        up = rc.neuralnet_error("sse", Y, net.predict(X), "sigmoid")
        W[r, c] = keep - h
        down = rc.neuralnet_error("sse", Y, net.predict(X), "sigmoid")
        W[r, c] = keep
        assert grads[li][r, c] == pytest.approx((up - down) / (2 * h), rel=1e-6, abs=1e-9)
    assert rc.reached_threshold(net, X, Y) == max(np.abs(g).max() for g in grads)


# -- with R and neuralnet ------------------------------------------------------------------------

def _r_or_skip() -> rc.RInfo:
    try:
        return rc.find_r()
    except ValueError as exc:
        pytest.skip(f"needs R and neuralnet: {exc}")


@pytest.fixture(scope="module")
def r_info():
    return _r_or_skip()


def _compare(r_info, tmp_path=None, **settings) -> tuple[rc.RComparison, Experiment, list]:
    from nnviz.core.sweep import train_headless

    exp = Experiment(Settings(**settings))
    start = [W.copy() for W in exp.network.weights]
    snap, stopped = train_headless(exp)
    return rc.against_neuralnet(exp, start, stopped, snap.training_seconds, snap, rscript=r_info.rscript,
                                folder=tmp_path), exp, start


def test_r_starts_from_nnvizs_weights(r_info, tmp_path):
    """No step (stepmax 1): neuralnet hands back its start weights as it laid them out, which
    must be nnviz's matrices exactly; its outputs are nnviz's forward pass."""
    c, exp, start = _compare(r_info, tmp_path, data="iris", hidden=(6, 4), iterations=0)
    assert c.neuralnet.steps == 1 and c.nnviz.steps == 1
    for W_r, W in zip(c.neuralnet.weights, start, strict=True):
        assert np.array_equal(W_r, W)
    assert c.max_weight_difference == 0.0
    fitted = np.array([[float.fromhex(v) for v in ln.split(",")] for ln in (tmp_path / "fitted.csv").read_text().split()])
    assert np.abs(fitted - exp.network.predict(exp.X_train)).max() < 1e-15
    assert c.neuralnet.error == pytest.approx(c.nnviz.error, rel=1e-14)


def test_toy_backprop_agrees_with_neuralnet(r_info):
    """The post's toy set, 3-6-6-2, gd = neuralnet's backprop with the same learning rate."""
    c, exp, _ = _compare(r_info, data="toy", hidden=(6, 6), lr=0.02, iterations=300)
    assert (c.nnviz.steps, c.neuralnet.steps) == (301, 301)
    assert not c.converged and c.neuralnet.stopped == c.nnviz.stopped == "max_iterations"
    assert c.max_weight_difference < 1e-12
    assert c.neuralnet.error == pytest.approx(c.nnviz.error, rel=1e-12)
    # neuralnet's error is 1/2 SSE of its own outputs (reported by R, checked here from its weights)
    net_r_out = exp.network.__class__.from_weights(exp.arch, list(c.neuralnet.weights)).predict(exp.X_train)
    assert c.neuralnet.error == pytest.approx(0.5 * ((exp.Y_train - net_r_out) ** 2).sum(), rel=1e-12)
    assert c.neuralnet.reached_threshold == pytest.approx(c.nnviz.reached_threshold, rel=1e-10)
    assert c.neuralnet.accuracy == c.nnviz.accuracy


def test_iris_rprop_plus_stops_at_neuralnets_step(r_info):
    c, _, _ = _compare(r_info, data="iris", hidden=(6, 6), algorithm="rprop+", threshold=0.01, iterations=5000)
    assert c.converged and c.neuralnet.stopped == c.nnviz.stopped == "threshold"
    assert c.neuralnet.steps == c.nnviz.steps < 5000
    assert c.neuralnet.reached_threshold <= 0.01 and c.nnviz.reached_threshold < 0.01
    assert c.neuralnet.error == pytest.approx(c.nnviz.error, rel=1e-12)
    assert c.max_weight_difference < 1e-12


def test_iris_backprop_for_fixed_steps_gives_the_same_weights(r_info):
    c, _, _ = _compare(r_info, data="iris", hidden=(6, 6), lr=0.02, iterations=2000, test_fraction=0.2)
    assert c.neuralnet.steps == 2001
    assert c.max_weight_difference < 1e-12
    assert c.neuralnet.test_mse == pytest.approx(c.nnviz.test_mse, rel=1e-12)


def test_tanh_linear_regression_and_cross_entropy_agree(r_info, tmp_path):
    csv = tmp_path / "r.csv"
    rng = np.random.default_rng(0)
    x = rng.uniform(-2, 2, size=(40, 2))
    csv.write_text("a b,if,y\n" + "".join(f"{u},{v},{u * u + 3 * v}\n" for u, v in x))
    c, _, _ = _compare(r_info, data=str(csv), hidden=(4,), activation=("tanh",), output_activation="linear",
                       lr=0.001, iterations=500)
    assert c.max_weight_difference < 1e-12 and c.neuralnet.steps == 501
    c, _, _ = _compare(r_info, data="toy", hidden=(3,), loss="ce", iterations=500)
    assert c.max_weight_difference < 1e-12 and c.neuralnet.error == pytest.approx(c.nnviz.error, rel=1e-12)
    c, _, _ = _compare(r_info, data="xor", hidden=(), algorithm="rprop-", threshold=0.05, iterations=3000)
    assert c.max_weight_difference < 1e-12 and c.neuralnet.steps == c.nnviz.steps


def test_compare_for_the_window(r_info):
    """compare(): from an Experiment's current weights, on its data and scaling; the experiment is left alone."""
    exp = Experiment(Settings(data="toy", hidden=(3,), iterations=100), dataset=datamod.load("toy"))
    exp.network.weights[0][1, 2] = 0.75  # an edited start weight
    before = exp.network.params.copy()
    c = rc.compare(exp, rscript=r_info.rscript)
    assert np.array_equal(exp.network.params, before) and exp.session.iteration == 0
    assert c.nnviz.steps == c.neuralnet.steps == 101 and c.max_weight_difference < 1e-12
    assert c.nnviz_run is not None and c.nnviz_run.iterations == 100 and c.nnviz_run.curve is not None
    assert c.to_run_record().iterations == 100
    assert math.isfinite(c.neuralnet.seconds) and c.neuralnet_version == r_info.neuralnet_version
    assert os.path.basename(r_info.rscript).startswith("Rscript")


def test_the_learning_rate_auto_is_the_number_nnviz_trains_with():
    """lr auto (the default) goes to neuralnet as the number it stands for on the training rows."""
    args = rc.neuralnet_arguments(Settings(data="toy"), 8)
    assert args["learningrate"] == Settings(data="toy").learning_rate(8) == 0.02
    args = rc.neuralnet_arguments(Settings(), 1797)
    assert args["learningrate"] == Settings().learning_rate(1797) < 0.02
