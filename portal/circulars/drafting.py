"""Draft a circular's sections from its snapshot, in the words of the Ankang August 2018 circular.

Pure functions: a snapshot dict (portal.circulars.snapshot) in, Chinese text out. Paragraphs are
separated by a newline. No figure is computed here beyond joining the snapshot's own numbers.
"""
from __future__ import annotations

from datetime import date, datetime

from portal.circulars.snapshot import non_submitter_units, parse_dt, whole_month
from portal.scores.snapshot import boards_sentence

SECTION_KEYS = ("intro", "s1", "s3", "s4")
# Section names; the printed number (一、二、…) follows the sections present, so none is skipped.
HEADINGS = {"s1": "办理情况", "s2": "典型案例", "s3": "存在问题", "s4": "下步要求"}
NUMERALS = "一二三四五六七八九十"
DEFAULT_ADDRESSEES = "市12345便民服务平台各承办单位"
DEFAULT_ISSUER = "安康市政务服务中心"
DEFAULT_CC = "市委办公室、市人大常委会办公室、市政府办公室、市政协办公室，市纪委监委办公室。"
REGULATION = "《安康市政务服务平台建设运行监督管理办法》"


def period_label(start: date, end: date) -> str:
    """8月 for a whole month; otherwise 8月1日至8月15日 (years shown when they differ)."""
    if whole_month(start, end):
        return f"{start.month}月"
    if start.year != end.year:
        return f"{cn_date(start)}至{cn_date(end)}"
    return f"{month_day(start)}至{month_day(end)}"


def month_day(value: date) -> str:
    return f"{value.month}月{value.day}日"


def cn_date(value: date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def short_date(value: date, ref: date) -> str:
    """9月29日 within the reference year, 2019年1月5日 outside it."""
    return month_day(value) if value.year == ref.year else cn_date(value)


def _period(snapshot: dict) -> tuple[date, date, datetime]:
    p = snapshot["period"]
    return date.fromisoformat(p["start"]), date.fromisoformat(p["end"]), parse_dt(p["as_of"])


def default_title(start: date, end: date) -> str:
    label = period_label(start, end)
    suffix = "份" if whole_month(start, end) else ""
    return f"关于12345便民服务平台{label}{suffix}工单办理情况的通报"


def attachment_title(snapshot: dict) -> str:
    start, end, _ = _period(snapshot)
    suffix = "份" if whole_month(start, end) else ""
    return f"{period_label(start, end)}{suffix}各承办单位工单办理情况统计表"


def draft_intro(snapshot: dict) -> str:
    start, end, _ = _period(snapshot)
    suffix = "份" if whole_month(start, end) else ""
    return ("在市委、市政府的正确领导及各级各部门的大力支持下，全市12345便民服务平台运行平稳。"
            f"现将{period_label(start, end)}{suffix}平台运行情况通报如下：")


def draft_handling(snapshot: dict) -> str:
    """一、办理情况: calls, orders with tags, on time / late / overdue, rate, kinds, hot topics."""
    start, end, _ = _period(snapshot)
    calls, t = snapshot["calls"], snapshot["totals"]
    tags = [f"{name}{n}件" for name, n in snapshot.get("tags", []) if n]
    tag_text = f"（含{'，'.join(tags)}）" if tags else ""
    in_progress = f"，在办{t['in_progress']}件" if t["in_progress"] else ""
    first = (f"{period_label(start, end)}，共接听群众来电{calls['calls']}件，直接回复{calls['direct']}件，"
             f"形成工单办理{t['total']}件{tag_text}。其中，按期办结{t['on_time']}件，逾期办结{t['late']}件，"
             f"逾期未办结{t['overdue_open']}件{in_progress}。")
    see = "（详见附件1）" if snapshot.get("scores") else "（详见附件）"
    if t["rate_text"] and t["rate_text"] != "—":
        first += f"按期办结率为{t['rate_text']}{see}。"
    else:
        first += see
    if snapshot.get("undispatched"):
        first += f"另有{snapshot['undispatched']}件工单尚未派单，未计入上述统计。"
    paragraphs = [first]
    kinds = [k for k in snapshot.get("kinds", []) if k["count"]]
    if t["total"] and kinds:
        second = f"在{t['total']}件工单中，" + "；".join(
            f"{k['label']}类{k['count']}件，占{k['share_text']}" for k in kinds) + "。"
        topics = [name for name, _n in snapshot.get("hot_topics", [])]
        if topics:
            second += f"群众反映的热点问题主要集中在：{'、'.join(topics)}等。"
        paragraphs.append(second)
    if snapshot.get("scores"):
        boards = boards_sentence(snapshot["scores"])
        if boards:
            paragraphs.append(boards)
    return "\n".join(paragraphs)


def draft_problems(snapshot: dict) -> str:
    """三、存在问题: units with overdue orders, then the units that did not submit KB entries."""
    _, _, as_of = _period(snapshot)
    ref = as_of.date()
    items = []
    overdue = snapshot.get("overdue_units", [])
    if overdue:
        names = "、".join(f"{u['short_name']}{u['overdue_open']}件" for u in overdue)
        items.append(f"工单办理机制有待健全。截至{short_date(ref, ref)}，{names}工单任务逾期未办结，"
                     "工单运转不畅，办理滞后，影响了群众诉求的及时解决。")
    missing = non_submitter_units(snapshot)
    if missing:
        parts = []
        for gap in snapshot["non_submitters"]:
            deadline = short_date(parse_dt(gap["deadline"]).date(), ref)
            names = "、".join(u["short_name"] for u in gap["units"])
            parts.append(f"按照“{gap['title']}”要求，各承办单位应于{deadline}前报送知识库信息。"
                         f"但截至{short_date(ref, ref)}，{names}未报送知识库信息内容。")
        items.append(f"{len(missing)}个单位未报送知识库信息。" + "".join(parts))
    if not items:
        items.append("本期各承办单位工单均已按期办理，知识库信息均已按要求报送。")
    return "\n".join(f"{i}.{text}" for i, text in enumerate(items, start=1))


def draft_requirements(snapshot: dict, new_deadline: date | None) -> str:
    """四、下步要求, with the new deadline for the units that did not submit KB entries."""
    _, _, as_of = _period(snapshot)
    items = [
        "健全工作机制。各热线承办单位要高度重视，建立“12345”工作机构，强化责任、明确分工，根据本单位职能职责，"
        "切实制定12345工单接收、转办、承办、结果报送等制度，保证工单办理工作连续性。"
        "市12345便民服务中心要加大督查督办力度，确保每件工单按时办理、不错办漏办。",
        "提高工单办理质量。各热线承办单位对于职能范围内的事，要积极办理，不得推诿扯皮，对于重点、难点事项，"
        "特别是重复件、多人投诉的同类型问题，要专题研究，制定方案，跟踪落实。对不属于本单位职能职责的事项，"
        "经领导同意后申请退单并说明理由，不能以“不属于本单位办理”为由简单回复。",
    ]
    kb = "加快知识库信息报送。各热线承办单位要对照任务目标和单位职能，及时做好知识库信息的更新维护等工作。"
    missing = non_submitter_units(snapshot)
    if missing:
        when = f"在{short_date(new_deadline, as_of.date())}前" if new_deadline else "尽快"
        kb += (f"{len(missing)}个未报送知识库信息的单位要{when}完成报送工作。"
               f"逾期未报送的将按{REGULATION}予以处理。")
    items.append(kb)
    return "\n".join(f"{i}.{text}" for i, text in enumerate(items, start=1))


def draft_all(snapshot: dict, new_deadline: date | None) -> dict:
    """Every auto-drafted section."""
    return {
        "intro": draft_intro(snapshot),
        "s1": draft_handling(snapshot),
        "s3": draft_problems(snapshot),
        "s4": draft_requirements(snapshot, new_deadline),
    }


def cases_text(snapshot: dict) -> str:
    """二、典型案例 as printed: the frozen case texts, numbered."""
    return "\n".join(f"{i}.{c['text']}" for i, c in enumerate(snapshot.get("cases", []), start=1))


def default_case_text(order) -> str:
    """A case text from an order: its content, citing its number when the content cites none."""
    text = " ".join((order.content or order.title or "").split())
    if order.number not in text and "工单编号" not in text:
        text = f"{text.rstrip('。')}（工单编号{order.number}）。"
    return text
