"""RiskStratifier: STarT Back-style risk grouping, with the scoring rules read from the evidence.

Nine items: items 1 to 8 are answered agree or disagree; item 9 (how bothersome the pain was) has
five levels. Which items form the worry-and-mood subscale, which item-9 answers score, and the
cut-offs between the low, medium and high groups all come from ``evidence().reference.startback``.

:func:`startback_group` is the pure scoring function (assessments reuse it). Graded mode writes
``risk/<case-id>`` -> ``{"answers": {"1": "agree", ..., "9": "very much"}, "group": ...}`` when
*Score* is pressed.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import ipywidgets as w
from traitlets import Dict, Int, Unicode

from widgets._base import CourseWidget
from widgets._cases import AGREE, DISAGREE, ITEM9_LEVELS, Case, load_case
from widgets._ui import esc, shows_errors, status
from widgets.evidence import StartBack, evidence

CHOOSE = ""


def _rules() -> StartBack:
    rules = evidence().reference.startback
    unknown = set(rules.item9_positive_answers) - set(ITEM9_LEVELS)
    if unknown:
        raise ValueError(f"reference.yaml startback.item9_positive_answers: {sorted(unknown)} are not "
                         f"among the item-9 answers {ITEM9_LEVELS}")
    return rules


def item_scores(answers: Mapping[int, Any] | Mapping[str, Any]) -> dict[int, int]:
    """Score each of the nine items 0 or 1; raise ValueError naming a missing or bad answer."""
    rules = _rules()
    by_number = {int(k): v for k, v in answers.items()}
    scores = {}
    for item in rules.items:
        if item.number not in by_number or by_number[item.number] in (None, CHOOSE):
            raise ValueError(f"item {item.number} ({item.topic}) has no answer")
        value = by_number[item.number]
        if item.number == 9:
            if value not in ITEM9_LEVELS:
                raise ValueError(f"item 9: {value!r} is not one of {', '.join(ITEM9_LEVELS)}")
            scores[9] = int(value in rules.item9_positive_answers)
        elif isinstance(value, bool):
            scores[item.number] = int(value)
        elif value in (AGREE, DISAGREE):
            scores[item.number] = int(value == AGREE)
        else:
            raise ValueError(f"item {item.number}: {value!r} is not 'agree' or 'disagree'")
    return scores


def startback_group(answers: Mapping[int, Any] | Mapping[str, Any]) -> tuple[int, int, str]:
    """(total, subscale, group) for nine answers keyed by item number (1-9).

    Items 1-8: 'agree' / 'disagree' (or True / False); item 9: one of ITEM9_LEVELS.
    """
    rules = _rules()
    scores = item_scores(answers)
    total = sum(scores.values())
    subscale = sum(scores[n] for n in rules.subscale_items)
    if total <= rules.low_max_total:
        group = "low"
    elif subscale >= rules.high_min_subscale:
        group = "high"
    else:
        group = "medium"
    return total, subscale, group


def group_explanation(total: int, subscale: int, group: str) -> str:
    """Why these scores give this group, in words, with the cut-offs from the data."""
    rules = _rules()
    items = ", ".join(str(n) for n in rules.subscale_items)
    if group == "low":
        why = f"the total score is {rules.low_max_total} or less"
    elif group == "high":
        why = (f"the total is above {rules.low_max_total} and the worry-and-mood score (items {items}) is "
               f"{rules.high_min_subscale} or more")
    else:
        why = (f"the total is above {rules.low_max_total} but the worry-and-mood score (items {items}) is "
               f"below {rules.high_min_subscale}")
    return (f"Total score {total} of 9; worry-and-mood score {subscale} of {len(rules.subscale_items)}. "
            f"Group: {group} risk, because {why}.")


class RiskStratifier(CourseWidget):
    """Answer nine STarT Back-style items (for a fictional case or freely) and see the risk group."""

    case_id = Unicode("", help="id of the case answered for ('' = free exploration)").tag(sync=True)
    answers = Dict(help="item number (as a string) -> answer ('' if not answered)").tag(sync=True)
    total = Int(0, help="total score at the last Score press").tag(sync=True)
    subscale = Int(0, help="worry-and-mood subscale score at the last Score press").tag(sync=True)
    group = Unicode("", help="low, medium or high at the last Score press").tag(sync=True)

    def __init__(self, case_id: str | None = None, *, graded: bool = False,
                 answers_path: Path | str | None = None) -> None:
        self.case: Case | None = load_case(case_id) if case_id else None
        if graded and self.case is None:
            raise ValueError("graded mode needs a case_id (the answers are stored under risk/<case-id>)")
        rules = _rules()
        self._prepare(store_key=f"risk/{case_id}" if case_id else None, graded=graded,
                      answers_path=answers_path)
        self.dropdowns: dict[int, w.Dropdown] = {}
        for item in rules.items:
            if item.number == 9:
                options = [("Choose…", CHOOSE)] + [(level.capitalize(), level) for level in ITEM9_LEVELS]
                text = f"9. How bothersome: {item.topic.split(':', 1)[-1].strip()}"
            else:
                options = [("Choose…", CHOOSE), ("Agree", AGREE), ("Disagree", DISAGREE)]
                text = f"{item.number}. {item.topic[0].upper()}{item.topic[1:]}"
            dropdown = w.Dropdown(options=options, value=CHOOSE, description=text,
                                  style={"description_width": "initial"}, layout=w.Layout(width="auto"))
            dropdown.add_class("lbp-risk-item")
            dropdown.observe(self._on_change, names=["value"])
            self.dropdowns[item.number] = dropdown
        self.score_button = w.Button(description="Score", tooltip="Work out the risk group")
        self.score_button.add_class("lbp-risk-score")
        self.score_button.on_click(self._on_score)
        self.feedback = w.HTML(status(""))
        self.feedback.add_class("lbp-risk-feedback")
        who = (f"<h3>{esc(self.case.title)}</h3><p><em>An invented person.</em> {esc(self.case.story)}</p>"
               "<p>Answer each item as this person would, then press Score.</p>") if self.case else (
               "<p>Try answers and press Score to see how the grouping works. This is a teaching "
               "tool: education, not medical advice.</p>")
        intro = w.HTML(
            "<h3>Sorting people by risk of a slow recovery (STarT Back style)</h3>" + who
            + "<p>The items are shown by topic, not in the tool's exact wording.</p>"
        )
        super().__init__([intro, *self.dropdowns.values(), self.score_button, self.feedback],
                         case_id=case_id or "", graded=graded)
        self.add_class("lbp-risk")
        self._on_change()
        self._restore()

    def _on_change(self, _change: Any = None) -> None:
        self.answers = {str(n): d.value for n, d in self.dropdowns.items()}

    @shows_errors
    def _on_score(self, _button: w.Button | None = None) -> None:
        missing = [n for n, d in self.dropdowns.items() if d.value == CHOOSE]
        if missing:
            self.feedback.value = status(
                f"Please answer every item first. Not answered yet: {', '.join(map(str, missing))}."
            )
            return
        self._show_result()
        self._store.save({"answers": dict(self.answers), "group": self.group})

    def _show_result(self) -> None:
        self.total, self.subscale, self.group = startback_group(self.answers)
        text = f"<p><strong>{group_explanation(self.total, self.subscale, self.group)}</strong></p>"
        if self.case and self.case.startback:
            expected = {str(n): v for n, v in self.case.startback.answers.items()}
            differ = [n for n in expected if expected[n] != self.answers[n]]
            _t, _s, case_group = startback_group(expected)
            if differ:
                text += (f"<p>Your answers differ from how {esc(self.case.title.split(',')[0])} would "
                         f"answer on item(s) {', '.join(differ)}; with the case's answers the group is "
                         f"{case_group} risk.</p>")
            else:
                text += "<p>Your answers match the case.</p>"
            text += f"<p>{esc(self.case.startback.explanation)}</p>"
        text += ("<p>The group estimates the risk of a slow recovery. It helps plan care with a "
                 "clinician; it is not a diagnosis.</p>")
        self.feedback.value = status(text)

    def _restore(self) -> None:
        def apply(record: Any) -> None:
            for number, value in record["answers"].items():
                self.dropdowns[int(number)].value = value
            if CHOOSE not in self.answers.values():
                self._show_result()

        self._restore_with(apply)
