"""The Runs panel: Keep run, ticked curves on the plot, sorting, sessions, import/export, sweeps."""

import csv
import io
import json

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox

from nnviz.core import runs, sweep
from nnviz.core.experiment import Experiment, Settings

SMALL = dict(hidden=(3,), iterations=300)


def finished(qtbot, w, it):
    qtbot.waitUntil(lambda: w.controller.present is not None and w.controller.present.state == "finished"
                    and w.controller.present.iteration == it, timeout=120_000)


def test_keep_run_with_ctrl_k_and_its_curve_on_the_plot(make_window, qtbot):
    w = make_window(**SMALL)
    w.play()
    finished(qtbot, w, 300)
    w.activateWindow()
    qtbot.keyClick(w, Qt.Key_K, Qt.ControlModifier)
    qtbot.waitUntil(lambda: len(w.runs_panel.runs) == 1, timeout=5_000)
    (run,) = w.runs_panel.runs
    ref = Experiment(Settings(**SMALL))
    res = ref.session.run(300)
    assert run.iterations == 300 and run.stopped == "max_iterations"
    assert run.mse == ref.evaluate().mse == w.latest.mse
    assert np.array_equal(run.curve.iterations, np.arange(301))
    assert np.allclose(run.curve.train[:-1], res.mse, rtol=0, atol=1e-15)
    # a kept run is ticked: its curve is on the plot, dashed, labelled by what differs (nothing yet)
    plot = w.loss_plot
    assert len(plot.overlays) == 1
    x, y = plot.overlays[0].xData, plot.overlays[0].yData  # the data (getData is log10 in log mode)
    assert np.array_equal(x, run.curve.iterations) and np.array_equal(y, run.curve.train)
    assert plot.overlay_data[0][0] == "#1 same settings"
    legend = [label.text for _, label in plot.legend.items]
    assert "#1 same settings" in legend
    # untick: gone; tick again: back with the same data
    model = w.runs_panel.model
    model.setData(model.index(0, 0), Qt.Unchecked, Qt.CheckStateRole)
    assert plot.overlays == [] and "#1 same settings" not in [lb.text for _, lb in plot.legend.items]
    model.setData(model.index(0, 0), Qt.Checked, Qt.CheckStateRole)
    assert np.array_equal(plot.overlays[0].yData, run.curve.train)
    # new settings: the label says what differs from them
    w.controller.configure(Settings(**SMALL, lr=0.05))
    qtbot.waitUntil(lambda: w.latest.settings.lr == 0.05, timeout=30_000)
    qtbot.waitUntil(lambda: plot.overlay_data and plot.overlay_data[0][0] == "#1 lr auto", timeout=5_000)
    assert w.runs_panel.model.data(model.index(0, 2)) == "lr auto"


def test_keep_a_running_run_as_of_now(make_window, qtbot):
    w = make_window(hidden=(3,), iterations=50_000_000)
    w.play()
    qtbot.waitUntil(lambda: w.latest.state == "running" and w.latest.iteration > 100, timeout=120_000)
    run = w.runs.keep_run()
    assert run.stopped == "running" and run.iterations > 100 and run.curve.iterations[-1] == run.iterations
    assert w.controller.running  # training went on


def _run(lr, mse):
    s = Settings(lr=lr)
    return runs.KeptRun(s, "iris", "4-6-6-3", 100, mse, None, None, None, 1.0, "max_iterations")


def test_the_table_sorts_numerically(make_window):
    w = make_window(**SMALL)
    for lr, mse in ((0.5, 0.3), (0.05, 0.02), (10.0, None), (2.0, 0.1)):
        w.runs.add_kept_run(_run(lr, mse))
    panel = w.runs_panel
    titles = [panel.model.headerData(c, Qt.Horizontal) for c in range(panel.model.columnCount())]
    proxy = panel.proxy

    def column(title):
        c = titles.index(title)
        panel.view.sortByColumn(c, Qt.AscendingOrder)
        return [proxy.data(proxy.index(r, c)) for r in range(proxy.rowCount())]

    assert column("lr") == ["0.05", "0.5", "2", "10"]  # as text 10 would sort before 2
    assert column("train mse") == ["0.02", "0.1", "0.3", ""]  # the run without an mse last
    panel.view.sortByColumn(titles.index("lr"), Qt.DescendingOrder)
    assert [proxy.data(proxy.index(r, titles.index("lr"))) for r in range(4)] == ["10", "2", "0.5", "0.05"]
    # remove the selected run (the one of lr 2, first row of this order is lr 10)
    panel.view.selectRow(1)
    panel.remove_selected()
    assert sorted(r.settings.lr for r in panel.runs) == [0.05, 0.5, 10.0]


def test_kept_runs_survive_a_session_round_trip_in_the_window(make_window, qtbot, tmp_path):
    w = make_window(**SMALL, test_fraction=0.2)
    w.play()
    finished(qtbot, w, 300)
    first = w.runs.keep_run()
    w.runs.add_kept_run(_run(0.5, 0.25))
    path = tmp_path / "kept.nnviz"
    assert w.sessions.save_session(str(path))
    assert not w.sessions.unsaved
    w.runs.add_kept_run(_run(0.7, 0.3))  # the runs are part of the session: one more is not saved yet
    assert w.sessions.unsaved and w.windowTitle().endswith("*")
    w.runs_panel.model.remove([2])
    assert w.sessions.unsaved  # counted as a change, like an edit undone by hand
    assert w.sessions.save_session(str(path)) and not w.sessions.unsaved
    w2 = make_window()
    assert w2.sessions.open_session(str(path)), w2.last_error
    qtbot.waitUntil(lambda: len(w2.runs_panel.runs) == 2, timeout=30_000)
    back = w2.runs_panel.runs[0]
    assert back.settings == first.settings and back.mse == first.mse and back.test_mse == first.test_mse
    assert np.array_equal(back.curve.train, first.curve.train)
    assert np.array_equal(back.curve.test, first.curve.test)
    assert w2.runs_panel.runs[1].curve is None
    assert w2.sessions.open_session(str(path))  # opened again: the same runs are not added twice
    qtbot.waitUntil(lambda: w2.controller.present is not None, timeout=30_000)
    assert len(w2.runs_panel.runs) == 2


def test_import_json_and_export_csv(make_window, qtbot, tmp_path, capsys):
    from nnviz import cli

    assert cli.main(["sweep", "--data", "iris", "--lr", "0.01,0.5", "--hidden", "3", "--iterations", "200",
                     "--json"]) == 0
    out = capsys.readouterr().out
    src = tmp_path / "sweep.json"
    src.write_text(out)
    w = make_window(**SMALL)
    assert w.runs.import_runs(str(src))
    kept = w.runs_panel.runs
    assert [r.settings.lr for r in kept] == [0.01, 0.5]
    assert [r.mse for r in kept] == [json.loads(line)["mse"] for line in out.splitlines()]
    model = w.runs_panel.model
    titles = [model.headerData(c, Qt.Horizontal) for c in range(model.columnCount())]
    assert model.data(model.index(0, titles.index("curve"))) == "none in the file"
    assert model.data(model.index(1, 2)) == "lr 0.5, iterations 200"
    assert w.loss_plot.overlays == []  # no curve to draw
    dest = tmp_path / "runs.csv"
    assert w.runs.export_runs(str(dest))
    rows = list(csv.DictReader(io.StringIO(dest.read_text())))
    assert [float(r["mse"]) for r in rows] == [r.mse for r in kept]
    assert [r["label"] for r in rows] == ["lr 0.01, iterations 200", "lr 0.5, iterations 200"]
    # a malformed file: one line, nothing added
    bad = tmp_path / "bad.json"
    bad.write_text('{"data": "iris"\n')
    assert not w.runs.import_runs(str(bad))
    assert w.last_error.startswith(str(bad)) and "\n" not in w.last_error
    assert len(w.runs_panel.runs) == 2


def test_sweep_dialog_runs_the_grid_in_its_thread(make_window, qtbot):
    w = make_window(**SMALL)
    d = w.runs.open_sweep()
    assert d.values1.text() == "0.01,0.02,0.04"  # around the current rate
    d.setting1.setCurrentText("lr")
    d.values1.setText("0.01,0.05")
    d.setting2.setCurrentText("hidden")
    d.values2.setText("2,4-4")
    assert "4 runs" in d.summary.text()
    assert d.start()
    assert d.running
    qtbot.waitUntil(lambda: not d.running and len(w.runs_panel.runs) == 4, timeout=120_000)
    got = w.runs_panel.runs
    assert [(r.settings.lr, r.settings.hidden) for r in got] == [(0.01, (2,)), (0.01, (4, 4)), (0.05, (2,)),
                                                                 (0.05, (4, 4))]
    for r in got:  # each equals the headless run of its settings
        exp, ref, _ = sweep.run_one(r.settings)
        assert r.mse == ref.mse and np.array_equal(r.curve.train, ref.curve.train)
        assert r.origin == "sweep"
    assert len(w.loss_plot.overlays) == 4
    assert "4 runs done" in d.status.text() and d.bar.value() == 1000


def test_cancelling_a_sweep_keeps_the_runs_done(make_window, qtbot):
    w = make_window(**SMALL)
    d = w.runs.open_sweep()
    d.setting1.setCurrentText("iterations")
    d.values1.setText("100,50000000,100")
    assert d.start()
    qtbot.waitUntil(lambda: len(w.runs_panel.runs) == 1, timeout=60_000)
    qtbot.waitUntil(lambda: "run 2 of 3" in d.status.text(), timeout=30_000)
    d.cancel()
    qtbot.waitUntil(lambda: not d.running, timeout=30_000)
    assert len(w.runs_panel.runs) == 1 and w.runs_panel.runs[0].iterations == 100
    assert "cancelled after 1 of 3 runs" in d.status.text()
    assert d.sweep_thread is None and d.start_button.isEnabled()


def test_bad_sweep_input_is_one_line(make_window):
    w = make_window(**SMALL)
    d = w.runs.open_sweep()
    for setting, text, message in (("lr", "", "no values for lr"), ("lr", "0.1,,0.2", "an empty value"),
                                   ("lr", "0.1,fast", "lr takes numbers (got 'fast')"),
                                   ("hidden", "2,x", "hidden layers must be positive whole numbers")):
        d.setting1.setCurrentText(setting)
        d.values1.setText(text)
        assert message in d.error.text() and "\n" not in d.error.text()
        assert not d.start_button.isEnabled() and not d.start()
    d.values1.setText("2,3")
    d.setting2.setCurrentText("hidden")
    d.values2.setText("4")
    assert "hidden is chosen twice" in d.error.text()


def test_closing_the_window_stops_a_sweep(make_window, qtbot):
    w = make_window(**SMALL)
    d = w.runs.open_sweep()
    d.setting1.setCurrentText("iterations")
    d.values1.setText("50000000")
    assert d.start()
    qtbot.waitUntil(lambda: "iteration" in d.status.text() and "of 1" in d.status.text(), timeout=30_000)
    thread = d.sweep_thread
    w.close()
    assert not thread.isRunning() and w.runs_panel.runs == []


def test_the_sweep_dialog_closes_by_button_escape_and_title_bar(make_window, qtbot):
    """Closing once crashed the application (an attribute named ``done`` hid QDialog.done)."""
    w = make_window(**SMALL)
    d = w.runs.open_sweep()
    close = d.findChild(QDialogButtonBox).button(QDialogButtonBox.Close)
    qtbot.mouseClick(close, Qt.LeftButton)
    assert not d.isVisible()
    d = w.runs.open_sweep()
    qtbot.keyClick(d, Qt.Key_Escape)
    assert not d.isVisible()
    d = w.runs.open_sweep()
    d.close()
    assert not d.isVisible()
    # closed while a sweep runs: the sweep goes on, its runs are kept, the dialog shows it again
    d = w.runs.open_sweep()
    d.setting1.setCurrentText("iterations")
    d.values1.setText("100,200")
    assert d.start()
    d.close()
    qtbot.waitUntil(lambda: not d.running and len(w.runs_panel.runs) == 2, timeout=60_000)
    assert w.runs.open_sweep() is d and "2 runs done" in d.status.text()


def test_kept_runs_of_another_data_set_are_listed_but_not_drawn(make_window, qtbot):
    """Issue 30: a 64-iteration toy curve vanished under four 50,000-iteration iris curves."""
    w = make_window(**SMALL)
    w.play()
    finished(qtbot, w, 300)
    w.runs.keep_run()
    qtbot.waitUntil(lambda: len(w.runs_panel.runs) == 1, timeout=5_000)
    assert len(w.loss_plot.overlays) == 1
    w.controls.data.setCurrentText("toy")
    qtbot.waitUntil(lambda: w.context.settings.data == "toy" and w.latest.generation == w.context.generation,
                    timeout=10_000)
    qtbot.waitUntil(lambda: w.loss_plot.overlays == [], timeout=5_000)
    assert len(w.runs_panel.runs) == 1 and w.runs_panel.model.ticked[0]  # still listed, still ticked
    assert "of other data not drawn" in w.runs_panel.note.full_text
    w.controls.data.setCurrentText("iris")
    qtbot.waitUntil(lambda: len(w.loss_plot.overlays) == 1, timeout=10_000)
