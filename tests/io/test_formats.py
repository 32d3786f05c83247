"""Model file formats: JSON, NPZ, CSV (for R), ONNX; round trips and one-line errors."""

import json

import numpy as np
import pytest

from nnviz import cli
from nnviz import io as nnio
from nnviz.core.experiment import Experiment, Settings


@pytest.fixture
def model():
    e = Experiment(Settings(data="iris", hidden=(5, 4), activation=("tanh", "sigmoid"), seed=2))
    e.session.run(60)
    return e.model()


@pytest.mark.parametrize("ext", [".json", ".npz"])
def test_round_trip_bit_exact(tmp_path, model, ext):
    path = tmp_path / f"m{ext}"
    nnio.save(model, path)
    back = nnio.load(path)
    assert back.arch == model.arch and back.input_names == model.input_names
    for a, b in zip(back.network.weights, model.network.weights):
        assert np.array_equal(a, b)
    assert np.array_equal(back.scaling.x_center, model.scaling.x_center)


def test_npz_is_plain_numpy(tmp_path, model):
    path = tmp_path / "m.npz"
    nnio.save(model, path)
    with np.load(path, allow_pickle=False) as z:
        assert set(z.files) == {"W1", "W2", "W3", "meta"}
        assert np.array_equal(z["W1"], model.network.weights[0])
        assert json.loads(str(z["meta"]))["format"] == "nnviz-model"


def test_npz_that_needs_pickle_is_refused(tmp_path):
    path = tmp_path / "evil.npz"
    np.savez(path, W1=np.array([{"a": 1}], dtype=object), meta=np.array("{}"))
    with pytest.raises(ValueError, match="refused: the NPZ file needs pickle"):
        nnio.load(path)


def test_csv_long_format_rebuilds_like_r(tmp_path, model):
    path = tmp_path / "w.csv"
    nnio.save(model, path)
    lines = path.read_text().splitlines()
    assert lines[0] == "layer,row,col,weight"
    assert len(lines) == 1 + model.arch.n_weights
    # what the README's R code does: m <- matrix(0, max(row), max(col)); m[cbind(row, col)] <- weight
    rows = [ln.split(",") for ln in lines[1:]]
    for l, W in enumerate(model.network.weights, start=1):
        mine = [(int(r), int(c), float(w)) for L, r, c, w in rows if int(L) == l]
        R, C = max(r for r, _, _ in mine), max(c for _, c, _ in mine)
        m = np.zeros((R, C))
        for r, c, w in mine:
            m[r - 1, c - 1] = w
        assert np.array_equal(m, W)  # 17 significant digits: exact
        assert m[0, 0] == W[0, 0]  # row 1 is the bias row


def test_csv_weights_need_a_matching_architecture(tmp_path, model):
    path = tmp_path / "w.csv"
    nnio.save(model, path)
    back = nnio.read_csv_weights(path, model.arch)
    for a, b in zip(back, model.network.weights):
        assert np.array_equal(a, b)
    wrong = Experiment(Settings(data="iris", hidden=(6, 6))).arch
    with pytest.raises(ValueError, match="check --hidden"):
        nnio.read_csv_weights(path, wrong)
    with pytest.raises(ValueError, match="no input names or scaling"):
        nnio.load(path)


def test_cli_init_from_csv(tmp_path, capsys):
    w = tmp_path / "w.csv"
    assert cli.main(["train", "--data", "toy", "--hidden", "4", "--iterations", "50", "--export", str(w),
                     "--quiet"]) == 0
    j = tmp_path / "m.json"
    assert cli.main(["train", "--data", "toy", "--hidden", "4", "--init", str(w), "--iterations", "0",
                     "--export", str(j), "--quiet"]) == 0
    assert nnio.weights_to_csv(nnio.load(j).network.weights) == w.read_text()
    assert cli.main(["train", "--data", "toy", "--hidden", "5", "--init", str(w), "--iterations", "0"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("nnviz: error: ") and "check --hidden" in err and err.count("\n") == 1


def test_unknown_extension_lists_the_formats(tmp_path, model):
    with pytest.raises(ValueError, match=r"supported: .json, .npz, .csv, .onnx"):
        nnio.save(model, tmp_path / "m.h5")


@pytest.mark.parametrize("ext", [".json", ".npz", ".onnx"])
def test_truncated_files_give_one_line(tmp_path, model, ext):
    if ext == ".onnx":
        pytest.importorskip("onnx")
    path = tmp_path / f"m{ext}"
    nnio.save(model, path)
    raw = path.read_bytes()
    path.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(ValueError) as info:
        nnio.load(path)
    assert str(info.value).startswith(str(path)) and "\n" not in str(info.value)


def test_malformed_csv_weights(tmp_path, model):
    path = tmp_path / "w.csv"
    path.write_text("layer,row,col,weight\n1,1,1,abc\n")
    with pytest.raises(ValueError, match="line 2: expected layer,row,col,weight"):
        nnio.read_csv_weights(path, model.arch)
    path.write_text("nope\n")
    with pytest.raises(ValueError, match="line 1: expected the header"):
        nnio.read_csv_weights(path, model.arch)


def test_predict_accepts_npz_and_onnx(tmp_path, model, capsys):
    rows = tmp_path / "rows.csv"
    rows.write_text("Sepal.Length,Sepal.Width,Petal.Length,Petal.Width\n5.1,3.5,1.4,0.2\n6.7,3.0,5.2,2.3\n")
    outs = []
    exts = [".json", ".npz"]
    try:
        import onnx  # noqa: F401
        exts.append(".onnx")
    except ImportError:
        pass
    for ext in exts:
        path = tmp_path / f"m{ext}"
        nnio.save(model, path)
        assert cli.main(["predict", "--model", str(path), "--data", str(rows)]) == 0
        outs.append(capsys.readouterr().out)
    assert all(o == outs[0] for o in outs)


# -- ONNX ------------------------------------------------------------------------

@pytest.mark.parametrize("kw", [
    {},
    {"data": "toy", "hidden": (3,)},
    {"activation": ("relu", "tanh"), "output_activation": "softmax", "loss": "ce"},
    {"hidden": ()},
])
def test_onnx_export_runs_in_onnxruntime_to_1e12(tmp_path, kw):
    ort = pytest.importorskip("onnxruntime")
    e = Experiment(Settings(**kw))
    e.session.run(100)
    m = e.model()
    path = tmp_path / "m.onnx"
    nnio.save(m, path)
    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    X = e.dataset.X
    out = sess.run(None, {"input": X})[0]
    np.testing.assert_allclose(out, m.predict(X), rtol=0, atol=1e-12)
    back = nnio.load(path)
    for a, b in zip(back.network.weights, m.network.weights):
        assert np.array_equal(a, b)


def test_onnx_regression_output_in_original_units(tmp_path):
    ort = pytest.importorskip("onnxruntime")
    rng = np.random.default_rng(0)
    x = rng.uniform(-2, 2, size=(40, 2))
    csv = tmp_path / "r.csv"
    csv.write_text("a,b,y\n" + "".join(f"{p},{q},{100 + 10 * p * q}\n" for p, q in x))
    e = Experiment(Settings(data=str(csv), hidden=(4,), algorithm="rprop+"))
    e.session.run(200)
    m = e.model()
    path = tmp_path / "r.onnx"
    nnio.save(m, path)
    out = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"]).run(None, {"input": x})[0]
    np.testing.assert_allclose(out, m.predict(x), rtol=0, atol=1e-12)
    assert 80 < out.mean() < 120


def test_onnx_import_of_a_pytorch_style_graph():
    """Gemm with transB=1 in float32, as torch.onnx exports nn.Linear layers, no nnviz metadata."""
    pytest.importorskip("onnx")
    ort = pytest.importorskip("onnxruntime")
    from onnx import TensorProto, helper, numpy_helper

    from nnviz.io import format_onnx as onnxfile

    rng = np.random.default_rng(3)
    W1, b1 = rng.normal(size=(5, 4)).astype(np.float32), rng.normal(size=5).astype(np.float32)
    W2, b2 = rng.normal(size=(3, 5)).astype(np.float32), rng.normal(size=3).astype(np.float32)
    nodes = [helper.make_node("Gemm", ["x", "W1", "b1"], ["a1"], transB=1),
             helper.make_node("Relu", ["a1"], ["h1"]),
             helper.make_node("Gemm", ["h1", "W2", "b2"], ["a2"], transB=1),
             helper.make_node("Softmax", ["a2"], ["y"], axis=1)]
    g = helper.make_graph(nodes, "torch_mlp", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 4])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", 3])],
                          [numpy_helper.from_array(a, n) for a, n in ((W1, "W1"), (b1, "b1"), (W2, "W2"), (b2, "b2"))])
    m = helper.make_model(g, producer_name="pytorch", opset_imports=[helper.make_opsetid("", 17)])
    m.ir_version = 8
    raw = m.SerializeToString()
    model = onnxfile.from_onnx(raw)
    assert model.arch.describe() == "4-5-3" and model.arch.activations == ("relu",)
    assert model.task == "classes" and model.arch.output_activation == "softmax"
    X = rng.normal(size=(6, 4)).astype(np.float32)
    ref = ort.InferenceSession(raw, providers=["CPUExecutionProvider"]).run(None, {"x": X})[0]
    np.testing.assert_allclose(model.predict(X.astype(np.float64)), ref, atol=1e-5)


def test_onnx_with_unsupported_operators_is_refused():
    pytest.importorskip("onnx")
    from onnx import TensorProto, helper

    from nnviz.io import format_onnx as onnxfile

    g = helper.make_graph([helper.make_node("Conv", ["x", "w"], ["y"])], "cnn",
                          [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, 4, 4])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)])
    raw = helper.make_model(g).SerializeToString()
    with pytest.raises(ValueError, match="unsupported operator Conv"):
        onnxfile.from_onnx(raw)
    with pytest.raises(ValueError, match="not a readable ONNX file"):
        onnxfile.from_onnx(b"garbage" * 10)
