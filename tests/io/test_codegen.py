"""Export as code: the NumPy, R and PyTorch programs of ``nnviz convert``, run as programs on a
CSV file, give nnviz's predictions to 1e-12 (every activation, softmax, a linear output with
target scaling, input features)."""

import csv
import io
import shutil
import subprocess
import sys

import numpy as np
import pytest

import nnviz
from nnviz import cli

RUNS = {
    # name: fit() arguments; each exercises a part of the programs
    "iris-sigmoid": dict(data="iris", iterations=300),
    "wine-softmax-relu": dict(data="wine", hidden=(5,), activation="relu", output_activation="softmax", loss="ce",
                              iterations=300),
    "gauss-mix-tanh-linear": dict(data="gauss-mix", hidden=(4, 3), activation=("tanh", "relu"),
                                  output_activation="linear", iterations=300),
    "circles-features": dict(data="circles", features=("x1", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"),
                             hidden=(3,), iterations=300),
}


def _rows(run, rng):
    """The run's raw rows with noise, the model's inputs in shuffled order among other columns."""
    X = run.dataset.X + rng.normal(scale=0.1, size=run.dataset.X.shape)
    names = list(run.dataset.input_names)
    order = rng.permutation(len(names))
    header = ["id", *[names[j] for j in order], "other"]
    body = [[str(i), *[repr(float(x[j])) for j in order], "text"] for i, x in enumerate(X)]
    return X, header, body


def _run_program(cmd, path):
    r = subprocess.run([*cmd, str(path)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    rows = list(csv.reader(io.StringIO(r.stdout)))
    return rows[0], np.array([[float(v) for v in row] for row in rows[1:]])


LANGUAGES = {
    "numpy": ([sys.executable], ".py"),
    "pytorch": ([sys.executable], ".py"),
    "r": (["Rscript", "--vanilla"], ".R"),
}


@pytest.mark.parametrize("name", list(RUNS))
@pytest.mark.parametrize("language", list(LANGUAGES))
def test_programs_reproduce_nnviz_predictions(tmp_path, name, language, capsys):
    if language == "pytorch":
        pytest.importorskip("torch")
    if language == "r" and shutil.which("Rscript") is None:
        pytest.skip("R is not installed (Rscript)")
    run = nnviz.fit(**RUNS[name])
    model_file = tmp_path / "model.json"
    run.save(model_file)
    X, header, body = _rows(run, np.random.default_rng(7))
    data = tmp_path / "data.csv"
    data.write_text("\n".join(",".join(r) for r in [header, *body]) + "\n")
    cmd, ext = LANGUAGES[language]
    program = tmp_path / f"net_{language}{ext}"
    assert cli.main(["convert", "--model", str(model_file), "--to", language, "--out", str(program)]) == 0
    names, got = _run_program([*cmd, str(program)], data)
    assert names == list(run.dataset.output_names)
    expected = nnviz.load(model_file).predict(X)
    assert got.shape == expected.shape
    assert np.abs(got - expected).max() <= 1e-12 * max(1.0, float(np.abs(expected).max()))


def test_the_numpy_program_is_nnviz_to_the_last_bit_and_imports(tmp_path):
    """The NumPy program does nnviz's arithmetic in nnviz's order: the same bits."""
    run = nnviz.fit(**RUNS["circles-features"])
    path = tmp_path / "net.py"
    path.write_text(run.model.to_code("numpy"))
    import importlib.util

    spec = importlib.util.spec_from_file_location("net", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    X = run.dataset.X
    assert np.array_equal(mod.predict(X), run.predict(X))
    assert list(run.dataset.input_names) == mod.INPUTS


def test_pytorch_program_is_an_nn_module(tmp_path):
    torch = pytest.importorskip("torch")
    run = nnviz.fit(**RUNS["wine-softmax-relu"])
    path = tmp_path / "net_torch.py"
    path.write_text(run.model.to_code("pytorch"))
    import importlib.util

    spec = importlib.util.spec_from_file_location("net_torch", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    net = mod.load()
    assert isinstance(net, torch.nn.Module)
    assert [tuple(p.shape) for p in net.parameters()] == [(5, 13), (5,), (3, 5), (3,)]
    with torch.no_grad():
        y = net(torch.tensor(run.dataset.X, dtype=torch.float64)).numpy()
    assert np.abs(y - run.predict(run.dataset.X)).max() < 1e-12


def test_convert_to_stdout_and_from_stdin_and_model_formats(tmp_path):
    run = nnviz.fit(data="toy", iterations=50)
    model = tmp_path / "m.json"
    run.save(model)
    r = subprocess.run([sys.executable, "-m", "nnviz", "convert", "--model", "-", "--to", "r", "--out", "-"],
                       input=model.read_bytes(), capture_output=True, timeout=120)
    assert r.returncode == 0 and r.stdout.startswith(b"#!/usr/bin/env Rscript") and b"predict_nnviz" in r.stdout
    assert r.stderr == b""
    npz = tmp_path / "m.npz"
    assert cli.main(["convert", "--model", str(model), "--out", str(npz), "--quiet"]) == 0
    assert np.array_equal(nnviz.load(npz).predict(run.dataset.X), run.predict(run.dataset.X))
    for bad, message in ((["--out", str(tmp_path / "x.py")], "--to is needed"),
                         (["--to", "npz", "--out", str(tmp_path / "x.json")], "writes a .npz file")):
        r = subprocess.run([sys.executable, "-m", "nnviz", "convert", "--model", str(model), *bad],
                           capture_output=True, text=True, timeout=120)
        assert r.returncode == 2 and message in r.stderr and r.stderr.count("\n") == 1
