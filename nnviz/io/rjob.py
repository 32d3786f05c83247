"""The R job of a comparison: the files R reads, the script it runs, and what it writes back.

``write_job`` writes what R needs to a folder, ``run_job`` runs ``Rscript`` on it
(``rscript.run_r``) and reads back what ``neuralnet`` reports (``RResult``):

* ``data.csv``: the network's inputs and targets exactly as nnviz trains on them (the
  training rows, input features computed and scaled as R's ``scale()`` does, targets scaled
  as nnviz scales them), under R-safe column names (``r_names``); numbers as hexadecimal
  floats (``0x1.8p+1``), which R reads bit for bit (decimal text was 1 ulp off in 5 of
  200,000 numbers here).
* ``startweights.txt``: the start weights in ``neuralnet``'s ``startweights`` order, each
  matrix column by column (``unlist(weights)`` of the README's snippet).
* ``compare.R``: ``neuralnet(formula, data, hidden, threshold, stepmax, rep = 1,
  startweights, algorithm, learningrate, err.fct, act.fct, linear.output)``
  (``neuralnet_args.r_call``).

neuralnet returns no weights when the threshold is not reached within ``stepmax``; the
script then reads them from its internal ``rprop()`` (through ``trace``), and the error as
``neuralnet`` computes it.  Comparing the result with nnviz's run is ``rcompare.py``'s.
"""

from __future__ import annotations

import math
import re
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..core.experiment import Experiment
from .neuralnet_args import check, neuralnet_arguments, r_call
from .rscript import NEURALNET_MISSING, R_MISSING, TIMEOUT, RUnavailable, find_rscript, one_line, run_r

_R_RESERVED = {"if", "else", "repeat", "while", "function", "for", "next", "break", "TRUE", "FALSE", "NULL",
               "Inf", "NaN", "NA", "NA_integer_", "NA_real_", "NA_character_", "NA_complex_", "in", "T", "F"}


def r_names(names: Sequence[str], taken: Sequence[str] = ()) -> list[str]:
    """Column names R's formula takes as they are: letters, digits, "." and "_", starting with
    a letter, not a reserved word, unique (also against ``taken``): "x1^2" -> "x1.2"."""
    used = set(taken)
    out = []
    for name in names:
        base = re.sub(r"[^A-Za-z0-9._]", ".", str(name))
        if not re.match(r"[A-Za-z]", base):
            base = "X" + base
        if base in _R_RESERVED:
            base += "."
        name_r, k = base, 1
        while name_r in used:
            name_r, k = f"{base}.{k}", k + 1
        used.add(name_r)
        out.append(name_r)
    return out


def startweights(weights: Sequence[np.ndarray]) -> np.ndarray:
    """The weights in neuralnet's ``startweights`` order: ``unlist(weights)``, each matrix
    (bias in row 1) column by column, the first layer first."""
    return np.concatenate([np.asarray(W, dtype=np.float64).ravel(order="F") for W in weights])


def _hex(x: float) -> str:
    return float(x).hex()


def _from_r(text: str) -> float:
    """A number R wrote with sprintf("%a") (NA, NaN, Inf as R spells them)."""
    text = text.strip()
    return math.nan if text in ("NA", "NaN", "-NaN") else float.fromhex(text)


@dataclass(frozen=True)
class Job:
    """What R is given: the training rows (network units), names, start weights, arguments."""

    X: np.ndarray  # (n, inputs): the network's inputs as nnviz trains on them
    Y: np.ndarray  # (n, outputs): its targets
    inputs: tuple[str, ...]  # R names of the columns
    outputs: tuple[str, ...]
    start: tuple[np.ndarray, ...]  # start weight matrices, (n_in + 1, n_out) each
    arguments: dict

    @property
    def formula(self) -> str:
        return f"{' + '.join(self.outputs)} ~ {' + '.join(self.inputs)}"


def job_for(exp: Experiment, start: Sequence[np.ndarray]) -> Job:
    """The job of an experiment's training rows and settings, from the weights ``start``."""
    check(exp.settings, exp.X_train.shape[0])
    shapes = exp.arch.shapes
    if len(start) != len(shapes) or any(np.shape(W) != sh for W, sh in zip(start, shapes, strict=False)):
        raise ValueError(f"the start weights do not fit the {exp.arch.describe()} network")
    inputs = r_names(exp.input_labels)
    outputs = r_names(exp.dataset.output_names, taken=inputs)
    return Job(np.asarray(exp.X_train, dtype=np.float64), np.asarray(exp.Y_train, dtype=np.float64),
               tuple(inputs), tuple(outputs), tuple(np.array(W, dtype=np.float64) for W in start),
               neuralnet_arguments(exp.settings, exp.train.n))


_SCRIPT = r'''# nnviz compare-r: R neuralnet on the rows nnviz trains on, from nnviz's start weights.
# In the folder given as the argument: data.csv (hexadecimal floats, read bit for bit),
# startweights.txt; written back: result.txt, weights.csv, fitted.csv, or error.txt.
folder <- commandArgs(trailingOnly = TRUE)[1]
path <- function(name) file.path(folder, name)
fail <- function(status, text) {
  writeLines(gsub("[[:space:]]+", " ", paste(text, collapse = " ")), path("error.txt"))
  quit(save = "no", status = status)
}
if (!requireNamespace("neuralnet", quietly = TRUE)) {
  why <- tryCatch({ loadNamespace("neuralnet"); "" }, error = function(e) conditionMessage(e))
  fail(3, why)
}
hex <- function(x) sprintf("%a", x)
tryCatch({
  data <- read.csv(path("data.csv"), check.names = FALSE, colClasses = "numeric")
  startweights <- as.numeric(readLines(path("startweights.txt")))
  # neuralnet returns no weights when the threshold is not reached within stepmax:
  # keep what its rprop() returns, which it computes either way
  captured <- NULL
  invisible(suppressMessages(trace("rprop", where = asNamespace("neuralnet"), print = FALSE,
    exit = quote(assign("captured", returnValue(), envir = globalenv())))))
  started <- proc.time()[["elapsed"]]
  fit <- withCallingHandlers(
@CALL@,
    warning = function(w) invokeRestart("muffleWarning"))
  seconds <- proc.time()[["elapsed"]] - started
  converged <- !is.null(fit$result.matrix)
  if (converged) {  # as neuralnet reports them
    steps <- fit$result.matrix["steps", 1]
    error <- fit$result.matrix["error", 1]
    reached <- fit$result.matrix["reached.threshold", 1]
    weights <- fit$weights[[1]]
    fitted <- fit$net.result[[1]]
  } else {  # as calculate.neuralnet computes them
    steps <- captured$step
    reached <- captured$reached.threshold
    weights <- captured$weights
    fitted <- captured$net.result
    error <- sum(fit$err.fct(fitted, fit$response))
    if (is.na(error) && attr(fit$err.fct, "type") == "ce" && all(fitted <= 1, fitted >= 0))
      error <- sum(fit$err.fct(fitted, fit$response), na.rm = TRUE)
  }
  rows <- do.call(rbind, lapply(seq_along(weights), function(l) {
    w <- weights[[l]]
    data.frame(layer = l, row = as.vector(row(w)), col = as.vector(col(w)), weight = hex(as.vector(w)))
  }))
  write.csv(rows, path("weights.csv"), row.names = FALSE, quote = FALSE)
  write.table(matrix(hex(fitted), nrow(fitted)), path("fitted.csv"), sep = ",",
              row.names = FALSE, col.names = FALSE, quote = FALSE)
  writeLines(c(paste("steps", steps), paste("error", hex(error)), paste("reached_threshold", hex(reached)),
               paste("converged", as.integer(converged)), paste("seconds", hex(seconds)),
               paste("neuralnet", as.character(utils::packageVersion("neuralnet"))),
               paste("R", paste(R.version$major, R.version$minor, sep = "."))), path("result.txt"))
}, error = function(e) fail(4, conditionMessage(e)))
'''


def script(job: Job) -> str:
    """The R script that trains ``job`` (see the module doc)."""
    call = "\n".join("    " + line for line in r_call(job.formula, job.arguments).splitlines())
    return _SCRIPT.replace("@CALL@", call)


def write_job(folder: str | Path, job: Job) -> Path:
    """data.csv, startweights.txt and compare.R in ``folder``; the script's path."""
    folder = Path(folder)
    table = np.column_stack([job.X, job.Y])
    lines = [",".join((*job.inputs, *job.outputs))]
    lines += [",".join(_hex(v) for v in row) for row in table.tolist()]
    (folder / "data.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "startweights.txt").write_text("\n".join(_hex(v) for v in startweights(job.start)) + "\n",
                                             encoding="utf-8")
    path = folder / "compare.R"
    path.write_text(script(job), encoding="utf-8")
    return path


@dataclass(frozen=True)
class RResult:
    """What neuralnet reported (``steps``, ``error``, ``reached_threshold`` as in its
    result.matrix) and its fitted weights and outputs."""

    steps: int
    error: float
    reached_threshold: float
    converged: bool  # neuralnet's own verdict: reached.threshold <= threshold within stepmax
    weights: tuple[np.ndarray, ...]
    fitted: np.ndarray  # net.result: the outputs on the training rows
    seconds: float  # neuralnet's training, in R
    neuralnet_version: str
    r_version: str


def run_job(job: Job, rscript: str | None = None, timeout: float = TIMEOUT,
            should_stop: Callable[[], bool] | None = None, folder: str | Path | None = None) -> RResult:
    """Train ``job`` with neuralnet in R; ``folder`` keeps the files (a temporary folder otherwise)."""
    rscript = rscript or find_rscript()
    if folder is not None:
        return _run_in(Path(folder), job, rscript, timeout, should_stop)
    with tempfile.TemporaryDirectory(prefix="nnviz-rcompare-") as tmp:
        return _run_in(Path(tmp), job, rscript, timeout, should_stop)


def _run_in(folder: Path, job: Job, rscript: str, timeout: float, should_stop) -> RResult:
    path = write_job(folder, job)
    try:
        done = run_r([rscript, str(path), str(folder)], timeout, should_stop)
    except OSError as exc:
        raise RUnavailable(f"{rscript} does not run ({exc.strerror or exc}); {R_MISSING}") from None
    error_file = folder / "error.txt"
    why = one_line(error_file.read_text(encoding="utf-8", errors="replace")) if error_file.exists() else ""
    if done.returncode == 3:
        raise RUnavailable(f"{NEURALNET_MISSING}{': ' + why if why else ''}")
    if done.returncode != 0 or not (folder / "result.txt").exists():
        raise ValueError(f"neuralnet failed: {why or one_line(done.stderr) or f'R exit status {done.returncode}'}")
    return _read_result(folder, job)


def _read_result(folder: Path, job: Job) -> RResult:
    fields = dict(line.split(" ", 1) for line in (folder / "result.txt").read_text().splitlines() if " " in line)
    shapes = [W.shape for W in job.start]
    weights = [np.full(sh, np.nan) for sh in shapes]
    for line in (folder / "weights.csv").read_text().splitlines()[1:]:
        layer, row, col, value = line.split(",")
        weights[int(layer) - 1][int(row) - 1, int(col) - 1] = _from_r(value)
    fitted = np.array([[_from_r(v) for v in line.split(",")]
                       for line in (folder / "fitted.csv").read_text().splitlines() if line])
    if fitted.shape != job.Y.shape or any(np.isnan(W).all() for W in weights):
        raise ValueError("neuralnet's results do not fit the network (an R or neuralnet version nnviz does not know?)")
    return RResult(int(float(fields["steps"])), _from_r(fields["error"]), _from_r(fields["reached_threshold"]),
                   fields["converged"].strip() == "1", tuple(weights), fitted, _from_r(fields["seconds"]),
                   fields.get("neuralnet", "").strip(), fields.get("R", "").strip())
