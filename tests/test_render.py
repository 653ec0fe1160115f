"""The lessons' render helpers, on the real evidence data: every number shown is the data's."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from IPython.display import HTML, Markdown

from widgets import render
from widgets.course import course
from widgets.evidence import Estimate, ReadIn, evidence

EV = evidence()
TREATMENTS = sorted(EV.treatments)
SVG = "{http://www.w3.org/2000/svg}"
READ = ReadIn(part="abstract", url="https://example.org/abstract")


def make_estimate(estimate: float, low: float, high: float, *, scale: str = "pain-0-100",
                  favours: str = "negative", measure: str = "MD") -> Estimate:
    return Estimate(
        id="x", comparison="sham", outcome="pain", population="chronic", time_point="short term",
        measure=measure, scale=scale, estimate=estimate, ci_low=low, ci_high=high,
        favours_treatment_when=favours, compared_with="sham or placebo", certainty="low",
        certainty_read_in=READ, source="hayden2021", read_in=READ,
    )


def test_fmt_keeps_the_data_value_with_a_true_minus() -> None:
    assert render.fmt(-0.90) == "−0.9"
    assert render.fmt(15.0) == "15"
    assert render.fmt(1.06) == "1.06"


def test_short_cite_names_first_author_or_body() -> None:
    assert render.short_cite("hayden2021") == "Hayden 2021"
    assert render.short_cite("nice2016") == "NICE 2016"
    assert render.short_cite("menezescosta2012") == "Menezes Costa 2012"
    assert render.short_cite("who2023") == "WHO 2023"


@pytest.mark.parametrize("treatment_id", TREATMENTS)
def test_evidence_summary_shows_every_estimate_as_the_data_holds_it(treatment_id: str) -> None:
    t = EV.treatment(treatment_id)
    out = render.evidence_summary(treatment_id)
    assert isinstance(out, Markdown)
    for est in t.estimates:
        assert render.effect_text(est) in out.data
        for value in (est.estimate, est.ci_low, est.ci_high):
            assert render.fmt(value) in out.data
        assert render.short_cite(est.source) in out.data
        assert EV.scale(est.scale).label in out.data
    for item in t.not_found:
        assert item in out.data


@pytest.mark.parametrize("treatment_id", TREATMENTS)
def test_stances_table_lists_every_guideline(treatment_id: str) -> None:
    out = render.stances_table(treatment_id).data
    for stance in EV.treatment(treatment_id).stances:
        assert f"{stance.body} {stance.year}" in out
        assert " ".join(stance.wording.split()).replace("|", "\\|") in out


def test_agreement_names_the_acupuncture_split() -> None:
    text = render.agreement("acupuncture")
    assert text.startswith("**Guidelines disagree.**")
    assert "NICE 2016" in text.split("Against routine use:")[1]
    assert "WHO 2023" in text.split("Against routine use:")[0]


def test_agreement_when_guidelines_agree_against() -> None:
    assert render.agreement("tens").startswith("**Guidelines agree:** not for routine use")


@pytest.mark.parametrize("treatment_id", TREATMENTS)
def test_harms_and_summaries_come_from_the_data(treatment_id: str) -> None:
    t = EV.treatment(treatment_id)
    assert t.harms.summary in render.harms(treatment_id).data
    assert t.patient_summary in render.patient_summary(treatment_id).data
    about = render.about(treatment_id).data
    assert t.what_it_is in about and t.claimed_mechanism in about


def test_unknown_treatment_is_a_clear_error() -> None:
    with pytest.raises(KeyError, match="unknown treatment id 'cupping'"):
        render.evidence_summary("cupping")


@pytest.mark.parametrize(("values", "expected"), [
    ((-20, -25, -16), "the whole interval reaches the MCID 15"),
    ((-16, -20, -10), "the estimate reaches the MCID 15 points (Ostelo 2008), but the interval"),
    ((-10, -17, -3), "the estimate is below the MCID 15 points (Ostelo 2008); the interval includes it"),
    ((-5, -8, -2), "the whole interval is below the MCID 15"),
])
def test_verdict_compares_the_whole_interval_with_the_mcid(values: tuple, expected: str) -> None:
    text = render.verdict(make_estimate(*values))
    assert text.startswith("Clear benefit over the comparison")
    assert expected in text


def test_verdict_flags_an_interval_that_includes_no_difference() -> None:
    assert render.verdict(make_estimate(-2, -6, 1)).startswith("Unclear")
    assert render.verdict(make_estimate(3, 1, 6)).startswith("The comparison did better")
    assert "No agreed MCID" in render.verdict(make_estimate(-0.4, -0.6, -0.2, scale="smd", measure="SMD"))


def test_verdict_reads_ratios_against_one() -> None:
    ratio = {"scale": "ratio", "measure": "HR", "favours": "below one"}
    assert render.verdict(make_estimate(0.72, 0.6, 0.85, **ratio)).startswith("Clear benefit")
    assert render.verdict(make_estimate(0.9, 0.7, 1.2, **ratio)).startswith("Unclear")


def test_estimate_renders_one_estimate_or_names_the_known_ones() -> None:
    est = EV.treatment("walking").estimates[0]
    assert render.effect_text(est) in render.estimate("walking", est.id).data
    with pytest.raises(KeyError, match="known:"):
        render.estimate("walking", "no-such-estimate")


def test_references_cite_every_source_once_in_alphabetical_order() -> None:
    out = render.references("massage", "acupuncture", extra=["engel1977"]).data
    ids = {s.id for s in EV.sources_of(EV.treatment("massage"))}
    ids |= {s.id for s in EV.sources_of(EV.treatment("acupuncture"))} | {"engel1977"}
    lines = [line for line in out.splitlines() if line[:1].isdigit()]
    assert len(lines) == len(ids)
    for source_id in ids:
        src = EV.sources[source_id]
        assert sum(src.title in line for line in lines) == 1
    authors = [line.split(". ", 1)[1].lower() for line in lines]
    assert authors == sorted(authors)


def test_references_of_reference_sections_and_bad_ids() -> None:
    out = render.references(red_flags=True, natural_history=True, startback=True).data
    flag_sources = {s for f in EV.reference.red_flags for s in f.sources}
    for source_id in flag_sources | {"menezescosta2012", "hill2008"}:
        assert EV.sources[source_id].title in out
    with pytest.raises(KeyError, match="nosuch2099"):
        render.references(extra=["nosuch2099"])
    with pytest.raises(KeyError, match="no-such-fact"):
        render.references(facts=["no-such-fact"])


def test_all_references_cover_every_treatment() -> None:
    out = render.all_references().data
    for t in EV.treatments.values():
        for src in EV.sources_of(t):
            assert src.title in out


def test_red_flags_show_every_sign_and_what_to_do() -> None:
    out = render.red_flags().data
    assert EV.reference.red_flags
    for flag in EV.reference.red_flags:
        assert " ".join(flag.sign.split()) in out and " ".join(flag.action.split()) in out
    assert "emergency" in out


def test_natural_history_shows_every_point() -> None:
    out = render.natural_history().data
    for p in EV.reference.natural_history:
        assert f"{render.fmt(p.mean_pain)} ({render.fmt(p.ci_low)} to {render.fmt(p.ci_high)})" in out


def test_facts_render_with_their_source() -> None:
    first, second = EV.reference.facts[:2]
    one = render.fact(first.id).data
    assert first.text in one and render.short_cite(first.source) in one
    both = render.fact(first.id, second.id).data
    assert both.count("\n- ") == 1 and both.startswith("- ")
    with pytest.raises(KeyError, match="unknown fact"):
        render.fact("no-such-fact")


def test_mcids_and_startback_rules_come_from_the_reference() -> None:
    out = render.mcids().data
    for m in EV.reference.mcids:
        assert f"{render.fmt(m.threshold)} {EV.scale(m.scale).unit}" in out
    rules = render.startback_rules().data
    sb = EV.reference.startback
    assert f"total score {sb.low_max_total} or less" in rules
    assert f"subscale score {sb.high_min_subscale} or more" in rules


def test_treatments_overview_has_one_row_per_treatment() -> None:
    out = render.treatments_overview().data
    rows = [line for line in out.splitlines() if line.startswith("| ") and "---" not in line]
    assert len(rows) == len(EV.treatments) + 1
    passive = render.treatments_overview("passive").data
    assert "Massage" in passive and "TENS" not in passive


def test_lesson_map_and_nav_follow_the_manifest() -> None:
    out = render.lesson_map().data
    for lesson in course().lessons:
        assert f"[{lesson.title}]({lesson.file})" in out
    file = course().lessons[1].file
    assert render.nav(file).data == course().nav_markdown(file)


@pytest.mark.parametrize("name", ["tens", "lumbar-roll", "gym-ball"])
def test_illustrations_are_accessible_svg(name: str) -> None:
    root = ET.fromstring((render.ILLUSTRATIONS / f"{name}.svg").read_text(encoding="utf-8"))
    title = root.find(f"{SVG}title")
    assert root.get("role") == "img" and title is not None and title.text
    assert title.get("id") in root.get("aria-labelledby", "").split()
    out = render.illustration(name, "A caption.")
    assert isinstance(out, HTML) and title.text in out.data and "<figcaption>" in out.data


def test_unknown_illustration_lists_the_known_ones() -> None:
    with pytest.raises(KeyError, match="gym-ball"):
        render.illustration("x-ray", "caption")


def test_every_rendered_number_uses_the_one_minus_sign() -> None:
    """fmt is the one number format: no view writes '-12' beside '−12'."""
    import re

    from widgets.slider import EvidenceSlider

    hyphen_number = re.compile(r"(?:^|[\s(;:])-\d")
    texts = [render.treatments_overview().data, render.mcids().data, render.natural_history().data]
    for tid in TREATMENTS:
        texts += [render.evidence_summary(tid).data, render.stances_table(tid).data]
        texts.append(re.sub(r"<[^>]+>", " ", EvidenceSlider(tid).reveal_html()))
    for text in texts:
        assert not hyphen_number.search(text), hyphen_number.search(text).group(0)
    assert render.fmt(-12) == "−12" and render.fmt(-0.001) == "0" and render.fmt(1 / 0.72) == "1.39"


def test_references_list_what_the_page_cited() -> None:
    """A page's reference list holds every source it cited in text and in its widgets."""
    from widgets import _citations
    from widgets.slider import EvidenceSlider

    _citations.forget()
    assert render.references().data.strip() == "### References"
    render.estimate("massage", "massage-chronic-pain-active")
    slider = EvidenceSlider("exercise-therapy")  # cites what it can reveal, before any reveal
    out = render.references().data
    assert EV.sources["furlan2015"].title in out
    assert slider.estimate is not None and EV.sources[slider.estimate.source].title in out
    for stance in EV.treatment("exercise-therapy").stances:
        assert EV.sources[stance.source].title in out
    _citations.forget()
