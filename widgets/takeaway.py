"""TakeAway: a one-page list of the treatments a patient is thinking about, to take to an appointment.

The patient ticks treatments (one checkbox per treatment of the evidence base, grouped by category)
and the page builds, right there, a printable sheet with one section per ticked treatment, each in
the same format: the treatment's plain summary (what it is, what it may do, its side effects), what
the studies found and how sure we are (``widgets.plain``, the one patient register), and what the
guides say (a plain sentence built here from the stance data, because ``render.agreement`` is
written for students). Then three questions to ask (Shepherd 2016), the "education, not medical
advice" note and where to get urgent help.

The print stylesheet (``@media print`` at the end of ``widgets/static/lbp.css``) prints only the
sheet. Nothing is stored or sent: the widget has no graded mode, writes no file, makes no request.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w
from traitlets import List, TraitError, Unicode, validate

from widgets import _citations
from widgets._base import CourseWidget
from widgets._ui import esc, shows_errors, status
from widgets.evidence import CATEGORY_LABELS, EvidenceBase, Treatment, evidence
from widgets.plain import plain_effect, plain_sources
from widgets.render import short_cite

QUESTIONS_SOURCE = "shepherd2016"
# Shepherd HL et al., Health Expectations 2016: the three questions, as the study words them.
QUESTIONS: tuple[str, ...] = (
    "What are my options?",
    "What are the possible benefits and harms of those options?",
    "How likely are each of those benefits and harms to happen to me?",
)
RED_FLAGS_PAGE = "02-acute-first-aid.ipynb"
RED_FLAGS_TEXT = "the red flags list on the course's first aid page"  # a part of URGENT, made a link

# The labels of every section, in order: each ticked treatment gets the same four.
LABELS: tuple[str, ...] = (
    "In short (what it is, what it may do, side effects)",
    "What the studies found",
    "How sure we are",
    "What guides say",
)
NO_RESULT = ("We have no result in numbers that we can show for this treatment. "
             "The short text above says what the studies found.")
NO_RESULT_SURE = "There is no result in numbers to rate."

# Guideline bodies said to a patient (who wrote it, and for where): 'NICE (UK, 2016)'. Another body
# is shown by its name and year.
BODY_WORDS: dict[str, tuple[str, str]] = {
    "NICE": ("NICE", "UK, "),
    "ACP": ("ACP", "US doctors, "),
    "WHO": ("WHO", "World Health Organization, "),
    "APTA": ("APTA", "US physios, "),
    "Danish Health Authority": ("the Danish guide", ""),
}
# What each stance says, for one guide and for several, in the order the sentences come.
STANCE_WORDS: dict[str, tuple[str, str]] = {
    "recommend": ("recommends it", "recommend it"),
    "consider": ("says you could try it", "say you could try it"),
    "only alongside exercise": ("says to use it only together with exercise",
                                "say to use it only together with exercise"),
    "insufficient evidence": ("says there is too little evidence to advise for or against it",
                              "say there is too little evidence to advise for or against it"),
    "not routinely": ("says not to use it as a routine treatment",
                      "say not to use it as a routine treatment"),
    "do not offer": ("says it should not be offered", "say it should not be offered"),
}
SILENT = ("not addressed", "not found")
MIXED = "A guide can say different things for different forms of it, or for different people."

INTRO = ("Tick the treatments you are thinking about. A list to take to your doctor or physio "
         "appears below. You can print it.")
EMPTY = "Your list is empty. Tick a treatment above to start it."
PRINT_LABEL = "Print this page"
PRINT_HINT = "Only your list is printed. You can also use your browser's own print command."
SHEET_TITLE = "My list for the appointment"
SHEET_INTRO = "These are the treatments I am thinking about. I would like to talk about them with you."
QUESTIONS_TITLE = "Three questions to ask"
QUESTIONS_NOTE = "A study taught patients to ask these three questions when they see a doctor."
DISCLAIMER_TITLE = "Education, not medical advice"
DISCLAIMER = ("This list comes from a course that explains what research says about treatments for "
              "low back pain. It cannot tell you what is wrong with your back or what you should do. "
              "Talk about your own care with a doctor or physio.")
URGENT_TITLE = "When to get help fast"
URGENT = ("Some signs need help fast: see the red flags list on the course's first aid page. "
          "If you are worried, or your pain is bad or getting worse, call a doctor. "
          "In an emergency, call your local emergency number.")
PRIVATE = "Nothing you tick here is saved or sent. The list is only on this page."


def _join(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _guide(body: str, year: int) -> str:
    """One guide in a sentence: 'NICE (UK, 2016)', 'the Danish guide (2018)'."""
    name, where = BODY_WORDS.get(body, (body, ""))
    return f"{name} ({where}{year})"


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def guideline_words(t: Treatment) -> str:
    """What the guides say about ``t``, in plain sentences built from its stances.

    Each guide is named once per stance it takes (strongest for use first); guides that say
    nothing on it are named last.
    """
    said: dict[str, list[str]] = {stance: [] for stance in STANCE_WORDS}
    spoke: set[tuple[str, int]] = set()
    for s in t.stances:
        if s.stance in SILENT:
            continue
        spoke.add((s.body, s.year))
        guide = _guide(s.body, s.year)
        if guide not in said[s.stance]:
            said[s.stance].append(guide)
    silent = list(dict.fromkeys(_guide(s.body, s.year) for s in t.stances
                                if s.stance in SILENT and (s.body, s.year) not in spoke))
    if not spoke:
        looked = f" We looked at {_join(silent)}." if silent else ""
        return f"We found no advice on it in the main guides.{looked}"
    sentences = [f"{_sentence(_join(guides))} {STANCE_WORDS[stance][len(guides) > 1]}."
                 for stance, guides in said.items() if guides]
    if sum(len(guides) for guides in said.values()) > len(spoke):
        sentences.append(MIXED)
    if silent:
        sentences.append(f"We found no advice on it from {_join(silent)}.")
    return " ".join(sentences)


def section_texts(t: Treatment, ev: EvidenceBase) -> tuple[str, str, str, str]:
    """The four plain texts of one treatment's section, in the order of ``LABELS``."""
    est = t.headline
    if est is None:
        found, sure = NO_RESULT, NO_RESULT_SURE
    else:
        effect = plain_effect(est, ev, t.name)
        found = " ".join(p for p in (effect.headline, effect.range, effect.notice) if p)
        found += f" (Source: {ev.sources[est.source].short_citation}.)"
        sure = effect.sure
    return t.patient_summary, found, sure, guideline_words(t)


def section_html(t: Treatment, ev: EvidenceBase) -> str:
    """One treatment's section of the sheet: its name and the four labelled texts."""
    rows = "".join(f'<p class="lbp-takeaway-row"><strong>{esc(label)}:</strong> {esc(text)}</p>'
                   for label, text in zip(LABELS, section_texts(t, ev), strict=True))
    return (f'<section class="lbp-takeaway-item" data-treatment="{esc(t.id)}">'
            f"<h4>{esc(t.name)}</h4>{rows}</section>")


def ordered_treatments(ev: EvidenceBase) -> list[Treatment]:
    """Every treatment in page order: by category (as CATEGORY_LABELS lists them), then by name."""
    order = list(CATEGORY_LABELS)
    return sorted(ev.treatments.values(), key=lambda t: (order.index(t.category), t.name.lower()))


class TakeAway(CourseWidget):
    """Tick the treatments you are thinking about; get a one-page list to print for an appointment."""

    chosen = List(Unicode(), help="ids of the ticked treatments, in page order").tag(sync=True)

    def __init__(self, *, ev: EvidenceBase | None = None) -> None:
        self.ev = ev or evidence()
        self._prepare()  # no store key: nothing is ever written
        self._order = ordered_treatments(self.ev)
        self._syncing = False
        self.checkboxes: dict[str, w.Checkbox] = {}
        groups: list[w.Widget] = []
        for category, label in CATEGORY_LABELS.items():
            boxes = []
            for t in (t for t in self._order if t.category == category):
                box = w.Checkbox(value=False, description=t.name, indent=False,
                                 layout=w.Layout(width="auto"))
                box.add_class("lbp-takeaway-option")
                box.observe(self._ticked, names="value")
                self.checkboxes[t.id] = box
                boxes.append(box)
            if boxes:
                group = w.VBox([w.HTML(f"<h3>{esc(label)}</h3>"), *boxes])
                group.add_class("lbp-takeaway-group")
                groups.append(group)
        intro = w.HTML(f"<p>{esc(INTRO)}</p>")
        self.count = w.HTML(status(esc(EMPTY)))
        self.count.add_class("lbp-takeaway-count")
        # A real <button>: ipywidgets buttons cannot run JavaScript, and window.print() needs it.
        self.print_button = w.HTML(
            '<button type="button" class="lbp-takeaway-print-button" onclick="window.print()">'
            f"{esc(PRINT_LABEL)}</button> <span>{esc(PRINT_HINT)}</span>",
            layout=w.Layout(display="none"),
        )
        self.print_button.add_class("lbp-takeaway-print")
        self.summary = w.HTML("")
        self.summary.add_class("lbp-takeaway-summary")
        super().__init__([intro, *groups, self.count, self.print_button, self.summary])
        self.add_class("lbp-takeaway")
        self.observe(self._sync_boxes, names="chosen")
        # The page's reference list names every source the sheet can cite.
        _citations.note([QUESTIONS_SOURCE])
        for t in self._order:
            if t.headline is not None:
                mcid = self.ev.mcid_for(t.headline.scale)
                _citations.note([t.headline.source, *plain_sources(t.headline),
                                 *([mcid.source] if mcid else [])])
        self._draw()

    @validate("chosen")
    def _check_chosen(self, proposal: Any) -> list[str]:
        ids = list(proposal["value"])
        unknown = [i for i in ids if i not in self.ev.treatments]
        if unknown:
            known = ", ".join(sorted(self.ev.treatments))
            raise TraitError(f"unknown treatment id(s) {unknown}; known ids: {known}")
        wanted = set(ids)
        return [t.id for t in self._order if t.id in wanted]  # page order, each once

    def _ticked(self, _change: Any) -> None:
        if not self._syncing:
            self.chosen = [i for i, box in self.checkboxes.items() if box.value]

    @shows_errors
    def _sync_boxes(self, _change: Any) -> None:
        self._syncing = True
        try:
            for treatment_id, box in self.checkboxes.items():
                box.value = treatment_id in self.chosen
        finally:
            self._syncing = False
        self._draw()

    def _draw(self) -> None:
        n = len(self.chosen)
        self.count.value = status(esc(EMPTY) if not n else
                                  f"Your list below has {n} treatment{'s' * (n != 1)}.")
        self.print_button.layout.display = "" if n else "none"
        self.summary.value = self.sheet_html()

    def sheet_html(self) -> str:
        """The printable sheet for the ticked treatments; empty when nothing is ticked."""
        if not self.chosen:
            return ""
        sections = "".join(section_html(self.ev.treatment(i), self.ev) for i in self.chosen)
        questions = "".join(f"<li>{esc(q)}</li>" for q in QUESTIONS)
        cite = esc(short_cite(QUESTIONS_SOURCE))
        red_flags = f'<a href="{RED_FLAGS_PAGE}">{esc(RED_FLAGS_TEXT)}</a>'
        urgent = esc(URGENT).replace(esc(RED_FLAGS_TEXT), red_flags)
        return (
            '<div class="lbp-takeaway-sheet">'
            f"<h3>{esc(SHEET_TITLE)}</h3><p>{esc(SHEET_INTRO)}</p>{sections}"
            f'<section class="lbp-takeaway-questions"><h4>{esc(QUESTIONS_TITLE)}</h4>'
            f"<ol>{questions}</ol><p>{esc(QUESTIONS_NOTE)} ({cite})</p></section>"
            f'<section class="lbp-takeaway-notes"><p><strong>{esc(DISCLAIMER_TITLE)}.</strong> '
            f"{esc(DISCLAIMER)}</p><p><strong>{esc(URGENT_TITLE)}.</strong> {urgent}</p>"
            f"<p>{esc(PRIVATE)}</p></section></div>"
        )

    def patient_texts(self) -> list[str]:
        """Every paragraph a patient can see, for readability checks (the sheet texts of all treatments)."""
        texts = [INTRO, EMPTY, PRINT_HINT, SHEET_INTRO, *QUESTIONS, QUESTIONS_NOTE, DISCLAIMER, URGENT,
                 PRIVATE, MIXED, NO_RESULT, NO_RESULT_SURE]
        for t in self._order:
            texts += section_texts(t, self.ev)
        return texts

    def patient_labels(self) -> list[str]:
        """Every heading, label and button text (too short to score one by one)."""
        return [*CATEGORY_LABELS.values(), PRINT_LABEL, SHEET_TITLE, *LABELS, QUESTIONS_TITLE,
                DISCLAIMER_TITLE, URGENT_TITLE]
