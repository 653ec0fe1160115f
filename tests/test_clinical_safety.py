"""Clinical safety rules that keep defects of the kind a clinical review found from coming back.

Red flags carry an urgency from a fixed vocabulary and are shown emergency first; every certainty
label a learner sees is the data's; nothing tells a patient a treatment is safe; every source behind
safety advice or a guideline stance says whether it is current; the headline rule holds; the
guideline list covers every recommendation of NICE NG59, ACP 2017 and WHO 2023 that the course's
fact sheets record.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import get_args

import pytest

from widgets import render
from widgets._ui import esc
from widgets.evidence import (
    UNGRADED,
    URGENCY_HEADINGS,
    URGENCY_ORDER,
    Certainty,
    Estimate,
    EvidenceBase,
    Harms,
    ReadIn,
    Source,
    Treatment,
    Urgency,
    choose_headline,
)
from widgets.explorer import EvidenceExplorer
from widgets.questions import QUESTIONS_DIR, load_bank
from widgets.slider import CERTAINTY_MEANING, EvidenceSlider

# A claim that a treatment is safe or harmless. "not safe", "unsafe", "no harms data" and a sourced
# "no serious harms were reported" are allowed.
SAFETY_CLAIM = re.compile(
    r"(?<!not )(?<!un)\bsafe\b|\bharmless\b|\brisk[- ]free\b|\bno (harms?|side effects)\b(?! data)",
    re.IGNORECASE,
)


def _estimates(base: EvidenceBase) -> list[tuple[Treatment, Estimate]]:
    return [(t, e) for t in base.treatments.values() for e in t.estimates]


# --- red flags ----------------------------------------------------------------------------------


def test_urgency_vocabulary_is_fixed_and_ordered_emergency_first() -> None:
    assert tuple(get_args(Urgency)) == URGENCY_ORDER == tuple(URGENCY_HEADINGS)
    assert URGENCY_ORDER[0] == "emergency"
    assert "emergency department" in URGENCY_HEADINGS["emergency"]


def test_red_flags_cover_every_group_with_early_cauda_equina_signs(base: EvidenceBase) -> None:
    flags = base.reference.red_flags
    assert {f.group for f in flags} >= {"cauda equina syndrome", "cancer", "infection", "fracture"}
    ces = " ".join(f.sign.lower() for f in flags if f.group == "cauda equina syndrome")
    for early_sign in ("pee", "genitals", "thighs", "both legs", "erection", "weaker", "bowel"):
        assert early_sign in ces, early_sign
    assert all(f.urgency == "emergency" for f in flags if f.group == "cauda equina syndrome")
    by_id = {f.id: f for f in flags}
    assert by_id["fracture-major-trauma"].urgency == "emergency"
    assert by_id["cancer-with-nerve-signs"].urgency == "emergency"
    assert "older" in by_id["fracture-minor-trauma"].sign and "steroid" in by_id["fracture-minor-trauma"].sign
    assert "inject drugs" in by_id["infection-fever"].sign


def test_each_action_says_what_its_urgency_means(base: EvidenceBase) -> None:
    words = {"emergency": ("a&e", "999"), "same day": ("today", "urgent"),
             "within days": ("few days",), "routine": ("appointment",)}
    for flag in base.reference.red_flags:
        action = flag.action.lower()
        assert any(w in action for w in words[flag.urgency]), (flag.id, flag.urgency, flag.action)
        if flag.urgency != "emergency":
            assert "999" not in action and "a&e" not in action, flag.id


def test_every_red_flag_cites_a_current_source(base: EvidenceBase) -> None:
    for flag in base.reference.red_flags:
        statuses = [base.sources[s].status for s in flag.sources]
        assert "current" in statuses, (flag.id, statuses)


def test_red_flags_render_in_urgency_groups_emergency_first(base: EvidenceBase) -> None:
    text = render.red_flags().data
    positions = [text.find(f"#### {URGENCY_HEADINGS[u]}") for u in URGENCY_ORDER
                 if any(f.urgency == u for f in base.reference.red_flags)]
    assert -1 not in positions and positions == sorted(positions)
    assert positions[0] == text.find("####")  # nothing comes before the emergency group
    bounds = dict(zip(URGENCY_ORDER, [*positions, len(text)][1:], strict=False))
    starts = dict(zip(URGENCY_ORDER, positions, strict=False))
    for flag in base.reference.red_flags:
        where = text.find(" ".join(flag.sign.split()))
        assert starts[flag.urgency] < where < bounds[flag.urgency], flag.id


# --- certainty ----------------------------------------------------------------------------------


def test_certainty_vocabulary_separates_not_graded_from_not_verified(base: EvidenceBase) -> None:
    assert set(CERTAINTY_MEANING) == set(get_args(Certainty))
    for t, e in _estimates(base):
        assert (e.certainty == "not verified") == (e.certainty_read_in is None), (t.id, e.id)
        if e.certainty_scope == "review overall":
            assert e.certainty not in UNGRADED, (t.id, e.id)


@pytest.mark.parametrize(("source", "expected"), [
    ("furlan2015", {"low to very low", "very low"}),  # overall range; SoF table 2 for active controls
    ("rubinstein2012", {"low to very low"}),
    ("sitthipornvorakul2018", {"low to moderate"}),
])
def test_reviews_that_graded_are_not_called_ungraded(
    base: EvidenceBase, source: str, expected: set[str]
) -> None:
    found = {e.certainty for _t, e in _estimates(base) if e.source == source}
    assert found and found <= expected, (source, found)


def test_certainty_shown_in_every_view_is_the_datas(base: EvidenceBase) -> None:
    overview = render.treatments_overview().data
    chart = EvidenceExplorer().chart.value
    for t in base.treatments.values():
        summary = render.evidence_summary(t.id).data
        for e in t.estimates:
            assert e.certainty_text in render.estimate(t.id, e.id).data, (t.id, e.id)
            assert e.certainty_text in summary, (t.id, e.id)
        if t.headline is not None:
            assert t.headline.certainty_text in overview, t.id
            assert esc(t.headline.certainty_text) in chart, t.id
            slider = EvidenceSlider(t.id)
            assert esc(t.headline.certainty_text) in slider.reveal_html(), t.id


def test_a_review_overall_grade_says_so() -> None:
    est = Estimate(
        id="x", comparison="inactive controls", outcome="pain", population="chronic",
        time_point="short term", measure="SMD", scale="smd", estimate=-0.5, ci_low=-0.8,
        ci_high=-0.2, favours_treatment_when="negative", compared_with="no treatment or usual care",
        certainty="low to very low", certainty_scope="review overall", source="furlan2015",
        certainty_read_in=ReadIn(part="abstract", url="https://example.org/a"),
        read_in=ReadIn(part="abstract", url="https://example.org/a"),
    )
    assert est.certainty_text == "low to very low certainty (the review's overall rating)"
    unread = est.model_copy(update={"certainty": "not verified", "certainty_scope": "this result",
                                    "certainty_read_in": None})
    assert "not verified" in unread.certainty_text


# --- safety claims --------------------------------------------------------------------------------


def _bank_texts() -> list[tuple[str, str]]:
    texts = []
    for path in sorted(QUESTIONS_DIR.glob("*.yaml")):
        bank = load_bank(path.stem)
        for q in bank.questions:
            texts += [(f"{path.name}:{q.id}", q.prompt), (f"{path.name}:{q.id}", q.explanation)]
            texts += [(f"{path.name}:{q.id}:{o.id}", f"{o.text} {o.feedback}") for o in q.options]
    return texts


def test_no_patient_summary_or_quiz_text_calls_a_treatment_safe(base: EvidenceBase) -> None:
    offenders = [(t.id, m.group(0)) for t in base.treatments.values()
                 if (m := SAFETY_CLAIM.search(t.patient_summary))]
    offenders += [(where, m.group(0)) for where, text in _bank_texts() if (m := SAFETY_CLAIM.search(text))]
    assert offenders == []


def test_the_safety_pattern_catches_the_claims_it_is_for() -> None:
    for claim in ("It is safe.", "Harmless for most.", "No harms were reported.", "no side effects"):
        assert SAFETY_CLAIM.search(claim), claim
    for fine in ("not safe to be active", "unsafe", "No harms data were found.", "safely"):
        assert not SAFETY_CLAIM.search(fine), fine


def test_heat_tens_and_manipulation_name_their_harms(base: EvidenceBase) -> None:
    assert "burn" in base.treatment("heat").harms.summary.lower()
    assert "burn" in base.treatment("heat").patient_summary.lower()
    assert "pacemaker" in base.treatment("tens").harms.summary.lower()
    assert base.treatment("spinal-manipulation").harms.sources
    assert isinstance(base.treatment("acupuncture").harms, Harms)


# --- sources behind advice and stances ------------------------------------------------------------


def test_every_source_behind_a_stance_or_red_flag_is_marked_current_or_historic(base: EvidenceBase) -> None:
    ids = {s.source for t in base.treatments.values() for s in t.stances}
    ids |= {r.source for r in base.guidelines.recommendations}
    ids |= {s for f in base.reference.red_flags for s in f.sources}
    missing = sorted(i for i in ids if base.sources[i].status not in ("current", "historic"))
    assert missing == []


def test_every_number_grade_and_statement_says_where_it_was_read(base: EvidenceBase) -> None:
    for t, e in _estimates(base):
        assert e.read_in.url.startswith("http"), (t.id, e.id)
    for t in base.treatments.values():
        for s in t.stances:
            assert s.read_in.url.startswith("http"), (t.id, s.body)


# --- the headline rule ------------------------------------------------------------------------------


def test_every_headline_follows_the_rule_or_says_why_not(base: EvidenceBase) -> None:
    for t in base.treatments.values():
        pick = choose_headline(t, base.sources)
        if t.headline != pick:
            assert t.headline_reason.startswith("Exception:"), t.id
        assert t.headline_reason.strip(), t.id


def test_spinal_manipulation_no_longer_leads_with_the_old_sham_result(base: EvidenceBase) -> None:
    head = base.treatment("spinal-manipulation").headline
    assert head is not None and head.source != "assendelft2003"


def _source(year: int, sid: str) -> Source:
    return Source(id=sid, authors="A B", short="A", year=year, title="t", journal="j", doi="10.1/x")


def _est(eid: str, source: str, *, outcome: str = "pain", certainty: str = "low",
         kind: str = "no treatment or usual care", n: int = 100) -> Estimate:
    where = ReadIn(part="abstract", url="https://example.org")
    return Estimate(
        id=eid, comparison="c", outcome=outcome, population="chronic", time_point="t",
        measure="SMD", scale="smd", estimate=-0.3, ci_low=-0.5, ci_high=-0.1,
        favours_treatment_when="negative", compared_with=kind, certainty=certainty,
        certainty_read_in=None if certainty == "not verified" else where, participants=n,
        source=source, read_in=where,
    )


def _treatment(*estimates: Estimate) -> Treatment:
    return Treatment(
        id="t", name="T", category="passive", what_it_is="x", claimed_mechanism="x",
        patient_summary="x", estimates=list(estimates), stances=[], headline_reason="x",
        harms=Harms(summary="x"), not_found=["x"],
    )


def test_headline_rule_order() -> None:
    sources = {"old": _source(2003, "old"), "new": _source(2021, "new")}
    # newest source first, even against a higher grade in an older one
    t = _treatment(_est("a", "old", certainty="high"), _est("b", "new", certainty="low"))
    assert choose_headline(t, sources).id == "b"
    # then the higher certainty
    t = _treatment(_est("a", "new", certainty="very low"), _est("b", "new", certainty="moderate"))
    assert choose_headline(t, sources).id == "b"
    # then the comparison patients ask about; a sham only when nothing else is there
    t = _treatment(_est("a", "new", kind="sham or placebo", n=900), _est("b", "new", kind="other treatment"))
    assert choose_headline(t, sources).id == "b"
    assert choose_headline(_treatment(_est("a", "new", kind="sham or placebo")), sources).id == "a"
    # pain before function; nothing for a posture angle alone
    t = _treatment(_est("f", "new", outcome="function", certainty="high"), _est("p", "new"))
    assert choose_headline(t, sources).id == "p"
    assert choose_headline(_treatment(_est("x", "new", outcome="posture")), sources) is None


# --- guideline coverage ----------------------------------------------------------------------------

# Every recommendation of guidelines-and-safety.md section 1 that bears on the course:
# (body, words that must appear in a stance of a treatment page or in guidelines.yaml).
REQUIRED_COVERAGE = [
    ("NICE", "STarT Back"), ("NICE", "imaging"), ("NICE", "self-management|manage"),
    ("NICE", "group exercise|exercise programme"), ("NICE", "belt|corset"), ("NICE", "orthotic|inserts"),
    ("NICE", "rocker"), ("NICE", "traction"), ("NICE", "manual therapy|manipulation"),
    ("NICE", "acupuncture"), ("NICE", "ultrasound"), ("NICE", "PENS"), ("NICE", "TENS"),
    ("NICE", "interferential"), ("NICE", "psycholog"), ("NICE", "NSAID"), ("NICE", "weak opioid"),
    ("NICE", "opioids for chronic"), ("NICE", "paracetamol"), ("NICE", "SSRI"),
    ("NICE", "anticonvulsant"), ("NICE", "spinal injections"),
    ("ACP", "heat"), ("ACP", "massage"), ("ACP", "acupuncture"), ("ACP", "manipulation"),
    ("ACP", "NSAID"), ("ACP", "muscle relaxant"), ("ACP", "exercise"),
    ("ACP", "multidisciplinary|rehabilitation"),
    ("ACP", "mindfulness"), ("ACP", "tai chi"), ("ACP", "yoga"), ("ACP", "motor control"),
    ("ACP", "progressive relaxation"), ("ACP", "biofeedback"), ("ACP", "laser"), ("ACP", "operant"),
    ("ACP", "cognitive|CBT"), ("ACP", "tramadol"), ("ACP", "duloxetine"), ("ACP", "paracetamol"),
    ("ACP", "steroid"),
    ("WHO", "education|advice"), ("WHO", "exercise"), ("WHO", "needling|acupuncture"),
    ("WHO", "manipulat"), ("WHO", "massage"), ("WHO", "traction"), ("WHO", "ultrasound"),
    ("WHO", "TENS"), ("WHO", "brace|belt|support"), ("WHO", "mobility"), ("WHO", "operant"),
    ("WHO", "cognitive|CBT"), ("WHO", "NSAID"), ("WHO", "opioid"), ("WHO", "muscle relaxant"),
    ("WHO", "paracetamol"), ("WHO", "antidepressant"),
]


@pytest.mark.parametrize(("body", "needle"), REQUIRED_COVERAGE)
def test_guideline_recommendation_is_covered(base: EvidenceBase, body: str, needle: str) -> None:
    texts = [f"{r.topic} {r.wording}" for r in base.guidelines.recommendations if r.body == body]
    texts += [f"{t.name} {s.wording}" for t in base.treatments.values() for s in t.stances if s.body == body]
    assert any(re.search(needle, text, re.IGNORECASE) for text in texts), (body, needle)


def test_who_recommendations_are_never_coded_stronger_than_conditional(base: EvidenceBase) -> None:
    stances = [(t.id, s.stance) for t in base.treatments.values() for s in t.stances if s.body == "WHO"]
    stances += [(r.id, r.stance) for r in base.guidelines.recommendations
                if r.body == "WHO" and r.id != "who-mobility-products"]  # "should be offered"
    assert [x for x in stances if x[1] == "recommend"] == []


def test_guideline_list_and_disagreements_render_with_sources(base: EvidenceBase) -> None:
    table = render.guidelines_beyond_pages().data
    for rec in base.guidelines.recommendations:
        assert rec.topic in table, rec.id
    splits = render.guideline_disagreements().data
    assert "Duloxetine" in splits and "tramadol" in splits
    assert render.guidelines_beyond_pages("medicine").data.count("\n") < table.count("\n")


def test_agreement_never_lists_a_body_as_both_speaking_and_silent(base: EvidenceBase) -> None:
    for t in base.treatments.values():
        text = render.agreement(t.id)
        if "No statement found from:" not in text:
            continue
        silent = text.split("No statement found from:")[1]
        spoke = text.split("No statement found from:")[0]
        for s in t.stances:
            label = f"{s.body} {s.year}"
            assert not (label in silent and label in spoke), (t.id, label)


def test_mcid_table_shows_the_relative_threshold_from_the_same_source() -> None:
    assert "30% of the starting score" in render.mcids().data


def test_review_checklist_is_linked_from_the_readme() -> None:
    root = Path(__file__).resolve().parents[1]
    assert (root / "CLINICAL-REVIEW.md").exists()
    assert "CLINICAL-REVIEW.md" in (root / "README.md").read_text(encoding="utf-8")
