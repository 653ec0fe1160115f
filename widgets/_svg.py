"""Tiny helpers for hand-built inline SVG charts (no plotting library: kernel memory and size)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from widgets._ui import STYLESHEET, esc, fmt

# Tones are names, not colours: the stylesheet (widgets/static/lbp.css) says what each one looks like.
INK, GREY, ACCENT, BAND, PAPER = "ink", "muted", "accent", "band", "paper"


def chart(width: int, height: float, label: str, body: str) -> str:
    """An accessible inline SVG chart: its label as aria-label and title, the stylesheet inside."""
    return (f'<svg role="img" aria-label="{esc(label)}" class="lbp-chart" width="{width}" '
            f'height="{height:.0f}" viewBox="0 0 {width} {height:.0f}"><title>{esc(label)}</title>'
            f"<style>{STYLESHEET}</style>{body}</svg>")


def rect(x: float, y: float, width: float, height: float, *, fill: str = INK) -> str:
    """A filled rectangle in one of the stylesheet's tones."""
    return (f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{height:.1f}" '
            f'class="lbp-fill-{fill}"/>')


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """About ``count`` round tick values covering [lo, hi]."""
    span = hi - lo
    raw = span / max(count, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.ceil(lo / step) * step
    ticks = []
    value = first
    while value <= hi + step * 1e-9:
        ticks.append(round(value, 10))
        value += step
    return ticks


@dataclass(frozen=True)
class Axis:
    """Maps data values in [lo, hi] to x pixels in [left, right]; ``log`` for ratios."""

    lo: float
    hi: float
    left: float
    right: float
    log: bool = False

    def _t(self, value: float) -> float:
        return math.log(value) if self.log else value

    def x(self, value: float) -> float:
        value = min(max(value, self.lo), self.hi)
        a, b = self._t(self.lo), self._t(self.hi)
        return self.left + (self._t(value) - a) / (b - a) * (self.right - self.left)

    def ticks(self) -> list[float]:
        if self.log:
            candidates = [0.1, 0.25, 0.5, 1, 2, 4, 10]
            return [t for t in candidates if self.lo <= t <= self.hi]
        return nice_ticks(self.lo, self.hi)


def padded_range(values: list[float], minimum: tuple[float, float], log: bool = False) -> tuple[float, float]:
    """A range covering ``values`` and ``minimum``, with a little margin."""
    lo = min([minimum[0], *values])
    hi = max([minimum[1], *values])
    if log:
        return lo / 1.2, hi * 1.2
    pad = (hi - lo) * 0.05
    return lo - pad, hi + pad


def text(x: float, y: float, content: str, *, anchor: str = "start", size: int = 12,
         weight: str = "normal", fill: str = INK) -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
            f'font-weight="{weight}" class="lbp-fill-{fill}">{esc(content)}</text>')


def line(x1: float, y1: float, x2: float, y2: float, *, stroke: str = INK, width: float = 1,
         dash: str = "") -> str:
    dashed = f' stroke-dasharray="{dash}"' if dash else ""
    return (f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" class="lbp-stroke-{stroke}" '
            f'stroke-width="{width}"{dashed}/>')


def axis_ticks(axis: Axis, y: float, size: int = 11) -> str:
    """Tick marks and labels (``size`` px) along a horizontal axis at height y."""
    parts = [line(axis.left, y, axis.right, y, stroke=GREY)]
    for tick in axis.ticks():
        x = axis.x(tick)
        parts.append(line(x, y, x, y + 4, stroke=GREY))
        parts.append(text(x, y + 16, fmt(tick), anchor="middle", size=size))
    return "".join(parts)


# Certainty of evidence drawn as a marker shape (plus a text label elsewhere): not colour alone.
CERTAINTY_SHAPES = {
    "high": "square",
    "moderate": "diamond",
    "low to moderate": "open diamond",
    "low": "triangle",
    "low to very low": "open triangle",
    "very low": "circle",
    "not graded by the source": "cross",
    "not verified": "open square",
}


def marker(shape: str, x: float, y: float, r: float = 6, fill: str = INK) -> str:
    """A certainty marker: filled square, diamond or triangle; an 'open ...' outline; a ring; a cross."""
    paint = f'class="lbp-fill-{fill}"'
    if shape.startswith("open ") or shape == "circle":  # outlines: a range, an unread grade, very low
        paint = f'class="lbp-fill-{PAPER} lbp-stroke-{fill}" stroke-width="2"'
    kind = shape.removeprefix("open ")
    if kind == "square":
        return f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r}" height="{2 * r}" {paint}/>'
    if kind == "diamond":
        d = r + 1
        pts = f"{x:.1f},{y - d:.1f} {x + d:.1f},{y:.1f} {x:.1f},{y + d:.1f} {x - d:.1f},{y:.1f}"
        return f'<polygon points="{pts}" {paint}/>'
    if kind == "triangle":
        pts = f"{x:.1f},{y - r:.1f} {x + r:.1f},{y + r:.1f} {x - r:.1f},{y + r:.1f}"
        return f'<polygon points="{pts}" {paint}/>'
    if kind == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r - 1}" {paint}/>'
    return (line(x - r, y - r, x + r, y + r, stroke=fill, width=2)
            + line(x - r, y + r, x + r, y - r, stroke=fill, width=2))


def outlined_rect(x: float, y: float, width: float, height: float, *, fill: str = BAND,
                  stroke: str = INK) -> str:
    """A rectangle filled with one tone and outlined with another (a light fill alone is too faint)."""
    return (f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(width, 0):.1f}" height="{height:.1f}" '
            f'class="lbp-fill-{fill} lbp-stroke-{stroke}" stroke-width="1"/>')


def fit_x(x: float, content: str, size: int, left: float, right: float, *, bold: bool = False) -> float:
    """Where to centre a text of ``size`` px near ``x`` so that it stays within [left, right].

    The width is estimated (about 0.55 em a character, 0.7 in bold): charts stay free of a
    font-metrics library.
    """
    half = len(content) * size * (0.7 if bold else 0.55) / 2
    if right - left <= 2 * half:
        return (left + right) / 2
    return min(max(x, left + half), right - half)
