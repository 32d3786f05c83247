"""The path through an ONNX graph: from its one input to the output nnviz follows, node by node.

The graph is followed through each node's inputs (not in the order the file lists the
nodes); each node on the way becomes a ``Step`` (``onnx_nodes``).  A tensor used by two
nodes is a skl2onnx binary classifier's Concat(1 - p, p) of its sigmoid output, which is
read as one step, or is refused, naming what it is: a SiLU (x * sigmoid(x)), a GELU
written out with Erf, a shape computed from the data, or a skip connection.
"""

from __future__ import annotations

from .onnx_constants import Constants
from .onnx_nodes import WHAT_WE_READ, NodeReader, Step
from .onnx_wiring import Wiring


class PathWalker:
    """Walks one graph's path with its wiring, its constants and a reader of its nodes."""

    def __init__(self, onnx, wiring: Wiring, constants: Constants, reader: NodeReader):
        self.onnx, self.wiring, self.constants, self.reader = onnx, wiring, constants, reader
        self.nodes, self.users = wiring.nodes, wiring.users

    def where(self, i: int, steps: list[Step]) -> str:
        """Node ``i`` as errors name it: its place, operator, name and the layers before it."""
        n = self.nodes[i]
        layers = sum(s.kind == "layer" for s in steps)
        pos = f"after layer {layers}" if layers else "before the first layer"
        label = f"{n.op_type} {n.name!r}" if n.name else n.op_type
        return f"node {i + 1} of {len(self.nodes)} ({label}, {pos})"

    def path(self) -> list[Step]:
        """The steps from the input to the followed output."""
        steps: list[Step] = []
        t = self.wiring.input
        for _ in range(len(self.nodes) + 1):
            users = self.users.get(t, [])
            if t == self.wiring.output:
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
            steps.append(self.reader.step(i, t, self.where(i, steps)))
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
                or not self.constants.is_const(sub.input[0]) or not sub.output or not cat.output or not cat.output[0]:
            return None
        q = sub.output[0]
        if list(cat.input) not in ([q, t], [t, q]) or self.users.get(q) != [i_cat] or q == self.wiring.output:
            return None
        attrs = {a.name: self.onnx.helper.get_attribute_value(a) for a in cat.attribute}
        one = self.constants.const(sub.input[0], "the constant")
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
