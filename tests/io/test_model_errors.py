"""Bad model files (JSON, NPZ): each is refused with one line naming the file, and the CLI
prints it as ``nnviz: error: ...`` with exit status 2."""

import io
import json
import zipfile

import numpy as np
import pytest
from numpy.lib import format as npy

from nnviz import cli
from nnviz import io as nnio
from nnviz.core.experiment import Experiment, Settings


@pytest.fixture(scope="module")
def model():
    e = Experiment(Settings(data="iris", hidden=(6,), seed=3))
    e.session.run(20)
    return e.model()


def _refused(path, *parts):
    with pytest.raises(ValueError) as info:
        nnio.load(path)
    msg = str(info.value)
    assert msg.startswith(f"{path}: ") and "\n" not in msg, msg
    for p in parts:
        assert p in msg, msg
    return msg


def _json(tmp_path, model, mutate, name="m.json"):
    doc = nnio.model_to_dict(model)
    mutate(doc)
    p = tmp_path / name
    p.write_text(json.dumps(doc))
    return p


@pytest.mark.parametrize("mutate,text", [
    (lambda d: d.update(target_columns=5), "'target_columns' must be a list of names"),
    (lambda d: d.update(target_columns=[1, 2]), "'target_columns' must be a list of names"),
    (lambda d: d["inputs"].__setitem__(1, d["inputs"][0]), "the name 'Sepal.Length' appears twice"),
    (lambda d: d["outputs"].__setitem__(2, "setosa"), "'setosa' appears twice"),
    (lambda d: d["weights"][0][0].__setitem__(0, "0.5"), "weight matrix 1 is not a numeric array"),
    (lambda d: d["weights"][1][2].__setitem__(1, True), "weight matrix 2 is not a numeric array"),
    (lambda d: d["weights"][0].__setitem__(1, [1.0]), "weight matrix 1 has rows of different lengths"),
    (lambda d: d["scaling"]["x_scale"].__setitem__(0, "2"), "scaling x_scale is not a list of numbers"),
    (lambda d: d["scaling"]["y_center"].__setitem__(0, False), "scaling y_center is not a list of numbers"),
    (lambda d: d.update(version=True), "the format version is missing or invalid"),
    (lambda d: d.update(version=1.0), "the format version is missing or invalid"),
    (lambda d: d["architecture"].update(sizes=[4, True, 3]), "positive integers"),
    (lambda d: d["architecture"].update(activations=[["sigmoid"]]), "'activations' must be a list of names"),
    (lambda d: d["architecture"].update(hidden=[7]), "'hidden' does not match 'sizes'"),
    (lambda d: d["architecture"].update(sizes=[4, 10**6, 10**6, 3]), "nnviz reads at most"),
    (lambda d: d.update(class_names="setosa"), "'class_names' must be a list of names"),
    (lambda d: d.update(training=[1]), "'training' must be an object"),
    (lambda d: d["training"].update(iterations=[5]), "'iterations' must be a whole number"),
    (lambda d: d["training"].update(iterations=-1), "'iterations' must be a whole number"),
    (lambda d: d["training"].update(imported_from=3), "'imported_from' must be a name"),
    # inputs scaled by 1 / 0, outputs multiplied by 0: refused, not loaded to predict inf or 0
    (lambda d: d["scaling"]["x_scale"].__setitem__(2, 0.0), "scaling factors must not be zero"),
    (lambda d: d["scaling"]["x_scale"].__setitem__(0, -0.0), "scaling factors must not be zero"),
    (lambda d: d["scaling"]["y_scale"].__setitem__(1, 0), "scaling factors must not be zero"),
    # an error history that goes back in iterations (drawn by nnviz plot --what errors)
    (lambda d: d["training"].update(history={"iterations": [0, 5, 3, 9], "mse": [0.5, 0.4, 0.3, 0.2]}),
     "'training' 'history' iterations must not go down"),
    (lambda d: d["training"].update(history={"iterations": [0, 2**70], "mse": [0.5, 0.4]}),
     "'training' 'history' must hold 'iterations' (whole numbers from 0 to 10^15)"),
    (lambda d: d["training"].update(history={"iterations": [0, 1], "mse": [0.5]}), "of the same length"),
])
def test_json_fields_of_the_wrong_type(tmp_path, model, mutate, text):
    _refused(_json(tmp_path, model, mutate), text)


def test_deeply_nested_json(tmp_path):
    p = tmp_path / "deep.json"
    p.write_text("[" * 100_000 + "]" * 100_000)
    _refused(p, "nested too deeply")
    p.write_text('{"format": "nnviz-model", "version": 1, "weights": ' + "[" * 50_000 + "]" * 50_000 + "}")
    _refused(p)


def test_a_number_too_long_for_python(tmp_path):
    p = tmp_path / "long.json"
    p.write_text('{"format": "nnviz-model", "version": 1' + "0" * 5000 + "}")
    _refused(p, "a number is too long")


def test_not_text(tmp_path):
    p = tmp_path / "bin.json"
    p.write_bytes(b"\xff\xfe\x00garbage")
    _refused(p, "not a text file")


def test_cli_prints_one_line_and_exits_2(tmp_path, model, capsys):
    p = _json(tmp_path, model, lambda d: d.update(target_columns=5))
    rows = tmp_path / "rows.csv"
    rows.write_text("a\n1\n")
    assert cli.main(["predict", "--model", str(p), "--data", str(rows)]) == 2
    err = capsys.readouterr().err
    assert err == f"nnviz: error: {p}: 'target_columns' must be a list of names\n"


# -- NPZ -----------------------------------------------------------------------

def _npy_header(shape, dtype="<f8") -> bytes:
    buf = io.BytesIO()
    npy.write_array_header_1_0(buf, {"descr": dtype, "fortran_order": False, "shape": shape})
    return buf.getvalue()  # the magic string and the header


def _python2_header(shape) -> bytes:
    h = _npy_header(shape)
    end = h.index(b"}") + 1
    return h[:end] + b"\n" + b" " * (len(h) - end - 1)


def _npz(tmp_path, model, members: dict, name="m.npz", compression=zipfile.ZIP_STORED):
    """An NPZ with the model's meta and weights, members replaced or added by ``members``
    (name -> bytes, or a callable that writes to the open member)."""
    good = io.BytesIO(nnio.format_for("m.npz").save_bytes(model))
    p = tmp_path / name
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(p, "w", compression) as dst:
        for info in src.infolist():
            key = info.filename[:-4]
            if key not in members:
                dst.writestr(info.filename, src.read(info))
        for key, data in members.items():
            if callable(data):
                with dst.open(f"{key}.npy", "w", force_zip64=True) as fh:
                    data(fh)
            elif data is not None:
                dst.writestr(f"{key}.npy", data)
    return p


def test_npz_header_that_claims_a_trillion_values(tmp_path, model):
    p = _npz(tmp_path, model, {"W1": _npy_header((10**6, 10**6)) + b"\0" * 64})
    _refused(p, "weight matrix W1 has shape (1000000, 1000000), expected (5, 6)")


def test_npz_that_expands_is_refused_from_its_header(tmp_path, model, monkeypatch):
    """A 300 MB array of zeros compressed to 300 kB: refused before any of it is read."""
    chunk = b"\0" * 2**20

    def write(fh):
        fh.write(_npy_header((6000, 6250)))
        for _ in range(300):
            fh.write(chunk)

    p = _npz(tmp_path, model, {"W1": write}, compression=zipfile.ZIP_DEFLATED)
    assert p.stat().st_size < 2_000_000
    read = {"bytes": 0}
    real_read = zipfile.ZipExtFile.read

    def counting(self, n=-1):
        data = real_read(self, n)
        read["bytes"] += len(data)
        return data

    monkeypatch.setattr(zipfile.ZipExtFile, "read", counting)
    _refused(p, "weight matrix W1 has shape (6000, 6250), expected (5, 6)")
    assert read["bytes"] < 1_000_000


def test_npz_member_longer_or_shorter_than_its_header(tmp_path, model):
    W1 = np.asarray(model.network.weights[0])
    data = _npy_header(W1.shape) + W1.astype("<f8").tobytes()
    _refused(_npz(tmp_path, model, {"W1": data + b"\0" * 8}, "long.npz"), "W1 is not as long as its header says")
    _refused(_npz(tmp_path, model, {"W1": data[:-8]}, "short.npz"), "W1 is not as long as its header says")


@pytest.mark.parametrize("members,text", [
    ({"W1": _npy_header((5, 6), "|b1") + b"\0" * 30}, "W1 has dtype bool, expected floating point"),
    ({"W1": _npy_header((5, 6), "<U3") + b"\0" * 360}, "W1 has dtype <U3, expected floating point"),
    ({"W1": _npy_header((5, 6), "<i8") + b"\0" * 240}, "W1 has dtype int64, expected floating point"),
    ({"W2": None}, "1 weight matrices, the 4-6-3 architecture needs 2"),
    ({"W3": _npy_header((1,)) + b"\0" * 8}, "3 weight matrices"),
    ({"meta": _npy_header((), "<U20000000")}, "the 'meta' string is too long (80,000,000 bytes)"),
    ({"meta": _npy_header((), "<U1000000000000")}, "not a readable NPZ file"),
    ({"meta": _npy_header((2,), "<U4") + b"\0" * 32}, "the 'meta' array is not a JSON string"),
    ({"meta": None}, "no 'meta' array"),
    ({"W1": b"\x93NUMPY\x01\x00\x10\x00{'descr': 'x'}  \n"}, "not a readable NPZ file"),
    ({"W1": b"\x93NUMPY\x03\x00" + b"\0" * 20}, "not a readable NPZ file"),
    # a header ending in a line of spaces: numpy parses it with its Python 2 fallback, and warns
    ({"W1": _python2_header((5, 6)) + b"\0" * 240}, "not a readable NPZ file"),
])
def test_npz_members_that_do_not_fit(tmp_path, model, members, text):
    _refused(_npz(tmp_path, model, members), text)


def _meta(doc) -> bytes:
    text = json.dumps(doc)
    a = np.array(text)
    buf = io.BytesIO()
    npy.write_array(buf, a)
    return buf.getvalue()


@pytest.mark.parametrize("mutate,text", [
    (lambda d: d.update(target_columns=5), "'target_columns' must be a list of names"),
    (lambda d: d.update(version=True), "the format version is missing or invalid"),
    (lambda d: d["inputs"].__setitem__(1, d["inputs"][0]), "appears twice"),
    (lambda d: d["scaling"]["x_scale"].__setitem__(1, 0.0), "scaling factors must not be zero"),
    (lambda d: d["training"].update(history={"iterations": [3, 2], "mse": [0.5, 0.4]}), "must not go down"),
])
def test_npz_meta_fields(tmp_path, model, mutate, text):
    doc = nnio.model_to_dict(model)
    doc.pop("weights")
    mutate(doc)
    _refused(_npz(tmp_path, model, {"meta": _meta(doc)}), text)


def test_npz_meta_that_is_deeply_nested(tmp_path, model):
    a = np.array("[" * 100_000 + "]" * 100_000)
    buf = io.BytesIO()
    npy.write_array(buf, a)
    _refused(_npz(tmp_path, model, {"meta": buf.getvalue()}), "nested too deeply")


def test_not_a_zip_and_a_corrupt_member(tmp_path, model):
    p = tmp_path / "x.npz"
    p.write_bytes(b"PK\x03\x04 not really")
    _refused(p, "not a readable NPZ file")
    good = nnio.format_for("m.npz").save_bytes(model)
    i = good.index(b"W1.npy") + 200  # inside W1's data: the CRC no longer matches
    p.write_bytes(good[:i] + bytes([good[i] ^ 0xFF]) + good[i + 1:])
    _refused(p, "(BadZipFile)")
