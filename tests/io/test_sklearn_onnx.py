"""scikit-learn MLPs exported with skl2onnx (tests/data/onnx/sklearn, made by
make_sklearn_fixtures.py there; neither scikit-learn nor skl2onnx is needed here): every
classifier must predict the probabilities scikit-learn computed and onnxruntime computes, with
the classes' names; what is folded and composed is checked weight by weight against the
graph's own constants."""

from pathlib import Path

import numpy as np
import pytest

from nnviz import cli
from nnviz import io as nnio

onnx = pytest.importorskip("onnx")
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

from nnviz.io.onnx_import import from_onnx  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "data" / "onnx" / "sklearn"
EXPECTED = np.load(DATA / "expected.npz")

READ = {  # fixture: (architecture, activations); classifiers have two-class or three-class softmax outputs
    **{f"{act}_{n}classes{zm}": (f"4-5-{n}", (act.replace("logistic", "sigmoid"), "softmax"))
       for act in ("relu", "logistic", "tanh") for n in (2, 3) for zm in ("", "_zipmap")},
    # identity hidden layers are composed with the layer after them: no hidden layer is left
    **{f"identity_{n}classes{zm}": (f"4-{n}", ("softmax",)) for n in (2, 3) for zm in ("", "_zipmap")},
    "identity_2hidden_3classes": ("4-3", ("softmax",)),
    "scaler_tanh_3classes_zipmap": ("4-6-4-3", ("tanh", "tanh", "softmax")),
    "scaler_logistic_2classes": ("4-5-2", ("sigmoid", "softmax")),
    "subdiv_relu_3classes": ("4-5-3", ("relu", "softmax")),
    "subdiv_identity_2classes_zipmap": ("4-2", ("softmax",)),
    "regressor_relu": ("4-6-1", ("relu", "linear")),
    "regressor_scaler_tanh": ("4-6-1", ("tanh", "linear")),
}
CLASSIFIERS = sorted(n for n in READ if not n.startswith("regressor"))


def _inits(name):
    g = onnx.load(str(DATA / f"{name}.onnx")).graph
    return {t.name: numpy_helper.to_array(t) for t in g.initializer}, g


def _ort_outputs(name, X):
    """What onnxruntime computes: a classifier's probabilities (from ZipMap's maps or the tensor)
    and the class labels in ZipMap's order, or a regressor's values."""
    ort = pytest.importorskip("onnxruntime")
    sess = ort.InferenceSession(str(DATA / f"{name}.onnx"), providers=["CPUExecutionProvider"])
    outs = sess.run(None, {sess.get_inputs()[0].name: X.astype(np.float32)})
    values = outs[-1]
    if isinstance(values, list):  # ZipMap: one {class: probability} per row
        return np.array([list(row.values()) for row in values]), [str(k) for k in values[0]]
    return np.asarray(values, dtype=np.float64).reshape(len(X), -1), None


def test_every_fixture_is_listed():
    assert sorted(READ) == sorted(p.stem for p in DATA.glob("*.onnx") if p.stem != "regressor_2outputs")


@pytest.mark.parametrize("name", sorted(READ))
def test_sklearn_exports_predict_what_sklearn_did(name):
    model = nnio.load(DATA / f"{name}.onnx")
    arch, acts = READ[name]
    assert model.arch.describe() == arch and model.arch.layer_activations == acts
    if name in CLASSIFIERS:
        assert model.task == "classes"
        assert model.output_names == tuple(EXPECTED[f"{name}.classes"])  # the classifier's classes_
    else:
        assert model.task == "regression" and model.output_names == ("y1",)
    X, Y = EXPECTED[f"{name}.X"], EXPECTED[f"{name}.Y"]
    np.testing.assert_allclose(model.predict(X), Y, rtol=1e-5, atol=1e-6)  # scikit-learn computed in float32


@pytest.mark.parametrize("name", sorted(READ))
def test_sklearn_exports_equal_onnxruntime_on_random_rows(name):
    rng = np.random.default_rng(sum(map(ord, name)))
    X = EXPECTED[f"{name}.X"]
    X = (X.mean(0) + rng.normal(size=(200, X.shape[1])) * 2 * X.std(0)).astype(np.float32).astype(np.float64)
    ref, classes = _ort_outputs(name, X)
    model = nnio.load(DATA / f"{name}.onnx")
    np.testing.assert_allclose(model.predict(X), ref, rtol=1e-5 if name.startswith("regressor") else 0, atol=1e-6)
    if classes is not None:
        assert model.output_names == tuple(classes)


def test_a_binary_classifier_is_a_two_class_softmax_over_zero_and_its_logit():
    """sigmoid(z) and 1 - sigmoid(z), joined by Concat, are softmax(0, z): the output layer gains
    a column of zeros, and the sigmoid layer's weights are the other column, bit for bit."""
    m = nnio.load(DATA / "logistic_2classes.onnx")
    init, _ = _inits("logistic_2classes")
    W2 = m.network.weights[1]
    assert np.array_equal(W2[:, 0], np.zeros(6))
    assert np.array_equal(W2[1:, 1], init["coefficient1"][:, 0].astype(np.float64))
    assert W2[0, 1] == init["intercepts1"].ravel()[0]
    assert np.array_equal(m.network.weights[0][1:], init["coefficient"].astype(np.float64))
    assert m.output_names == ("no", "yes")
    assert any("softmax(0, z)" in note for note in m.training["import_notes"])


def test_the_scaler_op_is_the_input_scaling():
    """ONNX-ML's Scaler, (x - offset) * scale: x_center = offset, x_scale = 1 / scale; the layer's
    weights stay the graph's."""
    m = nnio.load(DATA / "scaler_logistic_2classes.onnx")
    init, g = _inits("scaler_logistic_2classes")
    (scaler,) = [n for n in g.node if n.op_type == "Scaler"]
    attrs = {a.name: list(helper.get_attribute_value(a)) for a in scaler.attribute}
    assert m.scaling.x_center.tolist() == attrs["offset"]
    np.testing.assert_allclose(m.scaling.x_scale, 1 / np.array(attrs["scale"]), rtol=1e-15)
    assert np.array_equal(m.network.weights[0][1:], init["coefficient"].astype(np.float64))


def test_a_standard_scaler_as_sub_and_div_is_the_input_scaling():
    m = nnio.load(DATA / "subdiv_relu_3classes.onnx")
    init, _ = _inits("subdiv_relu_3classes")
    assert np.array_equal(m.scaling.x_center, init["Su_Subcst"].astype(np.float64))
    assert np.array_equal(m.scaling.x_scale, init["Di_Divcst"].astype(np.float64))
    assert np.array_equal(m.network.weights[0][1:], init["coefficient"].astype(np.float64))


@pytest.mark.parametrize("name,n_layers", [("identity_3classes", 2), ("identity_2hidden_3classes", 3)])
def test_identity_hidden_layers_are_composed_with_the_next_layer(name, n_layers):
    """(x W1 + b1) W2 + b2 = x (W1 W2) + (b1 W2 + b2), computed here from the graph's constants."""
    m = nnio.load(DATA / f"{name}.onnx")
    init, _ = _inits(name)
    suffixes = [""] + [str(i) for i in range(1, n_layers)]
    W, b = np.eye(4), np.zeros(4)
    for s in suffixes:
        Wi, bi = init[f"coefficient{s}"].astype(np.float64), init[f"intercepts{s}"].astype(np.float64).ravel()
        W, b = W @ Wi, b @ Wi + bi
    assert len(m.network.weights) == 1
    np.testing.assert_allclose(m.network.weights[0][1:], W, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(m.network.weights[0][0], b, rtol=1e-12, atol=1e-15)
    notes = m.training["import_notes"]
    assert len(notes) == n_layers - 1 and all("no activation between the layer at" in n for n in notes)


def test_a_classifier_predicts_its_class_names_from_the_cli(tmp_path, capsys):
    X = EXPECTED["relu_3classes_zipmap.X"][:4]
    rows = tmp_path / "rows.csv"
    rows.write_text("a,b,c,d\n" + "".join(",".join(repr(float(v)) for v in r) + "\n" for r in X))
    assert cli.main(["predict", "--model", str(DATA / "relu_3classes_zipmap.onnx"), "--data", str(rows)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "pred.3,pred.7,pred.11" in lines[0]
    Y = EXPECTED["relu_3classes_zipmap.Y"][:4]
    cells = [ln.split(",") for ln in lines[1:]]
    np.testing.assert_allclose([[float(c) for c in r[4:7]] for r in cells], Y, rtol=1e-5, atol=1e-6)


def test_a_regressor_whose_export_mixes_rows_is_refused():
    """skl2onnx 1.20 reshapes a two-output MLPRegressor's (N, 2) outputs to (2 N, 1)."""
    with pytest.raises(ValueError) as info:
        nnio.load(DATA / "regressor_2outputs.onnx")
    msg = str(info.value)
    assert "\n" not in msg and "a Reshape to rows of 1 at node 7 of 7 (Reshape 'Reshape', after layer 2), where the " \
                                "rows have 2 values" in msg


# -- hand-built graphs in skl2onnx's shapes ----------------------------------------------

RNG = np.random.default_rng(11)
W1, B1 = RNG.normal(size=(2, 3)).astype(np.float32), RNG.normal(size=(1, 3)).astype(np.float32)


def _classifier(out_nodes, outputs, inits=None, k=1, opsets=(("", 17), ("ai.onnx.ml", 1))):
    """x -> MatMul + Add -> Sigmoid (k outputs) -> out_nodes, with the graph outputs given."""
    W2, B2 = RNG.normal(size=(3, k)).astype(np.float32), RNG.normal(size=(1, k)).astype(np.float32)
    nodes = [helper.make_node("MatMul", ["x", "W1"], ["m1"]), helper.make_node("Add", ["m1", "b1"], ["a1"]),
             helper.make_node("Tanh", ["a1"], ["h"]), helper.make_node("MatMul", ["h", "W2"], ["m2"]),
             helper.make_node("Add", ["m2", "b2"], ["a2"]), helper.make_node("Sigmoid", ["a2"], ["p"]), *out_nodes]
    consts = {"W1": W1, "b1": B1, "W2": W2, "b2": B2, "one": np.array([1.0], np.float32), **(inits or {})}
    g = helper.make_graph(nodes, "skl", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 2])], outputs,
                          [numpy_helper.from_array(np.asarray(a), n) for n, a in consts.items()])
    m = helper.make_model(g, producer_name="hand", opset_imports=[helper.make_opsetid(d, v) for d, v in opsets])
    m.ir_version = 8
    return m.SerializeToString()


def _tensor(name, kind=TensorProto.FLOAT, shape=("N", 2)):
    return helper.make_tensor_value_info(name, kind, list(shape))


TWO = [helper.make_node("Sub", ["one", "p"], ["q"])]
LABEL = [helper.make_node("ArgMax", ["probs"], ["i"], axis=1),
         helper.make_node("ArrayFeatureExtractor", ["classes", "i"], ["label"], domain="ai.onnx.ml")]
STRINGS = {"classes": np.array([b"cat", b"dog"], dtype=object)}


def _ort_run(raw, X):
    ort = pytest.importorskip("onnxruntime")
    return ort.InferenceSession(raw, providers=["CPUExecutionProvider"]).run(None, {"x": X.astype(np.float32)})


@pytest.mark.parametrize("p_first", [False, True])
def test_concat_of_p_and_one_minus_p_in_either_order(p_first):
    cat = helper.make_node("Concat", ["p", "q"] if p_first else ["q", "p"], ["probs"], axis=1)
    raw = _classifier([*TWO, cat, *LABEL], [_tensor("label", TensorProto.STRING, ["N"]), _tensor("probs")], STRINGS)
    X = RNG.normal(size=(50, 2))
    m = from_onnx(raw)
    assert m.output_names == ("cat", "dog") and m.arch.output_activation == "softmax"
    np.testing.assert_allclose(m.predict(X), _ort_run(raw, X)[1], rtol=0, atol=1e-6)


@pytest.mark.parametrize("k,nodes,outputs,inits,text", [
    (2, [*TWO, helper.make_node("Concat", ["q", "p"], ["probs"], axis=1)], [_tensor("probs", shape=("N", 4))], None,
     "1 - p and p joined at node 8 of 8 (Concat, after layer 2) for 2 sigmoid outputs (a multi-label classifier)"),
    (1, [helper.make_node("Sub", ["two", "p"], ["q"]), helper.make_node("Concat", ["q", "p"], ["probs"], axis=1)],
     [_tensor("probs")], {"two": np.array([2.0], np.float32)}, "a skip connection: the tensor 'p'"),
    (1, [*TWO, helper.make_node("Concat", ["q", "p"], ["probs"], axis=1),
      helper.make_node("ZipMap", ["probs"], ["zm"], domain="ai.onnx.ml", classlabels_int64s=[1, 2, 3])],
     [helper.make_value_info("zm", helper.make_sequence_type_proto(helper.make_map_type_proto(
         TensorProto.INT64, helper.make_tensor_type_proto(TensorProto.FLOAT, []))))], None,
     "the ZipMap at node 9 of 9 names 3 classes, the network gives 2 softmax outputs"),
    (1, [*TWO, helper.make_node("Concat", ["q", "p"], ["probs"], axis=1),
      helper.make_node("Slice", ["probs", "s0", "s1", "ax"], ["c0"]),
      helper.make_node("Slice", ["probs", "s1", "s2", "ax"], ["c1"]), *LABEL],
     [_tensor("label", TensorProto.INT64, ["N"]), _tensor("c0", shape=("N", 1)), _tensor("c1", shape=("N", 1))],
     {"classes": np.array([0, 1]), **{f"s{i}": np.array([i]) for i in range(3)}, "ax": np.array([1])},
     "expected one graph output of values or probabilities, found 2 ('label', 'c0', 'c1'); nnviz follows one output "
     "of values or probabilities and ignores outputs of labels (integers or strings); for a classifier exported by "
     "skl2onnx with zipmap='columns'"),
], ids=["multilabel", "not-one-minus-p", "zipmap-count", "zipmap-columns"])
def test_classifier_outputs_that_are_refused(k, nodes, outputs, inits, text):
    raw = _classifier(nodes, outputs, inits, k=k)
    with pytest.raises(ValueError) as info:
        from_onnx(raw)
    assert "\n" not in str(info.value) and text in str(info.value), str(info.value)
