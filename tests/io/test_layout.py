"""The io package's layout: the old modules are gone, and the format registry finds one module
per format by its extension.  (No import cycles and downward-only imports: tests/test_architecture.py.)"""

from pathlib import Path

import pytest

import nnviz
from nnviz import io as nnio

ROOT = Path(nnviz.__file__).parent


def test_the_old_modules_are_gone():
    for old in ("modelio.py", "onnxio.py", "sessionio.py"):
        assert not (ROOT / old).exists()


def test_formats_are_found_by_extension_in_order():
    assert list(nnio.formats()) == [".json", ".npz", ".csv", ".onnx"]
    for ext, fmt in nnio.formats().items():
        assert fmt.__name__ == f"nnviz.io.format_{ext[1:]}"
        assert callable(fmt.save_bytes) and callable(fmt.load_bytes)
    assert nnio.format_for("M.JSON") is nnio.formats()[".json"]
    with pytest.raises(ValueError, match=r"m.h5: unsupported model file extension '.h5' \(supported: .json, .npz"):
        nnio.format_for("m.h5")

