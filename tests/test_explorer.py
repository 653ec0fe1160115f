"""EvidenceExplorer: forest plot rows, filters, panels by scale, detail pane."""

from __future__ import annotations

import html

import pytest
from traitlets import TraitError

from widgets import evidence
from widgets._svg import CERTAINTY_SHAPES
from widgets._ui import fmt
from widgets.evidence import ACUTE_POPULATIONS, CATEGORY_LABELS, CHRONIC_POPULATIONS
from widgets.explorer import EvidenceExplorer


def all_estimates() -> list[tuple[str, str]]:
    return [(t.id, e.id) for t in evidence().treatments.values() for e in t.estimates]


def test_one_row_per_estimate_with_its_numbers() -> None:
    explorer = EvidenceExplorer()
    rows = explorer.rows()
    assert sorted((t.id, e.id) for t, e in rows) == sorted(all_estimates())
    chart = explorer.chart.value
    for t, e in rows:
        b, low, high = e.benefit
        assert f"{fmt(b)} ({fmt(low)} to {fmt(high)}), {e.certainty}" in chart
        assert html.escape(t.name) in chart


def test_panels_group_rows_by_scale_with_mcid_band_only_where_there_is_one() -> None:
    explorer = EvidenceExplorer()
    for scale_id, rows in explorer.panels():
        assert {e.scale for _t, e in rows} == {scale_id}
    chart = explorer.chart.value
    # Each panel twice, wide and for phones (the stylesheet shows one); the legend's marks are aria-hidden.
    assert chart.count("<div class='lbp-chart-wide'><svg role=\"img\"") == len(explorer.panels())
    assert chart.count("<div class='lbp-chart-narrow'><svg role=\"img\"") == len(explorer.panels())
    assert chart.count("<li><svg aria-hidden='true'") == len(CERTAINTY_SHAPES)  # one legend entry each
    for scale_id, _rows in explorer.panels():
        mcid = evidence().mcid_for(scale_id)
        label = html.escape(evidence().scale(scale_id).label)
        if mcid:
            assert f"smaller than the MCID of {fmt(mcid.threshold)}" in chart
        else:
            assert f"{label}. " in chart and "no agreed MCID for this scale" in chart


def test_certainty_has_a_text_and_shape_legend() -> None:
    chart = EvidenceExplorer().chart.value
    for certainty, shape in CERTAINTY_SHAPES.items():
        assert f"{shape}: {certainty}</li>" in chart


@pytest.mark.parametrize(("population", "allowed"), [("acute", ACUTE_POPULATIONS),
                                                     ("chronic", CHRONIC_POPULATIONS)])
def test_population_filter(population: str, allowed: tuple[str, ...]) -> None:
    explorer = EvidenceExplorer()
    explorer.population_filter.value = population
    assert explorer.population == population
    rows = explorer.rows()
    assert rows and all(e.population in allowed for _t, e in rows)
    expected = sum(1 for t in evidence().treatments.values() for e in t.estimates if e.population in allowed)
    assert len(rows) == expected


def test_category_filter_and_empty_result() -> None:
    explorer = EvidenceExplorer()
    explorer.category_filter.value = "passive"
    assert all(t.category == "passive" for t, _e in explorer.rows())
    assert "massage" in {t.id for t, _e in explorer.rows()}
    empty = [c for c in CATEGORY_LABELS if not any(
        t.category == c and t.estimates for t in evidence().treatments.values())]
    if empty:
        explorer.category_filter.value = empty[0]
        assert "No estimates match these filters" in explorer.chart.value


def test_detail_pane_shows_stances_harms_sources() -> None:
    explorer = EvidenceExplorer()
    explorer.treatment_picker.value = "massage"
    assert explorer.treatment_id == "massage"
    t = evidence().treatment("massage")
    detail = explorer.detail.value
    assert html.escape(t.harms.summary) in detail
    for stance in t.stances:
        assert f"{stance.body} {stance.year}" in detail
    for source in evidence().sources_of(t):
        assert html.escape(source.citation()) in detail


@pytest.mark.parametrize("treatment_id", sorted(evidence().treatments))
def test_every_treatment_has_a_detail_pane(treatment_id: str) -> None:
    explorer = EvidenceExplorer()
    explorer.treatment_id = treatment_id
    t = evidence().treatment(treatment_id)
    assert html.escape(t.name) in explorer.detail.value
    for missing in t.not_found:
        assert html.escape(missing) in explorer.detail.value


def test_bad_filter_values_are_refused_with_the_value_named() -> None:
    explorer = EvidenceExplorer()
    with pytest.raises(TraitError, match="unknown population 'elderly'"):
        explorer.population = "elderly"
    with pytest.raises(TraitError, match="unknown category 'magic'"):
        explorer.category = "magic"
    with pytest.raises(TraitError, match="unknown treatment id 'magic'"):
        explorer.treatment_id = "magic"


def test_controls_have_names_and_css_hooks() -> None:
    explorer = EvidenceExplorer()
    for control in (explorer.population_filter, explorer.category_filter, explorer.treatment_picker):
        assert control.description
    assert "lbp-explorer" in explorer._dom_classes
    assert "lbp-explorer-chart" in explorer.chart._dom_classes


def test_filters_can_be_preset_for_a_section_page() -> None:
    explorer = EvidenceExplorer(category="passive", population="chronic")
    assert explorer.category_filter.value == "passive" and explorer.population_filter.value == "chronic"
    assert evidence().treatment(explorer.treatment_id).category == "passive"
    with pytest.raises(TraitError, match="bogus"):
        EvidenceExplorer(category="bogus")
