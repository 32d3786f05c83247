"""The step trace: every matrix of one iteration, named as in the post, as read-only copies.

``TrainingSession.step_trace()`` performs exactly one iteration with either engine and hands
its matrices here (``make_trace``); the penalty column is the definition's
(``updates.penalty_gradient``), the cost the loss's (``losses.cost``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import losses, updates


@dataclass(frozen=True)
class LayerTrace:
    """One layer of one iteration, named as in the post (copies, read-only)."""

    input: np.ndarray  # [1, H_prev], (n, n_in + 1)
    W: np.ndarray  # weights before the update, (n_in + 1, n_out)
    A: np.ndarray  # input @ W, (n, n_out)
    H: np.ndarray  # f(A), (n, n_out)
    fprime: np.ndarray  # f'(A), (n, n_out)
    delta: np.ndarray  # (n, n_out)
    gradient: np.ndarray  # input^T delta = -dC/dW, (n_in + 1, n_out)
    update: np.ndarray  # W_after - W_before
    activation: str
    penalty: np.ndarray | None = None  # -(l2 W + l1 sign(W)), bias row 0; None without l1 / l2


@dataclass(frozen=True)
class StepTrace:
    """Every matrix of one iteration of the forward and backward pass."""

    iteration: int  # the iteration number this step performed (1-based)
    rows: np.ndarray  # indices of the training rows used
    Y: np.ndarray
    Yhat: np.ndarray
    error: np.ndarray  # Y - Yhat
    mse: float
    cost: float
    layers: tuple[LayerTrace, ...]
    lr: float  # the rate this iteration used (the schedule's, at iteration - 1)
    algorithm: str
    loss: str
    l1: float = 0.0
    l2: float = 0.0


def frozen(a: np.ndarray) -> np.ndarray:
    """A read-only float64 copy."""
    c = np.array(a, dtype=np.float64, copy=True)
    c.flags.writeable = False
    return c


def penalty_term(W: np.ndarray, l1: float, l2: float) -> np.ndarray:
    """-(l2 W + l1 sign(W)) of one weight matrix, 0 on its bias row (row 0)."""
    mask = np.ones_like(W)
    mask[0] = 0.0
    out = np.empty_like(W)
    updates.penalty_gradient(W, l1, l2, mask, out, np.empty_like(W))
    np.negative(out, out=out)
    out[0] = 0.0
    return out


def make_trace(session, before: list[np.ndarray], mats: dict, rows: np.ndarray | None, mse: float,
               lr: float) -> StepTrace:
    """The StepTrace of the iteration ``session`` just made from the weights ``before``, with
    the matrices ``mats`` (ins, A, H, fp, D, Y, E) its engine kept."""
    arch = session.net.arch
    cfg = session.config
    layers = []
    for li, name in enumerate(arch.layer_activations):
        penalty = penalty_term(before[li], cfg.l1, cfg.l2) if cfg.regularised else None
        layers.append(
            LayerTrace(
                input=frozen(mats["ins"][li]),
                W=frozen(before[li]),
                A=frozen(mats["A"][li]),
                H=frozen(mats["H"][li]),
                fprime=frozen(mats["fp"][li]),
                delta=frozen(mats["D"][li]),
                gradient=frozen(session._grads[li]),
                update=frozen(session._W[li] - before[li]),
                activation=name,
                penalty=None if penalty is None else frozen(penalty),
            )
        )
    Y, Yhat = frozen(mats["Y"]), frozen(mats["H"][-1])
    return StepTrace(
        iteration=session.iteration,
        rows=frozen(np.arange(session.n) if rows is None else rows),
        Y=Y,
        Yhat=Yhat,
        error=frozen(mats["E"]),
        mse=mse,
        cost=losses.cost(arch.loss, Y, Yhat, arch.output_activation),
        layers=tuple(layers),
        lr=lr,
        algorithm=cfg.algorithm,
        loss=arch.loss,
        l1=cfg.l1,
        l2=cfg.l2,
    )
