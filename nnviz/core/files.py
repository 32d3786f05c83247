"""Reading files with one-line errors that name the file (shared by every loader)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

MAX_BYTES = 4 * 2**30  # a larger "data file" is refused before it is read


def read_bytes(path: str | Path, head: int | None = None) -> bytes:
    """The file's bytes (with ``head``: at most its first ``head`` bytes); ValueError '<path>: no
    such file' / 'is a folder' / 'cannot read (...)'.

    Only regular files are read: /dev/zero, a FIFO or a socket would fill the memory or
    block for ever, so they are refused from their type, before anything is read."""
    path = Path(path)
    try:  # non-blocking: a plain open of a FIFO would wait for a writer for ever
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise ValueError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise ValueError(f"{path}: is a folder, not a file") from None
    except OSError as exc:
        raise ValueError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise ValueError(f"{path}: is a folder, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise ValueError(f"{path}: not a regular file (a device, pipe or socket cannot be read as data)")
        if info.st_size > MAX_BYTES:
            raise ValueError(f"{path}: {info.st_size / 2**30:.1f} GiB is more than nnviz reads "
                             f"({MAX_BYTES / 2**30:.0f} GiB)")
        with os.fdopen(fd, "rb", closefd=True) as fh:
            fd = -1
            return fh.read() if head is None else fh.read(head)
    except OSError as exc:
        raise ValueError(f"{path}: cannot read ({exc.strerror})") from None
    finally:
        if fd >= 0:
            os.close(fd)


def read_text(path: str | Path, fallback_latin1: bool = False) -> str:
    """The file as UTF-8 text (a BOM is dropped); Latin-1 as a fallback for CSV files."""
    raw = read_bytes(path)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        if fallback_latin1:
            return raw.decode("latin-1")
        raise ValueError(f"{path}: not a UTF-8 text file") from None


def same_file(a: str | Path, b: str | Path) -> bool:
    """True when the paths name one file, however spelt: the same device and inode when both
    exist (so a symbolic or a hard link is caught), the same resolved path otherwise."""
    try:
        sa, sb = os.stat(a), os.stat(b)
    except (OSError, ValueError):
        try:
            return os.path.realpath(a) == os.path.realpath(b)
        except (OSError, ValueError):
            return False
    return (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino)


def refuse_own_input(destination: str | Path, inputs, what: str = "") -> None:
    """ValueError of one line when ``destination`` is one of ``inputs``, pairs (how the input is
    named to the user, its path or None): nnviz never writes over a file it reads, since the
    write would replace the very data or model the run came from.  ``what`` names the
    destination's option (--export) or role; the check is made before any work starts."""
    for name, path in inputs:
        if path and same_file(destination, path):
            lead = f"{what} {destination}" if what else str(destination)
            raise ValueError(f"{lead} is {name}: nnviz does not write over its own input; choose another file")
