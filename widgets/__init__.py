"""Interactive widgets and data for the low back pain evidence course.

Content is data (``widgets/data``); the classes here turn it into interactive lessons.
Stable CSS hook classes of the interactive widgets (for browser tests) are listed in
``widgets/css_hooks.md``.
"""

from widgets.answers import load_answers, record_answer
from widgets.course import course
from widgets.evidence import EvidenceError, evidence, load_evidence
from widgets.explorer import EvidenceExplorer
from widgets.factors import FactorSorter
from widgets.progress import ProgressSwitch
from widgets.questions import QuestionBankError, load_bank
from widgets.quiz import Quiz
from widgets.review import Review
from widgets.risk import RiskStratifier, startback_group
from widgets.simulator import RecoverySimulator
from widgets.slider import EvidenceSlider
from widgets.takeaway import TakeAway

__all__ = [
    "EvidenceError",
    "EvidenceExplorer",
    "EvidenceSlider",
    "FactorSorter",
    "ProgressSwitch",
    "QuestionBankError",
    "Quiz",
    "RecoverySimulator",
    "Review",
    "RiskStratifier",
    "TakeAway",
    "course",
    "evidence",
    "load_answers",
    "load_bank",
    "load_evidence",
    "record_answer",
    "startback_group",
]
