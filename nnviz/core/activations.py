"""Activation functions as (f, f') pairs, looked up by name.

Every function writes into a caller-supplied ``out`` array so the training
loop allocates nothing per iteration.  ``deriv(A, H, out)`` receives both the
pre-activation ``A`` and the activation ``H = f(A)``: the logistic and tanh
derivatives are cheapest from ``H`` (the post's f'(x) = f(x)(1 - f(x))),
relu's from ``A``.

Overflow: the logistic function is evaluated as 1 / (1 + exp(-A)).  For
A < -709, exp(-A) overflows to inf and the result is the exact limit 0; the
callers run inside ``quiet_fp()`` so that limit costs no warning and no
clipping call on the hot path.  A diverging run makes inf and NaN on purpose:
the training loop detects them with ``isfinite`` and says so in one line, so
no NumPy warning may reach the terminal (``quiet_fp`` silences invalid and
divide too).

Softmax is an output activation only; its derivative is never formed because
it is only allowed with cross-entropy, where the output delta is y - yhat.
"""

from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Callable

import numpy as np

Forward = Callable[[np.ndarray, np.ndarray, np.ndarray], None]
Deriv = Callable[[np.ndarray, np.ndarray, np.ndarray], None]


def quiet_fp():
    """The floating-point error state the core computes under (see module doc)."""
    return np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore")


def _sigmoid(A: np.ndarray, out: np.ndarray, tmp: np.ndarray) -> None:
    np.negative(A, out=tmp)
    np.exp(tmp, out=tmp)
    tmp += 1.0
    np.reciprocal(tmp, out=out)


def _sigmoid_deriv(A: np.ndarray, H: np.ndarray, out: np.ndarray) -> None:
    np.subtract(1.0, H, out=out)
    out *= H


def _tanh(A: np.ndarray, out: np.ndarray, tmp: np.ndarray) -> None:
    np.tanh(A, out=out)


def _tanh_deriv(A: np.ndarray, H: np.ndarray, out: np.ndarray) -> None:
    np.multiply(H, H, out=out)
    np.subtract(1.0, out, out=out)


def _relu(A: np.ndarray, out: np.ndarray, tmp: np.ndarray) -> None:
    np.maximum(A, 0.0, out=out)


def _relu_deriv(A: np.ndarray, H: np.ndarray, out: np.ndarray) -> None:
    np.greater(A, 0.0, out=out)


def _linear(A: np.ndarray, out: np.ndarray, tmp: np.ndarray) -> None:
    np.copyto(out, A)


def _linear_deriv(A: np.ndarray, H: np.ndarray, out: np.ndarray) -> None:
    out.fill(1.0)


def _softmax(A: np.ndarray, out: np.ndarray, tmp: np.ndarray) -> None:
    np.subtract(A, A.max(axis=1, keepdims=True), out=tmp)
    np.exp(tmp, out=out)
    out /= out.sum(axis=1, keepdims=True)


def _softmax_deriv(A: np.ndarray, H: np.ndarray, out: np.ndarray) -> None:
    raise ValueError("softmax has no elementwise derivative; use it with --loss ce")


@dataclass(frozen=True)
class Activation:
    """A named activation: ``forward(A, out, tmp)`` and ``deriv(A, H, out)``."""

    name: str
    forward: Forward
    deriv: Deriv
    formula: str
    identity_deriv: bool = False

    def __call__(self, A: np.ndarray) -> np.ndarray:
        """f(A) as a new array (convenience for code off the hot path)."""
        A = np.asarray(A, dtype=np.float64)
        out = np.empty_like(A)
        with quiet_fp():
            self.forward(A, out, np.empty_like(A))
        return out

    def derivative(self, A: np.ndarray) -> np.ndarray:
        """f'(A) as a new array (convenience for code off the hot path)."""
        H = self(A)
        out = np.empty_like(H)
        self.deriv(np.asarray(A, dtype=np.float64), H, out)
        return out


ACTIVATIONS: dict[str, Activation] = {
    "sigmoid": Activation("sigmoid", _sigmoid, _sigmoid_deriv, "1 / (1 + exp(-a))"),
    "tanh": Activation("tanh", _tanh, _tanh_deriv, "tanh(a)"),
    "relu": Activation("relu", _relu, _relu_deriv, "max(0, a)"),
    "linear": Activation("linear", _linear, _linear_deriv, "a", identity_deriv=True),
    "softmax": Activation("softmax", _softmax, _softmax_deriv, "exp(a) / sum(exp(a))"),
}
HIDDEN_ACTIVATIONS = ("sigmoid", "tanh", "relu")
OUTPUT_ACTIVATIONS = ("sigmoid", "linear", "softmax")


def get(name: str, *, output: bool = False) -> Activation:
    """The activation called ``name``; ValueError naming the choices otherwise."""
    allowed = OUTPUT_ACTIVATIONS if output else HIDDEN_ACTIVATIONS
    if name not in allowed:
        kind = "output activation" if output else "activation"
        raise ValueError(f"unknown {kind} {name!r} (choose from {', '.join(allowed)})")
    return ACTIVATIONS[name]
