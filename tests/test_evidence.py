"""The real evidence base: it loads, it is complete, and its numbers are internally consistent."""

from __future__ import annotations

import re
from pathlib import Path
from typing import get_args

import pytest

from tests.readability import MAX_PATIENT_GRADE, fk_grade
from widgets import plain, takeaway
from widgets.evidence import (
    CATEGORY_LABELS,
    EvidenceBase,
    Stance,
    evidence,
)

EXPECTED_TREATMENTS = {
    "acupuncture": "passive",
    "acupressure": "passive",
    "trigger-point-therapy": "passive",
    "massage": "passive",
    "spinal-manipulation": "passive",
    "spinal-mobilisation": "passive",
    "tens": "machine-physical",
    "lumbar-roll": "machine-physical",
    "lumbar-supports": "machine-physical",
    "heat": "machine-physical",
    "exercise-therapy": "active",
    "motor-control-gym-ball": "active",
    "pilates-yoga": "active",
    "walking": "active",
    "multidisciplinary-rehabilitation": "combined",
}

# Sign conventions differ between sources; these spot checks pin the ones the fact sheets warn about.
# (treatment, estimate id, expected sign of the benefit: +1 = the treatment did better)
SIGN_CHECKS = [
    ("walking", "stay-active-acute-pain-bed-rest", +1),  # Dahm 2010: positive SMD favours staying active
    ("massage", "massage-chronic-pain-inactive", +1),  # Furlan 2015: negative SMD favours massage
    ("exercise-therapy", "exercise-chronic-pain-no-treatment", +1),  # Hayden: "better by 15 points"
    ("walking", "walking-chronic-pain-alternative-short", -1),  # Pocovi 2022: positive = walking worse
    ("multidisciplinary-rehabilitation", "mbr-chronic-pain-usual-care", +1),  # Kamper: positive favours MBR
    ("heat", "heat-wrap-acute-pain-placebo", +1),  # French 2006: pain relief, higher is better
]

REPO = Path(__file__).resolve().parents[1]


def test_cached_loader_returns_the_same_data(base: EvidenceBase) -> None:
    assert evidence() is evidence()
    assert sorted(evidence().treatments) == sorted(base.treatments)


def test_every_treatment_is_present_with_its_category(base: EvidenceBase) -> None:
    found = {tid: t.category for tid, t in base.treatments.items()}
    assert found == EXPECTED_TREATMENTS
    assert set(found.values()) == set(CATEGORY_LABELS)


def test_every_estimate_cites_an_existing_source(base: EvidenceBase) -> None:
    for t in base.treatments.values():
        for est in t.estimates:
            assert est.source in base.sources, (t.id, est.id, est.source)


def test_every_ci_contains_its_estimate_on_its_declared_scale(base: EvidenceBase) -> None:
    scale_ids = {s.id for s in base.reference.scales}
    count = 0
    for t in base.treatments.values():
        for est in t.estimates:
            assert est.scale in scale_ids, (t.id, est.id, est.scale)
            scale = base.scale(est.scale)
            assert est.ci_low <= est.estimate <= est.ci_high, (t.id, est.id)
            for value in (est.estimate, est.ci_low, est.ci_high):
                assert scale.low <= value <= scale.high, (t.id, est.id, value)
            if est.is_ratio:
                assert est.scale == "ratio" and est.ci_low > 0, (t.id, est.id)
            count += 1
    assert count >= 60


def test_stances_come_from_the_vocabulary(base: EvidenceBase) -> None:
    vocabulary = set(get_args(Stance))
    for t in base.treatments.values():
        for stance in t.stances:
            assert stance.stance in vocabulary, (t.id, stance.body, stance.stance)
            assert stance.source in base.sources, (t.id, stance.body)


def test_every_treatment_has_at_least_one_stance(base: EvidenceBase) -> None:
    for t in base.treatments.values():
        assert t.stances, t.id


def test_guideline_disagreement_on_acupuncture_is_recorded(base: EvidenceBase) -> None:
    stances = {(s.body, s.stance) for s in base.treatment("acupuncture").stances}
    assert ("NICE", "do not offer") in stances
    assert ("WHO", "consider") in stances
    assert ("ACP", "recommend") in stances


def test_no_source_is_orphaned(base: EvidenceBase) -> None:
    """Each source is cited by the evidence data or, by its quoted id, in a lesson or assessment."""
    cited: set[str] = set()
    for t in base.treatments.values():
        cited |= {s.id for s in base.sources_of(t)}
    ref = base.reference
    cited |= {m.source for m in ref.mcids} | {ref.natural_history_source}
    cited |= {f.source for f in ref.facts} | {s for f in ref.red_flags for s in f.sources}
    cited |= {r.source for r in base.guidelines.recommendations}
    cited |= set(ref.startback.sources)
    cited |= {plain.GRADE_SOURCE, plain.SMD_RULE_SOURCE}  # the patient register's own sources
    cited.add(takeaway.QUESTIONS_SOURCE)  # the take-away's three questions
    assert cited <= set(base.sources)
    notebooks = [*REPO.glob("lessons/*.ipynb"), *REPO.glob("assessments/source/**/*.ipynb")]
    text = "\n".join(nb.read_text(encoding="utf-8") for nb in notebooks)
    orphans = [s for s in set(base.sources) - cited if f'\\"{s}\\"' not in text]
    assert sorted(orphans) == []


def test_headline_estimates_exist_or_are_explicitly_missing(base: EvidenceBase) -> None:
    for t in base.treatments.values():
        if t.headline_estimate is None:
            assert t.not_found, t.id
        else:
            assert t.headline is not None and t.headline.id == t.headline_estimate
    assert base.treatment("lumbar-roll").headline is None


@pytest.mark.parametrize(("treatment_id", "estimate_id", "sign"), SIGN_CHECKS)
def test_sign_conventions(base: EvidenceBase, treatment_id: str, estimate_id: str, sign: int) -> None:
    est = next(e for e in base.treatment(treatment_id).estimates if e.id == estimate_id)
    value, low, high = est.benefit
    assert low <= value <= high
    assert value * sign > 0


def test_walkback_ratio_below_one_is_a_benefit(base: EvidenceBase) -> None:
    est = next(e for e in base.treatment("walking").estimates if e.id == "walkback-recurrence")
    assert est.is_ratio and est.favours_treatment_when == "below one"
    assert est.ci_high < 1
    value, low, high = est.benefit  # inverted, so that larger means more benefit
    assert (value, low, high) == (1 / est.estimate, 1 / est.ci_high, 1 / est.ci_low) and low > 1


def test_patient_summaries_are_plain_and_carry_no_numbers(base: EvidenceBase) -> None:
    for t in base.treatments.values():
        text = t.patient_summary
        sentences = [s for s in re.split(r"(?<=[.!?])\s+", text.strip()) if s]
        assert 3 <= len(sentences) <= 5, (t.id, len(sentences))
        assert not re.search(r"\d", text), t.id
        assert fk_grade(text) <= MAX_PATIENT_GRADE, (t.id, fk_grade(text))


def test_red_flags_read_plainly(base: EvidenceBase) -> None:
    flags = base.reference.red_flags
    assert len(flags) >= 12
    for flag in flags:
        text = " ".join([flag.sign, flag.possible_cause, flag.action])
        assert fk_grade(text) <= MAX_PATIENT_GRADE, (flag.id, fk_grade(text))


def test_natural_history_and_rarity_facts_are_present(base: EvidenceBase) -> None:
    fact_ids = {f.id for f in base.reference.facts}
    for needed in (
        "recovery-itz-3-months", "recovery-pace-median", "recovery-henschke-1-year",
        "recovery-pengel-1-month", "recurrence-dasilva-1-year", "recurrence-machado-1-year",
        "burden-gbd-2020", "rarity-spinal-malignancy", "rarity-spinal-fracture",
        "rarity-cauda-equina", "rarity-spinal-infection",
    ):
        assert needed in fact_ids, needed


def test_every_source_is_locatable(base: EvidenceBase) -> None:
    for source in base.sources.values():
        assert source.link.startswith("https://"), source.id
        assert source.year_label in source.citation()


def test_short_citations_are_unique(base: EvidenceBase) -> None:
    """One citation style, from each source's ``short`` field: no two sources read the same."""
    labels = [s.short_citation for s in base.sources.values()]
    assert sorted(x for x in labels if labels.count(x) > 1) == []
