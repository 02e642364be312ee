"""Pinyin search keys of names: full spelling and initials, surnames read as surnames."""

from __future__ import annotations

import pytest
from pypinyin import lazy_pinyin

from dangjian.core.pinyin import SURNAME_READINGS, pinyin_keys


@pytest.mark.parametrize(
    ("name", "full", "initials"),
    [
        ("张三", "zhangsan", "zs"),
        ("李四", "lisi", "ls"),
        ("欧阳修", "ouyangxiu", "oyx"),
        ("单雄信", "shanxiongxin", "sxx"),  # 单 as a surname is Shan, not Dan
        ("曾国藩", "zengguofan", "zgf"),  # not Ceng
        ("解缙", "xiejin", "xj"),  # not Jie
        ("区小明", "ouxiaoming", "oxm"),  # not Qu
        ("仇英", "qiuying", "qy"),  # not Chou
        ("朴正", "piaozheng", "pz"),  # not Pu
        ("翟明", "zhaiming", "zm"),  # not Di
        ("尉迟恭", "yuchigong", "ycg"),  # compound surname, not Wei-chi
        ("万俟卨", "moqixie", "mqx"),  # not Wan-qi
        ("长孙无忌", "zhangsunwuji", "zswj"),
    ],
)
def test_keys_of_names(name: str, full: str, initials: str) -> None:
    assert pinyin_keys(name) == (full, initials)


@pytest.mark.parametrize("surname", sorted(SURNAME_READINGS))
def test_every_surname_in_the_table_is_read_as_a_surname(surname: str) -> None:
    full, initials = pinyin_keys(surname + "明")
    reading = SURNAME_READINGS[surname]
    assert full == "".join(reading) + "ming"
    assert initials == "".join(s[0] for s in reading) + "m"


@pytest.mark.parametrize(
    "name", ["单雄信", "曾国藩", "解缙", "区小明", "仇英", "朴正", "查良镛", "盖聂", "缪斌", "翟明"]
)
def test_surname_reading_differs_from_the_common_reading(name: str) -> None:
    """The well-known polyphonic surnames: the keys are not what plain pypinyin gives."""
    assert pinyin_keys(name)[0] != "".join(lazy_pinyin(name))


def test_surname_reading_only_for_the_first_character() -> None:
    assert pinyin_keys("王单") == ("wangdan", "wd")
    assert pinyin_keys("张曾") == ("zhangceng", "zc")


def test_surname_reading_needs_a_given_name() -> None:
    """A single character is read as a word, not as a surname."""
    assert pinyin_keys("单") == ("dan", "d")


def test_compound_surname_wins_over_its_first_character() -> None:
    # 长孙 (zhang sun) is matched as a whole; 长江 is not a compound surname.
    assert pinyin_keys("长孙冲")[0].startswith("zhangsun")
    assert pinyin_keys("长江") == ("changjiang", "cj")


def test_spaces_are_removed_and_latin_is_lower_cased() -> None:
    assert pinyin_keys(" 李 四 ") == ("lisi", "ls")
    assert pinyin_keys("John Smith") == ("johnsmith", "johnsmith")
    assert pinyin_keys("张3") == ("zhang3", "z3")


def test_empty_name() -> None:
    assert pinyin_keys("") == ("", "")
    assert pinyin_keys("   ") == ("", "")


def test_keys_are_lower_case_ascii_for_chinese_names() -> None:
    for name in ["张三", "单雄信", "尉迟恭", "吕布", "欧阳娜娜"]:
        full, initials = pinyin_keys(name)
        assert full.isascii() and full.islower() and initials.isascii() and initials.islower()
        assert len(initials) == len(name)
