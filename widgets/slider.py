"""EvidenceSlider: predict how well a treatment works, then reveal what the research shows.

The learner types a number (or steps it with the keyboard or the *Less* / *More* buttons): how
much benefit they expect, on the scale of the treatment's headline estimate, where larger means
more benefit. *Reveal* then shows the pooled estimate with its 95% confidence interval, the MCID
line (where the scale has one), the certainty of evidence and the guideline stances, and says in
words whether the prediction lies above, inside or below the interval.

Accessibility: the primary input is a labelled number box (``BoundedFloatText``); a stock
ipywidgets slider is not used because its handle has no accessible name in Voila. A small SVG
gauge shows the prediction visually and carries the same value as text in its label.

Graded mode writes ``slider/<treatment-id>`` -> ``{"prediction": float, "revealed": bool}``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ipywidgets as w
from traitlets import Bool, Float, TraitError, Unicode, validate

from widgets import _citations, _svg
from widgets._base import CourseWidget
from widgets._ui import esc, fmt, shows_errors, status, wide_description
from widgets.evidence import Estimate, EvidenceBase, Scale, Treatment, evidence

NO_HEADLINE_SCALE = "pain-0-100"


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


class EvidenceSlider(CourseWidget):
    """Predict the benefit of one treatment, then reveal the evidence."""

    treatment_id = Unicode(help="id of the treatment in the evidence base").tag(sync=True)
    prediction = Float(0.0, help="the learner's predicted benefit; larger = more benefit").tag(sync=True)
    revealed = Bool(False, help="whether the evidence has been revealed").tag(sync=True)
    verdict = Unicode(
        "", help="where the prediction lies against the 95% CI: above, inside, below"
    ).tag(sync=True)

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
        self._prepare(store_key=f"slider/{treatment_id}", graded=graded, answers_path=answers_path)
        # The page cites what the slider can reveal, revealed or not.
        cited = [e.source for e in [self.estimate] if e] + [s.source for s in self.treatment.stances]
        _citations.note(cited + ([mcid.source] if mcid else []))

        unit = self.scale.unit
        self.intro = w.HTML(self._intro_html())
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
            [self.intro, w.HBox([self.input, self.less, self.more]), self.gauge, self.reveal_button,
             self.feedback, self.panel],
            treatment_id=treatment_id, graded=graded, prediction=self.no_effect,
        )
        self.add_class("lbp-slider")
        w.link((self.input, "value"), (self, "prediction"))
        self.observe(self._on_prediction, names=["prediction"])
        self.observe(self._on_revealed, names=["revealed"])
        self._draw_gauge()
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
        self._draw_gauge()
        if self.revealed:
            self._show_feedback()
        self._store.save({"prediction": self.prediction, "revealed": self.revealed})

    @shows_errors
    def _on_reveal(self, _button: w.Button | None = None) -> None:
        self.revealed = True

    def _on_revealed(self, change: Any) -> None:
        if change["new"]:
            self._show_reveal()
            self._store.save({"prediction": self.prediction, "revealed": True})

    def _restore(self) -> None:
        def apply(record: Any) -> None:
            self.prediction = float(record["prediction"])
            self.revealed = bool(record.get("revealed", False))

        self._restore_with(apply, "your earlier prediction")

    # -- text ------------------------------------------------------------------------------
    def _intro_html(self) -> str:
        t, est = self.treatment, self.estimate
        if est is None:
            question = (f"How many points of pain relief, on a 0 to 100 scale, do you think "
                        f"<strong>{esc(t.name.lower())}</strong> gives compared with no treatment?")
            meaning = "0 means no better than no treatment; positive numbers mean more relief."
        elif self.scale.unit == "ratio":
            question = (f"How much better do you think <strong>{esc(t.name.lower())}</strong> does than "
                        f"{esc(est.comparison)}, as a ratio?")
            meaning = "1 means no difference; numbers above 1 mean the treatment does better."
        else:
            question = (f"How much benefit do you think <strong>{esc(t.name.lower())}</strong> gives "
                        f"compared with {esc(est.comparison)}, on this scale: {esc(self.scale.label)}?")
            meaning = (f"0 means no better than {esc(est.comparison)}; positive numbers mean more benefit, "
                       "negative numbers mean it does worse.")
        return (f"<h3>{esc(t.name)}: predict, then reveal</h3><p>{question}</p><p>{meaning} "
                f"Type a number from {fmt(self.minimum)} to {fmt(self.maximum)}, use the arrow keys, "
                "or the buttons.</p>")

    def _show_feedback(self) -> None:
        if self.estimate is None:
            self.verdict = "no estimate"
            self.feedback.value = status(
                f"You predicted {fmt(self.prediction)} {esc(self.scale.unit)}. No pooled estimate was "
                "found to compare it with: see below what is missing."
            )
            return
        _b, low, high = self.estimate.benefit
        self.verdict = verdict(self.prediction, low, high)
        lead = (f"You predicted {fmt(self.prediction)} {esc(self.scale.unit)}; "
                f"the 95% CI runs from {fmt(low)} to {fmt(high)}.")
        words = {
            "above": "You expected more benefit than the research shows.",
            "inside": "Your prediction lies inside the range the research supports.",
            "below": "You expected less benefit than the research shows.",
        }[self.verdict]
        self.feedback.value = status(f"<strong>{words}</strong> {lead}")

    def _show_reveal(self) -> None:
        # What the learner reads goes first; each change is a message of its own.
        self._show_feedback()
        self.panel.value = self.reveal_html()
        self._draw_gauge()
        self.input.disabled = self.less.disabled = self.more.disabled = True
        self.reveal_button.disabled = True

    def reveal_html(self) -> str:
        """The revealed evidence as HTML (estimate, MCID, certainty, stances, sources)."""
        t, est, ev = self.treatment, self.estimate, self.ev
        parts = ["<h4>What the research shows</h4>"]
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
            parts.append(
                f"<p><strong>How sure we are: {esc(est.certainty_text)}</strong> — "
                f"{CERTAINTY_MEANING[est.certainty]}.</p>"
            )
            if est.note:
                parts.append(f"<p>Note: {esc(est.note)}</p>")
            parts.append(f"<p class='lbp-citation'>Source: {esc(ev.cite(est.source))}</p>")
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
        return (f"The dashed line marks the MCID the course uses: {fmt(mcid.threshold)} "
                f"{esc(self.scale.unit)} (source: {esc(source.short_citation)}). "
                f"{judgement}")

    # -- picture ---------------------------------------------------------------------------
    def _draw_gauge(self) -> None:
        self.gauge.value = self.gauge_svg()

    def gauge_svg(self) -> str:
        """An SVG of the scale with the prediction, and after reveal the estimate, CI and MCID."""
        width, height = 560, 110 if self.revealed and self.estimate else 70
        axis = _svg.Axis(self.minimum, self.maximum, 20, width - 20, log=self.scale.unit == "ratio")
        unit = self.scale.unit
        label = f"Your prediction: {fmt(self.prediction)} {unit}."
        parts = [_svg.axis_ticks(axis, height - 24)]
        x0 = axis.x(self.no_effect)
        parts.append(_svg.line(x0, 4, x0, height - 24, stroke=_svg.GREY))
        parts.append(_svg.text(x0 + 3, 12, "no effect", size=10, fill=_svg.GREY))
        px = axis.x(self.prediction)
        tip, top = height - 28, height - 42
        points = f"{px:.1f},{tip} {px - 7:.1f},{top} {px + 7:.1f},{top}"
        parts.append(f'<polygon points="{points}" class="lbp-fill-{_svg.ACCENT}"/>')
        parts.append(_svg.text(px, height - 46, "you", anchor="middle", size=11, weight="bold"))
        if self.revealed and self.estimate:
            b, low, high = self.estimate.benefit
            label += f" Research: {fmt(b)} {unit}, 95% CI {fmt(low)} to {fmt(high)}."
            y = 26
            parts.append(_svg.line(axis.x(low), y, axis.x(high), y, width=3))
            parts.append(_svg.marker(_svg.CERTAINTY_SHAPES[self.estimate.certainty], axis.x(b), y))
            caption = f"research {fmt(b)} ({fmt(low)} to {fmt(high)})"
            parts.append(_svg.text(axis.x(high) + 8, y + 4, caption, size=11))
            if self.mcid:
                mx = axis.x(self.mcid)
                parts.append(_svg.line(mx, 4, mx, height - 24, dash="5,3"))
                parts.append(_svg.text(mx + 3, 12, f"MCID {fmt(self.mcid)}", size=10))
                label += f" MCID: {fmt(self.mcid)} {unit}."
        label += " Larger means more benefit."
        return _svg.chart(width, height, label, "".join(parts))


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
