"""Scores of a month frozen as plain JSON (a circular's snapshot keeps them for ever), and the one score table
that the XLSX export and the circular's attachment 考核得分表 both print.

    month       "2018-08"        as_of   "2018-09-29 09:00:00"
    scheme      {"id", "name", "effective_from": "2018-08", "board_scope", "red_size", "black_size",
                 "indicators": [{"key", "label", "weight", "threshold", "penalty"}], "full_marks": {group: n}}
    groups      [{"group", "full_marks", "rows": [{"unit_id", "short_name", "rank", "tied", "overall_rank",
                  "mark", "points": ["30.00", null, …] (null: 不适用), "deductions", "bonuses", "total",
                  "percent"}]}]
    red, black  [{"unit_id", "short_name", "group"}] in list order
"""
from __future__ import annotations

from portal.scores.queries import MonthScores
from portal.scores.scoring import to_points

DT_FORMAT = "%Y-%m-%d %H:%M:%S"
NOT_APPLICABLE = "—"


def _money(value) -> str:
    return f"{value:.2f}"


def freeze(ms: MonthScores) -> dict | None:
    """The month's scores as JSON-ready data; None without a scheme in force that month."""
    if ms.scheme is None:
        return None
    rules = ms.rules
    s = ms.scheme
    return {
        "month": f"{ms.month:%Y-%m}",
        "as_of": ms.as_of.strftime(DT_FORMAT),
        "scheme": {
            "id": s.id, "name": s.name, "effective_from": f"{s.effective_from:%Y-%m}",
            "board_scope": s.board_scope.value, "red_size": s.red_size, "black_size": s.black_size,
            "indicators": [{"key": r.indicator.key, "label": r.indicator.label, "weight": r.weight,
                            "threshold": r.threshold, "penalty": r.indicator.penalty} for r in rules],
            "full_marks": {g.group: g.full_marks for g in s.groups},
        },
        "groups": [
            {"group": group, "full_marks": rows[0].score.full_marks, "rows": [
                {"unit_id": e.unit_id, "short_name": e.short_name, "rank": e.rank, "tied": e.tied,
                 "overall_rank": e.overall_rank, "mark": e.mark,
                 "points": [_money(p.points) if p.applies else None for p in e.score.parts],
                 "deductions": _money(e.score.deductions), "bonuses": _money(e.score.bonuses),
                 "total": _money(e.score.total), "percent": f"{to_points(e.score.percent * 100)}%"}
                for e in rows]}
            for group, rows in ms.groups.items()
        ],
        "red": [{"unit_id": e.unit_id, "short_name": e.short_name, "group": e.group} for e in ms.red],
        "black": [{"unit_id": e.unit_id, "short_name": e.short_name, "group": e.group} for e in ms.black],
    }


def header(frozen: dict) -> list[str]:
    return ["名次", "承办单位", *(i["label"] for i in frozen["scheme"]["indicators"]), "扣分", "加分", "总分", "榜单"]


def rank_text(row: dict) -> str:
    return f"{row['rank']}（并列）" if row["tied"] else str(row["rank"])


def table(frozen: dict) -> list[tuple[str, list[str]]]:
    """("group", [heading]) before each group's ("unit", cells) rows, in rank order."""
    out: list[tuple[str, list[str]]] = []
    for g in frozen["groups"]:
        out.append(("group", [f"{g['group']}（满分{g['full_marks']}分）"]))
        for row in g["rows"]:
            out.append(("unit", [rank_text(row), row["short_name"],
                                 *(p if p is not None else NOT_APPLICABLE for p in row["points"]),
                                 _blank_zero(row["deductions"]), _blank_zero(row["bonuses"]), row["total"],
                                 row["mark"] or ""]))
    return out


def _blank_zero(points: str) -> str:
    return "" if points == "0.00" else points


def title(frozen: dict) -> str:
    return f"{int(frozen['month'][5:])}月份各承办单位考核得分表"


def notes(frozen: dict) -> str:
    """The line under the table: the scheme, the weights and thresholds, and what "—" means."""
    s = frozen["scheme"]
    parts = []
    for i in s["indicators"]:
        limit = ""
        if i["threshold"] is not None:
            limit = f"，高于{i['threshold']}%不得分" if i["penalty"] else f"，低于{i['threshold']}%不得分"
        parts.append(f"{i['label']}{i['weight']}%{limit}")
    year, month = s["effective_from"].split("-")
    return (f"说明：按《{s['name']}》（{year}年{int(month)}月起执行）计分，{'；'.join(parts)}。"
            f"“{NOT_APPLICABLE}”表示该指标本月对该单位不适用，其权重按比例分给其余指标。")


def boards_sentence(frozen: dict) -> str:
    """The sentence of 一、办理情况 naming the 红榜 and 黑榜 (empty when both are empty)."""
    def names(entries: list[dict]) -> str:
        if frozen["scheme"]["board_scope"] == "overall":
            return "、".join(e["short_name"] for e in entries)
        groups: dict[str, list[str]] = {}
        for e in entries:
            groups.setdefault(e["group"], []).append(e["short_name"])
        return "；".join(f"{g}组{'、'.join(n)}" for g, n in groups.items())

    if not frozen["red"] and not frozen["black"]:
        return ""
    text = f"根据{int(frozen['month'][5:])}月份考核得分（详见附件2），"
    parts = [f"{label}单位：{names(frozen[key])}" for key, label in (("red", "红榜"), ("black", "黑榜")) if frozen[key]]
    return text + "。".join(parts) + "。"
