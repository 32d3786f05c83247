"""Sessions, recent files, the unsaved mark, and figure export from the window."""

import numpy as np
from PySide6.QtWidgets import QMessageBox

from nnviz.io import session as sessionfile
from nnviz.core.experiment import Experiment, Settings


def wait_at(qtbot, w, it):
    qtbot.waitUntil(lambda: w.controller.present is not None and w.controller.present.iteration == it
                    and w.controller.present.train_state is not None, timeout=15_000)


def test_save_open_and_continue_exactly(make_window, qtbot, tmp_path):
    w = make_window(batch_size=25, momentum=0.8, lr=0.01)
    w.step(120)
    wait_at(qtbot, w, 120)
    assert w.sessions.unsaved and w.windowTitle().endswith("*")
    path = tmp_path / "run.nnviz"
    assert w.sessions.save_session(str(path))
    assert not w.sessions.unsaved and not w.windowTitle().endswith("*") and "run.nnviz" in w.windowTitle()
    assert w.sessions.recent_sessions()[0].endswith("run.nnviz")
    # a second window opens it and trains on
    w2 = make_window()
    assert w2.sessions.open_session(str(path))
    qtbot.waitUntil(lambda: w2.controller.present is not None and w2.controller.present.iteration == 120,
                    timeout=15_000)
    assert len(w2.controller.history) == 120
    assert not w2.sessions.unsaved
    w2.step(80)
    wait_at(qtbot, w2, 200)
    ref = Experiment(Settings(batch_size=25, momentum=0.8, lr=0.01))
    ref.session.run(200)
    for a, b in zip(w2.controller.present.weights, ref.network.weights):
        assert np.array_equal(a, b)
    assert w2.sessions.unsaved


def test_saving_while_training_pauses_first(make_window, qtbot, tmp_path):
    w = make_window(iterations=10_000_000)
    w.play()
    qtbot.waitUntil(lambda: w.latest.state == "running" and w.latest.iteration > 0, timeout=10_000)
    path = tmp_path / "live.nnviz"
    assert w.sessions.save_session(str(path))
    qtbot.waitUntil(path.exists, timeout=10_000)
    data = sessionfile.load(path)
    assert data.state["iteration"] == w.controller.present.iteration
    assert w.controller.present.state == "paused"


def test_bad_session_keeps_the_network(make_window, qtbot, tmp_path):
    w = make_window()
    w.step(5)
    wait_at(qtbot, w, 5)
    bad = tmp_path / "bad.nnviz"
    bad.write_text('{"format": "nnviz-session", "version": 1')
    assert not w.sessions.open_session(str(bad))
    assert "bad.nnviz: not valid JSON" in w.last_error
    w.notices.dialog.close()
    qtbot.wait(100)
    assert w.controller.present.iteration == 5


def test_closing_with_unsaved_training_asks(qtbot):
    from nnviz.gui.app import build_window

    w = build_window(Settings())
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: w.latest is not None, timeout=10_000)
    w.step(3)
    qtbot.waitUntil(lambda: w.controller.present.iteration == 3, timeout=10_000)
    w.close()
    assert w.isVisible() and w.controller.training_thread.isRunning()  # not closed: asked
    box = w.notices.question
    assert isinstance(box, QMessageBox) and box.isVisible()
    box.button(QMessageBox.Discard).click()
    qtbot.waitUntil(lambda: not w.isVisible(), timeout=10_000)
    assert not w.controller.training_thread.isRunning()


def test_export_diagram_and_plot(make_window, qtbot, tmp_path):
    w = make_window(iterations=50)
    w.play()
    qtbot.waitUntil(lambda: w.latest.state == "finished", timeout=15_000)
    svg, png = tmp_path / "net.svg", tmp_path / "net.png"
    assert w.exports.export_diagram(str(svg)) and w.exports.export_diagram(str(png))
    text = svg.read_text()
    assert text.startswith("<?xml") and "<svg" in text and "Petal.Width" in text
    assert png.read_bytes()[:4] == b"\x89PNG"
    csv = tmp_path / "mse.csv"
    assert w.exports.export_plot(str(csv))
    lines = csv.read_text().splitlines()
    assert lines[0] == "iteration,mse" and len(lines) == 51 and lines[1].startswith("0,")
    assert w.exports.export_plot(str(tmp_path / "mse.svg"))
    assert not w.exports.export_diagram(str(tmp_path / "net.gif")) and "supported: .svg, .pdf, .png" in w.last_error
    w.notices.dialog.close()


def test_open_model_onto_the_current_data(make_window, qtbot, tmp_path):
    from nnviz import io as nnio

    e = Experiment(Settings(hidden=(4,), activation=("tanh",), algorithm="rprop+"))
    e.session.run(100)
    path = tmp_path / "m.npz"
    nnio.save(e.model(), path)
    w = make_window()
    assert w.sessions.open_model(str(path))
    qtbot.waitUntil(lambda: w.context.arch.describe() == "4-4-3" and w.latest is not None, timeout=10_000)
    for a, b in zip(w.latest.weights, e.network.weights):
        assert np.array_equal(a, b)
    assert w.controls.hidden.text() == "4" and w.controls.activation.currentText() == "tanh"
    # a model for other inputs is refused with a hint; the network stays
    toy = Experiment(Settings(data="toy"))
    other = tmp_path / "toy.json"
    nnio.save(toy.model(), other)
    assert not w.sessions.open_model(str(other))
    assert "open a CSV file with the model's input columns first" in w.last_error
    w.notices.dialog.close()
    assert w.context.arch.describe() == "4-4-3"
