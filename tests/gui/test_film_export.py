"""File > Export animation: made in its own thread, with progress and Cancel."""

from PIL import Image


def test_export_animation_writes_the_film_of_the_training_so_far(make_window, qtbot, tmp_path):
    w = make_window(iterations=1000)
    w.step(200)
    qtbot.waitUntil(lambda: w.latest.iteration == 200 and w.latest.state == "paused", timeout=10_000)
    path = tmp_path / "run.gif"
    steps = []
    assert w.export_animation(str(path), frames=6, size=(320, 180))
    w._film[0].progress.connect(lambda what, k, n: steps.append(what))
    qtbot.waitUntil(lambda: w._film is None, timeout=60_000)
    with Image.open(path) as im:
        assert im.n_frames == 6 and im.size == (320, 180)
    assert "film written" in w.statusBar().currentMessage()
    assert w.latest.iteration == 200  # training untouched


def test_cancelling_a_film_writes_nothing(make_window, qtbot, tmp_path):
    w = make_window(iterations=1000)
    w.step(100)
    qtbot.waitUntil(lambda: w.latest.iteration == 100 and w.latest.state == "paused", timeout=10_000)
    path = tmp_path / "run.gif"
    assert w.export_animation(str(path), frames=150, size=(640, 360))
    w.film_progress.canceled.emit()  # the dialog's Cancel button
    qtbot.waitUntil(lambda: w._film is None, timeout=60_000)
    assert not path.exists()
    assert "cancelled" in w.statusBar().currentMessage()


def test_a_bad_destination_is_one_line(make_window, qtbot, tmp_path):
    w = make_window()
    w.step(5)
    qtbot.waitUntil(lambda: w.latest.iteration == 5, timeout=10_000)
    assert w.export_animation(str(tmp_path / "run.avi"), frames=3, size=(320, 180))
    qtbot.waitUntil(lambda: w._film is None, timeout=30_000)
    assert ".gif or .mp4" in w.last_error and "\n" not in w.last_error
