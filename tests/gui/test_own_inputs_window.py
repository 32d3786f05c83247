"""The window writes over none of the files it read (issue 24, item 1): each export onto the
open CSV file, the open session or the open model is one line in the window, nothing written."""

import os

from nnviz.core.experiment import Settings


def csv_window(make_window, qtbot, tmp_path):
    csv = tmp_path / "d.csv"
    rows = [f"{x},{y},{'a' if x < y else 'b'}" for x, y in ((1, 2), (3, 1), (0, 5), (4, 2), (2, 3), (5, 1))]
    csv.write_text("x,y,c\n" + "\n".join(rows) + "\n")
    w = make_window(Settings(data=str(csv), hidden=(2,)))
    w.step(3)
    qtbot.waitUntil(lambda: w.latest.iteration == 3 and w.latest.train_state is not None, timeout=15_000)
    return w, csv


def refused(w, before: bytes, path) -> bool:
    w.notices.dialog.close()
    return "own input" in w.last_error and path.read_bytes() == before


def test_no_export_over_the_open_csv(make_window, qtbot, tmp_path):
    w, csv = csv_window(make_window, qtbot, tmp_path)
    before = csv.read_bytes()
    link = tmp_path / "link.csv"
    link.symlink_to(csv)
    hard = tmp_path / "hard.nnviz"  # a session's name, the CSV's inode
    os.link(csv, hard)
    hard_png = tmp_path / "hard.png"
    os.link(csv, hard_png)
    assert not w.exports.export_weights(str(csv)) and refused(w, before, csv)
    assert not w.exports.export_weights(str(link)) and refused(w, before, csv)
    assert not w.edits.export_data(str(tmp_path / "." / "d.csv")) and refused(w, before, csv)
    assert not w.sessions.save_session(str(hard)) and refused(w, before, csv)
    assert not w.exports.export_plot(str(hard_png)) and refused(w, before, csv)
    assert not w.runs.export_runs(str(csv)) and refused(w, before, csv)
    # elsewhere it writes
    assert w.exports.export_weights(str(tmp_path / "m.json")) and w.edits.export_data(str(tmp_path / "copy.csv"))


def test_no_export_over_the_open_session_but_save_goes_on(make_window, qtbot, tmp_path):
    w, _ = csv_window(make_window, qtbot, tmp_path)
    session = tmp_path / "run.nnviz"
    assert w.sessions.save_session(str(session))
    before = session.read_bytes()
    assert not w.exports.export_weights(str(session)) and refused(w, before, session)
    assert not w.edits.export_data(str(session)) and refused(w, before, session)
    assert w.sessions.save_session(str(session))  # Save writes the session it opened


def test_export_weights_over_the_open_model_stays_allowed(make_window, qtbot, tmp_path):
    w, _ = csv_window(make_window, qtbot, tmp_path)
    model = tmp_path / "m.json"
    assert w.exports.export_weights(str(model))
    assert w.sessions.open_model(str(model))
    qtbot.waitUntil(lambda: w.files.model_path == str(model), timeout=10_000)
    before = model.read_bytes()
    assert not w.edits.export_data(str(model)) and refused(w, before, model)
    assert w.exports.export_weights(str(model))  # training on from a model and saving it back, as --init
