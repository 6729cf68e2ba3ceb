"""Scores of a month as of a time T: the scheme in force that month, the figures of portal.stats as of T,
the deductions and bonuses on record at T; rankings per group and 红榜/黑榜 by the portal's one ranking rule
(portal.stats.trends.place). Read-only.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.knowledge.queries import campaign_compliance
from portal.scores.indicators import REGISTRY, Figures
from portal.scores.models import Adjustment, BoardScope, Scheme
from portal.scores.scoring import Rule, Score, score, to_points
from portal.stats import queries as stats
from portal.stats.trends import BLACK, RED, place
from portal.units.models import UNIT_GROUPS, Unit


def first_of(month: date) -> date:
    return month.replace(day=1)


def scheme_in_force(month: date) -> Scheme | None:
    """The version with the latest first month on or before `month`."""
    stmt = (select(Scheme).where(Scheme.effective_from <= first_of(month))
            .order_by(Scheme.effective_from.desc()).limit(1)
            .options(selectinload(Scheme.items), selectinload(Scheme.groups)))
    return db.session.scalars(stmt).first()


def all_schemes() -> list[Scheme]:
    return list(db.session.scalars(select(Scheme).order_by(Scheme.effective_from.desc())))


def rules_of(scheme: Scheme) -> list[Rule]:
    """The scheme's indicators that this installation knows (an unknown key is left out, never guessed)."""
    return [Rule(REGISTRY[i.indicator], i.weight, i.threshold) for i in scheme.items if i.indicator in REGISTRY]


def adjustments_at(month: date, as_of: datetime, unit_id: int | None = None) -> list[Adjustment]:
    """Deductions and bonuses for `month` entered by T and not revoked by T, oldest first."""
    stmt = (select(Adjustment).where(Adjustment.month == first_of(month), Adjustment.created_at <= as_of,
                                     or_(Adjustment.revoked_at.is_(None), Adjustment.revoked_at > as_of))
            .order_by(Adjustment.created_at, Adjustment.id))
    if unit_id is not None:
        stmt = stmt.where(Adjustment.unit_id == unit_id)
    return list(db.session.scalars(stmt))


@dataclass
class Entry:
    """One unit's line: its score and its places."""

    unit_id: int
    short_name: str
    full_name: str
    group: str
    display_order: int
    score: Score | None  # None: nothing dispatched to it this month (not scored)
    rank: int | None = None  # within its group
    tied: bool = False
    overall_rank: int | None = None
    overall_tied: bool = False
    mark: str | None = None  # 红榜 / 黑榜 under the scheme's scope
    adjustments: list[Adjustment] = field(default_factory=list)

    @property
    def total(self):
        return None if self.score is None else self.score.total

    @property
    def percent_text(self) -> str:
        p = None if self.score is None else self.score.percent
        return "—" if p is None else f"{to_points(p * 100)}%"


@dataclass
class MonthScores:
    month: date
    as_of: datetime
    scheme: Scheme | None
    groups: dict[str, list[Entry]] = field(default_factory=dict)  # scored units, ranked, per group
    unscored: list[Entry] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.month.year}年{self.month.month}月"

    @property
    def rules(self) -> list[Rule]:
        return rules_of(self.scheme) if self.scheme else []

    @property
    def red(self) -> list[Entry]:
        return self._board(RED)

    @property
    def black(self) -> list[Entry]:
        return self._board(BLACK)

    def _board(self, mark: str) -> list[Entry]:
        entries = [e for rows in self.groups.values() for e in rows if e.mark == mark]
        if self.scheme is not None and self.scheme.board_scope == BoardScope.OVERALL:
            entries.sort(key=lambda e: (e.overall_rank, e.display_order, e.unit_id))
        return entries

    def entry(self, unit_id: int) -> Entry | None:
        for e in [*(e for rows in self.groups.values() for e in rows), *self.unscored]:
            if e.unit_id == unit_id:
                return e
        return None

    def ranked_in(self, group: str) -> int:
        return len(self.groups.get(group, []))


def _order(entries: list[Entry], key) -> list[Entry]:
    return sorted(entries, key=lambda e: (-key(e), e.display_order, e.unit_id))


def month_scores(month: date, as_of: datetime) -> MonthScores:
    """Every unit's score for `month` as of T, ranked per group, with 红榜/黑榜 (empty without a scheme)."""
    month = first_of(month)
    scheme = scheme_in_force(month)
    result = MonthScores(month, as_of, scheme)
    if scheme is None:
        return result
    period = stats.Period.month(month.year, month.month, as_of)
    rows = {r.unit_id: r for r in stats.unit_rows(period)}
    rates = stats.unit_rates(period)
    kb = campaign_compliance(period.start, period.end, as_of)
    adjustments: dict[int, list[Adjustment]] = defaultdict(list)
    for a in adjustments_at(month, as_of):
        adjustments[a.unit_id].append(a)
    rules = rules_of(scheme)
    units = db.session.scalars(select(Unit).where(Unit.id.in_(set(rows) | set(rates) | set(adjustments))))
    scored: dict[str, list[Entry]] = defaultdict(list)
    for unit in units:
        entry = Entry(unit.id, unit.short_name, unit.full_name, unit.group, unit.display_order, None,
                      adjustments=adjustments.get(unit.id, []))
        full = scheme.full_marks(unit.group)
        r = rates.get(unit.id)
        # Scored when the month gave it work: orders dispatched to it, or 协办 parts once that figure exists.
        if full is not None and r is not None and (r.dispatched_to or getattr(r, "co_tasks", 0)):
            figures = Figures(rows.get(unit.id), r, kb.get(unit.id))
            entry.score = score(rules, full, figures, [a.signed_hundredths for a in entry.adjustments])
        if entry.total is None:
            result.unscored.append(entry)
        else:
            scored[unit.group].append(entry)
    overall = scheme.board_scope == BoardScope.OVERALL
    for group in sorted(scored, key=lambda g: (UNIT_GROUPS.index(g) if g in UNIT_GROUPS else len(UNIT_GROUPS), g)):
        ordered = _order(scored[group], lambda e: e.total)
        places = place(ordered, lambda e: e.total, lambda e: e.total, scheme.red_size, scheme.black_size)
        for e, p in zip(ordered, places):
            e.rank, e.tied, e.mark = p.rank, p.tied, None if overall else p.mark
        result.groups[group] = ordered
    if overall:
        everyone = _order([e for rows in result.groups.values() for e in rows], lambda e: e.score.percent)
        # Units of different groups are compared by 得分率 (score ÷ full marks), to the hundredth of a percent.
        key = lambda e: to_points(e.score.percent * 100)
        for e, p in zip(everyone, place(everyone, key, key, scheme.red_size, scheme.black_size)):
            e.overall_rank, e.overall_tied, e.mark = p.rank, p.tied, p.mark
    result.unscored.sort(key=lambda e: (e.display_order, e.unit_id))
    return result



def home_panel(user, at: datetime) -> dict | None:
    """Last month's scores for the home page: 红榜/黑榜 for the centre, the unit's own score for a unit user."""
    if not (user.is_centre or (user.is_unit_user and user.unit_id)):
        return None
    month = (at.date().replace(day=1) - timedelta(days=1)).replace(day=1)
    board = month_scores(month, at)
    if board.scheme is None:
        return None
    if user.is_centre:
        return {"kind": "centre", "board": board}
    return {"kind": "unit", "board": board, "entry": board.entry(user.unit_id)}
