"""``nnviz install-desktop``: put the desktop entry, the icon and the file type where desktops find them.

The files ship in the package (``nnviz/gui/share``).  They go below
``$XDG_DATA_HOME`` (default ``~/.local/share``): ``applications/nnviz.desktop``,
its ``Exec=`` naming the ``nnviz-gui`` script of this installation with ``%f`` (the file
opened), ``icons/hicolor/scalable/apps/nnviz.svg``, and ``mime/packages/nnviz.xml``, the
type ``application/x-nnviz`` of ``*.nnviz`` sessions and lessons, which the entry opens.
``update-mime-database`` and ``update-desktop-database`` are run when the system has them, so
a double-click on a lesson opens nnviz.  No Qt is needed.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from importlib import resources
from pathlib import Path

from . import io as nnio


def data_home() -> Path:
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")


def gui_script() -> str:
    """The nnviz-gui of this installation (beside this Python), else whatever is on PATH."""
    beside = Path(sys.executable).with_name("nnviz-gui")
    return str(beside) if beside.exists() else (shutil.which("nnviz-gui") or "nnviz-gui")


MIME_TYPE = "application/x-nnviz"


def exec_line(script: str) -> str:
    """The entry's Exec= value: the script (quoted when it has spaces) and %f, the file to open."""
    quoted = f'"{script}"' if any(c in script for c in " \t\"'\\") else script
    return f"{quoted} %f"


def install(home: Path | None = None) -> list[Path]:
    """Write the entry, the icon and the MIME type; returns their paths.  ValueError (one line) on failure."""
    home = home or data_home()
    share = resources.files("nnviz.gui.share")
    entry = (share / "nnviz.desktop").read_text()
    entry = "\n".join(f"Exec={exec_line(gui_script())}" if line.startswith("Exec=") else line
                      for line in entry.splitlines()) + "\n"
    app_file = home / "applications" / "nnviz.desktop"
    icon_file = home / "icons" / "hicolor" / "scalable" / "apps" / "nnviz.svg"
    mime_file = home / "mime" / "packages" / "nnviz.xml"
    for path in (app_file, icon_file, mime_file):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ValueError(f"cannot create {path.parent}: {exc.strerror or exc}") from None
    nnio.atomic.write_text(app_file, entry)
    nnio.atomic.write_bytes(icon_file, (share / "nnviz.svg").read_bytes())
    nnio.atomic.write_bytes(mime_file, (share / "nnviz-mime.xml").read_bytes())
    _refresh("update-mime-database", home / "mime")
    _refresh("update-desktop-database", home / "applications")
    return [app_file, icon_file, mime_file]


def _refresh(tool: str, folder: Path) -> None:
    """Run a desktop's cache tool on the folder when the system has it (its failure is not ours)."""
    found = shutil.which(tool)
    if found is None:
        return
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        subprocess.run([found, str(folder)], capture_output=True, timeout=60, check=False)
