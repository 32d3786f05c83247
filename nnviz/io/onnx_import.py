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

The reading is shared out by concern: ``onnx_constants`` (the tensors and constants,
inline or in a side file), ``onnx_wiring`` (who computes and uses each tensor, the followed
output), ``onnx_nodes`` (a node as a ``Step``), ``onnx_path`` (the walk from the input to the
output) and ``onnx_layers`` (steps as layers and scalings: folds, compositions); this module
checks the result against nnviz's networks and makes the Model.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from ..core.activations import HIDDEN_ACTIVATIONS, OUTPUT_ACTIVATIONS
from ..core.data import Scaling
from ..core.model import Model
from ..core.network import Architecture, Network
from .document import model_from_dict, parse_json
from .onnx_check import check_opset, check_runs
from .onnx_constants import Constants
from .onnx_layers import input_scaling, layers_from, output_scaling
from .onnx_nodes import ACTIVATIONS, AFFINE, KNOWN, SAME, WHAT_WE_READ, NodeReader, Step
from .onnx_path import PathWalker
from .onnx_wiring import Wiring

__all__ = ["ACTIVATIONS", "AFFINE", "KNOWN", "SAME", "WHAT_WE_READ", "Step", "from_onnx", "graph_model", "layers_from",
           "require_onnx"]


def require_onnx():
    """The onnx module; ValueError if it is not installed."""
    try:
        import onnx
    except ImportError:
        raise ValueError("ONNX support needs the onnx package: pip install 'nnviz[onnx]'") from None
    return onnx


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
    constants = Constants(onnx, m, folder)
    wiring = Wiring(onnx, m, constants)
    check_opset(onnx, m)
    walker = PathWalker(onnx, wiring, constants, NodeReader(onnx, wiring, constants))
    with np.errstate(all="ignore"):  # overflow shows as non-finite weights, refused below
        layers, before, after, notes = layers_from(walker.path())
        p, k = layers[0].W.shape[0], layers[-1].W.shape[1]
        x_center, x_scale = input_scaling(before, p)
        y_center, y_scale = output_scaling(after, k)
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
    classes = wiring.class_names
    if wiring.zipmap is not None and classes is not None and (out != "softmax" or len(classes) != k):
        raise ValueError(f"the ZipMap at {wiring.zipmap} names {len(classes)} classes, the network gives {k} "
                         f"{out} outputs")
    meta = {p.key: p.value for p in m.metadata_props}
    if "nnviz" in meta:
        model = _with_metadata(meta["nnviz"], weights, scaling, hidden, tuple(acts[:-1]), out)
    else:
        arch = Architecture(p, hidden, k, tuple(acts[:-1]), out, "ce" if out == "softmax" else "sse")
        task = {"softmax": "classes", "sigmoid": "binary", "linear": "regression"}[out]
        names_in = tuple(f"x{j + 1}" for j in range(p))
        names_out = tuple(f"class {j + 1}" if task == "classes" else f"y{j + 1}" for j in range(k))
        if task == "classes" and classes is not None and len(classes) == k:
            names_out = classes
        training: dict = {"imported_from": "onnx", "producer": str(m.producer_name)}
        if notes:
            training["import_notes"] = notes
        model = Model(Network.from_weights(arch, weights), scaling, names_in, names_out, task, (), training)
    check_runs(constants.inlined())
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
