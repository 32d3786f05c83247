"""Vector figures and films: no raster image in SVG or PDF, one stroke per edge, PNG size,
GIF frames equal to renders at iterations 0 and N."""

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
        try:
            out += zlib.decompress(data[m.end():end])
        except zlib.error:
            pass
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
    assert cli.main(["plot", "--model", str(model), "--out", str(tmp_path / "e.png"), "--what", "errors"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("nnviz: error: this model file has no error history") and err.count("\n") == 1
    assert cli.main(["animate", "--data", "toy", "--hidden", "2", "--iterations", "10", "--frames", "3",
                     "--size", "200x150", "--out", str(tmp_path / "r.gif")]) == 0
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


def test_window_exports_vectors_and_a_png_at_twice_the_view(make_window, qtbot, tmp_path):
    from PySide6.QtGui import QImage

    w = make_window(iterations=30)
    w.play()
    qtbot.waitUntil(lambda: w.latest.state == "finished", timeout=15_000)
    for name in ("net.pdf", "mse.pdf"):
        ok = w.export_diagram(str(tmp_path / name)) if name.startswith("net") else w.export_plot(str(tmp_path / name))
        assert ok, w.last_error
        assert b"/Subtype /Image" not in (tmp_path / name).read_bytes()
    assert w.export_plot(str(tmp_path / "mse.svg")) and "<image" not in (tmp_path / "mse.svg").read_text()
    assert w.export_diagram(str(tmp_path / "net.png"))
    view = w.network_view
    img = QImage(str(tmp_path / "net.png"))
    assert (img.width(), img.height()) == (2 * max(view.width(), 400), 2 * max(view.height(), 300))


def test_window_decision_map_exports_as_vectors_drawn_like_nnviz_plot(make_window, qtbot, tmp_path):
    from nnviz.gui import figures

    w = make_window(data="circles", hidden=(4,), iterations=40)
    w.play()
    qtbot.waitUntil(lambda: w.latest.state == "finished", timeout=60_000)
    assert w.export_map_action.isEnabled()
    assert not w.predictions.map_plot.getViewBox().menuEnabled()  # not pyqtgraph's raster export
    assert w.export_map_action in w.predictions.map_plot.actions()
    for name in ("map.svg", "map.pdf", "map.png"):
        assert w.export_map(str(tmp_path / name)), w.last_error
    svg = (tmp_path / "map.svg").read_text()
    assert "<image" not in svg and "data:image" not in svg
    assert b"/Subtype /Image" not in (tmp_path / "map.pdf").read_bytes()
    # the same scene as nnviz plot --what map draws for this network and data
    ctx, model = w.context, w.current_model()
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
    th = D.theme("light")
    covered = np.zeros((80, 80), int)
    for c in cells:  # each rectangle: one column, a run of cells of one class
        i = round((c.x - 52) / cell)
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
    assert not w.export_map(str(tmp_path / "m.svg"))
    assert "2 inputs" in w.last_error and not (tmp_path / "m.svg").exists()
