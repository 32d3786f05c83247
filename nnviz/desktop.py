"""``nnviz install-desktop``: put the desktop entry and the icon where desktops find them.

Both files ship in the package (``nnviz/gui/share``).  They go below
``$XDG_DATA_HOME`` (default ``~/.local/share``): ``applications/nnviz.desktop``,
its ``Exec=`` naming the ``nnviz-gui`` script of this installation, and
``icons/hicolor/scalable/apps/nnviz.svg``.  No Qt is needed.
"""

from __future__ import annotations

import os
import shutil
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


def install(home: Path | None = None) -> list[Path]:
    """Write the entry and the icon; returns their paths.  ValueError (one line) on failure."""
    home = home or data_home()
    share = resources.files("nnviz.gui.share")
    entry = (share / "nnviz.desktop").read_text()
    entry = "\n".join(f"Exec={gui_script()}" if line.startswith("Exec=") else line for line in entry.splitlines()) + "\n"
    app_file = home / "applications" / "nnviz.desktop"
    icon_file = home / "icons" / "hicolor" / "scalable" / "apps" / "nnviz.svg"
    for path in (app_file, icon_file):
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ValueError(f"cannot create {path.parent}: {exc.strerror or exc}") from None
    nnio.atomic.write_text(app_file, entry)
    nnio.atomic.write_bytes(icon_file, (share / "nnviz.svg").read_bytes())
    return [app_file, icon_file]
