"""The post's names for the matrices and nodes of one step, beside nnviz's own (HTML for the window).

The post ("Deep Neural Network from Scratch in R") writes X = [1, x] for the inputs with their
column of ones, H for a hidden layer and H̄ = [1, H] for it with its column of ones, W1, W2, ...,
A1 = X W1, A2 = H̄ W2, ..., ŷ = f(A_out) for the output, δ_y for the output delta and δ_h for the
hidden delta (δ_h1, δ_h2 with several hidden layers).  nnviz numbers its layers from the inputs:
H0 = x, H1, ..., H_L = ŷ, and δ_l belongs to layer l.  Layers here are numbered as the weight
matrices are: lw = 1..L, W_lw going from layer lw - 1 to layer lw.  Nodes keep the diagram's names:
inputs by their column, hidden nodes h<layer>.<node> (1-based), outputs by their class or target.

Plain names without markup are not made here: ``plain()`` strips the tags.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

HBAR = "H\u0304"  # H with a combining macron: the post's H-bar
YHAT = "\u0177"
DELTA = "\u03b4"


def sub(base: str, s: object) -> str:
    return f"{base}<sub>{s}</sub>"


def plain(html: str) -> str:
    """The text of a name without its tags ("δ<sub>y</sub>" -> "δy")."""
    return re.sub(r"<[^>]+>", "", html)


@dataclass(frozen=True)
class Names:
    """Names for a network of layer ``sizes`` (inputs first) with the data's input and output labels."""

    sizes: tuple[int, ...]
    input_labels: tuple[str, ...]
    output_labels: tuple[str, ...]

    @property
    def L(self) -> int:
        """The number of weight matrices."""
        return len(self.sizes) - 1

    def _tag(self, lw: int) -> str:
        """The hidden layer's number as the post writes it: none with a single hidden layer."""
        return "" if self.L == 2 else str(lw)

    # -- matrices (l = 1..L, the weight matrix's number) ----------------------------
    def W(self, lw: int) -> str:
        return sub("W", lw)

    def A(self, lw: int) -> str:
        return sub("A", lw)

    def H(self, lw: int) -> str:
        """The output of layer l (0 = the inputs x, L = ŷ)."""
        if lw == 0:
            return "x"
        if lw == self.L:
            return YHAT
        tag = self._tag(lw)
        return sub("H", tag) if tag else "H"

    def H_app(self, lw: int) -> str:
        return sub("H", lw)

    def input(self, lw: int) -> str:
        """The input of W_l with its column of ones: X, or H̄ (H̄1, H̄2 with several hidden layers)."""
        if lw == 1:
            return "X"
        tag = self._tag(lw - 1)
        return sub(HBAR, tag) if tag else HBAR

    def input_long(self, lw: int) -> str:
        """"X = [1, x]", "H̄1 = [1, H1]"."""
        return f"{self.input(lw)} = [1, {self.H(lw - 1)}]"

    def input_app(self, lw: int) -> str:
        return f"[1, {self.H_app(lw - 1)}]"

    def delta(self, lw: int) -> str:
        """δ_y at the output, δ_h (δ_h1, δ_h2, ...) at a hidden layer."""
        if lw == self.L:
            return sub(DELTA, "y")
        return sub(DELTA, "h" + self._tag(lw))

    def delta_app(self, lw: int) -> str:
        return sub(DELTA, lw)

    def with_app(self, post: str, app: str) -> str:
        """"ŷ (app: H3)": the post's name, the app's in grey when it differs."""
        if plain(app) in plain(post):
            return post
        app = app.replace(" ", "\u00a0")  # one piece: "[1, H0]" never broken over two lines
        return f"{post} <span style='color:#777'>(app:\u00a0{app})</span>"

    # -- nodes (layer 0 = inputs, L = outputs; k 0-based) ----------------------------------
    def node(self, layer: int, k: int) -> str:
        """The short name: "x3", "h1.4", "ŷ2"."""
        if layer == 0:
            return f"x{k + 1}"
        if layer == self.L:
            return f"{YHAT}{k + 1}"
        return f"h{layer}.{k + 1}"

    def label(self, layer: int, k: int) -> str:
        """The name the tables and the diagram use: the data's column, h1.4, or the class."""
        if layer == 0:
            return self.input_labels[k] if k < len(self.input_labels) else f"x{k + 1}"
        if layer == self.L:
            return self.output_labels[k] if k < len(self.output_labels) else f"{YHAT}{k + 1}"
        return f"h{layer}.{k + 1}"

    def node_long(self, layer: int, k: int) -> str:
        """"x3 (input 3: Petal.Length)", "h1.4 (hidden layer 1, node 4)", "ŷ2 (output 2: versicolor)"."""
        if layer == 0:
            return f"x{k + 1} (input {k + 1}: {self.label(0, k)})"
        if layer == self.L:
            return f"{YHAT}{k + 1} (output {k + 1}: {self.label(layer, k)})"
        return f"h{layer}.{k + 1} (hidden layer {layer}, node {k + 1})"

    def source_long(self, lw: int, row: int) -> str:
        """What row ``row`` (0 = the bias row) of W_l multiplies: the 1 of the bias, or a node."""
        if row == 0:
            return "1 (the bias: the column of ones)"
        return self.node_long(lw - 1, row - 1)
