"""``-`` for standard input or output: models read from stdin or written to stdout, CSV bytes
decoded, ``--export``'s destination checked before training."""

from __future__ import annotations

import sys
from pathlib import Path

from .. import io as nnio
from .options import STDIO


def read_stdin() -> bytes:
    if sys.stdin is None or sys.stdin.isatty():
        raise ValueError("- means standard input, and nothing is piped into it")
    return sys.stdin.buffer.read()


def _utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return True


def decode(raw: bytes) -> str:
    """Piped CSV text: UTF-8 (a byte-order mark dropped), else Latin-1."""
    return raw.decode("utf-8-sig") if _utf8(raw) else raw.decode("latin-1")


def load_model(spec: str):
    """A model file, or with "-" a JSON model on standard input."""
    if spec != STDIO:
        return nnio.load(spec)
    from ..io import format_json

    try:
        return format_json.load_bytes(read_stdin(), Path("<stdin>"))
    except ValueError as exc:
        raise ValueError(f"<stdin>: {exc}") from None


def save_model(model, target: str) -> None:
    """Write a model file, or with "-" the JSON model on standard output."""
    if target != STDIO:
        nnio.save(model, target)
        return
    from ..io import format_json

    sys.stdout.buffer.write(format_json.save_bytes(model))
    sys.stdout.flush()


def check_export(args) -> None:
    """--export's destination, before training (stdout: not with --json, which writes there too)."""
    if args.export == STDIO:
        if args.json:
            raise ValueError("--export - and --json both write to stdout: choose one")
        return
    nnio.check_target(args.export)
