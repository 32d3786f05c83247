"""Files: model files in every format, sessions, atomic writes.

    atomic.py        reads and atomic writes with one-line errors; check_writable
    document.py      the model document (dict <-> Model) and its checks
    registry.py      formats by extension: load, save, check_target
    format_json.py   format_npz.py   format_csv.py   format_onnx.py   one module per format
    onnx_import.py   reading an ONNX graph as a multilayer perceptron (the MLP patterns only), with
                     onnx_constants.py (tensors), onnx_wiring.py (producers, users, the followed output),
                     onnx_nodes.py (a node as a step), onnx_path.py (the walk), onnx_layers.py (the folds)
    session.py       session files (.nnviz)
    rcompare.py      comparing a run with R's neuralnet, with rjob.py (R's files and script), rscript.py
                     (finding and running Rscript) and neuralnet_args.py (what neuralnet can do)

``load(path)``, ``save(model, path)`` and ``check_target(path)`` pick the format by the
file's extension.  Nothing here imports the GUI or the CLI; the core imports nothing from here.
"""

from __future__ import annotations

from . import atomic
from .document import finite_or_none, model_from_dict, model_to_dict
from .format_csv import read_csv_weights, weights_to_csv
from .registry import check_target, format_for, formats, load, save

__all__ = ["atomic", "check_target", "finite_or_none", "format_for", "formats", "load", "model_from_dict",
           "model_to_dict", "read_csv_weights", "save", "weights_to_csv"]
