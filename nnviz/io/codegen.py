"""A trained network as a standalone program: NumPy, R (plain matrix products) or a PyTorch
``nn.Module`` (``nnviz convert --to numpy|r|pytorch``).

Each program holds the weights (the bias in row 0 of each (n_in + 1, n_out) matrix, as nnviz
and R neuralnet store them), the input features, the input standardisation and the target
scaling, so it takes raw rows and gives outputs in the targets' own units, as ``nnviz
predict`` does (to 1e-12; the tests run them).  Run as a program with a CSV file,

    python net.py data.csv      Rscript net.R data.csv      python net_torch.py data.csv

it reads the model's input columns by name (other columns are ignored) and prints a CSV header
naming the outputs, then one row of outputs per data row, each number written so that it reads
back exactly (Python's shortest repr, R's ``%.17g``).  Imported (or ``source``d in R) it gives
``predict(X)`` (NumPy), ``predict_nnviz(X)`` (R) and ``Net`` / ``load()`` (PyTorch, float64).

Numbers in the programs are written in full: Python's repr, which reads back bit for bit, and
the same decimal text for R (whose parser can be one unit in the last place off: within 1e-15).
Nothing here writes files; ``write`` does, atomically.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from .. import __version__
from ..core.model import Model
from . import atomic

LANGUAGES = ("numpy", "r", "pytorch")
EXTENSIONS = {"numpy": ".py", "r": ".R", "pytorch": ".py"}

# the activations as each language writes them (the formulas of core/activations.py)
_NUMPY_ACT = {
    "sigmoid": "1.0 / (1.0 + np.exp(-A))",
    "tanh": "np.tanh(A)",
    "relu": "np.maximum(A, 0.0)",
    "linear": "A",
    "softmax": "_softmax(A)",
}
_R_ACT = {
    "sigmoid": "1 / (1 + exp(-A))",
    "tanh": "tanh(A)",
    "relu": "pmax(A, 0)",
    "linear": "A",
    "softmax": "softmax(A)",
}
_TORCH_ACT = {"sigmoid": "torch.sigmoid(h)", "tanh": "torch.tanh(h)", "relu": "torch.relu(h)", "linear": "h",
              "softmax": "torch.softmax(h, dim=1)"}
# the input features on the two raw columns a and b (core/features.py)
_FEATURE = {"x1": "{a}", "x2": "{b}", "x1^2": "{a} * {a}", "x2^2": "{b} * {b}", "x1*x2": "{a} * {b}",
            "sin(x1)": "{sin}({a})", "sin(x2)": "{sin}({b})"}



# the start of a Python program's main(path): the CSV file's rows and the model's input columns
# by name (the NumPy and the PyTorch programs read their data alike)
_MAIN_READS_CSV = (
    "def main(path):",
    "    with open(path, newline='', encoding='utf-8-sig') as fh:",
    "        rows = [r for r in csv.reader(fh) if any(c.strip() for c in r)]",
    "    header = [h.strip() for h in rows[0]]",
    "    missing = [n for n in INPUTS if n not in header]",
    "    if missing:",
    "        sys.exit(f'{path}: no column named {missing[0]!r} (the network needs {\", \".join(INPUTS)})')",
    "    cols = [header.index(n) for n in INPUTS]",
)

def render(model: Model, language: str) -> str:
    """The program's text in ``language`` (numpy, r or pytorch)."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r} (choose from {', '.join(LANGUAGES)})")
    return {"numpy": _numpy, "r": _r, "pytorch": _pytorch}[language](model)


def write(model: Model, language: str, path: str | Path) -> None:
    """Write the program to ``path`` atomically."""
    atomic.write_text(path, render(model, language))


def _num(x: float) -> str:
    return repr(float(x))


def _py_matrix(M: np.ndarray, indent: str) -> str:
    rows = [f"{indent}    [{', '.join(_num(v) for v in row)}]," for row in np.atleast_2d(M)]
    return "[\n" + "\n".join(rows) + f"\n{indent}]"


def _py_vector(v: np.ndarray) -> str:
    return "[" + ", ".join(_num(x) for x in np.ravel(v)) + "]"


def _py_str(s: str) -> str:
    return json.dumps(s)


def _header(model: Model, comment: str) -> list[str]:
    arch = model.arch
    t = model.training
    lines = [
        f"nnviz {__version__}: the {arch.describe()} network ({', '.join(arch.layer_activations)}) as a program",
        f"inputs: {', '.join(model.input_names)}",
    ]
    if model.features:
        lines.append(f"input features: {', '.join(model.features)} (x1, x2: the two inputs)")
    lines.append(f"outputs: {', '.join(model.output_names)} ({model.task})")
    if t.get("data") is not None:
        lines.append(f"trained on {t.get('data')}, {t.get('iterations', '?')} iterations, seed {t.get('seed', '?')}")
    return [f"{comment} {line}" for line in lines]


def _numpy(model: Model) -> str:
    arch, sc = model.arch, model.scaling
    out = ["#!/usr/bin/env python3", *_header(model, "#"),
           "# Usage: python THIS.py data.csv  (the input columns by name; prints a CSV of the outputs)",
           "# or import it: predict(X) for raw input rows X (n, inputs), outputs in the targets' units.",
           "import csv", "import sys", "", "import numpy as np", ""]
    out.append(f"INPUTS = [{', '.join(_py_str(n) for n in model.input_names)}]")
    out.append(f"OUTPUTS = [{', '.join(_py_str(n) for n in model.output_names)}]")
    out.append(f"FEATURES = [{', '.join(_py_str(f) for f in model.features)}]")
    out.append(f"X_CENTER = np.array({_py_vector(sc.x_center)})")
    out.append(f"X_SCALE = np.array({_py_vector(sc.x_scale)})")
    out.append(f"Y_CENTER = np.array({_py_vector(sc.y_center)})")
    out.append(f"Y_SCALE = np.array({_py_vector(sc.y_scale)})")
    out.append("# weight matrices (n_in + 1, n_out), the bias in row 0")
    for li, W in enumerate(model.network.weights, start=1):
        out.append(f"W{li} = np.array({_py_matrix(W, '')})")
    out += ["", "", "def _softmax(A):", "    E = np.exp(A - A.max(axis=1, keepdims=True))",
            "    return E / E.sum(axis=1, keepdims=True)", "", "",
            "def predict(X):", '    """Outputs (n, outputs) for raw input rows X (n, inputs)."""',
            "    X = np.asarray(X, dtype=np.float64)"]
    if model.features:
        cols = ", ".join(_FEATURE[f].format(a="a", b="b", sin="np.sin") for f in model.features)
        out += ["    a, b = X[:, 0], X[:, 1]", f"    X = np.column_stack([{cols}])"]
    out.append("    H = (X - X_CENTER) / X_SCALE")
    for li, act in enumerate(arch.layer_activations, start=1):
        out.append(f"    A = np.hstack([np.ones((H.shape[0], 1)), H]) @ W{li}")
        out.append(f"    H = {_NUMPY_ACT[act]}")
    out += ["    return H * Y_SCALE + Y_CENTER", "", "",
            *_MAIN_READS_CSV,
            "    X = np.array([[float(r[j]) for j in cols] for r in rows[1:]], dtype=np.float64).reshape(-1, len(INPUTS))",
            "    w = csv.writer(sys.stdout, lineterminator='\\n')",
            "    w.writerow(OUTPUTS)",
            "    for y in predict(X):",
            "        w.writerow([repr(float(v)) for v in y])",
            "", "",
            "if __name__ == '__main__':",
            "    if len(sys.argv) != 2:",
            "        sys.exit('usage: python ' + sys.argv[0] + ' data.csv')",
            "    main(sys.argv[1])", ""]
    return "\n".join(out)


def _r_str(s: str) -> str:
    body = "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else (f"\\{c}" if c in '"\\' else f"\\u{ord(c):04x}")
                   for c in s)
    return f'"{body}"'


def _r_vector(v: np.ndarray) -> str:
    return "c(" + ", ".join(_num(x) for x in np.ravel(v)) + ")"


def _r(model: Model) -> str:
    arch, sc = model.arch, model.scaling
    out = ["#!/usr/bin/env Rscript", *_header(model, "#"),
           "# Usage: Rscript THIS.R data.csv  (the input columns by name; prints a CSV of the outputs)",
           "# or source() it: predict_nnviz(X) for a numeric matrix of raw input rows (columns in INPUTS order).",
           "# Plain matrix products, no package needed.", ""]
    out.append(f"INPUTS <- c({', '.join(_r_str(n) for n in model.input_names)})")
    out.append(f"OUTPUTS <- c({', '.join(_r_str(n) for n in model.output_names)})")
    out.append(f"X_CENTER <- {_r_vector(sc.x_center)}")
    out.append(f"X_SCALE <- {_r_vector(sc.x_scale)}")
    out.append(f"Y_CENTER <- {_r_vector(sc.y_center)}")
    out.append(f"Y_SCALE <- {_r_vector(sc.y_scale)}")
    out.append("# weight matrices (n_in + 1) x n_out, the bias in row 1, as neuralnet's weights")
    for li, W in enumerate(model.network.weights, start=1):
        r, c = W.shape
        out.append(f"W{li} <- matrix({_r_vector(W)}, nrow = {r}, ncol = {c}, byrow = TRUE)")
    out += ["", "softmax <- function(A) {", "  E <- exp(A - apply(A, 1, max))", "  E / rowSums(E)", "}", "",
            "predict_nnviz <- function(X) {", "  X <- matrix(as.numeric(X), ncol = length(INPUTS))"]
    if model.features:
        cols = ", ".join(_FEATURE[f].format(a="a", b="b", sin="sin") for f in model.features)
        out += ["  a <- X[, 1]", "  b <- X[, 2]", f"  X <- cbind({cols})"]
    out.append("  H <- sweep(sweep(X, 2, X_CENTER, \"-\"), 2, X_SCALE, \"/\")")
    for li, act in enumerate(arch.layer_activations, start=1):
        out.append(f"  A <- cbind(1, H) %*% W{li}")
        out.append(f"  H <- {_R_ACT[act]}")
    out += ["  Y <- sweep(sweep(H, 2, Y_SCALE, \"*\"), 2, Y_CENTER, \"+\")",
            "  colnames(Y) <- OUTPUTS",
            "  Y",
            "}", "",
            "csv_field <- function(s) ifelse(grepl('[,\"\\n]', s), paste0('\"', gsub('\"', '\"\"', s), '\"'), s)", "",
            "args <- commandArgs(trailingOnly = TRUE)",
            "if (!interactive() && length(args) == 1) {",
            "  d <- read.csv(args[1], check.names = FALSE, strip.white = TRUE)",
            "  missing <- setdiff(INPUTS, names(d))",
            "  if (length(missing) > 0) stop(args[1], \": no column named '\", missing[1], \"'\")",
            "  Y <- predict_nnviz(as.matrix(d[, INPUTS, drop = FALSE]))",
            "  cat(paste(csv_field(OUTPUTS), collapse = \",\"), \"\\n\", sep = \"\")",
            "  lines <- apply(matrix(sprintf(\"%.17g\", Y), nrow = nrow(Y)), 1, paste, collapse = \",\")",
            "  cat(paste0(lines, \"\\n\"), sep = \"\")",
            "}", ""]
    return "\n".join(out)


def _pytorch(model: Model) -> str:
    arch, sc = model.arch, model.scaling
    sizes = arch.sizes
    out = ["#!/usr/bin/env python3", *_header(model, "#"),
           "# Usage: python THIS.py data.csv  (the input columns by name; prints a CSV of the outputs)",
           "# or import it: net = load(); net(x) for raw input rows x, a float64 tensor (n, inputs).",
           "import csv", "import sys", "", "import torch", "from torch import nn", ""]
    out.append(f"INPUTS = [{', '.join(_py_str(n) for n in model.input_names)}]")
    out.append(f"OUTPUTS = [{', '.join(_py_str(n) for n in model.output_names)}]")
    out.append(f"FEATURES = [{', '.join(_py_str(f) for f in model.features)}]")
    out.append(f"ACTIVATIONS = [{', '.join(_py_str(a) for a in arch.layer_activations)}]")
    out.append("# weight matrices (n_in + 1, n_out), the bias in row 0 (nn.Linear takes W[1:].T and W[0])")
    out.append("WEIGHTS = [")
    for W in model.network.weights:
        out.append(f"    {_py_matrix(W, '    ')},")
    out.append("]")
    out.append(f"SCALING = {{'x_center': {_py_vector(sc.x_center)}, 'x_scale': {_py_vector(sc.x_scale)},")
    out.append(f"           'y_center': {_py_vector(sc.y_center)}, 'y_scale': {_py_vector(sc.y_scale)}}}")
    out += ["", "", "class Net(nn.Module):",
            '    """The network on raw inputs: features, standardisation, layers, target scaling (float64)."""',
            "", "    def __init__(self):", "        super().__init__()",
            f"        self.layers = nn.ModuleList([nn.Linear(i, o, dtype=torch.float64) for i, o in "
            f"zip({list(sizes[:-1])}, {list(sizes[1:])})])",
            "        with torch.no_grad():",
            "            for layer, W in zip(self.layers, WEIGHTS):",
            "                W = torch.tensor(W, dtype=torch.float64)",
            "                layer.weight.copy_(W[1:].T)",
            "                layer.bias.copy_(W[0])",
            "        for name, values in SCALING.items():",
            "            self.register_buffer(name, torch.tensor(values, dtype=torch.float64))", "",
            "    def forward(self, x):"]
    if model.features:
        cols = ", ".join(_FEATURE[f].format(a="a", b="b", sin="torch.sin") for f in model.features)
        out += ["        a, b = x[:, 0], x[:, 1]", f"        x = torch.stack([{cols}], dim=1)"]
    out.append("        h = (x - self.x_center) / self.x_scale")
    out.append("        for layer, act in zip(self.layers, ACTIVATIONS):")
    out.append("            h = layer(h)")
    acts = sorted(set(arch.layer_activations))
    for k, act in enumerate(acts):
        kw = "if" if k == 0 else "elif"
        out.append(f"            {kw} act == {_py_str(act)}:")
        out.append(f"                h = {_TORCH_ACT[act]}")
    out += ["        return h * self.y_scale + self.y_center", "", "",
            "def load():", '    """The network, ready to predict (eval mode, float64)."""',
            "    return Net().eval()", "", "",
            *_MAIN_READS_CSV,
            "    x = torch.tensor([[float(r[j]) for j in cols] for r in rows[1:]], dtype=torch.float64)",
            "    with torch.no_grad():",
            "        y = load()(x.reshape(-1, len(INPUTS)))",
            "    w = csv.writer(sys.stdout, lineterminator='\\n')",
            "    w.writerow(OUTPUTS)",
            "    for row in y.tolist():",
            "        w.writerow([repr(float(v)) for v in row])",
            "", "",
            "if __name__ == '__main__':",
            "    if len(sys.argv) != 2:",
            "        sys.exit('usage: python ' + sys.argv[0] + ' data.csv')",
            "    main(sys.argv[1])", ""]
    return "\n".join(out)
