"""Item analysis for instructors: how each graded question worked, from the gradebook and answers files.

Written by ``instructor.py export`` into export/:

- items.csv: one row per student and graded cell (straight from nbgrader's gradebook);
- items-summary.csv: per question the mean, full marks, zeros and the corrected item-total
  discrimination;
- item-options.csv: for choice items, how many students chose each option, read from the
  collected answers files (submitted/<student>/<assignment>/answers.json);
- items-by-concept.csv: per Informed Health Choices Key Concept (and per marker, ``content`` or
  ``uncoded``), the graded cells tagged with it in concepts.yaml, the mean share of the points
  across them and the number of submissions (see :func:`concept_rows`);
- item-report.html: all of it as one self-contained page with small inline SVG bars.

Corrected item-total discrimination: per assignment, the Pearson correlation between a student's
score on the item and the same student's total on the assignment minus that item. It is undefined
(empty in the CSV, "undefined" with the reason in the report; never 0) when fewer than 3 students
submitted, or when the item scores or the rest totals are all equal (a correlation divides by their
spread). Ungraded manual cells count as 0 until graded, as in nbgrader.

Option labels come from the question bank (ids and option texts only: the right answers are not
read, they may move to the instructor's side) and from the case file (factor texts). Which graded
cell scores which answer is read from the cell's hidden test (``quiz_points("bank", "question")``,
``factor_points("case", ...)``, ``yellow_flag_points("case", ...)``) in source/<assignment>/.
"""

from __future__ import annotations

import csv
import html
import json
import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from widgets._yaml import load_yaml
from widgets.answers import ANSWERS_FILE, AnswersError, load_answers
from widgets.concepts import MARKERS, Vocabulary, load_cell_concepts, vocabulary
from widgets.grading import key_in
from widgets.questions import QUESTIONS_DIR

ITEM_FIELDS = [
    "assignment", "notebook", "question", "student", "score", "max_score", "auto_score",
    "manual_score", "needs_manual_grade",
]
SUMMARY_FIELDS = ["assignment", "notebook", "question", "max_score", "submissions", "mean_score",
                  "mean_fraction", "full_marks", "zero", "needs_manual_grade", "discrimination",
                  "discrimination_note"]
OPTION_FIELDS = ["assignment", "question", "part", "part_text", "option", "option_text", "chosen",
                 "answered", "submissions"]
CONCEPT_FIELDS = ["concept", "group", "label", "questions", "items", "submissions", "responses",
                  "mean_fraction"]
CONCEPTS_FILE = "concepts.yaml"  # in the course folder, beside this module
MIN_STUDENTS = 3
DOMAINS = ["biological", "psychological", "social"]


# --- scores, from the gradebook -----------------------------------------------------------------

def item_rows(db_url: str) -> list[dict[str, object]]:
    """One row per student and graded cell (question), straight from the gradebook."""
    from nbgrader.api import Gradebook

    rows: list[dict[str, object]] = []
    with Gradebook(db_url) as gb:
        for assignment in gb.assignments:
            for submission in gb.assignment_submissions(assignment.name):
                for notebook in submission.notebooks:
                    for grade in sorted(notebook.grades, key=lambda g: g.name):
                        rows.append({
                            "assignment": assignment.name,
                            "notebook": notebook.name,
                            "question": grade.name,
                            "student": submission.student.id,
                            "score": grade.score,
                            "max_score": grade.max_score,
                            "auto_score": grade.auto_score,
                            "manual_score": grade.manual_score,
                            "needs_manual_grade": grade.needs_manual_grade,
                        })
    return rows


def discrimination(item: list[float], rest: list[float]) -> tuple[float | None, str]:
    """Pearson r (3 decimals) of item scores against rest totals, or (None, why it is undefined)."""
    if len(item) < MIN_STUDENTS:
        return None, f"undefined: fewer than {MIN_STUDENTS} submissions"
    if len(set(item)) < 2:
        return None, "undefined: every student scored the same on this item"
    if len(set(rest)) < 2:
        return None, "undefined: every student scored the same on the rest of the assignment"
    # Rounded before the sign is read: a true 0 computes as -2e-17 and must not be flagged.
    r = round(statistics.correlation(item, rest), 3) + 0.0  # + 0.0 turns -0.0 into 0.0
    return r, "negative: check this item" if r < 0 else ""


def item_summary(rows: list[dict[str, object]]) -> list[dict[str, object]]:
    """Per question: mean, full marks, zeros and corrected item-total discrimination."""
    groups: dict[tuple[str, str, str], dict[str, float]] = {}
    max_scores: dict[tuple[str, str, str], float] = {}
    ungraded: dict[tuple[str, str, str], int] = {}
    totals: dict[tuple[str, str], float] = {}
    for row in rows:
        key = (str(row["assignment"]), str(row["notebook"]), str(row["question"]))
        score = float(row["score"] or 0)  # type: ignore[arg-type]
        groups.setdefault(key, {})[str(row["student"])] = score
        max_scores[key] = float(row["max_score"] or 0)  # type: ignore[arg-type]
        ungraded[key] = ungraded.get(key, 0) + bool(row["needs_manual_grade"])
        total_key = (key[0], str(row["student"]))
        totals[total_key] = totals.get(total_key, 0.0) + score
    summary: list[dict[str, object]] = []
    for key, by_student in sorted(groups.items()):
        assignment = key[0]
        students = sorted(by_student)
        scores = [by_student[s] for s in students]
        rest = [totals[(assignment, s)] - by_student[s] for s in students]
        r, note = discrimination(scores, rest)
        max_score = max_scores[key]
        mean = sum(scores) / len(scores)
        summary.append({
            "assignment": assignment, "notebook": key[1], "question": key[2],
            "max_score": max_score, "submissions": len(scores), "mean_score": round(mean, 3),
            "mean_fraction": round(mean / max_score, 3) if max_score else "",
            "full_marks": sum(1 for s in scores if s >= max_score),
            "zero": sum(1 for s in scores if s == 0),
            "needs_manual_grade": ungraded[key],
            "discrimination": "" if r is None else r,
            "discrimination_note": note,
        })
    return summary


# --- results per concept, from the gradebook and concepts.yaml ---------------------------------

def concept_rows(rows: list[dict[str, object]], tags: dict[str, dict[str, list[str]]],
                 vocab: Vocabulary | None = None) -> list[dict[str, object]]:
    """Per concept (and marker) that tags a graded cell: its cells and how the class did on them.

    ``rows`` are :func:`item_rows`; ``tags`` maps assignment -> graded cell -> concept codes (from
    concepts.yaml). For each code, in the vocabulary's order: ``questions`` (the tagged cells, as
    assignment/cell, ``; ``-separated), ``items`` (how many), ``responses`` (student-and-cell scores
    found in the gradebook), ``submissions`` (distinct students' submissions of an assignment with
    at least one of those scores) and ``mean_fraction``: the mean, over those responses, of score
    divided by the cell's points (3 decimals; empty without responses; a cell worth 0 points is
    left out). A response to a cell with two concepts counts for both.
    """
    vocab = vocab or vocabulary()
    cells_of: dict[str, list[tuple[str, str]]] = {}
    for assignment, cells in sorted(tags.items()):
        for cell, codes in sorted(cells.items()):
            for code in codes:
                cells_of.setdefault(code, []).append((assignment, cell))
    result: list[dict[str, object]] = []
    for code in vocab.codes():
        cells = cells_of.get(code)
        if not cells:
            continue
        mine = set(cells)
        fractions: list[float] = []
        submissions: set[tuple[str, str]] = set()
        for row in rows:
            key = (str(row["assignment"]), str(row["question"]))
            max_score = float(row["max_score"] or 0)  # type: ignore[arg-type]
            if key not in mine or not max_score:
                continue
            fractions.append(float(row["score"] or 0) / max_score)  # type: ignore[arg-type]
            submissions.add((key[0], str(row["student"])))
        result.append({
            "concept": code, "group": vocab.group_of(code), "label": vocab.label(code),
            "questions": "; ".join(f"{a}/{c}" for a, c in cells), "items": len(cells),
            "submissions": len(submissions), "responses": len(fractions),
            "mean_fraction": round(sum(fractions) / len(fractions), 3) if fractions else "",
        })
    return result


def untagged_cells(rows: list[dict[str, object]], tags: dict[str, dict[str, list[str]]]) -> list[str]:
    """The graded cells in the gradebook that concepts.yaml does not tag (assignment/cell)."""
    seen = {(str(r["assignment"]), str(r["question"])) for r in rows}
    return sorted(f"{a}/{c}" for a, c in seen if c not in tags.get(a, {}))


def read_tags(course: Path) -> dict[str, dict[str, list[str]]] | None:
    """The course's concepts.yaml (validated against the vocabulary), or None if it has none."""
    path = course / CONCEPTS_FILE
    return load_cell_concepts(path) if path.exists() else None


# --- options chosen, from the answers files -----------------------------------------------------

@dataclass
class Options:
    """How many students chose each option of one part of a choice item."""

    assignment: str
    question: str  # the graded cell
    part: str  # quiz question id, factor id, or "yellow_flags"
    part_text: str
    options: list[tuple[str, str]]  # (id, text)
    chosen: dict[str, int] = field(default_factory=dict)
    answered: int = 0
    submissions: int = 0


@dataclass
class OptionCounts:
    """Every counted part, plus the answers files that could not be read (named, not counted)."""

    parts: list[Options]
    unreadable: list[str]


def answer_sources(course: Path, assignment: str) -> dict[str, tuple[str, str, str]]:
    """Graded cell id -> (kind, bank or case id, question id), read from its hidden test."""
    sources: dict[str, tuple[str, str, str]] = {}
    for path in sorted((course / "source" / assignment).glob("*.ipynb")):
        for cell in json.loads(path.read_text(encoding="utf-8")).get("cells", []):
            meta = cell.get("metadata", {}).get("nbgrader", {})
            if not meta.get("grade"):
                continue
            key = key_in("".join(cell.get("source", "")))
            if key is None or key.get("kind") == "certainty":  # certainty-marked numbers: no options
                continue
            widget, _, rest = str(key.get("record", "")).partition("/")
            if widget == "quiz":
                bank_id, _, question_id = rest.partition("/")
                sources[meta["grade_id"]] = ("quiz", bank_id, question_id)
            elif widget == "factors":
                sources[meta["grade_id"]] = ("flags" if key.get("kind") == "yellow_flags" else "factors", rest, "")
    return sources


def bank_options(bank_id: str, folder: Path = QUESTIONS_DIR) -> dict[str, tuple[str, list[tuple[str, str]]]]:
    """Question id -> (kind, [(option id, option text)]) of a bank; ids and texts only."""
    path = folder / f"{bank_id}.yaml"
    data = load_yaml(path.read_text(encoding="utf-8")) or {}
    result = {}
    for question in data.get("questions", []):
        options = [(str(o["id"]), str(o.get("text", o["id"]))) for o in question.get("options") or []]
        result[str(question["id"])] = (str(question.get("kind", "")), options)
    return result


def _choice_parts(assignment: str, question: str, source: tuple[str, str, str]) -> list[Options]:
    """The empty counters of one graded cell; none for a cell that is not a choice item."""
    kind, ref, question_id = source
    if kind == "quiz":
        qkind, options = bank_options(ref).get(question_id, ("", []))
        if qkind not in ("single", "multiple") or not options:
            return []
        return [Options(assignment, question, question_id, "", options)]
    from widgets._cases import load_case

    factors = load_case(ref).factors
    if kind == "factors":
        return [Options(assignment, question, f.id, f.text, [(d, d) for d in DOMAINS]) for f in factors]
    return [Options(assignment, question, "yellow_flags", "marked as yellow flags",
                    [(f.id, f.text) for f in factors])]


def _picked(source: tuple[str, str, str], part: str, answers: dict[str, Any]) -> list[str] | None:
    """The option ids one student chose for one part, or None if they gave no answer."""
    kind, ref, question_id = source
    if kind == "quiz":
        record = answers.get(f"quiz/{ref}/{question_id}")
        value = record.get("answer") if isinstance(record, dict) else None
        if value is None or value == [] or value == "":
            return None
        return [str(v) for v in value] if isinstance(value, list) else [str(value)]
    record = answers.get(f"factors/{ref}")
    if not isinstance(record, dict):
        return None
    if kind == "flags":
        flags = record.get("yellow_flags")
        return [str(f) for f in flags] if isinstance(flags, list) else None
    domain = record.get(part)
    return [str(domain)] if domain else None


def option_counts(course: Path, assignments: list[str]) -> OptionCounts:
    """Count the options chosen in every choice item, over the submissions in course/submitted."""
    parts: list[Options] = []
    unreadable: list[str] = []
    for assignment in assignments:
        sources = answer_sources(course, assignment)
        mine = [(p, sources[q]) for q in sorted(sources) for p in _choice_parts(assignment, q, sources[q])]
        folders = sorted(p for p in (course / "submitted").glob(f"*/{assignment}") if p.is_dir())
        for folder in folders:
            try:
                answers = load_answers(folder / ANSWERS_FILE)
            except AnswersError:
                unreadable.append(str((folder / ANSWERS_FILE).relative_to(course)))
                continue
            for part, source in mine:
                part.submissions += 1
                picked = _picked(source, part.part, answers)
                if picked is None:
                    continue
                part.answered += 1
                for option in picked:
                    part.chosen[option] = part.chosen.get(option, 0) + 1
        parts.extend(part for part, _ in mine)
    return OptionCounts(parts, unreadable)


def option_rows(counts: OptionCounts) -> list[dict[str, object]]:
    """One CSV row per option of every counted part (options no one chose included, as 0)."""
    rows: list[dict[str, object]] = []
    for part in counts.parts:
        for option_id, text in _with_extras(part):
            rows.append({
                "assignment": part.assignment, "question": part.question, "part": part.part,
                "part_text": part.part_text, "option": option_id, "option_text": text,
                "chosen": part.chosen.get(option_id, 0), "answered": part.answered,
                "submissions": part.submissions,
            })
    return rows


# --- the HTML report ----------------------------------------------------------------------------

STYLE = """
body{font-family:system-ui,sans-serif;color:#1a1a1a;background:#fff;max-width:62rem;margin:1rem auto;
padding:0 1rem;line-height:1.45}
table{border-collapse:collapse;margin:.5rem 0 1.5rem;width:100%}
caption{text-align:left;font-weight:600;padding:.3rem 0}
th,td{border-bottom:1px solid #c8c8c8;padding:.3rem .5rem;text-align:left;vertical-align:middle}
th[scope=col]{background:#f0f0f0}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.flag{font-weight:700;border:2px solid #8a1c1c;color:#8a1c1c;padding:0 .3rem;border-radius:3px;
white-space:nowrap}
tr.negative{background:#fbeaea}
.undefined{font-style:italic;color:#444}
.bar-fill{fill:#1f4e79}.bar-back{fill:#e4e4e4}.bar-neg{fill:#8a1c1c}.axis{stroke:#1a1a1a}
.wide{overflow-x:auto}
.note{background:#f5f5f5;border-left:4px solid #1f4e79;padding:.5rem 1rem}
"""


def _bar(fraction: float, label: str, width: int = 120) -> str:
    """A small horizontal bar for a share in [0, 1]."""
    filled = max(0.0, min(1.0, fraction)) * width
    return (f'<svg role="img" aria-label="{html.escape(label)}" width="{width}" height="12" '
            f'viewBox="0 0 {width} 12"><title>{html.escape(label)}</title>'
            f'<rect class="bar-back" x="0" y="1" width="{width}" height="10"/>'
            f'<rect class="bar-fill" x="0" y="1" width="{filled:.1f}" height="10"/></svg>')


def _r_bar(r: float, width: int = 100) -> str:
    """A bar from the centre (r = 0) to r, left for negative, on a -1 to 1 scale."""
    mid = width / 2
    end = mid + r * mid
    x, w = min(mid, end), abs(end - mid)
    fill = "bar-neg" if r < 0 else "bar-fill"
    label = f"discrimination {r:.2f} on a scale from -1 to 1"
    return (f'<svg role="img" aria-label="{label}" width="{width}" height="12" viewBox="0 0 {width} 12">'
            f'<title>{label}</title><rect class="bar-back" x="0" y="1" width="{width}" height="10"/>'
            f'<rect class="{fill}" x="{x:.1f}" y="1" width="{w:.1f}" height="10"/>'
            f'<line class="axis" x1="{mid}" y1="0" x2="{mid}" y2="12"/></svg>')


def _g(value: object) -> str:
    return f"{float(value):g}"  # type: ignore[arg-type]


def _items_table(assignment: str, rows: list[dict[str, object]], anchors: set[str]) -> str:
    body = []
    for row in rows:
        n, max_score, mean = int(row["submissions"]), float(row["max_score"]), float(row["mean_score"])  # type: ignore[arg-type]
        share = mean / max_score if max_score else 0.0
        r = row["discrimination"]
        if r == "":
            disc = f'<span class="undefined">{html.escape(str(row["discrimination_note"]))}</span>'
        else:
            disc = f"{float(r):.2f} {_r_bar(float(r))}"  # type: ignore[arg-type]
            if float(r) < 0:  # type: ignore[arg-type]
                disc += ' <span class="flag">Negative: check this item</span>'
        question = html.escape(str(row["question"]))
        anchor = f"options-{assignment}-{row['question']}"
        name = f'<a href="#{html.escape(anchor)}">{question}</a>' if anchor in anchors else question
        if row["needs_manual_grade"]:
            name += f'<br><small>{row["needs_manual_grade"]} not graded yet (counted as 0)</small>'
        negative = ' class="negative"' if r != "" and float(r) < 0 else ""  # type: ignore[arg-type]
        body.append(
            f'<tr{negative}><th scope="row">{name}<br><small>{html.escape(str(row["notebook"]))}</small></th>'
            f'<td class="num">{_g(max_score)}</td>'
            f'<td class="num">{mean:.2f} ({share:.0%})</td><td>{_bar(share, f"mean {share:.0%} of the points")}</td>'
            f'<td class="num">{row["full_marks"]} of {n}</td><td class="num">{row["zero"]} of {n}</td>'
            f"<td>{disc}</td></tr>")
    n_students = max((int(r["submissions"]) for r in rows), default=0)  # type: ignore[call-overload]
    return (f'<div class="wide" tabindex="0"><table><caption>{html.escape(assignment)}: {len(rows)} graded questions, '
            f"up to {n_students} submissions</caption><thead><tr>"
            '<th scope="col">Question (notebook)</th><th scope="col">Points</th>'
            '<th scope="col">Mean (share of points)</th><th scope="col">Mean, as a bar</th>'
            '<th scope="col">Full marks</th><th scope="col">Zero</th>'
            '<th scope="col">Discrimination (corrected item–total r)</th>'
            f"</tr></thead><tbody>{''.join(body)}</tbody></table></div>")


def _with_extras(part: Options) -> list[tuple[str, str]]:
    """The part's options, then any answer the bank no longer lists (shown, not lost)."""
    known = {option_id for option_id, _ in part.options}
    return [*part.options, *[(e, "(not in the bank)") for e in sorted(set(part.chosen) - known)]]


def _options_table(part: Options) -> str:
    rows = []
    for option_id, text in _with_extras(part):
        count = part.chosen.get(option_id, 0)
        share = count / part.answered if part.answered else 0.0
        label = html.escape(text) + (f" <small>({html.escape(option_id)})</small>" if text != option_id else "")
        rows.append(f'<tr><th scope="row">{label}</th><td class="num">{count} of {part.answered}</td>'
                    f"<td>{_bar(share, f'{count} of {part.answered} chose it')}</td></tr>")
    what = html.escape(part.part_text or part.part)
    missing = part.submissions - part.answered
    return (f'<div class="wide" tabindex="0"><table><caption>Options chosen: {what} — {part.answered} answered'
            f"{f', {missing} gave no answer' if missing else ''}</caption><thead><tr>"
            '<th scope="col">Option</th><th scope="col">Chosen by</th>'
            '<th scope="col">Share of those who answered</th>'
            f"</tr></thead><tbody>{''.join(rows)}</tbody></table></div>")


def _matrix_table(parts: list[Options]) -> str:
    """Parts sharing one option list (the factor sorter's domains) as one table: a row per part."""
    options = parts[0].options
    head = "".join(f'<th scope="col">{html.escape(text)}</th>' for _, text in options)
    rows = []
    for part in parts:
        cells = []
        for option_id, text in options:
            count = part.chosen.get(option_id, 0)
            share = count / part.answered if part.answered else 0.0
            cells.append(f'<td class="num">{count} {_bar(share, f"{count} of {part.answered}: {text}", 60)}</td>')
        rows.append(f'<tr><th scope="row">{html.escape(part.part_text or part.part)}</th>'
                    f'{"".join(cells)}<td class="num">{part.answered} of {part.submissions}</td></tr>')
    return (f'<div class="wide" tabindex="0"><table><caption>Options chosen: {html.escape(parts[0].question)}, one row per part'
            f'</caption><thead><tr><th scope="col">Part</th>{head}<th scope="col">Answered</th></tr>'
            f"</thead><tbody>{''.join(rows)}</tbody></table></div>")


HOW_TO_READ = """<div class="note"><h2>How to read this</h2><ul>
<li><b>Mean</b>: the average points on the question, and its share of the question's points.
<b>Full marks</b> and <b>Zero</b>: how many submissions got all or none of the points.</li>
<li><b>Discrimination</b>: the correlation between the question's score and the rest of the
assignment (the total without this question), from −1 to 1. Higher means students who did well
overall also did well here. Around 0: the question says little about the rest. <b>Negative</b>
(flagged in words, “Negative: check this item”): the stronger students did worse on it; check the
question, its key and its tests. In a small class one student can move the value a lot: read it as
a hint, not a verdict.</li>
<li><b>Undefined</b> means it cannot be computed, not 0: everyone scored the same on the question
(or on the rest), or fewer than 3 students submitted.</li>
<li>Ungraded manual questions count as 0 until they are graded.</li>
<li><b>Options chosen</b>: for choice questions, how many students picked each option, read from
their answers files. For multiple-answer questions and yellow flags a student can pick several.</li>
<li><b>Results per concept</b>: each graded question is tagged with the Informed Health Choices Key
Concepts it tests (concepts.yaml). The mean share is taken over every score of every question with
that tag; a question with two tags counts for both. <i>content</i> marks questions on course content,
<i>uncoded</i> questions on a Key Concept the course's list does not have yet.</li>
</ul></div>"""


def _concepts_section(rows: list[dict[str, object]], untagged: list[str] | None,
                      vocab: Vocabulary) -> str:
    """The per-concept table, or why there is none; ``untagged`` is None without a concepts.yaml."""
    parts = ['<section><h2 id="concepts">Results per concept</h2>']
    if untagged is None:
        parts.append(f"<p>No {CONCEPTS_FILE} in the course folder: no results per concept.</p></section>")
        return "".join(parts)
    if not vocab.source.complete:
        parts.append(f'<p class="note">The concept list is incomplete: {html.escape(vocab.source.missing)} '
                     f"Source: {html.escape(vocab.source.citation)}</p>")
    if untagged:
        names = ", ".join(f"<code>{html.escape(c)}</code>" for c in untagged)
        parts.append(f"<p>Graded questions with no concept tags in {CONCEPTS_FILE} (not counted below): "
                     f"{names}.</p>")
    body = []
    for row in rows:
        code = str(row["concept"])
        name = f"<i>{html.escape(code)}</i>" if code in MARKERS else f"Concept {html.escape(code)}"
        questions = "<br>".join(html.escape(q) for q in str(row["questions"]).split("; "))
        if row["mean_fraction"] == "":
            mean = '<td class="num">—</td><td><span class="undefined">no scores yet</span></td>'
        else:
            share = float(row["mean_fraction"])  # type: ignore[arg-type]
            mean = (f'<td class="num">{share:.0%}</td>'
                    f'<td>{_bar(share, f"mean {share:.0%} of the points")}</td>')
        body.append(f'<tr><th scope="row">{name}<br><small>{html.escape(str(row["label"]))}</small></th>'
                    f'<td>{html.escape(str(row["group"]) or "—")}</td><td><small>{questions}</small></td>'
                    f'{mean}<td class="num">{row["submissions"]}</td></tr>')
    if not body:
        parts.append("<p>No graded question is tagged yet.</p></section>")
        return "".join(parts)
    parts.append(
        f'<div class="wide" tabindex="0"><table><caption>{len(rows)} concepts and markers, in the order '
        "of the concept list</caption><thead><tr>"
        '<th scope="col">Concept</th><th scope="col">Group</th><th scope="col">Questions tagged</th>'
        '<th scope="col">Mean share of points</th><th scope="col">Mean, as a bar</th>'
        '<th scope="col">Submissions</th>'
        f"</tr></thead><tbody>{''.join(body)}</tbody></table></div></section>")
    return "".join(parts)


def report_html(summary: list[dict[str, object]], counts: OptionCounts,
                concepts: list[dict[str, object]] | None = None, untagged: list[str] | None = None,
                vocab: Vocabulary | None = None) -> str:
    """The whole report as one self-contained HTML page (no scripts, no external requests).

    ``concepts`` are :func:`concept_rows` and ``untagged`` the graded cells without tags; leave
    ``untagged`` None when the course has no concepts.yaml (the section then says so).
    """
    anchors = {f"options-{p.assignment}-{p.question}" for p in counts.parts}
    sections = [f"<h1>Item analysis</h1>{HOW_TO_READ}"]
    negative = [r for r in summary if r["discrimination"] != "" and float(r["discrimination"]) < 0]  # type: ignore[arg-type]
    if negative:
        names = ", ".join(html.escape(f"{r['assignment']} / {r['question']}") for r in negative)
        sections.append(f'<p><span class="flag">Negative: check this item</span> {len(negative)} '
                        f"question(s) with negative discrimination: {names}.</p>")
    if counts.unreadable:
        files = "".join(f"<li><code>{html.escape(p)}</code></li>" for p in counts.unreadable)
        sections.append("<h2>Unreadable answers files</h2><p>These answers files could not be read; "
                        f"their options are not counted (their scores are in the tables).</p><ul>{files}</ul>")
    for assignment in sorted({str(r["assignment"]) for r in summary} | {p.assignment for p in counts.parts}):
        rows = [r for r in summary if r["assignment"] == assignment]
        parts = [p for p in counts.parts if p.assignment == assignment]
        table = _items_table(assignment, rows, anchors) if rows else "<p>No grades in the gradebook yet.</p>"
        sections.append(f"<section><h2>{html.escape(assignment)}</h2>{table}")
        if parts:
            sections.append("<h3>Options chosen</h3>")
        for question in dict.fromkeys(p.question for p in parts):
            mine = [p for p in parts if p.question == question]
            anchor = f"options-{assignment}-{question}"
            sections.append(f'<h4 id="{html.escape(anchor)}">{html.escape(question)}</h4>')
            extras = any(set(p.chosen) - {o for o, _ in p.options} for p in mine)
            if len(mine) > 1 and not extras:
                sections.append(_matrix_table(mine))
            else:
                sections.extend(_options_table(p) for p in mine)
        sections.append("</section>")
    sections.append(_concepts_section(concepts or [], untagged, vocab or vocabulary()))
    return ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>Item analysis</title><style>{STYLE}</style></head><body><main>"
            f"{''.join(sections)}</main></body></html>")


def write_csv(path: Path, fields: list[str], rows: list[dict[str, object]]) -> Path:
    """Write rows with exactly these columns."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_reports(course: Path, db_url: str, out: Path, assignments: list[str]) -> list[Path]:
    """items.csv, items-summary.csv, item-options.csv, items-by-concept.csv and item-report.html in ``out``.

    The concept tags come from ``course/concepts.yaml``; a malformed one raises ConceptsError
    (naming the file, the cell and the field) before anything is written.
    """
    tags = read_tags(course)
    out.mkdir(parents=True, exist_ok=True)
    rows = item_rows(db_url)
    summary = item_summary(rows)
    counts = option_counts(course, assignments)
    by_concept = concept_rows(rows, tags or {})
    untagged = None if tags is None else untagged_cells(rows, tags)
    report = out / "item-report.html"
    report.write_text(report_html(summary, counts, by_concept, untagged), encoding="utf-8")
    for name in counts.unreadable:
        print(f"unreadable answers file, options not counted: {name}")
    return [
        write_csv(out / "items.csv", ITEM_FIELDS, rows),
        write_csv(out / "items-summary.csv", SUMMARY_FIELDS, summary),
        write_csv(out / "item-options.csv", OPTION_FIELDS, option_rows(counts)),
        write_csv(out / "items-by-concept.csv", CONCEPT_FIELDS, by_concept),
        report,
    ]
