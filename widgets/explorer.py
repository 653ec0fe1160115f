"""EvidenceExplorer: every treatment's effect estimates in one forest plot, with filters and details.

One row per estimate: the point estimate and its 95% confidence interval, turned so that benefit
is to the right. Estimates sit on different scales, so rows are grouped in one panel per scale,
each with its own axis and, where the course has one, a shaded band for differences smaller than
the MCID. Certainty of evidence is shown by marker shape plus a text label (not colour alone).

The chart is a hand-built inline SVG in an ``HTML`` widget (no plotting library: kernel memory
and install size are targets; a redraw is a string). A table with the same numbers follows the
chart for screen-reader users.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as w
from traitlets import TraitError, Unicode, validate

from widgets import _svg
from widgets._base import CourseWidget
from widgets._ui import esc, fmt, shows_errors
from widgets.evidence import (
    ACUTE_POPULATIONS,
    CATEGORY_LABELS,
    CHRONIC_POPULATIONS,
    Estimate,
    EvidenceBase,
    Treatment,
    evidence,
)
from widgets.slider import stances_table

POPULATIONS = {"all": "All", "acute": "Acute (recent) pain", "chronic": "Subacute and chronic pain"}
WIDTH, LABEL_W, PLOT_L, PLOT_R, ROW_H = 860, 330, 340, 640, 34
# Phones get their own drawing, 1:1 at about 360 px: each estimate on four lines (name, where,
# interval, numbers) so its text is as large as the page's small text instead of shrunk to 5 px.
NARROW_W, NARROW_L, NARROW_R, NARROW_ROW = 340, 8, 330, 70

Row = tuple[Treatment, Estimate]


def population_matches(est: Estimate, population: str) -> bool:
    """Whether the estimate's population falls under the filter 'all', 'acute' or 'chronic'."""
    if population == "acute":
        return est.population in ACUTE_POPULATIONS
    if population == "chronic":
        return est.population in CHRONIC_POPULATIONS
    return True


def _short(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


class EvidenceExplorer(CourseWidget):
    """All treatments' estimates in one forest plot, with population/category filters and details."""

    population = Unicode("all", help="population filter: all, acute or chronic").tag(sync=True)
    category = Unicode("all", help="category filter: all or a category id").tag(sync=True)
    treatment_id = Unicode("", help="treatment shown in the detail pane").tag(sync=True)

    def __init__(
        self, *, category: str = "all", population: str = "all", ev: EvidenceBase | None = None
    ) -> None:
        """``category`` and ``population`` preset the filters (e.g. ``category="passive"``)."""
        self.ev = ev or evidence()
        self._prepare()
        self.population_filter = w.Dropdown(
            options=[(label, key) for key, label in POPULATIONS.items()], value="all",
            description="Population", style={"description_width": "initial"},
        )
        self.population_filter.add_class("lbp-explorer-filter-population")
        self.category_filter = w.Dropdown(
            options=[("All categories", "all")] + [(label, key) for key, label in CATEGORY_LABELS.items()],
            value="all", description="Category", style={"description_width": "initial"},
        )
        self.category_filter.add_class("lbp-explorer-filter-category")
        names = sorted((t.name, t.id) for t in self.ev.treatments.values())
        first = names[0][1] if names else ""
        self.treatment_picker = w.Dropdown(
            options=names, value=first or None, description="Details for",
            style={"description_width": "initial"},
        )
        self.treatment_picker.add_class("lbp-explorer-treatment")
        self.chart = w.HTML()
        self.chart.add_class("lbp-explorer-chart")
        self.detail = w.HTML()
        self.detail.add_class("lbp-explorer-detail")
        super().__init__(
            [w.HBox([self.population_filter, self.category_filter]), self.chart, self.treatment_picker,
             self.detail],
            treatment_id=first,
        )
        self.add_class("lbp-explorer")
        w.link((self.population_filter, "value"), (self, "population"))
        w.link((self.category_filter, "value"), (self, "category"))
        w.link((self.treatment_picker, "value"), (self, "treatment_id"))
        self.observe(self._redraw, names=["population", "category"])
        self.observe(self._show_detail, names=["treatment_id"])
        self.category, self.population = category, population
        if category != "all":
            in_category = [t for t in self.ev.treatments.values() if t.category == category]
            self.treatment_id = sorted(in_category, key=lambda t: t.name)[0].id
        self._redraw()
        self._show_detail()

    @validate("population")
    def _check_population(self, proposal: Any) -> str:
        if proposal["value"] not in POPULATIONS:
            raise TraitError(f"unknown population {proposal['value']!r}; use one of {', '.join(POPULATIONS)}")
        return str(proposal["value"])

    @validate("category")
    def _check_category(self, proposal: Any) -> str:
        if proposal["value"] != "all" and proposal["value"] not in CATEGORY_LABELS:
            known = ", ".join(["all", *CATEGORY_LABELS])
            raise TraitError(f"unknown category {proposal['value']!r}; use one of {known}")
        return str(proposal["value"])

    @validate("treatment_id")
    def _check_treatment(self, proposal: Any) -> str:
        try:
            self.ev.treatment(proposal["value"])
        except KeyError as err:
            raise TraitError(err.args[0]) from None
        return str(proposal["value"])

    # -- data ------------------------------------------------------------------------------
    def rows(self) -> list[Row]:
        """(treatment, estimate) pairs that pass the filters, in treatment-name order."""
        found = []
        for t in sorted(self.ev.treatments.values(), key=lambda t: t.name):
            if self.category not in ("all", t.category):
                continue
            found += [(t, e) for e in t.estimates if population_matches(e, self.population)]
        return found

    def panels(self) -> list[tuple[str, list[Row]]]:
        """Rows grouped by scale, in the order the scales are listed in reference.yaml."""
        rows = self.rows()
        order = [s.id for s in self.ev.reference.scales]
        return [(sid, [r for r in rows if r[1].scale == sid]) for sid in order
                if any(r[1].scale == sid for r in rows)]

    # -- drawing ---------------------------------------------------------------------------
    @shows_errors
    def _redraw(self, _change: Any = None) -> None:
        self.chart.value = self.chart_html()

    def chart_html(self) -> str:
        """The filtered estimates: legend, one forest-plot panel per scale, and the numbers as a table."""
        panels = self.panels()
        if not panels:
            return "<p role='status'>No estimates match these filters. Choose “All” to see more.</p>"
        svgs = "".join(f"<div class='lbp-chart-wide'>{self._panel_svg(scale_id, rows)}</div>"
                       f"<div class='lbp-chart-narrow'>{self._narrow_svg(scale_id, rows)}</div>"
                       for scale_id, rows in panels)
        count = sum(len(rows) for _sid, rows in panels)
        what = f"{count} estimate{'s' * (count != 1)} in {len(panels)} panel{'s' * (len(panels) != 1)}"
        return (f"<div role='status' aria-live='polite'>Showing {what} (one per scale). "
                f"Benefit is to the right.</div>{self._legend()}{svgs}"
                f"{self._table(panels)}")

    def _legend(self) -> str:
        # An HTML list, not one SVG: eight entries must wrap on a phone instead of running off the chart.
        items = "".join(
            f"<li><svg aria-hidden='true' class='lbp-legend-mark' width='16' height='16' viewBox='0 0 16 16'>"
            f"{_svg.marker(shape, 8, 8, r=5)}</svg> {esc(shape)}: {esc(certainty)}</li>"
            for certainty, shape in _svg.CERTAINTY_SHAPES.items()
        )
        return ("<p>Each marker's shape shows how sure the evidence is:</p>"
                f"<ul class='lbp-legend'>{items}</ul>")

    def _frame(
        self, scale_id: str, rows: list[Row], left: float, right: float, top: float, bottom: float
    ) -> tuple[_svg.Axis, str, list[str]]:
        """A panel's axis, the words about its MCID band, and its band and no-effect line."""
        scale = self.ev.scale(scale_id)
        mcid = self.ev.mcid_for(scale_id)
        is_ratio = scale.unit == "ratio"
        no_effect = 1.0 if is_ratio else 0.0
        values = [v for _t, e in rows for v in e.benefit]
        if mcid:
            values += [mcid.threshold, -mcid.threshold]
        lo, hi = _svg.padded_range(values, (no_effect, no_effect), log=is_ratio)
        axis = _svg.Axis(lo, hi, left, right, log=is_ratio)
        mcid_text = (f"shaded band: smaller than the MCID of {fmt(mcid.threshold)} {scale.unit}" if mcid
                     else "no agreed MCID for this scale, so no band")
        parts = []
        if mcid:
            x1, x2 = axis.x(-mcid.threshold), axis.x(mcid.threshold)
            parts.append(_svg.rect(x1, top, x2 - x1, bottom - top, fill=_svg.BAND))
        x0 = axis.x(no_effect)
        parts.append(_svg.line(x0, top, x0, bottom, stroke=_svg.GREY, dash="2,2"))
        return axis, mcid_text, parts

    def _narrow_svg(self, scale_id: str, rows: list[Row]) -> str:
        """The same panel for a phone: every label on its own line, full-width intervals."""
        scale = self.ev.scale(scale_id)
        top = 48
        bottom = top + NARROW_ROW * len(rows)
        height = bottom + 44
        axis, mcid_text, frame = self._frame(scale_id, rows, NARROW_L, NARROW_R, top, bottom)
        parts = [_svg.text(0, 16, _short(scale.label, 40), size=14, weight="bold"),
                 _svg.text(0, 34, _short(mcid_text[0].upper() + mcid_text[1:] + ".", 48), size=12,
                           fill=_svg.GREY), *frame]
        for i, (t, e) in enumerate(rows):
            y = top + NARROW_ROW * i
            b, low, high = e.benefit
            where = f"vs {e.comparison}; {e.population}; {e.time_point}"
            parts.append(
                f"<g><title>{esc(f'{t.name}, {e.outcome}, {where}')}</title>"
                + _svg.text(0, y + 15, _short(f"{t.name}: {e.outcome}", 38), size=13, weight="bold")
                + _svg.text(0, y + 31, _short(where, 44), size=12, fill=_svg.GREY)
                + _svg.line(axis.x(low), y + 42, axis.x(high), y + 42, width=2)
                + _svg.marker(_svg.CERTAINTY_SHAPES[e.certainty], axis.x(b), y + 42)
                + _svg.text(0, y + 64, f"{fmt(b)} ({fmt(low)} to {fmt(high)}), {e.certainty}", size=12)
                + "</g>"
            )
        parts.append(_svg.axis_ticks(axis, bottom + 4, size=12))
        parts.append(_svg.text(NARROW_R, height - 2, "more benefit →", anchor="end", size=12, fill=_svg.GREY))
        return _svg.chart(NARROW_W, height, f"{scale.label}. {len(rows)} estimates; {mcid_text}.",
                          "".join(parts))

    def _panel_svg(self, scale_id: str, rows: list[Row]) -> str:
        scale = self.ev.scale(scale_id)
        top = 40
        height = top + ROW_H * len(rows) + 42  # tick labels, then the direction on its own line
        axis, mcid_text, frame = self._frame(scale_id, rows, PLOT_L, PLOT_R, top, top + ROW_H * len(rows))
        title = f"{scale.label}. {len(rows)} estimates; {mcid_text}."
        parts = [_svg.text(0, 16, scale.label, size=13, weight="bold"),
                 _svg.text(0, 32, mcid_text[0].upper() + mcid_text[1:] + ".", size=11, fill=_svg.GREY),
                 *frame]
        for i, (t, e) in enumerate(rows):
            y = top + ROW_H * i + ROW_H / 2
            b, low, high = e.benefit
            where = f"vs {e.comparison}; {e.population}; {e.time_point}"
            summary = (f"{t.name}, {e.outcome}, {where}: {fmt(b)} (95% CI {fmt(low)} to {fmt(high)}), "
                       f"{e.certainty_text}")
            parts.append(
                f"<g><title>{esc(summary)}</title>"
                + _svg.text(0, y - 2, f"{t.name}: {e.outcome}", size=12, weight="bold")
                + _svg.text(0, y + 11, _short(where, 52), size=10, fill=_svg.GREY)
                + _svg.line(axis.x(low), y, axis.x(high), y, width=2)
                + _svg.marker(_svg.CERTAINTY_SHAPES[e.certainty], axis.x(b), y)
                + _svg.text(PLOT_R + 10, y + 4, f"{fmt(b)} ({fmt(low)} to {fmt(high)}), {e.certainty}",
                            size=11)
                + "</g>"
            )
        parts.append(_svg.axis_ticks(axis, top + ROW_H * len(rows) + 4))
        parts.append(_svg.text(PLOT_R, height - 2, "more benefit →", anchor="end", size=10, fill=_svg.GREY))
        return _svg.chart(WIDTH, height, title, "".join(parts))

    def _table(self, panels: list[tuple[str, list[Row]]]) -> str:
        body = []
        for scale_id, rows in panels:
            label = self.ev.scale(scale_id).label
            for t, e in rows:
                b, low, high = e.benefit
                body.append(
                    f"<tr><td>{esc(t.name)}</td><td>{esc(e.outcome)}</td><td>{esc(e.comparison)}</td>"
                    f"<td>{esc(e.population)}</td><td>{esc(e.time_point)}</td><td>{esc(label)}</td>"
                    f"<td>{fmt(b)} ({fmt(low)} to {fmt(high)})</td><td>{esc(e.certainty_text)}</td></tr>"
                )
        head = "".join(f"<th scope='col'>{h}</th>" for h in (
            "Treatment", "Outcome", "Compared with", "Population", "When", "Scale",
            "Benefit (95% CI), larger = more benefit", "Certainty"))
        return (f"<details><summary>The same numbers as a table</summary><table class='lbp-explorer-table'>"
                f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></details>")

    @shows_errors
    def _show_detail(self, _change: Any = None) -> None:
        self.detail.value = self.detail_html(self.treatment_id) if self.treatment_id else ""

    def detail_html(self, treatment_id: str) -> str:
        """What the detail pane shows for one treatment."""
        t = self.ev.treatment(treatment_id)
        parts = [
            f"<h4>{esc(t.name)} <small>({esc(CATEGORY_LABELS[t.category])})</small></h4>",
            f"<p><strong>What it is:</strong> {esc(t.what_it_is)}</p>",
            f"<p><strong>In short:</strong> {esc(t.patient_summary)}</p>",
            stances_table(t),
            f"<p><strong>Harms:</strong> {esc(t.harms.summary)}</p>",
        ]
        if t.not_found:
            parts.append("<p><strong>Looked for and not found:</strong></p><ul>"
                         + "".join(f"<li>{esc(x)}</li>" for x in t.not_found) + "</ul>")
        sources = "".join(
            f"<li><a href='{esc(s.link)}' target='_blank' rel='noopener'>{esc(s.citation())}</a></li>"
            for s in self.ev.sources_of(t)
        )
        parts.append(f"<p><strong>Sources:</strong></p><ol>{sources}</ol>")
        return "".join(parts)
