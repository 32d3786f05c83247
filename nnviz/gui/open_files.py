"""The files the window has read: the data's CSV file, the open session, the open model.

No write of the window replaces one of them (however its path is spelt: ``core.files.refuse_own_input``),
except Save over the open session and Export weights over the open model, as the command line's
``--init`` does.  ``Sessions`` sets the two paths; every export asks ``writes_no_input`` first.
"""

from __future__ import annotations

from ..core.data import BUILTINS
from ..core.files import refuse_own_input
from .controller import Controller
from .notices import Notices


class OpenFiles:
    """The paths of what the window has read, and the check every write makes (see the module doc)."""

    def __init__(self, controller: Controller, notices: Notices) -> None:
        self.controller = controller
        self.notices = notices
        self.session_path: str | None = None  # the session opened or saved last (the title names it)
        self.model_path: str | None = None  # the model opened last (File > Open model, or nnviz gui --init)

    def own_inputs(self, keep: str = "") -> list[tuple[str, str]]:
        """The files the window has read, as (description, path) (``keep``: "session" or "model",
        the one this write may replace, as Save does)."""
        ctx = self.controller.context
        out = []
        if ctx is not None:
            for path in {ctx.dataset.source, ctx.settings.data if ctx.settings.data not in BUILTINS else ""}:
                if path:
                    out.append((f"the open data file ({path})", path))
        if self.session_path and keep != "session":
            out.append((f"the open session ({self.session_path})", self.session_path))
        if self.model_path and keep != "model":
            out.append((f"the open model ({self.model_path})", self.model_path))
        return out

    def writes_no_input(self, path: str, keep: str = "") -> bool:
        """False, with the window's one-line error, when ``path`` is a file the window read, so
        that no export replaces its own data."""
        try:
            refuse_own_input(path, self.own_inputs(keep))
        except ValueError as exc:
            self.notices.error(str(exc))
            return False
        return True
