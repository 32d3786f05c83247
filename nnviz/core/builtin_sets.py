"""The built-in data sets: the post's toy set, the packaged UCI sets (iris, digits, wine, breast
cancer, diabetes) and TensorFlow Playground's seeded 2-D sets (classification and regression).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial
from importlib import resources

import numpy as np

from .csv_reader import parse_csv
from .dataset import Dataset

# -- built-in data sets ---------------------------------------------------

def _toy() -> Dataset:
    """The post's toy set: all 8 combinations of 3 binary inputs, 2 binary outputs.

    y1 = majority(x1, x2, x3) (linearly separable), y2 = x1 XOR x3 (needs the
    hidden layer).
    """
    X = np.array([[a, b, c] for a in (0, 1) for b in (0, 1) for c in (0, 1)], dtype=np.float64)
    y1 = (X.sum(axis=1) >= 2).astype(np.float64)
    y2 = np.logical_xor(X[:, 0], X[:, 2]).astype(np.float64)
    return Dataset("toy", X, np.column_stack([y1, y2]), ("x1", "x2", "x3"), ("y1", "y2"), "binary",
                   ("y1", "y2"), BUILTINS["toy"])


# the built-ins read from package data (nnviz/data/NAME.csv, the target in the last column), and
# whether a numeric target is class labels (digits: 0..9)
PACKAGED = {"iris": False, "digits": True, "wine": False, "breast-cancer": False, "diabetes": False}


def _packaged(name: str) -> Dataset:
    """A built-in read from its CSV file in the package (see ``resources/make_uci_data.py``)."""
    text = (resources.files("nnviz.data") / f"{name}.csv").read_text()
    ds = parse_csv(text, f"{name}.csv", classify=PACKAGED[name])
    return replace(ds, name=name, description=BUILTINS[name], source="")


def _two_class(name: str, X: np.ndarray, label: np.ndarray) -> Dataset:
    T = np.column_stack([1.0 - label, label]).astype(np.float64)
    return Dataset(name, X, T, ("x1", "x2"), ("blue", "orange"), "classes", ("class",), BUILTINS[name])


def make_xor(n: int = 200, noise: float = 0.1, seed: int = 0) -> Dataset:
    """Points in [-5, 5]^2 away from the axes; orange where x1 * x2 < 0."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-5, 5, size=(n, 2))
    X += np.where(X > 0, 0.3, -0.3)
    label = (X[:, 0] * X[:, 1] < 0).astype(float)
    return _two_class("xor", X + rng.uniform(-5, 5, size=X.shape) * noise, label)


def make_circles(n: int = 200, noise: float = 0.1, seed: int = 0) -> Dataset:
    """A blue disc (radius < 2.5) inside an orange ring (3.5 to 5)."""
    rng = np.random.default_rng(seed)
    half = n // 2
    r = np.concatenate([rng.uniform(0, 2.5, half), rng.uniform(3.5, 5, n - half)])
    t = rng.uniform(0, 2 * np.pi, n)
    X = np.column_stack([r * np.cos(t), r * np.sin(t)])
    label = np.concatenate([np.zeros(half), np.ones(n - half)])
    return _two_class("circles", X + rng.uniform(-5, 5, size=X.shape) * noise, label)


def make_spiral(n: int = 200, noise: float = 0.1, seed: int = 0) -> Dataset:
    """Two interleaved spirals of n/2 points each."""
    rng = np.random.default_rng(seed)
    half = n // 2
    parts, labels = [], []
    for k, delta in enumerate((0.0, np.pi)):
        m = half if k == 0 else n - half
        i = np.arange(m)
        r = i / m * 5
        t = 1.75 * i / m * 2 * np.pi + delta
        parts.append(np.column_stack([r * np.sin(t), r * np.cos(t)]))
        labels.append(np.full(m, float(k)))
    X = np.vstack(parts)
    return _two_class("spiral", X + rng.uniform(-1, 1, size=X.shape) * noise * 5, np.concatenate(labels))


def make_gaussian(n: int = 200, noise: float = 0.1, seed: int = 0) -> Dataset:
    """Two Gaussian blobs centred at (2, 2) and (-2, -2); noise widens them."""
    rng = np.random.default_rng(seed)
    half = n // 2
    sd = 0.5 + 3.5 * noise
    X = np.vstack([rng.normal(2, sd, (half, 2)), rng.normal(-2, sd, (n - half, 2))])
    label = np.concatenate([np.zeros(half), np.ones(n - half)])
    return _two_class("gaussian", X, label)


def _plane_points(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Playground's regression points: uniform in [-6, 6]^2, and the same points moved by
    uniform(-6, 6) * noise, where the target is read (so noise blurs the target, not the points)."""
    X = rng.uniform(-6, 6, size=(n, 2))
    return X, X + rng.uniform(-6, 6, size=X.shape) * noise


def _regression(name: str, X: np.ndarray, y: np.ndarray) -> Dataset:
    return Dataset(name, X, y.reshape(-1, 1).astype(np.float64), ("x1", "x2"), ("y",), "regression", ("y",),
                   BUILTINS[name])


def make_plane(n: int = 200, noise: float = 0.1, seed: int = 0) -> Dataset:
    """Playground's "plane": y = (x1 + x2) / 10, so -1.2 to 1.2, read at the noisy point."""
    X, at = _plane_points(n, noise, np.random.default_rng(seed))
    return _regression("plane", X, (at[:, 0] + at[:, 1]) / 10)


# Playground's mixture: (centre x, centre y, sign) of six bumps of height 1 and radius 2
GAUSS_MIX = ((-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1))


def gauss_mix_value(P: np.ndarray) -> np.ndarray:
    """The target of "gauss-mix" at points (n, 2): of the six bumps sign * max(1 - d / 2, 0), d the
    distance to the bump's centre, the one largest in absolute value (Playground's)."""
    vals = np.column_stack([s * np.clip(1 - np.hypot(P[:, 0] - cx, P[:, 1] - cy) / 2, 0, 1)
                            for cx, cy, s in GAUSS_MIX])
    return vals[np.arange(len(P)), np.abs(vals).argmax(axis=1)]


def make_gauss_mix(n: int = 200, noise: float = 0.1, seed: int = 0) -> Dataset:
    """Playground's mixture of Gaussians: six bumps of +1 and -1 in two rows of three."""
    X, at = _plane_points(n, noise, np.random.default_rng(seed))
    return _regression("gauss-mix", X, gauss_mix_value(at))


# the function family's boundaries y = f(x) over x in [-5, 5]
FUNCTIONS = {"fn-sine": lambda x: 3 * np.sin(x), "fn-cubic": lambda x: x ** 3 / 25, "fn-abs": lambda x: np.abs(x) - 2.5}


def make_function(name: str, n: int = 200, noise: float = 0.1, seed: int = 0) -> Dataset:
    """Points uniform in [-5, 5]^2, orange above the curve x2 = f(x1), blue below; the points
    are then jittered by uniform(-5, 5) * noise (as xor's), so noise blurs the boundary."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-5, 5, size=(n, 2))
    label = (X[:, 1] > FUNCTIONS[name](X[:, 0])).astype(float)
    return _two_class(name, X + rng.uniform(-5, 5, size=X.shape) * noise, label)


BUILTINS = {
    "toy": "the post's toy set: 8 rows, 3 binary inputs, 2 binary outputs (y1 = majority, y2 = x1 XOR x3)",
    "iris": "Fisher's iris: 150 flowers, 4 measurements, 3 species",
    "digits": "UCI handwritten digits: 1,797 images of 8 x 8 pixels (0..16), 10 classes (0..9)",
    "wine": "UCI wine: 178 wines, 13 chemical measurements, 3 cultivars (class_0..class_2)",
    "breast-cancer": "UCI breast cancer Wisconsin (diagnostic): 569 tumours, 30 cell-nucleus measurements, "
                     "benign or malignant",
    "diabetes": "diabetes (Efron et al. 2004): 442 patients, 10 baseline measurements, regression on "
                "disease progression after one year",
    "xor": "2-D, 200 points, two classes by quadrant (x1 * x2 < 0); --noise jitters them",
    "circles": "2-D, 200 points, a disc inside a ring; --noise jitters them",
    "spiral": "2-D, 200 points, two interleaved spirals; --noise jitters them",
    "gaussian": "2-D, 200 points, two Gaussian blobs; --noise widens them",
    "fn-sine": "2-D, 200 points, orange above the curve x2 = 3 sin(x1), blue below; --noise jitters them",
    "fn-cubic": "2-D, 200 points, orange above the curve x2 = x1^3 / 25, blue below; --noise jitters them",
    "fn-abs": "2-D, 200 points, orange above the curve x2 = |x1| - 2.5, blue below; --noise jitters them",
    "plane": "2-D regression, 200 points: y = (x1 + x2) / 10 (Playground's plane); --noise blurs y",
    "gauss-mix": "2-D regression, 200 points: six bumps of +1 and -1 (Playground's mixture of Gaussians); "
                 "--noise blurs y",
}
_GENERATED: dict[str, Callable[..., Dataset]] = {"xor": make_xor, "circles": make_circles, "spiral": make_spiral, "gaussian": make_gaussian,
              "plane": make_plane, "gauss-mix": make_gauss_mix,
              **{name: partial(make_function, name) for name in FUNCTIONS}}
GENERATED = tuple(_GENERATED)  # the built-ins with --noise (all two-input)


def builtin(name: str, noise: float = 0.1, seed: int = 0) -> Dataset:
    """A built-in data set by name; ValueError listing the names otherwise."""
    if name == "toy":
        return _toy()
    if name in PACKAGED:
        return _packaged(name)
    if name in _GENERATED:
        if not (0.0 <= noise <= 1.0):
            raise ValueError(f"the noise level must be between 0 and 1 (got {noise})")
        return _GENERATED[name](noise=noise, seed=seed)
    raise ValueError(f"unknown data set {name!r} (built-in: {', '.join(BUILTINS)}; or give a CSV file path)")
