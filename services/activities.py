"""Finding activities and answering about them: when, where, theme, organisers, phases."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence

from sqlalchemy.orm import sessionmaker

from services.activity_match import fuzzy_matches
from services.dates import DAY, DatePoint, DateSpan, Timing
from services.models import Activity, Milestone
from services.repositories import ActivityRepository, OrganisationRepository
from services.textnorm import match_key
from services.views import (
    HELD,
    ActivityContactView,
    ActivityDetails,
    ActivitySummary,
    MilestoneView,
    Resolution,
    SourceView,
)

QUALITY_MONTH = "质量月"
# An alias shorter than this only counts when the member typed exactly it.
_MIN_CONTAINED_ALIAS = 2
# A piece of a name found in a sentence: at least this long, and naming at most
# that many activities (else it is a common word such as 质量管理).
_MIN_DISTINCTIVE_PIECE = 4
_MAX_NAMED_BY_PIECE = 2
_YEAR_ONLY = re.compile(r"[\d年度]+")


def milestone_span(milestone: Milestone) -> DateSpan | None:
    if milestone.start_date is None:
        return None
    start = DatePoint(milestone.start_date, milestone.start_precision or DAY)
    end = (
        DatePoint(milestone.end_date, milestone.end_precision or DAY)
        if milestone.end_date
        else start
    )
    return DateSpan(start, end)


def activity_span(activity: Activity) -> DateSpan | None:
    """From the first milestone's start to the last one's end; else the activity's year."""
    spans = [span for span in map(milestone_span, activity.milestones) if span]
    if spans:
        start = min((span.start for span in spans), key=lambda point: point.first_day)
        end = max((span.end for span in spans), key=lambda point: point.last_day)
        return DateSpan(start, end)
    if activity.year:
        return DateSpan.single(DatePoint(dt.date(activity.year, 1, 1), "year"))
    return None


def summarise(activity: Activity) -> ActivitySummary:
    return ActivitySummary(
        id=activity.id,
        key=activity.key,
        name=activity.name,
        year=activity.year,
        category=activity.category,
        span=activity_span(activity),
    )


def source_of(activity: Activity) -> SourceView | None:
    document = activity.source_document
    if document is None:
        return None
    return SourceView(title=document.title, issued_on=document.issued_on, year=document.year)


def milestone_views(activity: Activity) -> tuple[MilestoneView, ...]:
    return tuple(
        MilestoneView(
            name=milestone.name,
            span=milestone_span(milestone),
            when_text=milestone.when_text,
            closes_signup=milestone.closes_signup,
            note=milestone.note,
        )
        for milestone in activity.milestones
    )


def held_span(activity: Activity) -> DateSpan | None:
    """When the activity itself takes place: its 举办 milestone, else its whole span."""
    held = next((m for m in activity.milestones if m.name == HELD and m.start_date), None)
    return milestone_span(held) if held else activity_span(activity)


def signup_deadline(activity: Activity) -> dt.date | None:
    """The last day to sign up: stated, or the end of the phase that closes sign-up
    (the activity's, else its programme's); else, for an activity held from a known
    day, the day before it starts. None when the notice allows neither."""
    stated = _stated_deadline(activity)
    if stated is not None:
        return stated
    span = held_span(activity)
    if span is not None and span.start.precision == DAY:
        return span.start.first_day - dt.timedelta(days=1)
    return None


def _stated_deadline(activity: Activity) -> dt.date | None:
    seen: set[int] = set()
    current: Activity | None = activity
    # Up the programme chain, but only for what a notice stated: a programme's own
    # first day must not close its later items.
    while current is not None and current.id not in seen:
        seen.add(current.id)
        if current.signup_deadline:
            return current.signup_deadline
        for milestone in current.milestones:
            span = milestone_span(milestone)
            if milestone.closes_signup and span:
                return span.end.last_day
        current = current.parent
    return None


# A change notice's earlier values live in the activity's description, one line each
# ("原定时间：2027年1月21日"), where staff see and can edit them in the console.
PREVIOUS_LABELS = {
    "span": "时间",
    "time_of_day": "时段",
    "place": "地点",
    "audience": "对象",
    "capacity": "名额",
    "fee": "费用",
    "signup_deadline": "报名截止",
    "signup_method": "报名方式",
    "theme": "主题",
}
_OTHER = "other"
_PREVIOUS_LINE = re.compile(r"^原定(\w{0,6})：(.+)$", re.MULTILINE)


def previously_line(field_name: str, text: str) -> str:
    return f"原定{PREVIOUS_LABELS.get(field_name, '')}：{text}"


def previously_of(description: str | None) -> tuple[tuple[str, str], ...]:
    """The (field, earlier value) pairs written by `previously_line`."""
    fields = {label: name for name, label in PREVIOUS_LABELS.items()}
    return tuple((fields.get(label, _OTHER), text.strip())
                 for label, text in _PREVIOUS_LINE.findall(description or ""))


def contact_views(activity: Activity) -> tuple[ActivityContactView, ...]:
    return tuple(
        ActivityContactView(org=c.org, person=c.person, phone=c.phone, mobile=c.mobile,
                            email=c.email, fax=c.fax, address=c.address, postcode=c.postcode)
        for c in activity.contacts
    )


def _sorted_by_date(summaries: Iterable[ActivitySummary]) -> list[ActivitySummary]:
    far_past = dt.date.min
    return sorted(summaries, key=lambda s: (s.span.start.first_day if s.span else far_past, s.id))


class ActivityService:
    def __init__(self, session_factory: sessionmaker, today: Callable[[], dt.date]) -> None:
        self._session_factory = session_factory
        self._today = today

    def today(self) -> dt.date:
        return self._today()

    # -- finding -----------------------------------------------------------------

    def resolve(self, text: str | None, year: int | None = None,
                fuzzy: bool = True) -> Resolution[ActivitySummary]:
        """The activities the member's words can mean, best matches only.

        `fuzzy` also accepts partial names and short forms (for a name the member
        typed); a whole sentence is matched only on names it contains."""
        key = match_key(text or "")
        if not key:
            return Resolution()
        with self._session_factory() as session:
            repo = ActivityRepository(session)
            index = repo.name_index()
            ids = fuzzy_matches(key, index) if fuzzy else (_best_matches(key, index)
                                                           or _distinctive_overlap(key, index))
            activities = [a for a in (repo.get(i) for i in sorted(ids)) if a is not None]
            if year is not None and any(a.year == year for a in activities):
                activities = [a for a in activities if a.year == year]
            activities = _drop_children_of_matched_parents(activities)
            return Resolution(tuple(_sorted_by_date(map(summarise, activities)))[::-1])

    def name_index(self) -> list[tuple[str, int]]:
        """Every (match key, activity id) of the activities' names and aliases."""
        with self._session_factory() as session:
            return ActivityRepository(session).name_index()

    def names_from(self, document_id: int) -> list[str]:
        """The activities a notice announced, by name."""
        with self._session_factory() as session:
            return ActivityRepository(session).names_from(document_id)

    def announced_in(self, document_id: int) -> list[ActivitySummary]:
        """The activities a notice announced."""
        with self._session_factory() as session:
            activities = ActivityRepository(session).announced_in(document_id)
            return [summarise(activity) for activity in activities]

    def summary(self, activity_id: int) -> ActivitySummary | None:
        with self._session_factory() as session:
            activity = ActivityRepository(session).get(activity_id)
            return summarise(activity) if activity else None

    def details(self, activity_id: int) -> ActivityDetails | None:
        with self._session_factory() as session:
            repo = ActivityRepository(session)
            activity = repo.get(activity_id)
            if activity is None:
                return None
            roles = sorted(activity.roles, key=lambda role: role.position)
            return ActivityDetails(
                summary=summarise(activity),
                theme=activity.theme,
                location=activity.location,
                fee=activity.fee,
                capacity=activity.capacity,
                seats_taken=activity.seats_taken,
                description=activity.description,
                signup_deadline=signup_deadline(activity),
                milestones=milestone_views(activity),
                organisers=tuple(r.organisation.name for r in roles if r.role == "organiser"),
                responsible_units=tuple(
                    r.organisation.name for r in roles if r.role == "responsible"
                ),
                parent_name=activity.parent.name if activity.parent else None,
                children=tuple(map(summarise, repo.children(activity.id))),
                source=source_of(activity),
                time_of_day=activity.time_of_day,
                audience=activity.audience,
                signup_method=activity.signup_method,
                contacts=contact_views(activity),
                previously=previously_of(activity.description),
                source_document_id=activity.source_document_id,
            )

    def inherited_milestones(self, activity_id: int) -> tuple[MilestoneView, ...]:
        """The activity's phases, or its programme's when it has none of its own."""
        with self._session_factory() as session:
            activity = ActivityRepository(session).get(activity_id)
            while activity is not None:
                if activity.milestones:
                    return milestone_views(activity)
                activity = activity.parent
            return ()

    # -- listing -----------------------------------------------------------------

    def list_activities(
        self,
        year: int | None = None,
        month: tuple[int, int] | None = None,
        category: str | None = None,
        organisation_id: int | None = None,
    ) -> list[ActivitySummary]:
        with self._session_factory() as session:
            activities: Sequence[Activity] = ActivityRepository(session).all_with_milestones()
            if organisation_id is not None:
                ids = OrganisationRepository(session).activity_ids_of(organisation_id)
                activities = [a for a in activities if a.id in ids]
            summaries = [summarise(a) for a in activities]
        if year is not None:
            summaries = [s for s in summaries if s.year == year]
        if month is not None:
            first = dt.date(month[0], month[1], 1)
            window = DateSpan.single(DatePoint(first, "month"))
            summaries = [s for s in summaries if s.span and _overlaps(s.span, window)]
        if category:
            wanted = match_key(category)
            summaries = [s for s in summaries if wanted in match_key(s.category or "")
                         or wanted in match_key(s.name)]
        return _sorted_by_date(summaries)

    def upcoming(self) -> list[ActivitySummary]:
        """Activities still to come or under way, soonest first."""
        today = self.today()
        return [
            s for s in self.list_activities()
            if s.timing(today) in (Timing.UPCOMING, Timing.ONGOING)
            and s.span is not None and s.span.start.precision != "year"
        ]

    def latest(self, limit: int = 5) -> list[ActivitySummary]:
        """The most recent activities with known dates, newest first."""
        dated = [s for s in self.list_activities() if s.span is not None]
        dated.sort(key=lambda s: (s.span.end.last_day if s.span else dt.date.min), reverse=True)
        return dated[:limit]

    def quality_month(self, year: int | None = None) -> ActivityDetails | None:
        """The 质量月 programme of that year, or the latest one known."""
        programmes = [
            s for s in self.list_activities(category=QUALITY_MONTH)
            if s.category == QUALITY_MONTH and QUALITY_MONTH in s.name
        ]
        with self._session_factory() as session:
            top_level_ids = ActivityRepository(session).top_level_ids(s.id for s in programmes)
        top_level = [s for s in programmes if s.id in top_level_ids]
        if year is not None:
            top_level = [s for s in top_level if s.year == year]
        if not top_level:
            return None
        newest = max(top_level, key=lambda s: (s.year or 0, s.id))
        return self.details(newest.id)


def _overlaps(a: DateSpan, b: DateSpan) -> bool:
    return a.start.first_day <= b.end.last_day and b.start.first_day <= a.end.last_day


def _best_matches(key: str, index: list[tuple[str, int]]) -> set[int]:
    exact = {activity_id for name, activity_id in index if name == key}
    if exact:
        return exact
    # The member typed part of a name (世界质量论坛) or a name inside a sentence
    # (我想问问世界质量论坛的事): the longest overlap wins.
    best, ids = 0, set()
    for name, activity_id in index:
        if len(name) >= _MIN_CONTAINED_ALIAS and name in key:
            score = len(name)
        elif len(key) >= _MIN_CONTAINED_ALIAS and key in name:
            score = len(key)
        else:
            continue
        if score > best:
            best, ids = score, {activity_id}
        elif score == best:
            ids.add(activity_id)
    return ids


def _distinctive_overlap(key: str, index: list[tuple[str, int]]) -> set[int]:
    """A sentence holding a piece of one name only ("内审员培训收费吗" for
    2026年质量管理体系内审员培训): the longest pieces the sentence shares with
    any name, when long enough and naming few activities. "质量管理" is in too
    many names to mean any of them."""
    for length in range(len(key), _MIN_DISTINCTIVE_PIECE - 1, -1):
        pieces = {key[i:i + length] for i in range(len(key) - length + 1)}
        ids = {activity_id for piece in pieces if not _YEAR_ONLY.fullmatch(piece)
               for name, activity_id in index if piece in name}
        if ids:
            return ids if len(ids) <= _MAX_NAMED_BY_PIECE else set()
    return set()


def _drop_children_of_matched_parents(activities: list[Activity]) -> list[Activity]:
    """质量月 matches the programme and its twenty items: the programme is meant."""
    ids = {a.id for a in activities}
    return [a for a in activities if a.parent_id not in ids]
