"""Vector figures and films: no raster image in SVG or PDF, one stroke per edge, PNG size,
GIF frames equal to renders at iterations 0 and N."""

import contextlib
import json
import re
import zlib

import numpy as np
import pytest

from nnviz.core import diagram as D
from nnviz.core.experiment import Experiment, Settings
from nnviz.core.film import Frame, frame_iterations, shoot
from nnviz.gui import film, render

IRIS_IN = ("Sepal.Length", "Sepal.Width", "Petal.Length", "Petal.Width")
IRIS_OUT = ("setosa", "versicolor", "virginica")
LEGEND_LINES = 2  # the positive and negative samples in the legend


@pytest.fixture
def scene():
    rng = np.random.default_rng(5)
    W = [rng.normal(0, 2, (a + 1, b)) for a, b in ((4, 6), (6, 6), (6, 3))]
    return D.diagram(W, IRIS_IN, IRIS_OUT, "print", labels=True, title="iris", footer="Error: 0.6523  Steps: 50000")


def _pdf_content(data: bytes) -> bytes:
    out = b""
    for m in re.finditer(rb"/Filter\s*/FlateDecode[^>]*>>\s*stream\r?\n", data):
        end = data.index(b"endstream", m.end())
        with contextlib.suppress(zlib.error):
            out += zlib.decompress(data[m.end():end])
    return out


def test_svg_and_pdf_are_vectors_with_one_stroke_per_edge(qapp, scene, tmp_path):
    render.save(scene, tmp_path / "net.svg")
    render.save(scene, tmp_path / "net.pdf")
    svg = (tmp_path / "net.svg").read_text()
    assert "<image" not in svg and "data:image" not in svg
    assert svg.count("<polyline") == len(scene.edges) + LEGEND_LINES == 93 + LEGEND_LINES
    assert svg.count("stroke-dasharray") == sum(e.dashed for e in scene.edges) + 1  # + the legend's
    assert "Error: 0.6523  Steps: 50000" in svg and "Petal.Width" in svg
    pdf = (tmp_path / "net.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and b"/Subtype /Image" not in pdf and b"/Subtype/Image" not in pdf
    content = _pdf_content(pdf)
    assert b" BI " not in content and b"\nBI\n" not in content  # no inline image either
    assert len(re.findall(rb" m\n[-\d. ]+ l\nS\n", content)) == len(scene.edges) + LEGEND_LINES


@pytest.mark.parametrize(("dpi", "size"), [(96, (300, 200)), (192, (300, 200)), (300, (480, 320))])
def test_png_has_the_requested_pixel_size(qapp, tmp_path, dpi, size):
    from PySide6.QtGui import QImage

    s = D.diagram([np.ones((3, 2))], ("a", "b"), ("y1", "y2"), size=size)
    render.save(s, tmp_path / "n.png", dpi=dpi)
    img = QImage(str(tmp_path / "n.png"))
    assert (img.width(), img.height()) == (round(size[0] * dpi / 96), round(size[1] * dpi / 96))
    assert abs(img.dotsPerMeterX() * 0.0254 - dpi) < 1


def test_bad_format_and_dpi_raise_one_line(qapp, scene, tmp_path):
    with pytest.raises(ValueError, match="supported: .svg, .pdf, .png"):
        render.save(scene, tmp_path / "n.gif")
    with pytest.raises(ValueError, match="dpi"):
        render.save(scene, tmp_path / "n.png", dpi=0)


def test_gif_frames_are_the_renders_at_iterations_0_and_n(qapp, tmp_path):
    from PIL import Image

    settings = Settings(data="xor", hidden=(4,), iterations=60)
    reel = shoot(Experiment(settings), frame_iterations(60, 5))
    painter = film.Painter(reel, (320, 180))
    film.write(painter, tmp_path / "run.gif", fps=10)
    start, end = Experiment(settings), Experiment(settings)
    end.session.run(60)
    with Image.open(tmp_path / "run.gif") as gif:
        assert gif.n_frames == 5 and gif.size == (320, 180)
        frames = []
        for index, exp, it in ((0, start, 0), (4, end, 60)):
            assert reel.frames[index].iteration == it
            for a, b in zip(reel.frames[index].weights, exp.network.weights, strict=False):
                assert np.array_equal(a, b)
            own = painter.image(Frame(it, tuple(W.copy() for W in exp.network.weights), exp.evaluate().mse))
            gif.seek(index)
            frames.append(np.asarray(gif.convert("RGB")).astype(int))
            assert np.array_equal(frames[-1], np.asarray(film.quantize(own).convert("RGB")))
    assert np.abs(frames[1] - frames[0]).mean() > 1  # and the two differ


def test_mp4_has_the_frames_size_and_rate_asked_for(qapp, tmp_path):
    """The optional extra (pip install 'nnviz[film]'): skipped where it is not installed."""
    imageio_ffmpeg = pytest.importorskip("imageio_ffmpeg")
    import subprocess

    settings = Settings(data="xor", hidden=(4,), iterations=60)
    reel = shoot(Experiment(settings), frame_iterations(60, 6))
    film.write(film.Painter(reel, (320, 180)), tmp_path / "run.mp4", fps=12)
    probe = subprocess.run([imageio_ffmpeg.get_ffmpeg_exe(), "-i", str(tmp_path / "run.mp4"), "-f", "null", "-"],
                           capture_output=True, text=True, check=True).stderr
    assert "320x180" in probe and "12 fps" in probe
    frames = [line for line in probe.replace("\r", "\n").splitlines() if line.startswith("frame=")]
    assert int(frames[-1].split("=")[1].split()[0]) == 6


def test_film_target_checks(tmp_path, monkeypatch):
    with pytest.raises(ValueError, match=".gif or .mp4"):
        film.check_target(tmp_path / "run.avi")
    monkeypatch.setitem(__import__("sys").modules, "imageio_ffmpeg", None)  # not installed
    with pytest.raises(ValueError, match="^an MP4 needs imageio-ffmpeg: pip install imageio-ffmpeg"):
        film.check_target(tmp_path / "run.mp4")
    with pytest.raises(ValueError, match="WIDTHxHEIGHT"):
        film.parse_size("big")


def test_cli_plot_and_animate(qapp, tmp_path, capsys):
    from nnviz import cli

    model = tmp_path / "m.json"
    assert cli.main(["train", "--data", "xor", "--hidden", "3", "--iterations", "20", "--export", str(model),
                     "--quiet"]) == 0
    for what, out in (("diagram", "d.pdf"), ("map", "m.svg")):
        assert cli.main(["plot", "--model", str(model), "--out", str(tmp_path / out), "--what", what,
                         "--theme", "dark", "--title", "XOR"]) == 0
        assert "<image" not in (tmp_path / out).read_text(errors="replace")
    capsys.readouterr()
    assert cli.main(["plot", "--model", str(model), "--out", str(tmp_path / "e.png"), "--what", "errors"]) == 0
    old = json.loads(model.read_text())  # a model file of before the history: it loads, without the curve
    del old["training"]["history"], old["training"]["error"]
    (tmp_path / "old.json").write_text(json.dumps(old))
    capsys.readouterr()
    assert cli.main(["plot", "--model", str(tmp_path / "old.json"), "--out", str(tmp_path / "e.png"),
                     "--what", "errors"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("nnviz: error: this model file has no error history") and err.count("\n") == 1
    assert cli.main(["animate", "--data", "toy", "--hidden", "2", "--iterations", "10", "--frames", "3",
                     "--size", "200x150", "--out", str(tmp_path / "r.gif")]) == 0
    lines = capsys.readouterr().err.split("\n")  # not a terminal: plain lines, one a third of the way here
    assert "\r" not in "".join(lines) and lines[-1] == ""
    assert [ln.split(" (")[0] for ln in lines[:-2]] == [f"{what}: {k}/3 frames" for what in ("training", "painting")
                                                       for k in (1, 2, 3)]
    assert lines[-2].startswith("3 frames of 10 iterations written to ")
    from PIL import Image

    with Image.open(tmp_path / "r.gif") as im:
        assert im.n_frames == 3 and im.size == (200, 150)
    assert cli.main(["animate", "--data", "toy", "--out", str(tmp_path / "r.avi")]) == 2
    assert capsys.readouterr().err.splitlines()[-1].startswith("nnviz: error: --out must name a .gif or .mp4")
    assert cli.main(["animate", "--data", "iris", "--panel", "map", "--out", str(tmp_path / "i.gif")]) == 2
    assert capsys.readouterr().err.splitlines()[-1] == "nnviz: error: a decision map needs a data set with 2 inputs, this one has 4"
    assert cli.main(["animate", "--data", "toy", "--fps", "0", "--out", str(tmp_path / "i.gif")]) == 2
    assert "frame rate must be above 0" in capsys.readouterr().err
    assert not (tmp_path / "i.gif").exists()


def test_window_exports_vectors_and_a_png_at_300_dpi(make_window, qtbot, tmp_path):
    from PySide6.QtGui import QImage

    w = make_window(iterations=30)
    w.play()
    qtbot.waitUntil(lambda: w.latest.state == "finished", timeout=15_000)
    for name in ("net.pdf", "mse.pdf"):
        export = w.exports.export_diagram if name.startswith("net") else w.exports.export_plot
        ok = export(str(tmp_path / name))
        assert ok, w.last_error
        assert b"/Subtype /Image" not in (tmp_path / name).read_bytes()
    assert w.exports.export_plot(str(tmp_path / "mse.svg")) and "<image" not in (tmp_path / "mse.svg").read_text()
    assert w.exports.export_diagram(str(tmp_path / "net.png"))
    view = w.network_view
    img = QImage(str(tmp_path / "net.png"))
    w_, h_ = max(view.width(), 400), max(view.height(), 300)
    assert (img.width(), img.height()) == (round(w_ * 300 / 96), round(h_ * 300 / 96))


def test_window_decision_map_exports_as_vectors_drawn_like_nnviz_plot(make_window, qtbot, tmp_path):
    from nnviz.gui import figures

    w = make_window(data="circles", hidden=(4,), iterations=40)
    w.play()
    qtbot.waitUntil(lambda: w.latest.state == "finished", timeout=60_000)
    assert w.export_map_action.isEnabled()
    assert not w.predictions.map_plot.getViewBox().menuEnabled()  # not pyqtgraph's raster export
    assert w.export_map_action in w.predictions.map_plot.actions()
    for name in ("map.svg", "map.pdf", "map.png"):
        assert w.exports.export_map(str(tmp_path / name)), w.last_error
    svg = (tmp_path / "map.svg").read_text()
    assert "<image" not in svg and "data:image" not in svg
    assert b"/Subtype /Image" not in (tmp_path / "map.pdf").read_bytes()
    # the same scene as nnviz plot --what map draws for this network and data
    ctx, model = w.context, w.exports.current_model()
    scene = figures.map_scene(model, ctx.dataset, ctx.train, size=(640, 600))
    cells = [it for it in scene.items if isinstance(it, D.Rect) and it.fill is not None]
    assert svg.count("<rect") - 1 >= len(cells) > 1  # the background, then one rect per run of cells
    dots = [it for it in scene.items if isinstance(it, D.Circle)]
    assert len(dots) == ctx.train.n
    # every cell's colour is its class (the net's own prediction at the cell centre)
    grid = __import__("nnviz.core.runner", fromlist=["map_grid"]).map_grid(ctx.dataset, ctx.scaling, 80)
    cls = model.network.predict(grid.points).reshape(80, 80, -1).argmax(axis=2)  # x-major
    side = min(640 - 52 - 14, 600 - 14 - 40)
    cell = side / 80
    left = 52 + (640 - 52 - 14 - side) / 2  # the square is centred in the room the margins leave
    th = D.theme("light")
    covered = np.zeros((80, 80), int)
    for c in cells:  # each rectangle: one column, a run of cells of one class
        i = round((c.x - left) / cell)
        j1, j0 = round((14 + side - c.y) / cell), round((14 + side - c.y - c.h) / cell)
        run = cls[i, max(j0, 0):j1]
        assert run.size and (run == run[0]).all()
        ours = [np.abs(np.subtract(c.fill, D.faded(th.classes[k], 0.5, th.background))).sum() for k in (0, 1)]
        assert int(np.argmin(ours)) == run[0]
        covered[i, max(j0, 0):j1] += 1
    assert (covered == 1).all() and len(cells) < 80 * 80 and len(set(cls.ravel())) == 2


def test_window_without_two_inputs_has_no_map_export(make_window, tmp_path):
    w = make_window(data="iris", iterations=5)
    assert not w.export_map_action.isEnabled()
    assert not w.exports.export_map(str(tmp_path / "m.svg"))
    assert "2 inputs" in w.last_error and not (tmp_path / "m.svg").exists()


def test_gif_frame_durations_sum_to_the_length_asked_for(qapp, tmp_path):
    """A GIF counts in hundredths of a second: 15 fps alternates 70 and 60 ms instead of 60 ms
    a frame (Pillow's rounding of 67 ms), which made 150 frames last 9 s, not 10."""
    from PIL import Image

    for n, fps in ((150, 15), (150, 7), (40, 30), (9, 12.5), (10, 100)):
        d = film.gif_durations(n, fps)
        assert len(d) == n and all(v % 10 == 0 and v > 0 for v in d)
        assert sum(d) == round(n / fps * 100) * 10  # the film's length, to the nearest 10 ms
        assert max(d) - min(d) <= 10
    assert sum(film.gif_durations(150, 15)) == 10_000
    reel = shoot(Experiment(Settings(data="xor", hidden=(4,), iterations=60)), frame_iterations(60, 7))
    film.write(film.Painter(reel, (200, 150)), tmp_path / "run.gif", fps=15)
    with Image.open(tmp_path / "run.gif") as gif:
        total = 0
        for k in range(gif.n_frames):
            gif.seek(k)
            total += gif.info["duration"]
    assert total == 400 + 2000  # six frames of 1/15 s, and the last held for 2 s before the loop


def test_a_long_title_fits_the_rendered_figure(qapp):
    from PySide6.QtGui import QFont, QFontMetricsF

    title = "A very long title for the diagram of the iris data set, which goes on and on and on and on"
    rng = np.random.default_rng(1)
    W = [rng.normal(0, 1, (a + 1, b)) for a, b in ((4, 6), (6, 3))]
    for width in (500, 700, 900):
        s = D.diagram(W, IRIS_IN, IRIS_OUT, title=title, size=(width, 500))
        lines = [t for t in s.items if isinstance(t, D.Text) and t.bold]
        assert " ".join(t.text for t in lines) == title
        for t in lines:  # measured with the font the painter uses
            font = QFont("DejaVu Sans")
            font.setPixelSize(max(round(t.size), 1))
            font.setBold(True)
            half = QFontMetricsF(font).horizontalAdvance(t.text) / 2
            assert t.x - half >= 0 and t.x + half <= width


def test_the_footer_of_a_model_file_is_plot_nn_s_error(qapp, tmp_path):
    from nnviz import cli
    from nnviz import io as nnio

    model = tmp_path / "m.json"
    assert cli.main(["train", "--data", "iris", "--iterations", "300", "--export", str(model), "--quiet"]) == 0
    assert cli.main(["plot", "--model", str(model), "--out", str(tmp_path / "n.svg")]) == 0
    exp = Experiment(Settings(data="iris", iterations=300))
    Yhat = nnio.load(model).network.predict(exp.X_train)
    sse = sum(float(np.sum((exp.Y_train[i] - Yhat[i]) ** 2)) for i in range(exp.Y_train.shape[0]))
    svg = (tmp_path / "n.svg").read_text()
    assert f"Error: {sse / 2:.4f}  Steps: 300" in svg and "(mse)" not in svg
    old = json.loads(model.read_text())  # a model file without plot.nn's error: the steps only
    del old["training"]["error"]
    (tmp_path / "old.json").write_text(json.dumps(old))
    assert cli.main(["plot", "--model", str(tmp_path / "old.json"), "--out", str(tmp_path / "o.svg")]) == 0
    svg = (tmp_path / "o.svg").read_text()
    assert "Steps: 300" in svg and "Error:" not in svg and "mse" not in svg


def _plot_nn_error(w) -> float:
    """1/2 SSE of the window's shown weights over its training rows, row by row."""
    from nnviz.core.network import Network

    ctx = w.context
    Yhat = Network.from_weights(ctx.arch, [np.asarray(W) for W in w.latest.weights]).predict(ctx.X_train)
    Y = ctx.scaling.targets(ctx.train.T)
    return sum(float(np.sum((Y[i] - Yhat[i]) ** 2)) for i in range(Y.shape[0])) / 2


def test_the_window_s_diagram_footer_and_model_are_plot_nn_s(make_window, qtbot, tmp_path):
    from nnviz import io as nnio
    from nnviz.io.format_json import history_of

    w = make_window(iterations=60)
    w.play()
    qtbot.waitUntil(lambda: w.latest.state == "finished", timeout=15_000)
    err = _plot_nn_error(w)
    assert w.exports.export_diagram(str(tmp_path / "net.svg")), w.last_error
    assert f"Error: {err:.4f}  Steps: 60" in (tmp_path / "net.svg").read_text()
    assert w.exports.export_weights(str(tmp_path / "m.json"))  # the window's model files carry both too
    training = nnio.load(tmp_path / "m.json").training
    assert abs(training["error"] - err) < 1e-9
    x, y = history_of(training)
    h = w.controller.history
    assert x.tolist() == h.x.tolist() and y.tolist() == h.y.tolist()


def test_the_figure_dialog_s_options_reach_the_file(make_window, qtbot, tmp_path):
    from PySide6.QtGui import QImage

    from nnviz.gui import figures

    w = make_window(iterations=40)
    w.play()
    qtbot.waitUntil(lambda: w.latest.state == "finished", timeout=15_000)
    d = w.exports.figure_dialog("diagram")
    qtbot.addWidget(d)
    assert (d.dpi.value(), d.theme.currentText(), d.title.text()) == (300, "light", "")
    assert d.labels.isChecked() == w.network_view.show_labels
    d.path.setText(str(tmp_path / "net.png"))
    assert d.format.text() == "PNG image" and d.dpi.isEnabled()
    d.dpi.setValue(144)
    d.theme.setCurrentText("dark")
    d.title.setText("Iris, seen")
    d.labels.setChecked(True)
    d.accept()
    assert d.chosen == figures.FigureOptions(str(tmp_path / "net.png"), 144.0, "dark", "Iris, seen", True)
    assert w.exports.export_diagram(d.chosen), w.last_error
    view = w.network_view
    img = QImage(str(tmp_path / "net.png"))
    size = (max(view.width(), 400), max(view.height(), 300))
    assert (img.width(), img.height()) == (round(size[0] * 1.5), round(size[1] * 1.5))  # 144 / 96
    assert abs(img.dotsPerMeterX() * 0.0254 - 144) < 1
    assert img.pixelColor(2, img.height() - 3).getRgb()[:3] == D.theme("dark").background
    strongest = max((W for W in w.latest.weights), key=lambda W: np.abs(W).max())
    label = f"{strongest.flat[np.abs(strongest).argmax()]:.2f}"
    for labels in (True, False):
        again = w.exports.figure_dialog("diagram")  # remembered: resolution and theme, not the title
        qtbot.addWidget(again)
        assert (again.dpi.value(), again.theme.currentText(), again.title.text()) == \
            (144, "dark" if labels else "print", "")
        again.path.setText(str(tmp_path / f"net{labels}.svg"))
        assert again.format.text() == "SVG, vectors" and not again.dpi.isEnabled()
        again.theme.setCurrentText("print")
        again.title.setText("Iris, 4-6-6-3 in print")
        again.labels.setChecked(labels)
        again.accept()
        assert w.exports.export_diagram(again.chosen), w.last_error
        svg = (tmp_path / f"net{labels}.svg").read_text()
        assert "Iris, 4-6-6-3 in print" in svg and "stroke-dasharray" in svg  # print: negative weights dashed
        assert (label in svg) == labels
    plot = w.exports.figure_dialog("errors")
    qtbot.addWidget(plot)
    assert plot.labels.isHidden()
    plot.path.setText(str(tmp_path / "mse.csv"))
    assert plot.format.text() == "CSV of the error history" and not plot.theme.isEnabled()
    plot.path.setText(str(tmp_path / "mse.gif"))
    plot.accept()
    assert plot.chosen is None and "supported: .svg, .pdf, .png, .csv" in plot.hint.text()
    plot.path.setText(str(tmp_path / "mse.png"))
    plot.dpi.setValue(96)
    plot.title.setText("the error of iris")
    plot.accept()
    assert w.exports.export_plot(plot.chosen), w.last_error
    img = QImage(str(tmp_path / "mse.png"))
    assert (img.width(), img.height()) == figures.SIZES["errors"]  # 96 dpi: one pixel a CSS pixel


def test_the_menu_asks_then_writes_the_figure(make_window, qtbot, tmp_path):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from nnviz.gui.figure_dialog import FigureDialog

    w = make_window(data="circles", hidden=(3,), iterations=40)
    w.play()
    qtbot.waitUntil(lambda: w.latest.state == "finished", timeout=30_000)
    path = tmp_path / "map.svg"

    def fill():
        d = QApplication.activeModalWidget()
        assert isinstance(d, FigureDialog) and d.windowTitle() == "Export decision map"
        d.path.setText(str(path))
        d.title.setText("circles, 2-3-2")
        d.accept()

    QTimer.singleShot(200, fill)
    w.exports.export_map_dialog()
    assert path.exists() and "circles, 2-3-2" in path.read_text(), w.last_error
