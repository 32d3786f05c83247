"""Lessons: a title, instructions and locked or hidden controls that a session file can carry.

A teacher prepares an exercise as a session (``.nnviz``) with a ``"lesson"`` object, as TensorFlow
Playground's tutorial and hide options do for its page:

    "lesson": {"title": "XOR needs a hidden layer",
               "instructions": "Markdown, a few paragraphs ...",
               "lock": ["data", "activation"],
               "hide": ["l1", "l2", "lr_schedule"]}

``lock`` and ``hide`` name the control panel's fields (the ``Settings`` names, plus ``features``
for the feature toggles) and the transport bar's buttons (``BUTTONS``).  A locked control is shown
but cannot be changed; a hidden one is not shown.  Locking or hiding ``hidden`` also covers the
diagram's +/- buttons, ``features`` the feature toggles, ``data`` the Open CSV button.

Qt-free; ``Lesson.from_dict`` checks a lesson read from a file and raises one-line ValueErrors.
What it leaves out: a lesson restricts the window's controls, not the menus' file actions, and it
is a help for teaching, not a security boundary (the file is plain JSON).
"""

from __future__ import annotations

from dataclasses import dataclass

CONTROLS = ("data", "target", "classify", "noise", "test_fraction", "validation_fraction", "standardize",
            "features", "hidden", "activation", "output_activation", "loss", "seed", "algorithm", "lr",
            "batch_size", "momentum", "threshold", "l1", "l2", "lr_schedule", "patience", "iterations")
BUTTONS = ("play", "step", "micro", "back", "reset", "epoch", "step_n", "speed")
NAMES = CONTROLS + BUTTONS
MAX_TITLE = 200
MAX_INSTRUCTIONS = 100_000


@dataclass(frozen=True)
class Lesson:
    title: str
    instructions: str = ""  # Markdown
    lock: tuple[str, ...] = ()
    hide: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.title, str) or not self.title.strip():
            raise ValueError("a lesson needs a title (a non-empty string)")
        if len(self.title) > MAX_TITLE:
            raise ValueError(f"the lesson's title is longer than {MAX_TITLE} characters")
        if not isinstance(self.instructions, str):
            raise ValueError("the lesson's 'instructions' must be a string (Markdown)")
        if len(self.instructions) > MAX_INSTRUCTIONS:
            raise ValueError(f"the lesson's instructions are longer than {MAX_INSTRUCTIONS:,} characters")
        for what in ("lock", "hide"):
            names = getattr(self, what)
            if isinstance(names, str) or not isinstance(names, (list, tuple)) \
                    or not all(isinstance(n, str) for n in names):
                raise ValueError(f"the lesson's {what!r} must be a list of control names")
            unknown = [n for n in names if n not in NAMES]
            if unknown:
                raise ValueError(f"the lesson's {what!r} names an unknown control {unknown[0]!r} "
                                 f"(known: {', '.join(NAMES)})")
            object.__setattr__(self, what, tuple(dict.fromkeys(names)))

    def as_dict(self) -> dict:
        return {"title": self.title, "instructions": self.instructions, "lock": list(self.lock),
                "hide": list(self.hide)}

    @classmethod
    def from_dict(cls, doc) -> Lesson:
        """A lesson from a session's 'lesson' object (title required; the rest optional)."""
        if not isinstance(doc, dict):
            raise ValueError("'lesson' must be an object")
        extra = sorted(set(doc) - {"title", "instructions", "lock", "hide"})
        if extra:
            raise ValueError(f"the lesson has an unknown field {extra[0]!r} (known: title, instructions, lock, hide)")
        names = {}
        for what in ("lock", "hide"):
            value = doc.get(what, [])
            if not isinstance(value, list):
                raise ValueError(f"the lesson's {what!r} must be a list of control names")
            names[what] = tuple(value)
        return cls(doc.get("title", ""), doc.get("instructions", ""), names["lock"], names["hide"])
