"""An ONNX graph's constants as arrays: its initializers and Constant nodes, inline or in a side file.

A tensor is checked before its data is read: no negative dimension, at most ``MAX_WEIGHTS``
values, of a type the caller expects (float types are read as float64).  Weights kept in a
side file (``m.onnx.data``, as torch.onnx.export writes them) are read from the model's own
folder only, from a regular file, at the offset and length the entry gives, which must fit
the tensor's shape.  ``inlined`` is the model with those weights in it, for onnxruntime's
check.  Left out: what the constants mean (the nodes that use them are read elsewhere).
"""

from __future__ import annotations

import math
import os
import stat
from pathlib import Path

import numpy as np

from .document import MAX_WEIGHTS

FLOAT_TYPES = {1: "FLOAT", 10: "FLOAT16", 11: "DOUBLE"}  # TensorProto data types
INT_TYPES = {6: "INT32", 7: "INT64"}
BOOL_TYPES = {9: "BOOL"}


class Constants:
    """The graph's constants by name, each read once (per expected type)."""

    def __init__(self, onnx, model, folder: Path | None):
        self.onnx, self.model, self.folder = onnx, model, folder
        self.inits = {t.name: t for t in model.graph.initializer}
        self.constant_nodes = {n.output[0]: n for n in model.graph.node if n.op_type == "Constant" and n.output}
        self.cache: dict[str, np.ndarray] = {}

    def is_const(self, name: str) -> bool:
        return name in self.inits or name in self.constant_nodes

    def const(self, name: str, what: str, types: dict = FLOAT_TYPES) -> np.ndarray:
        """A constant as an array (float64 for float types); ValueError if it is of another type."""
        key = f"{name}\0{sorted(types)}"
        if key not in self.cache:
            self.cache[key] = self._const(name, what, types)
        return self.cache[key]

    def _const(self, name: str, what: str, types: dict) -> np.ndarray:
        if not self.is_const(name):
            raise ValueError(f"{what} {name!r}: not a constant")
        if name in self.inits:
            return self._tensor(self.inits[name], what, types)
        node = self.constant_nodes[name]
        attrs = {a.name: a for a in node.attribute}
        if "value" in attrs:
            return self._tensor(attrs["value"].t, what, types)
        a = next(iter(attrs.values()), None)
        if a is not None and a.name in ("value_float", "value_floats") and types is FLOAT_TYPES:
            return np.array(a.f if a.name == "value_float" else list(a.floats), dtype=np.float64)
        if a is not None and a.name in ("value_int", "value_ints") and types is INT_TYPES:
            return np.array(a.i if a.name == "value_int" else list(a.ints), dtype=np.int64)
        raise ValueError(f"{what} {name!r}: a constant of a kind nnviz does not read")

    def _tensor(self, t, what: str, types: dict) -> np.ndarray:
        from onnx import numpy_helper

        dims = list(t.dims)
        if any(d < 0 for d in dims):
            raise ValueError(f"{what} {t.name!r}: a negative dimension; the file is malformed")
        numel = math.prod(dims)
        if numel > MAX_WEIGHTS:
            raise ValueError(f"{what} {t.name!r}: {numel:,} values; nnviz reads at most {MAX_WEIGHTS:,}")
        if t.data_type not in types:
            kind = self.onnx.TensorProto.DataType.Name(t.data_type) if t.data_type in \
                self.onnx.TensorProto.DataType.values() else str(t.data_type)
            names = list(types.values())
            expected = ", ".join(names[:-1]) + " or " + names[-1] if len(names) > 1 else names[0]
            raise ValueError(f"{what} {t.name!r}: of type {kind}, expected {expected}")
        if t.data_location == self.onnx.TensorProto.EXTERNAL:
            copy = self.onnx.TensorProto()
            copy.CopyFrom(t)
            copy.raw_data = self._external(t, numel)
            copy.data_location = self.onnx.TensorProto.DEFAULT
            del copy.external_data[:]
            t = copy
        try:
            a = numpy_helper.to_array(t)
        except Exception as exc:  # the decoder's own errors, on a tensor whose data does not fit its shape
            raise ValueError(f"{what} {t.name!r}: malformed ({exc.__class__.__name__})") from None
        if a.shape != tuple(dims):
            raise ValueError(f"{what} {t.name!r}: malformed")
        return a.astype(np.float64) if types is FLOAT_TYPES else a

    def _external(self, t, numel: int) -> bytes:
        """The bytes of a tensor kept in a side file, read only from inside the model's folder."""
        info = {e.key: e.value for e in t.external_data}
        where = info.get("location", "")
        if self.folder is None:
            raise ValueError(f"the weights {t.name!r} are in a side file ({where!r}); open the model from its file")
        itemsize = np.dtype(self.onnx.helper.tensor_dtype_to_np_dtype(t.data_type)).itemsize
        need = numel * itemsize
        try:
            offset, length = int(info.get("offset", "0")), int(info.get("length", str(need)))
            base = os.path.realpath(self.folder)
            target = os.path.realpath(os.path.join(base, where))
            inside = bool(where) and not os.path.isabs(where) and os.path.commonpath([base, target]) == base
        except ValueError:
            raise ValueError(f"the side-file entry of {t.name!r} is malformed") from None
        if not inside:
            raise ValueError(f"the weights {t.name!r} point to the side file {where!r}, outside the model's "
                             "folder; refused")
        if offset < 0 or length != need:
            raise ValueError(f"the side-file entry of {t.name!r} gives {length} bytes at offset {offset}; "
                             f"its shape needs {need}")
        try:
            if not stat.S_ISREG(os.stat(target).st_mode):
                raise ValueError(f"the side file {where!r} of {t.name!r} is not a regular file")
            with open(target, "rb") as fh:
                fh.seek(offset)
                data = fh.read(need)
        except FileNotFoundError:
            raise ValueError(f"the weights {t.name!r} are in the side file {where!r}, which is missing (it must "
                             "lie next to the model)") from None
        except OSError as exc:
            raise ValueError(f"cannot read the side file {where!r} ({exc.strerror})") from None
        if len(data) != need:
            raise ValueError(f"the side file {where!r} is too short for {t.name!r}")
        return data

    def inlined(self):
        """The model with the weights of side files in it, read as the path's are (for the checks)."""
        external = self.onnx.TensorProto.EXTERNAL
        if not any(t.data_location == external for t in self.model.graph.initializer):
            return self.model
        m = self.onnx.ModelProto()
        m.CopyFrom(self.model)
        for t in m.graph.initializer:
            if t.data_location == external:
                numel = math.prod(t.dims)
                if numel > MAX_WEIGHTS or t.data_type not in (*FLOAT_TYPES, *INT_TYPES, *BOOL_TYPES):
                    raise ValueError(f"the tensor {t.name!r} in a side file is not one nnviz reads")
                t.raw_data = self._external(t, numel)
                t.data_location = self.onnx.TensorProto.DEFAULT
                del t.external_data[:]
        return m
