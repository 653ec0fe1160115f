"""The patient register: one way to say a result in plain words, for every view that needs it.

Rules (see ``shared/PATIENT-VIEW.md``): natural units where people can picture them (points on a
pain scale they know), otherwise a size in words; the range of uncertainty beside every number;
how sure we are in words (GRADE's four levels, Balshem 2011); never a responder share, a relative
effect or a number needed to treat computed from a mean difference. MD, SMD, the 95% CI and the
MCID belong to the student register (``widgets.render`` and the slider's student section).
"""

from __future__ import annotations

from dataclasses import dataclass

from widgets._ui import fmt
from widgets.evidence import Estimate, EvidenceBase, Scale

GRADE_SOURCE = "balshem2011"
SMD_RULE_SOURCE = "cochranehandbook2011"

# Plain readings of GRADE's levels (Balshem 2011, table 2 'Significance of the four levels').
CERTAINTY_WORDS: dict[str, str] = {
    "high": "We are very sure. The real effect is very likely close to this.",
    "moderate": "We are fairly sure. The real effect is probably close to this, but it could be "
                "quite different.",
    "low": "We are not very sure. The real effect could be quite different.",
    "very low": "We are very unsure. The real effect is likely to be quite different.",
    "low to moderate": "We are not very sure. The review rated its results between fairly sure and "
                       "not very sure.",
    "low to very low": "We are unsure. The review rated its results between not very sure and very "
                       "unsure.",
    "not graded by the source": "The researchers did not say how sure we can be. Take this result "
                                "with care.",
    "not verified": "The course has not yet checked how sure the researchers were. Take this "
                    "result with care.",
}

# What the comparison group got, said to a patient.
COMPARED_WITH_WORDS: dict[str, str] = {
    "no treatment or usual care": "people who had no treatment or their usual care",
    "added to other care": "people who had the other care alone",
    "other treatment": "people who had a different treatment",
    "sham or placebo": "people who had a fake (sham) version of it",
}

# Cohen's rule of thumb for SMDs as the Cochrane Handbook 5.1 (section 12.6.2) gives it: 0.2 small,
# 0.5 moderate, 0.8 large. "Very small" for below 0.2 is the course's wording, not the source's.
SMD_SIZES: tuple[tuple[float, str], ...] = ((0.8, "large"), (0.5, "moderate"), (0.2, "small"))


def in_sentence(name: str) -> str:
    """A treatment name inside a sentence: 'Acupuncture' -> 'acupuncture', 'TENS ...' unchanged."""
    return name if name[1:2].isupper() else name[:1].lower() + name[1:]


def certainty_words(certainty: str) -> str:
    """How sure we are, in two short sentences."""
    return CERTAINTY_WORDS[certainty]


def smd_size(value: float) -> str:
    """'large', 'moderate', 'small' or 'very small' benefit; 'harm' words for negative values."""
    size = next((word for limit, word in SMD_SIZES if abs(value) >= limit), "very small")
    return size if value >= 0 else f"{size} harm"


def _points(value: float) -> str:
    return f"{fmt(abs(value))} point" + ("" if abs(value) == 1 else "s")


@dataclass(frozen=True)
class PlainEffect:
    """One result in the patient register."""

    headline: str  # 'On a pain scale from 0 to 100, people who had ... 10.26 points less pain ...'
    range: str  # 'It could be anywhere from 3 to 17 points.'
    notice: str  # the smallest change that matters, and this result against it; may be ''
    sure: str  # certainty_words(...)
    on_ruler: bool  # True when the result is in points on a scale people can picture

    @property
    def sentences(self) -> str:
        """All of it as one paragraph."""
        return " ".join(p for p in (self.headline, self.range, self.notice, self.sure) if p)


def plain_effect(est: Estimate, ev: EvidenceBase, treatment_name: str) -> PlainEffect:
    """The estimate said to a patient (see the module's rules); ``treatment_name`` as displayed."""
    treatment_name = in_sentence(treatment_name)
    scale = ev.scale(est.scale)
    benefit, low, high = est.benefit
    who = COMPARED_WITH_WORDS[est.compared_with]
    sure = certainty_words(est.certainty)
    if scale.in_plain_words and scale.better:
        return _on_scale(est, ev, scale, treatment_name, who, sure)
    if scale.id == "smd":
        headline = (f"The studies used different scales, so the result can only be given as a size. "
                    f"Compared with {who}, people who had {treatment_name} did "
                    f"{'better' if benefit >= 0 else 'worse'}: a {smd_size(benefit)} difference.")
        ends = smd_size(low), smd_size(high)
        spread = (f"It could be anywhere from {ends[0]} to {ends[1]}." if ends[0] != ends[1]
                  else f"Even at the ends of the range it stays {ends[0]}.")
        notice = ("These size words are a rough rule of thumb; nobody has agreed how big a change "
                  "on this measure people notice.")
        return PlainEffect(headline, spread, notice, sure, on_ruler=False)
    if scale.unit == "ratio":
        return PlainEffect(
            f"Compared with {who}, the result is given as a ratio, which is hard to picture without "
            "knowing how often the outcome happens anyway. See the section for students.",
            "", "", sure, on_ruler=False,
        )
    # A points scale the source did not name (or another unit): say so, give the numbers plainly.
    direction = "better" if benefit >= 0 else "worse"
    headline = (f"Compared with {who}, people who had {treatment_name} did {direction} on "
                f"pain on average, but the review did not say which pain scale it used, so we cannot say "
                "how big that is.")
    return PlainEffect(headline, _range_words(low, high, "better", scale.unit), "", sure, on_ruler=False)


def _range_words(low: float, high: float, better: str, unit: str) -> str:
    def one(value: float) -> str:
        amount = _points(value) if unit == "points" else f"{fmt(abs(value))} {unit}"
        if value == 0:
            return "no difference"
        return f"{amount} {better}" if value > 0 else f"{amount} worse"

    if low > 0:
        return f"It could be anywhere from {fmt(low)} to {_points(high) if unit == 'points' else fmt(high)}."
    return f"It could be anywhere from {one(low)} to {one(high)}."


def _on_scale(
    est: Estimate, ev: EvidenceBase, scale: Scale, name: str, who: str, sure: str
) -> PlainEffect:
    assert scale.in_plain_words and scale.better
    benefit, low, high = est.benefit
    if benefit >= 0:
        headline = (f"On {scale.in_plain_words}, people who had {name} had on average "
                    f"{_points(benefit)} {scale.better} than {who}.")
    else:
        headline = (f"On {scale.in_plain_words}, people who had {name} did on average "
                    f"{_points(benefit)} worse than {who}.")
    mcid = ev.mcid_for(scale.id)
    notice = ""
    if mcid is not None:
        if low >= mcid.threshold:
            where = "This result is likely at least that big."
        elif high < mcid.threshold:
            where = "On average, this result is smaller than that."
        else:
            where = "This result may or may not be that big."
        notice = (f"Experts agreed that {_points(mcid.threshold)} is about the smallest change on this "
                  f"scale that matters to people. {where}")
    return PlainEffect(headline, _range_words(low, high, scale.better, "points"), notice, sure,
                       on_ruler=True)


def plain_sources(est: Estimate) -> list[str]:
    """Source ids behind a plain effect beyond the estimate's own (for the page's reference list)."""
    extra = [GRADE_SOURCE]
    if est.scale == "smd":
        extra.append(SMD_RULE_SOURCE)
    return extra
