"""A huge file that is not what its name says is refused from its first bytes, without reading
it into memory (issue 24, item 7): a 1 GiB file of NUL bytes named .json peaked at 2.1 GB."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads Linux /proc")

from nnviz import cli  # noqa: E402 (after the skip mark: the module reads /proc)
from nnviz import io as nnio  # noqa: E402 (after the skip mark: the module reads /proc)
from nnviz.io import session as sessionfile  # noqa: E402 (after the skip mark: the module reads /proc)

GIB = 2**30
ENV = dict(os.environ, PYTHONPATH=os.pathsep.join([str(Path(cli.__file__).parents[2]), os.environ.get("PYTHONPATH", "")]))


def sparse(path: Path, size: int, head: bytes = b"") -> Path:
    """A file of ``size`` bytes, ``head`` then NUL bytes, taking no room on the disk."""
    with open(path, "wb") as fh:
        fh.write(head)
        fh.truncate(size)
    return path


def peak_mb_loading(code: str) -> tuple[float, str]:
    """The peak resident memory (MB) of a fresh process that runs ``code``, and its output
    (VmHWM: getrusage's maxrss would carry the parent's peak across fork and exec)."""
    script = ("import sys\n" + code + "\nhwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM:')]"
              "\nprint(int(hwm[0].split()[1]) / 1024, file=sys.stderr)\n")
    r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=ENV, timeout=300)
    lines = r.stderr.strip().splitlines()
    return float(lines[-1]), "\n".join(lines[:-1]) + r.stdout


@pytest.mark.parametrize("name,head,loader", [
    ("m.json", b"", "nnviz.io.load"),
    ("m.json", b'{"format": "nnviz-model", "version": 1, "weights": "', "nnviz.io.load"),
    ("m.npz", b"", "nnviz.io.load"),
    ("s.nnviz", b"", "nnviz.io.session.load"),
])
def test_a_gigabyte_of_nul_bytes_is_refused_from_its_first_bytes(tmp_path, name, head, loader):
    path = sparse(tmp_path / name, GIB - 1, head)  # within the size limit: only its contents can tell
    module, func = loader.rsplit(".", 1)
    code = (f"import {module}\ntry:\n    {module}.{func}({str(path)!r})\n"
            f"except ValueError as exc:\n    print('refused:', exc)\n")
    peak, out = peak_mb_loading(code)
    assert out.startswith(f"refused: {path}: not a"), out
    assert "\n" not in out.strip()
    assert peak < 400, f"{peak:.0f} MB to refuse {name}"  # a baseline process with NumPy takes ~60-100 MB


def test_the_first_bytes_decide_for_small_files_too(tmp_path):
    for name, load in (("m.json", nnio.load), ("s.nnviz", sessionfile.load)):
        p = tmp_path / name
        p.write_bytes(b"\x00" * 100)
        with pytest.raises(ValueError, match=f"^{p}: not a text file$"):
            load(p)
        p.write_bytes(b"\xff\xfe{}")  # not UTF-8
        with pytest.raises(ValueError, match=f"^{p}: not a text file$"):
            load(p)
    p = tmp_path / "m.npz"
    p.write_bytes(b"just text, not a zip archive")
    with pytest.raises(ValueError, match="not a readable NPZ file"):
        nnio.load(p)
