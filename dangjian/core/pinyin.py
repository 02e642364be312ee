"""Pinyin keys of Chinese names for search (typing ``zs`` finds 张三).

pypinyin reads a polyphonic character by its most common reading; surnames are often
read otherwise (单 is Shan, not Dan), so the first character is looked up in a small
table of surname readings first.
"""

from __future__ import annotations

from functools import lru_cache

from pypinyin import lazy_pinyin

# Surname readings that differ from the character's most common reading.
SURNAME_READINGS: dict[str, tuple[str, ...]] = {
    "单": ("shan",),
    "曾": ("zeng",),
    "解": ("xie",),
    "区": ("ou",),
    "仇": ("qiu",),
    "朴": ("piao",),
    "查": ("zha",),
    "盖": ("ge",),
    "乐": ("yue",),
    "缪": ("miao",),
    "秘": ("bi",),
    "覃": ("qin",),
    "翟": ("zhai",),
    "召": ("shao",),
    "员": ("yun",),
    "种": ("chong",),
    "繁": ("po",),
    "折": ("she",),
    "尉迟": ("yu", "chi"),
    "万俟": ("mo", "qi"),
    "长孙": ("zhang", "sun"),
    "宁": ("ning",),
    "沈": ("shen",),
    "柏": ("bai",),
    "重": ("chong",),
    "祭": ("zhai",),
    "能": ("nai",),
    "阚": ("kan",),
    "句": ("gou",),
    "燕": ("yan",),
    "华": ("hua",),
    "任": ("ren",),
}


SEPARATORS = "·•‧・.-－"


@lru_cache(maxsize=65536)
def pinyin_keys(name: str) -> tuple[str, str]:
    """``(full, initials)`` in lower case without tones: 张三 → ("zhangsan", "zs").

    Characters that are not Chinese are kept as they are (lower-cased, spaces removed).
    """
    name = "".join(name.split())
    for mark in SEPARATORS:  # 买买提·艾力: the dot of minority names is not typed
        name = name.replace(mark, "")
    if not name:
        return "", ""
    syllables: list[str] = []
    rest = name
    for surname in sorted(SURNAME_READINGS, key=len, reverse=True):
        if name.startswith(surname) and len(name) > len(surname):
            syllables += SURNAME_READINGS[surname]
            rest = name[len(surname) :]
            break
    for piece in lazy_pinyin(rest, errors=lambda chars: list(chars)):
        syllables.append(piece.lower())
    full = "".join(syllables)
    initials = "".join(s[0] for s in syllables if s)
    return full, initials
