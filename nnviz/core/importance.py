"""What the network learned, read from its weights: Olden's and Garson's input importance and
neuralnet's generalized weights.  NumPy only, no Qt.

Definitions as R computes them (checked in the sources of NeuralNetTools 1.5.3 and
neuralnet 1.44.2, and tested against both):

* **Olden** (``olden()``): the sum over all paths from an input to an output of the products
  of the connection weights along the path, signed; the bias rows take no part.  For weight
  matrices W1..WL (bias in row 0) that is ``W1[1:] @ W2[1:] @ ... @ WL[1:]``, one column per
  output, any number of hidden layers (with none, the weights themselves).
* **Garson** (``garson()``): for one hidden layer and one output only, as NeuralNetTools
  refuses anything else: c_ij = |w_ij| |v_j| (input i, hidden node j, v the hidden-to-output
  weights), each hidden node's c normalised over the inputs, summed over the hidden nodes,
  and the sums divided by their total.  Positive, summing to 1; no sign.
* **Generalized weights** (neuralnet's ``generalized.weights``, which ``gwplot()`` draws;
  Intrator & Intrator 1993): for each row and input, the derivative of the output's log-odds
  log(y / (1 - y)) with respect to the input as the network sees it (standardised, as
  neuralnet given the scaled columns sees it).  neuralnet computes it as
  f'(a) / (y (1 - y)) times the backpropagated weights; for a logistic output that factor is
  1, so it is the derivative of the output's pre-activation a, which is what is computed here
  (exactly, also where y rounds to 0 or 1 and neuralnet's 0/0 gives NaN).  A softmax output's
  log-odds log(p_k / (1 - p_k)) are differentiated the same way.  For a **linear** output
  the log-odds mean nothing (neuralnet still divides by y (1 - y)); nnviz gives dy/dx, the
  derivative of the output itself, and its label says so.  ``raw=True`` gives the derivatives
  per unit of the input's own scale (divided by the standardisation's scale; a linear output
  also in the target's units).

What the Explain tab shows is derived here too (``derive``), from the need strings the view
sends with ``Runner.set_view``: ``importance``, ``gen_weights:K`` (output K) and
``profile:KIND:J`` (a profile of input J, see ``profiles.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import activations
from . import profiles as prof
from .network import Network
from .snapshot import frozen

GW_ROWS = 1000  # the window's generalized weights use at most this many rows (every k-th beyond)
NEEDS = ("importance", "gen_weights", "profile")  # the need strings' first parts (see module doc)


def olden(weights) -> np.ndarray:
    """Olden's importance (inputs, outputs): W1[1:] @ W2[1:] @ ... @ WL[1:], signed."""
    M = np.asarray(weights[0], dtype=np.float64)[1:]
    for W in weights[1:]:
        M = M @ np.asarray(W, dtype=np.float64)[1:]
    return M


def garson_refusal(sizes: tuple[int, ...]) -> str:
    """Why Garson's importance is not defined for a network of these layer sizes ("" when it is)."""
    hidden, outputs = len(sizes) - 2, sizes[-1]
    if hidden != 1:
        return (f"Garson's importance needs one hidden layer, this network has {hidden} "
                "(NeuralNetTools' garson() refuses it too): use Olden's")
    if outputs != 1:
        return (f"Garson's importance needs one output, this network has {outputs} "
                "(NeuralNetTools' garson() refuses it too): use Olden's, per output")
    return ""


def garson(weights) -> np.ndarray:
    """Garson's relative importance (inputs,), summing to 1; ValueError unless one hidden layer
    and one output."""
    sizes = (weights[0].shape[0] - 1, *(W.shape[1] for W in weights))
    why = garson_refusal(sizes)
    if why:
        raise ValueError(why)
    C = np.abs(np.asarray(weights[0], dtype=np.float64)[1:]) * np.abs(np.asarray(weights[1], dtype=np.float64)[1:, 0])
    with np.errstate(invalid="ignore", divide="ignore"):
        C = C / C.sum(axis=0)  # each hidden node's shares over the inputs
        s = C.sum(axis=1)
        return s / s.sum()


def _input_gradient(W, fprimes, V: np.ndarray) -> np.ndarray:
    """d (sum_k V[:, k] a_k) / dX (n, p) for output pre-activations a, one backward pass: V (n, k)
    through the output weights, then each hidden layer's f'(A) and weights without the bias row."""
    d = V @ W[-1][1:].T
    for li in range(len(W) - 2, -1, -1):
        d = (d * fprimes[li]) @ W[li][1:].T
    return d


def log_odds_label(output_activation: str) -> str:
    """What the generalized weights differentiate: the log-odds, or a linear output itself."""
    return "output" if output_activation == "linear" else "log-odds"


def generalized_weights(net: Network, X: np.ndarray, scaling=None, raw: bool = False,
                        output: int | None = None) -> np.ndarray:
    """neuralnet's generalized weights (n, k, p): d log(y_k / (1 - y_k)) / dx_j for a sigmoid or
    softmax output, dy_k / dx_j for a linear one, x the network's (standardised) inputs; with
    ``raw`` (needs ``scaling``) per unit of the inputs' own scale (and the target's, linear);
    ``output``: that output's only, (n, 1, p)."""
    X = np.asarray(X, dtype=np.float64)
    asked = [output] if output is not None else list(range(net.arch.n_outputs))
    layers = net.forward_layers(X)
    A = layers[-1][1]
    with activations.quiet_fp():
        fprimes = [activations.ACTIVATIONS[name].derivative(Al)
                   for (_, Al, _), name in zip(layers[:-1], net.arch.activations, strict=True)]
    softmax = net.arch.output_activation == "softmax" and A.shape[1] > 1
    G = np.empty((X.shape[0], len(asked), X.shape[1]))
    for i, k in enumerate(asked):
        V = np.zeros_like(A)
        if softmax:
            # log(p_k / (1 - p_k)) = a_k - log sum_{j != k} exp(a_j): its derivative is
            # da_k - sum_{j != k} q_j da_j with q the softmax of the other outputs (stable as p_k -> 1)
            others = A.copy()
            others[:, k] = -np.inf
            V = np.exp(others - others.max(axis=1, keepdims=True))
            V /= -V.sum(axis=1, keepdims=True)
        V[:, k] = 1.0
        G[:, i, :] = _input_gradient(net.weights, fprimes, V)
    if raw:
        if scaling is None:
            raise ValueError("generalized weights in the inputs' own units need the model's scaling")
        G = G / np.asarray(scaling.x_scale, dtype=np.float64)[None, None, :]
        if net.arch.output_activation == "linear":
            G = G * np.asarray(scaling.y_scale, dtype=np.float64)[asked][None, :, None]
    return G


# -- what the Explain tab needs with each snapshot ----------------------------------------------------

@dataclass(frozen=True)
class GenWeights:
    """Generalized weights of one output on (at most GW_ROWS of) the training rows."""

    output: int
    rows: np.ndarray  # which training rows (indices)
    values: np.ndarray  # (rows, inputs): d log-odds / dx (d output / dx for a linear output), standardised x
    x: np.ndarray  # (rows, inputs): those rows' network inputs in their own units (features computed)
    label: str  # "log-odds" or "output"


@dataclass(frozen=True)
class Learned:
    """What the Explain tab shows for one iteration (only the parts it asked for)."""

    olden: np.ndarray | None = None  # (inputs, outputs), signed
    garson: np.ndarray | None = None  # (inputs,), None where it is not defined (``garson_note`` says why)
    garson_note: str = ""
    gw: GenWeights | None = None
    profile: prof.Profiles | None = None


def parse_needs(needs) -> tuple[bool, int | None, tuple[str, int] | None]:
    """(importance asked, the output of the generalized weights asked, (profile kind, input) asked)."""
    imp, gw, profile = False, None, None
    for need in needs:
        parts = str(need).split(":")
        if parts[0] == "importance" and len(parts) == 1:
            imp = True
        elif parts[0] == "gen_weights" and len(parts) == 2 and parts[1].isdigit():
            gw = int(parts[1])
        elif parts[0] == "profile" and len(parts) == 3 and parts[1] in prof.KINDS and parts[2].isdigit():
            profile = (parts[1], int(parts[2]))
    return imp, gw, profile


def is_need(need: str) -> bool:
    """A need string of the Explain tab (``importance``, ``gen_weights:K``, ``profile:KIND:J``)."""
    imp, gw, profile = parse_needs([need])
    return imp or gw is not None or profile is not None


def thinned(n: int, most: int) -> np.ndarray:
    """Every k-th row index, k = ceil(n / most), so that at most ``most`` remain."""
    return np.arange(0, n, max(1, -(-n // most)))


def derive(net: Network, X: np.ndarray, X_raw: np.ndarray, scaling, needs) -> dict:
    """The snapshot's ``learned`` field for these needs (empty when none is the Explain tab's):
    X the training rows as the network sees them, X_raw in the data's own columns."""
    imp, gw_out, profile = parse_needs(needs)
    if not imp and gw_out is None and profile is None:
        return {}
    parts: dict = {}
    if imp:
        parts["olden"] = frozen(olden(net.weights))
        why = garson_refusal(net.arch.sizes)
        parts["garson"] = frozen(garson(net.weights)) if not why else None
        parts["garson_note"] = why
    if gw_out is not None and 0 <= gw_out < net.arch.n_outputs:
        rows = thinned(X.shape[0], GW_ROWS)
        values = generalized_weights(net, X[rows], output=gw_out)[:, 0, :]
        x = X[rows] * scaling.x_scale + scaling.x_center
        parts["gw"] = GenWeights(gw_out, _ro(rows), frozen(values), frozen(x),
                                 log_odds_label(net.arch.output_activation))
    if profile is not None and 0 <= profile[1] < X_raw.shape[1]:
        parts["profile"] = prof.window_profile(profile[0], profile[1], scaling, net, X_raw)
    return {"learned": Learned(**parts)}


def _ro(a: np.ndarray) -> np.ndarray:
    a = np.array(a, copy=True)
    a.flags.writeable = False
    return a
