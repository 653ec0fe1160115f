"""nbgrader configuration of the low back pain course (run every nbgrader command in this folder).

Environment variables let one config serve a laptop, a JupyterHub and the tests:

- ``NBGRADER_DB_URL``: the gradebook. Default: SQLite ``gradebook.db`` in this folder. For a
  shared hub use Postgres, e.g. ``postgresql://nbgrader:secret@db.example.org/lbp_course``
  (install ``psycopg2-binary`` on the grading machine).
- ``NBGRADER_EXCHANGE``: the exchange folder for release/fetch/submit/collect. Default: the
  course-local ``exchange/`` folder; on a shared JupyterHub point it at a folder every user can
  reach, such as nbgrader's own default ``/usr/local/share/nbgrader/exchange``.
- ``LBP_CELL_TIMEOUT``: seconds one cell may run during autograde before it is stopped (default 30).
"""

import os
import sys

c = get_config()

ROOT = os.path.dirname(os.path.abspath(__file__))
ASSIGNMENTS = ["evidence-appraisal", "biopsychosocial-case", "treatment-choices"]

c.CourseDirectory.course_id = "lbp-evidence"
c.CourseDirectory.root = ROOT
c.CourseDirectory.db_url = os.environ.get("NBGRADER_DB_URL", "sqlite:///" + os.path.join(ROOT, "gradebook.db"))
c.Exchange.root = os.environ.get("NBGRADER_EXCHANGE", os.path.join(ROOT, "exchange"))

# A cell that runs longer than this is interrupted; its tests then fail, the rest still run.
c.Execute.timeout = int(os.environ.get("LBP_CELL_TIMEOUT", "30"))

# A deleted test cell is put back from the gradebook, so deleting a failing test earns nothing.
c.OverwriteCells.add_missing_cells = True

# Graded widgets write answers.json beside the notebook; autograde must never overwrite a
# student's answers with a file left in source/ (instructor.py also refuses to generate then).
c.Autograde.exclude_overwriting = {name: ["answers.json"] for name in ASSIGNMENTS}

# Feedback must not show hidden tests, neither their code nor the tracebacks of failing asserts
# (nbgrader issue #917): HideTestDetails strips hidden regions and clears test-cell outputs.
sys.path.insert(0, ROOT)
from instructor import (  # noqa: E402
    ClampScores,
    ExecuteOrZero,
    HideTestDetails,
    InsertVariants,
    ReadRecordedAnswers,
    ScoreRecordedAnswers,
)
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor  # noqa: E402
from nbgrader.preprocessors import GetGrades  # noqa: E402

c.GenerateFeedback.preprocessors = [GetGrades, HideTestDetails, CSSHTMLHeaderPreprocessor]

# A test cell's result is a score only if it is a number from 0 to the cell's points; anything else
# (a negative, a string, more than the cell's points: what a replaced scoring helper might return)
# is 0 points, and the submission is still graded (see ClampScores).
from nbconvert.preprocessors import ClearMetadataPreprocessor  # noqa: E402
from nbgrader.preprocessors import (  # noqa: E402
    AssignLatePenalties,
    CheckCellMetadata,
    IgnorePattern,
    LimitOutput,
    SaveAutoGrades,
)

# The graded widgets' cells are scored here, in the grading process, from the answers file as handed
# in (read before the student's code runs) and the keys in the hidden tests (see widgets/grading.py).
# InsertVariants writes each student's own expected numbers into the hidden tests (widgets/variants.py).
# ExecuteOrZero grades a notebook whose kernel dies or stops answering: what did not run scores 0.
c.Autograde.autograde_preprocessors = [
    ReadRecordedAnswers, InsertVariants, ExecuteOrZero, ScoreRecordedAnswers, ClampScores, IgnorePattern,
    ClearMetadataPreprocessor, LimitOutput, SaveAutoGrades, AssignLatePenalties, CheckCellMetadata,
]

# LMS downloads for `nbgrader zip_collect`: put the files (or zips of them) in
# downloaded/<assignment>/archive/, each named <student-id>--<file name>, e.g.
# s1234--calculations.ipynb and s1234--answers.json (the answers of graded widgets).
c.ZipCollectApp.collector_plugin = "nbgrader.plugins.FileNameCollectorPlugin"
c.FileNameCollectorPlugin.named_regexp = r"^(?:.*/)?(?P<student_id>[A-Za-z0-9_.-]+?)--(?P<file_id>[^/]+)$"
c.FileNameCollectorPlugin.valid_ext = [".ipynb", ".json"]
