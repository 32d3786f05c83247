"""Regenerate the scikit-learn ONNX test fixtures in sklearn/ from small fitted models.

    pip install scikit-learn skl2onnx     # not dependencies of nnviz; only this script needs them
    python tests/data/onnx/make_sklearn_fixtures.py

Each model is fitted on a few seeded random rows and exported with ``skl2onnx.to_onnx`` to
``sklearn/<name>.onnx``: MLPClassifier with every activation (relu, logistic, tanh, identity),
binary and three classes, with ZipMap (the default) and without; inside a StandardScaler
pipeline, written as ONNX-ML's Scaler (the default) or as Sub and Div; and MLPRegressor (the
one with two outputs is refused: skl2onnx 1.20 reshapes its outputs to one column).
``sklearn/expected.npz`` holds per model the input rows ``<name>.X``, scikit-learn's
``predict_proba`` (classifiers) or ``predict`` (regressors) as ``<name>.Y`` and the classes
``<name>.classes``.  The tests (tests/io/test_sklearn_onnx.py) need neither scikit-learn nor this
script; they compare against these numbers and against onnxruntime.
"""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path

import numpy as np
from skl2onnx import to_onnx
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

warnings.filterwarnings("ignore", category=ConvergenceWarning)  # a few hundred iterations are enough here

HERE = Path(__file__).resolve().parent / "sklearn"
P = 4  # inputs


def data(seed: int):
    """Rows on scales far from standard (so a forgotten scaler shows), and their targets."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(80, P)) * [1.0, 3.0, 0.5, 10.0] + [0.0, 5.0, -2.0, 50.0]
    Z = (X - [0.0, 5.0, -2.0, 50.0]) / [1.0, 3.0, 0.5, 10.0]
    score = Z[:, 0] + Z[:, 1] - Z[:, 2] * Z[:, 3]
    return X.astype(np.float32), score


def classifier(activation: str, classes: int, hidden=(5,), scaler: bool = False, seed: int = 0):
    X, score = data(seed)
    if classes == 2:
        y = np.array(["no", "yes"])[(score > 0).astype(int)]
    else:
        y = np.array([3, 7, 11])[np.digitize(score, [-0.7, 0.7])]
    mlp = MLPClassifier(hidden, activation=activation, max_iter=300, random_state=seed)
    model = make_pipeline(StandardScaler(), mlp) if scaler else mlp
    return model.fit(X if scaler else (X - X.mean(0)) / X.std(0), y), scaler


def regressor(activation: str, outputs: int, scaler: bool = False, seed: int = 0):
    X, score = data(seed)
    Y = np.column_stack([score, score ** 2][:outputs])
    mlp = MLPRegressor(hidden_layer_sizes=(6,), activation=activation, max_iter=300, random_state=seed)
    model = make_pipeline(StandardScaler(), mlp) if scaler else mlp
    return model.fit(X if scaler else (X - X.mean(0)) / X.std(0), Y if outputs > 1 else Y[:, 0]), scaler


# name: (fitted model and whether it has a scaler, skl2onnx options)
MODELS = {
    **{f"{act}_{n}classes{'_zipmap' if zm else ''}": (classifier(act, n, seed=k), {"zipmap": zm})
       for k, (act, n, zm) in enumerate((act, n, zm) for act in ("relu", "logistic", "tanh", "identity")
                                        for n in (2, 3) for zm in (True, False))},
    "identity_2hidden_3classes": (classifier("identity", 3, hidden=(5, 4), seed=20), {"zipmap": False}),
    "scaler_tanh_3classes_zipmap": (classifier("tanh", 3, hidden=(6, 4), scaler=True, seed=21), {}),
    "scaler_logistic_2classes": (classifier("logistic", 2, scaler=True, seed=22), {"zipmap": False}),
    "subdiv_relu_3classes": (classifier("relu", 3, scaler=True, seed=23), {"zipmap": False,
                                                                           StandardScaler: {"div": "div"}}),
    "subdiv_identity_2classes_zipmap": (classifier("identity", 2, scaler=True, seed=24),
                                        {StandardScaler: {"div": "div"}}),
    "regressor_relu": (regressor("relu", 1, seed=25), {}),
    "regressor_scaler_tanh": (regressor("tanh", 1, scaler=True, seed=26), {}),
    # skl2onnx 1.20 reshapes two outputs to (2 N, 1) rows: nnviz refuses the Reshape
    "regressor_2outputs": (regressor("relu", 2, seed=27), {}),
}


def main() -> int:
    expected = {}
    for name, ((model, scaler), options) in MODELS.items():
        X, _ = data(100 + len(expected))
        X = X[:12] if scaler else ((X - X.mean(0)) / X.std(0)).astype(np.float32)[:12]
        onx = to_onnx(model, X[:1], options=_options(model, options))
        path = HERE / f"{name}.onnx"
        path.write_bytes(onx.SerializeToString())
        is_classifier = hasattr(model, "predict_proba")
        expected[f"{name}.X"] = X.astype(np.float64)
        expected[f"{name}.Y"] = (model.predict_proba(X) if is_classifier else model.predict(X).reshape(len(X), -1))
        if is_classifier:
            expected[f"{name}.classes"] = np.array([str(c) for c in model.classes_])
        print(f"{name}: {path.stat().st_size} bytes", file=sys.stderr)
    np.savez_compressed(HERE / "expected.npz", **expected)
    return 0


def _options(model, options: dict) -> dict:
    """skl2onnx's options by estimator: the classifier's own, and a StandardScaler's."""
    out: dict = {}
    steps = model.steps if hasattr(model, "steps") else [("", model)]
    for _, step in steps:
        if isinstance(step, StandardScaler) and StandardScaler in options:
            out[id(step)] = options[StandardScaler]
        elif not isinstance(step, StandardScaler):
            out[id(step)] = {k: v for k, v in options.items() if k is not StandardScaler}
    return out


if __name__ == "__main__":
    os.chdir(HERE.parent)
    HERE.mkdir(exist_ok=True)
    sys.exit(main())
