"""知识库报送率's figure: campaigns due in the month and judged by T, per unit, and those met."""
from __future__ import annotations

from datetime import date, datetime

from portal.extensions import db
from portal.knowledge.campaigns import grant_extension
from portal.knowledge.queries import Compliance, campaign_compliance
from tests.factories import UnitFactory
from tests.knowledge.factories import campaign, centre, submitted_entry

DUE = datetime(2018, 8, 25, 23, 59, 59)


def test_campaigns_due_in_the_month_count_met_on_time_or_made_up_and_wait_for_a_granted_extension():
    on_time, late, missing, made_up, waiting = (UnitFactory() for _ in range(5))
    c = campaign(DUE, units=[on_time, late, missing, made_up, waiting])
    campaign(datetime(2018, 9, 5, 23, 59, 59), units=[missing])  # due in September: not August's
    submitted_entry(on_time, datetime(2018, 8, 20, 10))
    submitted_entry(late, datetime(2018, 8, 27, 10))
    grant_extension(centre(), c, made_up.id, datetime(2018, 8, 31, 23, 59, 59))
    submitted_entry(made_up, datetime(2018, 8, 30, 10))
    grant_extension(centre(), c, waiting.id, datetime(2018, 9, 30, 23, 59, 59))
    db.session.commit()
    found = campaign_compliance(date(2018, 8, 1), date(2018, 8, 31), datetime(2018, 9, 29, 12, 0))
    assert found[on_time.id] == Compliance(1, 1)
    assert found[late.id] == Compliance(1, 0)  # 逾期报送 is not met
    assert found[missing.id] == Compliance(1, 0)
    assert found[made_up.id] == Compliance(1, 1)  # 已补报 within the granted 补报截止
    assert waiting.id not in found  # its 补报截止 is still ahead at T: not judged yet
    # before the deadline nothing is judged
    assert campaign_compliance(date(2018, 8, 1), date(2018, 8, 31), datetime(2018, 8, 25, 12, 0)) == {}
