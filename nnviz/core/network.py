"""A feed-forward network in the post's notation, of any depth.

Conventions (the post's, and R neuralnet's ``weights`` layout):

* ``X`` is the design matrix with a leading column of ones, shape (n, p + 1).
* ``weights[li]`` has shape (n_in + 1, n_out); **row 0 is the bias row**.
  ``weights[0]`` connects the inputs to the first hidden layer and
  ``weights[-1]`` the last hidden layer to the outputs.
* ``A_l = input_l @ weights[li]`` and ``H_l = f_l(A_l)``; ``[1, H_l]`` is the
  input of layer li + 1.

All weight matrices are views into one flat parameter vector, so an
optimiser can update every weight with one vectorised call.  This module
holds the model's structure and a plain forward pass; the tuned training
loop is in ``training.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import activations, losses


def parse_hidden(text: str) -> tuple[int, ...]:
    """'6,6' -> (6, 6); '0' -> () (no hidden layer); '' is refused (it looks like a slip, and 0 says it)."""
    text = str(text).strip()
    if text in ("0", "none"):
        return ()
    if not text:
        raise ValueError("hidden layers must be positive whole numbers separated by commas, like 6,6; "
                         "write 0 for no hidden layer (got '')")
    sizes = []
    for part in text.split(","):
        part = part.strip()
        if not (part.isascii() and part.isdigit()) or int(part) < 1:
            raise ValueError(
                f"hidden layers must be positive whole numbers separated by commas, like 6,6 (got {text!r})"
            )
        sizes.append(int(part))
    return tuple(sizes)


@dataclass(frozen=True)
class Architecture:
    """Layer sizes and activations.  ``hidden`` may be empty."""

    n_inputs: int
    hidden: tuple[int, ...]
    n_outputs: int
    activations: tuple[str, ...] = ()
    output_activation: str = "sigmoid"
    loss: str = "sse"

    def __post_init__(self) -> None:
        if self.n_inputs < 1 or self.n_outputs < 1:
            raise ValueError("a network needs at least one input and one output")
        acts = tuple(self.activations) or ("sigmoid",)
        if len(acts) == 1 and len(self.hidden) != 1:
            acts = acts * len(self.hidden)
        if len(acts) != len(self.hidden) and self.hidden:
            raise ValueError(
                f"{len(acts)} activations given for {len(self.hidden)} hidden layers "
                "(give one for all, or one per hidden layer)"
            )
        if not self.hidden:
            acts = ()
        for name in acts:
            activations.get(name)
        activations.get(self.output_activation, output=True)
        losses.check_pair(self.loss, self.output_activation)
        object.__setattr__(self, "hidden", tuple(int(h) for h in self.hidden))
        object.__setattr__(self, "activations", acts)

    @property
    def sizes(self) -> tuple[int, ...]:
        """All layer sizes, inputs first: (p, h1, ..., k)."""
        return (self.n_inputs, *self.hidden, self.n_outputs)

    @property
    def shapes(self) -> list[tuple[int, int]]:
        """Shapes of the weight matrices, (n_in + 1, n_out) each."""
        s = self.sizes
        return [(s[i] + 1, s[i + 1]) for i in range(len(s) - 1)]

    @property
    def layer_activations(self) -> tuple[str, ...]:
        """The activation of every non-input layer, output last."""
        return (*self.activations, self.output_activation)

    @property
    def n_weights(self) -> int:
        return sum(r * c for r, c in self.shapes)

    def describe(self) -> str:
        return "-".join(str(s) for s in self.sizes)


def split_flat(flat: np.ndarray, shapes: list[tuple[int, int]]) -> list[np.ndarray]:
    """Views of ``flat`` shaped as each weight matrix, in order."""
    views, start = [], 0
    for r, c in shapes:
        views.append(flat[start : start + r * c].reshape(r, c))
        start += r * c
    return views


@dataclass
class Network:
    """Weights (views into ``params``) plus the architecture they belong to."""

    arch: Architecture
    params: np.ndarray
    weights: list[np.ndarray] = field(init=False)

    def __post_init__(self) -> None:
        self.params = np.ascontiguousarray(self.params, dtype=np.float64).ravel()
        if self.params.size != self.arch.n_weights:
            raise ValueError(
                f"{self.params.size} weights given, the {self.arch.describe()} network needs {self.arch.n_weights}"
            )
        self.weights = split_flat(self.params, self.arch.shapes)

    @classmethod
    def random(cls, arch: Architecture, rng: np.random.Generator) -> Network:
        """Weights drawn from U(-1, 1), matrix by matrix, row by row."""
        return cls(arch, rng.uniform(-1.0, 1.0, size=arch.n_weights))

    @classmethod
    def from_weights(cls, arch: Architecture, weights: list[np.ndarray]) -> Network:
        """A network from a list of matrices; ValueError if a shape is wrong."""
        if len(weights) != len(arch.shapes):
            raise ValueError(
                f"{len(weights)} weight matrices given, the {arch.describe()} network needs {len(arch.shapes)}"
            )
        for li, (W, shape) in enumerate(zip(weights, arch.shapes, strict=True), start=1):
            if np.shape(W) != shape:
                raise ValueError(f"weight matrix {li} has shape {np.shape(W)}, expected {shape}")
        return cls(arch, np.concatenate([np.asarray(W, dtype=np.float64).ravel() for W in weights]))

    def copy(self) -> Network:
        return Network(self.arch, self.params.copy())

    def forward_layers(self, X: np.ndarray) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """(input with ones column, A, H) for every layer, for raw inputs X (n, p)."""
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != self.arch.n_inputs:
            raise ValueError(
                f"the network takes {self.arch.n_inputs} inputs, the data has {X.shape[-1] if X.ndim else 0}"
            )
        out, H = [], X
        with activations.quiet_fp():
            for W, name in zip(self.weights, self.arch.layer_activations, strict=True):
                inp = np.hstack([np.ones((H.shape[0], 1)), H])
                A = inp @ W
                H = activations.ACTIVATIONS[name](A)
                out.append((inp, A, H))
        return out

    def predict(self, X: np.ndarray) -> np.ndarray:
        """yhat (n, k) for raw (already standardised) inputs X (n, p)."""
        return self.forward_layers(X)[-1][2]
