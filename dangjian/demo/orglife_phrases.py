"""The words of the demo's organizational life: topics typical of branches, the
sentences of the minutes, reasons for absence and meeting places (Chinese, as a branch
writes them; demo data, not translatable text)."""

from __future__ import annotations

from dangjian.orglife.choices import EventKind
from dangjian.orgs.choices import Sector

# What the minutes say was done (the verb differs by kind).
KIND_WORDS = {
    EventKind.GENERAL_MEETING: "召开党员大会",
    EventKind.COMMITTEE_MEETING: "召开支部委员会会议",
    EventKind.GROUP_MEETING: "召开党小组会",
    EventKind.PARTY_LESSON: "组织党课",
    EventKind.THEME_DAY: "开展主题党日活动",
    EventKind.LIFE_MEETING: "召开组织生活会",
}
GENERAL_TOPICS = [
    "学习贯彻党的二十大精神",
    "学习贯彻党的二十届四中全会精神",
    "传达学习上级党委会议精神",
    "通报党费收缴和使用情况",
    "讨论发展党员工作",
    "学习《中国共产党纪律处分条例》",
]
COMMITTEE_TOPICS = [
    "研究本月支部工作安排",
    "研究党员发展和教育管理工作",
    "研究主题党日活动方案",
    "分析党员思想状况",
    "研究党费收缴工作",
    "研究困难党员帮扶工作",
]
GROUP_TOPICS = [
    "学习《中国共产党章程》",
    "学习习近平总书记重要讲话精神",
    "交流学习心得体会",
    "传达支部委员会会议精神",
    "学习贯彻党的二十大精神",
    "讨论发挥党员先锋模范作用",
]
LESSON_TOPICS = [
    f"党课：{t}"
    for t in [
        "学习贯彻党的二十大精神",
        "弘扬伟大建党精神",
        "深刻领会“两个确立”的决定性意义",
        "加强党的纪律建设",
        "坚持以人民为中心的发展思想",
        "以党的创新理论凝心铸魂",
    ]
]
THEME_DAYS = {
    1: "主题党日：走访慰问困难党员群众",
    2: "主题党日：重温入党誓词",
    3: "主题党日：学雷锋志愿服务",
    4: "主题党日：缅怀革命先烈",
    5: "主题党日：学习贯彻党的二十大精神",
    6: "主题党日：党员志愿服务进社区",
    7: "主题党日：庆祝中国共产党成立{party_years}周年",
    8: "主题党日：参观红色教育基地",
    9: "主题党日：党史知识竞答",
    10: "主题党日：爱国主义教育",
    11: "主题党日：观看警示教育片",
    12: "主题党日：国家宪法日学习活动",
}
TALK_TOPICS = ["谈心谈话：了解思想和工作情况", "谈心谈话：听取对支部工作的意见建议", "谈心谈话：谈学习体会和努力方向"]
CONTENT = {
    EventKind.GENERAL_MEETING: [
        "会议传达学习了上级党委有关会议精神，支部书记通报了本季度支部工作情况。",
        "与会党员围绕会议主题逐一发言，结合本职工作谈认识、谈打算。",
        "会议通报了党费收缴情况，对下一阶段支部重点工作进行了安排部署。",
    ],
    EventKind.COMMITTEE_MEETING: [
        "支委会逐项研究了本月工作安排，明确了责任分工和完成时限。",
        "会议分析了支部党员思想动态，研究了入党积极分子培养考察工作。",
        "会议研究了主题党日活动方案，确定了活动时间、地点和内容。",
    ],
    EventKind.GROUP_MEETING: [
        "党小组组长领学了有关文件，小组党员结合实际交流了学习体会。",
        "小组党员逐一发言，查找自身不足，提出了改进措施。",
        "会议传达了支委会会议精神，对本小组近期工作进行了安排。",
    ],
    EventKind.PARTY_LESSON: [
        "授课人围绕主题，结合身边典型事例，深入浅出地进行了讲解。",
        "党课分为三个部分，既讲理论又讲实践，引导党员坚定理想信念。",
        "课后党员围绕党课内容进行了交流讨论，进一步加深了理解。",
    ],
    EventKind.THEME_DAY: [
        "全体党员面向党旗重温了入党誓词，集中学习了有关文件。",
        "党员分组开展志愿服务，为群众办实事、解难题。",
        "活动结束后，党员交流了参加活动的感受，纷纷表示要立足岗位作贡献。",
    ],
    EventKind.LIFE_MEETING: [
        "支部班子和党员个人对照检查，逐一开展批评和自我批评，提出整改措施。",
        "会议按照个人自评、党员互评、民主测评的程序开展了民主评议党员。",
        "会议通报了上年度组织生活会查摆问题的整改情况。",
    ],
    EventKind.HEART_TALK: [
        "双方交流了近期思想、工作和生活情况，谈话坦诚深入。",
        "谈话中听取了对支部工作的意见建议，对存在的困难逐一作了回应。",
    ],
}
CLOSINGS = [
    "会议要求，全体党员要把学习成果转化为推动工作的实际成效。",
    "会议强调，要严格落实“三会一课”制度，不断提升支部组织力。",
    "会议要求，各党小组要抓好落实，按时报送工作情况。",
    "会议强调，要发挥党员先锋模范作用，以实际行动践行初心使命。",
]
EXCUSES = {
    Sector.VILLAGE: ["外出务工", "外出务工", "病假", "农忙", "事假"],
    Sector.COMMUNITY: ["病假", "外出探亲", "住院治疗", "事假"],
}
EXCUSES_AT_WORK = ["出差", "出差", "病假", "事假", "外出学习培训"]
EXCUSES_RETIRED = ["病假", "病假", "住院治疗", "外出探亲"]
PLACES = {
    Sector.VILLAGE: ["村党群服务中心", "村委会会议室"],
    Sector.COMMUNITY: ["社区党群服务中心", "社区党员活动室"],
    Sector.GOVERNMENT_ORGAN: ["机关三楼会议室", "党员活动室"],
    Sector.PUBLIC_INSTITUTION: ["五楼会议室", "党员活动室"],
}
PLACES_OTHER = ["公司会议室", "党员活动室"]
