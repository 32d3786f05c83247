"""Model formats by file extension.

Every module ``format_<name>.py`` in this package is one format.  It defines ``EXTENSION``
(".json"), ``ORDER`` (its place in lists), ``save_bytes(model) -> bytes`` and
``load_bytes(raw, path) -> Model`` (a ValueError without the file's name; this module puts
it in front), and may define ``available()``, which raises ValueError when a package the
format needs is missing, and ``sniff(first_bytes)``, which refuses a file that cannot be of
the format from its first bytes, before the rest is read.  Adding a format is adding one such file.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache
from pathlib import Path
from types import ModuleType

from ..core.model import Model
from . import atomic

MAX_FILE_BYTES = 2**30  # a model file larger than this is refused unread


@lru_cache(maxsize=1)
def formats() -> dict[str, ModuleType]:
    """The format modules by extension, in their ORDER."""
    found = [importlib.import_module(f"{__package__}.{m.name}")
             for m in pkgutil.iter_modules([str(Path(__file__).parent)]) if m.name.startswith("format_")]
    return {m.EXTENSION: m for m in sorted(found, key=lambda m: m.ORDER)}


def format_for(path: str | Path) -> ModuleType:
    """The format module for the path's extension; ValueError listing the extensions otherwise."""
    path = Path(path)
    known = formats()
    fmt = known.get(path.suffix.lower())
    if fmt is None:
        raise ValueError(f"{path}: unsupported model file extension {path.suffix or '(none)'!r} "
                         f"(supported: {', '.join(known)})")
    return fmt


def _available(fmt: ModuleType, path: Path) -> None:
    try:
        getattr(fmt, "available", lambda: None)()
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from None


def check_target(path: str | Path) -> None:
    """Fail early (before a long training run) if a model could not be written to ``path``."""
    path = Path(path)
    _available(format_for(path), path)
    atomic.check_writable(path)


def save(model: Model, path: str | Path) -> None:
    """Write a model file atomically; the format follows the extension."""
    path = Path(path)
    fmt = format_for(path)
    _available(fmt, path)
    try:
        data = fmt.save_bytes(model)
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from None
    atomic.write_bytes(path, data)


def load(path: str | Path) -> Model:
    """Read and check a model file; ValueError of one line naming the file."""
    path = Path(path)
    fmt = format_for(path)
    raw = atomic.read_bytes(path, limit=MAX_FILE_BYTES, sniff=getattr(fmt, "sniff", None))
    try:
        return fmt.load_bytes(raw, path)
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from None
