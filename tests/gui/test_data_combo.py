"""The data picker shows the edited data's whole name ("custom (from gauss-mix)"), and a name
too long for it elided in the middle, in full in the tooltip."""

from PySide6.QtWidgets import QStyle, QStyleOptionComboBox


def _field_width(combo) -> int:
    opt = QStyleOptionComboBox()
    combo.initStyleOption(opt)
    return combo.style().subControlRect(QStyle.CC_ComboBox, opt, QStyle.SC_ComboBoxEditField, combo).width()


def test_custom_names_fit_and_long_ones_are_elided_with_a_tooltip(make_window, qtbot):
    w = make_window(data="circles", hidden=(3,), iterations=100)
    w.resize(1280, 800)
    qtbot.wait(50)
    combo = w.controls.data
    for base in ("circles", "gauss-mix", "spiral"):
        name = f"custom (from {base})"
        w.controls.set_custom(name)
        qtbot.wait(10)
        assert combo.currentText() == name
        assert combo.fontMetrics().horizontalAdvance(name) <= _field_width(combo) - 2, name  # room for it whole
        assert combo.shown_text() == name and name in combo.toolTip()
    long = "custom (from measurements_of_the_second_campaign_2024.csv)"
    w.controls.set_custom(long)
    shown = combo.shown_text()
    assert shown != long and "\u2026" in shown and shown.startswith("cust") and shown.endswith("csv)")
    assert combo.fontMetrics().horizontalAdvance(shown) <= _field_width(combo)
    assert long in combo.toolTip() and "circles:" in combo.toolTip()  # and still what the built-ins are
    assert combo.width() < 400  # a long name does not widen the panel
