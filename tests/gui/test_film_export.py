"""File > Export animation: an options dialog, made in its own thread with progress and
Cancel, replaying the window's own run (settings changed mid-way and edited weights too)."""

import numpy as np
from PIL import Image

from nnviz.core.film import shoot_source
from nnviz.core.network import Network
from nnviz.gui import film
from nnviz.gui.menus import settings_store


def wait_paused_at(qtbot, w, it):
    qtbot.waitUntil(lambda: w.latest.iteration == it and w.latest.state == "paused", timeout=30_000)


def test_export_animation_writes_the_film_of_the_training_so_far(make_window, qtbot, tmp_path):
    w = make_window(iterations=1000)
    w.step(200)
    wait_paused_at(qtbot, w, 200)
    path = tmp_path / "run.gif"
    assert w.films.export_animation(str(path), frames=6, size=(320, 180))
    qtbot.waitUntil(lambda: w.films.job is None, timeout=60_000)
    with Image.open(path) as im:
        assert im.n_frames == 6 and im.size == (320, 180)
    assert "film written" in w.statusBar().currentMessage()
    assert w.latest.iteration == 200  # training untouched


def test_the_film_s_progress_is_shown_from_the_gui_thread(make_window, qtbot, tmp_path):
    """The job's signals are queued to the window's FilmActions: only the GUI thread touches the dialog."""
    from PySide6.QtCore import QThread
    from PySide6.QtWidgets import QApplication

    w = make_window(iterations=1000)
    w.step(50)
    wait_paused_at(qtbot, w, 50)
    assert w.films.export_animation(str(tmp_path / "run.gif"), frames=4, size=(200, 120))
    threads = []
    w.films.progress.setLabelText = lambda text: threads.append(QThread.currentThread())
    qtbot.waitUntil(lambda: w.films.job is None, timeout=60_000)
    assert len(threads) == 8 and set(threads) == {QApplication.instance().thread()}


def test_the_film_of_a_changed_run_goes_from_the_seed_to_the_present(make_window, qtbot, tmp_path):
    """The learning rate changes at 60 and a weight is edited at 100: the last frame is still
    the network the window shows, the first the seed's."""
    w = make_window(iterations=1000, hidden=(4,))
    w.step(60)
    wait_paused_at(qtbot, w, 60)
    w.controller.configure(w.latest.settings.with_(lr=0.3, momentum=0.4))
    qtbot.waitUntil(lambda: w.latest.settings.lr == 0.3, timeout=10_000)
    w.step(40)
    wait_paused_at(qtbot, w, 100)
    w.controller.set_weight(0, 1, 2, -2.5)
    qtbot.waitUntil(lambda: w.latest.weights[0][1, 2] == -2.5, timeout=10_000)
    w.step(50)
    wait_paused_at(qtbot, w, 150)
    path = tmp_path / "run.gif"
    assert w.films.export_animation(str(path), frames=5, size=(320, 180), panel="predictions")
    qtbot.waitUntil(lambda: w.films.job is None, timeout=60_000)
    assert "film written" in w.statusBar().currentMessage(), w.last_error
    # the same replay, made here while training rests, gives the frames the GIF holds
    reel = shoot_source(w.controller.worker.runner.film_source(), 0, 150, 5)
    seed = Network.random(w.context.arch, np.random.default_rng(w.latest.settings.seed)).weights
    assert all(np.array_equal(a, b) for a, b in zip(reel.frames[0].weights, seed, strict=True))
    assert all(np.array_equal(a, b) for a, b in zip(reel.frames[-1].weights, w.latest.weights, strict=True))
    painter = film.Painter(reel, (320, 180), panel="predictions")
    with Image.open(path) as gif:
        assert gif.n_frames == 5
        for index in (0, 4):
            gif.seek(index)
            mine = np.asarray(film.quantize(painter.image(reel.frames[index])).convert("RGB"))
            assert np.array_equal(np.asarray(gif.convert("RGB")), mine)


def test_cancelling_a_film_writes_nothing(make_window, qtbot, tmp_path):
    w = make_window(iterations=1000)
    w.step(100)
    wait_paused_at(qtbot, w, 100)
    path = tmp_path / "run.gif"
    assert w.films.export_animation(str(path), frames=150, size=(640, 360))
    w.films.progress.canceled.emit()  # the dialog's Cancel button
    qtbot.waitUntil(lambda: w.films.job is None, timeout=60_000)
    assert not path.exists()
    assert "cancelled" in w.statusBar().currentMessage()


def test_bad_options_are_one_line_and_start_nothing(make_window, qtbot, tmp_path):
    w = make_window()
    w.step(5)
    wait_paused_at(qtbot, w, 5)
    for kw, said in (({"path": str(tmp_path / "run.avi")}, ".gif or .mp4"),
                     ({"path": str(tmp_path / "r.gif"), "frames": 1}, "2 to 10,000 frames"),
                     ({"path": str(tmp_path / "r.gif"), "fps": 0}, "frame rate"),
                     ({"path": str(tmp_path / "r.gif"), "size": (50, 50)}, "160x120"),
                     ({"path": str(tmp_path / "r.gif"), "panel": "map"}, "2 inputs"),
                     ({"path": str(tmp_path / "r.gif"), "start": 4, "end": 2}, "after the first")):
        assert not w.films.export_animation(**kw)
        assert said in w.last_error and "\n" not in w.last_error
        assert w.films.job is None
    assert not list(tmp_path.iterdir())


def test_nothing_to_film_before_training(make_window, tmp_path):
    w = make_window()
    assert not w.films.export_animation(str(tmp_path / "r.gif"))
    assert "nothing to film yet" in w.last_error


def test_the_dialog_checks_remembers_and_knows_about_mp4(make_window, qtbot, tmp_path, monkeypatch):
    w = make_window(iterations=500)
    w.step(30)
    wait_paused_at(qtbot, w, 30)
    d = w.films.film_dialog()
    qtbot.addWidget(d)
    assert [d.panel.itemData(i) for i in range(d.panel.count())] == ["predictions", "none"]  # iris: no map
    assert (d.start.value(), d.end.value(), d.end.maximum()) == (0, 30, 500)
    d.path.setText(str(tmp_path / "a.gif"))
    d.size_edit.setText("10x10")
    d.accept()
    assert d.result() != d.DialogCode.Accepted and "160x120" in d.hint.text() and d.chosen is None
    d.size_edit.setText("400x300")
    d.frames.setValue(12)
    d.fps.setValue(8)
    d.panel.setCurrentIndex(d.panel.findData("none"))
    d.theme.setCurrentText("dark")
    d.start.setValue(10)
    d.accept()
    assert d.chosen == film.FilmOptions(str(tmp_path / "a.gif"), 12, 8.0, (400, 300), "none", 10, 30, "dark")
    again = w.films.film_dialog()  # the choices are remembered, not the iterations
    qtbot.addWidget(again)
    assert (again.path.text(), again.frames.value(), again.fps.value(), again.size_edit.text(),
            again.panel.currentData(), again.theme.currentText()) == (str(tmp_path / "a.gif"), 12, 8.0, "400x300",
                                                                       "none", "dark")
    assert (again.start.value(), again.end.value()) == (0, 30)
    again.panel.setCurrentIndex(again.panel.findData("predictions"))  # iris's own default
    again.path.setText(str(tmp_path / "b.gif"))
    again.accept()
    assert again.chosen.panel == "predictions" and settings_store().value("film/panel") == "auto"
    monkeypatch.setattr(film, "mp4_available", lambda: False)
    again.path.setText(str(tmp_path / "a.mp4"))
    assert again.hint.text() == "an MP4 needs imageio-ffmpeg: pip install imageio-ffmpeg (or write a .gif)"
    assert not again.buttons.button(again.buttons.StandardButton.Ok).isEnabled()
    again.path.setText(str(tmp_path / "a.gif"))
    assert again.hint.text() == "" and again.buttons.button(again.buttons.StandardButton.Ok).isEnabled()


def test_the_menu_asks_then_films(make_window, qtbot, tmp_path):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from nnviz.gui.film_dialog import FilmDialog

    w = make_window(data="circles", hidden=(3,), iterations=500)
    w.step(40)
    wait_paused_at(qtbot, w, 40)
    path = tmp_path / "menu.gif"

    def fill():
        d = QApplication.activeModalWidget()
        assert isinstance(d, FilmDialog)
        assert d.panel.currentData() == "map"  # two inputs: the map by default
        d.path.setText(str(path))
        d.frames.setValue(4)
        d.size_edit.setText("320x200")
        d.accept()

    QTimer.singleShot(200, fill)
    w.films.export_animation_dialog()
    qtbot.waitUntil(lambda: w.films.job is None and path.exists(), timeout=60_000)
    with Image.open(path) as im:
        assert im.n_frames == 4 and im.size == (320, 200)


def test_a_film_made_while_training_runs_leaves_training_running(make_window, qtbot, tmp_path):
    w = make_window(iterations=10_000_000)
    w.play()
    qtbot.waitUntil(lambda: w.latest.iteration > 300, timeout=30_000)
    path = tmp_path / "live.gif"
    assert w.films.export_animation(str(path), frames=4, size=(320, 180))
    qtbot.waitUntil(lambda: w.films.job is None, timeout=60_000)
    assert "film written" in w.statusBar().currentMessage(), w.last_error
    with Image.open(path) as im:
        assert im.n_frames == 4
    at = w.latest.iteration
    qtbot.waitUntil(lambda: w.latest.iteration > at, timeout=30_000)  # still training
    assert w.latest.state == "running"


def test_the_dialog_s_title_reaches_the_film(make_window, qtbot, tmp_path):
    """The title asked for is the one painted above the diagram (empty: the data and network)."""
    w = make_window(iterations=500, hidden=(3,))
    w.step(30)
    wait_paused_at(qtbot, w, 30)
    d = w.films.film_dialog()
    qtbot.addWidget(d)
    assert d.title.text() == ""
    d.path.setText(str(tmp_path / "t.gif"))
    d.size_edit.setText("320x180")
    d.frames.setValue(3)
    d.accept()
    assert d.chosen.title is None  # left empty: the default title
    d2 = w.films.film_dialog()
    qtbot.addWidget(d2)
    d2.path.setText(str(tmp_path / "t.gif"))
    d2.title.setText("  Iris learns  ")
    d2.accept()
    assert d2.chosen.title == "Iris learns" and d2.chosen.frames == 3 and d2.chosen.size == (320, 180)
    assert w.films.export_animation(d2.chosen)
    qtbot.waitUntil(lambda: w.films.job is None, timeout=60_000)
    assert "film written" in w.statusBar().currentMessage(), w.last_error
    reel = shoot_source(w.controller.worker.runner.film_source(), 0, 30, 3)
    titled = film.Painter(reel, (320, 180), title="Iris learns", panel="predictions")
    plain = film.Painter(reel, (320, 180), panel="predictions")
    assert "Iris learns" in {t.text for t in titled.scene(reel.frames[0]).items if hasattr(t, "text")}
    with Image.open(tmp_path / "t.gif") as gif:
        first = np.asarray(gif.convert("RGB"))
    assert np.array_equal(first, np.asarray(film.quantize(titled.image(reel.frames[0])).convert("RGB")))
    assert not np.array_equal(first, np.asarray(film.quantize(plain.image(reel.frames[0])).convert("RGB")))
