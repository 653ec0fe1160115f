"""FactorSorter: sort the factors of a fictional patient's story into biological, psychological or social.

The learner also marks the yellow flags, and gets text feedback per factor.

Cases live in ``widgets/data/cases/<case-id>.yaml``. Graded mode writes ``factors/<case-id>`` ->
``{"<factor-id>": "biological"|"psychological"|"social", ..., "yellow_flags": [factor ids]}``
each time *Check* is pressed, and restores it when the widget is rebuilt.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ipywidgets as w
from traitlets import Bool, Dict, Int, List, Unicode

from widgets._base import CourseWidget
from widgets._cases import DOMAINS, Case, Factor, load_case
from widgets._ui import esc, shows_errors, status

DEFAULT_CASE = "sam"
CHOOSE = ""


class FactorSorter(CourseWidget):
    """Sort a case's factors into biological / psychological / social and mark yellow flags."""

    case_id = Unicode(help="id of the case in widgets/data/cases").tag(sync=True)
    assignments = Dict(help="factor id -> chosen domain ('' if not chosen yet)").tag(sync=True)
    yellow_flags = List(Unicode(), help="ids of the factors marked as yellow flags").tag(sync=True)
    checked = Bool(False, help="whether Check has been pressed").tag(sync=True)
    sorted_right = Int(0, help="factors whose domain matches the course's at the last Check").tag(sync=True)
    flags_right = Int(0, help="factors whose yellow-flag mark was right at the last Check").tag(sync=True)

    def __init__(self, case_id: str = DEFAULT_CASE, *, graded: bool = False,
                 answers_path: Path | str | None = None) -> None:
        self.case: Case = load_case(case_id)  # CaseError lists known ids
        if not self.case.factors:
            raise ValueError(f"case {case_id!r} has no factors to sort")
        if self.case.keys == "instructor" and not graded:
            raise ValueError(f"case {case_id!r} has no key (the instructor keeps it): use graded=True")
        self._prepare(store_key=f"factors/{case_id}", graded=graded, answers_path=answers_path)
        options = [("Choose…", CHOOSE)] + [(d.capitalize(), d) for d in DOMAINS]
        self.dropdowns: dict[str, w.Dropdown] = {}
        self.checkboxes: dict[str, w.Checkbox] = {}
        rows = []
        for n, factor in enumerate(self.case.factors, start=1):
            dropdown = w.Dropdown(options=options, value=CHOOSE, description=f"{n}. {factor.text}",
                                  style={"description_width": "initial"}, layout=w.Layout(width="auto"))
            dropdown.add_class("lbp-factor-domain")
            box = w.Checkbox(value=False, description=f"Yellow flag ({n})", indent=False,
                             layout=w.Layout(width="auto"))
            box.add_class("lbp-factor-flag")
            dropdown.observe(self._on_change, names=["value"])
            box.observe(self._on_change, names=["value"])
            self.dropdowns[factor.id], self.checkboxes[factor.id] = dropdown, box
            rows.append(w.HBox([dropdown, box]))
        self.check = w.Button(description="Check", tooltip="Check how you sorted the factors")
        self.check.add_class("lbp-factors-check")
        self.check.on_click(self._on_check)
        self.feedback = w.HTML(status(""))
        self.feedback.add_class("lbp-factors-feedback")
        intro = w.HTML(
            f"<h3>{esc(self.case.title)}</h3><p><em>An invented person.</em> {esc(self.case.story)}</p>"
            "<p>For each factor, choose whether it is mainly biological (the body), psychological "
            "(thoughts, feelings, behaviour) or social (work, family, friends). Tick it if it is a "
            "<strong>yellow flag</strong>: a thought, feeling or situation that raises the risk of "
            "a slow recovery. Then press Check.</p>"
        )
        super().__init__([intro, *rows, self.check, self.feedback],
                         case_id=case_id, graded=graded)
        self.add_class("lbp-factors")
        self._on_change()
        self._restore()

    @shows_errors
    def _on_change(self, _change: Any = None) -> None:
        self.assignments = {fid: d.value for fid, d in self.dropdowns.items()}
        self.yellow_flags = [fid for fid, box in self.checkboxes.items() if box.value]

    @shows_errors
    def _on_check(self, _button: w.Button | None = None) -> None:
        self._show_result()
        record: dict[str, Any] = {fid: d for fid, d in self.assignments.items() if d}
        record["yellow_flags"] = list(self.yellow_flags)
        self._store.save(record)

    def _restore(self) -> None:
        def apply(record: Any) -> None:
            for fid, domain in record.items():
                if fid == "yellow_flags":
                    continue
                if fid not in self.dropdowns or domain not in DOMAINS:
                    raise ValueError(f"unknown factor or domain {fid!r}: {domain!r}")
                self.dropdowns[fid].value = domain
            for fid in record.get("yellow_flags", []):
                self.checkboxes[fid].value = True
            self._show_result()

        self._restore_with(apply)

    def _line(self, n: int, factor: Factor) -> tuple[str, bool, bool]:
        chosen = self.assignments.get(factor.id, CHOOSE)
        domain_ok = chosen == factor.domain
        flagged = factor.id in self.yellow_flags
        flag_ok = flagged == factor.yellow_flag
        if not chosen:
            domain_text = f"not sorted yet (the course says {factor.domain})"
        elif domain_ok:
            domain_text = f"{chosen}: right"
        else:
            domain_text = f"you chose {chosen}, the course says {factor.domain}"
        if flag_ok:
            flag_text = "yellow flag: right" if flagged else "not a yellow flag: right"
        else:
            flag_text = "this is a yellow flag" if factor.yellow_flag else "this is not a yellow flag"
        return (f"<li>{n}. {esc(factor.text)}: {domain_text}; {flag_text}. {esc(factor.explanation)}</li>",
                domain_ok, flag_ok)

    def _show_result(self) -> None:
        """Feedback on the sorting; in an assessment only that it was saved (marked after hand-in)."""
        if not self.graded:
            self._show_feedback()
            return
        self.checked = True
        sorted_ = sum(1 for d in self.assignments.values() if d)
        self.feedback.value = status(
            f"<p><strong>Answer saved:</strong> {sorted_} of {len(self.case.factors)} factors sorted, "
            f"{len(self.yellow_flags)} marked as yellow flags. It is marked after you hand in; you can "
            "change it until then.</p>"
        )

    def _show_feedback(self) -> None:
        lines, domains, flags = [], 0, 0
        for n, factor in enumerate(self.case.factors, start=1):
            line, domain_ok, flag_ok = self._line(n, factor)
            lines.append(line)
            domains += domain_ok
            flags += flag_ok
        self.sorted_right, self.flags_right, self.checked = domains, flags, True
        total = len(self.case.factors)
        self.feedback.value = status(
            f"<p><strong>You sorted {domains} of {total} factors as the course does, and got the "
            f"yellow-flag mark right for {flags} of {total}.</strong> Some factors touch more than one area; "
            f"the notes say why the course sorts them as it does.</p><ul>{''.join(lines)}</ul>"
        )
