"""Import every model so metadata (and Alembic) sees all tables. Add each feature's models here."""
from portal.auth.models import RecoveryCode, SecurityPolicy, User, UserDuty  # noqa: F401
from portal.units.models import RosterEvent, Unit  # noqa: F401
from portal.orders.models import Callback, OrderEvent, Subject, Tag, WorkOrder  # noqa: F401
from portal.orders.callbacks import CallbackLevel  # noqa: F401
from portal.orders.history import OrderFact  # noqa: F401
from portal.stats.aggregates import call_day, stat_change, stat_day, stat_month  # noqa: F401
from portal.orders.records import Attachment, ExtensionRequest, Reply, ReturnRequest, Supervision  # noqa: F401
from portal.notifications.models import Notification  # noqa: F401
from portal.calls.models import Call  # noqa: F401
from portal.knowledge.models import (  # noqa: F401
    Campaign, CampaignReminder, CampaignUnit, KBAttachment, KBEntry, KBEntryVersion, KBSearchDoc,
)
from portal.circulars.models import Circular, CircularRead, CircularRecipient  # noqa: F401
from portal.calendar.models import CalendarDay, CalendarYear, TimeLimit  # noqa: F401
from portal.audit.models import AuditEvent  # noqa: F401
from portal.orders.numbering import OrderNumberCounter  # noqa: F401
from portal.web.once import FormToken  # noqa: F401
from portal.scores.models import Adjustment, Scheme, SchemeGroup, SchemeItem  # noqa: F401
from portal.orders.notices import NoticeNumberCounter, SupervisionNotice  # noqa: F401
from portal.appeals.models import Appeal, AppealFile  # noqa: F401
