"""The tour "Follow the post" in the window: each step sets the window up as it says, its task is
done by exactly the action it asks for, it asks before unsaved training is replaced, and it
resumes where it was left."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from nnviz.core import tour
from nnviz.core.experiment import Settings
from nnviz.gui.views import tour_panel


def present_settings(w):
    p = w.controller.present
    return p.settings if p is not None else None


def wait_settings(qtbot, w, target):
    qtbot.waitUntil(lambda: w.latest is not None and not w.latest.preview and w.latest.settings == target,
                    timeout=15_000)


def wait_iteration(qtbot, w, it):
    qtbot.waitUntil(lambda: w.latest is not None and w.latest.iteration == it and w.latest.state != "stepping",
                    timeout=30_000)


def micro(qtbot, w):
    before = w.controller.snapshots_received
    w.commands.micro_step()
    qtbot.waitUntil(lambda: w.controller.snapshots_received > before and w.latest.stage is not None, timeout=10_000)
    qtbot.wait(50)  # a repaint: the panel is handed the frame


def test_each_step_sets_up_its_settings_view_and_frames(make_window, qtbot):
    w = make_window(data="spiral", hidden=(3,))
    panel = w.guides.open_tour("welcome")
    assert panel.isVisible() and panel.index == 0
    assert present_settings(w).data == "spiral"  # the first step sets nothing up
    for k, s in enumerate(tour.STEPS):
        panel.go(k)
        target = s.settings()
        if target is not None:
            wait_settings(qtbot, w, target)
            assert w.controls.settings() == target  # the controls show what was set up
            assert w.latest.iteration == 0
        if s.view == "inspector":
            assert w.predictions.currentWidget() is w.inspector
        elif s.view == "runs":
            assert w.predictions.currentWidget() is w.runs_panel
        elif s.view == "loss":
            assert w.predictions.currentIndex() == 0
        framed = {h.target for h in panel.highlights}
        assert framed == {panel.widget_for(n) for n in s.point if panel.widget_for(n).isVisibleTo(w)}, s.key
        assert len(framed) == len(s.point), s.key  # every widget the step points at is there to frame
        assert panel.title.text() == s.title and f"Step {k + 1} of {len(tour.STEPS)}" in panel.progress.text()


def test_the_frames_go_after_a_few_seconds(make_window, qtbot, monkeypatch):
    monkeypatch.setattr(tour_panel, "HIGHLIGHT_MS", 50)
    w = make_window()
    panel = w.guides.open_tour("design")
    assert len(panel.highlights) == 2
    qtbot.waitUntil(lambda: not panel.highlights, timeout=5_000)


def test_a_micro_step_task_is_done_by_exactly_its_presses(make_window, qtbot):
    w = make_window()
    panel = w.guides.open_tour("hidden-delta")
    wait_settings(qtbot, w, panel.step.settings())
    assert not panel.done and panel.next_button.text() == "Skip \u203a"
    assert "Your turn" in panel.task.text() and "\u03b4_h" in panel.task.text()
    stages = []
    for _ in range(5):
        assert not panel.done
        micro(qtbot, w)
        stages.append(w.latest.stage)
    assert stages == ["forward 1", "forward 2", "error", "delta 2", "delta 1"]
    qtbot.waitUntil(lambda: panel.done, timeout=5_000)
    assert panel.next_button.text() == "Next \u203a" and "Done" in panel.task.text()
    panel.next()  # the update: one press more applies it
    assert panel.step.key == "update" and not panel.done
    micro(qtbot, w)
    qtbot.waitUntil(lambda: panel.done, timeout=5_000)
    assert w.latest.iteration == 1 and w.latest.stage == "update"


def test_the_cost_step_writes_c_from_the_frame(make_window, qtbot):
    w = make_window()
    panel = w.guides.open_tour("cost")
    wait_settings(qtbot, w, panel.step.settings())
    w.step(25)
    wait_iteration(qtbot, w, 25)
    for _ in range(3):
        micro(qtbot, w)
    qtbot.waitUntil(lambda: panel.done and panel.live.isVisible(), timeout=5_000)
    snap, ctx = w.latest, w.context
    T = ctx.train.T
    c = 0.5 * float(np.sum((T - snap.outputs) ** 2))  # the post's C, summed here
    assert snap.iteration == 25 and snap.stage == "error"
    assert f"C = {c:.6g}" in panel.live.text() and f"\u00d7 {T.shape[0]} rows \u00d7 {T.shape[1]} outputs" in \
        panel.live.text()
    assert "C = \u00bd \u03a3" in panel.formulas.text()  # the post's name beside nnviz's
    assert "mse \u00d7 rows \u00d7 outputs / 2" in panel.formulas.text()


def test_a_play_task_is_done_at_its_iteration_not_one_before(make_window, qtbot):
    w = make_window()
    panel = w.guides.open_tour("iris-raw")
    wait_settings(qtbot, w, panel.step.settings())
    w.step(4_999)
    wait_iteration(qtbot, w, 4_999)
    qtbot.wait(100)
    assert not panel.done and "iteration 4,999 of 5,000" in panel.task.text()
    w.step(1)
    qtbot.waitUntil(lambda: panel.done, timeout=10_000)


def test_the_toy_run_played_to_the_end_completes_its_step(make_window, qtbot):
    w = make_window()  # speed=None: Play as fast as possible
    panel = w.guides.open_tour("toy")
    wait_settings(qtbot, w, panel.step.settings())
    w.play()
    qtbot.waitUntil(lambda: panel.done, timeout=120_000)
    assert w.latest.iteration == 50_000 and w.latest.accuracy == 1.0


def test_the_scaled_step_keeps_the_unscaled_run_and_draws_both(make_window, qtbot):
    w = make_window()
    panel = w.guides.open_tour("iris-raw")
    wait_settings(qtbot, w, panel.step.settings())
    w.step(300)
    wait_iteration(qtbot, w, 300)
    panel.next()
    wait_settings(qtbot, w, panel.step.settings())
    runs = w.runs_panel.runs
    assert len(runs) == 1 and runs[0].settings.standardize is False and runs[0].iterations == 300
    overlays = list(w.runs_panel.model.overlays())
    assert len(overlays) == 1 and "standardize off" in overlays[0][0]  # dashed on the error plot
    assert w.latest.settings.standardize is True and w.latest.iteration == 0
    panel.back()
    panel.next()  # nothing trained since: nothing kept twice
    wait_settings(qtbot, w, panel.step.settings())
    assert len(w.runs_panel.runs) == 1


def test_a_step_asks_before_unsaved_training_is_replaced(make_window, qtbot):
    w = make_window()
    w.sessions.confirm_discard = True
    panel = w.guides.open_tour("toy")
    wait_settings(qtbot, w, panel.step.settings())  # iteration 0: nothing to lose, no question
    w.step(20)
    wait_iteration(qtbot, w, 20)
    panel.next()
    box = w.notices.question
    assert box.isVisible() and "iteration 20" in box.text() and "not saved" in box.text()
    assert present_settings(w).data == "toy"  # nothing replaced while the question is open
    box.button(QMessageBox.Cancel).click()
    qtbot.waitUntil(lambda: not box.isVisible(), timeout=5_000)
    assert present_settings(w).data == "toy" and w.latest.iteration == 20
    assert not panel.set_up and panel.not_set_up.isVisible() and panel.step.key == "iris-raw"
    panel.go(panel.index)  # Set up
    box = w.notices.question
    box.button(QMessageBox.Discard).click()
    wait_settings(qtbot, w, panel.step.settings())
    assert panel.set_up and not panel.not_set_up.isVisible()


def test_the_tour_resumes_where_it_was_left(make_window, qtbot):
    w = make_window()
    panel = w.guides.open_tour("learning-rate")
    panel.next()
    assert panel.step.key == "deeper"
    panel.close()
    w2 = make_window()
    again = w2.guides.open_tour()
    assert again.step.key == "deeper"
    wait_settings(qtbot, w2, again.step.settings())  # and the window is set up for it


def test_the_deeper_step_is_done_by_the_diagram_plus_button(make_window, qtbot):
    w = make_window()
    panel = w.guides.open_tour("deeper")
    wait_settings(qtbot, w, panel.step.settings())
    assert not panel.done
    w.layer_buttons.layer_plus.click()
    qtbot.waitUntil(lambda: panel.done, timeout=10_000)
    assert w.latest.settings.hidden == (6, 6, 6)


def test_the_neuralnet_step_runs_the_comparison_or_says_what_is_missing(make_window, qtbot, monkeypatch):
    monkeypatch.setenv("NNVIZ_RSCRIPT", "/nonexistent/Rscript")
    w = make_window()
    panel = w.guides.open_tour("neuralnet")
    assert panel.action_button.isVisible() and "NNVIZ_RSCRIPT" in panel.action_note.text()
    called = []
    monkeypatch.setattr(w.runs, "compare_with_neuralnet", lambda: called.append(True))
    panel.action_button.click()
    assert called == [True]
    panel.back()
    assert not panel.action_button.isVisible()


def test_help_menu_opens_the_tour(make_window, qtbot):
    w = make_window()
    assert w.guides.tour is None
    w.guides.tour_action.trigger()
    assert w.guides.tour is not None and w.guides.tour.isVisible() and w.guides.tour.index == 0
    assert Settings() == present_settings(w)


@pytest.mark.parametrize("scale", ["1", "2"])
def test_the_panel_fits_a_small_screen(make_window, qtbot, scale, monkeypatch):
    w = make_window()
    w.resize(1366 // int(scale), 768 // int(scale))
    panel = w.guides.open_tour("hidden-delta")
    qtbot.wait(50)
    assert panel.next_button.isVisible() and panel.back_button.isVisible()
    assert panel.width() <= w.width() // 2


def test_on_a_narrow_screen_the_guide_is_a_tab_beside_the_controls(make_window, qtbot, monkeypatch):
    from nnviz.gui.guide_actions import GuideActions

    monkeypatch.setattr(GuideActions, "_too_narrow", lambda self, dock: True)  # QT_SCALE_FACTOR=2 on 1600 px
    w = make_window()
    panel = w.guides.open_tour("cost")
    assert w.guides.controls_dock is not None and w.guides.controls_dock.widget() is w.controls_scroll
    qtbot.waitUntil(lambda: w.tabifiedDockWidgets(panel) == [w.guides.controls_dock], timeout=5_000)
    assert w.dockWidgetArea(panel) == Qt.LeftDockWidgetArea
    assert w._splitters["main"].count() == 2  # the diagram and the side column keep the central room
    w.guides.put_controls_back()  # as closing does, before the splitters are saved
    assert w.guides.controls_dock is None and w._splitters["main"].widget(0) is w.controls_scroll
    assert w._splitters["main"].count() == 3


def test_the_tour_works_at_the_windows_default_pace(make_window, qtbot):
    from nnviz.core.pace import DEFAULT_SPEED

    w = make_window(speed=DEFAULT_SPEED)  # Play paced as a student sees it: a slow start, then 2,000 it/s
    panel = w.guides.open_tour("iris-raw")
    wait_settings(qtbot, w, panel.step.settings())
    w.play()
    qtbot.waitUntil(lambda: panel.done, timeout=120_000)
    assert w.latest.iteration >= 5_000 and w.controller.running  # done while Play goes on
    w.pause()


def test_only_a_run_of_the_same_data_is_kept_for_the_comparison(make_window, qtbot):
    w = make_window()
    panel = w.guides.open_tour("toy")
    wait_settings(qtbot, w, panel.step.settings())
    w.step(50)
    wait_iteration(qtbot, w, 50)
    panel.go(tour.index_of("iris-scaled"))  # straight from the toy run: nothing to compare with
    wait_settings(qtbot, w, panel.step.settings())
    assert w.runs_panel.runs == []
