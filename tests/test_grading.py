"""The nbgrader course end to end, with the real nbgrader commands, in a temporary copy.

One module-scoped run: generate every assignment; build a test class of submissions (full,
untouched, partial, syntax error, exception, infinite loop, a killed or jammed kernel, graded
widget answers, an edited locked test cell, deleted cells, a missing notebook, a corrupt answers
file); collect through the
exchange and through zip_collect; autograde (nbgrader CLI, and the instructor CLI that drives
NbGraderAPI in process); generate feedback; export. Then check exact scores, the CSVs, and that
neither released notebooks nor feedback show solutions or hidden tests.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.grading_support import (
    COURSE,
    HIDDEN,
    MARK_SCHEME,
    SOLUTION,
    Submission,
    html_text,
    notebook_text,
    regions,
    right_quiz,
    run,
    solved,
    source_keys,
)
from tests.servers import REPO, hermetic_env
from widgets.grading import key_in
from widgets.variants import nnt_trial, review_result

EA, BPS, TC = "evidence-appraisal", "biopsychosocial-case", "treatment-choices"
STUDENTS = [
    "full",
    "blank",
    "partial",
    "syntax",
    "exception",
    "loop",
    "widgets",
    "locked",
    "deleted",
    "missing",
    "tamperer",
    "copier",
    "killer",
    "jammer",
]
# Exact autograded points each student should get (manual tasks are left ungraded).
EXPECTED = {
    EA: {
        "full": 11,
        "blank": 0,
        # nnt-tests fail (no rounding before rounding up); exercise_nnt is worked out on the example
        # numbers of an earlier version (5), not on partial's own trial (6)
        "partial": 4,
        "syntax": 9,
        # its includes_no_effect raises, so its own review's reading (question 4) fails too
        "exception": 5,
        "loop": 8,
        # its includes_no_effect always says True; its own review's interval excludes 0
        "locked": 7,
        "deleted": 7,
        "missing": 5,
        # everything right but the NNT of another student's trial, with variant_answers rebound to agree
        "copier": 10,
        # kills its kernel in the NNT answer: the NNT cells and question 4 did not run (0)
        "killer": 6,
    },
    # tamperer: the code answers right (4), no sorting; the replaced helpers and the answers file its
    # code rewrote while being graded count for nothing.
    # jammer: breaks its kernel's messages in its first cell, so no code test runs (0); its sorted
    # factors, read from the answers file as handed in, still count.
    BPS: {"full": 10, "blank": 0, "partial": 5, "widgets": 6, "tamperer": 4, "jammer": 6},
    # widgets: 1 wrong, 1 unanswered; tamperer: 1 right answer saved, the rest faked at grading time.
    # partial: a right NNT and a wrong study count, both "very sure": 3 - 6 marks, so 0 for that cell.
    TC: {"full": 7, "blank": 0, "partial": 2, "exception": 0, "widgets": 5, "tamperer": 1},
}
MAX_AUTO = {EA: 11, BPS: 10, TC: 7}
BANK = "assessment-treatment-choices"
RIGHT_QUIZ = right_quiz()  # from the keys in the source's hidden tests
CASE = "assessment-alex"
# A key written out, as in a source's hidden test (in a notebook's JSON, its quotes are escaped).
KEY_LITERAL = re.compile(r"LBP_KEY\s*=\s*\{\s*\\?[\"']")
# A cell a cheating student adds at the top: it replaces or rebinds everything the graded widgets'
# hidden tests use, and rewrites the answers file with answers it hopes are right, as it is graded.
TAMPER = f"""import builtins
import widgets.answers as answers
import widgets.grading as grading
grading.score = lambda *args, **kwargs: 99
grading.check_key = lambda *args, **kwargs: 99
grading.key_in = lambda *args, **kwargs: None
answers.load_answers = lambda *args, **kwargs: {{}}
LBP_KEY = {{"kind": "single", "record": "nothing", "answer": "nothing"}}
check_key = lambda *args, **kwargs: 99
fake = {{"quiz/{BANK}/nice-massage": {{"answer": "b"}}, "factors/{CASE}": {{"low-mood": "psychological"}}}}
with builtins.open("answers.json", "w") as handle:
    handle.write(repr(fake).replace("'", '"'))
"""

# A first cell that breaks the kernel's own messages: it can no longer read a request to run a cell.
JAM = "import json\njson.loads = lambda *args, **kwargs: None\n"

WRONG_NO_EFFECT = "def includes_no_effect(low, high, no_effect=0.0):\n    return low < no_effect < high\n"
NAIVE_NNT = "def nnt(c, t):\n    return math.ceil(1 / abs(t - c))\n\nexercise_nnt = nnt(0.30, 0.50)\n"
WRONG_DESIGNS = (
    'study_designs = {"a": "randomised controlled trial", "b": "randomised controlled trial",\n'
    '                 "c": "cohort study", "d": "case series"}\n'
)
WRONG_STARTBACK = """def startback_group(answers):
    total = sum(answers[n] == "agree" for n in range(1, 9)) + (answers[9] != "not at all")
    sub = sum(answers[n] == "agree" for n in (5, 6, 7, 8)) + (answers[9] != "not at all")
    return "low" if total <= 3 else "high" if sub >= 4 else "medium"
"""


@dataclass
class Graded:
    root: Path
    env: dict[str, str]
    timings: dict[str, float] = field(default_factory=dict)


def _quiz_answers(folder: Path, answers: dict[str, object], sure: dict[str, str] | None = None) -> None:
    """Answer the graded quiz with the real widget, as a student would, saving to folder/answers.json.

    A question that asks how sure gets the level in ``sure``, else "high".
    """
    from widgets import Quiz

    quiz = Quiz(BANK, graded=True, answers_path=folder / "answers.json")
    for question_id, value in answers.items():
        view = quiz.question(question_id)
        view.set_current(value)
        if view.sure is not None:
            view.sure.value = (sure or {}).get(question_id, "high")
        view.check.click()


def _sort_factors(folder: Path, domains: dict[str, str], flags: list[str]) -> None:
    """Sort the case's factors with the real FactorSorter in graded mode."""
    from widgets import FactorSorter

    sorter = FactorSorter(CASE, graded=True, answers_path=folder / "answers.json")
    for factor_id, domain in domains.items():
        sorter.dropdowns[factor_id].value = domain
    for factor_id in flags:
        sorter.checkboxes[factor_id].value = True
    sorter.check.click()


def _right_factors() -> tuple[dict[str, str], list[str]]:
    keys = source_keys(BPS)
    return keys[f"factors/{CASE}#factors"]["domains"], keys[f"factors/{CASE}#yellow_flags"]["flags"]


def _build_class(root: Path) -> None:
    """Write every submission of the test class (except those that go through the exchange)."""
    src, rel, sub = root / "source", root / "release", root / "submitted"

    def copy(assignment: str, name: str) -> Submission:
        return Submission(rel / assignment / name, src / assignment / name)

    calc, designs = "calculations.ipynb", "study-designs.ipynb"
    # Evidence appraisal. "full" and "partial" arrive as LMS downloads (zip_collect).
    archive = root / "downloaded" / EA / "archive"
    archive.mkdir(parents=True)
    for name in (calc, designs):
        nb = copy(EA, name)
        for gid in ("above-mcid-answer", "no-effect-answer", "nnt-answer", "review-answer", "designs-answer"):
            if any(c.metadata.get("nbgrader", {}).get("grade_id") == gid for c in nb.nb.cells):
                nb.answer(gid)
        shutil.copy(nb.save(root / "tmp-full"), archive / f"full--{name}")
    partial_calc = copy(EA, calc).answer("above-mcid-answer").answer("no-effect-answer", WRONG_NO_EFFECT)
    shutil.copy(
        partial_calc.answer("nnt-answer", NAIVE_NNT).save(root / "tmp-partial"), archive / f"partial--{calc}"
    )
    shutil.copy(
        copy(EA, designs).answer("designs-answer").save(root / "tmp-partial"), archive / f"partial--{designs}"
    )

    def solved_calc() -> Submission:
        return (copy(EA, calc).answer("above-mcid-answer").answer("no-effect-answer").answer("nnt-answer")
                .answer("review-answer"))

    def put(student: str, *notebooks: Submission) -> None:
        for nb in notebooks:
            nb.save(sub / student / EA)

    put("blank", copy(EA, calc), copy(EA, designs))
    put(
        "syntax",
        solved_calc().answer(
            "above-mcid-answer", "def above_mcid(benefit, mcid)\n    return benefit >= mcid\n"
        ),
        copy(EA, designs).answer("designs-answer"),
    )
    put(
        "exception",
        solved_calc()
        .answer(
            "above-mcid-answer", "def above_mcid(benefit, mcid):\n    return benefit >= mcid\n\nint('two')\n"
        )
        .answer("no-effect-answer", "def includes_no_effect(low, high, no_effect=0.0):\n    return 1 / 0\n"),
        copy(EA, designs).answer(
            "designs-answer",
            WRONG_DESIGNS,
        ),
    )
    loop = solved_calc()
    loop.answer(
        "nnt-answer",
        "while True:\n    pass\n\n"
        + loop.nb.cells[
            [c.metadata.get("nbgrader", {}).get("grade_id") for c in loop.nb.cells].index("nnt-answer")
        ].source,
    )
    put("loop", loop, copy(EA, designs).answer("designs-answer"))
    locked = solved_calc().answer(
        "no-effect-answer", "def includes_no_effect(low, high, no_effect=0.0):\n    return True\n"
    )
    locked.answer("no-effect-tests", "pass\n")  # the student "fixes" the failing test
    put("locked", locked, copy(EA, designs).answer("designs-answer"))
    put(
        "deleted",
        solved_calc().delete("above-mcid-answer").delete("no-effect-tests"),
        copy(EA, designs).delete("designs-answer"),
    )
    put("missing", copy(EA, calc).answer("above-mcid-answer").answer("nnt-answer"))  # no study-designs.ipynb
    others_nnt = nnt_trial("full").nnt
    assert others_nnt != nnt_trial("copier").nnt
    copied = solved_calc()
    own_line = "exercise_nnt = nnt(my_trial.control_rate, my_trial.treatment_rate)"
    cheat = (f"exercise_nnt = {others_nnt}\n"
             f"variant_answers = lambda *args, **kwargs: {{'exercise_nnt': {others_nnt}}}")
    assert own_line in solved(copied.source, "nnt-answer")
    copied.answer("nnt-answer", solved(copied.source, "nnt-answer").replace(own_line, cheat))
    put("copier", copied, copy(EA, designs).answer("designs-answer"))
    killer = solved_calc()
    killer.answer("nnt-answer", "import os\nos._exit(1)\n\n" + solved(killer.source, "nnt-answer"))
    put("killer", killer, copy(EA, designs).answer("designs-answer"))

    # Biopsychosocial case: code answers plus FactorSorter answers in answers.json.
    right, flags = _right_factors()
    for student, code in [("full", None), ("blank", False), ("partial", WRONG_STARTBACK)]:
        nb = copy(BPS, "case.ipynb")
        if code is not False:
            nb.answer("startback-answer", code).answer("alex-group-answer")
        folder = sub / student / BPS
        nb.save(folder)
        if student == "full":
            _sort_factors(folder, right, flags)
        elif student == "partial":  # 6 of 8 domains right; 3 right flags and 1 wrong one
            wrong = dict(right, **{"low-mood": "social", "heavy-job": "psychological"})
            _sort_factors(folder, wrong, [*flags[:3], "supportive-partner"])
    folder = sub / "widgets" / BPS
    copy(BPS, "case.ipynb").save(folder)
    _sort_factors(folder, right, flags)
    copy(BPS, "case.ipynb").answer("startback-answer").answer("alex-group-answer").prepend(TAMPER).save(
        sub / "tamperer" / BPS)
    folder = sub / "jammer" / BPS
    copy(BPS, "case.ipynb").answer("startback-answer").answer("alex-group-answer").prepend(JAM).save(folder)
    _sort_factors(folder, right, flags)

    # Treatment choices: the graded Quiz; "widgets" goes through the exchange (see the fixture).
    for student, answers in [
        ("full", RIGHT_QUIZ),
        ("blank", {}),
        (
            "partial",
            {
                "massage-certainty": "a",
                "nice-massage": "b",
                "passive-treatments": ["massage"],
                "invented-nnt": 5.0,
                "massage-studies": 10.0,  # wrong, and very sure: costs the NNT's marks (3 - 6)
            },
        ),
    ]:
        folder = sub / student / TC
        copy(TC, "choices.ipynb").save(folder)
        _quiz_answers(folder, {k: v for k, v in answers.items() if v is not None})
    folder = sub / "exception" / TC
    copy(TC, "choices.ipynb").save(folder)
    (folder / "answers.json").write_text("{not json", encoding="utf-8")
    folder = sub / "tamperer" / TC
    copy(TC, "choices.ipynb").prepend(TAMPER).save(folder)
    _quiz_answers(folder, {"massage-certainty": RIGHT_QUIZ["massage-certainty"], "nice-massage": "a"})


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> Graded:
    base = tmp_path_factory.mktemp("course")
    root = base / "assessments"
    shutil.copytree(
        COURSE,
        root,
        ignore=shutil.ignore_patterns(
            "release",
            "submitted",
            "autograded",
            "feedback",
            "exchange",
            "export",
            "downloaded",
            "*.db",
            "__pycache__",
            ".ipynb_checkpoints",
        ),
    )
    env = hermetic_env(base / "home")
    env.update(
        LBP_CELL_TIMEOUT="5",
        NBGRADER_EXCHANGE=str(base / "exchange"),
        PATH=os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")]),
    )
    env.pop("NBGRADER_DB_URL", None)
    result = Graded(root, env)
    t = result.timings

    t["generate: 3 assignments (instructor CLI)"] = _instructor(root, env, "generate")
    # A stray answers file in source/ must never overwrite students' answers during autograde.
    stray = root / "source" / TC / "answers.json"
    stray.write_text(
        json.dumps({f"quiz/{BANK}/{q}": {"answer": a, "attempts": 1} for q, a in RIGHT_QUIZ.items()})
    )

    _build_class(root)

    # The exchange round trip for the "widgets" student: release, fetch, answer, submit, collect.
    t["release to exchange + LMS zip"] = _instructor(root, env, "release", TC)
    student_home = base / "student"
    student_home.mkdir()
    exchange_args = [f"--Exchange.root={base / 'exchange'}", "--course=lbp-evidence"]
    run(student_home, env, "nbgrader", "fetch_assignment", TC, *exchange_args)
    unanswered = {k: v for k, v in RIGHT_QUIZ.items() if k != "massage-studies"}
    _quiz_answers(student_home / TC, unanswered | {"massage-interval": "yes"})
    run(student_home, env, "nbgrader", "submit", TC, "--student=widgets", *exchange_args)
    t["collect (exchange)"] = _instructor(root, env, "collect", TC)
    t["collect (zip_collect)"] = _instructor(root, env, "collect", EA, "--zip")

    for assignment in (EA, BPS):
        t[f"autograde {assignment}: nbgrader CLI, {len(EXPECTED[assignment])} submissions"] = run(
            root, env, "nbgrader", "autograde", assignment, "--force", timeout=400
        )
    t[f"autograde {TC}: instructor CLI (NbGraderAPI), {len(EXPECTED[TC])} submissions"] = _instructor(
        root, env, "autograde", TC
    )
    stray.unlink()
    for assignment in (EA, BPS, TC):
        t[f"feedback {assignment}"] = _instructor(root, env, "feedback", assignment)
    t["export"] = _instructor(root, env, "export")
    return result


def _instructor(root: Path, env: dict[str, str], *args: str) -> float:
    """Run the instructor CLI from outside the course folder; return seconds taken."""
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, str(root / "instructor.py"), *args],
        cwd=root.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=400,
    )
    assert proc.returncode == 0, f"instructor.py {' '.join(args)}:\n{proc.stdout}\n{proc.stderr}"
    if args[0] == "autograde":
        assert f"[{len(EXPECTED[args[1]])}/{len(EXPECTED[args[1]])}]" in proc.stdout, proc.stdout
    return time.perf_counter() - start


def _auto_scores(root: Path) -> dict[tuple[str, str], float]:
    """Autograded points per (assignment, student), from the gradebook; manual cells excluded."""
    from nbgrader.api import Gradebook

    scores: dict[tuple[str, str], float] = {}
    with Gradebook("sqlite:///" + str(root / "gradebook.db"), "lbp-evidence") as gb:
        for assignment in (EA, BPS, TC):
            for submission in gb.assignment_submissions(assignment):
                grades = [g for nb in submission.notebooks for g in nb.grades]
                auto = [g for g in grades if g.cell.cell_type == "code"]
                scores[(assignment, submission.student.id)] = sum(g.score for g in auto)
    return scores


@pytest.mark.grading
@pytest.mark.slow
def test_every_submission_gets_its_exact_autograded_score(graded: Graded) -> None:
    got = _auto_scores(graded.root)
    expected = {(a, s): float(points) for a, table in EXPECTED.items() for s, points in table.items()}
    rows = [
        f"{s:10} {a:22} expected {expected[(a, s)]:4g}  got {got.get((a, s), 'missing')}"
        for (a, s) in sorted(expected)
    ]
    timings = [f"{seconds:6.1f} s  {what}" for what, seconds in graded.timings.items()]
    print("\n" + "\n".join([*rows, "", *timings]))
    assert got == expected


@pytest.mark.grading
@pytest.mark.slow
def test_grades_csv_lists_every_student_for_every_assignment(graded: Graded) -> None:
    with (graded.root / "export" / "grades.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    seen = {(r["assignment"], r["student_id"]): float(r["raw_score"]) for r in rows}
    for assignment in (EA, BPS, TC):
        for student in STUDENTS:
            assert (assignment, student) in seen, (assignment, student)
            assert seen[(assignment, student)] == EXPECTED[assignment].get(student, 0)


@pytest.mark.grading
@pytest.mark.slow
def test_item_analysis_csv_has_one_row_per_student_and_question(graded: Graded) -> None:
    with (graded.root / "export" / "items.csv").open(encoding="utf-8") as handle:
        items = list(csv.DictReader(handle))
    score = {(r["assignment"], r["student"], r["question"]): float(r["score"]) for r in items}
    assert score[(EA, "partial", "no-effect-tests")] == 0
    assert score[(EA, "partial", "above-mcid-tests")] == 2
    assert score[(EA, "locked", "no-effect-tests")] == 0  # the edited test cell was restored
    assert score[(EA, "deleted", "no-effect-tests")] == 2  # the deleted test cell was put back
    assert score[(EA, "missing", "designs-tests")] == 0
    # Each student's own NNT: the copier's rebound variant_answers was replaced by their expected answer.
    assert score[(EA, "full", "exercise-nnt-tests")] == 1
    assert score[(EA, "copier", "exercise-nnt-tests")] == 0
    assert score[(EA, "copier", "nnt-tests")] == 2
    assert score[(EA, "partial", "exercise-nnt-tests")] == 0 and nnt_trial("partial").nnt != 5
    # Each student's own review result (question 4): two different verdicts, each graded as right.
    assert review_result("full").verdict != review_result("copier").verdict
    assert score[(EA, "full", "review-tests")] == 2 and score[(EA, "copier", "review-tests")] == 2
    assert score[(EA, "locked", "review-tests")] == 0  # its always-True includes_no_effect is wrong here
    assert score[(EA, "killer", "above-mcid-tests")] == 2 and score[(EA, "killer", "review-tests")] == 0
    assert score[(BPS, "partial", "factors-tests")] == 3
    assert score[(BPS, "partial", "yellow-flags-tests")] == 1
    assert score[(TC, "widgets", "quiz-massage-interval")] == 0
    # Certainty-based: full is right and very sure on both (6 of 6 marks); widgets on one (3 of 6).
    assert score[(TC, "full", "quiz-how-sure")] == 2
    assert score[(TC, "widgets", "quiz-how-sure")] == 1
    assert score[(TC, "partial", "quiz-how-sure")] == 0
    with (graded.root / "export" / "items-summary.csv").open(encoding="utf-8") as handle:
        summary = {(r["assignment"], r["question"]): r for r in csv.DictReader(handle)}
    assert int(summary[(TC, "quiz-nice-massage")]["submissions"]) == len(EXPECTED[TC])
    assert summary[(TC, "explain-task")]["needs_manual_grade"] == str(len(EXPECTED[TC]))  # manual, ungraded
    with (graded.root / "export" / "item-options.csv").open(encoding="utf-8") as handle:
        chosen = {(r["question"], r["part"], r["option"]): r for r in csv.DictReader(handle)}
    nice = chosen[("quiz-nice-massage", "nice-massage", "b")]  # full, partial, widgets; blank: none
    # "exception": corrupt; "tamperer" saved "a"
    assert (nice["chosen"], nice["answered"], nice["submissions"]) == ("3", "4", "5")
    report = (graded.root / "export" / "item-report.html").read_text(encoding="utf-8")
    assert "submitted/exception/treatment-choices/answers.json" in report


@pytest.mark.grading
@pytest.mark.slow
def test_released_notebooks_hide_solutions_hidden_tests_and_mark_schemes(graded: Graded) -> None:
    for assignment in (EA, BPS, TC):
        sources = sorted((graded.root / "source" / assignment).glob("*.ipynb"))
        secret = regions(SOLUTION, sources) | regions(HIDDEN, sources) | regions(MARK_SCHEME, sources)
        assert secret, assignment
        for released in sorted((graded.root / "release" / assignment).glob("*.ipynb")):
            text = notebook_text(released)
            leaks = sorted(line for line in secret if line in text)
            assert not leaks, f"{released.name} shows {leaks}"
            assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text
    with zipfile.ZipFile(graded.root / "export" / f"{TC}-release.zip") as archive:
        assert archive.namelist() == [f"{TC}/choices.ipynb"]


@pytest.mark.grading
@pytest.mark.slow
def test_feedback_never_shows_hidden_tests_or_unwritten_solutions(graded: Graded) -> None:
    pages = 0
    for assignment in (EA, BPS, TC):
        sources = sorted((graded.root / "source" / assignment).glob("*.ipynb"))
        solutions = regions(SOLUTION, sources)
        hidden = regions(HIDDEN, sources) - solutions  # a line a student may write too is no leak
        for page in sorted((graded.root / "feedback").glob(f"*/{assignment}/*.html")):
            pages += 1
            text = html_text(page)
            leaks = sorted(line for line in hidden if line in text)
            assert not leaks, f"{page} shows hidden tests {leaks}"
            assert "AssertionError" not in text, f"{page} shows a test traceback"
            if page.parts[-3] == "blank":
                assert not [line for line in solutions if line in text], f"{page} shows solutions"
    assert pages >= sum(len(table) for table in EXPECTED.values())


def test_answer_key_agrees_with_the_evidence_data() -> None:
    """The quiz key (in the source's hidden tests) must follow the evidence data."""
    from widgets import evidence

    ev = evidence()
    massage = ev.treatment("massage")
    result = next(e for e in massage.estimates if e.id == "massage-chronic-pain-active")
    crosses = result.ci_low <= 0 <= result.ci_high
    assert RIGHT_QUIZ["massage-interval"] == ("yes" if crosses else "no")
    assert RIGHT_QUIZ["massage-studies"] == result.studies
    assert result.certainty in ("low", "very low")  # the key of massage-certainty assumes it
    nice = next(s for s in massage.stances if s.body == "NICE")
    assert nice.stance == "only alongside exercise"  # the key of nice-massage
    assert ev.treatment("massage").category == "passive"


def test_every_key_in_the_sources_fits_its_widget() -> None:
    from widgets.grading import check_key

    keys = {**source_keys(BPS), **source_keys(TC)}
    assert len(keys) == 8
    for key in keys.values():
        check_key(key)


def test_a_key_that_does_not_fit_is_named() -> None:
    from widgets.grading import AnswerKeyError, check_key

    with pytest.raises(AnswerKeyError, match=r"nice-massage.*not one of"):
        check_key({"kind": "single", "record": f"quiz/{BANK}/nice-massage", "answer": "z"})
    with pytest.raises(AnswerKeyError, match="no multiple question"):
        check_key({"kind": "multiple", "record": f"quiz/{BANK}/nice-massage", "answer": ["b"]})
    with pytest.raises(AnswerKeyError, match="for each factor"):
        check_key({"kind": "factors", "record": f"factors/{CASE}", "domains": {"low-mood": "social"}})


def test_scoring_gives_zero_never_an_error_and_never_more_than_the_points() -> None:
    from widgets.grading import score

    keys = {**source_keys(BPS), **source_keys(TC)}
    nice, passive, nnt = (keys[f"quiz/{BANK}/{q}#{k}"] for q, k in
                          [("nice-massage", "single"), ("passive-treatments", "multiple"),
                           ("invented-nnt", "numeric")])
    factors, flags = keys[f"factors/{CASE}#factors"], keys[f"factors/{CASE}#yellow_flags"]
    assert score(nice, {}, 1) == 0  # never answered
    answers = {
        f"quiz/{BANK}/nice-massage": {"answer": "b", "attempts": 3},
        f"quiz/{BANK}/passive-treatments": {"answer": ["massage"], "attempts": 1},
        f"quiz/{BANK}/invented-nnt": {"answer": "five", "attempts": 1},
    }
    assert (score(nice, answers, 1), score(passive, answers, 2), score(nnt, answers, 1)) == (1, 0, 0)
    for odd in (None, [], "b", {"answer": None}, {"answer": float("nan")}, {"answer": True}):
        assert score(nnt, {f"quiz/{BANK}/invented-nnt": odd}, 1) == 0
        assert score(factors, {f"factors/{CASE}": odd}, 4) == 0
    right, right_flags = _right_factors()
    record = {f"factors/{CASE}": {**right, "yellow_flags": [*right_flags, "supportive-partner", 7]}}
    assert score(factors, record, 4) == 4
    assert score(flags, record, 2) == pytest.approx(2 * (len(right_flags) - 1) / len(right_flags))


@pytest.mark.grading
@pytest.mark.slow
def test_the_source_validates_with_full_marks(graded: Graded) -> None:
    """`nbgrader validate` on the instructor's source: every test passes, the graded widgets' too."""
    for assignment, notebook in ((TC, "choices.ipynb"), (BPS, "case.ipynb")):
        proc = subprocess.run(
            [sys.executable, "-m", "nbgrader", "validate", f"source/{assignment}/{notebook}"],
            cwd=graded.root, env=graded.env, capture_output=True, text=True, timeout=300,
        )
        assert "Success! Your notebook passes all the tests." in proc.stdout, proc.stdout + proc.stderr


KEY_FIELDS = {"correct", "answer", "answer_from", "tolerance", "feedback", "explanation", "domain",
              "yellow_flag"}


def _fields(data: object) -> set[str]:
    if isinstance(data, dict):
        return set(data) | {f for value in data.values() for f in _fields(value)}
    if isinstance(data, list):
        return {f for value in data for f in _fields(value)}
    return set()


@pytest.mark.grading
@pytest.mark.slow
def test_no_answer_key_reaches_a_students_machine(graded: Graded, tmp_path: Path) -> None:
    """Neither the released assignments nor the installed package hold a graded widget's key."""
    import yaml

    sources = [p.read_text(encoding="utf-8") for p in (graded.root / "source").rglob("*.ipynb")]
    assert sum(len(KEY_LITERAL.findall(text)) for text in sources) >= 7  # the scan finds keys where they are
    released = [p for p in (graded.root / "release").rglob("*") if p.is_file()]
    assert len(released) >= 4
    for path in released:
        text = path.read_text(encoding="utf-8", errors="replace")
        assert "LBP_KEY" not in text and "check_key" not in text, path
    wheel_command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path),
                     str(REPO)]
    subprocess.run(wheel_command, check=True, capture_output=True, timeout=300)
    (wheel,) = tmp_path.glob("*.whl")
    scanned = []
    with zipfile.ZipFile(wheel) as archive:
        for name in archive.namelist():
            text = archive.read(name).decode("utf-8", errors="replace")
            # Files may name the key (the grader reads it, the README explains it); none may hold one.
            holds_key = key_in(text) is not None if name.endswith(".py") else KEY_LITERAL.search(text)
            assert not holds_key, name
            if re.search(r"data/(questions|cases)/assessment-[^/]+\.yaml$", name):
                scanned.append(name)
                data = yaml.safe_load(text)
                leaked = _fields([data.get("questions"), data.get("factors")]) & KEY_FIELDS
                assert not leaked, f"{name} holds key fields {sorted(leaked)}"
    assert len(scanned) == 2, scanned
