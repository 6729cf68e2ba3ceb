"""Five-level callbacks (GB/T 39734-2020): the default satisfied levels and which levels may reopen."""
from __future__ import annotations

import pytest

from portal.errors import RuleViolation
from portal.extensions import db
from portal.orders import services
from portal.orders.callbacks import satisfied_levels
from portal.orders.enums import CallbackResult, OrderState
from portal.orders.models import Callback
from tests.factories import UserFactory
from tests.orders.factories import frozen, order_in, staffed_unit

R = CallbackResult


def test_five_levels_in_order_with_the_standards_words():
    assert [r.label for r in R] == ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]
    assert satisfied_levels() == {R.VERY_SATISFIED, R.SATISFIED, R.BASICALLY_SATISFIED}
    assert {r for r in R if r.may_reopen} == {R.UNSATISFIED, R.VERY_UNSATISFIED}


@pytest.mark.parametrize("result", list(R))
def test_only_the_two_unsatisfied_levels_reopen_and_staff_decide(result):
    unit, _leader, _liaison = staffed_unit()
    staff = UserFactory(role="centre_staff", unit=None)
    with frozen():
        order = order_in(OrderState.CLOSED, unit)
        kept = order_in(OrderState.CLOSED, unit)
        services.record_callback(kept, staff, result, "")  # staff did not tick 重办: stays closed
        db.session.commit()
        assert kept.state == OrderState.CLOSED
        if result.may_reopen:
            services.record_callback(order, staff, result, "仍未解决", reopen_order=True)
            db.session.commit()
            assert order.state == OrderState.IN_PROGRESS
        else:
            with pytest.raises(RuleViolation, match="不满意"):
                services.record_callback(order, staff, result, "", reopen_order=True)
            db.session.rollback()
            assert order.state == OrderState.CLOSED
            assert db.session.query(Callback).filter_by(order_id=order.id).count() == 0
