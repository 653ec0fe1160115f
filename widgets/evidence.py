"""The course's evidence base: schema, loading and validation.

Every number the course shows comes from the YAML files under ``widgets/data/evidence``:

- ``sources.yaml``: each publication once, referenced elsewhere by its ``id``;
- ``reference.yaml``: scales, minimal clinically important differences (MCIDs), natural history,
  red flags and the STarT Back scoring rules;
- ``treatments/<id>.yaml``: one file per treatment.

A file that breaks the schema raises :class:`EvidenceError`, whose message names the file, the
entry and the field, so that an author can fix it without reading Python.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal, NoReturn, TypeVar, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

from widgets._yaml import DataFileError, parse, problem, read_yaml

DATA_DIR = Path(__file__).parent / "data" / "evidence"
M = TypeVar("M", bound=BaseModel)

Category = Literal["passive", "machine-physical", "active", "combined"]
Population = Literal[
    "acute", "acute-subacute", "subacute-chronic", "chronic", "recovered", "mixed"
]
# A grade the source gave (GRADE levels, or the range a review gave overall), or why there is none:
# "not graded by the source" = the source was read and gives no grade for this result;
# "not verified" = the source may grade it, but the course has not read the grade.
Certainty = Literal[
    "high", "moderate", "low", "very low", "low to moderate", "low to very low",
    "not graded by the source", "not verified",
]
UNGRADED: tuple[str, ...] = ("not graded by the source", "not verified")
# Higher = surer. Used by the headline rule; a range ranks between its two ends.
CERTAINTY_RANK: dict[str, float] = {
    "high": 4, "moderate": 3, "low to moderate": 2.5, "low": 2, "low to very low": 1.5,
    "very low": 1, "not graded by the source": 0, "not verified": 0,
}
# What the comparison group got: the headline rule prefers the comparison patients ask about
# ("does it help more than doing without it?"), and shows a sham comparison only when nothing
# else is there.
ComparisonKind = Literal[
    "no treatment or usual care", "added to other care", "other treatment", "sham or placebo"
]
COMPARISON_PREFERENCE: tuple[str, ...] = get_args(ComparisonKind)  # in the order of preference
HEADLINE_OUTCOMES = ("pain", "function")
Urgency = Literal["emergency", "same day", "within days", "routine"]
URGENCY_ORDER: tuple[str, ...] = get_args(Urgency)  # most urgent first
URGENCY_HEADINGS: dict[str, str] = {
    "emergency": (
        "Emergency: go to the emergency department (A&E) or call 999 or your local emergency "
        "number now"
    ),
    "same day": "Same day: get seen by a doctor today (an urgent GP appointment, or NHS 111 in the UK)",
    "within days": "See a doctor within a few days",
    "routine": "Book a routine appointment with your GP or physiotherapist",
}
ReadPart = Literal[
    "abstract", "summary of findings table", "table", "figure", "full text", "guideline text",
    "patient information", "secondary report",
]
Stance = Literal[
    "recommend",
    "consider",
    "only alongside exercise",
    "do not offer",
    "not routinely",
    "insufficient evidence",
    "not addressed",
    "not found",
]
Measure = Literal["MD", "SMD", "WMD", "HR", "RR"]

CATEGORY_LABELS: dict[str, str] = {
    "passive": "Passive, hands-on",
    "machine-physical": "Machines and physical treatments",
    "active": "Active",
    "combined": "Combined physical and psychological",
}
ACUTE_POPULATIONS = ("acute", "acute-subacute")
CHRONIC_POPULATIONS = ("subacute-chronic", "chronic")

Text = Annotated[str, Field(min_length=1)]


class EvidenceError(DataFileError):
    """A data file of the evidence base is malformed."""


class StrictModel(BaseModel):
    """Base of every data model: unknown fields are errors, and loaded data cannot change."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(StrictModel):
    """One publication or guideline, cited by ``id``."""

    id: Text
    authors: Text
    short: Text = Field(description="first author or body as cited in the text, e.g. 'Furlan', 'NICE'")
    year: int | None = Field(
        None, ge=1900, le=2100, description="publication year; omit only for an undated web page"
    )
    title: Text
    journal: Text
    doi: str | None = None
    url: str | None = None
    pmid: str | None = None
    status: Literal["current", "historic"] | None = Field(
        None, description="for guidelines, leaflets and frameworks: still in force, or replaced "
        "or past its review date (required for every source a red flag or a stance cites)",
    )
    status_note: str = Field("", description="why historic, or what replaced it")

    @model_validator(mode="after")
    def _locatable(self) -> Source:
        if not (self.doi or self.url):
            raise ValueError("a source needs a doi or a url")
        if self.year is None and not (self.url and self.status):
            raise ValueError("field year: only an undated web page (url and status) may omit it")
        return self

    @property
    def short_citation(self) -> str:
        """The one in-text citation style: 'Furlan 2015', or 'NHS website' for an undated page."""
        return f"{self.short} {self.year}" if self.year else self.short

    @property
    def year_label(self) -> str:
        """The year, or 'n.d.' (no date) for an undated web page."""
        return "n.d." if self.year is None else str(self.year)

    @property
    def link(self) -> str:
        """The address to follow: the DOI resolver's if there is a DOI, else the URL."""
        return f"https://doi.org/{self.doi}" if self.doi else str(self.url)

    def citation(self) -> str:
        """A one-line reference: authors (year). Title. Journal. DOI or URL."""
        where = f"doi:{self.doi}" if self.doi else str(self.url)
        return f"{self.authors} ({self.year_label}). {self.title}. {self.journal}. {where}"


class ReadIn(StrictModel):
    """Where a number, a grade or a guideline statement was read, so a reviewer can check it."""

    part: ReadPart = Field(description="which part of the source the fact was read in")
    detail: str = Field("", description="which table, figure or section, e.g. 'SoF table 2'")
    url: Text = Field(pattern=r"^https?://", description="address of the copy actually read")


class Scale(StrictModel):
    """A measurement scale on which estimates are reported."""

    id: Text
    label: Text
    low: float
    high: float
    unit: Text
    mcid: str | None = Field(None, description="id of the MCID the course uses on this scale")
    in_plain_words: str | None = Field(
        None, description="the scale for patients, e.g. 'a pain scale from 0 to 100'; leave out for "
        "scales patients cannot picture (SMD, ratios, an unstated scale)",
    )
    better: str | None = Field(
        None, description="what a benefit means on it, e.g. 'less pain'; needed with in_plain_words"
    )

    @model_validator(mode="after")
    def _ordered(self) -> Scale:
        if self.low >= self.high:
            raise ValueError("low must be below high")
        return self


class Mcid(StrictModel):
    """A minimal clinically important difference: the smallest change patients perceive as beneficial."""

    id: Text
    outcome: Text
    scale: Text
    threshold: float = Field(gt=0)
    relative_threshold_percent: float | None = Field(
        None, gt=0, le=100, description="the same source's threshold as a % improvement from baseline"
    )
    source: Text
    note: str = ""


class Estimate(StrictModel):
    """One pooled (or single-trial) effect estimate with its 95% confidence interval."""

    id: Text
    comparison: Text = Field(description="what the treatment was compared with, as the source says it")
    outcome: Literal["pain", "function", "recurrence", "global improvement", "posture"]
    population: Population = Field(description="who was studied: acute, chronic, ...")
    time_point: Text = Field(description="when it was measured, as the source says it")
    measure: Measure = Field(description="MD, SMD, WMD (differences) or HR, RR (ratios)")
    scale: Text = Field(description="id of a scale in reference.yaml")
    estimate: float = Field(description="the pooled (or single-trial) result, as the source prints it")
    ci_low: float = Field(description="lower end of the 95% confidence interval")
    ci_high: float = Field(description="upper end of the 95% confidence interval")
    favours_treatment_when: Literal["negative", "positive", "below one", "above one"] = Field(
        description="which way of the scale means the treatment did better, in this source"
    )
    compared_with: ComparisonKind = Field(description="what the comparison group got, in one word")
    certainty: Certainty = Field(description="the source's grade, or 'not graded by the source' / "
                                 "'not verified' (see CLINICAL-REVIEW.md)")
    certainty_scope: Literal["this result", "review overall"] = Field(
        "this result", description="'review overall' when only the review's overall range was read"
    )
    certainty_read_in: ReadIn | None = Field(
        None, description="where the grade (or the absence of one) was read; leave out only if not verified"
    )
    studies: int | None = Field(None, ge=1, description="number of studies pooled, if reported")
    participants: int | None = Field(None, ge=1, description="number of people, if reported")
    source: Text = Field(description="id in sources.yaml of the original publication")
    read_in: ReadIn = Field(description="where the numbers were read")
    note: str = ""

    @model_validator(mode="after")
    def _certainty_consistent(self) -> Estimate:
        if self.certainty == "not verified":
            if self.certainty_read_in is not None:
                raise ValueError("field certainty_read_in: a grade that was read is not 'not verified'")
        elif self.certainty_read_in is None:
            raise ValueError("field certainty_read_in: say where the grade (or its absence) was read")
        if self.certainty_scope == "review overall" and self.certainty in UNGRADED:
            raise ValueError("field certainty_scope: 'review overall' needs a grade")
        return self

    @model_validator(mode="after")
    def _ci_contains_estimate(self) -> Estimate:
        if not self.ci_low <= self.estimate <= self.ci_high:
            raise ValueError(
                f"fields ci_low/ci_high: 95% CI [{self.ci_low}, {self.ci_high}] does not contain "
                f"the estimate {self.estimate}"
            )
        return self

    @property
    def benefit(self) -> tuple[float, float, float]:
        """(estimate, low, high) turned so that larger always means more benefit.

        Differences that favour the treatment when negative are negated; ratios that favour it
        when below one are inverted (1/x), so that they too read 'larger = more benefit'.
        """
        if self.favours_treatment_when == "negative":
            return -self.estimate, -self.ci_high, -self.ci_low
        if self.favours_treatment_when == "below one":
            return 1 / self.estimate, 1 / self.ci_high, 1 / self.ci_low
        return self.estimate, self.ci_low, self.ci_high

    @property
    def is_ratio(self) -> bool:
        """True for a hazard or risk ratio, where 'no effect' is 1 rather than 0."""
        return self.measure in ("HR", "RR")

    @property
    def certainty_text(self) -> str:
        """The certainty as every view shows it: 'low certainty', 'certainty not verified (...)'."""
        if self.certainty == "not verified":
            return "certainty not verified (the course has not read the source's grade)"
        if self.certainty == "not graded by the source":
            return "certainty not graded by the source"
        if self.certainty_scope == "review overall":
            return f"{self.certainty} certainty (the review's overall rating)"
        return f"{self.certainty} certainty"

    @property
    def compared_with_sham(self) -> bool:
        """True if the comparison group got a sham or placebo, which the pages then say."""
        return self.compared_with == "sham or placebo"


class GuidelineStance(StrictModel):
    """What one guideline says about the treatment."""

    body: Text = Field(description="NICE, ACP, WHO, APTA, Danish Health Authority, ...")
    year: int = Field(ge=1900, le=2100)
    stance: Stance = Field(description="follows the guideline's verb: never stronger than what was read")
    wording: Text = Field(description="what the guideline says, in our words, with its grade")
    population: Text
    source: Text
    read_in: ReadIn = Field(description="where the statement was read")


class Harms(StrictModel):
    """What is known of the treatment's harms, and the sources that say it."""

    summary: Text = Field(description="what the harms data say; 'no data found' is not 'no harms'")
    sources: list[Text] = Field(default_factory=list, description="ids in sources.yaml")


class Treatment(StrictModel):
    """One treatment of the evidence base: what it is, its effect estimates, stances and harms."""

    id: Text
    name: Text
    category: Category
    what_it_is: Text = Field(description="plain words: what is done")
    claimed_mechanism: Text = Field(description="how it is said to work (a claim, not a finding)")
    patient_summary: Text = Field(
        description="3 to 5 plain sentences, no numbers, school grade 8 or below; never 'safe'"
    )
    estimates: list[Estimate]
    headline_estimate: str | None = Field(
        None, description="id of the estimate the evidence slider reveals; null if there is none"
    )
    headline_reason: Text = Field(
        description="why this headline (or none) under widgets.evidence.choose_headline; start "
        "with 'Exception:' if the headline is not the rule's pick"
    )
    stances: list[GuidelineStance]
    harms: Harms
    not_found: list[Text] = Field(
        default_factory=list, description="evidence looked for and not found, said plainly"
    )
    sources: list[Text] = Field(default_factory=list, description="further sources cited in prose")

    @model_validator(mode="after")
    def _headline_exists(self) -> Treatment:
        ids = [e.id for e in self.estimates]
        if len(set(ids)) != len(ids):
            raise ValueError(f"estimate ids repeat: {ids}")
        if self.headline_estimate is not None and self.headline_estimate not in ids:
            raise ValueError(f"headline_estimate {self.headline_estimate!r} is not an estimate id")
        if not self.estimates and not self.not_found:
            raise ValueError("a treatment without estimates must say in not_found what is missing")
        return self

    @property
    def headline(self) -> Estimate | None:
        """The estimate named by ``headline_estimate`` (the one the slider reveals), or None."""
        return next((e for e in self.estimates if e.id == self.headline_estimate), None)


class NaturalHistoryPoint(StrictModel):
    """A cohort's mean pain (0 to 100) and its 95% CI, so many weeks after the start of follow-up."""

    cohort: Text
    weeks: float = Field(ge=0)
    mean_pain: float = Field(ge=0, le=100)
    ci_low: float = Field(ge=0, le=100)
    ci_high: float = Field(ge=0, le=100)


class Fact(StrictModel):
    """A sourced statement with an optional figure (used for natural history and recurrence)."""

    id: Text
    text: Text
    source: Text


class RedFlag(StrictModel):
    """A warning sign of a serious cause, in plain words, with how urgently to act."""

    id: Text
    group: Literal["cauda equina syndrome", "cancer", "infection", "fracture", "other"]
    sign: Text = Field(description="the sign, in plain words a patient can check")
    possible_cause: Text
    urgency: Urgency
    action: Text = Field(description="what to do, in plain words; must match the urgency")
    sources: list[Text] = Field(min_length=1)
    read_in: list[ReadIn] = Field(min_length=1, description="where the sign and its urgency were read")
    note: str = Field("", description="for authors and students: caveats, how the urgency was set")


class StartBackItem(StrictModel):
    """One of the nine STarT Back questions, and whether it counts in the distress subscale."""

    number: int = Field(ge=1, le=9)
    topic: Text
    subscale: bool


class StartBack(StrictModel):
    """The STarT Back questions and the cut-offs that sort a patient into low, medium or high risk."""

    items: list[StartBackItem]
    subscale_items: list[int]
    low_max_total: int
    high_min_subscale: int
    item9_positive_answers: list[Text]
    sources: list[Text]
    note: str = ""

    @model_validator(mode="after")
    def _consistent(self) -> StartBack:
        if [i.number for i in self.items] != list(range(1, 10)):
            raise ValueError("items must be numbered 1 to 9 in order")
        if sorted(i.number for i in self.items if i.subscale) != sorted(self.subscale_items):
            raise ValueError("items marked subscale differ from subscale_items")
        return self


class GuidelineRecommendation(StrictModel):
    """One recommendation of a major guideline, for the course-wide 'what the guidelines say' list."""

    id: Text
    body: Text
    year: int = Field(ge=1900, le=2100)
    topic: Text = Field(description="the intervention or step, in plain words")
    kind: Literal["assessment", "self-care", "non-drug treatment", "medicine"]
    treatment: str | None = Field(None, description="id of the course's page on it, if any")
    stance: Stance
    wording: Text = Field(description="what the guideline says, in our words, with its grade")
    population: Text
    source: Text
    read_in: ReadIn


class GuidelineDisagreement(StrictModel):
    """Where guidelines part ways on one topic, naming the recommendations it contrasts."""

    topic: Text
    summary: Text
    recommendations: list[Text] = Field(min_length=2)


class GuidelineList(StrictModel):
    """``guidelines.yaml``: recommendations beyond the treatment pages, and the disagreements."""

    recommendations: list[GuidelineRecommendation]
    disagreements: list[GuidelineDisagreement]


class Reference(StrictModel):
    """``reference.yaml``: scales, MCIDs, natural history, facts, red flags and STarT Back scoring."""

    scales: list[Scale]
    mcids: list[Mcid]
    course_mcid_note: Text
    natural_history: list[NaturalHistoryPoint]
    natural_history_source: Text
    facts: list[Fact]
    red_flags: list[RedFlag]
    startback: StartBack


class EvidenceBase(BaseModel):
    """Everything loaded and cross-checked: look treatments, sources and scales up by id."""

    model_config = ConfigDict(frozen=True)

    sources: dict[str, Source]
    reference: Reference
    treatments: dict[str, Treatment]
    guidelines: GuidelineList

    def treatment(self, treatment_id: str) -> Treatment:
        """The treatment with this id; an unknown id raises a KeyError that lists the known ones."""
        try:
            return self.treatments[treatment_id]
        except KeyError:
            known = ", ".join(sorted(self.treatments))
            raise KeyError(f"unknown treatment id {treatment_id!r}; known ids: {known}") from None

    def scale(self, scale_id: str) -> Scale:
        """The scale with this id (loading has checked every scale id the data files use)."""
        return next(s for s in self.reference.scales if s.id == scale_id)

    def mcid_for(self, scale_id: str) -> Mcid | None:
        """The MCID the course uses on this scale, or None if the scale has none."""
        mcid_id = self.scale(scale_id).mcid
        return next((m for m in self.reference.mcids if m.id == mcid_id), None)

    def cite(self, source_id: str) -> str:
        """The full one-line reference of the source with this id."""
        return self.sources[source_id].citation()

    def sources_of(self, treatment: Treatment) -> list[Source]:
        """Every source a treatment cites, each once, in order of first use."""
        ids = [e.source for e in treatment.estimates] + [s.source for s in treatment.stances]
        ids += treatment.harms.sources + treatment.sources
        return [self.sources[i] for i in dict.fromkeys(ids)]


def choose_headline(t: Treatment, sources: dict[str, Source]) -> Estimate | None:
    """The headline rule: the estimate the slider, the explorer and the overviews lead with.

    1. Only patient outcomes qualify: pain, or function when no pain result exists (no headline
       otherwise: a posture angle says nothing a patient feels).
    2. The most recent source (newer reviews include or supersede older ones).
    3. The highest certainty of evidence.
    4. The comparison patients ask about: no treatment or usual care, then the treatment added
       to other care, then another treatment, and a sham or placebo only when nothing else is
       there (the page then says that the comparison is a sham).
    5. The most participants; then the first in the file.
    """
    for outcome in HEADLINE_OUTCOMES:
        candidates = [e for e in t.estimates if e.outcome == outcome]
        if candidates:
            break
    else:
        return None
    order = {e.id: i for i, e in enumerate(t.estimates)}
    return min(candidates, key=lambda e: (
        -(sources[e.source].year or 0) if e.source in sources else 0,
        -CERTAINTY_RANK[e.certainty],
        COMPARISON_PREFERENCE.index(e.compared_with),
        -(e.participants or 0),
        order[e.id],
    ))


def _read_yaml(path: Path) -> Any:
    return read_yaml(path, EvidenceError)


def _parse(model: type[M], path: Path, data: Any) -> M:
    return parse(model, path, data, EvidenceError)


def _fail(path: Path, entry: str | None, field: str, reason: str) -> NoReturn:
    raise EvidenceError(problem(path, entry, field, reason))


def load_evidence(data_dir: Path | str = DATA_DIR) -> EvidenceBase:
    """Load and validate every evidence file under ``data_dir``; raise EvidenceError if any is bad."""
    data_dir = Path(data_dir)
    sources_path = data_dir / "sources.yaml"
    raw_sources = _read_yaml(sources_path) or []
    sources: dict[str, Source] = {}
    for raw in raw_sources:
        src = _parse(Source, sources_path, raw)
        if src.id in sources:
            _fail(sources_path, src.id, "id", "listed twice")
        sources[src.id] = src

    reference_path = data_dir / "reference.yaml"
    reference: Reference = _parse(Reference, reference_path, _read_yaml(reference_path))
    scales = {s.id: s for s in reference.scales}
    mcid_ids = {m.id for m in reference.mcids}
    _check_reference(reference_path, reference, sources, scales, mcid_ids)

    treatments: dict[str, Treatment] = {}
    for path in sorted((data_dir / "treatments").glob("*.yaml")):
        treatment: Treatment = _parse(Treatment, path, _read_yaml(path))
        if treatment.id != path.stem:
            _fail(path, treatment.id, "id", f"must match the file name {path.stem!r}")
        _check_treatment(path, treatment, sources, scales)
        treatments[treatment.id] = treatment

    guidelines_path = data_dir / "guidelines.yaml"
    guidelines: GuidelineList = _parse(GuidelineList, guidelines_path, _read_yaml(guidelines_path))
    _check_guidelines(guidelines_path, guidelines, sources, treatments)
    return EvidenceBase(
        sources=sources, reference=reference, treatments=treatments, guidelines=guidelines
    )


def _need_status(path: Path, entry: str, field: str, source: Source) -> None:
    """A guideline, leaflet or framework behind safety advice or a stance must say if it is current."""
    if source.status is None:
        _fail(path, entry, field, f"source {source.id!r} needs 'status: current' or "
              "'status: historic' in sources.yaml")


def _check_guidelines(
    path: Path, guidelines: GuidelineList, sources: dict[str, Source],
    treatments: dict[str, Treatment],
) -> None:
    ids = [r.id for r in guidelines.recommendations]
    for split in guidelines.disagreements:
        for rec_id in split.recommendations:
            if rec_id not in ids:
                _fail(path, split.topic, "recommendations", f"unknown recommendation id {rec_id!r}")
    for rec in guidelines.recommendations:
        if ids.count(rec.id) > 1:
            _fail(path, rec.id, "id", "listed twice")
        if rec.source not in sources:
            _fail(path, rec.id, "source", f"unknown source id {rec.source!r}")
        _need_status(path, rec.id, "source", sources[rec.source])
        if rec.treatment is not None and rec.treatment not in treatments:
            _fail(path, rec.id, "treatment", f"unknown treatment id {rec.treatment!r}")


def _check_reference(
    path: Path, ref: Reference, sources: dict[str, Source], scales: dict[str, Scale],
    mcid_ids: set[str],
) -> None:
    def need_source(entry: str, field: str, source_id: str) -> None:
        if source_id not in sources:
            _fail(path, entry, field, f"unknown source id {source_id!r}")

    for scale in ref.scales:
        if scale.mcid is not None and scale.mcid not in mcid_ids:
            _fail(path, scale.id, "mcid", f"unknown MCID id {scale.mcid!r}")
    for mcid in ref.mcids:
        need_source(mcid.id, "source", mcid.source)
        if mcid.scale not in scales:
            _fail(path, mcid.id, "scale", f"unknown scale id {mcid.scale!r}")
    need_source("natural_history", "natural_history_source", ref.natural_history_source)
    for fact in ref.facts:
        need_source(fact.id, "source", fact.source)
    for flag in ref.red_flags:
        for i, source_id in enumerate(flag.sources):
            need_source(flag.id, f"sources.{i}", source_id)
            _need_status(path, flag.id, f"sources.{i}", sources[source_id])
    for source_id in ref.startback.sources:
        need_source("startback", "sources", source_id)


def _check_treatment(
    path: Path, t: Treatment, sources: dict[str, Source], scales: dict[str, Scale]
) -> None:
    def fail(entry: str, field: str, reason: str) -> None:
        _fail(path, entry, field, reason)

    for est in t.estimates:
        if est.source not in sources:
            fail(est.id, "source", f"unknown source id {est.source!r}")
        scale = scales.get(est.scale)
        if scale is None:
            fail(est.id, "scale", f"unknown scale id {est.scale!r}")
            continue
        for field in ("estimate", "ci_low", "ci_high"):
            value = getattr(est, field)
            if not scale.low <= value <= scale.high:
                fail(est.id, field, f"{value} lies outside the scale {scale.id} "
                                    f"[{scale.low}, {scale.high}]")
    for i, stance in enumerate(t.stances):
        if stance.source not in sources:
            fail(f"{stance.body} {stance.year}", f"stances.{i}.source",
                 f"unknown source id {stance.source!r}")
        _need_status(path, f"{stance.body} {stance.year}", f"stances.{i}.source",
                     sources[stance.source])
    expected = choose_headline(t, sources)
    chosen = t.headline
    if chosen != expected and not t.headline_reason.startswith("Exception:"):
        rule = expected.id if expected else "none"
        fail(t.id, "headline_estimate",
             f"the headline rule (widgets.evidence.choose_headline) picks {rule!r}; use it, or "
             "start headline_reason with 'Exception:' and say why")
    for field, ids in (("harms.sources", t.harms.sources), ("sources", t.sources)):
        for source_id in ids:
            if source_id not in sources:
                fail(t.id, field, f"unknown source id {source_id!r}")


@cache
def evidence() -> EvidenceBase:
    """The course's evidence base, loaded once per process."""
    return load_evidence()
