"""CourseWidget: what every course widget shares, in one private base class.

Like the private bases of ipywidgets' own ``widgets`` package, it holds the invariants so that the
six public widgets (slider, quiz, explorer, factors, simulator, risk) keep only their own parts:

- the mode switch: ``graded`` is False in lessons and for patients (nothing is ever written) and
  True in assessments (answers go to ``answers.json`` under one key per widget);
- ``error``, the last error shown, and the error box at the end of every widget, which the
  ``shows_errors`` decorator fills when a callback fails;
- graded storage and restore: a stored answer that cannot be restored is reported in the widget
  with one message, and the widget stays usable;
- the course stylesheet (``widgets/static/lbp.css``), carried in a hidden first child.

A subclass calls :meth:`_prepare` first (its children may need the error box), builds its children,
then calls ``super().__init__(children, ...)``; the error box is appended for it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import ipywidgets as w
from traitlets import Bool, TraitError, Unicode

from widgets._ui import STYLESHEET, ErrorBox, GradedStore


class CourseWidget(w.VBox):
    """Base of every course widget: error display, graded storage and restore, the mode switch."""

    graded = Bool(False, help="graded mode: write answers to answers.json (assessments only)").tag(sync=True)
    error = Unicode("", help="the last error shown to the learner, if any").tag(sync=True)

    def _prepare(self, *, store_key: str | None = None, graded: bool = False,
                 answers_path: Path | str | None = None) -> None:
        """Make the error box and the graded store (a no-op store unless ``graded``)."""
        self._errors = ErrorBox()
        self._store = GradedStore(store_key or "", graded and store_key is not None, answers_path,
                                  self._errors)

    def __init__(self, children: Sequence[w.Widget], **traits: Any) -> None:
        # The stylesheet travels with the widget, so JupyterLab and Voila read the same one.
        style = w.HTML(f"<style>{STYLESHEET}</style>", layout=w.Layout(display="none"))
        super().__init__([style, *children, self._errors], **traits)

    def _restore_with(self, apply: Callable[[Any], None], what: str = "your earlier answers") -> None:
        """Apply the stored record, if any; a record that cannot be applied is reported, not raised."""
        record = self._store.load()
        if not record:
            return
        try:
            apply(record)
        except (KeyError, TypeError, ValueError, AttributeError, TraitError) as err:
            self._errors.show(f"Could not restore {what} {record!r}: {err}")
