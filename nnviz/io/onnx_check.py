"""Whether onnxruntime runs an ONNX graph that nnviz reads: the opset it declares, and an
onnxruntime session where onnxruntime is installed.

nnviz computes an imported graph itself, but a graph that onnxruntime (the reference its
tests compare against) refuses is refused too, so that a model imported here is one that
runs elsewhere.  An opset older than 7 is one onnxruntime does not run (opset 1's Sigmoid
has no kernel there); an opset newer than the installed onnx knows is one nothing here can
check.  The session is only made, never run, with a single thread and quiet logs.
"""

from __future__ import annotations

import re

MIN_OPSET = 7  # onnxruntime runs ai.onnx opsets 7 and newer


def check_opset(onnx, m) -> int:
    """The graph's ai.onnx opset; ValueError in one line if onnxruntime does not run it."""
    versions = {(o.domain or "ai.onnx"): o.version for o in m.opset_import}
    v = versions.get("ai.onnx")
    if v is None:
        raise ValueError("the graph declares no ONNX opset (no opset_import for ai.onnx); the file is malformed")
    newest = onnx.defs.onnx_opset_version()
    if v < MIN_OPSET:
        raise ValueError(f"ONNX opset {v} is too old: onnxruntime runs opset {MIN_OPSET} and newer; export the model "
                         "again or convert it (onnx.version_converter)")
    if v > newest:
        raise ValueError(f"ONNX opset {v} is newer than the installed onnx knows ({newest}); upgrade onnx and "
                         "onnxruntime")
    ml = versions.get("ai.onnx.ml")
    ml_newest = _newest("ai.onnx.ml", onnx)
    if ml is not None and ml_newest is not None and not 1 <= ml <= ml_newest:
        raise ValueError(f"ONNX-ML opset {ml} is not one the installed onnx knows (1 to {ml_newest})")
    return v


def _newest(domain: str, onnx) -> int | None:
    try:
        return int(onnx.defs.C.schema_version_map()[domain][1])
    except (AttributeError, KeyError, TypeError, IndexError):
        return None


def check_runs(m) -> None:
    """An onnxruntime session on the model (with its weights inside), where onnxruntime is
    installed; ValueError in one line if onnxruntime refuses it.  (onnx's checker is not used:
    it refuses graphs whose nodes are not listed in order, which onnxruntime runs.)"""
    try:
        import onnxruntime as ort
    except ImportError:
        return
    opts = ort.SessionOptions()
    opts.log_severity_level = 3  # errors only: the message comes back as the exception
    opts.intra_op_num_threads = opts.inter_op_num_threads = 1
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    try:
        ort.InferenceSession(m.SerializeToString(), opts, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own exception classes (Fail, NotImplemented, ...)
        raise ValueError(f"onnxruntime cannot run the graph: {_short(exc)}") from None


def _short(exc: BaseException) -> str:
    """The gist of an onnxruntime error on one line, without the status prefix or the
    C++ source location."""
    text = " ".join(str(exc).split())
    text = re.sub(r"^\[ONNXRuntimeError\] : \d+ : \w+ : ", "", text)
    text = re.sub(r"^/?\S+\.(?:h|cc|cpp):\d+ .*?\) (?=[A-Z])", "", text)  # "path.h:46 void f(...) Message"
    text = text or exc.__class__.__name__
    return text if len(text) <= 300 else text[:297] + "..."
