"""A lesson in the window: its panel, its locked and hidden controls, saved with the session; files
dropped on the window."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QFormLayout, QMessageBox

from nnviz.core.experiment import Experiment, Settings
from nnviz.core.lesson import Lesson
from nnviz.io import session as sessionfile

LESSONS = Path(__file__).resolve().parents[2] / "examples" / "lessons"


def open_lesson(w, qtbot, path):
    assert w.sessions.open_session(str(path))
    data = sessionfile.load(path)
    qtbot.waitUntil(lambda: w.latest is not None and w.latest.settings == data.settings, timeout=15_000)
    return data.lesson


def label_of(widget):
    form = widget.parentWidget().layout()
    label = form.labelForField(widget) if isinstance(form, QFormLayout) else None
    return label


@pytest.mark.parametrize("name", ["iris-post.nnviz", "xor-hidden-layer.nnviz", "spiral-features.nnviz"])
def test_a_lesson_shows_its_panel_and_locks_and_hides_its_controls(make_window, qtbot, name):
    w = make_window()
    lesson = open_lesson(w, qtbot, LESSONS / name)
    assert w.guides.lesson == lesson and w.guides.lesson_panel.isVisible()
    assert w.guides.lesson_panel.title.text() == lesson.title
    first_line = lesson.instructions.split("\n")[0].replace("*", "")
    assert first_line[:30] in w.guides.lesson_panel.instructions.toPlainText()  # Markdown, rendered
    c = w.controls
    for n in lesson.lock:
        for widget in c._widgets(n) if n in c._field_names() or n == "data" else []:
            assert not widget.isEnabled(), n
    for n in lesson.hide:
        for widget in c._widgets(n) if n in c._field_names() else []:
            assert not widget.isVisibleTo(w), n
            label = label_of(widget)
            assert label is None or not label.isVisibleTo(w), n
        for widget in w.transport.widgets(n):
            assert not widget.isVisibleTo(w), n
    free = [n for n in ("lr", "iterations", "standardize") if n not in lesson.lock + lesson.hide]
    for n in free:
        assert c._widgets(n)[0].isEnabled() and c._widgets(n)[0].isVisibleTo(w), n
    assert w.layer_buttons.isEnabled() == ("hidden" not in lesson.lock)
    assert w.feature_toggles.isEnabled() == ("features" not in lesson.lock)
    assert "Locked by the lesson" in w.guides.lesson_panel.restrictions.text()


def test_locked_and_hidden_stay_so_through_other_changes_and_undo(make_window, qtbot, tmp_path):
    w = make_window()
    lesson = Lesson("Rates", "Change the **learning rate** only.", lock=("lr", "hidden", "play"),
                    hide=("l1", "micro", "features", "back"))
    exp = Experiment(Settings(data="xor", hidden=(4,)))
    path = tmp_path / "rates.nnviz"
    sessionfile.save(path, exp.settings, exp.dataset, exp.session.get_state(), np.zeros(0, dtype=np.int64),
                     np.zeros(0), lesson=lesson)
    open_lesson(w, qtbot, path)
    c = w.controls
    assert not c.lr.isEnabled() and "locked by the lesson" in c.lr.toolTip()
    c.algorithm.setCurrentText("rprop+")  # the controls re-enable what the algorithm allows...
    c.algorithm.setCurrentText("gd")
    assert not c.lr.isEnabled()  # ... but not what is locked
    assert not w.transport.play_button.isEnabled() and not w.transport.micro_button.isVisibleTo(w)
    assert not w.commands.play_action.isEnabled()
    texts = {a.text(): a.isEnabled() for a in w.actions()}
    assert texts["Micro-step (one stage of an iteration)"] is False and texts["Step back"] is False
    assert texts["Step one iteration"] is True
    assert Qt.Key_Space not in w.keys.actions and Qt.Key_Left not in w.keys.actions
    assert Qt.Key_Right in w.keys.actions
    assert not w.layer_buttons.isEnabled() and not w.feature_toggles.isVisibleTo(w)
    c.apply(noise=0.2)  # a new network (another noise): the diagram's tools stay as the lesson says
    qtbot.waitUntil(lambda: w.latest is not None and w.latest.settings.noise == 0.2, timeout=15_000)
    assert not w.feature_toggles.isVisibleTo(w) and not w.layer_buttons.isEnabled()
    # saved with the session: a student's Save keeps the teacher's lesson
    w.step(5)
    qtbot.waitUntil(lambda: w.latest.iteration == 5 and w.latest.train_state is not None, timeout=15_000)
    saved = tmp_path / "student.nnviz"
    assert w.sessions.save_session(str(saved))
    assert sessionfile.load(saved).lesson == lesson
    w.step(5)  # unsaved again; a change asked about and cancelled shows the kept network's tools again
    qtbot.waitUntil(lambda: w.latest.iteration == 10, timeout=15_000)
    w.sessions.confirm_discard = True
    c.apply(noise=0.3)
    w.notices.question.button(QMessageBox.Cancel).click()
    qtbot.waitUntil(lambda: not w.notices.question.isVisible(), timeout=5_000)
    assert c.noise.value() == 0.2 and not w.feature_toggles.isVisibleTo(w) and not w.layer_buttons.isEnabled()
    w.sessions.confirm_discard = False
    # a session without a lesson gives everything back
    plain = Experiment(Settings(data="toy"))
    other = tmp_path / "plain.nnviz"
    sessionfile.save(other, plain.settings, plain.dataset, plain.session.get_state(), np.zeros(0, dtype=np.int64),
                     np.zeros(0))
    open_lesson(w, qtbot, other)
    assert w.guides.lesson is None and not w.guides.lesson_panel.isVisible()
    assert c.lr.isEnabled() and c.l1.isVisibleTo(w) and label_of(c.l1).isVisibleTo(w)
    assert "locked" not in c.lr.toolTip()
    assert w.transport.play_button.isEnabled() and w.transport.micro_button.isVisibleTo(w)
    assert w.commands.play_action.isEnabled() and Qt.Key_Space in w.keys.actions
    assert w.layer_buttons.isEnabled() and w.layer_buttons.isVisibleTo(w)


_MIME: list[QMimeData] = []  # an event points at its mime data: kept alive here


def _drop_event(path, kind):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    _MIME.append(mime)
    if kind == "enter":
        return QDragEnterEvent(QPointF(10, 10).toPoint(), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    return QDropEvent(QPointF(10, 10), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)


def test_sessions_and_models_dropped_on_the_window_open(make_window, qtbot, tmp_path):
    w = make_window(data="toy", hidden=(3,))
    for name, accepted in (("x.nnviz", True), ("m.json", True), ("m.npz", True), ("m.onnx", True),
                           ("d.csv", True), ("notes.txt", False)):
        event = _drop_event(tmp_path / name, "enter")
        event.setAccepted(False)
        w.dragEnterEvent(event)
        assert event.isAccepted() == accepted, name
    w.dropEvent(_drop_event(LESSONS / "xor-hidden-layer.nnviz", "drop"))
    qtbot.waitUntil(lambda: w.latest is not None and w.latest.settings.data == "xor", timeout=15_000)
    assert w.guides.lesson is not None and w.guides.lesson.title == "XOR needs a hidden layer"
    from nnviz import io as nnio
    from nnviz.core.model import Model
    from nnviz.core.network import Network

    exp = Experiment(Settings(data="xor", hidden=(5,)))
    exp.session.run(10)
    model_path = tmp_path / "m.json"
    nnio.save(Model(Network.from_weights(exp.arch, [W.copy() for W in exp.network.weights]), exp.scaling,
                    exp.dataset.input_names, exp.dataset.output_names, exp.dataset.task,
                    exp.dataset.target_columns, {}), str(model_path))
    w.dropEvent(_drop_event(model_path, "drop"))
    qtbot.waitUntil(lambda: w.latest is not None and w.latest.settings.hidden == (5,), timeout=15_000)
    np.testing.assert_array_equal(w.latest.weights[0], exp.network.weights[0])
