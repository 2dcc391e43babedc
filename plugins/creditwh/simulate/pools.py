"""Vocabularies the customer generator draws from: names, places, streets. Small and fixed, so deterministic."""

from __future__ import annotations

# (character, pinyin) of common Chinese family names.
CN_FAMILY = [
    ("张", "Zhang"), ("王", "Wang"), ("李", "Li"), ("刘", "Liu"), ("陈", "Chen"), ("杨", "Yang"), ("黄", "Huang"),
    ("赵", "Zhao"), ("吴", "Wu"), ("周", "Zhou"), ("徐", "Xu"), ("孙", "Sun"), ("马", "Ma"), ("朱", "Zhu"),
    ("胡", "Hu"), ("郭", "Guo"), ("何", "He"), ("高", "Gao"), ("林", "Lin"), ("罗", "Luo"), ("郑", "Zheng"),
    ("梁", "Liang"), ("谢", "Xie"), ("宋", "Song"), ("唐", "Tang"), ("许", "Xu"), ("韩", "Han"), ("冯", "Feng"),
    ("邓", "Deng"), ("曹", "Cao"), ("彭", "Peng"), ("曾", "Zeng"), ("肖", "Xiao"), ("田", "Tian"), ("董", "Dong"),
    ("袁", "Yuan"), ("潘", "Pan"), ("于", "Yu"), ("蒋", "Jiang"), ("蔡", "Cai"),
]  # fmt: skip

# Characters used in given names, with pinyin; given names are one or two of them.
CN_GIVEN_CHARS = [
    ("三", "san"), ("丰", "feng"), ("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("敏", "min"), ("静", "jing"),
    ("丽", "li"), ("强", "qiang"), ("磊", "lei"), ("军", "jun"), ("洋", "yang"), ("勇", "yong"), ("艳", "yan"),
    ("杰", "jie"), ("涛", "tao"), ("明", "ming"), ("超", "chao"), ("秀", "xiu"), ("霞", "xia"), ("平", "ping"),
    ("刚", "gang"), ("桂", "gui"), ("英", "ying"), ("华", "hua"), ("建", "jian"), ("国", "guo"), ("文", "wen"),
    ("辉", "hui"), ("玲", "ling"), ("鹏", "peng"), ("宇", "yu"), ("浩", "hao"), ("晨", "chen"), ("欣", "xin"),
    ("怡", "yi"), ("子", "zi"), ("涵", "han"), ("雪", "xue"), ("梅", "mei"),
]  # fmt: skip

WESTERN_FAMILY = [
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
    "Hernandez", "Lopez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee",
    "O'Brien", "Nguyen", "Kim", "Patel", "Mueller", "Rossi", "Tanaka", "Silva",
]  # fmt: skip
WESTERN_GIVEN = [
    "James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth",
    "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Anne Marie", "Jean-Luc", "Mei", "Hiro",
]  # fmt: skip

# (city, province/state code, 6-digit resident-id region code or '' for US, postal code prefix)
CN_CITIES = [
    ("Beijing", "BJ", "110101", "100"), ("Shanghai", "SH", "310101", "200"), ("Guangzhou", "GD", "440106", "510"),
    ("Shenzhen", "GD", "440305", "518"), ("Hangzhou", "ZJ", "330106", "310"), ("Nanjing", "JS", "320102", "210"),
    ("Chengdu", "SC", "510104", "610"), ("Wuhan", "HB", "420102", "430"), ("Xi'an", "SN", "610113", "710"),
    ("Tianjin", "TJ", "120101", "300"), ("Chongqing", "CQ", "500103", "400"), ("Suzhou", "JS", "320505", "215"),
    ("Qingdao", "SD", "370202", "266"), ("Changsha", "HN", "430102", "410"), ("Xiamen", "FJ", "350203", "361"),
]  # fmt: skip
US_CITIES = [
    ("New York", "NY", "", "100"), ("San Francisco", "CA", "", "941"), ("Chicago", "IL", "", "606"),
    ("Houston", "TX", "", "770"), ("Seattle", "WA", "", "981"), ("Boston", "MA", "", "021"),
]  # fmt: skip

CN_STREETS = [
    "Zhongshan", "Renmin", "Jiefang", "Nanjing", "Huaihai", "Jianguo", "Chang'an", "Heping", "Xinhua",
    "Dongfeng", "Beijing", "Yan'an", "Tianhe", "Wenyi", "Shennan", "Binhai",
]  # fmt: skip
US_STREETS = ["Main", "Oak", "Pine", "Maple", "Cedar", "Elm", "Washington", "Lake", "Hill", "Park"]

# Street suffix kinds and the ways they are keyed in.
SUFFIX_VARIANTS = [
    ("Road", "Rd.", "Rd", "ROAD"),
    ("Street", "St.", "St", "STREET"),
    ("Avenue", "Ave.", "Ave", "AVENUE"),
]
SUFFIX_STYLE_P = (0.6, 0.25, 0.1, 0.05)

LINE2_FORMS = ("Room {}", "Apt {}", "Unit {}", "Rm. {}", "Flat {}")

PRODUCTS = ("CLASSIC", "GOLD", "PLATINUM")
PRODUCT_MIX = (0.6, 0.3, 0.1)
# credit limit range per product, in whole currency units
PRODUCT_LIMITS = ((2_000, 12_000), (10_000, 40_000), (30_000, 120_000))
BRANCHES = tuple(f"BR{n:03d}" for n in range(1, 41))
