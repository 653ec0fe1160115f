"""Shared bits of the course widgets: text feedback regions, error display, graded-mode storage.

Private helpers; the public widgets live in ``slider``, ``quiz``, ``explorer``, ``factors``,
``simulator`` and ``risk``.
"""

from __future__ import annotations

import functools
import html
import logging
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import ipywidgets as w

from widgets.answers import AnswersError, load_answers, record_answer

log = logging.getLogger("widgets")

F = TypeVar("F", bound=Callable[..., Any])

esc = html.escape
STYLESHEET = (Path(__file__).parent / "static" / "lbp.css").read_text(encoding="utf-8")


def status(text_html: str, *, polite: bool = True) -> str:
    """Wrap feedback HTML in a live region that screen readers announce."""
    live = "polite" if polite else "assertive"
    return f'<div role="status" aria-live="{live}">{text_html}</div>'


def alert(message: str) -> str:
    """An error message, announced at once and marked with a text label (not colour alone)."""
    return (
        '<div role="alert" class="lbp-error-text">'
        f"<strong>Problem:</strong> {esc(message)}</div>"
    )


MINUS = "\u2212"  # the true minus sign: the one way every view writes a negative number


def fmt(value: float) -> str:
    """The course's one number format: at most two decimals, no trailing zeros, a true minus sign.

    ``fmt(-0.90)`` is '−0.9', ``fmt(15.0)`` is '15', ``fmt(1/0.72)`` is '1.39'; ``-0.001`` is '0'.
    """
    whole = math.isclose(value, round(value))
    text = str(round(value)) if whole else f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "0") else text.replace("-", MINUS)


class ErrorBox(w.HTML):
    """Where a widget shows an error that happened inside a callback (never swallowed)."""

    def __init__(self) -> None:
        super().__init__(value="")
        self.add_class("lbp-error")

    def show(self, message: str) -> None:
        self.value = alert(message)

    def clear(self) -> None:
        self.value = ""


def shows_errors(method: F) -> F:
    """Decorate a callback method: an exception is logged and shown in ``self._errors``."""

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except Exception as err:
            log.exception("error in %s", method.__qualname__)
            self.error = f"{type(err).__name__}: {err}"
            self._errors.show(f"Something went wrong: {err}. Your earlier answers are kept.")
            return None

    return wrapper  # type: ignore[return-value]


def load_record(graded: bool, path: Path | str | None, errors: ErrorBox) -> dict[str, Any]:
    """Every stored answer (empty when not graded); a corrupt file is reported in ``errors``."""
    if not graded:
        return {}
    try:
        return load_answers(path)
    except AnswersError as err:
        errors.show(
            f"{err}. Your new answers will still be saved; the unreadable file will be kept "
            "beside it as answers.corrupt-N.json for your instructor."
        )
        return {}


class GradedStore:
    """Read and write one key of the answers record; does nothing unless ``graded``."""

    def __init__(self, key: str, graded: bool, path: Path | str | None, errors: ErrorBox) -> None:
        self.key = key
        self.graded = graded
        self.path = path
        self._errors = errors

    def load(self) -> Any:
        """The stored value for this key, or None; a corrupt file is reported in the widget."""
        return load_record(self.graded, self.path, self._errors).get(self.key)

    def save(self, value: Any) -> None:
        if self.graded:
            record_answer(self.key, value, self.path)


def wide_description() -> dict[str, Any]:
    """Style and layout so a long description is shown in full."""
    return {"style": {"description_width": "initial"}, "layout": w.Layout(width="auto")}
