"""No command writes over one of its own inputs, however the path is spelt (issue 24, item 1)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from nnviz import cli
from nnviz.core import files

@pytest.fixture
def data(tmp_path):
    """A small CSV file (two classes) and a model trained on it."""
    csv = tmp_path / "d.csv"
    rows = [f"{x},{y},{'a' if x < y else 'b'}" for x, y in ((1, 2), (3, 1), (0, 5), (4, 2), (2, 3), (5, 1))]
    csv.write_text("x,y,c\n" + "\n".join(rows) + "\n")
    model = tmp_path / "m.json"
    assert cli.main(["train", "--data", str(csv), "--hidden", "2", "--iterations", "5", "--quiet",
                     "--export", str(model)]) == 0
    return csv, model


def spellings(path: Path, tmp_path: Path) -> dict[str, str]:
    """The same file named five ways: as given, absolute, through a folder and '..', a symbolic
    link and a hard link in ``tmp_path`` (other names: only (st_dev, st_ino) can tell)."""
    sub = path.parent / "sub"
    sub.mkdir(exist_ok=True)
    link = tmp_path / f"link{path.suffix}"
    link.symlink_to(path)
    hard = tmp_path / f"hard{path.suffix}"
    os.link(path, hard)
    return {"same": str(path), "absolute": str(path.resolve()), "dotdot": str(sub / ".." / path.name),
            "symlink": str(link), "hardlink": str(hard)}


def run(argv, capsys):
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def assert_refused(code, err, before: bytes, path: Path):
    assert code == 2, err
    assert err.count("\n") == 1 and err.startswith("nnviz: error: ") and "Traceback" not in err
    assert "own input" in err
    assert path.read_bytes() == before  # nothing written


@pytest.mark.parametrize("how", ["same", "absolute", "dotdot", "symlink", "hardlink"])
def test_train_export_onto_its_data_is_refused_before_training(data, tmp_path, capsys, monkeypatch, how):
    csv, _ = data
    before = csv.read_bytes()
    dest = spellings(csv, tmp_path)[how]
    monkeypatch.chdir(tmp_path)
    trained = []
    monkeypatch.setattr(cli.training, "train", lambda *a, **k: trained.append(1))  # must not be reached
    code, out, err = run(["train", "--data", str(csv), "--iterations", "10", "--export", dest], capsys)
    assert_refused(code, err, before, csv)
    assert "--export" in err and "--data" in err and not trained


def test_relative_spelling_from_another_folder(data, tmp_path, capsys, monkeypatch):
    csv, _ = data
    before = csv.read_bytes()
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")
    code, _, err = run(["train", "--data", "../d.csv", "--iterations", "10", "--export", str(csv)], capsys)
    assert_refused(code, err, before, csv)


def test_predict_output_onto_its_data_or_model_is_refused(data, tmp_path, capsys):
    csv, model = data
    for target in (csv, model):
        before = target.read_bytes()
        (tmp_path / target.stem).mkdir()
        for dest in spellings(target, tmp_path / target.stem).values():
            code, out, err = run(["predict", "--model", str(model), "--data", str(csv), "--output", dest], capsys)
            assert_refused(code, err, before, target)
            assert "--output" in err and out == ""


def test_plot_out_onto_its_model_is_refused(data, tmp_path, capsys, qapp):
    _, model = data
    before = model.read_bytes()
    hard = tmp_path / "fig.svg"
    os.link(model, hard)  # the same file under a figure's name
    code, _, err = run(["plot", "--model", str(model), "--out", str(hard)], capsys)
    assert_refused(code, err, before, model)
    assert "--out" in err and "--model" in err


def test_animate_out_onto_its_data_or_init_is_refused(data, tmp_path, capsys, qapp):
    csv, model = data
    for opt, target in (("--data", csv), ("--init", model)):
        before = target.read_bytes()
        film = tmp_path / f"film-{target.stem}.gif"
        os.link(target, film)
        code, _, err = run(["animate", "--data", str(csv), "--init", str(model), "--iterations", "5",
                            "--frames", "2", "--out", str(film)], capsys)
        assert_refused(code, err, before, target)
        assert opt in err


def nnviz(*argv) -> subprocess.CompletedProcess:
    """``nnviz ...`` in a process of its own (the window's checks run before Qt starts)."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen",
               PYTHONPATH=os.pathsep.join([str(Path(cli.__file__).parents[2]), os.environ.get("PYTHONPATH", "")]))
    return subprocess.run([sys.executable, "-m", "nnviz", *argv], env=env, capture_output=True, text=True,
                          timeout=120)


def test_gui_export_or_screenshot_onto_its_inputs_is_refused(data, tmp_path):
    csv, model = data
    before = csv.read_bytes()
    os.link(csv, tmp_path / "hard.csv")
    r = nnviz("gui", "--data", str(csv), "--export", str(tmp_path / "hard.csv"), "--quit-when-done")
    assert_refused(r.returncode, r.stderr, before, csv)
    shot = tmp_path / "shot.png"
    os.link(model, shot)
    before = model.read_bytes()
    r = nnviz("gui", "--data", str(csv), "--init", str(model), "--screenshot", str(shot), "--quit-when-done")
    assert_refused(r.returncode, r.stderr, before, model)
    assert "--screenshot" in r.stderr and "--init" in r.stderr


def test_export_onto_the_init_model_stays_allowed(data, tmp_path, capsys):
    csv, model = data
    before = model.read_bytes()
    code, _, err = run(["train", "--data", str(csv), "--init", str(model), "--iterations", "3", "--quiet",
                        "--export", str(model)], capsys)
    assert code == 0, err
    assert model.read_bytes() != before


def test_same_file_tells_paths_apart(tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text("x\n")
    b.write_text("x\n")  # equal contents, other file
    assert not files.same_file(a, b)
    assert files.same_file(a, tmp_path / "." / "a.csv")
    assert not files.same_file(tmp_path / "new.csv", a)
    assert files.same_file(tmp_path / "new.csv", tmp_path / "sub" / ".." / "new.csv")  # neither exists yet
    with pytest.raises(ValueError, match="own input"):
        files.refuse_own_input(a, [("the data (--data x)", None), ("the data (--data a)", str(a))], "--export")
    files.refuse_own_input(b, [("the data", str(a)), ("the model", None)], "--export")
