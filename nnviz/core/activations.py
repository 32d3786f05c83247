"""Activation functions, each with its derivative beside it, defined once and looked up by name.

An ``Activation`` holds f and f' as NumPy functions that write into a caller-supplied ``out``
array, so the training loop allocates nothing per iteration: ``forward(A, out, tmp)`` is
H = f(A) and ``deriv(A, H, out)`` is f'(A), given both the pre-activation ``A`` and
``H = f(A)`` (the logistic and tanh derivatives are cheapest from ``H``: the post's
f'(x) = f(x)(1 - f(x)); relu's from ``A``).  The NumPy engine, the step trace and
``Network.forward_layers`` read these; the numba kernel has its own compiled loops, held to
these definitions value by value (tests/core/test_definitions.py).  ``register`` adds one.

Overflow: the logistic function is evaluated as 1 / (1 + exp(-A)).  For
A < -709, exp(-A) overflows to inf and the result is the exact limit 0; the
callers run inside ``quiet_fp()`` so that limit costs no warning and no
clipping call on the hot path.  A diverging run makes inf and NaN on purpose:
the training loop detects them with ``isfinite`` and says so in one line, so
no NumPy warning may reach the terminal (``quiet_fp`` silences invalid and
divide too).

Softmax is an output activation only; its derivative is never formed (``elementwise`` is
False) because it is only allowed with cross-entropy, where the output delta is y - yhat.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

Forward = Callable[[np.ndarray, np.ndarray, np.ndarray], None]
Deriv = Callable[[np.ndarray, np.ndarray, np.ndarray], None]


def quiet_fp():
    """The floating-point error state the core computes under (see module doc)."""
    return np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore")


@dataclass(frozen=True)
class Activation:
    """A named activation: ``forward(A, out, tmp)`` (out = f(A); tmp is scratch of A's shape)
    and ``deriv(A, H, out)`` (out = f'(A), H = f(A)); ``formula`` and ``derivative_formula`` say them
    in words.  ``identity_deriv``: f' is 1 everywhere (the output delta skips it);
    ``elementwise``: False when f mixes a row's values (softmax: no f' is ever formed)."""

    name: str
    forward: Forward
    deriv: Deriv
    formula: str
    derivative_formula: str = ""
    identity_deriv: bool = False
    elementwise: bool = True

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


# -- the definitions: f, then f' -------------------------------------------------------

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


ACTIVATIONS: dict[str, Activation] = {}
HIDDEN_ACTIVATIONS: tuple[str, ...] = ()  # the choices for hidden layers, in the order shown
OUTPUT_ACTIVATIONS: tuple[str, ...] = ()  # the choices for the output layer


def register(activation: Activation, *, hidden: bool = True, output: bool = False) -> Activation:
    """Make ``activation`` a choice for hidden layers and/or the output layer, by its name."""
    global HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
    if not activation.elementwise and hidden:
        raise ValueError(f"{activation.name} has no elementwise derivative: it can only be an output")
    ACTIVATIONS[activation.name] = activation
    if hidden and activation.name not in HIDDEN_ACTIVATIONS:
        HIDDEN_ACTIVATIONS = (*HIDDEN_ACTIVATIONS, activation.name)
    if output and activation.name not in OUTPUT_ACTIVATIONS:
        OUTPUT_ACTIVATIONS = (*OUTPUT_ACTIVATIONS, activation.name)
    return activation


register(Activation("sigmoid", _sigmoid, _sigmoid_deriv, "1 / (1 + exp(-a))", "h (1 - h)"), output=True)
register(Activation("tanh", _tanh, _tanh_deriv, "tanh(a)", "1 - h^2"))
register(Activation("relu", _relu, _relu_deriv, "max(0, a)", "1 if a > 0 else 0"))
register(Activation("linear", _linear, _linear_deriv, "a", "1", identity_deriv=True), hidden=False, output=True)
register(Activation("softmax", _softmax, _softmax_deriv, "exp(a) / sum(exp(a))", elementwise=False),
         hidden=False, output=True)


def get(name: str, *, output: bool = False) -> Activation:
    """The activation called ``name``; ValueError naming the choices otherwise."""
    allowed = OUTPUT_ACTIVATIONS if output else HIDDEN_ACTIVATIONS
    if name not in allowed:
        kind = "output activation" if output else "activation"
        raise ValueError(f"unknown {kind} {name!r} (choose from {', '.join(allowed)})")
    return ACTIVATIONS[name]
