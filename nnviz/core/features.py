"""Input features of two-input data, as in TensorFlow Playground: x1, x2, x1^2, x2^2, x1*x2,
sin(x1), sin(x2).

A feature is computed from the two **raw** input columns (the data's own units, as Playground
computes them from its raw coordinates), and only then are the feature columns standardised
like any input (``data.Scaling`` keeps the features and applies them first), so one path
takes two raw columns to the network's inputs for the training rows, the test rows, the
decision map's grid, a model file's ``predict`` and its ONNX graph:

    raw (n, 2) --expand--> features (n, k) --scale()--> network inputs (n, k)

Names: the option and the files use the canonical names above, where ``x1`` and ``x2`` are
the first and second input column whatever they are called.  Shown to people (diagram,
inspector), a feature takes its columns' names: with columns ``a`` and ``b``, ``x1^2`` is
``a^2`` and ``x1*x2`` is ``a*b``.  Features are kept in the canonical order.

Not here: features of more than two inputs, user-defined formulas.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

# canonical name -> (formula on the raw columns, display template with {0}, {1} for the columns' names)
_FEATURES = {
    "x1": (lambda a, b: a, "{0}"),
    "x2": (lambda a, b: b, "{1}"),
    "x1^2": (lambda a, b: a * a, "{0}^2"),
    "x2^2": (lambda a, b: b * b, "{1}^2"),
    "x1*x2": (lambda a, b: a * b, "{0}*{1}"),
    "sin(x1)": (lambda a, b: np.sin(a), "sin({0})"),
    "sin(x2)": (lambda a, b: np.sin(b), "sin({1})"),
}
FEATURES: tuple[str, ...] = tuple(_FEATURES)
# other spellings taken on the command line
_ALIASES = {"x1**2": "x1^2", "x2**2": "x2^2", "x2*x1": "x1*x2", "sinx1": "sin(x1)", "sinx2": "sin(x2)"}


def canonical(features: Iterable[str]) -> tuple[str, ...]:
    """Checked feature names in the canonical order; ValueError (one line) for an unknown or
    repeated one."""
    seen: list[str] = []
    for f in features:
        if not isinstance(f, str):
            raise ValueError(f"a feature must be a name, one of {', '.join(FEATURES)} (got {f!r})")
        key = _ALIASES.get(f.replace(" ", "").lower(), f.replace(" ", "").lower())
        if key not in _FEATURES:
            raise ValueError(f"unknown feature {f!r} (features: {', '.join(FEATURES)}; "
                             "x1 and x2 are the first and second input column)")
        if key in seen:
            raise ValueError(f"the feature {key!r} is given twice")
        seen.append(key)
    return tuple(sorted(seen, key=FEATURES.index))


def parse(text: str) -> tuple[str, ...]:
    """The features of an option string ('x1^2,x2^2'); ValueError for an empty list."""
    parts = [p.strip() for p in text.split(",")]
    if not any(parts):
        raise ValueError(f"--features needs at least one feature, like x1^2,x2^2 (features: {', '.join(FEATURES)})")
    if not all(parts):
        raise ValueError(f"--features has an empty name in {text!r}")
    return canonical(parts)


def check_inputs(features: tuple[str, ...], n_inputs: int, data: str = "the data") -> None:
    """Features need exactly two raw inputs (one line otherwise)."""
    if features and n_inputs != 2:
        raise ValueError(f"input features ({', '.join(features)}) need data with exactly 2 inputs; "
                         f"{data} has {n_inputs}")


def expand(X: np.ndarray, features: tuple[str, ...]) -> np.ndarray:
    """(n, 2) raw inputs -> (n, k) feature columns, in the order of ``features``."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"input features need rows of 2 inputs, got shape {X.shape}")
    a, b = X[:, 0], X[:, 1]
    with np.errstate(over="ignore", invalid="ignore"):
        return np.column_stack([_FEATURES[f][0](a, b) for f in features])


def labels(features: tuple[str, ...], input_names: tuple[str, ...]) -> tuple[str, ...]:
    """The network inputs' names shown to people: the raw names without features, else each
    feature in its columns' names (``a^2`` for ``x1^2`` of a column ``a``)."""
    if not features:
        return tuple(input_names)
    return tuple(_FEATURES[f][1].format(*input_names) for f in features)
