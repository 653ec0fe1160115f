"""Key interactions end to end, through Voila and the kernel, on every page that has the widget:
type a prediction and reveal the evidence; answer a quiz; change an explorer filter; then the page
as it is after them (student sections open) passes the layout checks at every width and axe at two. Then
the same for the slider (its range input included) and the quiz with the keyboard alone.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser.conftest import PAGES
from tests.browser.lesson_page import (
    WIDTHS,
    Visit,
    layout_problems,
    run_axe,
    screenshot,
    wait_for_text_change,
)

pytestmark = pytest.mark.browser

# A revealed slider shows a result with its numbers, or says plainly that none was found.
REVEALED = re.compile(r"\d|We found no study result")
MAX_TABS = 8
# axe and full-page screenshots are slow, and the suite must stay well under 30 minutes: after the
# interactions, axe runs at a phone's and a desktop's width (the arrival test runs it at all four),
# and screenshots are kept for the pages a patient review looks at.
AXE_WIDTHS = (1280, 390)
SHOT_PAGES = ("00-start-here.ipynb", "03-biopsychosocial.ipynb", "04a-acupuncture.ipynb",
              "07-your-choice.ipynb")
MIN_TOUCH_PX = 44  # the guess slider's own target (more than WCAG 2.5.8's 24 px)


def ready(visit: Visit, page: Page) -> Visit:
    """The loaded page with its "For students" sections opened, as a student would open them."""
    assert not visit.ready_error, f"{visit.page_file}: page not ready: {visit.ready_error}"
    page.evaluate("() => document.querySelectorAll('details.lbp-students').forEach(d => { d.open = true; })")
    return visit


def slider_reveals(page: Page, prediction: str) -> str:
    """Type a prediction into the first evidence slider, press Reveal; return the revealed text."""
    slider = page.locator(".lbp-slider").first
    box = slider.locator(".lbp-prediction-input input")
    box.fill(prediction)
    box.press("Enter")
    slider.locator("button.lbp-reveal").click()
    return wait_for_text_change(page, ".lbp-slider .lbp-reveal-panel", "", "revealed evidence")


def first_question(page: Page) -> Locator:
    """The first single-choice quiz question (radio buttons), else the first question."""
    radios = page.locator(".lbp-quiz-question:has(input[type=radio])")
    return radios.first if radios.count() else page.locator(".lbp-quiz-question").first


def question_index(question: Locator) -> int:
    """The position of ``question`` among all quiz questions on the page."""
    return question.evaluate("q => [...document.querySelectorAll('.lbp-quiz-question')].indexOf(q)")


def feedback_after(page: Page, index: int, before: str) -> str:
    page.wait_for_function(
        """([i, before]) => {
            const q = document.querySelectorAll('.lbp-quiz-question')[i];
            const text = q.querySelector('.lbp-quiz-feedback').innerText.trim();
            return text !== '' && text !== before;
        }""",
        arg=[index, before],
        timeout=10_000,
    )
    return page.locator(".lbp-quiz-question").nth(index).locator(".lbp-quiz-feedback").inner_text()


def answer(question: Locator) -> None:
    """Give some answer with the mouse: first radio, first checkbox, or a number."""
    if question.locator("input[type=radio]").count():
        question.locator("input[type=radio]").first.check()
    elif question.locator("input[type=checkbox]").count():
        question.locator("input[type=checkbox]").first.check()
    else:
        box = question.locator("input").first
        box.fill("3")
        box.press("Enter")


def tab_until(page: Page, selector: str) -> None:
    """Press Tab until the focused element matches ``selector`` (fails after MAX_TABS presses)."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
    focused = page.evaluate("() => document.activeElement && document.activeElement.outerHTML.slice(0, 120)")
    pytest.fail(f"{MAX_TABS} Tab presses did not reach {selector}; focus is on {focused}")


@pytest.mark.parametrize("page_file", PAGES)
def test_widgets_respond(page_file, page, visit_page):
    visit = ready(visit_page(page_file), page)
    assert visit.hooks, f"{page_file}: no course widget (slider, quiz or explorer) on the page"
    if "lbp-slider" in visit.hooks:
        revealed = slider_reveals(page, "5")
        assert REVEALED.search(revealed), f"{page_file}: revealed panel shows no result: {revealed!r}"
        feedback = page.locator(".lbp-slider").first.locator(".lbp-feedback").inner_text().strip()
        assert feedback, f"{page_file}: no feedback text after Reveal"
    if "lbp-quiz" in visit.hooks:
        question = first_question(page)
        index = question_index(question)
        answer(question)
        question.locator("button.lbp-quiz-check").click()
        feedback = feedback_after(page, index, "")
        assert re.search(r"Correct|Not quite", feedback), f"{page_file}: quiz feedback: {feedback!r}"
    if "lbp-explorer" in visit.hooks:
        explorer_filter_changes_chart(page, page_file)
    problems = after_interaction_problems(page, page_file)
    assert not problems, f"{page_file}, after the interactions:\n  " + "\n  ".join(problems)


def after_interaction_problems(page: Page, page_file: str) -> list[str]:
    """The page as it is after its main interactions, with the student sections open, at every width.

    At every width: sideways scroll, cut-off content, targets; at 1280 and 390 px, axe-core with the
    WCAG 2.2 AA rules, and for the pages of the patient review a screenshot (``<page>-after-<width>.png``).
    """
    problems = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        problems += [f"{width} px: {p}" for p in layout_problems(page)]
        if width in AXE_WIDTHS:
            problems += [f"{width} px: axe-core {v['impact']} {v['id']}: {v['help']} at {v['targets']}"
                         for v in run_axe(page)]
        if width in AXE_WIDTHS and page_file in SHOT_PAGES:
            screenshot(page, page_file, f"-after-{width}")
    return problems


def explorer_filter_changes_chart(page: Page, page_file: str) -> None:
    explorer = page.locator(".lbp-explorer").first
    chart = explorer.locator(".lbp-explorer-chart")
    select = explorer.locator(".lbp-explorer-filter-population select")
    values = select.locator("option").evaluate_all("opts => opts.map(o => o.value)")
    current = select.input_value()
    before = chart.inner_html()
    for value in values:
        if value == current:
            continue
        select.select_option(value)
        try:
            page.wait_for_function(
                "([el, before]) => el.innerHTML !== before", arg=[chart.element_handle(), before],
                timeout=10_000,
            )
            return
        except PlaywrightTimeout:  # this option gives the same chart; try the next
            continue
    pytest.fail(f"{page_file}: no population filter value changed the explorer's chart")


@pytest.mark.parametrize("page_file", PAGES)
def test_keyboard_only(page_file, page, visit_page):
    visit = ready(visit_page(page_file), page)
    assert {"lbp-slider", "lbp-quiz"} & set(visit.hooks), f"{page_file}: no slider or quiz on the page"
    if "lbp-slider" in visit.hooks:
        range_is_named_and_moves_with_the_keyboard(page, page_file)
        box = page.locator(".lbp-slider").first.locator(".lbp-prediction-input input")
        box.focus()
        before = box.input_value()
        page.keyboard.press("ArrowUp")
        page.keyboard.press("ArrowUp")
        assert box.input_value() != before, f"{page_file}: arrow keys do not change the prediction"
        tab_until(page, ".lbp-slider button.lbp-reveal")
        page.keyboard.press("Enter")
        revealed = wait_for_text_change(page, ".lbp-slider .lbp-reveal-panel", "", "revealed evidence")
        assert REVEALED.search(revealed), f"{page_file}: revealed panel shows no result: {revealed!r}"
    if "lbp-quiz" in visit.hooks:
        question = first_question(page)
        index = question_index(question)
        radios = question.locator("input[type=radio]")
        if radios.count():
            radios.first.focus()
            page.keyboard.press("ArrowDown")
            assert question.locator("input[type=radio]:checked").count() == 1, (
                f"{page_file}: arrow keys do not choose a quiz option"
            )
        else:
            question.locator("input").first.focus()
            page.keyboard.press("Space")
        tab_until(page, "button.lbp-quiz-check")
        assert page.evaluate(
            "i => document.activeElement === document.querySelectorAll('.lbp-quiz-question')[i]"
            ".querySelector('button.lbp-quiz-check')", index
        ), f"{page_file}: Tab from the answer skips its own Check button"
        page.keyboard.press("Enter")
        feedback = feedback_after(page, index, "")
        assert re.search(r"Correct|Not quite", feedback), f"{page_file}: quiz feedback: {feedback!r}"


def range_is_named_and_moves_with_the_keyboard(page: Page, page_file: str) -> None:
    """The guess slider (an anywidget range input) renders, has a name, and the arrow keys move it."""
    slider = page.locator(".lbp-slider").first
    handle = slider.locator(".lbp-prediction-range input[type=range]")
    assert handle.count() == 1, f"{page_file}: no range input in the evidence slider"
    name = handle.evaluate("el => el.labels.length ? el.labels[0].innerText.trim() : ''")
    assert name, f"{page_file}: the range input has no label"
    assert slider.get_by_role("slider", name=name).count() == 1, f"{page_file}: no slider named {name!r}"
    words = handle.get_attribute("aria-valuetext") or ""
    assert re.search(r"[a-z]", words), f"{page_file}: the range has no value in words: {words!r}"
    box_size = handle.bounding_box()
    assert box_size and box_size["height"] >= MIN_TOUCH_PX, f"{page_file}: range target {box_size}"
    box = slider.locator(".lbp-prediction-input input")
    before = box.input_value()
    handle.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "([el, before]) => el.value !== before", arg=[box.element_handle(), before], timeout=10_000
    )
    assert box.input_value() != before, f"{page_file}: ArrowRight on the range did not change the box"
    page.wait_for_function(
        "([el, before]) => el.getAttribute('aria-valuetext') !== before",
        arg=[handle.element_handle(), words], timeout=10_000,
    )
    readout = slider.locator(".lbp-prediction-readout").inner_text()
    assert "Your guess is" in readout, f"{page_file}: no readout of the guess: {readout!r}"
