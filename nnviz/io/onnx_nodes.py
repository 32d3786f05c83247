"""One node of an ONNX graph on the path from the input to the output, read as a ``Step``.

A node is checked first (it has an output, an operator nnviz knows from a domain it reads,
its other inputs are constants, its second output is unused), then read by its operator:

* Gemm (transA = 0, any transB, alpha, beta; a bias of shape (n,) or (1, n), or one number)
  and MatMul are layers;
* Add, Sub, Mul and Div by a constant, ONNX-ML's Scaler ((x - offset) * scale) and
  BatchNormalization in inference mode are affine operations, (kind, constant) pairs;
* Sigmoid, Tanh, Relu and Softmax (on the last axis) are activations;
* Identity, Dropout (inference), Cast to float, Flatten (axis 1) and a Reshape that keeps one
  row per observation change no value.

Anything else is refused in one line naming the operator and where it is.  Left out: the
walk from node to node (``onnx_path``) and what the steps make (``onnx_layers``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .onnx_constants import BOOL_TYPES, INT_TYPES, Constants
from .onnx_wiring import Wiring

ACTIVATIONS = {"Sigmoid": "sigmoid", "Tanh": "tanh", "Relu": "relu", "Softmax": "softmax"}
AFFINE = ("Add", "Sub", "Mul", "Div")
SAME = ("Identity", "Dropout", "Cast", "Flatten", "Reshape")
KNOWN = ("Gemm", "MatMul", "BatchNormalization", *AFFINE, *SAME, *ACTIVATIONS)
WHAT_WE_READ = ("nnviz reads multilayer perceptrons: MatMul+Add or Gemm layers with Sigmoid, Tanh, Relu, "
                "Softmax or no activation")


@dataclass
class Step:
    """One node on the path from the input to the output, as nnviz reads it."""

    kind: str  # "layer", "affine", "act", "two_classes" or "same"
    where: str  # "node 3 of 7 (Gemm 'fc1', after layer 1)"
    op: str
    W: np.ndarray | None = None  # a layer's (n_in, n_out) weights
    b: np.ndarray | None = None  # a layer's (n_out,) bias, or None
    ops: list = field(default_factory=list)  # affine: [(kind, constant)], kind in add sub rsub mul div
    act: str | None = None
    width: int | None = None  # a Reshape's row width (None: any)
    p_first: bool = False  # two_classes: Concat(p, 1 - p) rather than Concat(1 - p, p)


class NodeReader:
    """Reads the nodes of one graph as steps, with its wiring and its constants."""

    def __init__(self, onnx, wiring: Wiring, constants: Constants):
        self.onnx, self.wiring, self.constants = onnx, wiring, constants
        self.readers = {"Gemm": self._gemm, "MatMul": self._matmul, "Scaler": self._scaler,
                        "BatchNormalization": self._batch_norm, "Cast": self._cast, "Flatten": self._flatten,
                        "Reshape": self._reshape, "Dropout": self._dropout,
                        **dict.fromkeys(AFFINE, self._affine), **dict.fromkeys(ACTIVATIONS, self._activation)}

    def step(self, i: int, t: str, where: str) -> Step:
        """Node ``i``, which takes the path's tensor ``t``, as a step; ``where`` names it in errors."""
        n = self.wiring.nodes[i]
        op = n.op_type
        slot = self._check(n, t, where)
        attrs = {a.name: self.onnx.helper.get_attribute_value(a) for a in n.attribute}
        if op in ("Gemm", "MatMul", "BatchNormalization") and slot != 0:
            raise ValueError(f"{op} with the computed tensor as its input {slot + 1} at {where}: {WHAT_WE_READ}")
        read = self.readers.get(op)
        return Step("same", where, op) if read is None else read(n, attrs, slot, where)

    def _check(self, n, t: str, where: str) -> int:
        """The input slot of ``t`` in a node nnviz can read; ValueError for any other node."""
        op = n.op_type
        if not n.output or not n.output[0]:
            raise ValueError(f"{where} has no output; the graph is malformed")
        if n.domain not in ("", "ai.onnx") and (n.domain, op) != ("ai.onnx.ml", "Scaler"):
            raise ValueError(f"unsupported operator {n.domain}.{op} at {where}: {WHAT_WE_READ}")
        if op == "Gelu" or op == "Erf":
            raise ValueError(f"unsupported activation GELU ({op}) at {where}: {WHAT_WE_READ}")
        if op == "Swish":
            raise ValueError(f"unsupported activation SiLU (Swish, x * sigmoid(x)) at {where}: {WHAT_WE_READ}")
        if op not in KNOWN and n.domain != "ai.onnx.ml":
            raise ValueError(f"unsupported operator {op} at {where}: {WHAT_WE_READ}")
        slot = list(n.input).index(t)
        if list(n.input).count(t) > 1:
            raise ValueError(f"{op} of a tensor with itself at {where}: {WHAT_WE_READ}")
        for name in n.input:
            if name and name != t and not self.constants.is_const(name):
                what = "a skip connection" if op == "Add" else f"{op} of two computed tensors"
                raise ValueError(f"{what} at {where}: {WHAT_WE_READ}")
        for out in n.output[1:]:
            if out and (self.wiring.users.get(out) or out == self.wiring.output):
                raise ValueError(f"{op} with its second output in use at {where}: {WHAT_WE_READ}")
        return slot

    # -- layers -------------------------------------------------------------------------
    def _gemm(self, n, attrs: dict, slot: int, where: str) -> Step:
        """alpha x B + beta C (B transposed when transB) as a layer."""
        if _int_attr(attrs, "transA", 0, where) != 0:
            raise ValueError(f"Gemm with transA = 1 at {where}: {WHAT_WE_READ}")
        B = self.constants.const(_arg(n, 1, "weights", where), "the weights")
        if B.ndim != 2:
            raise ValueError(f"the weights {n.input[1]!r} of {where} have {B.ndim} dimension(s), expected 2")
        W = B.T if _int_attr(attrs, "transB", 0, where) else B
        step = Step("layer", where, n.op_type)
        with np.errstate(all="ignore"):
            step.W = W * _float_attr(attrs, "alpha", 1.0, where)
            if len(n.input) > 2 and n.input[2]:
                C = self.constants.const(n.input[2], "the bias")
                if C.shape not in ((W.shape[1],), (1, W.shape[1]), (), (1,)):
                    raise ValueError(f"the bias {n.input[2]!r} of {where} has shape {C.shape}, expected "
                                     f"({W.shape[1]},) or (1, {W.shape[1]})")
                step.b = np.broadcast_to(C, (1, W.shape[1])).reshape(W.shape[1]) * _float_attr(
                    attrs, "beta", 1.0, where)
        return step

    def _matmul(self, n, attrs: dict, slot: int, where: str) -> Step:
        """x W as a layer without bias (an Add after it may give one)."""
        W = self.constants.const(_arg(n, 1, "weights", where), "the weights")
        if W.ndim != 2:
            raise ValueError(f"the weights {n.input[1]!r} of {where} have {W.ndim} dimension(s), expected 2")
        return Step("layer", where, n.op_type, W=W)

    # -- affine operations ------------------------------------------------------------------
    def _affine(self, n, attrs: dict, slot: int, where: str) -> Step:
        """Add, Sub, Mul or Div with a constant (c - x is "rsub"; c / x is refused)."""
        op = n.op_type
        if len(n.input) != 2:
            raise ValueError(f"{where} has {len(n.input)} inputs, not 2; the graph is malformed")
        c = self.constants.const(_arg(n, 1 - slot, "second operand", where), "the constant")
        kind = {"Add": "add", "Mul": "mul", "Sub": "sub" if slot == 0 else "rsub", "Div": "div"}[op]
        if op == "Div" and slot == 1:
            raise ValueError(f"a division by the computed tensor at {where}: {WHAT_WE_READ}")
        return Step("affine", where, op, ops=[(kind, c)])

    def _scaler(self, n, attrs: dict, slot: int, where: str) -> Step:
        """ONNX-ML's (x - offset) * scale, skl2onnx's StandardScaler."""
        if len(n.input) != 1:
            raise ValueError(f"{where} has {len(n.input)} inputs, not 1; the graph is malformed")
        offset, scale = (_floats_attr(attrs, name, default, where) for name, default in (("offset", 0.0),
                                                                                         ("scale", 1.0)))
        return Step("affine", where, n.op_type, ops=[("sub", offset), ("mul", scale)])

    def _batch_norm(self, n, attrs: dict, slot: int, where: str) -> Step:
        """BatchNormalization in inference mode: (x - mean) / sqrt(var + epsilon) * scale + bias."""
        if _int_attr(attrs, "training_mode", 0, where):
            raise ValueError(f"BatchNormalization in training mode at {where}: {WHAT_WE_READ}")
        scale, bias, mean, var = (self.constants.const(_arg(n, k, "constants", where), "the batch normalisation "
                                                       "constant") for k in range(1, 5))
        eps = _float_attr(attrs, "epsilon", 1e-5, where)
        with np.errstate(all="ignore"):
            sd = np.sqrt(var + eps)
        if not (np.isfinite(sd).all() and (sd > 0).all()):
            raise ValueError(f"the variances of {where} are not positive")
        return Step("affine", where, n.op_type, ops=[("sub", mean), ("div", sd), ("mul", scale), ("add", bias)])

    # -- activations and nodes that change no value ------------------------------------------
    def _activation(self, n, attrs: dict, slot: int, where: str) -> Step:
        op = n.op_type
        if op == "Softmax":
            axis = _int_attr(attrs, "axis", -1 if self._opset() >= 13 else 1, where)
            if axis not in (-1, 1):
                raise ValueError(f"Softmax over axis {axis} at {where}: nnviz's softmax runs over a row's outputs")
        return Step("act", where, op, act=ACTIVATIONS[op])

    def _cast(self, n, attrs: dict, slot: int, where: str) -> Step:
        if _int_attr(attrs, "to", 0, where) not in (1, 11):
            raise ValueError(f"a Cast to a type other than FLOAT or DOUBLE at {where} changes values")
        return Step("same", where, n.op_type)

    def _flatten(self, n, attrs: dict, slot: int, where: str) -> Step:
        if _int_attr(attrs, "axis", 1, where) != 1:
            raise ValueError(f"a Flatten that mixes rows at {where}: {WHAT_WE_READ}")
        return Step("same", where, n.op_type)

    def _reshape(self, n, attrs: dict, slot: int, where: str) -> Step:
        """A Reshape to (-1 or 0, width): one row per observation; the width is checked later."""
        shape = self.constants.const(_arg(n, 1, "shape", where), "the shape", INT_TYPES).ravel().tolist()
        if len(shape) != 2 or shape[0] not in (-1, 0) or shape[1] < -1 or shape == [-1, -1]:
            raise ValueError(f"a Reshape to {shape} at {where}: nnviz keeps one row per observation")
        return Step("same", where, n.op_type, width=shape[1] if shape[1] > 0 else None)

    def _dropout(self, n, attrs: dict, slot: int, where: str) -> Step:
        if len(n.input) > 2 and n.input[2] and self.constants.const(n.input[2], "the training flag", BOOL_TYPES).any():
            raise ValueError(f"Dropout in training mode at {where}: {WHAT_WE_READ}")
        return Step("same", where, n.op_type)

    def _opset(self) -> int:
        return next((o.version for o in self.wiring.model.opset_import if o.domain in ("", "ai.onnx")), 1)


def _arg(n, k: int, what: str, where: str) -> str:
    """The name of a node's k-th input, which must be given."""
    if len(n.input) <= k or not n.input[k]:
        raise ValueError(f"{where} lacks its {what}; the graph is malformed")
    return n.input[k]


def _int_attr(attrs: dict, name: str, default: int, where: str) -> int:
    v = attrs.get(name, default)
    if not isinstance(v, int) or isinstance(v, bool):
        raise ValueError(f"the attribute {name} of {where} is not a whole number")
    return v


def _floats_attr(attrs: dict, name: str, default: float, where: str) -> np.ndarray:
    """A list of numbers (one, or one per column); [default] when the attribute is not given."""
    v = attrs.get(name, [default])
    if not isinstance(v, list) or not v or not all(isinstance(x, (int, float)) and not isinstance(x, bool) for x in v):
        raise ValueError(f"the attribute {name} of {where} is not a list of numbers")
    return np.array(v, dtype=np.float64)


def _float_attr(attrs: dict, name: str, default: float, where: str) -> float:
    v = attrs.get(name, default)
    if not isinstance(v, (int, float)) or isinstance(v, bool) or not math.isfinite(v):
        raise ValueError(f"the attribute {name} of {where} is not a finite number")
    return float(v)
