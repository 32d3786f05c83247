"""Reading and writing files with one-line errors; every write is atomic.

A write goes to a temporary file in the destination's own folder, is flushed to disk
(``fsync``), renamed over the destination (``os.replace``), and the folder is synced so that
the new name is on disk too: a crash, a power cut or a full disk never leaves half a file,
and a write that returned is durable (models, sessions, figures, films and CSV files alike).  An existing file keeps its permission bits (and its owner, where we may set
it); a symbolic link keeps pointing where it did, because the file it points to is
replaced, not the link.  A destination that is not a regular file (a terminal, a pipe,
/dev/null) cannot be renamed over and is written in place.

Every ``OSError`` becomes a ``ValueError`` of one line that names the path.  The reading
half is ``nnviz/core/files.py`` (the core reads CSV files too), re-exported here with an
optional size limit.

Not here: extended attributes, ACLs and hard links (the renamed file is a new one).
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path
from collections.abc import Callable

from ..core import files as _files

__all__ = ["read_bytes", "read_text", "write_bytes", "write_text", "write_with", "check_writable"]

read_text = _files.read_text


HEAD_BYTES = 65_536  # what ``sniff`` sees of a file before the rest is read


def read_bytes(path: str | Path, limit: int | None = None, sniff: Callable[[bytes], None] | None = None) -> bytes:
    """The file's bytes; with ``limit``, a file larger than that many bytes is refused unread;
    ``sniff(first_bytes)`` may refuse it (ValueError, named here) from its first HEAD_BYTES
    bytes, before the rest is read: a gigabyte of NUL bytes named .json costs 64 KiB."""
    if limit is not None:
        try:
            size = os.stat(path).st_size
        except OSError:
            size = 0  # read_bytes below says what is wrong
        if size > limit:
            raise ValueError(f"{path}: {size:,} bytes is too large (at most {limit:,})")
    if sniff is not None:
        try:
            sniff(_files.read_bytes(path, head=HEAD_BYTES))
        except ValueError as exc:
            if str(exc).startswith(f"{path}: "):
                raise
            raise ValueError(f"{path}: {exc}") from None
    return _files.read_bytes(path)


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc) or exc.__class__.__name__


def _umask() -> int:
    """The process's umask, read without changing it where Linux shows it."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _destination(path: Path) -> tuple[Path, os.stat_result | None]:
    """(the real file to replace, its stat or None when it does not exist yet)."""
    if not path.name:
        raise ValueError(f"{path}: not a file name")
    try:
        st = os.stat(path)  # follows symbolic links
    except FileNotFoundError:
        st = None
    except NotADirectoryError:
        raise ValueError(f"{path}: a part of the path is a file, not a folder") from None
    except (OSError, ValueError) as exc:
        raise ValueError(f"{path}: cannot write ({_reason(exc) if isinstance(exc, OSError) else exc})") from None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise ValueError(f"{path}: is a folder, not a file")
    real = Path(os.path.realpath(path))
    if st is None and not real.parent.is_dir():
        shown = real.parent if path.is_symlink() else (path.parent if str(path.parent) else Path("."))
        raise ValueError(f"{path}: the folder {shown} does not exist")
    return real, st


def _in_place(path: Path, data: bytes) -> None:
    """Write to a device or pipe, which cannot be replaced by a rename."""
    try:
        with open(path, "wb") as fh:
            fh.write(data)
    except OSError as exc:
        raise ValueError(f"{path}: cannot write ({_reason(exc)})") from None


def _fsync_folder(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # not every file system syncs folders
    finally:
        os.close(fd)


def _fsync_file(path: str) -> None:
    """Flush the file's data to the disk (what ``produce`` wrote by name, not synced)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_with(path: str | Path, produce: Callable[[str], None], allow_empty: bool = False) -> None:
    """Let ``produce(tmp_path)`` write the file (Qt's image writers want a file name), then sync
    it and move it over ``path`` atomically, and sync the folder.  An empty result is a failure
    unless ``allow_empty``."""
    path = Path(path)
    real, st = _destination(path)
    if st is not None and not stat.S_ISREG(st.st_mode):
        with tempfile.TemporaryDirectory(prefix="nnviz-") as d:
            tmp = os.path.join(d, "out" + real.suffix)
            try:
                produce(tmp)
                data = Path(tmp).read_bytes()
            except OSError as exc:
                raise ValueError(f"{path}: cannot write ({_reason(exc)})") from None
        _in_place(path, data)
        return
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{real.name}.", suffix=f".tmp{real.suffix}", dir=real.parent)
    except OSError as exc:
        raise ValueError(f"{path}: cannot write in the folder {real.parent} ({_reason(exc)})") from None
    os.close(fd)
    try:
        produce(tmp)
        if not allow_empty and os.path.getsize(tmp) == 0:
            raise OSError(5, "nothing was written")
        if st is not None:
            os.chmod(tmp, stat.S_IMODE(st.st_mode))
            if (st.st_uid, st.st_gid) != (os.geteuid(), os.getegid()):
                with contextlib.suppress(OSError):  # only the superuser may give a file away; the mode is kept
                    os.chown(tmp, st.st_uid, st.st_gid)
        else:
            os.chmod(tmp, 0o666 & ~_umask())
        _fsync_file(tmp)
        os.replace(tmp, real)
    except OSError as exc:
        raise ValueError(f"{path}: cannot write ({_reason(exc)})") from None
    finally:
        if os.path.lexists(tmp):
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    _fsync_folder(real.parent)


def write_bytes(path: str | Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (see the module's docstring)."""
    def produce(tmp: str) -> None:
        with open(tmp, "wb") as fh:
            fh.write(data)

    write_with(path, produce, allow_empty=True)


def write_text(path: str | Path, text: str) -> None:
    """Write ``text`` as UTF-8 to ``path`` atomically."""
    write_bytes(path, text.encode("utf-8"))


def check_writable(path: str | Path) -> None:
    """Fail now, not after a long training run, if ``path`` could not be written: its folder
    must exist and take a new file (a temporary one is created and removed)."""
    path = Path(path)
    real, st = _destination(path)
    if st is not None and not stat.S_ISREG(st.st_mode):
        try:
            fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as exc:
            raise ValueError(f"{path}: cannot write ({_reason(exc)})") from None
        os.close(fd)
        return
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{real.name}.", suffix=".check", dir=real.parent)
    except OSError as exc:
        raise ValueError(f"{path}: cannot write in the folder {real.parent} ({_reason(exc)})") from None
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(tmp)
