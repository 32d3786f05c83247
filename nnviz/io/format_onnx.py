"""The ONNX model format (the optional extra ``nnviz[onnx]``).

Export writes a standard graph in double precision: the input features of a two-input
model (Gather of each raw column, Mul for squares and x1*x2, Sin, then Concat), the input
standardisation (Sub, Div), then per layer MatMul + Add and the activation (Sigmoid, Tanh,
Relu, Softmax, or Identity for a linear output), then the target scaling (Mul,
Add), so raw feature rows go straight in and outputs come out in the targets'
units.  nnviz's metadata rides along in ``metadata_props`` for a full round trip.

Import (onnx_import.py) reads such graphs and multilayer perceptrons made elsewhere.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..core.model import Model
from .document import model_to_dict
from .onnx_import import from_onnx, require_onnx

__all__ = ["EXTENSION", "ORDER", "available", "from_onnx", "load_bytes", "save_bytes", "to_onnx"]

EXTENSION = ".onnx"
ORDER = 4  # its place in the list of formats

OPSET = 17
_ACT_OPS = {"sigmoid": "Sigmoid", "tanh": "Tanh", "relu": "Relu", "softmax": "Softmax"}


def to_onnx(model: Model) -> bytes:
    """The model as a serialized ONNX graph (float64 throughout)."""
    onnx = require_onnx()
    from onnx import TensorProto, helper, numpy_helper

    meta = model_to_dict(model)
    meta.pop("weights")
    sc = model.scaling
    inits = [numpy_helper.from_array(np.asarray(sc.x_center, dtype=np.float64), "x_center"),
             numpy_helper.from_array(np.asarray(sc.x_scale, dtype=np.float64), "x_scale")]
    nodes, x = [], "input"
    if sc.features:
        f_inits, f_nodes = _feature_nodes(helper, numpy_helper, sc.features)
        inits += f_inits
        nodes += f_nodes
        x = "features"
    nodes += [helper.make_node("Sub", [x, "x_center"], ["x_centred"]),
              helper.make_node("Div", ["x_centred", "x_scale"], ["h0"])]
    h = "h0"
    for li, (W, act) in enumerate(zip(model.network.weights, model.arch.layer_activations, strict=True), start=1):
        inits += [numpy_helper.from_array(np.ascontiguousarray(W[1:], dtype=np.float64), f"W{li}"),
                  numpy_helper.from_array(np.ascontiguousarray(W[0], dtype=np.float64), f"b{li}")]
        nodes += [helper.make_node("MatMul", [h, f"W{li}"], [f"xw{li}"]),
                  helper.make_node("Add", [f"xw{li}", f"b{li}"], [f"a{li}"])]
        h = f"h{li}"
        if act == "linear":
            nodes.append(helper.make_node("Identity", [f"a{li}"], [h]))
        elif act == "softmax":
            nodes.append(helper.make_node("Softmax", [f"a{li}"], [h], axis=-1))
        else:
            nodes.append(helper.make_node(_ACT_OPS[act], [f"a{li}"], [h]))
    inits += [numpy_helper.from_array(np.asarray(sc.y_scale, dtype=np.float64), "y_scale"),
              numpy_helper.from_array(np.asarray(sc.y_center, dtype=np.float64), "y_center")]
    nodes += [helper.make_node("Mul", [h, "y_scale"], ["y_scaled"]),
              helper.make_node("Add", ["y_scaled", "y_center"], ["output"])]
    p, k = len(model.input_names), model.arch.n_outputs
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


def _feature_nodes(helper, numpy_helper, features: tuple[str, ...]) -> tuple[list, list]:
    """Initialisers and nodes that turn the raw (N, 2) 'input' into the (N, k) 'features'
    with the formulas of core/features.py (x1 and x2 as (N, 1) columns)."""
    inits = [numpy_helper.from_array(np.array([0], dtype=np.int64), "col_1"),
             numpy_helper.from_array(np.array([1], dtype=np.int64), "col_2")]
    nodes = [helper.make_node("Gather", ["input", "col_1"], ["x1"], axis=1),
             helper.make_node("Gather", ["input", "col_2"], ["x2"], axis=1)]
    ops = {"x1^2": ("Mul", ["x1", "x1"]), "x2^2": ("Mul", ["x2", "x2"]), "x1*x2": ("Mul", ["x1", "x2"]),
           "sin(x1)": ("Sin", ["x1"]), "sin(x2)": ("Sin", ["x2"])}
    columns = []
    for j, f in enumerate(features, start=1):
        if f in ("x1", "x2"):
            columns.append(f)
            continue
        op, args = ops[f]
        nodes.append(helper.make_node(op, args, [f"feature{j}"]))
        columns.append(f"feature{j}")
    nodes.append(helper.make_node("Concat", columns, ["features"], axis=1))
    return inits, nodes


def available() -> None:
    """ValueError unless the onnx package is installed."""
    require_onnx()


def save_bytes(model: Model) -> bytes:
    return to_onnx(model)


def load_bytes(raw: bytes, path: Path) -> Model:
    return from_onnx(raw, Path(path).parent)
