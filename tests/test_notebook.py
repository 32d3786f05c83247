"""examples/nnviz.ipynb executed headless (nbclient, offscreen Qt): every cell runs and its
outputs are what the notebook says they are."""

import os
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")
pytest.importorskip("sklearn")

NOTEBOOK = Path(__file__).resolve().parents[1] / "examples" / "nnviz.ipynb"


def _outputs(cell) -> dict:
    """The cell's outputs by MIME type (stream text under "stream")."""
    out: dict = {}
    for o in cell.outputs:
        if o.output_type == "stream":
            out["stream"] = out.get("stream", "") + o.text
        elif o.output_type == "error":
            raise AssertionError(f"{o.ename}: {o.evalue}")
        else:
            out.update(o.get("data", {}))
    return out


@pytest.mark.slow
def test_the_example_notebook_runs_and_shows_what_it_says(tmp_path):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")  # kept without outputs
    env_before = os.environ.get("QT_QPA_PLATFORM")
    os.environ["QT_QPA_PLATFORM"] = "offscreen"  # the kernel's Qt: no display here
    try:
        client = nbclient.NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}})
        client.execute()
    finally:
        if env_before is None:
            os.environ.pop("QT_QPA_PLATFORM", None)
        else:
            os.environ["QT_QPA_PLATFORM"] = env_before
    code = [c for c in nb.cells if c.cell_type == "code"]
    run, window, summary, errors, predictions, scores, film, live, program = (_outputs(c) for c in code)
    assert run["text/plain"].startswith("<nnviz.Trainer iris: 4-6-6-3, iteration 50,000, mse 0.00435217")
    assert "<svg" in run["image/svg+xml"] and "Petal.Length" in run["image/svg+xml"]
    assert "image/png" in run
    assert "'accuracy': 0.9933333333333333" in summary["text/plain"] and "max_iterations" in summary["text/plain"]
    assert "<svg" in errors["image/svg+xml"] and errors["image/svg+xml"] != run["image/svg+xml"]
    assert "['setosa', 'setosa', 'setosa', 'setosa', 'setosa']" in predictions["text/plain"]
    assert scores["text/plain"].startswith("array([")
    assert film["text/html"].startswith('<img src="data:image/gif;base64,R0lGOD')
    assert window["text/plain"] == "True"
    # the run reached the window through Qt's event loop between cells (nothing pumped it by hand)
    assert live["text/plain"] == "(50000, '4-6-6-3')"
    assert program["stream"].startswith("#!/usr/bin/env Rscript")
