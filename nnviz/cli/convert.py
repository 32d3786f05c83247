"""``nnviz convert`` (a model as a NumPy, R or PyTorch program, or in another model format) and
``nnviz completion`` (a shell completion script made from the parser itself)."""

from __future__ import annotations

import sys
from pathlib import Path

from .. import io as nnio
from ..core import data as datamod
from .options import STDIO, detail, note
from .stdio import load_model

_CODE = ("numpy", "r", "pytorch")
_MODEL_FORMATS = ("json", "npz", "csv", "onnx")


def add_parsers(sub) -> None:
    cv = sub.add_parser("convert", help="write a model as a standalone NumPy, R or PyTorch program, or in another "
                                        "model format")
    cv.add_argument("--model", required=True, help="model file (.json, .npz, .onnx), or - for JSON on stdin")
    cv.add_argument("--to", choices=(*_CODE, *_MODEL_FORMATS),
                    help="numpy, r or pytorch (a program), or json, npz, csv, onnx (a model file); "
                         "default: from --out's extension (.R, .json, .npz, .csv, .onnx)")
    cv.add_argument("--out", required=True, help="the file to write, or - for stdout")
    co = sub.add_parser("completion", help="print a shell completion script (bash, zsh or fish)")
    co.add_argument("shell", choices=("bash", "zsh", "fish"))


def cmd_convert(args) -> int:
    """A model as a program (numpy, r, pytorch) or in another model format."""
    to = args.to
    if to is None:
        ext = Path(args.out).suffix.lower()
        to = {".r": "r", ".json": "json", ".npz": "npz", ".csv": "csv", ".onnx": "onnx"}.get(ext)
        if to is None:
            raise ValueError(f"--to is needed for {args.out}: numpy, r, pytorch, json, npz, csv or onnx")
    if to in _MODEL_FORMATS and args.out != STDIO and Path(args.out).suffix.lower() != f".{to}":
        raise ValueError(f"--to {to} writes a .{to} file (got --out {args.out})")
    if args.out != STDIO:
        nnio.atomic.check_writable(args.out)
    model = load_model(args.model)
    detail(args, f"{args.model}: the {model.arch.describe()} network ({', '.join(model.arch.layer_activations)}), "
            f"inputs {', '.join(model.input_names)}")
    if to in _CODE:
        from ..io import codegen

        text = codegen.render(model, to)
        if args.out == STDIO:
            sys.stdout.write(text)
        else:
            nnio.atomic.write_text(args.out, text)
    elif args.out == STDIO:
        fmt = nnio.formats()[f".{to}"]
        getattr(fmt, "available", lambda: None)()
        sys.stdout.buffer.write(fmt.save_bytes(model))
        sys.stdout.flush()
    else:
        nnio.save(model, args.out)
    if args.out != STDIO:
        note(args, f"the {model.arch.describe()} network written to {args.out} ({to})")
    return 0


def cmd_completion(args) -> int:
    from ..completion import script

    from . import build_parser

    sys.stdout.write(script(build_parser(), args.shell, tuple(datamod.BUILTINS)))
    return 0
