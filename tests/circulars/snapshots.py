"""Synthetic snapshots (the dict portal.circulars.snapshot.build returns), built from the seed's figures."""
from __future__ import annotations

from tests.circulars.seed_table import SEED_TABLE, SEED_TOTAL

KIND_KEYS = ["consult", "help", "complaint", "suggestion", "report", "praise"]
KIND_LABELS = ["咨询", "求助", "投诉", "建议", "举报", "表扬"]
SEED_SHARES = ["14.4%", "71.6%", "9.6%", "3.7%", "0.5%", "0.2%"]
SEED_NON_SUBMITTERS = [
    "市人社局", "市环保局", "市商务局", "市文广局", "市卫计局", "市住房公积金管理中心", "市红十字会",
    "西部机场集团安康机场有限公司", "市气象局", "市银监分局", "人民银行安康支行", "农业发展银行安康分行",
    "中国银行安康分行", "工商银行安康分行", "建设银行安康分行", "邮政银行安康分行", "市国税局", "市地税局",
    "国网安康供电公司", "地电安康分公司", "安康水电厂", "市邮政管理局", "中国移动安康分公司", "安康火车站",
    "陕西高速集团白泉分公司",
]


def row(name, total, kinds, on_time, late, overdue_open, rate_text, *, unit_id=None, in_progress=0, order=0):
    return {
        "unit_id": unit_id, "short_name": name, "group": "区县政府", "display_order": order, "total": total,
        "by_kind": dict(zip(KIND_KEYS, kinds)), "on_time": on_time, "late": late, "overdue_open": overdue_open,
        "in_progress": in_progress, "rate_text": rate_text,
    }


def seed_snapshot() -> dict:
    units = [row(r[0], r[1], r[2:8], r[8], r[9], r[10], r[11], unit_id=i, order=i)
             for i, r in enumerate(SEED_TABLE, start=1)]
    t = SEED_TOTAL
    return {
        "period": {"start": "2018-08-01", "end": "2018-08-31", "as_of": "2018-09-29 09:00:00"},
        "calls": {"calls": 6196, "direct": 5235, "to_order": 961},
        "totals": row("合计", t[1], t[2:8], t[8], t[9], t[10], t[11]),
        "undispatched": 0,
        "units": units,
        "kinds": [{"kind": k, "label": label, "count": n, "share_text": s}
                  for k, label, n, s in zip(KIND_KEYS, KIND_LABELS, t[2:8], SEED_SHARES)],
        "tags": [["优化营商环境", 1], ["生态环境保护", 29]],
        "hot_topics": [["噪音扰民", 120], ["市容环境", 90], ["贫困户认定", 60], ["居民用水用电", 40]],
        "overdue_units": [{"unit_id": 4, "short_name": "恒口示范区", "full_name": "安康市恒口示范区管理委员会",
                           "overdue_open": 20}],
        "non_submitters": [{
            "campaign_id": 1, "title": "知识库信息报送", "deadline": "2018-08-25 23:59:59",
            "units": [{"unit_id": 100 + i, "short_name": n, "full_name": n} for i, n in enumerate(SEED_NON_SUBMITTERS)],
        }],
        "cases": [
            {"order_id": 501, "number": "2018080201", "kind": "praise", "title": "表扬岚皋县官元镇",
             "accepted_at": "2018-08-02 10:00:00",
             "text": "岚皋县官元镇团兴村熊先生8月2日来电称：前期反映的问题（工单编号2018041803）已得到解决。"},
            {"order_id": 502, "number": "2018080801", "kind": "praise", "title": "表扬平利县",
             "accepted_at": "2018-08-08 10:00:00",
             "text": "平利县城关镇徐女士8月8日来电称：前期反映的问题（工单编号2018072106）已得到解决。"},
        ],
    }
