"""Realistic, deterministic people for demo and benchmark data: Chinese names, valid
resident ID numbers (GB 11643), birth and admission dates that obey the rules."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from dangjian.core.dates import add_years
from dangjian.members.choices import Education, Gender, Occupation, Status
from dangjian.members.ethnicities import Ethnicity
from dangjian.members.rules import check_character

# The most common surnames, roughly by frequency (weights follow the order).
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN_MALE = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林峰建国志海东亮成文斌洋晨阳冬春"
GIVEN_FEMALE = "芳娜敏静丽艳娟霞秀英华慧玲婷雪琳晶燕红梅琴云莉兰萍洁颖倩媛蕾欣怡佳月凤珍"
MOBILE_PLACES = [
    "广东省东莞市",
    "浙江省义乌市",
    "江苏省苏州市",
    "上海市浦东新区",
    "北京市朝阳区",
    "广东省深圳市",
    "福建省泉州市",
]


@dataclass
class Person:
    name: str
    gender: str
    birth_date: dt.date
    id_number: str
    ethnicity: str
    education: str
    occupation: str
    phone: str
    status: str
    joined_on: dt.date
    full_on: dt.date | None

    def member_fields(self) -> dict[str, object]:
        """The ``Member`` fields this person fills (name and ID number are set through
        ``set_name()`` and the ``id_number`` property, which derive their keys)."""
        return {
            "gender": self.gender,
            "birth_date": self.birth_date,
            "ethnicity": self.ethnicity,
            "education": self.education,
            "occupation": self.occupation,
            "phone": self.phone,
            "status": self.status,
            "joined_on": self.joined_on,
            "full_on": self.full_on,
        }


class PeopleFactory:
    """Makes people from a seeded random generator; never the same ID number twice."""

    def __init__(self, rng: random.Random, today: dt.date, region: str = "371525") -> None:
        self.rng = rng
        self.today = today
        self.region = region
        self.used_ids: set[str] = set()
        self.surname_weights = [1.0 / (i + 8) for i in range(len(SURNAMES))]

    def name(self, gender: str) -> str:
        surname = self.rng.choices(SURNAMES, self.surname_weights)[0]
        pool = GIVEN_MALE if gender == Gender.MALE else GIVEN_FEMALE
        given = "".join(self.rng.choice(pool) for _ in range(self.rng.choice((1, 2, 2))))
        return surname + given

    def id_number(self, birth: dt.date, gender: str) -> str:
        while True:
            sequence = self.rng.randrange(0, 100)
            gender_digit = self.rng.randrange(1, 10, 2) if gender == Gender.MALE else self.rng.randrange(0, 10, 2)
            first17 = f"{self.region}{birth:%Y%m%d}{sequence:02d}{gender_digit}"
            number = first17 + check_character(first17)
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    def phone(self) -> str:
        return f"1{self.rng.choice('3456789')}{self.rng.randrange(0, 10**9):09d}"

    def person(self, *, occupation: str | None = None, retired: bool = False, probationary: bool = False) -> Person:
        rng = self.rng
        gender = Gender.MALE if rng.random() < 0.68 else Gender.FEMALE
        if retired:
            age = rng.randint(60, 88)
        elif probationary:
            age = rng.randint(20, 40)
        else:
            age = rng.randint(24, 62)
        birth = self.today - dt.timedelta(days=age * 365 + rng.randrange(0, 365))
        if probationary:
            joined = self.today - dt.timedelta(days=rng.randint(20, 340))
            full_on = None
        else:
            earliest = add_years(birth, 19)
            latest = self.today - dt.timedelta(days=400)
            joined = earliest + dt.timedelta(days=rng.randrange(0, max(1, (latest - earliest).days)))
            full_on = add_years(joined, 1) + dt.timedelta(days=rng.randint(0, 20))
            if full_on > self.today:
                full_on = self.today
        education = rng.choices([e.value for e in Education], [4, 25, 22, 10, 15, 16, 8])[0]
        ethnicity = rng.choices([Ethnicity.HAN, Ethnicity.HUI, Ethnicity.MANCHU, Ethnicity.MONGOL], [95, 3, 1, 1])[0]
        return Person(
            name=self.name(gender),
            gender=gender,
            birth_date=birth,
            id_number=self.id_number(birth, gender),
            ethnicity=ethnicity,
            education=education,
            occupation=occupation or (Occupation.RETIRED if retired else Occupation.OTHER),
            phone=self.phone(),
            status=Status.PROBATIONARY if probationary else Status.FULL,
            joined_on=joined,
            full_on=full_on,
        )
