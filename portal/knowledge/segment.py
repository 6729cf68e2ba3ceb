"""jieba segmentation of longer queries, with unit names and the hotline's words in its dictionary."""
from __future__ import annotations

import logging
import threading

import jieba

DOMAIN_WORDS = (
    "12345", "便民服务", "知识库", "公积金", "住房公积金", "不动产", "不动产登记", "自来水", "停水", "水费",
    "供水", "停电", "电费", "社保", "社保卡", "医保", "养老保险", "失业保险", "低保", "贫困户", "贫困户认定",
    "精准扶贫", "易地搬迁", "噪音扰民", "市容环境", "占道经营", "违章停车", "违章建筑", "渣土车", "户口",
    "居住证", "身份证", "驾驶证", "行驶证", "出入境", "营业执照", "网约车", "出租车", "公交车", "残疾证",
    "残疾人", "廉租房", "公租房", "房产证", "物业", "物业费", "农民工", "欠薪", "拖欠工资", "校车", "入学",
    "学区", "垃圾清运", "路灯", "井盖", "占道", "噪音", "扬尘", "油烟", "狂犬疫苗", "取暖", "天然气",
    "消防通道", "交通违法", "车辆年检", "道路运输", "汉滨", "恒口", "高新区", "瀛湖", "旬阳", "汉阴", "白河",
    "平利", "紫阳", "石泉", "岚皋", "宁陕", "镇坪", "怎么办", "怎么样",
)
STOPWORDS = frozenset({
    "怎么", "怎么办", "怎么样", "如何", "什么", "哪里", "哪些", "是否", "可以", "能否", "吗", "呢", "吧", "啊",
    "的", "了", "和", "与", "及", "请问", "我", "我们", "你好", "您好", "是", "在", "有", "没有", "要", "去",
    "一下", "这个", "那个", "为什么", "多少", "几", "谁", "市民", "来电", "反映", "咨询", "问",
})

_lock = threading.Lock()
_ready = False


def _prepare() -> None:
    global _ready
    with _lock:
        if _ready:
            return
        jieba.setLogLevel(logging.WARNING)
        for word in DOMAIN_WORDS:
            jieba.add_word(word, freq=200000)
        try:
            from flask import has_app_context

            if has_app_context():
                from sqlalchemy import select

                from portal.extensions import db
                from portal.units.models import Unit

                for short, full in db.session.execute(select(Unit.short_name, Unit.full_name)):
                    jieba.add_word(short, freq=200000)
                    jieba.add_word(full, freq=200000)
        except Exception:  # noqa: BLE001 - the dictionary is a help, never a reason to fail a search
            logging.getLogger(__name__).warning("could not load unit names into jieba", exc_info=True)
        _ready = True


def keywords(phrase: str) -> list[str]:
    """Meaningful words of a phrase: jieba's search-mode words of 2+ characters, stopwords removed."""
    _prepare()
    seen = []
    for word in jieba.cut_for_search(phrase):
        word = word.strip()
        if len(word) >= 2 and word not in STOPWORDS and word not in seen:
            seen.append(word)
    return seen


def phrase_words(phrase: str) -> list[str]:
    """The phrase cut once, without overlaps (jieba's precise mode): 2+ characters, stopwords removed."""
    _prepare()
    return [w for w in (w.strip() for w in jieba.lcut(phrase)) if len(w) >= 2 and w not in STOPWORDS]


def parts(word: str) -> list[str]:
    """The shorter words inside a compound word (营业执照 → 营业, 执照)."""
    _prepare()
    return [w for w in jieba.cut_for_search(word) if 2 <= len(w) < len(word)]
