"""Names, places and wording for demo orders (seeded random: deterministic)."""
from __future__ import annotations

import random

from portal.orders.enums import OrderKind

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
CITY_PLACES = ["江北大道", "兴安中路", "巴山东路", "金州南路", "育才路", "大桥路", "香溪路", "张岭路", "滨江大道", "进站路",
               "安康大道", "黄沟路", "新城北路", "西城阁", "东大街"]
COUNTY_PLACES = {
    "汉滨区政府": ["江北街道", "新城街道", "老城街道", "建民街道", "关庙镇", "五里镇", "张滩镇", "大竹园镇", "县河镇", "吉河镇"],
    "旬阳县政府": ["城关镇", "蜀河镇", "吕河镇", "棕溪镇", "赵湾镇", "段家河镇"],
    "汉阴县政府": ["城关镇", "涧池镇", "平梁镇", "蒲溪镇", "双乳镇"],
    "恒口示范区": ["恒口镇", "大同镇", "关庙片区", "恒口镇老街", "月河社区"],
    "白河县政府": ["城关镇", "中厂镇", "构朳镇", "茅坪镇", "卡子镇"],
    "平利县政府": ["城关镇", "老县镇", "长安镇", "广佛镇", "大贵镇"],
    "高新区": ["建民街道", "高新区月河片区", "高新区创业大道", "高新区科技园"],
    "紫阳县政府": ["城关镇", "蒿坪镇", "向阳镇", "洞河镇", "汉王镇"],
    "石泉县政府": ["城关镇", "池河镇", "后柳镇", "喜河镇", "熨斗镇"],
    "岚皋县政府": ["城关镇", "官元镇", "佐龙镇", "南宫山镇", "四季镇"],
    "宁陕县政府": ["城关镇", "江口回族镇", "筒车湾镇", "皇冠镇"],
    "镇坪县政府": ["城关镇", "曾家镇", "钟宝镇", "牛头店镇"],
    "瀛湖生态旅游区": ["瀛湖镇", "瀛湖景区"],
}
VILLAGES = ["村", "社区", "小区"]

VERB = {
    OrderKind.CONSULT: "咨询", OrderKind.HELP: "反映", OrderKind.COMPLAINT: "投诉",
    OrderKind.SUGGESTION: "建议", OrderKind.REPORT: "举报", OrderKind.PRAISE: "表扬",
}
ASK = {
    OrderKind.CONSULT: "希望了解相关政策规定和办理途径。",
    OrderKind.HELP: "请求相关部门帮助解决。",
    OrderKind.COMPLAINT: "要求相关部门尽快处理。",
    OrderKind.SUGGESTION: "建议相关部门加强管理，从根本上解决。",
    OrderKind.REPORT: "请相关部门依法查处。",
    OrderKind.PRAISE: "",
}
TITLE_PREFIX = {OrderKind.CONSULT: "咨询", OrderKind.SUGGESTION: "建议解决", OrderKind.REPORT: "举报"}


def caller(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(["先生", "女士"])


MOBILE_PREFIXES = ["139", "138", "137", "136", "135", "158", "159", "187", "188", "133", "153", "180", "189",
                   "130", "131", "132", "155", "156", "186", "177"]


def mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10 ** 8):08d}"


def _county_place(unit: str, town: str, spot: str) -> tuple[str, str]:
    county = unit.removesuffix("政府")
    county = "安康市汉滨区" if unit == "汉滨区政府" else county
    return f"{town}{spot}", f"{county}{town}{spot}"


def _city_place(street: str, number: int) -> tuple[str, str]:
    return street, f"安康市{street}{number}号附近"


def place(rng: random.Random, unit: str) -> tuple[str, str]:
    """(short place for titles, full address)."""
    towns = COUNTY_PLACES.get(unit)
    if towns:
        town = rng.choice(towns)
        spot = f"{rng.choice('东南西北新大')}{rng.choice('坝湾沟坪岭河')}{rng.choice(VILLAGES)}"
        return _county_place(unit, town, spot)
    return _city_place(rng.choice(CITY_PLACES), rng.randrange(1, 300))


class Pools:
    """The same names, numbers and places as the functions above, drawn with one random number each from
    every combination listed once (uniform choices of the parts are a uniform choice of the whole): for the
    bulk generator, where rng.choice per part costs more than the rest of an order's text."""

    def __init__(self, rng: random.Random):
        self.draw = rng.random
        self.callers = [s + t for s in SURNAMES for t in ("先生", "女士")]
        self.city = [_city_place(street, n) for street in CITY_PLACES for n in range(1, 300)]
        self.places: dict[str, list[tuple[str, str]]] = {}

    def caller(self) -> str:
        return self.callers[int(self.draw() * len(self.callers))]

    def mobile(self) -> str:
        return MOBILE_PREFIXES[int(self.draw() * len(MOBILE_PREFIXES))] + f"{int(self.draw() * 10 ** 8):08d}"

    def place(self, unit: str) -> tuple[str, str]:
        pool = self.places.get(unit)
        if pool is None:
            towns = COUNTY_PLACES.get(unit)
            pool = self.places[unit] = self.city if not towns else [
                _county_place(unit, town, f"{a}{b}{c}") for town in towns for a in "东南西北新大" for b in "坝湾沟坪岭河"
                for c in VILLAGES]
        return pool[int(self.draw() * len(pool))]


def wording(rng: random.Random, kind: OrderKind, issue: tuple[str, str], who: str, where: str) -> tuple[str, str]:
    """(title, content) of an order."""
    title_core, detail = issue
    title = title_core.format(place=where)
    if kind in TITLE_PREFIX and not title.startswith(("咨询", "建议")):
        title = TITLE_PREFIX[kind] + title
    location = where if "{place}" in title_core else ""
    content = f"{who}来电{VERB[kind]}：{location}{detail}。{ASK[kind]}"
    return title[:200], content
