"""Pure rendering helpers for the lessons: evidence data in, IPython display objects out.

Each helper is called in one line from a lesson cell and returns a ``Markdown`` (or ``HTML``)
object built only from the evidence data and the course manifest, so that no lesson retypes a
number. Nothing here has side effects or keeps state.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path

from IPython.display import HTML, Markdown

from widgets import _citations
from widgets._ui import fmt
from widgets.course import course
from widgets.evidence import (
    CATEGORY_LABELS,
    URGENCY_HEADINGS,
    URGENCY_ORDER,
    Estimate,
    Source,
    Treatment,
    evidence,
)

ILLUSTRATIONS = Path(__file__).parent / "data" / "illustrations"

FAVOURABLE = ("recommend", "consider", "only alongside exercise")
UNFAVOURABLE = ("do not offer", "not routinely")
ESCALATE = (
    "If you are worried, or your pain is severe or getting worse, contact a doctor. "
    "999, A&E and NHS 111 are the UK's names: elsewhere, call your local emergency number or go "
    "to the nearest emergency department, and use your local health advice line."
)


def short_cite(source_id: str) -> str:
    """'Furlan 2015'-style label of a source, from its ``short`` field; the page now cites it."""
    citation = evidence().sources[source_id].short_citation
    _citations.note([source_id])
    return citation


def _cell(text: str) -> str:
    """Text made safe for one Markdown table cell."""
    return " ".join(text.split()).replace("|", "\\|")


def _table(header: list[str], rows: Iterable[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _population(est: Estimate) -> str:
    return est.population.replace("-", " or ")


def effect_text(est: Estimate) -> str:
    """'SMD −0.37 (95% CI −0.62 to −0.13)' for one estimate."""
    unit = evidence().scale(est.scale).unit
    unit_text = "" if unit in ("SD", "ratio") else f" {unit}"
    return (
        f"{est.measure} {fmt(est.estimate)}{unit_text} "
        f"(95% CI {fmt(est.ci_low)} to {fmt(est.ci_high)})"
    )


def direction_text(est: Estimate) -> str:
    """Which way of the scale means that the treatment did better."""
    return {
        "negative": "lower favours the treatment",
        "positive": "higher favours the treatment",
        "below one": "below 1 favours the treatment",
        "above one": "above 1 favours the treatment",
    }[est.favours_treatment_when]


def verdict(est: Estimate) -> str:
    """Plain reading of an estimate: is it clear of 'no difference', and does it reach the MCID?"""
    if est.is_ratio:
        better = est.favours_treatment_when == "below one"
        lo, hi = est.ci_low, est.ci_high
        if (hi < 1 and better) or (lo > 1 and not better):
            return "Clear benefit: the whole interval lies on the side that favours the treatment."
        if (lo > 1 and better) or (hi < 1 and not better):
            return "Clear harm: the whole interval lies on the side that favours the comparison."
        return "Unclear: the interval includes no difference (1)."
    value, low, high = est.benefit
    if low > 0:
        clear = "Clear benefit over the comparison"
    elif high < 0:
        clear = "The comparison did better"
    else:
        clear = "Unclear: the interval includes no difference"
    mcid = evidence().mcid_for(est.scale)
    if mcid is None:
        return f"{clear}. No agreed MCID on this scale."
    t = mcid.threshold
    where = f"MCID {fmt(t)} {evidence().scale(est.scale).unit} ({short_cite(mcid.source)})"
    if low >= t:
        size = f"the whole interval reaches the {where}"
    elif value >= t:
        size = f"the estimate reaches the {where}, but the interval includes smaller effects"
    elif high >= t:
        size = f"the estimate is below the {where}; the interval includes it"
    else:
        size = f"the whole interval is below the {where}"
    return f"{clear}; {size}."


def estimate(treatment_id: str, estimate_id: str) -> Markdown:
    """One estimate in a sentence: comparison, effect with CI, certainty, source and its reading."""
    t = evidence().treatment(treatment_id)
    est = next((e for e in t.estimates if e.id == estimate_id), None)
    if est is None:
        known = ", ".join(e.id for e in t.estimates) or "none"
        raise KeyError(f"treatment {treatment_id!r} has no estimate {estimate_id!r}; known: {known}")
    return Markdown(
        f"**{est.outcome.capitalize()}, {_population(est)}, vs {est.comparison}:** {effect_text(est)}, "
        f"{direction_text(est)}; {evidence().scale(est.scale).label}; {est.certainty_text} "
        f"({short_cite(est.source)}). {verdict(est)}"
    )


def _treatment(treatment_id: str) -> Treatment:
    return evidence().treatment(treatment_id)


def about(treatment_id: str) -> Markdown:
    """What the treatment is and how it is claimed to work."""
    t = _treatment(treatment_id)
    return Markdown(
        f"**What it is.** {t.what_it_is}\n\n**How it is claimed to work.** {t.claimed_mechanism}"
    )


def patient_summary(treatment_id: str) -> Markdown:
    """The treatment's plain-language summary, as a short block for patients."""
    t = _treatment(treatment_id)
    return Markdown(f"**{t.name}, in plain words.** {t.patient_summary}")


def evidence_summary(treatment_id: str) -> Markdown:
    """Every effect estimate of a treatment: comparison, effect with CI, scale, certainty, source."""
    t = _treatment(treatment_id)
    parts = [] if t.estimates else ["**No effect estimate with a confidence interval was found** "
                                     "in the course's sources."]
    if t.estimates:
        rows = []
        for est in t.estimates:
            size = ", ".join(
                f"{n} {one if n == 1 else many}"
                for n, one, many in (
                    (est.studies, "study", "studies"), (est.participants, "person", "people")
                )
                if n is not None
            )
            rows.append([
                f"{est.outcome}, {_population(est)}, {est.time_point}",
                est.comparison,
                f"{effect_text(est)}; {direction_text(est)}",
                evidence().scale(est.scale).label,
                est.certainty_text,
                size or "not reported",
                short_cite(est.source),
            ])
        parts.append(_table(
            ["Outcome, people, time", "Compared with", "Effect (95% CI)", "Scale", "Certainty",
             "Evidence", "Source"],
            rows,
        ))
        parts.append("**How to read it:**\n\n" + "\n".join(
            f"- {est.outcome.capitalize()}, {_population(est)}, {est.time_point}, vs {est.comparison}: "
            f"{verdict(est)}"
            + (f" {est.note}" if est.note else "") for est in t.estimates))
    if t.not_found:
        parts.append("**Looked for and not found:**\n\n" + "\n".join(f"- {item}" for item in t.not_found))
    return Markdown("\n\n".join(parts))


def stances_table(treatment_id: str) -> Markdown:
    """Every guideline stance on a treatment, and a sentence on where they agree or disagree."""
    t = _treatment(treatment_id)
    rows = [[f"{s.body} {s.year}", s.stance, s.wording, s.population, short_cite(s.source)]
            for s in t.stances]
    table = _table(["Guideline", "Stance", "What it says", "For whom", "Source"], rows)
    return Markdown(f"{table}\n\n{agreement(treatment_id)}")


def agreement(treatment_id: str) -> str:
    """One sentence: do the guidelines agree on this treatment, or where do they split?"""
    t = _treatment(treatment_id)
    stated = [s for s in t.stances if s.stance not in ("not addressed", "not found")]
    pro = list(dict.fromkeys(f"{s.body} {s.year}" for s in stated if s.stance in FAVOURABLE))
    con = list(dict.fromkeys(f"{s.body} {s.year}" for s in stated if s.stance in UNFAVOURABLE))
    spoke = {f"{s.body} {s.year}" for s in stated}
    silent = list(dict.fromkeys(  # a body with a statement on one part is not 'silent'
        f"{s.body} {s.year}" for s in t.stances
        if s.stance in ("not addressed", "not found") and f"{s.body} {s.year}" not in spoke
    ))
    if not stated:
        text = "**No guideline statement was found** on this treatment."
    elif pro and con:
        text = (f"**Guidelines disagree.** For use: {', '.join(pro)}. "
                f"Against routine use: {', '.join(con)}.")
    elif len(pro) == 1 and not con:
        text = f"**Only {pro[0]} makes a statement:** for use."
    elif pro:
        kinds = sorted({s.stance for s in stated if s.stance in FAVOURABLE})
        text = ("**Guidelines lean the same way** (for use)"
                + (f", but with different strength: {', '.join(kinds)}." if len(kinds) > 1 else "."))
    elif con:
        text = "**Guidelines agree:** not for routine use."
    else:
        text = "**Guidelines found too little evidence** to advise either way."
    if silent:
        text += f" No statement found from: {', '.join(silent)}."
    return text


def harms(treatment_id: str) -> Markdown:
    """What is known about the treatment's side effects, with sources."""
    t = _treatment(treatment_id)
    cites = "; ".join(short_cite(s) for s in t.harms.sources)
    return Markdown(f"**Harms and side effects.** {t.harms.summary}" + (f" ({cites})" if cites else ""))


def _reference_line(src: Source) -> str:
    where = f"[doi:{src.doi}]({src.link})" if src.doi else f"<{src.url}>"
    return f"{src.authors} ({src.year_label}). {src.title}. *{src.journal}*. {where}"


def references(
    *treatment_ids: str,
    extra: Iterable[str] = (),
    facts: Iterable[str] = (),
    red_flags: bool = False,
    natural_history: bool = False,
    mcids: bool = False,
    startback: bool = False,
) -> Markdown:
    """Full citations, alphabetical, each source once.

    They cover every source the page has cited so far (in text and in its widgets), the given
    treatments and facts, the chosen reference sections (red flags, natural history, MCIDs,
    STarT Back) and the ``extra`` source ids.
    """
    ev = evidence()
    ref = ev.reference
    ids: list[str] = _citations.cited()
    for treatment_id in treatment_ids:
        ids += [s.id for s in ev.sources_of(_treatment(treatment_id))]
    known_facts = {f.id: f for f in ref.facts}
    for fact_id in facts:
        if fact_id not in known_facts:
            raise KeyError(f"unknown fact id {fact_id!r}")
        ids.append(known_facts[fact_id].source)
    if red_flags:
        ids += [source_id for f in ref.red_flags for source_id in f.sources]
    if natural_history:
        ids.append(ref.natural_history_source)
    if mcids:
        ids += [m.source for m in ref.mcids]
    if startback:
        ids += ref.startback.sources
    ids += list(extra)
    unknown = [i for i in ids if i not in ev.sources]
    if unknown:
        raise KeyError(f"unknown source id(s): {', '.join(unknown)}")
    ordered = sorted(dict.fromkeys(ids),
                     key=lambda i: (ev.sources[i].authors.lower(), ev.sources[i].year or 0))
    lines = [f"{n}. {_reference_line(ev.sources[i])}" for n, i in enumerate(ordered, 1)]
    return Markdown("### References\n\n" + "\n".join(lines))


def all_references() -> Markdown:
    """Every source of every treatment, and of the guideline list, in the evidence base."""
    ev = evidence()
    return references(*ev.treatments, extra=[r.source for r in ev.guidelines.recommendations])


def red_flags() -> Markdown:
    """The red flags in urgency groups, the emergency group first.

    Each group's heading says how fast to act and its first line says what to do; a sign whose
    own action adds something (such as "tell them you have had cancer") shows it too.
    """
    flags = evidence().reference.red_flags
    parts = ["### Red flags: signs that need help fast",
             "Back pain is rarely caused by something serious. But if you have any of these signs, "
             "get help as fast as the heading says."]
    for urgency in URGENCY_ORDER:
        group = [f for f in flags if f.urgency == urgency]
        if not group:
            continue
        actions = [" ".join(f.action.split()) for f in group]
        usual = max(dict.fromkeys(actions), key=actions.count)
        items = "\n".join(
            f"- **{_cell(f.sign)}** {_cell(f.possible_cause)}"
            + (f" *What to do:* {action}" if action != usual else "")
            + f" ({'; '.join(short_cite(s) for s in f.sources)})"
            for f, action in zip(group, actions, strict=True)
        )
        parts.append(f"#### {URGENCY_HEADINGS[urgency]}\n\n**What to do:** {usual}\n\n{items}")
    parts.append(ESCALATE)
    return Markdown("\n\n".join(parts))


GUIDELINE_KINDS = {
    "assessment": "Assessment", "self-care": "Self-care and advice",
    "non-drug treatment": "Other physical and psychological treatments", "medicine": "Medicines",
}


def guidelines_beyond_pages(kind: str | None = None) -> Markdown:
    """What NICE, ACP and WHO say on the steps and medicines without a treatment page of their own.

    One list per kind (or only ``kind``), one item per topic with each guideline's statement under
    it, so that the guidelines on one topic sit side by side and the list reads on a phone.
    """
    recs = evidence().guidelines.recommendations
    kinds = [kind] if kind is not None else list(GUIDELINE_KINDS)
    parts = []
    for k in kinds:
        topics: dict[str, list[str]] = {}
        for r in sorted((r for r in recs if r.kind == k), key=lambda r: (r.topic.lower(), r.body)):
            topics.setdefault(r.topic, []).append(
                f"    - **{r.body} {r.year}: {r.stance}.** {_cell(r.wording)} "
                f"*For whom:* {_cell(r.population)}. ({short_cite(r.source)})"
            )
        items = "\n".join(f"- **{topic}**\n" + "\n".join(lines) for topic, lines in topics.items())
        parts.append(items if kind is not None else f"#### {GUIDELINE_KINDS[k]}\n\n{items}")
    return Markdown("\n\n".join(parts))


def guideline_disagreements() -> Markdown:
    """Where the guidelines part ways on what the treatment pages do not cover (medicines mostly)."""
    g = evidence().guidelines
    by_id = {r.id: r for r in g.recommendations}
    lines = [
        f"- **{d.topic}.** {d.summary} "
        f"({'; '.join(dict.fromkeys(short_cite(by_id[i].source) for i in d.recommendations))})"
        for d in g.disagreements
    ]
    return Markdown("\n".join(lines))


def natural_history() -> Markdown:
    """Mean pain over the first year after onset, for acute and persistent cohorts."""
    ref = evidence().reference
    weeks = sorted({p.weeks for p in ref.natural_history})
    cohorts = list(dict.fromkeys(p.cohort for p in ref.natural_history))
    points = {(p.cohort, p.weeks): p for p in ref.natural_history}
    rows = []
    for cohort in cohorts:
        row = [cohort]
        for w in weeks:
            p = points.get((cohort, w))
            row.append(f"{fmt(p.mean_pain)} ({fmt(p.ci_low)} to {fmt(p.ci_high)})" if p else "")
        rows.append(row)
    header = ["Group"] + [f"week {fmt(w)}" if w else "start" for w in weeks]
    table = _table(header, rows)
    return Markdown(
        "#### How back pain usually changes over a year\n\n"
        f"Mean pain on a 0 to 100 scale (95% CI), by time since onset.\n\n{table}\n\n"
        f"Source: {short_cite(ref.natural_history_source)}."
    )


def fact(*fact_ids: str) -> Markdown:
    """Sourced statements from the evidence base: one as a paragraph, several as a list."""
    facts = {f.id: f for f in evidence().reference.facts}
    unknown = [i for i in fact_ids if i not in facts]
    if unknown or not fact_ids:
        raise KeyError(f"unknown fact id(s) {unknown}; known ids: {', '.join(sorted(facts))}")
    lines = [f"{facts[i].text} ({short_cite(facts[i].source)})" for i in fact_ids]
    if len(lines) == 1:
        return Markdown(lines[0])
    return Markdown("\n".join(f"- {line}" for line in lines))


def mcids() -> Markdown:
    """The minimal clinically important differences the course uses, and why.

    Each in points on its scale, and as the same source's relative threshold where it gives one.
    """
    ev = evidence()
    rows = [[ev.scale(m.scale).label, f"{fmt(m.threshold)} {ev.scale(m.scale).unit}",
             f"{fmt(m.relative_threshold_percent)}% of the starting score"
             if m.relative_threshold_percent else "none given",
             short_cite(m.source), m.note] for m in ev.reference.mcids]
    table = _table(["Scale", "Smallest change that matters", "Or, as a share", "Source", "Note"], rows)
    return Markdown(f"#### Minimal clinically important differences (MCIDs)\n\n{table}\n\n"
                    f"{ev.reference.course_mcid_note}")


def startback_rules() -> Markdown:
    """The STarT Back scoring rules as the course uses them."""
    sb = evidence().reference.startback
    items = "\n".join(f"{i.number}. {i.topic}" + (" (distress subscale)" if i.subscale else "")
                      for i in sb.items)
    rules = (
        f"- **Low risk:** total score {sb.low_max_total} or less.\n"
        f"- **High risk:** distress subscale score {sb.high_min_subscale} or more.\n"
        f"- **Medium risk:** everyone else (total above {sb.low_max_total}, "
        f"subscale below {sb.high_min_subscale}).\n"
        f"- Item 9 counts only for the answers: {', '.join(sb.item9_positive_answers)}."
    )
    cites = "; ".join(short_cite(s) for s in sb.sources)
    return Markdown(f"#### STarT Back tool: items and scoring\n\n{items}\n\n{rules}\n\n{sb.note} ({cites})")


def treatments_overview(category: str | None = None) -> Markdown:
    """One row per treatment (optionally one category): name, headline effect, stances in brief."""
    ev = evidence()
    rows = []
    for t in ev.treatments.values():
        if category is not None and t.category != category:
            continue
        head = t.headline
        effect = (f"{effect_text(head)} vs {head.comparison}; {head.certainty_text}"
                  + ("; the comparison is a sham or placebo" if head.compared_with_sham else "")
                  if head else "no pooled estimate found")
        stances = "; ".join(f"{s.body}: {s.stance}" for s in t.stances)
        rows.append([t.name, CATEGORY_LABELS[t.category], effect, stances])
    return Markdown(_table(["Treatment", "Group", "Headline effect (95% CI)", "Guidelines"], rows))


def lesson_map() -> Markdown:
    """The course map: every lesson with its link and summary, from the manifest."""
    c = course()
    lines = [
        f"{'    ' if x.is_subpage else ''}- [{x.title}]({x.file}): {x.summary}" for x in c.lessons
    ]
    return Markdown(f"#### {c.title}\n\n" + "\n".join(lines))


def nav(file: str) -> Markdown:
    """The navigation line of a lesson (previous, course home, next), from the manifest."""
    return Markdown(course().nav_markdown(file))


@cache
def _svg(name: str) -> str:
    path = ILLUSTRATIONS / f"{name}.svg"
    if not path.exists():
        known = ", ".join(sorted(p.stem for p in ILLUSTRATIONS.glob("*.svg")))
        raise KeyError(f"unknown illustration {name!r}; known: {known}")
    return path.read_text(encoding="utf-8")


def illustration(name: str, caption: str) -> HTML:
    """An original SVG drawing from ``widgets/data/illustrations`` with a visible caption."""
    return HTML(f'<figure class="lbp-figure">{_svg(name)}'
                f"<figcaption><em>{caption}</em></figcaption></figure>")
