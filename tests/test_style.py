"""Presentation lives in one stylesheet: no colour or inline style in the widgets' Python code."""

from __future__ import annotations

import re
from pathlib import Path

from widgets import _svg
from widgets._ui import STYLESHEET
from widgets.slider import EvidenceSlider

WIDGETS = Path(__file__).resolve().parents[1] / "widgets"


def test_no_hard_coded_colour_or_inline_style_in_python() -> None:
    offenders = []
    for path in sorted(WIDGETS.glob("*.py")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            colour = re.search(r"#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?\b", line)
            if colour or re.search(r'(?<![_\w])style="', line):
                offenders.append(f"{path.name}:{n}: {line.strip()}")
    assert offenders == []


def test_every_tone_the_charts_use_is_defined_in_the_stylesheet() -> None:
    for tone in (_svg.INK, _svg.GREY, _svg.ACCENT, _svg.BAND, _svg.PAPER):
        assert f".lbp-fill-{tone}" in STYLESHEET and f"--lbp-{tone}" in STYLESHEET, tone
    for tone in (_svg.INK, _svg.GREY):
        assert f".lbp-stroke-{tone}" in STYLESHEET, tone


def test_charts_and_widgets_carry_the_stylesheet() -> None:
    slider = EvidenceSlider("massage")
    assert STYLESHEET in slider.gauge_svg()
    assert any(STYLESHEET in getattr(child, "value", "") for child in slider.children)
    classes = set(re.findall(r'class="([^"]+)"', slider.gauge_svg()))
    used = {c for names in classes for c in names.split()}
    assert used and all(f".{c}" in STYLESHEET for c in used if c.startswith("lbp-")), used
