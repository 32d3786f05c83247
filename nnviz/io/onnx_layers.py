"""The steps of an ONNX graph's path as nnviz's layers and its input and output scalings.

Folding is exact: an affine operation (``onnx_nodes``) goes into the layer before its
activation, into the next layer's weights when it follows an activation, into the input
scaling before the first layer, and into the output scaling after the last one.  MatMul then
Add is a layer and its bias.  Two layers with no activation between them are composed into
one, (x W1 + b1) W2 + b2 = x (W1 W2) + (b1 W2 + b2), and a binary classifier's
Concat(1 - p, p) of its sigmoid output becomes a two-class softmax over (0, z), which equals
it; notes say which.  Left out: whether the activations are ones nnviz has (``onnx_import``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .onnx_nodes import WHAT_WE_READ, Step


@dataclass
class Layer:
    """A layer read from the graph: x W + b (no bias: None), then its activation (None: none yet)."""

    W: np.ndarray
    b: np.ndarray | None
    where: str
    act: str | None = None


def _vector(c: np.ndarray, n: int, where: str) -> np.ndarray:
    """A constant that is one number, or one per column (shape (n,) or (1, n)), as (n,)."""
    if c.shape not in ((), (1,), (n,), (1, n), (1, 1)):
        raise ValueError(f"a constant of shape {c.shape} at {where}, where the rows have {n} columns")
    return np.broadcast_to(c.reshape(-1) if c.ndim else c, (n,)).astype(np.float64)


def _into_columns(layer: Layer, kind: str, c: np.ndarray, where: str) -> None:
    """op(x W + b) as x W' + b': an operation on a layer's output before its activation."""
    n = layer.W.shape[1]
    c = _vector(c, n, where)
    b = np.zeros(n) if layer.b is None else layer.b
    if kind == "add":
        layer.b = c.copy() if layer.b is None else b + c
    elif kind == "sub":
        layer.b = b - c
    elif kind == "rsub":
        layer.W, layer.b = -layer.W, c - b
    elif kind == "mul":
        layer.W, layer.b = layer.W * c, None if layer.b is None else b * c
    else:
        layer.W, layer.b = layer.W / c, None if layer.b is None else b / c


def _into_rows(layer: Layer, kind: str, c: np.ndarray, where: str) -> None:
    """op(x) W + b as x W' + b': an operation on a layer's input."""
    c = _vector(c, layer.W.shape[0], where)
    b = np.zeros(layer.W.shape[1]) if layer.b is None else layer.b
    if kind == "add":
        layer.b = b + c @ layer.W
    elif kind == "sub":
        layer.b = b - c @ layer.W
    elif kind == "rsub":
        layer.W, layer.b = -layer.W, b + c @ layer.W
    elif kind == "mul":
        layer.W = c[:, None] * layer.W
    else:
        layer.W = layer.W / c[:, None]


def input_scaling(ops: list, p: int) -> tuple[np.ndarray, np.ndarray]:
    """Operations on the raw inputs as nnviz's (x - center) / scale."""
    center, scale = np.zeros(p), np.ones(p)
    for kind, c, where in ops:
        c = _vector(c, p, where)
        if kind == "sub":
            center = center + c * scale
        elif kind == "add":
            center = center - c * scale
        elif kind == "rsub":
            center, scale = center + c * scale, -scale
        elif kind == "mul":
            scale = scale / c
        else:
            scale = scale * c
    return center, scale


def output_scaling(ops: list, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Operations on the network's outputs as nnviz's y * scale + center."""
    scale, center = np.ones(k), np.zeros(k)
    for kind, c, where in ops:
        c = _vector(c, k, where)
        if kind == "mul":
            scale, center = scale * c, center * c
        elif kind == "div":
            scale, center = scale / c, center / c
        elif kind == "add":
            center = center + c
        elif kind == "sub":
            center = center - c
        else:
            scale, center = -scale, c - center
    return center, scale


def layers_from(steps: list[Step]) -> tuple[list[Layer], list, list, list[str]]:
    """The layers, the input scaling ops and the output scaling ops of a path, and notes on
    what was composed (layers without an activation between them, a binary classifier's two
    probabilities)."""
    layers: list[Layer] = []
    before: list = []  # operations on the inputs
    after: list = []  # operations on the inputs, and waiting for the next layer or the outputs
    widths = []  # (row width a Reshape keeps, where), checked once the widths are known
    notes: list[str] = []
    for j, s in enumerate(steps):
        open_layer = layers[-1] if layers and layers[-1].act is None and not after else None
        if s.kind == "same":
            if s.width is not None:
                widths.append((s.width, len(layers), open_layer is not None, s.where))
        elif s.kind == "layer":
            assert s.W is not None  # a "layer" step always has its weights
            layer = Layer(s.W, s.b, s.where)
            if layers and layer.W.shape[0] != layers[-1].W.shape[1]:
                raise ValueError(f"the layer at {s.where} takes {layer.W.shape[0]} inputs, layer {len(layers)} "
                                 f"gives {layers[-1].W.shape[1]}")
            for kind, c, where in reversed(after):
                _into_rows(layer, kind, c, where)
            after = []
            layers.append(layer)
        elif (s.kind == "affine" and j and steps[j - 1].op == "MatMul" and s.op == "Add" and open_layer is not None
              and open_layer.b is None):
            kind, c = s.ops[0]
            _into_columns(open_layer, kind, c, s.where)  # MatMul + Add: the layer's bias
        elif s.kind == "affine":
            has_act = any(t.kind == "act" for t in steps[j + 1:next(
                (k for k in range(j + 1, len(steps)) if steps[k].kind == "layer"), len(steps))])
            for kind, c in s.ops:
                if not layers:
                    before.append((kind, c, s.where))
                elif open_layer is not None and has_act:
                    _into_columns(open_layer, kind, c, s.where)
                else:
                    after.append((kind, c, s.where))
        elif s.kind == "two_classes":
            notes.append(_two_classes(layers[-1] if layers and not after else None, s))
        else:  # an activation
            if open_layer is None:
                what = "on the inputs" if not layers else "after another activation or scaling"
                raise ValueError(f"an activation {what} at {s.where}: {WHAT_WE_READ}")
            open_layer.act = s.act
    if not layers:
        raise ValueError("no MatMul or Gemm layer found")
    sizes = [layers[0].W.shape[0]] + [L.W.shape[1] for L in layers]
    for width, before_layer, _, where in widths:
        if width != sizes[before_layer]:
            raise ValueError(f"a Reshape to rows of {width} at {where}, where the rows have {sizes[before_layer]} "
                             "values")
    layers, composed = _compose(layers)
    return layers, before, after, composed + notes


def _two_classes(last: Layer | None, s: Step) -> str:
    """Concat(1 - sigmoid(z), sigmoid(z)) as a softmax over (0, z), which equals it: the last
    layer gains a column of zero weights.  Returns the note that says so."""
    if last is None or last.act != "sigmoid":
        raise ValueError(f"1 - p and p joined at {s.where}, where p is not the output of a sigmoid layer; "
                         f"{WHAT_WE_READ}")
    k = last.W.shape[1]
    if k != 1:
        raise ValueError(f"1 - p and p joined at {s.where} for {k} sigmoid outputs (a multi-label classifier); nnviz "
                         "reads the two classes of one sigmoid output")
    zero_w, zero_b = np.zeros_like(last.W), np.zeros(1)
    b = np.zeros(1) if last.b is None else last.b
    last.W = np.hstack((last.W, zero_w) if s.p_first else (zero_w, last.W))
    last.b = np.concatenate((b, zero_b) if s.p_first else (zero_b, b))
    last.act = "softmax"
    pair = "(sigmoid(z), 1 - sigmoid(z)) = softmax(z, 0)" if s.p_first else \
        "(1 - sigmoid(z), sigmoid(z)) = softmax(0, z)"
    return f"the binary classifier's probabilities {pair} at {s.where}: a two-class softmax output"


def _compose(layers: list[Layer]) -> tuple[list[Layer], list[str]]:
    """A layer without activation (identity) and the layer after it as one layer:
    (x W1 + b1) W2 + b2 = x (W1 W2) + (b1 W2 + b2).  Returns the layers and a note per composition."""
    out: list[Layer] = []
    notes: list[str] = []
    for L in layers:
        if not out or out[-1].act is not None:
            out.append(L)
            continue
        P = out[-1]
        b = None if P.b is None and L.b is None else (
            (0.0 if P.b is None else P.b @ L.W) + (0.0 if L.b is None else L.b))
        notes.append(f"no activation between the layer at {P.where} and the layer at {L.where}: composed into one "
                     f"layer, {P.W.shape[0]} x {P.W.shape[1]} times {L.W.shape[0]} x {L.W.shape[1]} weights")
        out[-1] = Layer(P.W @ L.W, None if b is None else np.asarray(b, dtype=np.float64), P.where, L.act)
    return out, notes
