"""Input importance, generalized weights and Lek's profiles against R itself.

nnviz's CSV export of the weights (``layer,row,col,weight``, 17 digits) is read in R as the
README's snippet reads it, and the rows nnviz's network sees (standardised as scale() does)
are written in hexadecimal, which R reads bit for bit.  Then:

* NeuralNetTools' ``olden(unlist(weights), struct = ...)`` (every output, via ``out_var``) and
  ``garson(...)``;
* neuralnet's ``generalized.weights``: ``neuralnet(..., startweights = unlist(weights),
  threshold = 1e10)`` stops at its first evaluation (the largest gradient is below 1e10),
  with those weights, whose generalized weights are what ``gwplot()`` draws;
* NeuralNetTools' ``lekprofile()`` of an ``nnet`` built from the same weights (``Wts``,
  ``maxit = 0``: nnet's weight order is neuralnet's ``unlist``), with its default quantile
  groups, and with nnviz's k-means centres given as ``group_vals``.

Skipped when Rscript, neuralnet, NeuralNetTools or nnet is missing (R_LIBS_USER tells R where
to look); nothing here fails for their absence.
"""

from __future__ import annotations

import subprocess
import textwrap

import numpy as np
import pytest

from nnviz.core import importance as imp
from nnviz.core import profiles as prof
from nnviz.core.experiment import Experiment, Settings
from nnviz.core.sweep import train_headless
from nnviz.io import format_csv
from nnviz.io import rcompare as rc

TOL = 1e-9


def _rscript_or_skip() -> str:
    try:
        rscript = rc.find_rscript()
    except ValueError as exc:
        pytest.skip(f"needs R: {exc}")
    code = 'cat(all(sapply(c("neuralnet", "NeuralNetTools", "nnet"), requireNamespace, quietly = TRUE)))'
    done = subprocess.run([rscript, "-e", code], capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    if done.stdout.strip() != "TRUE":
        pytest.skip("needs the R packages neuralnet, NeuralNetTools and nnet (R_LIBS_USER names where they are)")
    return rscript


@pytest.fixture(scope="module")
def rscript() -> str:
    return _rscript_or_skip()


READ = r"""
suppressMessages({library(neuralnet); library(NeuralNetTools); library(nnet)})
w <- read.csv("weights.csv")
weights <- lapply(split(w, w$layer), function(d) {
  m <- matrix(0, max(d$row), max(d$col)); m[cbind(d$row, d$col)] <- d$weight; m })
names(weights) <- NULL
wts <- unlist(weights)
struct <- c(nrow(weights[[1]]) - 1, sapply(weights, ncol))
hexread <- function(f) { l <- readLines(f); h <- strsplit(l[1], ",")[[1]]
  m <- do.call(rbind, lapply(strsplit(l[-1], ","), as.numeric)); colnames(m) <- h; as.data.frame(m) }
d <- hexread("data.csv")
xn <- names(d)[seq_len(struct[1])]; yn <- names(d)[-seq_len(struct[1])]
out <- function(x, f) writeLines(sprintf("%a", as.vector(as.matrix(x))), f)
"""


def _write(tmp_path, exp: Experiment) -> None:
    (tmp_path / "weights.csv").write_text(format_csv.weights_to_csv(exp.network.weights))
    names = [f"x{j + 1}" for j in range(exp.X_train.shape[1])] + [f"y{k + 1}" for k in range(exp.Y_train.shape[1])]
    table = np.hstack([exp.X_train, exp.Y_train])
    (tmp_path / "data.csv").write_text(",".join(names) + "\n" + "\n".join(",".join(float(v).hex() for v in row)
                                                                          for row in table) + "\n")


def _run(rscript: str, tmp_path, body: str) -> None:
    (tmp_path / "run.R").write_text(READ + textwrap.dedent(body))
    done = subprocess.run([rscript, "run.R"], cwd=tmp_path, capture_output=True, text=True, timeout=300,
                          stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr[-2000:]


def _read(path, shape) -> np.ndarray:
    values = np.array([float.fromhex(v) for v in path.read_text().split()])
    return values.reshape(shape, order="F")  # R writes matrices column by column


def _trained(**settings) -> Experiment:
    exp = Experiment(Settings(**settings))
    train_headless(exp)
    return exp


@pytest.fixture(scope="module")
def iris_453():
    return _trained(data="iris", hidden=(5,), iterations=1500, lr=0.02)


def test_olden_equals_neuralnettools_on_iris_4_5_3(rscript, tmp_path, iris_453):
    exp = iris_453
    _write(tmp_path, exp)
    _run(rscript, tmp_path, """
        ol <- sapply(seq_along(yn), function(k)
          olden(wts, struct = struct, out_var = paste0("Y", k), bar_plot = FALSE)$importance)
        out(ol, "olden.txt")
    """)
    r = _read(tmp_path / "olden.txt", (4, 3))
    ours = imp.olden(exp.network.weights)
    assert np.abs(ours - r).max() <= TOL * max(1.0, np.abs(r).max())
    assert np.abs(r).max() > 0.1  # a network that learned something


def test_olden_equals_neuralnettools_with_two_hidden_layers(rscript, tmp_path):
    exp = _trained(data="iris", hidden=(5, 4), activation=("tanh",), iterations=800, lr=0.01)
    _write(tmp_path, exp)
    _run(rscript, tmp_path, """
        ol <- sapply(seq_along(yn), function(k)
          olden(wts, struct = struct, out_var = paste0("Y", k), bar_plot = FALSE)$importance)
        out(ol, "olden.txt")
    """)
    r = _read(tmp_path / "olden.txt", (4, 3))
    assert np.abs(imp.olden(exp.network.weights) - r).max() <= TOL * max(1.0, np.abs(r).max())


@pytest.fixture(scope="module")
def diabetes_regression():
    return _trained(data="diabetes", hidden=(6,), output_activation="linear", iterations=1500)


def test_garson_equals_neuralnettools_on_a_one_output_regression(rscript, tmp_path, diabetes_regression):
    exp = diabetes_regression
    _write(tmp_path, exp)
    _run(rscript, tmp_path, """
        out(garson(wts, struct = struct, bar_plot = FALSE)$rel_imp, "garson.txt")
        out(olden(wts, struct = struct, bar_plot = FALSE)$importance, "olden.txt")
    """)
    g = _read(tmp_path / "garson.txt", (10,))
    assert np.abs(imp.garson(exp.network.weights) - g).max() <= TOL
    o = _read(tmp_path / "olden.txt", (10,))
    assert np.abs(imp.olden(exp.network.weights)[:, 0] - o).max() <= TOL * max(1.0, np.abs(o).max())


def test_generalized_weights_equal_neuralnets_on_iris(rscript, tmp_path, iris_453):
    exp = iris_453
    _write(tmp_path, exp)
    _run(rscript, tmp_path, """
        f <- as.formula(paste(paste(yn, collapse = " + "), "~", paste(xn, collapse = " + ")))
        nn <- neuralnet(f, data = d, hidden = 5, startweights = wts, threshold = 1e10, rep = 1,
                        act.fct = "logistic", err.fct = "sse", linear.output = FALSE)
        stopifnot(nn$result.matrix["steps", 1] == 1)
        out(unlist(nn$weights[[1]]) - wts, "moved.txt")
        out(nn$generalized.weights[[1]], "gw.txt")
    """)
    assert np.all(_read(tmp_path / "moved.txt", (-1,)) == 0)  # neuralnet kept nnviz's weights
    n, p, k = 150, 4, 3
    r = _read(tmp_path / "gw.txt", (n, p * k))  # column (k - 1) p + j: output k, covariate j (gwplot's `column`)
    ours = imp.generalized_weights(exp.network, exp.X_train)
    for out in range(k):
        block = r[:, out * p:(out + 1) * p]
        assert np.abs(ours[:, out, :] - block).max() <= TOL * max(1.0, np.abs(block).max())


def test_generalized_weights_with_two_hidden_layers(rscript, tmp_path):
    exp = _trained(data="iris", hidden=(5, 4), iterations=800, lr=0.02)
    _write(tmp_path, exp)
    _run(rscript, tmp_path, """
        f <- as.formula(paste(paste(yn, collapse = " + "), "~", paste(xn, collapse = " + ")))
        nn <- neuralnet(f, data = d, hidden = c(5, 4), startweights = wts, threshold = 1e10, rep = 1,
                        act.fct = "logistic", err.fct = "sse", linear.output = FALSE)
        out(nn$generalized.weights[[1]], "gw.txt")
    """)
    r = _read(tmp_path / "gw.txt", (150, 12))
    ours = imp.generalized_weights(exp.network, exp.X_train)
    want = np.concatenate([ours[:, k, :] for k in range(3)], axis=1)
    assert np.abs(want - r).max() <= TOL * max(1.0, np.abs(r).max())


def test_tanh_layers_and_a_linear_output(rscript, tmp_path):
    """neuralnet divides by y (1 - y) for a linear output too; nnviz gives dy/dx itself."""
    exp = _trained(data="diabetes", hidden=(6, 3), activation=("tanh",), output_activation="linear", iterations=800)
    _write(tmp_path, exp)
    _run(rscript, tmp_path, """
        f <- as.formula(paste(yn, "~", paste(xn, collapse = " + ")))
        nn <- neuralnet(f, data = d, hidden = c(6, 3), startweights = wts, threshold = 1e10, rep = 1,
                        act.fct = "tanh", err.fct = "sse", linear.output = TRUE)
        out(nn$generalized.weights[[1]], "gw.txt")
    """)
    r = _read(tmp_path / "gw.txt", (exp.X_train.shape[0], 10))
    y = exp.network.predict(exp.X_train)[:, 0]
    ours = imp.generalized_weights(exp.network, exp.X_train)[:, 0, :] / (y * (1 - y))[:, None]
    assert np.abs(ours - r).max() <= TOL * np.abs(r).max()


def test_a_linear_outputs_derivative_is_neuralnets_times_y_one_minus_y(rscript, tmp_path, diabetes_regression):
    """neuralnet divides by y (1 - y) for a linear output too; nnviz gives dy/dx itself."""
    exp = diabetes_regression
    _write(tmp_path, exp)
    _run(rscript, tmp_path, """
        f <- as.formula(paste(yn, "~", paste(xn, collapse = " + ")))
        nn <- neuralnet(f, data = d, hidden = 6, startweights = wts, threshold = 1e10, rep = 1,
                        act.fct = "logistic", err.fct = "sse", linear.output = TRUE)
        out(nn$generalized.weights[[1]], "gw.txt")
    """)
    r = _read(tmp_path / "gw.txt", (exp.X_train.shape[0], 10))
    y = exp.network.predict(exp.X_train)[:, 0]
    ours = imp.generalized_weights(exp.network, exp.X_train)[:, 0, :] / (y * (1 - y))[:, None]
    assert np.abs(ours - r).max() <= TOL * np.abs(r).max()


def test_lek_profiles_equal_lekprofile(rscript, tmp_path, iris_453):
    exp = iris_453
    _write(tmp_path, exp)
    net, X = exp.network, exp.train.X
    centres = prof.cluster_groups(X, 6)
    scaled_centres = exp.scaling.inputs(centres)
    (tmp_path / "centres.csv").write_text("x1,x2,x3,x4\n" + "\n".join(",".join(float(v).hex() for v in row)
                                                                       for row in scaled_centres) + "\n")
    _run(rscript, tmp_path, """
        xm <- d[, xn]; ym <- as.matrix(d[, yn])  # x a data.frame: lekprofile takes its names
        mod <- nnet(x = xm, y = ym, size = 5, Wts = wts, maxit = 0, trace = FALSE)
        stopifnot(max(abs(mod$wts - wts)) == 0)
        for (which in c("quantiles", "clusters")) {
          gv <- if (which == "quantiles") seq(0, 1, by = 0.2) else hexread("centres.csv")
          lv <- lekprofile(mod, group_vals = gv, val_out = TRUE)[[1]]
          lv <- lv[order(match(lv$exp_name, xn), match(lv$resp_name, yn), as.integer(lv$Groups)), ]
          out(lv$Explanatory, paste0("x_", which, ".txt"))
          out(lv$Response, paste0("y_", which, ".txt"))
        }
    """)
    predict = prof.model_predict(net, exp.scaling)
    for which, p in (("quantiles", prof.profiles("lek", predict, X)),
                     ("clusters", prof.lek(predict, X, centres, kind="lek_clusters"))):
        # R's rows: input, output, group, step (lekprofile sweeps the standardised columns R was given)
        rx = _read(tmp_path / f"x_{which}.txt", (-1,)).reshape(4, 3, 6, 100)
        ry = _read(tmp_path / f"y_{which}.txt", (-1,)).reshape(4, 3, 6, 100)
        ours = np.transpose(p.curves, (0, 3, 1, 2))  # (inputs, outputs, groups, steps)
        exact = _unclamped(net, exp.scaling, p)[:, None, :, :]
        assert exact.mean() > 0.5  # most of the profile's points
        assert np.abs(ours - ry)[np.broadcast_to(exact, ry.shape)].max() <= TOL
        # where a unit's input passes +-15, nnet's C code gives exactly 0 or 1 (its sigmoid() clamps)
        assert np.abs(ours - ry).max() <= 1e-6  # of the order of e^-15 = 3e-7
        sx = (p.x - exp.scaling.x_center[:, None]) / exp.scaling.x_scale[:, None]
        assert np.abs(sx[:, None, None, :] - rx).max() <= TOL


def _unclamped(net, scaling, p: prof.Profiles) -> np.ndarray:
    """(inputs, groups, steps): True where no unit's input goes beyond +-15, the range in which
    nnet's sigmoid() is the logistic function (beyond it nnet returns exactly 0 or 1)."""
    out = np.empty(p.curves.shape[:3], dtype=bool)
    for i, j in enumerate(p.inputs):
        rows = np.repeat(p.held, p.x.shape[1], axis=0)
        rows[:, j] = np.tile(p.x[i], p.held.shape[0])
        A = [a for _, a, _ in net.forward_layers(scaling.inputs(rows))]
        out[i] = np.all([np.abs(a).max(axis=1) <= 15 for a in A], axis=0).reshape(p.held.shape[0], -1)
    return out


def test_the_cluster_centres_are_rs_kmeans_with_many_starts(rscript, tmp_path, iris_453):
    """R's kmeans() starts from R's random numbers; with 50 starts it finds the same six
    clusters of iris as nnviz's ten seeded k-means++ starts (in any order: sorted here)."""
    exp = iris_453
    _write(tmp_path, exp)
    raw = exp.train.X
    (tmp_path / "raw.csv").write_text("a,b,c,d\n" + "\n".join(",".join(float(v).hex() for v in row) for row in raw) + "\n")
    _run(rscript, tmp_path, """
        set.seed(1)
        cc <- kmeans(hexread("raw.csv"), 6, nstart = 50)$centers
        out(cc[order(cc[, 1], cc[, 2]), ], "centres.txt")
    """)
    r = _read(tmp_path / "centres.txt", (6, 4))
    assert np.abs(prof.cluster_groups(raw, 6) - r).max() <= TOL
