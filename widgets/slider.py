"""EvidenceSlider: guess how well a treatment works, then see what the research shows.

The learner moves a slider (a native range input), types a number or uses the *Less* / *More*
buttons: how much benefit they expect, on the scale of the treatment's headline estimate, where
larger means more benefit. The three are linked, and a readout says the guess in words.

*Reveal* then shows, for patients first, the result in plain words (``widgets.plain``): headline,
range, the smallest change that matters, how sure we are, and a picture (a ruler of the pain
scale, or a bar of effect sizes for standardised results) with the learner's guess on it; then,
closed under *For students: the numbers*, the MD or SMD with its 95% CI, the MCID, the certainty
grade, notes, what was not found, the guideline stances and the full source. Feedback says in
words whether the guess lies above, inside or below the range the research found.

Before the reveal the learner may also say how sure they are of the guess; the feedback then uses
both, because feeling sure and being wrong is the lesson: it is why treatments need fair tests.

Graded mode writes ``slider/<treatment-id>`` -> ``{"prediction": float, "revealed": bool,
"confidence": "" | "low" | "medium" | "high"}``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import ipywidgets as w
from traitlets import Bool, Float, TraitError, Unicode, validate

from widgets import _citations, _svg
from widgets._base import CourseWidget
from widgets._ui import esc, fmt, shows_errors, status, wide_description
from widgets.evidence import Estimate, EvidenceBase, Scale, Treatment, evidence
from widgets.plain import COMPARED_WITH_WORDS, SMD_SIZES, in_sentence, plain_effect, plain_sources, smd_size
from widgets.range_input import RangeInput

NO_HEADLINE_SCALE = "pain-0-100"
NO_HEADLINE_COMPARISON = "no treatment or usual care"

# How the slider pictures a scale: a ruler of points people can picture, a bar of effect sizes
# (SMD), or a plain axis (a points scale the source did not name, a ratio).
Picture = Literal["ruler", "sizes", "axis"]
PICTURE_WIDTH = 340  # px: about a phone's column, so a phone draws its 12 px labels near their own size
LABEL_SIZE = 12  # px, the pictures' text


def prediction_range(scale: Scale, est: Estimate | None, mcid: float | None) -> tuple[float, float, float]:
    """(min, max, step) of the prediction box.

    A quarter of the scale either side of 'no effect' (0.25 to 4 for a ratio), widened to hold the
    estimate's interval and the MCID.
    """
    if scale.unit == "ratio":
        lo, hi, step = 0.25, 4.0, 0.05
    else:
        half = (scale.high - scale.low) / 4
        lo, hi = -half, half
        step = 1.0 if half >= 20 else 0.1 if half >= 2 else 0.05
    values = [*(est.benefit if est else ()), *([mcid] if mcid else [])]
    if values:
        lo, hi = min(lo, *values), max(hi, *values)
    return lo, hi, step


def verdict(prediction: float, low: float, high: float) -> str:
    """'above', 'inside' or 'below' the benefit interval [low, high]."""
    if prediction > high:
        return "above"
    if prediction < low:
        return "below"
    return "inside"


CERTAINTY_MEANING = {
    "high": "further research is very unlikely to change this result much",
    "moderate": "further research may change this result",
    "low": "further research is likely to change this result",
    "very low": "we are very unsure about this result; new studies could change it a lot",
    "low to moderate": "the review rated its results between low and moderate: further research "
                       "may well change them",
    "low to very low": "the review rated its results between low and very low: further research "
                       "is likely to change them, perhaps a lot",
    "not graded by the source": "the source did not rate how sure we can be, so treat it with care",
    "not verified": "the course has not checked how sure the source's authors were, so treat it "
                    "with care",
}


NOT_SAID = ""
# How sure the learner is of the guess: the dropdown's choices, in its order.
CONFIDENCE = {"low": "Not sure: just a guess", "medium": "Fairly sure", "high": "Very sure"}
# Feedback on (how sure, whether the guess was inside the research's range).
CONFIDENCE_FEEDBACK = {
    ("high", True): "You were very sure, and the research agrees with your guess.",
    ("medium", True): "You were fairly sure, and the research agrees with your guess.",
    ("low", True): "You were not sure, yet your guess was inside the range.",
    ("high", False): "You were very sure, but the research found something else. Feeling sure "
                     "is not the same as being right. That is why we test treatments in fair studies.",
    ("medium", False): "You were fairly sure, but the research found something else. It is easy "
                       "to feel sure about a treatment. Fair tests show us when we are wrong.",
    ("low", False): "You were not sure, and that was wise: the research found something else.",
}


def confidence_words(confidence: str, inside: bool | None) -> str:
    """What to say about how sure the learner was, given whether the guess was inside the range."""
    if confidence not in CONFIDENCE:
        return ""
    if inside is None:
        return f"You said: {CONFIDENCE[confidence].lower()}. There is no study result to check it with."
    return CONFIDENCE_FEEDBACK[(confidence, inside)]


def _points(value: float) -> str:
    """'1 point', '2.5 points' (the size of a value, without its sign)."""
    return f"{fmt(abs(value))} point" + ("" if abs(value) == 1 else "s")


class EvidenceSlider(CourseWidget):
    """Guess the benefit of one treatment, then reveal the evidence."""

    treatment_id = Unicode(help="id of the treatment in the evidence base").tag(sync=True)
    prediction = Float(0.0, help="the learner's predicted benefit; larger = more benefit").tag(sync=True)
    revealed = Bool(False, help="whether the evidence has been revealed").tag(sync=True)
    verdict = Unicode(
        "", help="where the prediction lies against the 95% CI: above, inside, below"
    ).tag(sync=True)
    confidence = Unicode(NOT_SAID, help="how sure the learner is of the guess: '', low, medium, high").tag(
        sync=True)

    def __init__(
        self, treatment_id: str, *, graded: bool = False, answers_path: Path | str | None = None,
        ev: EvidenceBase | None = None,
    ) -> None:
        self.ev = ev or evidence()
        self.treatment: Treatment = self.ev.treatment(treatment_id)  # KeyError lists known ids
        self.estimate: Estimate | None = self.treatment.headline
        self.scale: Scale = self.ev.scale(self.estimate.scale if self.estimate else NO_HEADLINE_SCALE)
        mcid = self.ev.mcid_for(self.scale.id)
        self.mcid = mcid.threshold if mcid else None
        self.minimum, self.maximum, step = prediction_range(self.scale, self.estimate, self.mcid)
        self.no_effect = 1.0 if self.scale.unit == "ratio" else 0.0
        est = self.estimate
        on_ruler = plain_effect(est, self.ev, self.treatment.name).on_ruler if est else None
        self.picture: Picture = picture_kind(self.scale, on_ruler)
        self._prepare(store_key=f"slider/{treatment_id}", graded=graded, answers_path=answers_path)
        # The page cites what the slider can reveal, revealed or not.
        cited = [e.source for e in [self.estimate] if e] + [s.source for s in self.treatment.stances]
        extra = plain_sources(self.estimate) if self.estimate else []
        _citations.note(cited + ([mcid.source] if mcid else []) + extra)

        unit = self.scale.unit
        self.intro = w.HTML(self._intro_html())
        self.range = RangeInput(
            min=self.minimum, max=self.maximum, step=step, value=self.no_effect, label="Your guess",
            aria_valuetext=self.value_words(self.no_effect),
        )
        self.range.add_class("lbp-prediction-range")
        self.readout = w.HTML()
        self.readout.add_class("lbp-prediction-readout")
        self.input = w.BoundedFloatText(
            value=self.no_effect, min=self.minimum, max=self.maximum, step=step,
            description=f"Your prediction ({unit}):", **wide_description(),
        )
        self.input.add_class("lbp-prediction-input")
        big = step * 5 if unit != "ratio" else 0.25
        self.less = w.Button(description=f"Less benefit (−{fmt(big)})", tooltip="Lower your prediction")
        self.more = w.Button(description=f"More benefit (+{fmt(big)})", tooltip="Raise your prediction")
        self.less.add_class("lbp-prediction-less")
        self.more.add_class("lbp-prediction-more")
        self.less.on_click(lambda _b: self._step(-big))
        self.more.on_click(lambda _b: self._step(big))
        self.sure = w.Dropdown(
            options=[("Choose…", NOT_SAID), *((words, level) for level, words in CONFIDENCE.items())],
            value=NOT_SAID, description="How sure are you of your guess?", **wide_description(),
        )
        self.sure.add_class("lbp-prediction-sure")
        self.gauge = w.HTML()
        self.gauge.add_class("lbp-slider-gauge")
        self.reveal_button = w.Button(description="Reveal the evidence", button_style="primary")
        self.reveal_button.add_class("lbp-reveal")
        self.reveal_button.on_click(self._on_reveal)
        self.panel = w.HTML()
        self.panel.add_class("lbp-reveal-panel")
        self.feedback = w.HTML(status(""))
        self.feedback.add_class("lbp-feedback")
        super().__init__(
            [self.intro, self.range, self.readout, w.HBox([self.input, self.less, self.more]), self.sure,
             self.gauge, self.reveal_button, self.feedback, self.panel],
            treatment_id=treatment_id, graded=graded, prediction=self.no_effect,
        )
        self.add_class("lbp-slider")
        w.link((self.input, "value"), (self, "prediction"))
        w.link((self.range, "value"), (self, "prediction"))
        w.link((self.sure, "value"), (self, "confidence"))
        self.observe(self._on_prediction, names=["prediction", "confidence"])
        self.observe(self._on_revealed, names=["revealed"])
        self._draw_guess()
        self._restore()

    # -- traits ----------------------------------------------------------------------------
    @validate("prediction")
    def _check_prediction(self, proposal: Any) -> float:
        value = float(proposal["value"])
        if not self.minimum <= value <= self.maximum:
            raise TraitError(
                f"prediction {value} is outside the range {fmt(self.minimum)} to {fmt(self.maximum)} "
                f"{self.scale.unit} for {self.treatment.id!r}"
            )
        return value

    def _step(self, delta: float) -> None:
        self.prediction = min(self.maximum, max(self.minimum, round(self.prediction + delta, 6)))

    @shows_errors
    def _on_prediction(self, _change: Any) -> None:
        self._draw_guess()
        if self.revealed:
            self._show_feedback()
            self.panel.value = self.reveal_html()
        self._save()

    def _save(self) -> None:
        self._store.save({"prediction": self.prediction, "revealed": self.revealed,
                          "confidence": self.confidence})

    @shows_errors
    def _on_reveal(self, _button: w.Button | None = None) -> None:
        self.revealed = True

    def _on_revealed(self, change: Any) -> None:
        if change["new"]:
            self._show_reveal()
            self._save()

    def _restore(self) -> None:
        def apply(record: Any) -> None:
            self.prediction = float(record["prediction"])
            confidence = record.get("confidence", NOT_SAID)
            self.confidence = confidence if confidence in CONFIDENCE else NOT_SAID
            self.revealed = bool(record.get("revealed", False))

        self._restore_with(apply, "your earlier prediction")

    # -- words -----------------------------------------------------------------------------
    @property
    def _name(self) -> str:
        return in_sentence(self.treatment.name)

    @property
    def _who(self) -> str:
        kind = self.estimate.compared_with if self.estimate else NO_HEADLINE_COMPARISON
        return COMPARED_WITH_WORDS[kind]

    def _meaning(self, value: float) -> str:
        """What a value means: 'a moderate benefit', '10 points less pain', '5 points worse'."""
        if value == self.no_effect:
            return "no difference"
        if self.picture == "sizes":
            return f"a {smd_size(value)}" + (" benefit" if value > 0 else "")
        if self.scale.unit == "ratio":
            return "better" if value > 1 else "worse"
        better = self.scale.better if self.picture == "ruler" and self.scale.better else "better"
        return f"{_points(value)} {better}" if value > 0 else f"{_points(value)} worse"

    def _says_its_number(self, value: float) -> bool:
        """True when the meaning already holds the number ('10 points less pain')."""
        return value != self.no_effect and self.picture != "sizes" and self.scale.unit != "ratio"

    def value_words(self, value: float) -> str:
        """The slider's value for a screen reader: '0.5 is a moderate benefit', '10 points less pain'."""
        if self._says_its_number(value):
            return self._meaning(value)
        verb = "means" if value == self.no_effect or self.scale.unit == "ratio" else "is"
        return f"{fmt(value)} {verb} {self._meaning(value)}"

    def guess_words(self, value: float) -> str:
        """A guess inside a sentence: '0.5, a moderate benefit', '10 points less pain'."""
        if self._says_its_number(value):
            return self._meaning(value)
        return f"{fmt(value)}, {self._meaning(value)}"

    def _amount(self, value: float) -> str:
        """A value inside a sentence: 'a moderate benefit (0.6)', '3.4 points less pain'."""
        if self._says_its_number(value):
            return self._meaning(value)
        return f"{self._meaning(value)} ({fmt(value)})"

    def _found_words(self, low: float, high: float) -> str:
        """'anywhere from 3.4 to 17.11 points less pain', said for the research's range."""
        if self.scale.unit == "ratio":
            return f"anywhere from {fmt(low)} to {fmt(high)}, where 1 means no difference"
        if self.picture != "sizes" and low > 0:
            return f"anywhere from {fmt(low)} to {self._amount(high)}"
        return f"anywhere from {self._amount(low)} to {self._amount(high)}"

    def _intro_html(self) -> str:
        scale, name, who = self.scale, self._name, self._who
        heading = f"<h3>{esc(self.treatment.name)}: guess, then see the research</h3>"
        how = (f"Move the slider, type a number from {fmt(self.minimum)} to {fmt(self.maximum)}, "
               "or use the buttons.")
        if self.picture == "ruler":
            assert scale.in_plain_words and scale.better
            question = (f"How many points {scale.better} do you think people get from {esc(name)}, "
                        f"on {esc(scale.in_plain_words)}? Compare them with {esc(who)}.")
            meaning = "0 means no difference. Below 0 means it made things worse."
        elif self.picture == "sizes":
            sizes = ", ".join(f"{fmt(limit)} is {word}" for limit, word in reversed(SMD_SIZES))
            question = (f"How big a benefit do you think people get from {esc(name)}? "
                        f"Compare them with {esc(who)}.")
            meaning = (f"The studies used different scales, so the answer is a size, not points. "
                       f"0 means no difference. {sizes.capitalize()}. Below 0 means it made things worse.")
        elif scale.unit == "ratio":
            question = (f"How much better do you think people do with {esc(name)}? "
                        f"Compare them with {esc(who)}.")
            meaning = "Give it as a ratio. 1 means no difference. Above 1 means it did better."
        else:
            question = (f"How many points less pain do you think people get from {esc(name)}? "
                        f"Compare them with {esc(who)}.")
            meaning = ("The review did not say which pain scale it used, so just guess the points. "
                       "0 means no difference. Below 0 means it made things worse.")
        return f"{heading}<p>{question}</p><p>{meaning} {how}</p>"

    def _readout_html(self) -> str:
        return f"<p>Your guess is <strong>{esc(self.guess_words(self.prediction))}</strong>.</p>"

    def _show_feedback(self) -> None:
        guess = f"You guessed {esc(self.guess_words(self.prediction))}."
        if self.estimate is None:
            self.verdict = "no estimate"
            sure = confidence_words(self.confidence, None)
            self.feedback.value = status(
                f"{guess} We found no study result to compare it with. See below what is missing."
                + (f" {esc(sure)}" if sure else "")
            )
            return
        _b, low, high = self.estimate.benefit
        self.verdict = verdict(self.prediction, low, high)
        words = {
            "above": "You guessed more benefit than the research found.",
            "inside": "Your guess is inside the range the research found.",
            "below": "You guessed less benefit than the research found.",
        }[self.verdict]
        found = f"The research found {esc(self._found_words(low, high))}."
        sure = confidence_words(self.confidence, self.verdict == "inside")
        self.feedback.value = status(f"<strong>{words}</strong> {guess} {found}"
                                     + (f" <strong>{esc(sure)}</strong>" if sure else ""))

    def _show_reveal(self) -> None:
        # What the learner reads goes first; each change is a message of its own.
        self._show_feedback()
        self.panel.value = self.reveal_html()
        self._draw_guess()
        self.input.disabled = self.less.disabled = self.more.disabled = True
        self.range.disabled = self.sure.disabled = True
        self.reveal_button.disabled = True

    def reveal_html(self) -> str:
        """The whole revealed panel: the patient part, then the closed student details."""
        return (f"<div class='lbp-plain'>{self.patient_html()}</div>"
                "<details class='lbp-students'><summary>For students: the numbers</summary>"
                f"<div class='lbp-students-body'>{self.students_html()}</div></details>")

    def patient_html(self) -> str:
        """The result in plain words, with its picture (no MD, SMD, CI or MCID)."""
        est = self.estimate
        parts = ["<h4>What the research found</h4>"]
        if est is None:
            parts.append(f"<p><strong>We found no study result for {esc(self._name)} that we can show "
                         "you.</strong> So we cannot say how much it helps. The part for students lists "
                         "what we looked for.</p>")
            return "".join(parts)
        plain = plain_effect(est, self.ev, self.treatment.name)
        parts.append(f"<p><strong>{esc(plain.headline)}</strong></p>")
        parts += [f"<p>{esc(text)}</p>" for text in (plain.range, plain.notice) if text]
        parts.append(f"<p><strong>How sure are we?</strong> {esc(plain.sure)}</p>")
        if est.compared_with_sham:
            parts.append("<p>The other group had a fake (sham) version. So this shows what it adds "
                         "beyond the care and attention that come with it.</p>")
        if self.picture in ("ruler", "sizes"):
            parts.append(self.picture_svg(research=True))
        return "".join(parts)

    def students_html(self) -> str:
        """The numbers for students: estimate and CI, MCID, certainty, notes, stances, sources."""
        t, est, ev = self.treatment, self.estimate, self.ev
        parts = []
        if est is None:
            parts.append(f"<p><strong>No pooled estimate was found for {esc(t.name.lower())}.</strong> "
                         "What the course looked for and did not find:</p>")
        else:
            b, low, high = est.benefit
            sizes = ", ".join(
                p for p in (f"{est.studies} studies" if est.studies else "",
                            f"{est.participants} people" if est.participants else "") if p
            )
            parts.append(
                f"<p>Compared with {esc(est.comparison)} ({esc(est.population)} back pain; "
                f"time point: {esc(est.time_point)}), the {est.outcome} result was <strong>{est.measure} "
                f"{fmt(est.estimate)} (95% CI {fmt(est.ci_low)} to {fmt(est.ci_high)})</strong> on the "
                f"scale “{esc(self.scale.label)}”. Turned so that larger means more benefit: "
                f"<strong>{fmt(b)}</strong> (from {fmt(low)} to {fmt(high)}).</p>"
            )
            if est.compared_with_sham:
                parts.append("<p>This result compares the treatment with a sham (pretend) version "
                             "of it: it shows whether the treatment does more than the care and "
                             "attention that come with it.</p>")
            if sizes:
                parts.append(f"<p>Based on {sizes}.</p>")
            parts.append(f"<p>{self._mcid_html()}</p>")
            if self.picture == "sizes":
                rule = ", ".join(f"{fmt(limit)} {word}" for limit, word in reversed(SMD_SIZES))
                parts.append(
                    f"<p>The size words follow the Cochrane Handbook's rule of thumb for an SMD ({rule}; "
                    f"{esc(ev.sources['cochranehandbook2011'].short_citation)}); below 0.2 the course "
                    "says “very small”. The rule is a convention, not a threshold patients notice.</p>"
                )
            parts.append(
                f"<p><strong>How sure we are: {esc(est.certainty_text)}</strong> — "
                f"{CERTAINTY_MEANING[est.certainty]}. The plain words above follow GRADE's four levels "
                f"({esc(ev.sources['balshem2011'].short_citation)}).</p>"
            )
            if est.note:
                parts.append(f"<p>Note: {esc(est.note)}</p>")
            sources = [est.source, *plain_sources(est)]
            parts.append("<p class='lbp-citation'>Sources: "
                         + " ".join(esc(ev.cite(s)) for s in sources) + "</p>")
        if t.not_found:
            parts.append("<p>Not found in the sources:</p><ul>"
                         + "".join(f"<li>{esc(x)}</li>" for x in t.not_found) + "</ul>")
        parts.append(stances_table(t))
        return "".join(parts)

    def _mcid_html(self) -> str:
        mcid = self.ev.mcid_for(self.scale.id)
        if mcid is None:
            return (f"No agreed smallest change that matters to patients (MCID) was found for the scale "
                    f"“{esc(self.scale.label)}”, so no MCID line is drawn.")
        assert self.estimate is not None
        _b, low, high = self.estimate.benefit
        if low >= mcid.threshold:
            judgement = "The whole interval lies at or above it."
        elif high < mcid.threshold:
            judgement = ("The whole interval lies below it: the average benefit is smaller than what "
                         "patients notice.")
        else:
            judgement = "The interval crosses it, so the benefit may or may not be large enough to matter."
        source = self.ev.sources[mcid.source]
        return (f"The dashed line in the picture marks the MCID the course uses: {fmt(mcid.threshold)} "
                f"{esc(self.scale.unit)} (source: {esc(source.short_citation)}). "
                f"{judgement} A mean difference below the MCID does not rule out that some people "
                "benefit importantly.")

    # -- pictures --------------------------------------------------------------------------
    def _draw_guess(self) -> None:
        """Readout, range words and the picture of the guess (hidden once the panel pictures it)."""
        self.readout.value = self._readout_html()
        self.range.aria_valuetext = self.value_words(self.prediction)
        pictured = self.revealed and self.estimate is not None and self.picture != "axis"
        self.gauge.value = "" if pictured else self.gauge_svg()
        self.gauge.layout.display = "none" if pictured else None

    def gauge_svg(self) -> str:
        """The picture of the learner's guess alone, on the picture of the scale."""
        return self.picture_svg(research=False)

    def picture_svg(self, *, research: bool) -> str:
        """The scale's picture with the guess; with ``research``, the result too (ruler, sizes)."""
        if self.picture == "ruler":
            return self._ruler_svg(research and self.estimate is not None)
        if self.picture == "sizes":
            return self._sizes_svg(research and self.estimate is not None)
        return self._axis_svg()

    def _guess_row(self, axis: _svg.Axis, y: float, width: int) -> str:
        """The learner's guess: a triangle pointing down at the axis, labelled, at row ``y``."""
        px = axis.x(self.prediction)
        label = f"Your guess: {fmt(self.prediction)}"
        points = f"{px:.1f},{y + 16} {px - 7:.1f},{y + 4} {px + 7:.1f},{y + 4}"
        return (f'<polygon points="{points}" class="lbp-fill-{_svg.ACCENT}"/>'
                + _svg.text(_svg.fit_x(px, label, LABEL_SIZE, 0, width, bold=True), y, label, anchor="middle",
                            size=LABEL_SIZE, weight="bold", fill=_svg.ACCENT))

    def _research_row(self, axis: _svg.Axis, y: float, width: int) -> str:
        """The research: a band from low to high with the best estimate marked, labelled, at row ``y``.

        The label goes beside the band where it fits (right, else left), otherwise above it.
        """
        assert self.estimate is not None
        b, low, high = self.estimate.benefit
        label = f"Research: about {fmt(b)}, could be {fmt(low)} to {fmt(high)}"
        x1, x2 = axis.x(low), axis.x(high)
        room = len(label) * LABEL_SIZE * 0.55 + 8
        if x2 + room <= width:
            text = _svg.text(x2 + 8, y + 4, label, size=LABEL_SIZE)
        elif x1 - room >= 0:
            text = _svg.text(x1 - 8, y + 4, label, anchor="end", size=LABEL_SIZE)
        else:  # above the band, on paper: the dashed line of the smallest change stops behind it
            cx, half = _svg.fit_x((x1 + x2) / 2, label, LABEL_SIZE, 0, width), room / 2
            text = (_svg.rect(max(cx - half, 0), y - 10 - LABEL_SIZE, min(2 * half, width), LABEL_SIZE + 4,
                              fill=_svg.PAPER)
                    + _svg.text(cx, y - 10, label, anchor="middle", size=LABEL_SIZE))
        return (_svg.outlined_rect(x1, y - 6, x2 - x1, 12) + _svg.marker("diamond", axis.x(b), y)
                + text)

    def _research_words(self) -> str:
        assert self.estimate is not None
        b, low, high = self.estimate.benefit
        return f"The research found {self._found_words(low, high)}, about {fmt(b)} on average."

    def _result_rows(self, axis: _svg.Axis, parts: list[str], label: str, y: float,
                     research: bool) -> tuple[float, str]:
        """Add the research row (with ``research``) and the guess row from ``y`` down.

        Returns where the axis goes and the picture's label so far.
        """
        if research:
            parts.append(self._research_row(axis, y + 20, PICTURE_WIDTH))
            label += " " + self._research_words()
            y += 32
        parts.append(self._guess_row(axis, y + 12, PICTURE_WIDTH))
        return y + 30, label

    def _axis_chart(self, axis: _svg.Axis, parts: list[str], label: str, axis_y: float, title: str) -> str:
        """The axis at ``axis_y`` with its title under it; the whole picture, the guess ending its label."""
        parts.append(_svg.axis_ticks(axis, axis_y, size=LABEL_SIZE))
        parts.append(_svg.text(PICTURE_WIDTH / 2, axis_y + 32, title, anchor="middle", size=LABEL_SIZE,
                               fill=_svg.GREY))
        label += f" Your guess is {self.guess_words(self.prediction)}."
        return _svg.chart(PICTURE_WIDTH, axis_y + 40, label, "".join(parts))

    def _ruler_svg(self, research: bool) -> str:
        scale, est = self.scale, self.estimate
        assert scale.in_plain_words and scale.better
        width = PICTURE_WIDTH
        lows = [est.benefit[1]] if research and est else []
        axis = _svg.Axis(min(0.0, self.prediction, *lows), max(scale.high, self.maximum), 20, width - 20)
        parts, y = [], 4.0
        label = f"A picture of {scale.in_plain_words}."
        mcid_top = 0.0
        if research and self.mcid:
            words = f"{_points(self.mcid)}: the smallest change that matters"
            mx = axis.x(self.mcid)
            parts.append(_svg.text(_svg.fit_x(mx, words, LABEL_SIZE, 0, width), y + 10, words,
                                   anchor="middle", size=LABEL_SIZE))
            mcid_top, y = y + 14, y + 18
        axis_y, label = self._result_rows(axis, parts, label, y, research)
        if research and self.mcid:
            mx = axis.x(self.mcid)
            parts.insert(0, _svg.line(mx, mcid_top, mx, axis_y, dash="5,3"))  # under the labels
            label += (f" The smallest change that matters to people is {_points(self.mcid)}, "
                      "shown as a dashed line.")
        if axis.lo < 0:
            x0 = axis.x(0)
            parts.insert(0, _svg.line(x0, mcid_top or 4, x0, axis_y, stroke=_svg.GREY))
        return self._axis_chart(axis, parts, label, axis_y, f"Points {scale.better} (0 means no difference)")

    def _sizes_svg(self, research: bool) -> str:
        est = self.estimate
        width = PICTURE_WIDTH
        lows = [est.benefit[1]] if research and est else []
        axis = _svg.Axis(min(0.0, self.prediction, *lows), max(1.0, self.maximum), 20, width - 20)
        limits = [limit for limit, _word in reversed(SMD_SIZES)]  # 0.2, 0.5, 0.8
        words = ["very small", *(word for _limit, word in reversed(SMD_SIZES))]
        zones = list(zip([0.0, *limits], [*limits, axis.hi], words, strict=True))
        if axis.lo < 0:
            zones.insert(0, (axis.lo, 0.0, "worse"))
        # Each word goes on the first row where it does not touch the word before it.
        ends: list[float] = []  # right end of the last word on each row
        words_svg, boxes = [], []
        for i, (a, b, word) in enumerate(zones):
            x1, x2 = axis.x(a), axis.x(b)
            cx = _svg.fit_x((x1 + x2) / 2, word, LABEL_SIZE, 0, width)
            half = len(word) * LABEL_SIZE * 0.55 / 2
            row = next((r for r, end in enumerate(ends) if end + 6 <= cx - half), len(ends))
            ends[row:row + 1] = [cx + half]
            words_svg.append(_svg.text(cx, 14 + 14 * row, word, anchor="middle", size=LABEL_SIZE))
            boxes.append((x1, x2, _svg.BAND if i % 2 else _svg.PAPER))
        top = 6 + 14 * len(ends)
        parts = words_svg + [_svg.outlined_rect(x1, top, x2 - x1, 16, fill=fill, stroke=_svg.GREY)
                             for x1, x2, fill in boxes]
        label = "A bar of sizes: very small, small, moderate and large benefit."
        axis_y, label = self._result_rows(axis, parts, label, top + 24.0, research)
        return self._axis_chart(axis, parts, label, axis_y, "Size of the difference (0 means no difference)")

    def _axis_svg(self) -> str:
        """A plain axis with 'no effect' and the guess (scales that cannot be pictured)."""
        width, height = PICTURE_WIDTH, 70
        axis = _svg.Axis(self.minimum, self.maximum, 20, width - 20, log=self.scale.unit == "ratio")
        x0 = axis.x(self.no_effect)
        parts = [_svg.axis_ticks(axis, height - 24, size=LABEL_SIZE),
                 _svg.line(x0, 4, x0, height - 24, stroke=_svg.GREY),
                 _svg.text(x0 + 3, 12, "no difference", size=LABEL_SIZE, fill=_svg.GREY),
                 self._guess_row(axis, height - 44, width)]
        label = f"Your guess is {self.guess_words(self.prediction)}."
        return _svg.chart(width, height, label, "".join(parts))


def picture_kind(scale: Scale, on_ruler: bool | None = None) -> Picture:
    """How a scale is pictured: 'ruler' (points people can picture), 'sizes' (SMD) or 'axis'.

    ``on_ruler`` is the estimate's ``PlainEffect.on_ruler``; without an estimate the scale decides.
    """
    if scale.id == "smd":
        return "sizes"
    if on_ruler if on_ruler is not None else bool(scale.in_plain_words and scale.better):
        return "ruler"
    return "axis"


def stances_table(t: Treatment) -> str:
    """The guideline stances of a treatment as an HTML table."""
    if not t.stances:
        return "<p>No guideline stance was found.</p>"
    rows = "".join(
        f"<tr><td>{esc(s.body)} {s.year}</td><td>{esc(s.stance)}</td><td>{esc(s.wording)}</td>"
        f"<td>{esc(s.population)}</td></tr>"
        for s in t.stances
    )
    return ("<table class='lbp-stances'><caption>What guidelines say</caption><thead><tr>"
            "<th scope='col'>Guideline</th><th scope='col'>Stance</th><th scope='col'>In short</th>"
            f"<th scope='col'>For whom</th></tr></thead><tbody>{rows}</tbody></table>")
