"""Open a course page in Voila with Playwright and record what a visitor's browser saw.

Used by the browser tests: one `Visit` per page load holds the timings, the rendered widgets, the
console messages, every request the page made, the visible text and the links.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from playwright.sync_api import Page

from tests.servers import REPO

LESSONS = REPO / "lessons"
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
LOAD_TIMEOUT_MS = 60_000
CHANGE_TIMEOUT_MS = 10_000

# Top-level widget views rendered by the ipywidgets front end (each sits in an output area).
RENDERED_VIEWS = ".jp-OutputArea-output > .jupyter-widgets"
STATUS = "#lbp-loading-status"  # the template's status line: "loading", then "ready"
# Text that only appears when something went wrong.
ERROR_TEXTS = (
    "Traceback (most recent call last)",
    "There was an error when executing cell",
    "Failed to load model class",
    "Error displaying widget",
    "Something went wrong",
)
# The CSS hook classes of the course's widget families.
HOOKS = ("lbp-slider", "lbp-quiz", "lbp-explorer")


@dataclass
class Visit:
    """What the browser saw while loading one page."""

    page_file: str
    url: str
    load_seconds: float = 0.0
    expected_views: int = 0
    rendered_views: int = 0
    all_widgets: int = 0
    console_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    text: str = ""
    links: list[str] = field(default_factory=list)
    hooks: list[str] = field(default_factory=list)
    ready_error: str = ""


def page_url(server_url: str, page_file: str) -> str:
    return f"{server_url}/voila/render/{page_file}"


def code_lines(page_file: str) -> list[str]:
    """Distinctive lines of the notebook's code cells (lines a reader would recognise as code)."""
    nb = nbformat.read(LESSONS / page_file, as_version=4)
    lines = []
    for cell in nb.cells:
        if cell.cell_type == "code":
            lines += [ln.strip() for ln in cell.source.splitlines() if len(ln.strip()) >= 12]
    return lines


def record_traffic(page: Page, visit: Visit) -> None:
    """Log console errors, uncaught page errors, and every request and websocket, from now on."""
    page.on("console", lambda msg: msg.type == "error" and visit.console_errors.append(msg.text))
    page.on("pageerror", lambda err: visit.console_errors.append(f"uncaught: {err}"))
    page.on("request", lambda req: visit.requests.append(req.url))
    page.on("websocket", lambda ws: visit.requests.append(ws.url))


def open_page(page: Page, server_url: str, page_file: str) -> Visit:
    """Load a page and wait until every widget view the kernel produced has been rendered."""
    visit = Visit(page_file=page_file, url=page_url(server_url, page_file))
    record_traffic(page, visit)
    start = time.monotonic()
    response = page.goto(visit.url, timeout=LOAD_TIMEOUT_MS)
    assert response is not None and response.ok, f"{page_file}: HTTP {response and response.status}"
    # Voila streams the executed notebook; each displayed widget is one output of this MIME type.
    visit.expected_views = response.text().count(f'"{WIDGET_MIME}"')
    try:
        page.wait_for_function(
            """([selector, expected]) => {
                const cells = document.getElementById('rendered_cells');
                return cells && cells.style.display !== 'none'
                    && document.querySelectorAll(selector).length >= expected;
            }""",
            arg=[RENDERED_VIEWS, visit.expected_views],
            timeout=LOAD_TIMEOUT_MS,
        )
    except Exception as err:  # the test that needs readiness reports it with the page text
        visit.ready_error = f"{type(err).__name__}: {err}"
    visit.load_seconds = time.monotonic() - start
    visit.rendered_views = page.locator(RENDERED_VIEWS).count()
    visit.all_widgets = page.locator(".jupyter-widgets").count()
    visit.text = page.inner_text("body")
    visit.links = page.eval_on_selector_all("a[href]", "els => els.map(a => a.getAttribute('href'))")
    visit.hooks = [hook for hook in HOOKS if page.locator(f".{hook}").count()]
    return visit


WIDTHS = (1280, 768, 390, 360)  # desktop, tablet, a common phone, a small phone
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
MIN_TARGET_PX = 24  # WCAG 2.2 success criterion 2.5.8 (minimum target size)
# Chart labels as drawn on screen (font size times the SVG's scale): charts that shrink to fit a
# phone must not shrink their words below this.
MIN_CHART_TEXT_PX = 10  # every chart draws its words at 10 px or more at all four widths (measured)
# The text a patient reads in each widget view: innerText skips what is not rendered, so closed
# "For students" sections (and views inside them) are left out.
PATIENT_WIDGET_TEXT = """() => [...document.querySelectorAll('.jp-OutputArea-output > .lm-Widget')]
    .filter(view => !view.closest('details.lbp-students'))
    .map(view => [view.innerText,
                  ...[...view.querySelectorAll('svg[aria-label]')].map(s => s.getAttribute('aria-label'))]
                 .join('\\n'))"""


def as_sentences(text: str) -> str:
    """Widget text for a readability score: each line (heading, label, option) ends as a sentence."""
    lines = (line.strip() for line in text.splitlines())
    return " ".join(line if line[-1] in ".?!:;" else line + "." for line in lines if line)


def run_axe(page: Page) -> list[dict]:
    """axe-core violations of impact serious or critical with the WCAG 2.2 AA rules on, as short dicts.

    ``target-size`` (WCAG 2.5.8) is off in axe by default; it is switched on here.
    """
    if not page.evaluate("() => typeof axe !== 'undefined'"):
        page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    violations = page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {
                runOnly: {type: 'tag', values: tags}, rules: {'target-size': {enabled: true}},
                resultTypes: ['violations'],
            });
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.slice(0, 5).map(n => n.target.join(' ')),
            }));
        }""",
        AXE_TAGS,
    )
    return [v for v in violations if v["impact"] in ("serious", "critical")]


def screenshot(page: Page, page_file: str, suffix: str = "") -> Path:
    """A screenshot of the whole page (Voila scrolls inside the page, so the viewport is stretched)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / (Path(page_file).stem + suffix + ".png")
    viewport = page.viewport_size or {"width": 1280, "height": 900}
    height = page.evaluate("() => Math.max(...[...document.querySelectorAll('*')].map(e => e.scrollHeight))")
    page.set_viewport_size({"width": viewport["width"], "height": min(int(height), 16_000)})
    try:
        page.screenshot(path=str(path))
    finally:
        page.set_viewport_size(viewport)
    return path


def settle(page: Page) -> None:
    """Wait until the page has laid itself out again (two animation frames), e.g. after a resize."""
    page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")


def layout_problems(page: Page) -> list[str]:
    """What a reader at this width would hit: sideways scroll, cut-off content, small targets,
    text or controls that cover each other."""
    settle(page)
    found = page.evaluate(
        """([minTarget, minChartText]) => {
            const width = document.documentElement.clientWidth;
            const problems = [];
            if (document.documentElement.scrollWidth > width + 1) {
                problems.push(`the page scrolls sideways (${document.documentElement.scrollWidth} px)`);
            }
            const visible = el => { const r = el.getBoundingClientRect();
                return r.width > 0 && r.height > 0 && !el.closest('details:not([open]) > :not(summary)'); };
            const cut = [...document.querySelectorAll('#rendered_cells *')].filter(el =>
                !el.closest('svg') && visible(el) && el.getBoundingClientRect().right > width + 1);
            for (const el of cut.slice(0, 3)) {
                problems.push(`cut off at the right edge: <${el.tagName.toLowerCase()}> `
                    + `"${(el.textContent || '').trim().slice(0, 40)}"`);
            }
            const controls = document.querySelectorAll(
                ['button', 'input', 'select', 'summary'].map(tag => '#rendered_cells ' + tag).join(', '));
            for (const el of [...controls].filter(visible)) {
                const r = el.getBoundingClientRect();
                if (r.width < minTarget || r.height < minTarget) {
                    const name = (el.textContent || el.value || '').trim().slice(0, 30);
                    problems.push(`target smaller than ${minTarget} px: <${el.tagName.toLowerCase()}> `
                        + `${Math.round(r.width)}x${Math.round(r.height)} "${name}"`);
                }
                if (el.tagName === 'BUTTON' && el.scrollWidth > el.clientWidth + 1) {
                    problems.push(`button text cut off: "${el.textContent.trim().slice(0, 40)}"`);
                }
            }
            const labels = [...document.querySelectorAll('#rendered_cells svg text')].filter(visible);
            for (const t of labels) {
                const size = parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a;
                if (size < minChartText) {
                    const words = t.textContent.trim().slice(0, 30);
                    problems.push(`chart text drawn at ${size.toFixed(1)} px: "${words}"`);
                    break;
                }
            }
            if (!document.documentElement.lang) { problems.push('the page has no language attribute'); }
            if (document.querySelectorAll('main').length !== 1) {
                problems.push('the page has no single <main>');
            }
            return problems;
        }""",
        [MIN_TARGET_PX, MIN_CHART_TEXT_PX],
    )
    return [*found, *overlaps(page)]


# Every visible line of text (a text node's line boxes), control and chart label in the lesson, and
# each pair of them that overlaps by more than a sliver (2 px both ways): one covers the other.
# Text inside a control counts with the control; what a scrolling box hides is left out.
OVERLAPS = """() => {
    const root = document.getElementById('rendered_cells');
    const shown = el => el.checkVisibility({visibilityProperty: true, opacityProperty: true})
        && !el.closest('details:not([open]) > :not(summary)');
    const clip = (el, r) => {
        for (let a = el.parentElement; a && a !== root; a = a.parentElement) {
            const style = getComputedStyle(a);
            if (style.overflowX !== 'visible' || style.overflowY !== 'visible') {
                const c = a.getBoundingClientRect();
                const left = Math.max(r.left, c.left), right = Math.min(r.right, c.right);
                const top = Math.max(r.top, c.top), bottom = Math.min(r.bottom, c.bottom);
                if (right - left < 1 || bottom - top < 1) { return null; }
                r = {left, right, top, bottom};
            }
        }
        return r;
    };
    const boxes = [];
    const add = (el, r, what) => {
        const seen = clip(el, {left: r.left, right: r.right, top: r.top, bottom: r.bottom});
        if (seen && r.width > 1 && r.height > 1) { boxes.push({el, r: seen, what}); }
    };
    const name = s => (s || '').trim().replace(/\\s+/g, ' ').slice(0, 30);
    for (const el of root.querySelectorAll('button, input, select, textarea, img, summary')) {
        const label = name(el.textContent || el.value || el.alt);
        if (shown(el)) { add(el, el.getBoundingClientRect(), `<${el.tagName.toLowerCase()}> "${label}"`); }
    }
    for (const el of root.querySelectorAll('svg text')) {
        if (shown(el)) { add(el, el.getBoundingClientRect(), `chart label "${name(el.textContent)}"`); }
    }
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const el = node.parentElement;
        if (!node.textContent.trim() || !el || !shown(el)
            || el.closest('button, select, textarea, summary, script, style, svg')) { continue; }
        const range = document.createRange();
        range.selectNodeContents(node);
        for (const r of range.getClientRects()) { add(el, r, `"${name(node.textContent)}"`); }
    }
    boxes.sort((a, b) => a.r.top - b.r.top);
    const found = [];
    for (let i = 0; i < boxes.length && found.length < 3; i++) {
        const a = boxes[i];
        for (let j = i + 1; j < boxes.length && boxes[j].r.top < a.r.bottom - 2; j++) {
            const b = boxes[j];
            if (a.el === b.el || a.el.contains(b.el) || b.el.contains(a.el)) { continue; }
            const x = Math.min(a.r.right, b.r.right) - Math.max(a.r.left, b.r.left);
            const y = Math.min(a.r.bottom, b.r.bottom) - Math.max(a.r.top, b.r.top);
            if (x > 2 && y > 2) { found.push(`${a.what} and ${b.what} overlap`); break; }
        }
    }
    return found;
}"""


def overlaps(page: Page) -> list[str]:
    """Pairs of visible text lines, controls or chart labels that cover each other (up to three)."""
    return list(page.evaluate(OVERLAPS))


def wait_for_text_change(page: Page, selector: str, before: str, what: str) -> str:
    """Wait until the first element matching ``selector`` has non-empty text other than ``before``."""
    page.wait_for_function(
        """([selector, before]) => {
            const el = document.querySelector(selector);
            const text = el ? el.innerText.trim() : '';
            return text !== '' && text !== before;
        }""",
        arg=[selector, before],
        timeout=CHANGE_TIMEOUT_MS,
    )
    return page.locator(selector).first.inner_text().strip()


def save_report(rows: list[dict], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(rows, indent=2), encoding="utf-8")


def only_server(requests: list[str], server_url: str) -> list[str]:
    """The requests that went anywhere but the Voila server (data: and blob: URLs are local)."""
    host = re.sub(r"^https?://", "", server_url)
    allowed = (f"http://{host}/", f"ws://{host}/", "data:", "blob:", "about:")
    return [url for url in requests if not url.startswith(allowed)]
