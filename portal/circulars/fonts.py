"""The four faces of a circular (GB/T 9704-2012): the official ones when the centre installs them, free
TrueType stand-ins otherwise, and which is which (the circular page says so).

The official faces are licensed fonts Chinese offices have (方正小标宋简体, 仿宋_GB2312, 黑体,
楷体_GB2312); Debian has none with Simplified coverage. The centre copies their .ttf/.ttc files into
the folder named by CIRCULAR_FONTS_DIR; each is recognised by its file name or by its family name
(Windows names such as SIMHEI.TTF or FangSong_GB2312 count). Only TrueType outlines are used, because
only those embed (reportlab refuses CFF/OpenType-PS fonts; such a file is reported and skipped).
"""
from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from hashlib import sha1
from pathlib import Path

from flask import current_app
from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont, TTFontFile

ROLES = ("title", "body", "hei", "kai")
OFFICIAL = {"title": "方正小标宋简体", "body": "仿宋_GB2312", "hei": "黑体", "kai": "楷体_GB2312"}
USES = {"title": "标题、发文机关标志", "body": "正文", "hei": "一级标题（一、）、表头", "kai": "二级标题（（一））"}
# Names (normalised: lower case, without spaces, _ and -) that count as the official face, best first.
ACCEPTED = {
    "title": ("方正小标宋简体", "fzxiaobiaosongb05s", "fzxbsjw", "方正小标宋", "fzxiaobiaosongb05", "小标宋"),
    "body": ("仿宋gb2312", "fangsonggb2312", "fsgb2312", "仿宋", "fangsong", "simfang"),
    "hei": ("黑体", "simhei"),
    "kai": ("楷体gb2312", "kaitigb2312", "楷体", "kaiti", "simkai"),
}
SYSTEM_ROOT = Path("/usr/share/fonts")
# Free TrueType stand-ins from Debian (fonts-arphic-uming, fonts-arphic-ukai, fonts-wqy-zenhei).
FALLBACK = {
    "title": ("truetype/arphic/uming.ttc", 0, "AR PL UMing"),
    "body": ("truetype/arphic/uming.ttc", 0, "AR PL UMing"),
    "hei": ("truetype/wqy/wqy-zenhei.ttc", 0, "文泉驿正黑"),
    "kai": ("truetype/arphic/ukai.ttc", 0, "AR PL UKai"),
}
_lock = threading.Lock()


class FontMissing(RuntimeError):
    pass


@dataclass(frozen=True)
class Face:
    role: str
    path: Path
    index: int
    label: str  # what the page shows: the family name
    official: bool

    @property
    def rl_name(self) -> str:
        """The reportlab name: one per file and face, registered once per process."""
        return f"circ-{sha1(str(self.path).encode()).hexdigest()[:10]}-{self.index}"


def _norm(name: str) -> str:
    return re.sub(r"[\s_\-]+", "", name).lower()


@lru_cache(maxsize=256)
def _family(path: str, mtime: float) -> tuple[str, str] | None:
    """(family name, PostScript name) of a TrueType file's first face; None when it cannot embed."""
    try:
        info = TTFontFile(path, subfontIndex=0)
    except Exception:  # CFF outlines, a broken file: not usable in a PDF
        return None
    def text(v):
        return v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v or "")
    return text(info.familyName), text(info.name)


def fonts_dir() -> Path | None:
    value = current_app.config.get("CIRCULAR_FONTS_DIR") or os.environ.get("CIRCULAR_FONTS_DIR")
    return Path(value) if value else None


def _official(folder: Path | None) -> dict[str, Face]:
    """The official faces found in the folder, by file name first, then by family name."""
    if folder is None or not folder.is_dir():
        return {}
    found: dict[str, tuple[int, Face]] = {}
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() not in (".ttf", ".ttc") or not path.is_file():
            continue
        names = _family(str(path), path.stat().st_mtime)
        if names is None:
            continue
        family, ps = names
        keys = [_norm(path.stem), _norm(family), _norm(ps)]
        for role, accepted in ACCEPTED.items():
            rank = min((accepted.index(k) for k in keys if k in accepted), default=None)
            if rank is not None and (role not in found or rank < found[role][0]):
                found[role] = (rank, Face(role, path, 0, family or path.stem, True))
    return {role: face for role, (_rank, face) in found.items()}


def faces() -> dict[str, Face]:
    """The face of every role: official when installed, the free stand-in otherwise."""
    root = Path(current_app.config.get("CIRCULAR_FONT_ROOT") or SYSTEM_ROOT)
    official = _official(fonts_dir())
    out = {}
    for role in ROLES:
        if role in official:
            out[role] = official[role]
            continue
        rel, index, label = FALLBACK[role]
        path = root / rel
        if not path.is_file():
            raise FontMissing(f"缺少生成 PDF 所需的中文字体：{path}（请安装 fonts-arphic-uming、fonts-arphic-ukai、"
                              "fonts-wqy-zenhei，或在 CIRCULAR_FONTS_DIR 中放入公文字体）。")
        out[role] = Face(role, path, index, label, False)
    return out


def register(chosen: dict[str, Face]) -> dict[str, str]:
    """Register the faces with reportlab (once each) and return role -> reportlab font name."""
    with _lock:
        have = set(pdfmetrics.getRegisteredFontNames())
        for face in chosen.values():
            if face.rl_name not in have:
                pdfmetrics.registerFont(TTFont(face.rl_name, str(face.path), subfontIndex=face.index))
                for bold in (0, 1):
                    for italic in (0, 1):
                        addMapping(face.rl_name, bold, italic, face.rl_name)
                have.add(face.rl_name)
    return {role: face.rl_name for role, face in chosen.items()}


def report() -> list[dict]:
    """For the circular page: per role, the official face and the face the PDF uses."""
    try:
        chosen = faces()
    except FontMissing as exc:
        return [{"use": "全部", "official": "", "used": str(exc), "fallback": True}]
    return [{"use": USES[r], "official": OFFICIAL[r], "used": chosen[r].label, "fallback": not chosen[r].official}
            for r in ROLES]
