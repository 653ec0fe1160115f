"""One readability score for every test: Flesch-Kincaid grade, counted offline.

textstat's English default downloads NLTK's CMU dictionary on first use, which a hermetic test
must not do; its "en-GB" setting counts syllables with the Pyphen dictionary it ships with.
"""

from __future__ import annotations

from textstat.textstat import textstatistics

MAX_PATIENT_GRADE = 8.0


def fk_grade(text: str) -> float:
    """Flesch-Kincaid grade of ``text`` (school grade; patients' text should be 8 or below)."""
    stats = textstatistics()
    stats.set_lang("en-GB")
    return float(stats.flesch_kincaid_grade(text))
