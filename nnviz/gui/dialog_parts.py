"""What the export dialogs share: the one-line hint under the form, the buttons, the
remembered choices."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout


def finish_form(dialog: QDialog, form: QFormLayout, ok_text: str) -> tuple[QLabel, QDialogButtonBox]:
    """Lay out ``form``, a red hint line (what is wrong) and OK (named ``ok_text``) / Cancel."""
    hint = QLabel()
    hint.setStyleSheet("color: #b00020")
    hint.setWordWrap(True)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    buttons.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    lay = QVBoxLayout(dialog)
    lay.addLayout(form)
    lay.addWidget(hint)
    lay.addWidget(buttons)
    return hint, buttons


def stored(store, key: str, default, kind):
    """A remembered choice converted by ``kind``, or ``default`` when missing or unreadable."""
    v = store.value(key, default)
    try:
        return kind(v)
    except (TypeError, ValueError):
        return default
