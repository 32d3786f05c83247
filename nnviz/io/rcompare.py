"""Compare a run with R's ``neuralnet``, for real: the same rows, start weights and settings.

The post checks its own function against R ``neuralnet``; this module does it by running R.
It writes what R needs to a temporary folder, runs ``Rscript`` on it, and reads back what
``neuralnet`` reports:

* ``data.csv``: the network's inputs and targets exactly as nnviz trains on them (the
  training rows, input features computed and scaled as R's ``scale()`` does, targets scaled
  as nnviz scales them), under R-safe column names (``r_names``); numbers as hexadecimal
  floats (``0x1.8p+1``), which R reads bit for bit (decimal text was 1 ulp off in 5 of
  200,000 numbers here).
* ``startweights.txt``: the start weights in ``neuralnet``'s ``startweights`` order, each
  matrix column by column (``unlist(weights)`` of the README's snippet).
* ``compare.R``: ``neuralnet(formula, data, hidden, threshold, stepmax, rep = 1,
  startweights, algorithm, learningrate, err.fct, act.fct, linear.output)``.

How the settings map (``neuralnet_arguments``), checked in neuralnet 1.44.2's source:

* ``backprop`` is ``weights - learningrate * gradients`` with gradients = dE/dW =
  crossprod(input, f'(A) (yhat - y)) over all rows: nnviz's full-batch ``gd``,
  W += lr input^T delta, with the same rate (``learningrate = lr``).
* ``rprop+`` and ``rprop-`` are neuralnet's own (nnviz follows its plus() and minus()).
* ``error`` is 1/2 SSE (``err.fct = "sse"``) or the cross-entropy (``"ce"``), summed over
  the training rows and outputs; ``threshold`` stops when max |dE/dw| is at most it (nnviz
  stops when below; no threshold in nnviz is ``threshold = 0``).
* ``steps`` counts the first evaluation: a run of N weight updates reports N + 1 steps,
  so ``stepmax`` = nnviz's iterations + 1.
* One ``act.fct`` (logistic or tanh) for every hidden layer; the output is ``act.fct`` or,
  with ``linear.output = TRUE``, the identity.  With ``ce`` and a logistic output neuralnet
  takes delta_out = yhat - y, as nnviz does.

What neuralnet cannot do is refused in one line naming the setting (``refusal``): relu,
a different activation per layer, softmax, a tanh output, L1/L2, momentum, mini-batches,
learning-rate schedules, early stopping, float32.  neuralnet returns no weights when the
threshold is not reached within ``stepmax``; the script then reads them from its
internal ``rprop()`` (through ``trace``), and the error as ``neuralnet`` computes it.

The two runs do not agree bit for bit: R multiplies with its BLAS and takes ``exp`` from
the C library, nnviz sums in its own order (numba) and has its own ``exp``; both differ in
the last bits, and training carries such differences on (see the README for the measured
agreement).  R is found at run time (``NNVIZ_RSCRIPT``, else ``Rscript`` on the PATH);
when R or the package is missing, ``RUnavailable`` says what to install.  No Qt here.
"""

from __future__ import annotations

import math
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..core import losses, metrics
from ..core.data import Dataset, Scaling
from ..core.experiment import Experiment, Settings
from ..core.network import Network
from ..core.runs import KeptRun
from ..core.snapshot import Snapshot

R_MISSING = "R is not installed (Debian: apt install r-base-core; then in R: install.packages('neuralnet'))"
NEURALNET_MISSING = "the R package neuralnet is not installed (in R: install.packages('neuralnet'))"
TIMEOUT = 600.0  # seconds neuralnet may take by default
_R_RESERVED = {"if", "else", "repeat", "while", "function", "for", "next", "break", "TRUE", "FALSE", "NULL",
               "Inf", "NaN", "NA", "NA_integer_", "NA_real_", "NA_character_", "NA_complex_", "in", "T", "F"}


class RUnavailable(ValueError):
    """R, or its neuralnet package, is not installed (the message says what to install)."""


class Cancelled(Exception):
    """``should_stop`` asked the comparison to stop."""


# -- what neuralnet can do ---------------------------------------------------------------

def refusal(settings: Settings, n_rows: int | None = None) -> str | None:
    """Why neuralnet cannot train these settings, in one line naming the setting; None if it can."""
    s = settings
    acts = tuple(dict.fromkeys(s.activation)) if s.hidden else ()
    if "relu" in acts:
        return "--activation relu: neuralnet's act.fct is logistic or tanh"
    if len(acts) > 1:
        return (f"--activation {','.join(s.activation)}: neuralnet has one act.fct for every hidden layer "
                "(give one activation)")
    if s.output_activation == "softmax":
        return "--output-activation softmax: neuralnet has no softmax output (use sigmoid outputs)"
    if acts == ("tanh",) and s.output_activation == "sigmoid":
        return ("--activation tanh with --output-activation sigmoid: neuralnet's output is act.fct (tanh) or "
                "linear; use --output-activation linear or --activation sigmoid")
    if s.l1 or s.l2:
        given = " ".join(f"--{k} {getattr(s, k):g}" for k in ("l1", "l2") if getattr(s, k))
        return f"{given}: neuralnet has no weight penalty"
    if s.momentum:
        return f"--momentum {s.momentum:g}: neuralnet's backprop has no momentum"
    if s.batch_size is not None and (n_rows is None or s.batch_size < n_rows):
        return f"--batch-size {s.batch_size}: neuralnet trains on all rows at once (full batch)"
    if s.lr_schedule != "constant":
        return f"--lr-schedule {s.lr_schedule}: neuralnet's learning rate is constant"
    if s.patience is not None:
        return f"--patience {s.patience}: neuralnet has no early stopping"
    if s.dtype != "float64":
        return f"--dtype {s.dtype}: neuralnet computes in float64"
    return None


def check(settings: Settings, n_rows: int | None = None) -> None:
    """ValueError (one line) when neuralnet cannot train these settings (see ``refusal``)."""
    why = refusal(settings, n_rows)
    if why:
        raise ValueError(f"cannot compare with neuralnet: {why}")


def neuralnet_arguments(settings: Settings, rows: int | None = None) -> dict[str, object]:
    """neuralnet's arguments for these settings (Python values; ``r_call`` writes them as R); the
    learning rate "auto" is resolved for ``rows`` training rows (the number nnviz trains with)."""
    s = settings
    act = s.activation[0] if s.hidden else "sigmoid"  # without hidden layers act.fct is the output's
    args: dict[str, object] = {
        "hidden": list(s.hidden) or [0],
        "threshold": 0.0 if s.threshold is None else float(s.threshold),
        "stepmax": int(s.iterations) + 1,  # neuralnet's steps count the first evaluation
        "rep": 1,
        "algorithm": {"gd": "backprop"}.get(s.algorithm, s.algorithm),
    }
    if s.algorithm == "gd":
        if isinstance(s.lr, str) and rows is None:
            raise ValueError('the learning rate "auto" needs the number of training rows')
        args["learningrate"] = float(s.learning_rate(rows or 0))
    args["err.fct"] = s.loss
    args["act.fct"] = "tanh" if act == "tanh" else "logistic"
    args["linear.output"] = s.output_activation == "linear"
    return args


# -- the files R reads ----------------------------------------------------------------------

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


def _r_value(value) -> tuple[str, str]:
    """A Python value as R source, and a comment: a number that is not whole is written in
    hexadecimal (exact) with its decimal in the comment."""
    if isinstance(value, bool):
        return ("TRUE" if value else "FALSE"), ""
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"', ""
    if isinstance(value, list):
        inner = [_r_value(v)[0] for v in value]
        return (inner[0] if len(inner) == 1 else f"c({', '.join(inner)})"), ""
    if isinstance(value, int) or float(value).is_integer() and abs(value) < 2**53:
        return str(int(value)), ""
    return _hex(value), repr(float(value))


def _shown(value) -> str:
    """A value as a person reads it in R's call."""
    return f"{value:g}" if isinstance(value, float) else _r_value(value)[0]


def r_call(formula: str, args: dict[str, object], r_source: bool = True) -> str:
    """``neuralnet(formula, data, startweights, ...)`` with ``args``: as R source (one argument
    a line, numbers exact) or, ``r_source=False``, as one line to read."""
    if not r_source:
        return f"neuralnet({formula}, data, startweights, {', '.join(f'{k} = {_shown(v)}' for k, v in args.items())})"
    lines = [f"  {formula},", "  data = data,", "  startweights = startweights,"]
    for i, (k, v) in enumerate(args.items()):
        code, comment = _r_value(v)
        comma = "," if i < len(args) - 1 else ""
        lines.append(f"  {k} = {code}{comma}" + (f"  # {comment}" if comment else ""))
    return "neuralnet::neuralnet(\n" + "\n".join(lines) + "\n)"


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


# -- running R --------------------------------------------------------------------------------

def find_rscript() -> str:
    """The Rscript to run: ``NNVIZ_RSCRIPT``, else ``Rscript`` on the PATH; RUnavailable otherwise."""
    given = os.environ.get("NNVIZ_RSCRIPT")
    if given:
        found = shutil.which(given)
        if found is None:
            raise RUnavailable(f"NNVIZ_RSCRIPT={given} is not an executable file (unset it to use Rscript "
                               "on the PATH)")
        return found
    found = shutil.which("Rscript")
    if found is None:
        raise RUnavailable(R_MISSING)
    return found


@dataclass(frozen=True)
class RInfo:
    rscript: str
    r_version: str
    neuralnet_version: str


def find_r(timeout: float = 60.0) -> RInfo:
    """Rscript and the versions of R and neuralnet (starts R once, about 0.3 s); RUnavailable
    with what to install when either is missing."""
    rscript = find_rscript()
    code = ('v <- tryCatch(as.character(utils::packageVersion("neuralnet")), error = function(e) "") ; '
            'ok <- v != "" && requireNamespace("neuralnet", quietly = TRUE) ; '
            'cat(paste(R.version$major, R.version$minor, sep = "."), if (ok) v else "", "\\n")')
    try:
        done = subprocess.run([rscript, "-e", code], capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL)
    except OSError as exc:
        raise RUnavailable(f"{rscript} does not run ({exc.strerror or exc}); {R_MISSING}") from None
    except subprocess.TimeoutExpired:
        raise ValueError(f"{rscript} did not answer within {timeout:g} s") from None
    parts = done.stdout.split()
    if done.returncode != 0 or not parts:
        raise RUnavailable(f"{rscript} fails ({_one_line(done.stderr) or f'exit status {done.returncode}'})")
    if len(parts) < 2:
        raise RUnavailable(NEURALNET_MISSING)
    return RInfo(rscript, parts[0], parts[1])


def _one_line(text: str, limit: int = 300) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 3] + "..."


def _run(argv: list[str], timeout: float, should_stop: Callable[[], bool] | None) -> subprocess.CompletedProcess:
    """Run R in a session of its own (Ctrl+C reaches nnviz, which stops it), polling ``should_stop``."""
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                            text=True, start_new_session=True)
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                out, err = proc.communicate(timeout=0.1)
                return subprocess.CompletedProcess(argv, proc.returncode, out, err)
            except subprocess.TimeoutExpired:
                pass
            if should_stop is not None and should_stop():
                raise Cancelled("the comparison with neuralnet was stopped")
            if time.monotonic() > deadline:
                raise ValueError(f"neuralnet did not finish within {timeout:g} s (R was stopped; "
                                 "fewer iterations or a larger threshold take less time)")
    finally:
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except OSError:
                proc.kill()
            proc.communicate()


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
        done = _run([rscript, str(path), str(folder)], timeout, should_stop)
    except OSError as exc:
        raise RUnavailable(f"{rscript} does not run ({exc.strerror or exc}); {R_MISSING}") from None
    error_file = folder / "error.txt"
    why = _one_line(error_file.read_text(encoding="utf-8", errors="replace")) if error_file.exists() else ""
    if done.returncode == 3:
        raise RUnavailable(f"{NEURALNET_MISSING}{': ' + why if why else ''}")
    if done.returncode != 0 or not (folder / "result.txt").exists():
        raise ValueError(f"neuralnet failed: {why or _one_line(done.stderr) or f'R exit status {done.returncode}'}")
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


# -- the comparison ---------------------------------------------------------------------------

def error_gradients(net: Network, X: np.ndarray, Y: np.ndarray) -> list[np.ndarray]:
    """dE/dW of neuralnet's error E (1/2 SSE, or the cross-entropy with a sigmoid output) over
    all rows, at the network's weights: what neuralnet's threshold looks at (plainly, no engine)."""
    arch = net.arch
    layers = net.forward_layers(X)
    Yhat = layers[-1][2]
    D = Yhat - np.asarray(Y, dtype=np.float64)  # dE/dyhat; for ce with a sigmoid output, dE/dA
    if arch.loss == "sse":
        D = D * _fprime(arch.output_activation, Yhat)
    grads = []
    for li in range(len(layers) - 1, -1, -1):
        inp = layers[li][0]
        grads.append(inp.T @ D)
        if li:
            D = (D @ net.weights[li][1:].T) * _fprime(arch.layer_activations[li - 1], layers[li - 1][2])
    return grads[::-1]


def _fprime(name: str, H: np.ndarray) -> np.ndarray:
    if name == "sigmoid":
        return H * (1.0 - H)
    if name == "tanh":
        return 1.0 - H * H
    return np.ones_like(H)  # linear


def reached_threshold(net: Network, X: np.ndarray, Y: np.ndarray) -> float:
    """The largest |dE/dw| at the network's weights (neuralnet's ``reached.threshold``)."""
    return float(max(np.abs(g).max() for g in error_gradients(net, X, Y)))


def neuralnet_error(loss: str, Y: np.ndarray, Yhat: np.ndarray, output_activation: str) -> float:
    """neuralnet's ``error``: 1/2 sum (y - yhat)^2, or the summed cross-entropy."""
    return losses.cost(loss, Y, Yhat, output_activation)


@dataclass(frozen=True)
class Side:
    """One run of the comparison, in neuralnet's terms."""

    steps: int  # neuralnet's count: weight updates + 1
    error: float  # neuralnet's error on the training rows (1/2 SSE or cross-entropy)
    reached_threshold: float  # the largest |dE/dw| at the final weights
    stopped: str  # "threshold" or "max_iterations" (neuralnet: stepmax)
    mse: float
    accuracy: float | None
    test_mse: float | None
    test_accuracy: float | None
    seconds: float
    weights: tuple[np.ndarray, ...]

    @property
    def iterations(self) -> int:
        """Weight updates (nnviz's count)."""
        return self.steps - 1


@dataclass(frozen=True)
class RComparison:
    """nnviz's run and neuralnet's from the same start weights, with the same settings."""

    settings: Settings
    data: str
    architecture: str
    call: str  # neuralnet's call as run, one line
    nnviz: Side
    neuralnet: Side
    converged: bool  # neuralnet's verdict (it returns its result.matrix only then)
    max_weight_difference: float  # max |w_nnviz - w_neuralnet| over every weight
    neuralnet_version: str
    r_version: str
    nnviz_run: KeptRun | None = None  # nnviz's run as a kept run (with its error curve), when known

    def neuralnet_json(self) -> dict:
        """The ``neuralnet`` object of ``nnviz compare-r --json``."""
        n = self.neuralnet
        return {"steps": n.steps, "error": n.error, "reached_threshold": n.reached_threshold,
                "converged": self.converged, "iterations": n.iterations, "stopped": n.stopped, "mse": n.mse,
                "accuracy": n.accuracy, "test_mse": n.test_mse, "test_accuracy": n.test_accuracy,
                "seconds": n.seconds, "version": self.neuralnet_version, "r_version": self.r_version,
                "call": self.call}

    def describe(self) -> str:
        """One line for a status bar: each side's steps and error, and the weights' difference."""
        a, b = self.nnviz, self.neuralnet
        return (f"neuralnet {self.neuralnet_version}: {b.steps} steps, error {b.error:.6g}; nnviz: {a.steps} steps, "
                f"error {a.error:.6g}; largest weight difference {self.max_weight_difference:.3g}")

    def to_run_record(self) -> KeptRun:
        """neuralnet's run as a kept run for the Runs table: its iterations (steps - 1), mse,
        accuracy, R's seconds; "from" names neuralnet and the largest weight difference.
        neuralnet keeps no error history, so it has no curve."""
        n = self.neuralnet
        return KeptRun(settings=self.settings, data=self.data, architecture=self.architecture,
                       iterations=n.iterations, mse=_finite(n.mse), accuracy=n.accuracy,
                       test_mse=_finite(n.test_mse), test_accuracy=n.test_accuracy, seconds=n.seconds,
                       stopped=n.stopped, curve=None,
                       origin=f"neuralnet {self.neuralnet_version}, max |w - nnviz w| "
                              f"{self.max_weight_difference:.3g}")


def _finite(x: float | None) -> float | None:
    return None if x is None or not math.isfinite(x) else float(x)


def _side(exp: Experiment, net: Network, steps: int, stopped: str, seconds: float,
          fitted: np.ndarray | None = None, error: float | None = None,
          reached: float | None = None) -> Side:
    Yhat = net.predict(exp.X_train) if fitted is None else fitted
    arch = exp.arch
    test_mse = test_acc = None
    if exp.X_test is not None and exp.Y_test is not None:
        T = net.predict(exp.X_test)
        test_mse, test_acc = metrics.mse(exp.Y_test, T), metrics.accuracy(exp.task, exp.Y_test, T)
    return Side(steps=steps,
                error=neuralnet_error(arch.loss, exp.Y_train, Yhat, arch.output_activation) if error is None else error,
                reached_threshold=reached_threshold(net, exp.X_train, exp.Y_train) if reached is None else reached,
                stopped=stopped, mse=metrics.mse(exp.Y_train, Yhat), accuracy=metrics.accuracy(exp.task, exp.Y_train, Yhat),
                test_mse=test_mse, test_accuracy=test_acc, seconds=seconds,
                weights=tuple(W.copy() for W in net.weights))


def against_neuralnet(exp: Experiment, start: Sequence[np.ndarray], stopped: str, seconds: float,
                      snapshot: Snapshot | None = None, *, rscript: str | None = None, timeout: float = TIMEOUT,
                      should_stop: Callable[[], bool] | None = None, folder: str | Path | None = None) -> RComparison:
    """Compare ``exp``, trained by nnviz from the weights ``start`` (it stopped because of
    ``stopped`` after ``seconds``), with neuralnet trained in R from ``start``."""
    if stopped not in ("max_iterations", "threshold"):
        raise ValueError(f"nnviz's run stopped ({stopped}) before its end: there is nothing to compare")
    job = job_for(exp, start)
    res = run_job(job, rscript, timeout, should_stop, folder)
    net_r = Network.from_weights(exp.arch, list(res.weights))
    nnviz = _side(exp, exp.network, int(exp.session.iteration) + 1, stopped, seconds)
    r_stopped = "threshold" if res.converged else "max_iterations"
    neuralnet = _side(exp, net_r, res.steps, r_stopped, res.seconds, res.fitted, res.error, res.reached_threshold)
    diff = max(float(np.abs(a - b).max()) for a, b in zip(exp.network.weights, res.weights, strict=True))
    run = None
    if snapshot is not None:
        from ..core.sweep import kept_run

        run = kept_run(exp, snapshot, stopped, origin="nnviz (compared with neuralnet)")
    return RComparison(exp.settings, exp.dataset.name, exp.arch.describe(),
                       r_call(job.formula, job.arguments, r_source=False), nnviz, neuralnet, res.converged,
                       diff, res.neuralnet_version, res.r_version, run)


def compare(source: Experiment | Settings, dataset: Dataset | None = None,
            start_weights: Sequence[np.ndarray] | None = None, scaling: Scaling | None = None, *,
            rscript: str | None = None, timeout: float = TIMEOUT, should_stop: Callable[[], bool] | None = None,
            on_progress: Callable[[int, float], None] | None = None) -> RComparison:
    """Train nnviz (headless, the runner ``nnviz train`` uses) and neuralnet from the same start
    weights with the same settings, and compare them.  Blocks (seconds to minutes): call it in
    a thread.  ``source``: an Experiment (its settings, data and scaling are used, and its
    network's current weights are the start unless ``start_weights`` is given; it is not
    changed) or Settings (the data loaded from them unless ``dataset`` is given, the seed's
    weights unless ``start_weights``).  ``should_stop`` is polled between training chunks and
    while R runs (then ``Cancelled``).  RUnavailable when R or neuralnet is missing,
    ValueError (one line) for what neuralnet cannot do or an error in R."""
    from ..core.sweep import train_headless

    if isinstance(source, Experiment):
        settings = source.settings
        dataset = source.dataset if dataset is None else dataset
        scaling = source.scaling if scaling is None else scaling
        if start_weights is None:
            start_weights = [W.copy() for W in source.network.weights]
    else:
        settings = source
    check(settings)
    rscript = rscript or find_rscript()
    exp = Experiment(settings, dataset=dataset, scaling=scaling)
    if start_weights is not None:
        if len(start_weights) != len(exp.arch.shapes) or any(
                np.shape(W) != sh for W, sh in zip(start_weights, exp.arch.shapes, strict=False)):
            raise ValueError(f"the start weights do not fit the {exp.arch.describe()} network")
        for W, new in zip(exp.network.weights, start_weights, strict=True):
            W[...] = new
    check(settings, exp.X_train.shape[0])
    start = [W.copy() for W in exp.network.weights]
    snap, stopped = train_headless(exp, should_stop or (lambda: False), on_progress)
    if stopped == "interrupted":
        raise Cancelled("the comparison with neuralnet was stopped")
    return against_neuralnet(exp, start, stopped, snap.training_seconds, snap, rscript=rscript, timeout=timeout,
                             should_stop=should_stop)
