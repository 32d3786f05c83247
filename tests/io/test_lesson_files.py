"""Lessons in session files: title, instructions, locked and hidden controls; the shipped examples
and the script that makes them; older sessions open without one."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

from nnviz.core.experiment import Experiment, Settings
from nnviz.core.lesson import BUTTONS, CONTROLS, Lesson
from nnviz.io import session as sessionfile

ROOT = Path(__file__).resolve().parents[2]
LESSONS = ROOT / "examples" / "lessons"


def _save(path, lesson=None, **kw):
    exp = Experiment(Settings(**kw))
    exp.session.run(3)
    sessionfile.save(path, exp.settings, exp.dataset, exp.session.get_state(), np.arange(3), np.ones(3),
                     lesson=lesson)
    return exp


def test_a_lesson_round_trips_through_a_session(tmp_path):
    lesson = Lesson("Try it", "# Heading\n\n1. Press **Play**.", lock=("hidden", "activation", "hidden"),
                    hide=("l1", "l2", "reset"))
    assert lesson.lock == ("hidden", "activation")  # a repeated name once
    _save(tmp_path / "a.nnviz", lesson, data="xor", hidden=(3,))
    data = sessionfile.load(tmp_path / "a.nnviz")
    assert data.lesson == lesson and data.settings.data == "xor"
    doc = json.loads((tmp_path / "a.nnviz").read_text())
    assert doc["lesson"] == {"title": "Try it", "instructions": "# Heading\n\n1. Press **Play**.",
                             "lock": ["hidden", "activation"], "hide": ["l1", "l2", "reset"]}


def test_sessions_without_a_lesson_open_as_before(tmp_path):
    _save(tmp_path / "plain.nnviz")
    doc = json.loads((tmp_path / "plain.nnviz").read_text())
    assert "lesson" not in doc
    assert sessionfile.load(tmp_path / "plain.nnviz").lesson is None
    minimal = {"format": "nnviz-session", "version": 1, "settings": {}, "state": doc["state"]}
    (tmp_path / "old.nnviz").write_text(json.dumps(minimal))
    assert sessionfile.load(tmp_path / "old.nnviz").lesson is None


@pytest.mark.parametrize("lesson, text", [
    ({"instructions": "no title"}, "a lesson needs a title"),
    ({"title": "  "}, "a lesson needs a title"),
    ({"title": 3}, "a lesson needs a title"),
    ({"title": "t", "instructions": ["x"]}, "'instructions' must be a string"),
    ({"title": "t", "lock": "hidden"}, "'lock' must be a list of control names"),
    ({"title": "t", "hide": ["l1", 2]}, "'hide' must be a list of control names"),
    ({"title": "t", "lock": ["warp"]}, "unknown control 'warp'"),
    ({"title": "t", "colour": "red"}, "unknown field 'colour'"),
    ("a title", "'lesson' must be an object"),
])
def test_a_bad_lesson_opens_nothing_and_says_why_in_one_line(tmp_path, lesson, text):
    path = tmp_path / "bad.nnviz"
    _save(path)
    doc = json.loads(path.read_text())
    doc["lesson"] = lesson
    path.write_text(json.dumps(doc))
    with pytest.raises(ValueError) as err:
        sessionfile.load(path)
    assert text in str(err.value) and str(err.value).startswith(str(path)) and "\n" not in str(err.value)


def test_the_names_a_lesson_knows_are_the_controls_and_the_buttons():
    fields = set(Settings.__dataclass_fields__)
    assert set(CONTROLS) - {"features"} <= fields and "features" in fields
    assert BUTTONS == ("play", "step", "micro", "back", "reset", "epoch", "step_n", "speed")


EXPECTED = {
    "iris-post.nnviz": ("The post's iris run", {"data": "iris", "hidden": (6, 6), "lr": 0.02, "standardize": False},
                        {"data", "hidden", "activation", "seed"}, {"l1", "l2", "features"},
                        ["**Play**", "standardise inputs", "0.005"]),
    "xor-hidden-layer.nnviz": ("XOR needs a hidden layer", {"data": "xor", "hidden": (), "iterations": 20_000},
                               {"data", "features", "activation"}, {"l1", "l2", "momentum"},
                               ["no hidden layer", "**Keep run**", "**+**"]),
    "spiral-features.nnviz": ("The spiral with feature toggles", {"data": "spiral", "hidden": (8,),
                                                                   "activation": ("tanh",)},
                              {"data", "hidden", "activation"}, {"micro", "step_n", "epoch", "l2"},
                              ["**sin(x1)**", "**Keep run**"]),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_shipped_lesson_opens_with_its_title_instructions_and_locks(name):
    title, settings, locked, hidden, said = EXPECTED[name]
    data = sessionfile.load(LESSONS / name)
    lesson = data.lesson
    assert lesson.title == title
    for word in said:
        assert word in lesson.instructions
    assert locked <= set(lesson.lock) and hidden <= set(lesson.hide)
    assert not set(lesson.lock) & set(lesson.hide)
    assert "features" not in lesson.lock or name != "spiral-features.nnviz"  # the spiral's lesson is the toggles
    assert "hidden" not in lesson.lock or name != "xor-hidden-layer.nnviz"  # the XOR lesson changes the layers
    for key, value in settings.items():
        assert getattr(data.settings, key) == value, key
    exp = sessionfile.restore(data)
    assert exp.session.iteration == 0 and len(data.history_x) == 0


def test_the_script_makes_the_shipped_lessons(tmp_path):
    spec = importlib.util.spec_from_file_location("make_lessons", LESSONS / "make_lessons.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    paths = module.write(tmp_path)
    assert sorted(p.name for p in paths) == sorted(EXPECTED)
    for p in paths:
        made, shipped = json.loads(p.read_text()), json.loads((LESSONS / p.name).read_text())
        made.pop("nnviz_version")
        shipped.pop("nnviz_version")
        assert made == shipped, f"{p.name}: run python examples/lessons/make_lessons.py"
