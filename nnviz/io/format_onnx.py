"""ONNX export and import of multilayer perceptrons (the optional extra ``nnviz[onnx]``).

Export writes a standard graph in double precision: the input standardisation
(Sub, Div), then per layer MatMul + Add and the activation (Sigmoid, Tanh,
Relu, Softmax, or nothing for a linear output), then the target scaling (Mul,
Add), so raw feature rows go straight in and outputs come out in the targets'
units.  nnviz's metadata rides along in ``metadata_props`` for a full round trip.

Import reads graphs made of those operators, and of Gemm (as PyTorch exports
``nn.Linear``), so a network trained elsewhere can be opened in nnviz.  Without
nnviz metadata the inputs are called x1.., the outputs y1.., and the task
follows the output activation (softmax: classes, sigmoid: binary, none: regression).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..core.data import Scaling
from ..core.model import Model
from ..core.network import Architecture, Network
from .document import model_from_dict, model_to_dict

EXTENSION = ".onnx"
ORDER = 4  # its place in the list of formats

OPSET = 17
_ACT_OPS = {"sigmoid": "Sigmoid", "tanh": "Tanh", "relu": "Relu", "softmax": "Softmax"}
_OPS_ACT = {v: k for k, v in _ACT_OPS.items()}


def _onnx():
    try:
        import onnx
    except ImportError:
        raise ValueError("ONNX support needs the onnx package: pip install 'nnviz[onnx]'") from None
    return onnx


def to_onnx(model: Model) -> bytes:
    """The model as a serialized ONNX graph (float64 throughout)."""
    onnx = _onnx()
    from onnx import TensorProto, helper, numpy_helper

    meta = model_to_dict(model)
    meta.pop("weights")
    sc = model.scaling
    inits = [numpy_helper.from_array(np.asarray(sc.x_center, dtype=np.float64), "x_center"),
             numpy_helper.from_array(np.asarray(sc.x_scale, dtype=np.float64), "x_scale")]
    nodes = [helper.make_node("Sub", ["input", "x_center"], ["x_centred"]),
             helper.make_node("Div", ["x_centred", "x_scale"], ["h0"])]
    h = "h0"
    for l, (W, act) in enumerate(zip(model.network.weights, model.arch.layer_activations), start=1):
        inits += [numpy_helper.from_array(np.ascontiguousarray(W[1:], dtype=np.float64), f"W{l}"),
                  numpy_helper.from_array(np.ascontiguousarray(W[0], dtype=np.float64), f"b{l}")]
        nodes += [helper.make_node("MatMul", [h, f"W{l}"], [f"xw{l}"]),
                  helper.make_node("Add", [f"xw{l}", f"b{l}"], [f"a{l}"])]
        h = f"h{l}"
        if act == "linear":
            nodes.append(helper.make_node("Identity", [f"a{l}"], [h]))
        elif act == "softmax":
            nodes.append(helper.make_node("Softmax", [f"a{l}"], [h], axis=-1))
        else:
            nodes.append(helper.make_node(_ACT_OPS[act], [f"a{l}"], [h]))
    inits += [numpy_helper.from_array(np.asarray(sc.y_scale, dtype=np.float64), "y_scale"),
              numpy_helper.from_array(np.asarray(sc.y_center, dtype=np.float64), "y_center")]
    nodes += [helper.make_node("Mul", [h, "y_scale"], ["y_scaled"]),
              helper.make_node("Add", ["y_scaled", "y_center"], ["output"])]
    p, k = model.arch.n_inputs, model.arch.n_outputs
    graph = helper.make_graph(
        nodes, "nnviz_mlp",
        [helper.make_tensor_value_info("input", TensorProto.DOUBLE, ["N", p])],
        [helper.make_tensor_value_info("output", TensorProto.DOUBLE, ["N", k])],
        initializer=inits)
    m = helper.make_model(graph, producer_name="nnviz", opset_imports=[helper.make_opsetid("", OPSET)])
    m.ir_version = 8
    helper.set_model_props(m, {"nnviz": json.dumps(meta)})
    onnx.checker.check_model(m)
    return m.SerializeToString()


def available() -> None:
    """ValueError unless the onnx package is installed."""
    _onnx()


def save_bytes(model: Model) -> bytes:
    return to_onnx(model)


def load_bytes(raw: bytes, path: Path) -> Model:
    return from_onnx(raw)


def from_onnx(raw: bytes) -> Model:
    """A Model from an ONNX MLP graph (see module doc); ValueError if it is something else."""
    onnx = _onnx()
    from onnx import numpy_helper

    try:
        m = onnx.load_from_string(raw)
    except Exception as exc:  # protobuf raises its own DecodeError
        raise ValueError(f"not a readable ONNX file ({exc.__class__.__name__})") from None
    g = m.graph
    if len(g.input) < 1 or len(g.output) != 1:
        raise ValueError("expected one input and one output")
    inits = {t.name: numpy_helper.to_array(t).astype(np.float64) for t in g.initializer}
    for n in g.node:  # PyTorch sometimes stores constants as Constant nodes
        if n.op_type == "Constant":
            for a in n.attribute:
                if a.name == "value":
                    inits[n.output[0]] = numpy_helper.to_array(a.t).astype(np.float64)
    nodes = [n for n in g.node if n.op_type != "Constant"]
    x_center = x_scale = None
    y_scale = y_center = None
    weights, acts = [], []
    pending = None  # (matrix with bias row) waiting for its activation
    i = 0

    def const(name):
        if name not in inits:
            raise ValueError(f"node input {name!r} is not a constant")
        return inits[name]

    def data_and_const(node):
        a, b = node.input[0], node.input[1]
        if a in inits and b not in inits:
            a, b = b, a
        return a, const(b)

    def close_layer(act):
        nonlocal pending
        weights.append(pending)
        acts.append(act)
        pending = None

    while i < len(nodes):
        n = nodes[i]
        op = n.op_type
        if op == "Sub" and not weights and pending is None:
            _, x_center = data_and_const(n)
        elif op == "Div" and not weights and pending is None:
            _, x_scale = data_and_const(n)
        elif op == "MatMul":
            if pending is not None:
                close_layer("linear")
            _, W = data_and_const(n)
            bias = np.zeros(W.shape[1])
            if i + 1 < len(nodes) and nodes[i + 1].op_type == "Add" and n.output[0] in nodes[i + 1].input:
                _, bias = data_and_const(nodes[i + 1])
                i += 1
            pending = np.vstack([np.broadcast_to(bias, (W.shape[1],)), W])
        elif op == "Gemm":
            if pending is not None:
                close_layer("linear")
            attrs = {a.name: onnx.helper.get_attribute_value(a) for a in n.attribute}
            if attrs.get("transA", 0):
                raise ValueError("Gemm with transA is not a multilayer perceptron layer")
            W = const(n.input[1])
            if attrs.get("transB", 0):
                W = W.T
            W = W * attrs.get("alpha", 1.0)
            bias = const(n.input[2]) * attrs.get("beta", 1.0) if len(n.input) > 2 and n.input[2] else np.zeros(W.shape[1])
            pending = np.vstack([np.broadcast_to(bias, (W.shape[1],)), W])
        elif op in _OPS_ACT or op == "Identity":
            if pending is None:
                raise ValueError(f"{op} without a layer before it")
            close_layer(_OPS_ACT.get(op, "linear"))
        elif op == "Mul" and (weights or pending is not None):
            if pending is not None:
                close_layer("linear")
            _, y_scale = data_and_const(n)
        elif op == "Add" and (weights or pending is not None) and y_scale is not None:
            _, y_center = data_and_const(n)
        elif op in ("Flatten", "Reshape", "Cast") and not weights and pending is None:
            pass  # input plumbing
        else:
            raise ValueError(f"unsupported operator {op} (nnviz reads MatMul/Add/Gemm layers with "
                             "Sigmoid, Tanh, Relu or Softmax activations)")
        i += 1
    if pending is not None:
        close_layer("linear")
    if not weights:
        raise ValueError("no MatMul or Gemm layer found")
    for l in range(1, len(weights)):
        if weights[l].shape[0] != weights[l - 1].shape[1] + 1:
            raise ValueError(f"layer {l + 1} takes {weights[l].shape[0] - 1} inputs, layer {l} gives "
                             f"{weights[l - 1].shape[1]}")
    hidden_acts = acts[:-1]
    for a in hidden_acts:
        if a not in ("sigmoid", "tanh", "relu"):
            raise ValueError(f"a hidden layer with a {a} activation is not supported")
    out_act = acts[-1]
    if out_act not in ("sigmoid", "linear", "softmax"):
        raise ValueError(f"an output layer with a {out_act} activation is not supported")
    meta = {p.key: p.value for p in m.metadata_props}
    doc = None
    if "nnviz" in meta:
        try:
            doc = json.loads(meta["nnviz"])
        except json.JSONDecodeError:
            doc = None
    p, k = weights[0].shape[0] - 1, weights[-1].shape[1]
    if doc is not None:
        doc["weights"] = weights
        return model_from_dict(doc)
    loss = "ce" if out_act == "softmax" else "sse"
    arch = Architecture(p, tuple(W.shape[1] for W in weights[:-1]), k, tuple(hidden_acts), out_act, loss)
    task = {"softmax": "classes", "sigmoid": "binary", "linear": "regression"}[out_act]
    scaling = Scaling(
        np.zeros(p) if x_center is None else np.broadcast_to(x_center, (p,)).astype(float),
        np.ones(p) if x_scale is None else np.broadcast_to(x_scale, (p,)).astype(float),
        np.zeros(k) if y_center is None else np.broadcast_to(y_center, (k,)).astype(float),
        np.ones(k) if y_scale is None else np.broadcast_to(y_scale, (k,)).astype(float))
    for name, v in (("weights", np.concatenate([W.ravel() for W in weights])), ("scaling", scaling.x_scale)):
        if not np.isfinite(v).all():
            raise ValueError(f"the {name} contain NaN or infinite values")
    names_in = tuple(f"x{j + 1}" for j in range(p))
    names_out = tuple(f"class {j + 1}" if task == "classes" else f"y{j + 1}" for j in range(k))
    return Model(Network.from_weights(arch, [np.array(W) for W in weights]), scaling, names_in, names_out, task,
                 (), {"imported_from": "onnx", "producer": m.producer_name})
