"""Views made of parts: small classes that own their graphics items and state, created and called
by the view (pyqtgraph's ``GraphItem`` over its ``ScatterPlotItem`` is the model).

A view keeps the names its readers (tests, neighbouring views) use for what now lives in a part,
as read-only properties made by ``from_part``.
"""

from __future__ import annotations


def from_part(part: str, name: str) -> property:
    """The attribute ``name`` of the view's attribute ``part``, read through the view."""
    return property(lambda self: getattr(getattr(self, part), name), doc=f"``self.{part}.{name}``")


def from_parts(part: str, *names: str) -> tuple[property, ...]:
    """``from_part`` of each of ``names``, in order."""
    return tuple(from_part(part, name) for name in names)
