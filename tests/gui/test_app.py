"""`nnviz gui` as a user runs it: a subprocess, offscreen."""

import json
import os
import subprocess
import sys

import pytest


def _env(**extra):
    env = dict(os.environ)
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env["PYTHONPATH"] = os.pathsep.join([root] + [p for p in [env.get("PYTHONPATH")] if p])
    env.update(extra)
    return env


def test_gui_autostart_quit_screenshot_export_json(tmp_path):
    png, model = tmp_path / "w.png", tmp_path / "m.json"
    r = subprocess.run(
        [sys.executable, "-m", "nnviz", "gui", "--data", "toy", "--iterations", "500", "--autostart",
         "--quit-when-done", "--screenshot", str(png), "--size", "1000x700", "--export", str(model), "--json",
         "--speed", "max"],
        capture_output=True, text=True, env=_env(QT_QPA_PLATFORM="offscreen"), timeout=120)
    assert r.returncode == 0, r.stderr
    s = json.loads(r.stdout.strip().splitlines()[-1])
    assert s["iterations"] == 500 and s["stopped"] == "max_iterations" and s["accuracy"] is not None
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
    assert _png_size(png) == (1000, 700)  # --size, whatever the screen (offscreen: 800 x 800)
    assert model.stat().st_size > 100


def _png_size(path) -> tuple[int, int]:
    import struct

    head = path.read_bytes()[16:24]
    return struct.unpack(">II", head)


def test_gui_paced_run_paints_every_iteration_and_bad_speed_is_one_line(tmp_path):
    r = subprocess.run(
        [sys.executable, "-m", "nnviz", "gui", "--data", "toy", "--iterations", "12", "--autostart",
         "--quit-when-done", "--speed", "15", "--json"],
        capture_output=True, text=True, env=_env(QT_QPA_PLATFORM="offscreen"), timeout=120)
    assert r.returncode == 0, r.stderr
    s = json.loads(r.stdout.strip().splitlines()[-1])
    assert s["iterations"] == 12 and s["frames_rendered"] >= 12  # at 15 it/s every iteration is a frame
    for bad in ("0", "-3", "fast", "nan"):
        r = subprocess.run([sys.executable, "-m", "nnviz", "gui", "--speed", bad], capture_output=True, text=True,
                           env=_env(QT_QPA_PLATFORM="offscreen"), timeout=60)
        assert r.returncode == 2 and r.stderr.startswith("nnviz: error: argument --speed") and r.stderr.count("\n") == 1


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="display detection is for Linux")
def test_gui_without_display_fails_with_one_line():
    env = _env()
    for k in ("QT_QPA_PLATFORM", "DISPLAY", "WAYLAND_DISPLAY"):
        env.pop(k, None)
    r = subprocess.run([sys.executable, "-m", "nnviz"], capture_output=True, text=True, env=env, timeout=60)
    assert r.returncode == 2
    assert r.stderr.startswith("nnviz: error: no display found") and r.stderr.count("\n") == 1


def test_nnviz_plot_writes_svg_and_png(tmp_path):
    model = tmp_path / "m.json"
    env = _env()
    r = subprocess.run([sys.executable, "-m", "nnviz", "train", "--data", "toy", "--iterations", "100",
                        "--export", str(model), "--quiet"], env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    for out in ("net.svg", "net.png"):
        r = subprocess.run([sys.executable, "-m", "nnviz", "plot", "--model", str(model), "--out",
                            str(tmp_path / out), "--labels"], env=env, capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
    svg = (tmp_path / "net.svg").read_text()
    assert "<svg" in svg and "<polyline" in svg and "<image" not in svg
    assert (tmp_path / "net.png").read_bytes()[:4] == b"\x89PNG"
    r = subprocess.run([sys.executable, "-m", "nnviz", "plot", "--model", str(model), "--out",
                        str(tmp_path / "net.gif")], env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and r.stderr.startswith("nnviz: error: --out must name")
