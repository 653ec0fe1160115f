"""The take-away for the appointment: one section per ticked treatment, plain words, nothing stored."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from traitlets import TraitError

from tests.readability import MAX_PATIENT_GRADE, fk_grade
from widgets import TakeAway, _citations, plain, takeaway
from widgets.evidence import CATEGORY_LABELS, evidence


@pytest.fixture
def widget(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TakeAway]:
    monkeypatch.chdir(tmp_path)
    yield TakeAway()
    assert list(tmp_path.iterdir()) == []  # nothing written, whatever the test ticked


def tick(widget: TakeAway, *ids: str, value: bool = True) -> None:
    for treatment_id in ids:
        widget.checkboxes[treatment_id].value = value


def sections(html: str) -> list[str]:
    return re.findall(r'<section class="lbp-takeaway-item" data-treatment="([^"]+)">', html)


def words(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#x27;", "'").strip()


def test_one_checkbox_per_treatment_grouped_by_category(widget: TakeAway) -> None:
    ev = evidence()
    assert set(widget.checkboxes) == set(ev.treatments)
    order = [ev.treatment(i).category for i in widget.checkboxes]
    assert order == sorted(order, key=list(CATEGORY_LABELS).index)
    for treatment_id, box in widget.checkboxes.items():
        assert box.description == ev.treatment(treatment_id).name  # the label screen readers read
        assert "lbp-takeaway-option" in box._dom_classes


def test_nothing_ticked_shows_no_sheet(widget: TakeAway) -> None:
    assert widget.summary.value == ""
    assert widget.print_button.layout.display == "none"
    assert takeaway.EMPTY in widget.count.value


def test_ticking_builds_one_section_per_treatment_in_page_order(widget: TakeAway) -> None:
    tick(widget, "walking", "acupuncture", "lumbar-roll")  # ticked out of page order
    page_order = [i for i in widget.checkboxes if i in {"walking", "acupuncture", "lumbar-roll"}]
    assert widget.chosen == page_order
    assert sections(widget.summary.value) == page_order
    assert widget.print_button.layout.display == ""
    assert "3 treatments" in widget.count.value


def test_every_section_has_the_same_four_labels_in_order(widget: TakeAway) -> None:
    tick(widget, *widget.checkboxes)
    html = widget.summary.value
    blocks = re.findall(r'<section class="lbp-takeaway-item".*?</section>', html)
    assert len(blocks) == len(evidence().treatments)
    for block in blocks:
        labels = re.findall(r'<p class="lbp-takeaway-row"><strong>(.*?):</strong>', block)
        assert labels == [takeaway.esc(label) for label in takeaway.LABELS]


def test_section_says_the_data_in_the_patient_register() -> None:
    ev = evidence()
    acupuncture = ev.treatment("acupuncture")
    summary, found, sure, guides = takeaway.section_texts(acupuncture, ev)
    assert acupuncture.headline is not None
    effect = plain.plain_effect(acupuncture.headline, ev, acupuncture.name)
    assert summary == acupuncture.patient_summary
    assert found.startswith(effect.headline) and effect.range in found
    assert sure == effect.sure
    assert "NICE (UK, 2016)" in guides and "should not be offered" in guides
    roll = ev.treatment("lumbar-roll")
    assert roll.headline is None
    assert takeaway.section_texts(roll, ev)[1:3] == (takeaway.NO_RESULT, takeaway.NO_RESULT_SURE)


def test_unticking_removes_the_section(widget: TakeAway) -> None:
    tick(widget, "massage", "heat")
    tick(widget, "massage", value=False)
    assert sections(widget.summary.value) == ["heat"]
    tick(widget, "heat", value=False)
    assert widget.summary.value == "" and widget.chosen == []


def test_setting_chosen_ticks_the_boxes(widget: TakeAway) -> None:
    widget.chosen = ["tens", "heat", "tens"]
    assert widget.chosen == ["heat", "tens"]  # page order, each once
    assert {i for i, box in widget.checkboxes.items() if box.value} == {"heat", "tens"}
    with pytest.raises(TraitError, match="unknown treatment id"):
        widget.chosen = ["magic-cure"]


def test_sheet_has_the_three_questions_disclaimer_and_urgent_help(widget: TakeAway) -> None:
    tick(widget, "walking")
    html = widget.summary.value
    text = words(html)
    for question in (
        "What are my options?",
        "What are the possible benefits and harms of those options?",
        "How likely are each of those benefits and harms to happen to me?",
    ):
        assert question in text
    assert "Shepherd 2016" in text
    assert "Education, not medical advice." in text
    assert f'<a href="{takeaway.RED_FLAGS_PAGE}">' in html
    assert (Path(__file__).parents[1] / "lessons" / takeaway.RED_FLAGS_PAGE).is_file()
    assert "emergency number" in text


def test_print_button_is_a_real_button_that_prints(widget: TakeAway) -> None:
    assert '<button type="button"' in widget.print_button.value
    assert 'onclick="window.print()"' in widget.print_button.value


def test_the_page_cites_the_questions_source() -> None:
    _citations.forget()
    TakeAway()
    assert takeaway.QUESTIONS_SOURCE in _citations.cited()
    assert takeaway.QUESTIONS_SOURCE in evidence().sources


def test_every_patient_text_reads_at_grade_8_or_below(widget: TakeAway) -> None:
    texts = widget.patient_texts()
    assert len(texts) > 4 * len(evidence().treatments)
    too_hard = {text[:70]: round(fk_grade(text), 1) for text in texts if fk_grade(text) > MAX_PATIENT_GRADE}
    assert too_hard == {}
    labels = ". ".join(widget.patient_labels()) + "."  # headings are too short to score alone
    assert fk_grade(labels) <= MAX_PATIENT_GRADE, fk_grade(labels)
    lesson_sentence = ("Tick the treatments you are thinking about, and you get a one-page list to print "
                       "and talk over with your doctor or physio.")
    assert fk_grade(lesson_sentence) <= MAX_PATIENT_GRADE


def test_the_whole_sheet_reads_at_grade_8_or_below(widget: TakeAway) -> None:
    tick(widget, *widget.checkboxes)
    assert fk_grade(words(widget.summary.value)) <= MAX_PATIENT_GRADE


def test_the_lesson_and_the_gallery_show_it() -> None:
    lessons = Path(__file__).parents[1] / "lessons"
    assert '"TakeAway()"' in (lessons / "07-your-choice.ipynb").read_text(encoding="utf-8")
    assert '"widgets.TakeAway()"' in (lessons / "widget-gallery.ipynb").read_text(encoding="utf-8")
