"""Reading a multilayer perceptron from an ONNX graph, wherever the graph was made.

The graph is followed from its one input to its one output of values through each node's
inputs (not in the order the file lists the nodes), and read as nnviz's layers:

* a layer is MatMul (then an Add of its bias) or Gemm (transA = 0, any transB, alpha, beta;
  a bias of shape (n,) or (1, n), or one number);
* an activation is Sigmoid, Tanh, Relu, Softmax (on the last axis) or none;
* two layers with no activation between them (scikit-learn's "identity", or a hidden layer
  without one) are composed into one, (x W1 + b1) W2 + b2 = x (W1 W2) + (b1 W2 + b2), and the
  model's ``training["import_notes"]`` says which;
* Add, Sub, Mul and Div by constants (a scalar or one value per column), ONNX-ML's Scaler
  ((x - offset) * scale, skl2onnx's StandardScaler) and BatchNormalization in inference mode
  are folded: into the layer before their activation, into the next layer's weights when they
  follow an activation, into the input scaling before the first layer, and into the output
  scaling after the last one;
* Identity, Dropout (inference), Cast to float, Flatten (axis 1) and a Reshape that keeps one
  row per observation change no value and are passed over.

A classifier's graph (skl2onnx's) has two outputs: the probabilities, which are followed, and
the labels (integers or strings) derived from them, whose nodes are ignored.  A ZipMap at the
end of the probabilities is passed over and names the classes (else the label branch's
ArrayFeatureExtractor does); a binary classifier's Concat(1 - p, p) of its one sigmoid output
becomes a two-class softmax over (0, z), which equals it.

Anything else is refused with one line naming the operator and where it is: a GELU (the
Gelu operator, or the Erf pattern older exporters write), a SiLU (x * sigmoid(x)), a skip
connection (a tensor used by two nodes, or an Add of two computed tensors), any other
operator; so is a graph of an opset onnxruntime does not run, or one an onnxruntime session
refuses (onnx_check.py).  Weights kept in a side file (``m.onnx.data``, as torch.onnx.export
writes them) are read from the model's own folder only.  Without nnviz's metadata the inputs
are called x1.., the outputs y1.. (a classifier's class names, else class 1.., for a softmax),
and the task follows the output activation.
"""

from __future__ import annotations

import math
import os
import stat
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from ..core.activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from ..core.data import Scaling
from ..core.model import Model
from ..core.network import Architecture, Network
from .document import MAX_WEIGHTS, model_from_dict, parse_json
from .onnx_check import check_opset, check_runs

ACTIVATIONS = {"Sigmoid": "sigmoid", "Tanh": "tanh", "Relu": "relu", "Softmax": "softmax"}
AFFINE = ("Add", "Sub", "Mul", "Div")
SAME = ("Identity", "Dropout", "Cast", "Flatten", "Reshape")
KNOWN = ("Gemm", "MatMul", "BatchNormalization", *AFFINE, *SAME, *ACTIVATIONS)
WHAT_WE_READ = ("nnviz reads multilayer perceptrons: MatMul+Add or Gemm layers with Sigmoid, Tanh, Relu, "
                "Softmax or no activation")
_FLOAT_TYPES = {1: "FLOAT", 10: "FLOAT16", 11: "DOUBLE"}  # TensorProto data types
_INT_TYPES = {6: "INT32", 7: "INT64"}
_BOOL_TYPES = {9: "BOOL"}
_LABEL_TYPES = {6: "INT32", 7: "INT64", 8: "STRING"}
_VALUE_TYPES = (0, 1, 10, 11, 16)  # an output of values: UNDEFINED, FLOAT, FLOAT16, DOUBLE, BFLOAT16


def require_onnx():
    """The onnx module; ValueError if it is not installed."""
    try:
        import onnx
    except ImportError:
        raise ValueError("ONNX support needs the onnx package: pip install 'nnviz[onnx]'") from None
    return onnx


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


@dataclass
class _Layer:
    W: np.ndarray
    b: np.ndarray | None
    where: str
    act: str | None = None


class _Graph:
    """The graph's constants and the path through it."""

    def __init__(self, onnx, model, folder: Path | None):
        self.onnx, self.model, self.folder = onnx, model, folder
        g = model.graph
        self.nodes = list(g.node)
        self.inits = {t.name: t for t in g.initializer}
        self.constant_nodes = {n.output[0]: n for n in self.nodes if n.op_type == "Constant" and n.output}
        self.cache: dict[str, np.ndarray] = {}
        self.producers: dict[str, int] = {}
        for i, n in enumerate(self.nodes):
            for out in n.output:
                if out in self.producers or out in self.inits:
                    raise ValueError(f"the tensor {out!r} is computed twice; the graph is malformed")
                self.producers[out] = i
        inputs = [v.name for v in g.input if v.name not in self.inits]
        if len(inputs) != 1:
            raise ValueError(f"expected one graph input (the rows of features), found {len(inputs)}")
        self.input = inputs[0]
        self.class_names: tuple[str, ...] | None = None  # a classifier's classes, where the graph names them
        self.zipmap: str | None = None  # where the ZipMap that names them is
        self.output, ignored = self._followed_output()
        self.users: dict[str, list[int]] = {}
        for i, n in enumerate(self.nodes):
            if n.op_type == "Constant" or i in ignored:
                continue
            for name in dict.fromkeys(x for x in n.input if x):
                self.users.setdefault(name, []).append(i)

    # -- the outputs ------------------------------------------------------------
    def _followed_output(self) -> tuple[str, set[int]]:
        """The tensor the path ends at, and the nodes that only compute the outputs nnviz ignores.

        One graph output holds values (a float tensor, or ZipMap's sequence of maps of
        probabilities); the others, if any, must be labels (integers or strings), which a
        classifier derives from its probabilities.  A ZipMap at the end names the classes and is
        passed over: the path ends at its input."""
        outs = list(self.model.graph.output)
        values = [v for v in outs if not _is_label(v)]
        if len(values) != 1:
            names = ", ".join(repr(v.name) for v in outs)
            hint = ("; nnviz follows one output of values or probabilities and ignores outputs of labels (integers "
                    "or strings); for a classifier exported by skl2onnx with zipmap='columns' (one output per "
                    "class), export it with options={'zipmap': False}") if len(values) > 1 else ""
            raise ValueError(f"expected one graph output of values or probabilities, found {len(values)}"
                             + (f" ({names})" if outs else "") + hint)
        out = values[0].name
        ignored: set[int] = set()
        i = self.producers.get(out)
        if i is not None and self.nodes[i].op_type == "ZipMap":
            zipmap = self.nodes[i]
            where = f"node {i + 1} of {len(self.nodes)}"
            if zipmap.domain != "ai.onnx.ml" or len(zipmap.input) != 1 or not zipmap.input[0]:
                raise ValueError(f"a ZipMap at {where} that is not ONNX-ML's ZipMap of one tensor; the graph is "
                                 "malformed")
            attrs = {a.name: self.onnx.helper.get_attribute_value(a) for a in zipmap.attribute}
            labels = attrs.get("classlabels_strings", attrs.get("classlabels_int64s"))
            self.class_names = _label_names(labels or [])
            if self.class_names is None:
                raise ValueError(f"the ZipMap at {where} does not name its classes (distinct labels); the graph is "
                                 "malformed")
            self.zipmap = where
            out = zipmap.input[0]
            ignored.add(i)
        for v in outs:
            if v is not values[0]:
                ignored |= self._ancestors(v.name)
        ignored -= self._ancestors(out)
        if self.class_names is None:
            self.class_names = self._label_classes(out, ignored)
        return out, ignored

    def _ancestors(self, name: str) -> set[int]:
        """The nodes a tensor is computed from (itself included)."""
        seen: set[int] = set()
        todo = [name]
        while todo:
            i = self.producers.get(todo.pop())
            if i is not None and i not in seen:
                seen.add(i)
                todo.extend(x for x in self.nodes[i].input if x)
        return seen

    def _label_classes(self, out: str, ignored: set[int]) -> tuple[str, ...] | None:
        """The class names of a label output computed as classes[ArgMax(probabilities)] (skl2onnx's
        ArrayFeatureExtractor), or None."""
        for i in sorted(ignored):
            n = self.nodes[i]
            if n.op_type != "ArrayFeatureExtractor" or len(n.input) != 2 or not self.is_const(n.input[0]):
                continue
            arg = self.producers.get(n.input[1])
            if arg is None or self.nodes[arg].op_type != "ArgMax" or list(self.nodes[arg].input)[:1] != [out]:
                continue
            try:
                labels = self.const(n.input[0], "the class labels", _LABEL_TYPES)
            except ValueError:
                return None
            return _label_names(labels.ravel().tolist())
        return None

    # -- constants --------------------------------------------------------------
    def is_const(self, name: str) -> bool:
        return name in self.inits or name in self.constant_nodes

    def const(self, name: str, what: str, types: dict = _FLOAT_TYPES) -> np.ndarray:
        """A constant as an array (float64 for float types); ValueError if it is of another type."""
        key = f"{name}\0{sorted(types)}"
        if key not in self.cache:
            self.cache[key] = self._const(name, what, types)
        return self.cache[key]

    def _const(self, name: str, what: str, types: dict) -> np.ndarray:
        if not self.is_const(name):
            raise ValueError(f"{what} {name!r}: not a constant")
        if name in self.inits:
            return self._tensor(self.inits[name], what, types)
        node = self.constant_nodes[name]
        attrs = {a.name: a for a in node.attribute}
        if "value" in attrs:
            return self._tensor(attrs["value"].t, what, types)
        a = next(iter(attrs.values()), None)
        if a is not None and a.name in ("value_float", "value_floats") and types is _FLOAT_TYPES:
            return np.array(a.f if a.name == "value_float" else list(a.floats), dtype=np.float64)
        if a is not None and a.name in ("value_int", "value_ints") and types is _INT_TYPES:
            return np.array(a.i if a.name == "value_int" else list(a.ints), dtype=np.int64)
        raise ValueError(f"{what} {name!r}: a constant of a kind nnviz does not read")

    def _tensor(self, t, what: str, types: dict) -> np.ndarray:
        from onnx import numpy_helper

        dims = list(t.dims)
        if any(d < 0 for d in dims):
            raise ValueError(f"{what} {t.name!r}: a negative dimension; the file is malformed")
        numel = math.prod(dims)
        if numel > MAX_WEIGHTS:
            raise ValueError(f"{what} {t.name!r}: {numel:,} values; nnviz reads at most {MAX_WEIGHTS:,}")
        if t.data_type not in types:
            kind = self.onnx.TensorProto.DataType.Name(t.data_type) if t.data_type in \
                self.onnx.TensorProto.DataType.values() else str(t.data_type)
            names = list(types.values())
            expected = ", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else names[0]
            raise ValueError(f"{what} {t.name!r}: of type {kind}, expected {expected}")
        if t.data_location == self.onnx.TensorProto.EXTERNAL:
            copy = self.onnx.TensorProto()
            copy.CopyFrom(t)
            copy.raw_data = self._external(t, numel)
            copy.data_location = self.onnx.TensorProto.DEFAULT
            del copy.external_data[:]
            t = copy
        try:
            a = numpy_helper.to_array(t)
        except Exception as exc:  # the decoder's own errors, on a tensor whose data does not fit its shape
            raise ValueError(f"{what} {t.name!r}: malformed ({exc.__class__.__name__})") from None
        if a.shape != tuple(dims):
            raise ValueError(f"{what} {t.name!r}: malformed")
        return a.astype(np.float64) if types is _FLOAT_TYPES else a

    def _external(self, t, numel: int) -> bytes:
        """The bytes of a tensor kept in a side file, read only from inside the model's folder."""
        info = {e.key: e.value for e in t.external_data}
        where = info.get("location", "")
        if self.folder is None:
            raise ValueError(f"the weights {t.name!r} are in a side file ({where!r}); open the model from its file")
        itemsize = np.dtype(self.onnx.helper.tensor_dtype_to_np_dtype(t.data_type)).itemsize
        need = numel * itemsize
        try:
            offset, length = int(info.get("offset", "0")), int(info.get("length", str(need)))
            base = os.path.realpath(self.folder)
            target = os.path.realpath(os.path.join(base, where))
            inside = bool(where) and not os.path.isabs(where) and os.path.commonpath([base, target]) == base
        except ValueError:
            raise ValueError(f"the side-file entry of {t.name!r} is malformed") from None
        if not inside:
            raise ValueError(f"the weights {t.name!r} point to the side file {where!r}, outside the model's "
                             "folder; refused")
        if offset < 0 or length != need:
            raise ValueError(f"the side-file entry of {t.name!r} gives {length} bytes at offset {offset}; "
                             f"its shape needs {need}")
        try:
            if not stat.S_ISREG(os.stat(target).st_mode):
                raise ValueError(f"the side file {where!r} of {t.name!r} is not a regular file")
            with open(target, "rb") as fh:
                fh.seek(offset)
                data = fh.read(need)
        except FileNotFoundError:
            raise ValueError(f"the weights {t.name!r} are in the side file {where!r}, which is missing (it must "
                             "lie next to the model)") from None
        except OSError as exc:
            raise ValueError(f"cannot read the side file {where!r} ({exc.strerror})") from None
        if len(data) != need:
            raise ValueError(f"the side file {where!r} is too short for {t.name!r}")
        return data

    def inlined(self):
        """The model with the weights of side files in it, read as the path's are (for the checks)."""
        external = self.onnx.TensorProto.EXTERNAL
        if not any(t.data_location == external for t in self.model.graph.initializer):
            return self.model
        m = self.onnx.ModelProto()
        m.CopyFrom(self.model)
        for t in m.graph.initializer:
            if t.data_location == external:
                numel = math.prod(t.dims)
                if numel > MAX_WEIGHTS or t.data_type not in (*_FLOAT_TYPES, *_INT_TYPES, *_BOOL_TYPES):
                    raise ValueError(f"the tensor {t.name!r} in a side file is not one nnviz reads")
                t.raw_data = self._external(t, numel)
                t.data_location = self.onnx.TensorProto.DEFAULT
                del t.external_data[:]
        return m

    # -- the path -----------------------------------------------------------------
    def where(self, i: int, steps: list[Step]) -> str:
        n = self.nodes[i]
        layers = sum(s.kind == "layer" for s in steps)
        pos = f"after layer {layers}" if layers else "before the first layer"
        label = f"{n.op_type} {n.name!r}" if n.name else n.op_type
        return f"node {i + 1} of {len(self.nodes)} ({label}, {pos})"

    def path(self) -> list[Step]:
        steps: list[Step] = []
        t = self.input
        for _ in range(len(self.nodes) + 1):
            users = self.users.get(t, [])
            if t == self.output:
                if users:
                    raise self._branch(t, users, steps)
                return steps
            if not users:
                raise ValueError(f"the path from the input stops at the tensor {t!r}, before the output")
            if len(users) > 1:
                two = self._two_classes(t, users, steps)
                if two is None:
                    raise self._branch(t, users, steps)
                steps.append(two[0])
                t = two[1]
                continue
            i = users[0]
            steps.append(self._step(i, t, steps))
            t = self.nodes[i].output[0]
        raise ValueError("the graph has a cycle; it is malformed")

    def _two_classes(self, t: str, users: list[int], steps: list[Step]) -> tuple[Step, str] | None:
        """skl2onnx's probabilities of a binary classifier, Concat(1 - p, p) of its sigmoid output
        p (in either order), as a step and the Concat's output; None for any other pair of users."""
        if len(users) != 2:
            return None
        i_sub, i_cat = sorted(users, key=lambda i: self.nodes[i].op_type != "Sub")
        sub, cat = self.nodes[i_sub], self.nodes[i_cat]
        if (sub.op_type, cat.op_type) != ("Sub", "Concat") or sub.domain not in ("", "ai.onnx") \
                or cat.domain not in ("", "ai.onnx") or len(sub.input) != 2 or sub.input[1] != t \
                or not self.is_const(sub.input[0]) or not sub.output or not cat.output or not cat.output[0]:
            return None
        q = sub.output[0]
        if list(cat.input) not in ([q, t], [t, q]) or self.users.get(q) != [i_cat] or q == self.output:
            return None
        attrs = {a.name: self.onnx.helper.get_attribute_value(a) for a in cat.attribute}
        one = self.const(sub.input[0], "the constant")
        if attrs.get("axis") not in (1, -1) or one.size != 1 or one.ravel()[0] != 1.0:
            return None
        step = Step("two_classes", self.where(i_cat, steps), "Concat")
        step.p_first = list(cat.input)[0] == t
        return step, cat.output[0]

    def _branch(self, t: str, users: list[int], steps: list[Step]) -> ValueError:
        """A tensor used by two nodes: a SiLU (x * sigmoid(x)), a GELU written out with Erf, a
        shape computed from the data, or a skip connection."""
        if len(users) == 2:
            i_sig, i_mul = sorted(users, key=lambda i: self.nodes[i].op_type != "Sigmoid")
            sig, mul = self.nodes[i_sig], self.nodes[i_mul]
            if (sig.op_type, mul.op_type) == ("Sigmoid", "Mul") and sig.output and \
                    sorted(mul.input) == sorted([t, sig.output[0]]):
                return ValueError(f"unsupported activation SiLU (x * sigmoid(x)) at {self.where(i_sig, steps)}: "
                                  f"{WHAT_WE_READ}")
        seen: set[int] = set()
        todo = list(users)
        while todo and len(seen) < 50:
            i = todo.pop()
            if i in seen:
                continue
            seen.add(i)
            if self.nodes[i].op_type in ("Erf", "Gelu"):
                return ValueError(f"unsupported activation GELU (the Erf pattern) at {self.where(i, steps)}: "
                                  f"{WHAT_WE_READ}")
            for out in self.nodes[i].output:
                todo.extend(self.users.get(out, []))
        layers = sum(s.kind == "layer" for s in steps)
        pos = f"the output of layer {layers}" if layers and steps[-1].kind != "layer" else (
            f"after layer {layers}" if layers else "before the first layer")
        feeds = ", ".join(f"{self.nodes[i].op_type} at node {i + 1}" for i in users)
        if any(self.nodes[i].op_type == "Shape" for i in users):
            return ValueError(f"a shape computed from the data: the tensor {t!r} ({pos}) feeds {feeds}; nnviz "
                              "reads a Reshape only to a constant shape; " + WHAT_WE_READ)
        return ValueError(f"a skip connection: the tensor {t!r} ({pos}) feeds {len(users)} nodes ({feeds}) of "
                          f"{len(self.nodes)}; {WHAT_WE_READ}")

    def _step(self, i: int, t: str, steps: list[Step]) -> Step:
        n = self.nodes[i]
        op, where = n.op_type, self.where(i, steps)
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
            if name and name != t and not self.is_const(name):
                what = "a skip connection" if op == "Add" else f"{op} of two computed tensors"
                raise ValueError(f"{what} at {where}: {WHAT_WE_READ}")
        for out in n.output[1:]:
            if out and (self.users.get(out) or out == self.output):
                raise ValueError(f"{op} with its second output in use at {where}: {WHAT_WE_READ}")
        attrs = {a.name: self.onnx.helper.get_attribute_value(a) for a in n.attribute}
        step = Step("same", where, op)
        if op in ("Gemm", "MatMul", "BatchNormalization") and slot != 0:
            raise ValueError(f"{op} with the computed tensor as its input {slot + 1} at {where}: {WHAT_WE_READ}")
        if op == "Gemm":
            step.kind = "layer"
            if _int_attr(attrs, "transA", 0, where) != 0:
                raise ValueError(f"Gemm with transA = 1 at {where}: {WHAT_WE_READ}")
            B = self.const(self._arg(n, 1, "weights", where), "the weights")
            if B.ndim != 2:
                raise ValueError(f"the weights {n.input[1]!r} of {where} have {B.ndim} dimension(s), expected 2")
            W = B.T if _int_attr(attrs, "transB", 0, where) else B
            with np.errstate(all="ignore"):
                step.W = W * _float_attr(attrs, "alpha", 1.0, where)
                if len(n.input) > 2 and n.input[2]:
                    C = self.const(n.input[2], "the bias")
                    if C.shape not in ((W.shape[1],), (1, W.shape[1]), (), (1,)):
                        raise ValueError(f"the bias {n.input[2]!r} of {where} has shape {C.shape}, expected "
                                         f"({W.shape[1]},) or (1, {W.shape[1]})")
                    step.b = np.broadcast_to(C, (1, W.shape[1])).reshape(W.shape[1]) * _float_attr(
                        attrs, "beta", 1.0, where)
        elif op == "MatMul":
            step.kind = "layer"
            step.W = self.const(self._arg(n, 1, "weights", where), "the weights")
            if step.W.ndim != 2:
                raise ValueError(f"the weights {n.input[1]!r} of {where} have {step.W.ndim} dimension(s), "
                                 "expected 2")
        elif op in AFFINE:
            if len(n.input) != 2:
                raise ValueError(f"{where} has {len(n.input)} inputs, not 2; the graph is malformed")
            c = self.const(self._arg(n, 1 - slot, "second operand", where), "the constant")
            kind = {"Add": "add", "Mul": "mul", "Sub": "sub" if slot == 0 else "rsub", "Div": "div"}[op]
            if op == "Div" and slot == 1:
                raise ValueError(f"a division by the computed tensor at {where}: {WHAT_WE_READ}")
            step.kind, step.ops = "affine", [(kind, c)]
        elif op == "Scaler":  # ONNX-ML's (x - offset) * scale, skl2onnx's StandardScaler
            if len(n.input) != 1:
                raise ValueError(f"{where} has {len(n.input)} inputs, not 1; the graph is malformed")
            offset, scale = (_floats_attr(attrs, name, default, where) for name, default in (("offset", 0.0),
                                                                                             ("scale", 1.0)))
            step.kind, step.ops = "affine", [("sub", offset), ("mul", scale)]
        elif op == "BatchNormalization":
            if _int_attr(attrs, "training_mode", 0, where):
                raise ValueError(f"BatchNormalization in training mode at {where}: {WHAT_WE_READ}")
            scale, bias, mean, var = (self.const(self._arg(n, k, "constants", where), "the batch normalisation "
                                                 "constant") for k in range(1, 5))
            eps = _float_attr(attrs, "epsilon", 1e-5, where)
            with np.errstate(all="ignore"):
                sd = np.sqrt(var + eps)
            if not (np.isfinite(sd).all() and (sd > 0).all()):
                raise ValueError(f"the variances of {where} are not positive")
            step.kind, step.ops = "affine", [("sub", mean), ("div", sd), ("mul", scale), ("add", bias)]
        elif op in ACTIVATIONS:
            if op == "Softmax":
                axis = _int_attr(attrs, "axis", -1 if self._opset() >= 13 else 1, where)
                if axis not in (-1, 1):
                    raise ValueError(f"Softmax over axis {axis} at {where}: nnviz's softmax runs over a row's outputs")
            step.kind, step.act = "act", ACTIVATIONS[op]
        elif op == "Cast":
            to = _int_attr(attrs, "to", 0, where)
            if to not in (1, 11):
                raise ValueError(f"a Cast to a type other than FLOAT or DOUBLE at {where} changes values")
        elif op == "Flatten":
            if _int_attr(attrs, "axis", 1, where) != 1:
                raise ValueError(f"a Flatten that mixes rows at {where}: {WHAT_WE_READ}")
        elif op == "Reshape":
            shape = self.const(self._arg(n, 1, "shape", where), "the shape", _INT_TYPES).ravel().tolist()
            if len(shape) != 2 or shape[0] not in (-1, 0) or shape[1] < -1 or shape == [-1, -1]:
                raise ValueError(f"a Reshape to {shape} at {where}: nnviz keeps one row per observation")
            step.width = shape[1] if shape[1] > 0 else None
        elif (op == "Dropout" and len(n.input) > 2 and n.input[2]
              and self.const(n.input[2], "the training flag", _BOOL_TYPES).any()):
                raise ValueError(f"Dropout in training mode at {where}: {WHAT_WE_READ}")
        return step

    @staticmethod
    def _arg(n, k: int, what: str, where: str) -> str:
        """The name of a node's k-th input, which must be given."""
        if len(n.input) <= k or not n.input[k]:
            raise ValueError(f"{where} lacks its {what}; the graph is malformed")
        return n.input[k]

    def _opset(self) -> int:
        return next((o.version for o in self.model.opset_import if o.domain in ("", "ai.onnx")), 1)


def _is_label(v) -> bool:
    """A graph output of labels (a tensor of integers, strings or booleans), or of no values
    nnviz reads, rather than a tensor of numbers or ZipMap's maps."""
    t = v.type
    if t.HasField("tensor_type"):
        return t.tensor_type.elem_type not in _VALUE_TYPES
    return False


def _label_names(labels: list) -> tuple[str, ...] | None:
    """Class labels (numbers or bytes) as distinct, non-empty names; None otherwise."""
    names = tuple(x.decode("utf-8", "replace") if isinstance(x, bytes) else str(x) for x in labels)
    if not names or len(set(names)) != len(names) or not all(n.strip() for n in names):
        return None
    return names


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


def _vector(c: np.ndarray, n: int, where: str) -> np.ndarray:
    """A constant that is one number, or one per column (shape (n,) or (1, n)), as (n,)."""
    if c.shape not in ((), (1,), (n,), (1, n), (1, 1)):
        raise ValueError(f"a constant of shape {c.shape} at {where}, where the rows have {n} columns")
    return np.broadcast_to(c.reshape(-1) if c.ndim else c, (n,)).astype(np.float64)


def _into_columns(layer: _Layer, kind: str, c: np.ndarray, where: str) -> None:
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


def _into_rows(layer: _Layer, kind: str, c: np.ndarray, where: str) -> None:
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


def _input_scaling(ops: list, p: int) -> tuple[np.ndarray, np.ndarray]:
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


def _output_scaling(ops: list, k: int) -> tuple[np.ndarray, np.ndarray]:
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


def layers_from(steps: list[Step]) -> tuple[list[_Layer], list, list, list[str]]:
    """The layers, the input scaling ops and the output scaling ops of a path, and notes on
    what was composed (layers without an activation between them, a binary classifier's two
    probabilities)."""
    layers: list[_Layer] = []
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
            layer = _Layer(s.W, s.b, s.where)
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


def _two_classes(last: _Layer | None, s: Step) -> str:
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


def _compose(layers: list[_Layer]) -> tuple[list[_Layer], list[str]]:
    """A layer without activation (identity) and the layer after it as one layer:
    (x W1 + b1) W2 + b2 = x (W1 W2) + (b1 W2 + b2).  Returns the layers and a note per composition."""
    out: list[_Layer] = []
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
        out[-1] = _Layer(P.W @ L.W, None if b is None else np.asarray(b, dtype=np.float64), P.where, L.act)
    return out, notes


def _refuse_features(m) -> None:
    """nnviz's own graphs of models with input features (x1^2, sin(x1), ...) are not read back:
    one line that says so, and where the same model can be read."""
    meta = {p.key: p.value for p in m.metadata_props}
    try:
        doc = parse_json(meta["nnviz"]) if "nnviz" in meta else None
    except ValueError:
        return  # the metadata is checked, and refused in its own words, further on
    if isinstance(doc, dict) and doc.get("features"):
        features = doc["features"] if isinstance(doc["features"], list) else []
        raise ValueError(f"this ONNX model computes input features ({', '.join(map(str, features))}) in its graph, "
                         "which nnviz does not import: open the model's .json or .npz file instead")


def graph_model(onnx, m, folder: Path | None) -> Model:
    """The Model of a parsed ONNX graph (see the module's docstring)."""
    _refuse_features(m)
    g = _Graph(onnx, m, folder)
    check_opset(onnx, m)
    with np.errstate(all="ignore"):  # overflow shows as non-finite weights, refused below
        layers, before, after, notes = layers_from(g.path())
        p, k = layers[0].W.shape[0], layers[-1].W.shape[1]
        x_center, x_scale = _input_scaling(before, p)
        y_center, y_scale = _output_scaling(after, k)
        weights = [np.vstack([np.zeros(L.W.shape[1]) if L.b is None else L.b, L.W]) for L in layers]
    for li, W in enumerate(weights, start=1):
        if not np.isfinite(W).all():
            raise ValueError(f"the weights of layer {li} contain NaN or infinite values")
    for name, v in (("input", x_center), ("input", x_scale), ("output", y_center), ("output", y_scale)):
        if not np.isfinite(v).all():
            raise ValueError(f"the {name} scaling contains NaN or infinite values")
    if (x_scale == 0).any() or (y_scale == 0).any():
        raise ValueError("a scaling multiplies by zero")
    acts: list[str] = [L.act or "" for L in layers]
    for li, (L, act) in enumerate(zip(layers[:-1], acts[:-1], strict=True), start=1):
        if not act:
            raise ValueError(f"layer {li} ({L.where}) has no activation; {WHAT_WE_READ}")
        if act not in HIDDEN_ACTIVATIONS:
            raise ValueError(f"layer {li} ({L.where}) has a {act} activation; nnviz's hidden layers use "
                             f"{', '.join(HIDDEN_ACTIVATIONS)}")
    out = acts[-1] or "linear"
    if out not in OUTPUT_ACTIVATIONS:
        raise ValueError(f"the output layer ({layers[-1].where}) has a {out} activation; nnviz's outputs use "
                         f"{', '.join(OUTPUT_ACTIVATIONS)}")
    scaling = Scaling(x_center, x_scale, y_center, y_scale)
    hidden = tuple(W.shape[1] for W in weights[:-1])
    if g.zipmap is not None and g.class_names is not None and (out != "softmax" or len(g.class_names) != k):
        raise ValueError(f"the ZipMap at {g.zipmap} names {len(g.class_names)} classes, the network gives {k} "
                         f"{out} outputs")
    meta = {p.key: p.value for p in m.metadata_props}
    if "nnviz" in meta:
        model = _with_metadata(meta["nnviz"], weights, scaling, hidden, tuple(acts[:-1]), out)
    else:
        arch = Architecture(p, hidden, k, tuple(acts[:-1]), out, "ce" if out == "softmax" else "sse")
        task = {"softmax": "classes", "sigmoid": "binary", "linear": "regression"}[out]
        names_in = tuple(f"x{j + 1}" for j in range(p))
        names_out = tuple(f"class {j + 1}" if task == "classes" else f"y{j + 1}" for j in range(k))
        if task == "classes" and g.class_names is not None and len(g.class_names) == k:
            names_out = g.class_names
        training: dict = {"imported_from": "onnx", "producer": str(m.producer_name)}
        if notes:
            training["import_notes"] = notes
        model = Model(Network.from_weights(arch, weights), scaling, names_in, names_out, task, (), training)
    check_runs(g.inlined())
    return model


def _with_metadata(text: str, weights, scaling: Scaling, hidden, acts, out) -> Model:
    """The graph's network with the names, task and training record of nnviz's metadata, which
    must describe the same network."""
    try:
        doc = parse_json(text)
        if not isinstance(doc, dict):
            raise ValueError("not a JSON object")
        model = model_from_dict({**doc, "weights": weights})
    except ValueError as exc:
        raise ValueError(f"the nnviz metadata: {exc}") from None
    arch = model.arch
    if (arch.hidden, arch.activations, arch.output_activation) != (hidden, acts, out):
        raise ValueError(f"the nnviz metadata describes a {arch.describe()} network with "
                         f"{', '.join(arch.layer_activations)}, the graph another")
    sc = model.scaling
    for mine, theirs in zip((sc.x_center, sc.x_scale, sc.y_center, sc.y_scale),
                            (scaling.x_center, scaling.x_scale, scaling.y_center, scaling.y_scale), strict=True):
        if not np.allclose(mine, theirs, rtol=1e-6, atol=0):
            raise ValueError("the nnviz metadata's scaling differs from the graph's")
    return replace(model, scaling=scaling)


def from_onnx(raw: bytes, folder: Path | None = None) -> Model:
    """A Model from a serialized ONNX graph; side-file weights are read from ``folder`` only."""
    onnx = require_onnx()
    m = onnx.ModelProto()
    try:
        m.ParseFromString(raw)
    except Exception as exc:  # protobuf raises its own DecodeError (and others on odd input)
        raise ValueError(f"not a readable ONNX file ({exc.__class__.__name__})") from None
    return graph_model(onnx, m, folder)
