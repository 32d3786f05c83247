"""ONNX models from elsewhere: real PyTorch exports (tests/data/onnx, made by make_fixtures.py
there; torch is not needed here) and hand-built graphs.  Accepted graphs must predict what
PyTorch (and onnxruntime, where installed) computed; everything else is refused in one line
that names the operator and where it is."""

import shutil
from pathlib import Path

import numpy as np
import pytest

from nnviz import cli
from nnviz import io as nnio
from nnviz.core.experiment import Experiment, Settings

onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

from nnviz.io.onnx_import import from_onnx  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "data" / "onnx"
EXPECTED = np.load(DATA / "expected.npz")

READ = {  # fixture: (architecture, activations, task)
    "sigmoid_stack": ("4-6-5-3", ("sigmoid", "sigmoid", "sigmoid"), "binary"),
    "relu_softmax_torchscript": ("4-8-3", ("relu", "softmax"), "classes"),
    "flatten_nobias_dropout": ("4-6-1", ("relu", "sigmoid"), "binary"),
    "batchnorm": ("4-8-2", ("tanh", "sigmoid"), "binary"),
    "batchnorm_torchscript": ("4-8-2", ("tanh", "sigmoid"), "binary"),
    "standardised": ("4-5-1", ("tanh", "linear"), "regression"),
    "constant_mul": ("3-5-2", ("tanh", "sigmoid"), "binary"),
    "external": ("32-64-4", ("relu", "linear"), "regression"),
}


def _one_line(exc_info, *parts):
    msg = str(exc_info.value)
    assert "\n" not in msg, msg
    for p in parts:
        assert p in msg, msg
    return msg


@pytest.mark.parametrize("name", sorted(READ))
def test_pytorch_exports_predict_what_pytorch_did(name):
    model = nnio.load(DATA / f"{name}.onnx")
    arch, acts, task = READ[name]
    assert model.arch.describe() == arch and model.arch.layer_activations == acts and model.task == task
    X, Y = EXPECTED[f"{name}.X"], EXPECTED[f"{name}.Y"]
    np.testing.assert_allclose(model.predict(X), Y, rtol=1e-5, atol=1e-6)  # PyTorch computed in float32


@pytest.mark.parametrize("name", sorted(READ))
def test_pytorch_exports_agree_with_onnxruntime(name):
    ort = pytest.importorskip("onnxruntime")
    X = EXPECTED[f"{name}.X"]
    sess = ort.InferenceSession(str(DATA / f"{name}.onnx"), providers=["CPUExecutionProvider"])
    ref = sess.run(None, {sess.get_inputs()[0].name: X.astype(np.float32)})[0]
    np.testing.assert_allclose(nnio.load(DATA / f"{name}.onnx").predict(X), ref, rtol=1e-5, atol=1e-6)


def test_the_graph_input_and_output_scaling_become_nnviz_scaling():
    m = nnio.load(DATA / "standardised.onnx")
    np.testing.assert_allclose(m.scaling.x_center, [5.8, 3.0, 3.7, 1.2], rtol=1e-6)
    np.testing.assert_allclose(m.scaling.x_scale, [0.8, 0.4, 1.7, 0.7], rtol=1e-6)
    assert m.scaling.y_scale.tolist() == [12.5] and m.scaling.y_center.tolist() == [100.0]


def test_a_constant_mul_between_layers_is_folded_into_the_next_layer_exactly():
    """tanh(fc1(x)) * 0.5 -> fc2: the 0.5 scales fc2's weight rows; it is not output scaling."""
    m = nnio.load(DATA / "constant_mul.onnx")
    g = onnx.load(str(DATA / "constant_mul.onnx")).graph
    init = {t.name: numpy_helper.to_array(t).astype(np.float64) for t in g.initializer}
    W2 = m.network.weights[1]
    assert np.array_equal(W2[1:], 0.5 * init["fc2.weight"].T)  # folded, bit for bit
    assert np.array_equal(W2[0], init["fc2.bias"])
    assert m.scaling.y_scale.tolist() == [1.0, 1.0] and m.scaling.y_center.tolist() == [0.0, 0.0]


def test_batchnorm_is_folded_into_the_layer_before_it():
    m = nnio.load(DATA / "batchnorm_torchscript.onnx")
    g = onnx.load(str(DATA / "batchnorm_torchscript.onnx")).graph
    init = {t.name: numpy_helper.to_array(t).astype(np.float64) for t in g.initializer}
    s = init["1.weight"] / np.sqrt(init["1.running_var"] + 9.999999747378752e-06)
    np.testing.assert_allclose(m.network.weights[0][1:], init["0.weight"].T * s, rtol=1e-12)
    np.testing.assert_allclose(m.network.weights[0][0], (init["0.bias"] - init["1.running_mean"]) * s
                               + init["1.bias"], rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name,text", [
    ("gelu", "unsupported activation GELU (Gelu) at node 2 of 3 (Gelu 'node_gelu', after layer 1)"),
    ("gelu_erf_torchscript", "unsupported activation GELU (the Erf pattern) at node 4 of 10 (Erf '/1/Erf', after layer 1)"),
    ("residual", "a skip connection: the tensor 'relu' (the output of layer 1) feeds 2 nodes (Gemm at node 3, "
                 "Add at node 5)"),
    ("silu", "unsupported activation SiLU (x * sigmoid(x)) at node 2 of 4 (Sigmoid 'node_Sigmoid_0', after layer 1)"),
    ("silu_torchscript", "unsupported activation SiLU (x * sigmoid(x)) at node 2 of 4 (Sigmoid '/1/Sigmoid', after "
                         "layer 1)"),
])
def test_pytorch_models_that_are_not_mlps_are_refused(name, text):
    with pytest.raises(ValueError) as info:
        nnio.load(DATA / f"{name}.onnx")
    assert _one_line(info, text, "nnviz reads multilayer perceptrons").startswith(str(DATA / name))


# -- weights in a side file ------------------------------------------------------

def _external_copy(tmp_path, data=True):
    shutil.copy(DATA / "external.onnx", tmp_path / "external.onnx")
    if data:
        shutil.copy(DATA / "external.onnx.data", tmp_path / "external.onnx.data")
    return tmp_path / "external.onnx"


def _set_location(path, location, length=None):
    m = onnx.load(str(path), load_external_data=False)
    for t in m.graph.initializer:
        for e in t.external_data:
            if e.key == "location":
                e.value = location
            if e.key == "length" and length is not None and t.name == "0.weight":
                e.value = str(length)
    path.write_bytes(m.SerializeToString())


def test_side_file_next_to_the_model_works_from_the_cli(tmp_path, capsys):
    path = _external_copy(tmp_path)
    rows = tmp_path / "rows.csv"
    X = EXPECTED["external.X"][:3]
    rows.write_text(",".join(f"c{j}" for j in range(32)) + "\n" + "".join(",".join(repr(float(v)) for v in r) + "\n" for r in X))
    assert cli.main(["predict", "--model", str(path), "--data", str(rows)]) == 0
    captured = capsys.readouterr()
    assert "using the CSV's 32 columns in order" in captured.err
    lines = captured.out.splitlines()
    assert lines[0].endswith("pred.y1,pred.y2,pred.y3,pred.y4")
    got = np.array([[float(v) for v in ln.split(",")[32:]] for ln in lines[1:]])
    np.testing.assert_allclose(got, EXPECTED["external.Y"][:3], rtol=1e-5, atol=1e-6)


def test_missing_side_file(tmp_path):
    with pytest.raises(ValueError) as info:
        nnio.load(_external_copy(tmp_path, data=False))
    _one_line(info, "the weights '0.weight' are in the side file 'external.onnx.data', which is missing")


@pytest.mark.parametrize("location", ["../external.onnx.data", "/etc/passwd", "sub/../../external.onnx.data"])
def test_side_file_outside_the_models_folder_is_refused(tmp_path, location):
    folder = tmp_path / "model"
    folder.mkdir()
    path = _external_copy(folder)
    shutil.copy(DATA / "external.onnx.data", tmp_path / "external.onnx.data")
    _set_location(path, location)
    with pytest.raises(ValueError) as info:
        nnio.load(path)
    _one_line(info, f"point to the side file {location!r}, outside the model's folder; refused")


def test_side_file_that_is_a_link_out_of_the_folder_is_refused(tmp_path):
    folder = tmp_path / "model"
    folder.mkdir()
    path = _external_copy(folder, data=False)
    shutil.copy(DATA / "external.onnx.data", tmp_path / "elsewhere.data")
    (folder / "external.onnx.data").symlink_to(tmp_path / "elsewhere.data")
    with pytest.raises(ValueError) as info:
        nnio.load(path)
    _one_line(info, "outside the model's folder; refused")


def test_side_file_too_short_or_with_a_wrong_length(tmp_path):
    path = _external_copy(tmp_path)
    data = tmp_path / "external.onnx.data"
    data.write_bytes(data.read_bytes()[:5000])
    with pytest.raises(ValueError) as info:
        nnio.load(path)
    _one_line(info, "the side file 'external.onnx.data' is too short for '0.weight'")
    _set_location(path, "external.onnx.data", length=4)
    with pytest.raises(ValueError) as info:
        nnio.load(path)
    _one_line(info, "gives 4 bytes at offset 0; its shape needs 8192")


def test_side_file_weights_from_bytes_alone_are_refused():
    with pytest.raises(ValueError) as info:
        from_onnx((DATA / "external.onnx").read_bytes())
    _one_line(info, "the weights '0.weight' are in a side file ('external.onnx.data'); open the model from its file")


# -- hand-built graphs -------------------------------------------------------------

def _graph(nodes, inits, p=2, k=1, inputs=None, opset=17, meta=None):
    g = helper.make_graph(
        nodes, "g", inputs or [helper.make_tensor_value_info("x", TensorProto.DOUBLE, ["N", p])],
        [helper.make_tensor_value_info("y", TensorProto.DOUBLE, ["N", k])],
        [numpy_helper.from_array(np.asarray(a), n) if not isinstance(a, TensorProto) else a for n, a in inits.items()])
    m = helper.make_model(g, producer_name="hand", opset_imports=[helper.make_opsetid("", opset)])
    m.ir_version = 8
    if meta is not None:
        helper.set_model_props(m, {"nnviz": meta})
    return m.SerializeToString()


RNG = np.random.default_rng(4)
W1, B1 = RNG.normal(size=(2, 3)), RNG.normal(size=3)
W2, B2 = RNG.normal(size=(3, 1)), RNG.normal(size=1)


def _ort(raw, X):
    ort = pytest.importorskip("onnxruntime")
    sess = ort.InferenceSession(raw, providers=["CPUExecutionProvider"])
    return sess.run(None, {"x": X})[0]


def _mlp(extra_between=(), extra_inits=None, out_nodes=None, **kw):
    nodes = [helper.make_node("MatMul", ["x", "W1"], ["xw1"]), helper.make_node("Add", ["xw1", "b1"], ["a1"]),
             helper.make_node("Tanh", ["a1"], ["h1"]), *extra_between,
             helper.make_node("MatMul", [extra_between[-1].output[0] if extra_between else "h1", "W2"], ["xw2"]),
             helper.make_node("Add", ["b2", "xw2"], ["a2"])]
    nodes += out_nodes or [helper.make_node("Sigmoid", ["a2"], ["y"])]
    return _graph(nodes, {"W1": W1, "b1": B1, "W2": W2, "b2": B2, **(extra_inits or {})}, **kw)


def test_the_graph_is_followed_by_its_inputs_not_by_file_order():
    raw = _mlp()
    m = onnx.load_from_string(raw)
    nodes = list(m.graph.node)
    del m.graph.node[:]
    m.graph.node.extend(reversed(nodes))
    shuffled = m.SerializeToString()
    X = RNG.normal(size=(5, 2))
    a, b = from_onnx(raw), from_onnx(shuffled)
    assert np.array_equal(a.predict(X), b.predict(X))
    np.testing.assert_allclose(a.predict(X), _ort(raw, X), rtol=1e-12, atol=1e-12)
    assert np.array_equal(a.network.weights[0], np.vstack([B1, W1]))


@pytest.mark.parametrize("const", [np.array(0.5), np.array([0.5, -2.0, 3.0]), np.array([[0.5, -2.0, 3.0]])])
@pytest.mark.parametrize("op", ["Mul", "Div", "Add", "Sub"])
def test_constant_operations_between_layers_are_folded(op, const):
    raw = _mlp([helper.make_node(op, ["h1", "c"], ["h1c"])], {"c": const})
    X = RNG.normal(size=(6, 2))
    m = from_onnx(raw)
    assert m.arch.describe() == "2-3-1" and m.scaling.y_scale.tolist() == [1.0]
    np.testing.assert_allclose(m.predict(X), _ort(raw, X), rtol=1e-12, atol=1e-12)


def test_constant_operations_before_an_activation_fold_into_the_layer():
    raw = _mlp([], out_nodes=[helper.make_node("Mul", ["a2", "c"], ["a2c"]), helper.make_node("Sub", ["d", "a2c"], ["a2d"]),
                              helper.make_node("Sigmoid", ["a2d"], ["y"])], extra_inits={"c": np.array([3.0]),
                                                                                    "d": np.array(0.25)})
    X = RNG.normal(size=(6, 2))
    m = from_onnx(raw)
    assert m.arch.output_activation == "sigmoid" and m.scaling.y_scale.tolist() == [1.0]
    np.testing.assert_allclose(m.predict(X), _ort(raw, X), rtol=1e-12, atol=1e-12)


def test_gemm_with_alpha_beta_and_a_row_bias():
    nodes = [helper.make_node("Gemm", ["x", "W1", "b1"], ["a1"], alpha=0.5, beta=2.0, transB=0),
             helper.make_node("Relu", ["a1"], ["h1"]),
             helper.make_node("Gemm", ["h1", "W2t", "b2"], ["a2"], transB=1),
             helper.make_node("Sub", ["a2", "c"], ["a3"]), helper.make_node("Div", ["a3", "d"], ["y"])]
    raw = _graph(nodes, {"W1": W1, "b1": B1.reshape(1, 3), "W2t": W2.T.copy(), "b2": B2, "c": np.array(3.0),
                         "d": np.array(4.0)})
    X = RNG.normal(size=(6, 2))
    m = from_onnx(raw)
    assert m.arch.layer_activations == ("relu", "linear")
    np.testing.assert_allclose(m.predict(X), _ort(raw, X), rtol=1e-12, atol=1e-12)
    assert m.scaling.y_scale.tolist() == [0.25] and m.scaling.y_center.tolist() == [-0.75]


def test_passthrough_operators():
    nodes = [helper.make_node("Cast", ["x"], ["xc"], to=TensorProto.DOUBLE),
             helper.make_node("Reshape", ["xc", "shape"], ["xr"]),
             helper.make_node("Flatten", ["xr"], ["xf"], axis=1),
             helper.make_node("MatMul", ["xf", "W1"], ["xw1"]), helper.make_node("Add", ["xw1", "b1"], ["a1"]),
             helper.make_node("Sigmoid", ["a1"], ["h1"]), helper.make_node("Dropout", ["h1"], ["h1d"]),
             helper.make_node("Identity", ["h1d"], ["h1i"]),
             helper.make_node("Gemm", ["h1i", "W2", "b2"], ["y"])]
    raw = _graph(nodes, {"shape": np.array([-1, 2], dtype=np.int64), "W1": W1, "b1": B1, "W2": W2, "b2": B2})
    X = RNG.normal(size=(4, 2))
    np.testing.assert_allclose(from_onnx(raw).predict(X), _ort(raw, X), rtol=1e-12, atol=1e-12)


def _refused(raw, *parts):
    with pytest.raises(ValueError) as info:
        from_onnx(raw)
    return _one_line(info, *parts)


def _one_layer(op_nodes, inits, **kw):
    """x -> MatMul W1 + b1 -> <op_nodes ending in y>."""
    nodes = [helper.make_node("MatMul", ["x", "W1"], ["xw1"]), helper.make_node("Add", ["xw1", "b1"], ["a1"]),
             *op_nodes]
    return _graph(nodes, {"W1": W1, "b1": B1, **inits}, k=3, **kw)


@pytest.mark.parametrize("raw,text", [
    (_graph([helper.make_node("MatMul", ["x", "w"], ["y"])], {"w": np.ones(2)}),
     "the weights 'w' of node 1 of 1 (MatMul, before the first layer) have 1 dimension(s), expected 2"),
    (_graph([helper.make_node("Gemm", ["x", "w"], ["y"], transB=1)], {"w": np.ones(2)}),
     "the weights 'w' of node 1 of 1 (Gemm, before the first layer) have 1 dimension(s), expected 2"),
    (_graph([helper.make_node("Gemm", ["x", "W1", "b"], ["y"])], {"W1": W1, "b": np.ones((2, 3))}),
     "has shape (2, 3), expected (3,) or (1, 3)"),
    (_graph([helper.make_node("Gemm", ["x", "W1"], ["y"], transA=1)], {"W1": W1}), "Gemm with transA = 1"),
    (_graph([helper.make_node("MatMul", ["W1", "x"], ["y"])], {"W1": W1}),
     "MatMul with the computed tensor as its input 2"),
    (_one_layer([helper.make_node("Softmax", ["a1"], ["y"], axis=0)], {}), "Softmax over axis 0"),
    (_one_layer([helper.make_node("LeakyRelu", ["a1"], ["y"])], {}),
     "unsupported operator LeakyRelu at node 3 of 3 (LeakyRelu, after layer 1)"),
    (_one_layer([helper.make_node("Gelu", ["a1"], ["y"])], {}, opset=20), "unsupported activation GELU (Gelu)"),
    (_one_layer([helper.make_node("FusedGelu", ["a1"], ["y"], domain="com.microsoft")], {}),
     "unsupported operator com.microsoft.FusedGelu"),
    (_one_layer([helper.make_node("Mul", ["a1", "a1"], ["y"])], {}), "Mul of a tensor with itself"),
    (_one_layer([helper.make_node("Cast", ["a1"], ["y"], to=TensorProto.INT64)], {}),
     "a Cast to a type other than FLOAT or DOUBLE"),
    (_one_layer([helper.make_node("Reshape", ["a1", "s"], ["y"])], {"s": np.array([1, -1], dtype=np.int64)}),
     "a Reshape to [1, -1]"),
    (_one_layer([helper.make_node("Reshape", ["a1", "s"], ["y"])], {"s": np.array([-1, 4], dtype=np.int64)}),
     "a Reshape to rows of 4 at node 3 of 3 (Reshape, after layer 1), where the rows have 3 values"),
    (_one_layer([helper.make_node("Flatten", ["a1"], ["y"], axis=0)], {}), "a Flatten that mixes rows"),
    (_one_layer([helper.make_node("Dropout", ["a1", "r", "t"], ["y"])],
                {"r": np.array(0.5), "t": np.array(True)}, opset=13), "Dropout in training mode"),
    (_one_layer([helper.make_node("Sigmoid", ["a1"], ["h"]), helper.make_node("Tanh", ["h"], ["y"])], {}),
     "an activation after another activation or scaling at node 4 of 4 (Tanh, after layer 1)"),
    (_one_layer([helper.make_node("Relu", ["a1"], ["y"])], {}), "the output layer (node 1 of 3 (MatMul, before "
                                                                "the first layer)) has a relu activation"),
    (_one_layer([helper.make_node("Mul", ["a1", "c"], ["y"])], {"c": np.ones((2, 3))}),
     "a constant of shape (2, 3) at node 3 of 3 (Mul, after layer 1), where the rows have 3 columns"),
    (_one_layer([helper.make_node("Div", ["c", "a1"], ["y"])], {"c": np.ones(3)}), "a division by the computed tensor"),
    (_one_layer([helper.make_node("Add", ["a1", "z"], ["y"]), helper.make_node("Relu", ["x"], ["z"])], {}),
     "a skip connection: the tensor 'x' (before the first layer) feeds 2 nodes"),
    (_one_layer([helper.make_node("Mul", ["a1", "c"], ["y"])], {"c": np.array([np.inf, 1, 1])}),
     "the output scaling contains NaN or infinite values"),
    (_one_layer([helper.make_node("BatchNormalization", ["a1", "s", "b", "m", "v"], ["y"], training_mode=1)],
                {k: np.ones(3) for k in "sbmv"}, opset=15), "BatchNormalization in training mode"),
    (_one_layer([helper.make_node("BatchNormalization", ["a1", "s", "b", "m", "v"], ["y"], epsilon=0.0)],
                {"s": np.ones(3), "b": np.ones(3), "m": np.ones(3), "v": -np.ones(3)}), "the variances"),
])
def test_graphs_that_are_not_mlps(raw, text):
    _refused(raw, text)


@pytest.mark.parametrize("between,factor", [([], 1.0), ([helper.make_node("Mul", ["h", "c"], ["hc"])], 2.0)])
def test_two_linear_layers_in_a_row_are_composed_into_one(between, factor):
    """x W1 -> (* 2) -> W2 + b2 with no activation between: one layer x (2 W1 W2) + b2."""
    nodes = [helper.make_node("MatMul", ["x", "W1"], ["h"]), *between,
             helper.make_node("MatMul", ["hc" if between else "h", "W2"], ["a"]), helper.make_node("Add", ["a", "b2"], ["y"])]
    raw = _graph(nodes, {"W1": W1, "W2": W2, "b2": B2, "c": np.array(2.0)})
    m = from_onnx(raw)
    assert m.arch.describe() == "2-1" and m.arch.layer_activations == ("linear",)
    np.testing.assert_allclose(m.network.weights[0][1:], factor * (W1 @ W2), rtol=1e-14)
    assert m.network.weights[0][0].tolist() == B2.tolist()
    X = RNG.normal(size=(6, 2))
    np.testing.assert_allclose(m.predict(X), _ort(raw, X), rtol=1e-12, atol=1e-12)
    (note,) = m.training["import_notes"]
    assert note.startswith("no activation between the layer at node 1 of ") and "2 x 3 times 3 x 1 weights" in note


def test_a_layer_without_activation_between_two_hidden_layers_is_composed():
    """x -> tanh layer -> linear 3-4 layer -> 4-1 layer -> sigmoid: the linear layer and the next
    compose, and the network equals onnxruntime's."""
    W3 = RNG.normal(size=(3, 4))
    nodes = [helper.make_node("Gemm", ["x", "W1", "b1"], ["a1"]), helper.make_node("Tanh", ["a1"], ["h1"]),
             helper.make_node("Gemm", ["h1", "W3", "b3"], ["a2"]),
             helper.make_node("Gemm", ["a2", "W4", "b2"], ["a3"]), helper.make_node("Sigmoid", ["a3"], ["y"])]
    raw = _graph(nodes, {"W1": W1, "b1": B1, "W3": W3, "b3": np.ones(4), "W4": np.ones((4, 1)), "b2": B2})
    m = from_onnx(raw)
    assert m.arch.describe() == "2-3-1" and m.arch.layer_activations == ("tanh", "sigmoid")
    np.testing.assert_allclose(m.network.weights[1][1:], W3 @ np.ones((4, 1)), rtol=1e-14)
    np.testing.assert_allclose(m.network.weights[1][0], np.ones(4) @ np.ones((4, 1)) + B2, rtol=1e-14)
    X = RNG.normal(size=(6, 2))
    np.testing.assert_allclose(m.predict(X), _ort(raw, X), rtol=1e-12, atol=1e-12)


def test_layer_sizes_must_chain():
    nodes = [helper.make_node("MatMul", ["x", "W1"], ["a"]), helper.make_node("Tanh", ["a"], ["h"]),
             helper.make_node("MatMul", ["h", "W"], ["y"])]
    _refused(_graph(nodes, {"W1": W1, "W": np.ones((4, 1))}),
             "the layer at node 3 of 3 (MatMul, after layer 1) takes 4 inputs, layer 1 gives 3")


# -- opsets, and what onnxruntime runs ----------------------------------------------------

def _sigmoid_layer(opset, domain="", kind=TensorProto.DOUBLE, w=W1):
    nodes = [helper.make_node("MatMul", ["x", "W1"], ["a"]), helper.make_node("Sigmoid", ["a"], ["y"])]
    g = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", kind, ["N", 2])],
                          [helper.make_tensor_value_info("y", kind, ["N", 3])], [numpy_helper.from_array(w, "W1")])
    m = helper.make_model(g, producer_name="hand", opset_imports=[helper.make_opsetid(domain, v) for v in opset])
    m.ir_version = 8
    return m.SerializeToString()


def test_an_opset_1_graph_that_onnxruntime_rejects_is_refused():
    raw = _sigmoid_layer([1])
    ort = pytest.importorskip("onnxruntime")
    with pytest.raises(Exception, match="Could not find an implementation for Sigmoid"):
        ort.InferenceSession(raw, providers=["CPUExecutionProvider"])  # the premise: onnxruntime refuses it
    _refused(raw, "ONNX opset 1 is too old: onnxruntime runs opset 7 and newer")
    _refused(_sigmoid_layer([6]), "ONNX opset 6 is too old")
    assert from_onnx(_sigmoid_layer([7])).arch.describe() == "2-3"


def test_opsets_that_are_missing_or_unknown_are_refused():
    _refused(_sigmoid_layer([]), "the graph declares no ONNX opset")
    newest = onnx.defs.onnx_opset_version()
    _refused(_sigmoid_layer([newest + 1]), f"ONNX opset {newest + 1} is newer than the installed onnx knows ({newest})")
    m = onnx.load_from_string(_sigmoid_layer([17]))
    m.opset_import.append(helper.make_opsetid("ai.onnx.ml", 99))
    _refused(m.SerializeToString(), "ONNX-ML opset 99 is not one the installed onnx knows")


def test_a_graph_that_onnxruntime_cannot_run_is_refused(monkeypatch):
    """Float rows into double weights: nnviz could compute it, onnxruntime refuses the types."""
    pytest.importorskip("onnxruntime")
    raw = _sigmoid_layer([17], kind=TensorProto.FLOAT)
    msg = _refused(raw, "onnxruntime cannot run the graph: ")
    assert "onnxruntime_src" not in msg and len(msg) < 400, msg
    import sys

    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # without onnxruntime, only the opset is checked
    assert from_onnx(raw).arch.describe() == "2-3"


def _raw_tensor(dims, raw):
    """A double tensor whose data need not fit its shape (helper.make_tensor checks that)."""
    t = TensorProto(name="W1", data_type=TensorProto.DOUBLE, dims=dims)
    t.raw_data = raw
    return t


@pytest.mark.parametrize("tensor,text", [
    (helper.make_tensor("W1", TensorProto.STRING, [2, 3], [b"1"] * 6), "the weights 'W1': of type STRING, expected FLOAT, FLOAT16 or DOUBLE"),
    (helper.make_tensor("W1", TensorProto.BOOL, [2, 3], [True] * 6), "the weights 'W1': of type BOOL, expected FLOAT"),
    (helper.make_tensor("W1", TensorProto.INT64, [2, 3], [1] * 6), "the weights 'W1': of type INT64, expected FLOAT"),
    (_raw_tensor([10**6, 10**6], b"\0" * 8), "the weights 'W1': 1,000,000,000,000 values; nnviz reads at most"),
    (_raw_tensor([2, 3], b"\0" * 8), "the weights 'W1': malformed"),
    (helper.make_tensor("W1", TensorProto.DOUBLE, [2, 3], [np.nan] * 6), "the weights of layer 1 contain NaN"),
])
def test_weights_of_the_wrong_kind(tensor, text):
    nodes = [helper.make_node("MatMul", ["x", "W1"], ["a"]), helper.make_node("Sigmoid", ["a"], ["y"])]
    _refused(_graph(nodes, {"W1": tensor}), text)


def test_inputs_outputs_and_a_path_that_stops():
    two = [helper.make_tensor_value_info(n, TensorProto.DOUBLE, ["N", 2]) for n in ("x", "z")]
    _refused(_graph([helper.make_node("MatMul", ["x", "W1"], ["y"])], {"W1": W1}, inputs=two),
             "expected one graph input (the rows of features), found 2")
    _refused(_graph([helper.make_node("MatMul", ["x", "W1"], ["a"])], {"W1": W1}), "the path from the input stops at "
                                                                                    "the tensor 'a', before the output")
    _refused(b"", "expected one graph input")
    _refused(b"garbage" * 10, "not a readable ONNX file")


# -- nnviz's own files: metadata -------------------------------------------------------

@pytest.fixture(scope="module")
def own():
    e = Experiment(Settings(data="iris", hidden=(4,), seed=2))
    e.session.run(30)
    return e.model()


def _with_meta(model, meta: str) -> bytes:
    m = onnx.load_from_string(nnio.format_for("m.onnx").save_bytes(model))
    del m.metadata_props[:]
    helper.set_model_props(m, {"nnviz": meta})
    return m.SerializeToString()


@pytest.mark.parametrize("meta,text", [
    ("[1, 2]", "the nnviz metadata: not a JSON object"),
    ("5", "the nnviz metadata: not a JSON object"),
    ("{", "the nnviz metadata: not valid JSON"),
    ("[" * 100_000, "the nnviz metadata: not readable JSON (nested too deeply)"),
])
def test_metadata_that_is_not_an_object(own, meta, text):
    _refused(_with_meta(own, meta), text)


def test_metadata_fields_are_checked_and_must_match_the_graph(own):
    import json

    doc = nnio.model_to_dict(own)
    doc.pop("weights")
    bad = dict(doc, target_columns=5)
    _refused(_with_meta(own, json.dumps(bad)), "the nnviz metadata: 'target_columns' must be a list of names")
    bad = dict(doc, inputs=[doc["inputs"][0]] * 4)
    _refused(_with_meta(own, json.dumps(bad)), "appears twice")
    bad = dict(doc, architecture=dict(doc["architecture"], activations=["tanh"]))
    _refused(_with_meta(own, json.dumps(bad)), "the nnviz metadata describes a 4-4-3 network with tanh, sigmoid, "
                                               "the graph another")
    bad = dict(doc, scaling=dict(doc["scaling"], x_center=[0.0] * 4))
    _refused(_with_meta(own, json.dumps(bad)), "the nnviz metadata's scaling differs from the graph's")


def test_own_export_round_trips_bit_for_bit(tmp_path, own):
    path = tmp_path / "m.onnx"
    nnio.save(own, path)
    back = nnio.load(path)
    assert back.input_names == own.input_names and back.training["iterations"] == 30
    for a, b in zip(back.network.weights, own.network.weights, strict=True):
        assert np.array_equal(a, b)
    for f in ("x_center", "x_scale", "y_center", "y_scale"):
        assert np.array_equal(getattr(back.scaling, f), getattr(own.scaling, f))
