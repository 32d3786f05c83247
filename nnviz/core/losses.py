"""Loss functions and the output-layer delta each implies, defined once and looked up by name.

``sse`` is the post's C = 1/2 sum (y - yhat)^2; its output delta is
(y - yhat) * f'(A_out).  ``ce`` is cross-entropy: binary (per output) with a
sigmoid output, categorical with softmax; with those "canonical" pairs the
f' cancels and the output delta is simply y - yhat (as neuralnet does for
ce with a logistic output).

The sign convention throughout nnviz is the post's: delta points *down* the
cost, so the update is W += lr * input^T delta and input^T delta = -dC/dW.

A ``Loss`` holds its cost, whether its output delta takes f', and the output activations it
goes with; the engines and the step trace read it, the numba kernel's output delta is held to
``output_delta`` value by value (tests/core/test_definitions.py).  ``register`` adds one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from . import activations

_EPS = 1e-300


@dataclass(frozen=True)
class Loss:
    """A named loss: ``cost(Y, Yhat, output_activation)`` is C summed over all observations and
    outputs; its output delta is (y - yhat) f'(A_out) when ``delta_uses_fprime``, else y - yhat;
    ``outputs`` are the output activations it goes with (None: every elementwise one)."""

    name: str
    cost: Callable[[np.ndarray, np.ndarray, str], float]
    delta_uses_fprime: bool
    formula: str
    outputs: tuple[str, ...] | None = None

    def output_delta(self, E: np.ndarray, fprime: np.ndarray, out: np.ndarray) -> None:
        """delta_out = (y - yhat) f'(A_out) into ``out`` (only called when it takes f')."""
        np.multiply(E, fprime, out=out)


def _sse(Y: np.ndarray, Yhat: np.ndarray, output_activation: str) -> float:
    return 0.5 * float(np.sum((Y - Yhat) ** 2))


def _ce(Y: np.ndarray, Yhat: np.ndarray, output_activation: str) -> float:
    P = np.clip(Yhat, _EPS, 1.0)
    if output_activation == "softmax":
        return -float(np.sum(Y * np.log(P)))
    Q = np.clip(1.0 - Yhat, _EPS, 1.0)
    return -float(np.sum(Y * np.log(P) + (1.0 - Y) * np.log(Q)))


LOSS_FUNCTIONS: dict[str, Loss] = {}
LOSSES: tuple[str, ...] = ()  # the choices, in the order shown


def register(loss: Loss) -> Loss:
    """Make ``loss`` a choice, by its name."""
    global LOSSES
    LOSS_FUNCTIONS[loss.name] = loss
    if loss.name not in LOSSES:
        LOSSES = (*LOSSES, loss.name)
    return loss


register(Loss("sse", _sse, True, "1/2 sum (y - yhat)^2"))
register(Loss("ce", _ce, False, "-sum y log yhat (+ (1 - y) log (1 - yhat) with a sigmoid output)",
              outputs=("sigmoid", "softmax")))


def check_pair(loss: str, output_activation: str) -> None:
    """Raise ValueError for a loss/output pair nnviz does not support."""
    if loss not in LOSS_FUNCTIONS:
        raise ValueError(f"unknown loss {loss!r} (choose from {', '.join(LOSSES)})")
    spec = LOSS_FUNCTIONS[loss]
    if spec.outputs is not None and output_activation not in spec.outputs:
        raise ValueError(
            f"--loss {loss} needs a {' or '.join(spec.outputs)} output, not {output_activation!r}"
        )
    act = activations.ACTIVATIONS.get(output_activation)
    if act is not None and not act.elementwise and spec.delta_uses_fprime:
        takers = [n for n, s in LOSS_FUNCTIONS.items()
                  if not s.delta_uses_fprime and (s.outputs is None or output_activation in s.outputs)]
        raise ValueError(f"a {output_activation} output is only supported with "
                         f"{' or '.join('--loss ' + n for n in takers)}")


def cost(loss: str, Y: np.ndarray, Yhat: np.ndarray, output_activation: str) -> float:
    """The loss C summed over all observations and outputs (not averaged)."""
    return LOSS_FUNCTIONS[loss].cost(Y, Yhat, output_activation)


def output_delta_uses_fprime(loss: str) -> bool:
    """True when delta_out = (y - yhat) * f'(A_out); False when it is y - yhat."""
    return LOSS_FUNCTIONS[loss].delta_uses_fprime


def output_takes_fprime(loss: str, output_activation: str) -> bool:
    """True when the output delta is formed as (y - yhat) * f'(A_out) (False: it is y - yhat
    itself, f' cancelling with ``loss`` or being 1 everywhere)."""
    return output_delta_uses_fprime(loss) and not activations.ACTIVATIONS[output_activation].identity_deriv


def mse(Y: np.ndarray, Yhat: np.ndarray) -> float:
    """mean((y - yhat)^2) over all observations and outputs: the number nnviz reports."""
    E = Y - Yhat
    return float(np.dot(E.ravel(), E.ravel()) / E.size)
