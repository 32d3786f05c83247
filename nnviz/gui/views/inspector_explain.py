"""The inspector's written-out number: the selected cell as its sum with the numbers.

Above the matrices a box says what the selected number is, its formula and its sum written with
the numbers (``core.explain``; a long sum shortened, "show all N terms" lengthens it); after the
matrices a table lists the sum's terms, one a row: the two factors and their product, the sum,
then what is done with it.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout

from ...core.explain import Explanation, num


class WorkedOut:
    """The box above the matrices (``box``, its text in ``label``) and the table after them
    (``worked``); ``point_size()`` is the font size of the table's text."""

    def __init__(self, point_size: Callable[[], float]):
        self.point_size = point_size
        self.all_terms = False  # every term of a long sum written out
        self.explanation: Explanation | None = None  # what the box shows now
        self.label = QLabel()
        self.label.setTextFormat(Qt.TextFormat.RichText)
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.LinksAccessibleByMouse)
        self.label.linkActivated.connect(self._on_link)
        self.box = QFrame()
        self.box.setObjectName("explainBox")
        self.box.setStyleSheet("#explainBox { background: #fff8e1; border: 1px solid #e8c66a; "
                               "border-radius: 3px; }")
        el = QVBoxLayout(self.box)
        el.setContentsMargins(6, 4, 6, 4)
        el.addWidget(self.label)
        self.worked = QLabel()  # the selected number's sum as a table of its terms, after the matrices
        self.worked.setTextFormat(Qt.TextFormat.RichText)
        self.worked.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.worked.setObjectName("worked")
        self.worked.setStyleSheet("#worked { background: #fff8e1; border: 1px solid #e8c66a; border-radius: 3px;"
                                  " padding: 6px; margin-left: 8px; }")
        self.worked.setVisible(False)

    def show_worked(self, ex: Explanation | None) -> None:
        """The terms of the selected number's sum, one a row: the two factors and their product, the
        sum, then what is done with it (beside or under the matrices: a large area has room)."""
        if ex is None or not ex.terms:
            self.worked.setVisible(False)
            return
        f1, f2 = ex.factor_names
        cell = "style='padding: 1px 8px; text-align: right;'"
        rows = [f"<tr><th></th><th {cell}>{f1}</th><th {cell}>{f2}</th><th {cell}>product</th></tr>"]
        for name, (a, b) in zip(ex.term_names or [""] * len(ex.terms), ex.terms, strict=False):
            rows.append(f"<tr><td>{name}</td><td {cell}>{num(a)}</td><td {cell}>{num(b)}</td>"
                        f"<td {cell}>{num(a * b)}</td></tr>")
        total = sum(a * b for a, b in ex.terms)
        rows.append(f"<tr><td><b>\u03a3</b></td><td></td><td></td><td {cell}><b>{num(total)}</b></td></tr>")
        pt = self.point_size()
        self.worked.setText(f"<div style='font-size: {pt:.1f}pt'><b>{ex.title}</b>, worked out:"
                            f"<table cellspacing='0'>{''.join(rows)}</table>{ex.after}</div>")
        self.worked.setVisible(True)

    def show_explanation(self, ex: Explanation | None, shown: bool = True) -> None:
        """The box and the table for ``ex``; None: what a click does (the box only when a step is
        ``shown``)."""
        self.show_worked(ex)
        if ex is None:
            self.box.setVisible(shown)
            self.label.setText("<span style='color:#777'>Click any number of a matrix below: the cells "
                               "it was made from light up, and it is written out here with its "
                               "numbers.</span>")
            return
        numbers = ex.full if (self.all_terms and ex.full) else ex.numbers
        more = ""
        if ex.full:
            more = (" <a href='less'>show fewer terms</a>" if self.all_terms else
                    f" <a href='all'>show all {len(ex.terms)} terms</a>")
        note = f"<br><span style='color:#555'>{ex.note}</span>" if ex.note else ""
        self.show_html(f"<b>{ex.title}</b> = <b>{num(ex.value)}</b> "
                       f"<span style='color:#555'>\u2014 {ex.formula}</span><br>{numbers}{more}{note}")

    def show_html(self, html: str) -> None:
        self.box.setVisible(True)
        self.label.setText(html)

    def _on_link(self, link: str) -> None:
        self.all_terms = link == "all"
        if self.explanation is not None:
            self.show_explanation(self.explanation)
