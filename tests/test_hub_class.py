"""A class on a real JupyterHub, end to end: the course through the README's nbgitpuller link, an
assignment through the shared exchange, grades and feedback back, each account kept to its own.

One instructor and three students, each with their own Unix account and home, each server started
by the hub under that account. Students fetch, submit and fetch feedback through the server API that
JupyterLab's Assignments tab calls; their graded quiz answers reach the grader in the real
``answers.json``, written by the real widget. The instructor follows the README: ``make -C
assessments ...`` in their own copy of the course, with ``NBGRADER_EXCHANGE`` set to the hub's exchange.
Needs root (CI runs as root) and configurable-http-proxy (``make test`` installs it).
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.grading_support import new_gradebook
from tests.hub_support import LabView

pytestmark = [
    pytest.mark.slow,
    pytest.mark.grading,
    pytest.mark.skipif(os.geteuid() != 0, reason="the hub test creates Unix accounts, so it needs root"),
]

TC = "treatment-choices"
INSTRUCTOR = "lbp-teacher"
STUDENTS = ["lbp-ana", "lbp-ben", "lbp-cai"]
# ana answers every quiz question right, ben two of six (3 points), cai submits without answering.
EXPECTED = {"lbp-ana": 7.0, "lbp-ben": 3.0, "lbp-cai": 0.0}


def _answers(student: str) -> dict[str, object]:
    from tests.test_grading import RIGHT_QUIZ

    if student == "lbp-ana":
        return dict(RIGHT_QUIZ)
    if student == "lbp-ben":
        return {"massage-certainty": RIGHT_QUIZ["massage-certainty"],
                "passive-treatments": RIGHT_QUIZ["passive-treatments"],
                "massage-interval": "yes", "nice-massage": "a"}
    return {}


def _answers_file(student: str) -> str:
    """The answers.json the real graded quiz writes for this student's answers."""
    from tests.test_grading import _quiz_answers

    with tempfile.TemporaryDirectory() as folder:
        _quiz_answers(Path(folder), _answers(student))
        return (Path(folder) / "answers.json").read_text(encoding="utf-8")


@dataclass
class ClassRun:
    pulled: dict[str, list[dict[str, object]]] = field(default_factory=dict)
    listed: dict[str, list[str]] = field(default_factory=dict)
    scores: dict[str, float] = field(default_factory=dict)
    feedback: dict[str, str] = field(default_factory=dict)
    denied: dict[str, str] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    labs: dict[str, LabView] = field(default_factory=dict)


@pytest.fixture(scope="module")
def class_run() -> ClassRun:
    from tests.hub_support import nbgitpuller_link, open_labs, run_as, running_hub

    result = ClassRun()
    t = result.timings
    start = time.perf_counter()
    with running_hub(INSTRUCTOR, STUDENTS) as hub:
        users = [INSTRUCTOR, *STUDENTS]
        t["hub up"] = time.perf_counter() - start
        hub.start_servers(users)
        t["4 servers started"] = time.perf_counter() - start
        sessions = {user: hub.login(user) for user in users}

        # Everyone gets the course by the README's link (pointed at a local clone of the repository).
        link = nbgitpuller_link(hub)
        for user, session in sessions.items():
            page = session.follow(link)
            assert page.status_code == 200 and f"/user/{user}/git-pull" in page.url, (user, page.url)
            result.pulled[user] = session.git_pull(page)
            assert session.contents("lbp-course/lessons/00-start-here.ipynb")["type"] == "notebook"
        # The instructor's Formgrader reads the course's config when the server starts (README).
        hub.restart_server(INSTRUCTOR)
        t["course pulled by 4 users; instructor's server restarted"] = time.perf_counter() - start

        # The instructor releases from their own copy, as the README says.
        course = hub.home(INSTRUCTOR) / "lbp-course" / "assessments"
        # The hub-wide config that the README puts in /etc/jupyter is read by every process there.
        instructor_env = {"NBGRADER_EXCHANGE": str(hub.exchange),
                          "JUPYTER_CONFIG_PATH": str(hub.shared_config)}

        def make(*args: str) -> None:
            run_as(INSTRUCTOR, "make", "-C", str(course), *args, env=instructor_env)

        make("generate")
        make("release", f"A={TC}")
        t["generate + release"] = time.perf_counter() - start

        for student in STUDENTS:
            session = sessions[student]
            listed = session.get("/assignments", params={"course_id": "lbp-evidence"}).json()
            result.listed[student] = [a["assignment_id"] for a in listed["value"]]
            session.nbgrader("fetch", TC)
            answers = _answers_file(student) if _answers(student) else None
            if answers is not None:
                response = session.send("PUT", f"/api/contents/{TC}/answers.json",
                                        json={"type": "file", "format": "text", "content": answers})
                assert response.status_code in (200, 201), response.text
            session.nbgrader("submit", TC)
        t["3 students fetch, answer, submit"] = time.perf_counter() - start

        make("collect", f"A={TC}")
        make("autograde", f"A={TC}")
        make("feedback", f"A={TC}")
        t["collect, autograde, feedback"] = time.perf_counter() - start

        with new_gradebook("sqlite:///" + str(course / "gradebook.db")) as gb:
            for submission in gb.assignment_submissions(TC):
                auto = [g for nb in submission.notebooks for g in nb.grades if g.cell.cell_type == "code"]
                result.scores[submission.student.id] = sum(g.score for g in auto)

        for student in STUDENTS:
            session = sessions[student]
            session.nbgrader("fetch_feedback", TC)
            stamps = session.contents(f"{TC}/feedback")["content"]
            assert isinstance(stamps, list) and len(stamps) == 1, stamps
            html = session.get(f"/files/{TC}/feedback/{stamps[0]['name']}/choices.html")
            html.raise_for_status()
            result.feedback[student] = html.text
        t["feedback fetched by 3 students"] = time.perf_counter() - start

        # What one student must not reach: another's work, the exchange's inbox, the instructor's source.
        ana_home = hub.home("lbp-ana")
        inbound, sent_feedback = (hub.exchange / "lbp-evidence" / name for name in ("inbound", "feedback"))
        attempts = {
            "list the exchange's inbox": f"os.listdir({str(inbound)!r})",
            "list the exchange's feedback": f"os.listdir({str(sent_feedback)!r})",
            "read another student's work": f"open({str(ana_home / TC / 'answers.json')!r}).read()",
            "read another student's feedback": f"os.listdir({str(ana_home / TC / 'feedback')!r})",
            "read the instructor's source": f"open({str(course / 'source' / TC / 'choices.ipynb')!r}).read()",
            "read the instructor's gradebook": f"open({str(course / 'gradebook.db')!r}, 'rb').read()",
        }
        for what, code in attempts.items():
            proc = run_as("lbp-ben", "python", "-c", f"import os\ntry:\n    {code}\n    print('READ')\n"
                          "except PermissionError:\n    print('DENIED')", check=False)
            result.denied[what] = proc.stdout.strip() or proc.stderr.strip()
        # Through the hub: ben's session cannot use ana's server.
        other = sessions["lbp-ben"].http.get(f"{hub.url}/user/lbp-ana/api/contents/{TC}", timeout=60,
                                            allow_redirects=False)
        refused = other.status_code in (302, 403, 404)
        result.denied["ana's server, with ben's login"] = "DENIED" if refused else f"HTTP {other.status_code}"
        result.labs = open_labs(hub, [sessions["lbp-ben"], sessions[INSTRUCTOR]])
        t["JupyterLab opened in Chromium (a student, the instructor)"] = time.perf_counter() - start
        t["total"] = time.perf_counter() - start
    for name, seconds in t.items():
        print(f"hub class: {name}: {seconds:.1f} s")
    print(f"hub class: scores {result.scores}; refused to another student: {result.denied}")
    return result


def test_every_user_gets_the_course_through_the_readme_link(class_run: ClassRun) -> None:
    for user, events in class_run.pulled.items():
        assert events and events[-1]["phase"] == "finished", (user, events[-3:])


def test_students_see_the_released_assignment(class_run: ClassRun) -> None:
    assert class_run.listed == {student: [TC] for student in STUDENTS}


def test_every_student_gets_their_exact_score(class_run: ClassRun) -> None:
    assert class_run.scores == EXPECTED


def test_each_student_fetches_their_own_feedback(class_run: ClassRun) -> None:
    totals = {student: re.findall(r"choices \(Score: ([0-9.]+) / ([0-9.]+)\)", html)
              for student, html in class_run.feedback.items()}
    assert totals == {student: [(f"{points:.1f}", "11.0")] for student, points in EXPECTED.items()}


def test_a_student_cannot_reach_another_students_work_or_the_instructors(class_run: ClassRun) -> None:
    assert class_run.denied == dict.fromkeys(class_run.denied, "DENIED")


def test_a_student_sees_no_instructor_tools_and_is_never_asked_about_news(class_run: ClassRun) -> None:
    student = class_run.labs["lbp-ben"]
    assert "Assignment List" in student.nbgrader_menu, student.nbgrader_menu
    instructor_tools = {"Formgrader", "Course List", "Create assignment"}
    assert not instructor_tools & set(student.nbgrader_menu), student.nbgrader_menu
    for user, view in class_run.labs.items():
        asked = [toast for toast in view.toasts if "news" in toast.lower()]
        assert not view.news_requests and not asked, (user, view)
        assert not view.other_hosts, (user, view.other_hosts)


def test_the_instructor_opens_the_formgrader_on_the_course(class_run: ClassRun) -> None:
    teacher = class_run.labs[INSTRUCTOR]
    tools = {"Assignment List", "Formgrader", "Create assignment"}
    assert tools <= set(teacher.nbgrader_menu), teacher.nbgrader_menu
    assert "treatment-choices" in teacher.formgrader_page
