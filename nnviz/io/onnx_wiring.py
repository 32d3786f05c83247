"""An ONNX graph's wiring: which node computes each tensor and which use it, from the one input
to the one output nnviz follows.

One graph output holds values (a float tensor, or ZipMap's sequence of maps of
probabilities); the others, if any, must be labels (integers or strings), which a classifier
derives from its probabilities: their nodes are ignored.  A ZipMap at the end names the
classes and is passed over; else the label branch's ArrayFeatureExtractor may name them.
Left out: reading the nodes on the path (``onnx_nodes``, ``onnx_path``).
"""

from __future__ import annotations

from .onnx_constants import Constants

_LABEL_TYPES = {6: "INT32", 7: "INT64", 8: "STRING"}
_VALUE_TYPES = (0, 1, 10, 11, 16)  # an output of values: UNDEFINED, FLOAT, FLOAT16, DOUBLE, BFLOAT16


class Wiring:
    """The graph's nodes, who computes and who uses each tensor, its input and the followed output."""

    def __init__(self, onnx, model, constants: Constants):
        self.onnx, self.model, self.constants = onnx, model, constants
        g = model.graph
        self.nodes = list(g.node)
        self.producers: dict[str, int] = {}
        for i, n in enumerate(self.nodes):
            for out in n.output:
                if out in self.producers or out in constants.inits:
                    raise ValueError(f"the tensor {out!r} is computed twice; the graph is malformed")
                self.producers[out] = i
        inputs = [v.name for v in g.input if v.name not in constants.inits]
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
            if n.op_type != "ArrayFeatureExtractor" or len(n.input) != 2 or not self.constants.is_const(n.input[0]):
                continue
            arg = self.producers.get(n.input[1])
            if arg is None or self.nodes[arg].op_type != "ArgMax" or list(self.nodes[arg].input)[:1] != [out]:
                continue
            try:
                labels = self.constants.const(n.input[0], "the class labels", _LABEL_TYPES)
            except ValueError:
                return None
            return _label_names(labels.ravel().tolist())
        return None


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
