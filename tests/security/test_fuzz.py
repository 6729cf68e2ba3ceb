"""Hostile input to every form and query string of every role: no answer >= 500, nothing written on a refusal.

The walk is systematic (every form the crawler finds as each role, every field replaced by each hostile
value, dropped, or sent twice; every query argument of every GET page), and a Hypothesis test then mixes
random text and numbers into random fields. The figures are printed (`-s`) for the issue's closing note.
"""
from __future__ import annotations

import io
import re
from datetime import date, datetime

import pytest
from flask import got_request_exception
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.auth.roles import Role
from portal.circulars import services as circulars
from portal.extensions import db
from portal.knowledge import services as kb
from portal.units.models import Unit
from portal.auth.models import User
from tests.factories import UserFactory
from portal.knowledge.models import KBCategory
from portal.orders.models import Subject
from portal.scores.models import AdjustmentKind
from portal.scores.services import add_adjustment
from tests.knowledge.factories import campaign, data, liaison
from tests.orders.factories import frozen
from tests.security.fuzzing import HOSTILE, parse_page, query_names, row_counts
from tests.scores.helpers import scheme as score_scheme
from tests.security.helpers import log_in, two_units

# One value of each kind per field keeps the walk to a few thousand requests; the Hypothesis test adds the rest.
FIELD_VALUES = ("", str(2**63), "9999-12-31", "2026-02-30", "a\x00b\x1b\x7f", "x" * 5000)
ROLES = (Role.LIAISON, Role.UNIT_LEADER, Role.OPERATOR, Role.CENTRE_STAFF, Role.ADMIN, Role.SECURITY_ADMIN,
         Role.AUDITOR)
# Never fuzzed: logging out would end the walk's session.
SKIP = {"/logout"}


class World:
    def __init__(self):
        self.two = two_units()
        t = self.two
        self.users = {Role.LIAISON: t.a_liaison, Role.UNIT_LEADER: t.a_leader,
                      Role.OPERATOR: UserFactory(role=Role.OPERATOR, unit=None),
                      Role.CENTRE_STAFF: UserFactory(role=Role.CENTRE_STAFF, unit=None),
                      Role.ADMIN: UserFactory(role=Role.ADMIN, unit=None),
                      Role.SECURITY_ADMIN: UserFactory(role=Role.SECURITY_ADMIN, unit=None),
                      Role.AUDITOR: UserFactory(role=Role.AUDITOR, unit=None)}
        staff = self.users[Role.CENTRE_STAFF]
        self.published = kb.create_entry(liaison(t.a), t.a.id, data("甲单位已报送条目"), submit=True)
        kb.publish_entry(staff, self.published)
        self.campaign = campaign(datetime(2026, 12, 25, 23, 59, 59), units=[t.a], starts_at=datetime(2026, 11, 1, 9))
        with frozen():
            self.issued = circulars.draft(date(2026, 11, 1), date(2026, 11, 23), datetime(2026, 11, 24, 9), staff)
            circulars.set_recipients(self.issued, [t.a.id])
            circulars.issue(self.issued, staff)
            self.circular = circulars.draft(date(2026, 11, 1), date(2026, 11, 23), datetime(2026, 11, 24, 9), staff)
        self.scheme = score_scheme(date(2031, 1, 1), at=datetime(2026, 11, 20, 9))  # not begun: its edit form is open
        self.adjustment = add_adjustment(staff, unit=t.a, month=date(2026, 11, 1), kind=AdjustmentKind.DEDUCT,
                                         hundredths=100, reason="答复不规范", at=datetime(2026, 11, 24, 9))
        self.subject = Subject(name="城乡建设")
        self.category = KBCategory(name="社会保障")
        db.session.add_all([self.subject, self.category])
        db.session.flush()
        self._appeal_and_notice(t)
        db.session.commit()

    def _appeal_and_notice(self, t):
        """An appeal of unit a waiting for its leader (with a file) and a 督办单 (issue 13)."""
        from portal.appeals.models import Appeal, AppealFile, AppealKind, AppealStatus
        from portal.orders.notices import SupervisionNotice

        order = next(iter(t.orders.values()))
        self.appeal = Appeal(order_id=order.id, unit_id=t.a.id, kind=AppealKind.LATENESS, target="late:fuzz",
                             completed_at=datetime(2026, 11, 20, 9), reason="群众预约", status=AppealStatus.LEADER_REVIEW)
        db.session.add(self.appeal)
        db.session.flush()
        self.appeal_file = AppealFile(appeal_id=self.appeal.id, original_name="a.png", stored_name="appeals/none.png",
                                      content_type="image/png", size=1)
        self.notice = SupervisionNotice(order_id=order.id, unit_id=t.a.id, year=2026, seq=1, text="限期办结")
        db.session.add_all([self.appeal_file, self.notice])

    def args(self, role: Role) -> dict[str, object]:
        t = self.two
        order = next(iter(t.orders.values()))
        return {"order_id": order.id, "attachment_id": t.attachment.id, "unit_id": t.a.id,
                "user_id": t.a_liaison.id, "entry_id": t.kb_draft.id, "campaign_id": self.campaign.id,
                "notification_id": t.notice.id, "year": 2031, "key": "s1", "action": "sign",
                "subject_id": self.subject.id, "category_id": self.category.id,
                "scheme_id": self.scheme.id, "adjustment_id": self.adjustment.id,
                "circular_id": (self.issued if role.is_unit_role else self.circular).id,
                "appeal_id": self.appeal.id, "file_id": self.appeal_file.id, "notice_id": self.notice.id}

    def relogin(self, client, role: Role) -> None:
        """Log in again (a fuzzed admin action may have ended the session) with everyone active again."""
        db.session.rollback()
        db.session.execute(db.update(Unit).values(active=True))
        db.session.execute(db.update(User).values(active=True, must_change_password=False))
        db.session.commit()
        user = db.session.get(User, self.users[role].id)
        db.session.refresh(user)
        log_in(client, user)


def _pages(app, world, role):
    """Every GET URL of the map with real ids, plus each of the world's orders and entries."""
    from flask import url_for

    args = world.args(role)
    urls = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if "GET" not in rule.methods or rule.endpoint in ("static", "healthz"):
                continue
            urls.append(url_for(rule.endpoint, **{a: args[a] for a in rule.arguments}))
    urls += [f"/orders/{o.id}" for o in world.two.orders.values()]
    urls += [f"/knowledge/{world.published.id}", f"/circulars/{world.issued.id}"]
    return urls


def _send(client, method, url, fields):
    files = [(n, v) for n, v in fields if v == "<file>"]
    plain = [(n, v) for n, v in fields if v != "<file>"]
    if method == "GET":
        return client.get(url.split("?")[0], query_string=plain)
    body = {}
    for name, value in plain:
        body.setdefault(name, []).append(value)
    for name, _ in files:
        body.setdefault(name, []).append((io.BytesIO(b"PK\x03\x04" + b"\x00" * 30), "a\x00b.xlsx"))
    return client.post(url, data=body, content_type="multipart/form-data")


class Tally:
    def __init__(self):
        self.tried = 0
        self.failures: list[str] = []
        self.last_error = ""

    def record_exception(self, _sender, exception, **_extra):
        self.last_error = f"{type(exception).__name__}: {str(exception)[:120]}"

    def check(self, client, method, url, fields, label):
        before = row_counts()
        resp = _send(client, method, url, fields)
        self.tried += 1
        status = resp.status_code
        if status >= 500:
            self.failures.append(f"{status} {method} {url} {label} -> {self.last_error}")
        elif status >= 400 and method == "POST":
            after = row_counts()
            if after != before:
                self.failures.append(f"{status} wrote rows: {method} {url} {label}")
        return resp


def _mutations(fields):
    names = list(dict.fromkeys(n for n, _ in fields))
    for name in names:
        for value in FIELD_VALUES:
            yield f"{name}={value[:20]!r}", [(n, value if n == name else v) for n, v in fields]
        yield f"{name} missing", [(n, v) for n, v in fields if n != name]
        yield f"{name} twice", fields + [(name, next(v for n, v in fields if n == name) + "1")]


def _walk(app, client, world, role, tally):
    world.relogin(client, role)
    forms, links, seen = [], set(), set()
    for url in _pages(app, world, role):
        resp = tally.check(client, "GET", url, [], "page")
        if resp.mimetype == "text/html":
            found, hx = parse_page(url, resp.get_data(as_text=True))
            forms += found
            links |= hx
    for method, url in sorted(links):
        if url not in SKIP:
            forms.append(type(forms[0])(role="", action=url, method=method,
                                        fields=[(n, "1") for n in query_names(url)] or [("q", "1")]))
    for form in forms:
        if form.key() in seen or form.action.split("?")[0] in SKIP or not form.action.startswith("/"):
            continue
        seen.add(form.key())
        fields = form.fields + [(n, v) for n, v in _query_pairs(form.action) if n not in {f for f, _ in form.fields}]
        world.relogin(client, role)
        for label, mutated in _mutations(fields):
            resp = tally.check(client, form.method, form.action, mutated, f"as {role}: {label}")
            if resp.status_code in (302, 401) and "/login" in resp.headers.get("Location", "/login"):
                world.relogin(client, role)  # a fuzzed admin action ended this user's session
    return len(seen)


def _query_pairs(url):
    from urllib.parse import parse_qsl, urlsplit

    return parse_qsl(urlsplit(url).query, keep_blank_values=True)


@pytest.mark.parametrize("role", ROLES)
def test_hostile_values_in_every_form_and_query_string_never_answer_500(app, client, monkeypatch, role):
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)  # count every 500, do not stop at the first
    monkeypatch.setattr(app.logger, "disabled", True)
    world = World()
    tally = Tally()
    got_request_exception.connect(tally.record_exception, app)
    forms = _walk(app, client, world, role, tally)
    print(f"\nfuzz walk as {role}: {forms} forms and links, {tally.tried} requests, {len(tally.failures)} failures")
    assert not tally.failures, "\n".join(tally.failures[:300])


_ids = st.one_of(st.integers(min_value=-(2**70), max_value=2**70), st.sampled_from([0, 2**31, 2**63]))
_values = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=60), _ids.map(str),
                    st.dates(min_value=date(1, 1, 1)).map(str))
_ID_URLS = ("/orders/{}", "/orders/{}/reveal", "/knowledge/{}", "/circulars/{}", "/admin/users/{}/edit",
            "/admin/units/{}/edit", "/unit/roster/{}/handover", "/notifications/{}/read", "/admin/security/{}/roles")


@settings(max_examples=150, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_random_values_never_answer_500(app, client, data):
    role = data.draw(st.sampled_from(ROLES))
    user = UserFactory(role=role, unit=None) if not role.is_unit_role else UserFactory(role=role)
    log_in(client, user)
    page = data.draw(st.sampled_from(("/orders/queues", "/orders/mine", "/orders/export.xlsx", "/knowledge/",
                                      "/knowledge/search", "/knowledge/campaigns", "/admin/users", "/admin/units",
                                      "/admin/roster-changes", "/stats/", "/stats/unit", "/stats/units.csv",
                                      "/circulars/", "/notifications/", "/orders/duplicates", "/orders/units")))
    names = ("page", "tab", "kind", "date_from", "date_to", "q", "sort", "unit", "unit_id", "status", "campaign",
             "group", "active", "from", "to", "start", "end", "as_of", "dir", "unread", "exclude", "v", "role")
    query = data.draw(st.dictionaries(st.sampled_from(names), _values, max_size=4))
    resp = client.get(page, query_string=query)
    assert resp.status_code < 500, (page, query)
    ident = data.draw(_ids.filter(lambda n: n >= 0))
    path = data.draw(st.sampled_from(_ID_URLS)).format(ident)
    method = "POST" if re.search(r"/(reveal|read)$", path) else "GET"
    resp = client.open(path, method=method)
    assert resp.status_code < 500, path
