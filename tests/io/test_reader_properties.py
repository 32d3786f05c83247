"""Property tests of the file readers: any bytes given as a model file (every format) or a
session file either load or raise nnviz's one-line ValueError; nothing else, no warning.

The bytes are random, or a good file spoiled: a field of its JSON replaced by any JSON value
or removed, bytes flipped, cut or inserted, an NPZ member or an ONNX node changed."""

import copy
import io
import json
import os
import warnings
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nnviz import io as nnio
from nnviz.core.experiment import Experiment, Settings
from nnviz.io import session as sessionfile

# deterministic in the suite; NNVIZ_PROPERTY_EXAMPLES=5000 explores afresh (a random seed per run)
DEEP = int(os.environ.get("NNVIZ_PROPERTY_EXAMPLES", "0"))
FAST = settings(max_examples=DEEP or 150, deadline=None, database=None, derandomize=not DEEP,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.sampled_from([-1, 0, 2**64, 10**400, -(2**63)])
    | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=5)
    | st.sampled_from(["sigmoid", "softmax", "linear", "gd", "rprop+", "classes", "iris", "PCG64", "nnviz-model"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=8)


def _model():
    e = Experiment(Settings(data="iris", hidden=(2,), seed=5))
    e.session.run(3)
    return e.model()


MODEL = _model()


def _has_onnx() -> bool:
    try:
        import onnx  # noqa: F401
    except ImportError:
        return False
    return True


GOOD = {ext: fmt.save_bytes(MODEL) for ext, fmt in nnio.formats().items() if ext != ".onnx" or _has_onnx()}


def _paths(doc, prefix=()):
    """Every place in a JSON document (long lists: their first three places and the list)."""
    out = [prefix]
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += _paths(v, prefix + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc[:3]):
            out += _paths(v, prefix + (i,))
    return out


@st.composite
def spoiled_json(draw, doc):
    """The document with one to three places replaced by any JSON value, or removed."""
    doc = copy.deepcopy(doc)
    places = _paths(doc)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(places))
        if not path:
            return draw(JSON)
        parent = doc
        try:
            for key in path[:-1]:
                parent = parent[key]
            if draw(st.booleans()) and isinstance(parent, (dict, list)):
                del parent[path[-1]]
            else:
                parent[path[-1]] = draw(JSON)
        except (KeyError, IndexError, TypeError):
            pass  # an earlier change removed this place
    return doc


@st.composite
def spoiled_bytes(draw, raw: bytes):
    """Bytes flipped, cut, inserted or deleted."""
    raw = bytearray(raw)
    for _ in range(draw(st.integers(1, 4))):
        how = draw(st.sampled_from(["flip", "cut", "insert", "delete"]))
        i = draw(st.integers(0, max(len(raw) - 1, 0)))
        if how == "flip" and raw:
            raw[i] ^= draw(st.integers(1, 255))
        elif how == "cut":
            del raw[i:]
        elif how == "insert":
            raw[i:i] = draw(st.binary(min_size=1, max_size=8))
        elif raw:
            del raw[i:i + draw(st.integers(1, 16))]
    return bytes(raw)


def _loads_or_refuses(call):
    """call() returns, or raises a one-line ValueError; no other exception, no warning."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = call()
        except ValueError as exc:
            msg = str(exc)
            assert msg and "\n" not in msg, repr(msg)
            result = None
    assert not caught, [f"{w.category.__name__}: {w.message}" for w in caught]
    return result


def _load_model(tmp_path_factory, ext: str, raw: bytes):
    path = tmp_path_factory.mktemp("m") / f"m{ext}"
    path.write_bytes(raw)
    model = _loads_or_refuses(lambda: nnio.load(path))
    if model is not None:
        for W in model.network.weights:
            assert np.isfinite(W).all()
        assert len(model.input_names) == model.arch.n_inputs
    return model


# -- model files ---------------------------------------------------------------------

@FAST
@given(st.sampled_from(sorted(GOOD)), st.binary(max_size=600))
def test_any_bytes_as_a_model_file(tmp_path_factory, ext, raw):
    _load_model(tmp_path_factory, ext, raw)


@FAST
@given(st.data())
def test_spoiled_model_files(tmp_path_factory, data):
    ext = data.draw(st.sampled_from(sorted(GOOD)))
    _load_model(tmp_path_factory, ext, data.draw(spoiled_bytes(GOOD[ext])))


@FAST
@given(spoiled_json(nnio.model_to_dict(MODEL)))
def test_spoiled_json_model_documents(tmp_path_factory, doc):
    _load_model(tmp_path_factory, ".json", json.dumps(doc).encode())


def _npz(members: dict) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(f"{name}.npy", data)
    return buf.getvalue()


def _npy(a: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array(buf, a, allow_pickle=False)
    return buf.getvalue()


SHAPES = st.lists(st.integers(0, 10**7), max_size=3).map(tuple)
DTYPES = st.sampled_from(["<f8", "<f4", ">f8", "<f2", "<i8", "|b1", "<U3", "<c16", "|S2", "<m8[s]"])


@FAST
@given(st.data())
def test_npz_with_spoiled_meta_and_members(tmp_path_factory, data):
    doc = nnio.model_to_dict(MODEL)
    weights = doc.pop("weights")
    meta = data.draw(st.one_of(st.just(doc), spoiled_json(doc)))
    members = {"meta": _npy(np.array(json.dumps(meta)))}
    for l, W in enumerate(weights, start=1):
        members[f"W{l}"] = _npy(np.array(W))
    name = data.draw(st.sampled_from(["W1", "W2", "W3", "meta"]))
    how = data.draw(st.sampled_from(["header", "bytes", "drop", "keep"]))
    if how == "header":
        header = io.BytesIO()
        descr = {"descr": data.draw(DTYPES), "fortran_order": data.draw(st.booleans()), "shape": data.draw(SHAPES)}
        np.lib.format.write_array_header_1_0(header, descr)
        members[name] = header.getvalue() + data.draw(st.binary(max_size=64))
    elif how == "bytes" and name in members:
        members[name] = data.draw(spoiled_bytes(members[name]))
    elif how == "drop":
        members.pop(name, None)
    _load_model(tmp_path_factory, ".npz", _npz(members))


@FAST
@given(st.data())
def test_onnx_with_spoiled_nodes_and_tensors(tmp_path_factory, data):
    onnx = pytest.importorskip("onnx")
    from onnx import helper

    m = onnx.load_from_string(GOOD[".onnx"])
    g = m.graph
    for _ in range(data.draw(st.integers(1, 3))):
        how = data.draw(st.sampled_from(["op", "input", "attr", "dims", "type", "drop", "meta"]))
        if how in ("op", "input", "attr", "drop"):
            n = g.node[data.draw(st.integers(0, len(g.node) - 1))] if len(g.node) else None
            if n is None:
                continue
            if how == "op":
                n.op_type = data.draw(st.sampled_from(["Gemm", "MatMul", "Add", "Sub", "Mul", "Div", "Relu", "Tanh",
                                                       "Softmax", "Identity", "Dropout", "Cast", "Flatten", "Reshape",
                                                       "BatchNormalization", "Erf", "Conv", "Gelu"]))
            elif how == "input":
                names = [x for node in g.node for x in node.output] + [t.name for t in g.initializer] + ["input", ""]
                if len(n.input):
                    n.input[data.draw(st.integers(0, len(n.input) - 1))] = data.draw(st.sampled_from(names))
                else:
                    n.input.append(data.draw(st.sampled_from(names)))
            elif how == "attr":
                name = data.draw(st.sampled_from(["axis", "transA", "transB", "alpha", "beta", "to", "epsilon",
                                                  "training_mode"]))
                value = data.draw(st.one_of(st.integers(-3, 3), st.floats(allow_nan=True), st.text(max_size=3)))
                n.attribute.append(helper.make_attribute(name, value))
            else:
                g.node.remove(n)
        elif how in ("dims", "type"):
            t = g.initializer[data.draw(st.integers(0, len(g.initializer) - 1))]
            if how == "dims":
                del t.dims[:]
                t.dims.extend(data.draw(st.lists(st.integers(-2, 10**7), max_size=3)))
            else:
                t.data_type = data.draw(st.integers(0, 20))
        else:
            del m.metadata_props[:]
            helper.set_model_props(m, {"nnviz": data.draw(st.one_of(JSON.map(json.dumps), st.text(max_size=20)))})
    _load_model(tmp_path_factory, ".onnx", m.SerializeToString())


@FAST
@given(st.one_of(st.binary(max_size=300).map(lambda b: b.decode("latin-1")),
                 st.lists(st.tuples(st.integers(-1, 4), st.integers(-1, 8), st.integers(-1, 8),
                                    st.one_of(st.floats(allow_nan=True), st.integers())), max_size=40).map(
                     lambda rows: "layer,row,col,weight\n" + "".join(f"{a},{b},{c},{w}\n" for a, b, c, w in rows))))
def test_csv_weights_against_an_architecture(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("w") / "w.csv"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    weights = _loads_or_refuses(lambda: nnio.read_csv_weights(path, MODEL.arch))
    if weights is not None:
        assert [W.shape for W in weights] == MODEL.arch.shapes and all(np.isfinite(W).all() for W in weights)


# -- session files ---------------------------------------------------------------------

def _session_doc(**kw) -> dict:
    e = Experiment(Settings(**kw))
    e.session.run(4)
    return sessionfile.to_dict(e.settings, e.dataset, e.session.get_state(), np.arange(4), np.linspace(1, 0, 4))


SESSION = _session_doc(data="toy", hidden=(2,), batch_size=3, momentum=0.5)


def _open_session(tmp_path_factory, raw: bytes):
    path = tmp_path_factory.mktemp("s") / "s.nnviz"
    path.write_bytes(raw)
    exp = _loads_or_refuses(lambda: sessionfile.restore(sessionfile.load(path)))
    if exp is not None:
        assert np.isfinite(exp.network.params).all()


@FAST
@given(st.one_of(st.binary(max_size=400), spoiled_bytes(json.dumps(SESSION).encode())))
def test_any_bytes_as_a_session(tmp_path_factory, raw):
    _open_session(tmp_path_factory, raw)


@FAST
@given(st.one_of(spoiled_json(SESSION), spoiled_json(_session_doc(data="xor", hidden=(3,), algorithm="rprop+"))))
def test_spoiled_session_documents(tmp_path_factory, doc):
    _open_session(tmp_path_factory, json.dumps(doc).encode())


def _csv_session() -> dict:
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "d.csv"
        p.write_text("a,b,y\n1,2,3\n4,5,7\n2,2,2\n")
        return _session_doc(data=str(p), hidden=(2,), output_activation="linear")


@FAST
@given(spoiled_json(_csv_session()))
def test_spoiled_sessions_with_embedded_data(tmp_path_factory, doc):
    _open_session(tmp_path_factory, json.dumps(doc).encode())
