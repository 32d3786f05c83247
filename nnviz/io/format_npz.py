"""The NPZ model format: one array per weight matrix (``W1``, ``W2``, ...) plus the model
document without its weights as a JSON string (``meta``).

Plain ``numpy.load(path, allow_pickle=False)`` reads it.  nnviz reads it more warily: the
``.npy`` header of every member is read first (dtype, shape), an NPZ that needs pickle is
refused, and each weight matrix must have the shape the architecture in ``meta`` gives and
occupy exactly the bytes its header announces, so neither a header that claims 10^12 values
nor a small compressed member that expands to gigabytes is ever read into memory.  A header
must be in the form numpy writes (checked before numpy parses it, so numpy's fallback for
Python 2 headers, which warns, is never taken).
"""

from __future__ import annotations

import io
import json
import lzma
import math
import re
import tokenize
import zipfile
import zlib
from typing import Any
from pathlib import Path

import numpy as np
from numpy.lib import format as npy

from ..core.model import Model
from .document import architecture, model_from_dict, model_to_dict, parse_json

EXTENSION = ".npz"
ORDER = 2  # its place in the list of formats
MAX_META_BYTES = 64 * 2**20  # the JSON string of names and scaling
# what zipfile and numpy's .npy header parser (ast.literal_eval on the header text) raise on bad input
_BROKEN = (OSError, EOFError, ValueError, RuntimeError, NotImplementedError, KeyError, IndexError, TypeError,
           SyntaxError, tokenize.TokenError, RecursionError, zipfile.BadZipFile, zlib.error, lzma.LZMAError,
           OverflowError)


def save_bytes(model: Model) -> bytes:
    doc = model_to_dict(model)
    weights = doc.pop("weights")
    arrays: dict[str, Any] = {f"W{li}": np.array(W, dtype=np.float64) for li, W in enumerate(weights, start=1)}
    arrays["meta"] = np.array(json.dumps(doc))
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


# {'descr': '<f8', 'fortran_order': False, 'shape': (5, 6), } as numpy writes it, padded with spaces
_HEADER = re.compile(r"\{ *'descr' *: *'[<>|=]?(?:[biufcSUV]\d+|O|[mM]8(?:\[\w+\])?)' *,"
                     r" *'fortran_order' *: *(?:True|False) *,"
                     r" *'shape' *: *\( *(?:\d+ *, *)*(?:\d+ *,? *)?\) *,? *\} *\n?")


def _header(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[tuple[int, ...], np.dtype, bool, int]:
    """(shape, dtype, Fortran order, bytes before the data) of a .npy member, from its header alone."""
    with zf.open(info) as fh:
        start = fh.read(10)
        if start[:6] != b"\x93NUMPY" or start[6:8] not in (b"\x01\x00", b"\x02\x00"):
            raise ValueError(f"{info.filename}: not a .npy array numpy 1 or 2 wrote")
        if start[6] == 1:
            size = int.from_bytes(start[8:10], "little")
        else:
            start += fh.read(2)
            size = int.from_bytes(start[8:12], "little")
        text = fh.read(size) if size <= 10_000 else b""
    if len(text) != size or not _HEADER.fullmatch(text.decode("latin-1")):
        raise ValueError(f"{info.filename}: the .npy header is malformed")
    read = npy.read_array_header_1_0 if start[6] == 1 else npy.read_array_header_2_0
    shape, fortran, dtype = read(io.BytesIO(start[8:] + text))
    return shape, dtype, fortran, len(start) + size


def _read(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, header) -> np.ndarray:
    """The member's array, once its header has been checked against what it must hold: the
    member must be exactly as long as the header says (zipfile never returns more than that)."""
    shape, dtype, fortran, offset = header
    size = math.prod(shape) * dtype.itemsize
    if info.file_size != offset + size:
        raise ValueError(f"the array {name} is not as long as its header says")
    try:
        with zf.open(info) as fh:
            fh.read(offset)
            data = fh.read(size)
    except _BROKEN as exc:
        raise ValueError(f"the array {name} is unreadable ({exc.__class__.__name__})") from None
    if len(data) != size:
        raise ValueError(f"the array {name} is not as long as its header says")
    try:
        return np.frombuffer(data, dtype=dtype).reshape(shape, order="F" if fortran else "C")
    except (ValueError, TypeError) as exc:
        raise ValueError(f"the array {name} is unreadable ({exc.__class__.__name__})") from None


def sniff(head: bytes) -> None:
    """An NPZ file is a zip archive: its first bytes are a zip record's "PK" signature."""
    if not head.startswith(b"PK"):
        raise ValueError("not a readable NPZ file (not a zip archive)")


def load_bytes(raw: bytes, path: Path) -> Model:
    try:
        zf = zipfile.ZipFile(io.BytesIO(raw))
    except _BROKEN as exc:
        raise ValueError(f"not a readable NPZ file ({exc.__class__.__name__})") from None
    with zf:
        try:
            members = {i.filename[:-4]: i for i in zf.infolist() if i.filename.endswith(".npy")}
            headers = {name: _header(zf, info) for name, info in members.items()}
        except _BROKEN as exc:
            raise ValueError(f"not a readable NPZ file ({exc.__class__.__name__})") from None
        for _, dtype, _, _ in headers.values():
            if dtype.hasobject:
                raise ValueError("refused: the NPZ file needs pickle to load, which could run code")
        if "meta" not in headers:
            raise ValueError("not an nnviz NPZ model (no 'meta' array)")
        shape, dtype, _, _ = headers["meta"]
        if dtype.kind != "U" or shape != ():
            raise ValueError("the 'meta' array is not a JSON string")
        if dtype.itemsize > MAX_META_BYTES:
            raise ValueError(f"the 'meta' string is too long ({dtype.itemsize:,} bytes)")
        doc = parse_json(str(_read(zf, members["meta"], "meta", headers["meta"]).item()))
        if not isinstance(doc, dict):
            raise ValueError("the 'meta' array is not a JSON object")
        arch = architecture(doc)
        found = sorted(n for n in headers if n[:1] == "W" and n[1:].isdigit())
        if len(found) != len(arch.shapes):
            raise ValueError(f"{len(found)} weight matrices, the {arch.describe()} architecture needs "
                             f"{len(arch.shapes)}")
        weights = []
        for li, expected in enumerate(arch.shapes, start=1):
            name = f"W{li}"
            if name not in headers:
                raise ValueError(f"weight matrix {name} is missing")
            shape, dtype, _, _ = headers[name]
            if dtype.kind != "f":
                raise ValueError(f"weight matrix {name} has dtype {dtype}, expected floating point")
            if shape != expected:
                raise ValueError(f"weight matrix {name} has shape {shape}, expected {expected} for {arch.describe()}")
            weights.append(_read(zf, members[name], name, headers[name]))
    doc["weights"] = weights
    return model_from_dict(doc)
