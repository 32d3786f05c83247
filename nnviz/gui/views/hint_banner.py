"""The banner under the transport bar: when training goes wrong (saturated outputs, divergence)
the snapshot's hint says what to do; otherwise it is hidden."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from ...core.snapshot import Snapshot


class HintBanner(QLabel):
    """A yellow line with the snapshot's hint, or nothing (see the module doc)."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("hint")
        self.setWordWrap(True)
        self.setStyleSheet("#hint { background: #fff3cd; color: #664d03; border: 1px solid #e0c36a;"
                           " border-radius: 3px; padding: 3px 6px; }")
        self.setVisible(False)

    def show_snapshot(self, snap: Snapshot) -> None:
        """The snapshot's hint, or nothing (a preview keeps the one shown)."""
        if snap.preview:
            return
        hint = getattr(snap, "hint", "") or ""
        text = f"\u26a0  {hint}" if hint else ""
        if text != self.text():
            self.setText(text)
        self.setVisible(bool(hint))
