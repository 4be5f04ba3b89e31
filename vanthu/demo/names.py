"""The demo Military Region's units and the parts its people's names are composed from (all fictional).

People's names are composed at random from common Vietnamese family, middle and given names, so no name
list of real people is involved. Units follow the usual shape of a Military Region: the Command with its
agencies and their departments, level-2 units (divisions, provincial military commands, brigades, a
school, a hospital) and their sub-units.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass

from vanthu.org.models import Rank, UnitKind

# Family names with rough shares in the population (per cent).
FAMILY: list[tuple[str, float]] = [
    ("Nguyễn", 38), ("Trần", 11), ("Lê", 9.5), ("Phạm", 7), ("Hoàng", 4), ("Huỳnh", 1.5), ("Phan", 4.5),
    ("Vũ", 3), ("Võ", 1.5), ("Đặng", 2), ("Bùi", 2), ("Đỗ", 1.4), ("Hồ", 1.3), ("Ngô", 1.3), ("Dương", 1),
    ("Lý", 0.5), ("Đinh", 0.8), ("Trịnh", 0.7), ("Lương", 0.5), ("Mai", 0.5), ("Tạ", 0.3), ("Hà", 0.5),
]
MIDDLE_MALE = ["Văn", "Đức", "Minh", "Quốc", "Xuân", "Hữu", "Công", "Thanh", "Trọng", "Ngọc", "Đình", "Mạnh",
               "Quang", "Việt", "Duy", "Hoài", "Tiến", "Bá"]
MIDDLE_FEMALE = ["Thị", "Thị", "Thị", "Thu", "Ngọc", "Thanh", "Hồng", "Minh", "Kim", "Phương"]
GIVEN_MALE = ["An", "Bảo", "Cường", "Đạt", "Hải", "Hiếu", "Hòa", "Huy", "Khánh", "Lâm", "Long", "Nam", "Nghĩa",
              "Phong", "Phúc", "Quân", "Sang", "Tài", "Thắng", "Thành", "Thịnh", "Toàn", "Trung", "Tuấn", "Việt",
              "Vinh", "Kiên", "Lực", "Tiến", "Trường", "Tùng", "Hậu", "Đông", "Hiệp", "Chiến", "Duy", "Định",
              "Giang", "Hào", "Khải", "Lộc", "Nhân", "Quyết", "Tâm", "Thái", "Thông", "Tín", "Vượng"]
GIVEN_FEMALE = ["Anh", "Châu", "Diệp", "Giang", "Hà", "Hạnh", "Hằng", "Hương", "Huyền", "Linh", "Loan", "Mai",
                "Nga", "Ngân", "Nhung", "Oanh", "Phương", "Quyên", "Thảo", "Trang", "Vân", "Yến", "Thúy", "Liên"]


def compose_name(rng: random.Random, *, female: bool) -> str:
    family = rng.choices([f for f, _ in FAMILY], weights=[w for _, w in FAMILY])[0]
    middle = rng.choice(MIDDLE_FEMALE if female else MIDDLE_MALE)
    given = rng.choice(GIVEN_FEMALE if female else GIVEN_MALE)
    return f"{family} {middle} {given}"


def ascii_fold(text: str) -> str:
    """'Nguyễn Đức Anh' → 'Nguyen Duc Anh' (đ/Đ are letters of their own, not accented d)."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


def username_for(full_name: str) -> str:
    """The usual Vietnamese account name: given name then initials, 'Nguyễn Văn An' → 'annv'."""
    parts = ascii_fold(full_name).lower().split()
    return parts[-1] + "".join(p[0] for p in parts[:-1])


@dataclass(frozen=True)
class Post:
    """A position in a unit: who holds it, with which rank, role and clearance."""

    title: str
    rank: str
    role: str  # "leader", "clerk", "officer"
    clearance: int = 0
    female_share: float = 0.1


@dataclass(frozen=True)
class UnitSpec:
    """A unit of the demo tree. `key` names it in build.py; cast units reuse the fixed characters' units."""

    key: str
    name: str
    abbreviation: str
    kind: str
    short_name: str = ""
    posts: tuple[Post, ...] = ()
    speciality: str = ""  # the field its officers work in ("quân huấn")
    children: tuple[UnitSpec, ...] = ()


R = Rank
LEADER, CLERK, OFFICER = "leader", "clerk", "officer"


def clerk(rank: str = R.THUONG_UY) -> Post:
    return Post("Văn thư", rank, CLERK, clearance=2, female_share=0.7)


def officer(title: str, rank: str = R.THIEU_TA, clearance: int = 1) -> Post:
    return Post(title, rank, OFFICER, clearance=clearance)


def head(title: str, rank: str = R.DAI_TA, clearance: int = 3) -> Post:
    return Post(title, rank, LEADER, clearance=clearance)


def department(key: str, name: str, abbr: str, field_name: str, officers: int = 1) -> UnitSpec:
    posts = [head("Trưởng phòng", R.THUONG_TA, 2)]
    posts += [officer(f"Trợ lý {field_name}", R.THIEU_TA if i == 0 else R.DAI_UY) for i in range(officers)]
    return UnitSpec(key, name, abbr, UnitKind.OFFICE, posts=tuple(posts), speciality=field_name)


def agency(key: str, name: str, abbr: str, chief: str, deputy: str, field_name: str,
           children: tuple[UnitSpec, ...] = (), short: str = "") -> UnitSpec:
    posts = (head(chief), head(deputy, R.THUONG_TA, 2), clerk(R.DAI_UY), officer(f"Trợ lý {field_name}"),
             officer(f"Trợ lý {field_name}", R.DAI_UY, 0))
    return UnitSpec(key, name, abbr, UnitKind.AGENCY, short_name=short, posts=posts, speciality=field_name,
                    children=children)


def district(province_key: str, letter: str, number: int) -> UnitSpec:
    if number == 0:
        name, abbr = f"Ban Chỉ huy Quân sự thành phố {letter}", f"BCH-TP{letter}"
        short = f"Ban CHQS thành phố {letter}"
    else:
        name, abbr = f"Ban Chỉ huy Quân sự huyện {letter}{number}", f"BCH-{letter}{number}"
        short = f"Ban CHQS huyện {letter}{number}"
    posts = (head("Chỉ huy trưởng", R.TRUNG_TA, 2), clerk(R.TRUNG_UY),
             officer("Trợ lý tác chiến - dân quân", R.DAI_UY))
    return UnitSpec(f"{province_key}-{number}", name, abbr, UnitKind.SUBUNIT, short_name=short, posts=posts,
                    speciality="dân quân")


def province(letter: str) -> UnitSpec:
    key = f"bch-{letter.lower()}"
    posts = (head("Chỉ huy trưởng"), head("Chính ủy"), head("Phó Chỉ huy trưởng - Tham mưu trưởng", R.THUONG_TA, 2),
             clerk(), officer("Trợ lý tác chiến"), officer("Trợ lý dân quân tự vệ", R.DAI_UY),
             officer("Trợ lý chính trị", R.DAI_UY, 0))
    return UnitSpec(key, f"Bộ Chỉ huy Quân sự tỉnh {letter}", f"BCH-{letter}", UnitKind.LEVEL2,
                    short_name=f"Bộ CHQS tỉnh {letter}", posts=posts, speciality="tác chiến",
                    children=(district(key, letter, 0), district(key, letter, 1), district(key, letter, 2)))


def regiment(key: str, number: int, children: tuple[UnitSpec, ...] = ()) -> UnitSpec:
    posts = (head("Trung đoàn trưởng", R.THUONG_TA, 2), head("Chính ủy", R.THUONG_TA, 2), clerk(R.TRUNG_UY),
             officer("Trợ lý tham mưu", R.DAI_UY))
    return UnitSpec(key, f"Trung đoàn {number}", f"E{number}", UnitKind.SUBUNIT, posts=posts, speciality="tham mưu",
                    children=children)


def battalion(key: str, number: int) -> UnitSpec:
    posts = (head("Tiểu đoàn trưởng", R.THIEU_TA, 1), officer("Chính trị viên", R.DAI_UY))
    return UnitSpec(key, f"Tiểu đoàn {number}", f"D{number}", UnitKind.SUBUNIT, posts=posts, speciality="huấn luyện")


def level2(key: str, name: str, abbr: str, chief: str, children: tuple[UnitSpec, ...] = (), short: str = "",
           field_name: str = "tham mưu", chief_rank: str = R.DAI_TA) -> UnitSpec:
    posts = (head(chief, chief_rank), head("Chính ủy", chief_rank), head(f"Phó {chief.lower()}", R.THUONG_TA, 2),
             clerk(), officer(f"Trợ lý {field_name}"), officer("Trợ lý kế hoạch", R.DAI_UY, 0))
    return UnitSpec(key, name, abbr, UnitKind.LEVEL2, short_name=short, posts=posts, speciality=field_name,
                    children=children)


# The tree under the Command. Keys of units the fixed characters already created: command, office, staff,
# operations, politics, division, regiment, province; their posts add people beside the characters.
TREE: tuple[UnitSpec, ...] = (
    UnitSpec("office", "Văn phòng Bộ Tư lệnh", "VP", UnitKind.AGENCY, posts=(
        head("Chánh Văn phòng"), head("Phó Chánh Văn phòng", R.THUONG_TA, 2), officer("Trợ lý hành chính"),
        Post("Nhân viên văn thư", R.THUONG_SI, CLERK, clearance=1, female_share=0.8),
    ), speciality="hành chính", children=(
        UnitSpec("it", "Ban Công nghệ thông tin", "CNTT", UnitKind.OFFICE, posts=(
            head("Trưởng ban", R.TRUNG_TA, 1), officer("Trợ lý chuyển đổi số", R.DAI_UY, 0),
        ), speciality="công nghệ thông tin"),
    )),
    UnitSpec("staff", "Bộ Tham mưu", "TM", UnitKind.AGENCY, posts=(
        head("Phó Tham mưu trưởng", R.DAI_TA, 3), officer("Trợ lý tổng hợp"),
    ), speciality="tham mưu", children=(
        UnitSpec("operations", "Phòng Tác chiến", "TC", UnitKind.OFFICE, posts=(
            head("Trưởng phòng", R.DAI_TA, 3), officer("Trợ lý tác chiến", R.TRUNG_TA, 2),
        ), speciality="tác chiến"),
        department("training", "Phòng Quân huấn", "QH", "quân huấn", 2),
        department("forces", "Phòng Quân lực", "QL", "quân lực", 2),
        department("signals", "Phòng Thông tin", "TT", "thông tin"),
        department("militia", "Phòng Dân quân tự vệ", "DQTV", "dân quân tự vệ", 2),
        department("engineers", "Phòng Công binh", "CB", "công binh"),
        department("recon", "Phòng Trinh sát", "TS", "trinh sát"),
        department("rescue", "Phòng Cứu hộ - Cứu nạn", "CHCN", "cứu hộ cứu nạn"),
    )),
    UnitSpec("politics", "Cục Chính trị", "CT", UnitKind.AGENCY, posts=(
        head("Chủ nhiệm Chính trị"), head("Phó Chủ nhiệm Chính trị", R.DAI_TA, 2), clerk(R.DAI_UY),
        officer("Trợ lý tổng hợp"),
    ), speciality="chính trị", children=(
        department("organisation", "Phòng Tổ chức", "TC", "tổ chức"),
        department("cadres", "Phòng Cán bộ", "CB", "cán bộ"),
        department("propaganda", "Phòng Tuyên huấn", "TH", "tuyên huấn"),
        department("policy", "Phòng Chính sách", "CS", "chính sách", 2),
        department("security", "Phòng Bảo vệ an ninh", "BVAN", "bảo vệ an ninh"),
        department("civil", "Phòng Dân vận", "DV", "dân vận"),
    )),
    agency("logistics", "Cục Hậu cần", "HC", "Chủ nhiệm Hậu cần", "Phó Chủ nhiệm Hậu cần", "hậu cần", children=(
        department("supply", "Phòng Quân nhu", "QN", "quân nhu"),
        department("medical", "Phòng Quân y", "QY", "quân y"),
        department("fuel", "Phòng Xăng dầu", "XD", "xăng dầu"),
        department("barracks", "Phòng Doanh trại", "DT", "doanh trại"),
        department("transport", "Phòng Vận tải", "VT", "vận tải"),
    )),
    agency("technical", "Cục Kỹ thuật", "KT", "Chủ nhiệm Kỹ thuật", "Phó Chủ nhiệm Kỹ thuật", "kỹ thuật", children=(
        department("weapons", "Phòng Quân khí", "QK", "quân khí"),
        department("vehicles", "Phòng Xe - Máy", "XM", "xe máy"),
        department("tech-plans", "Phòng Kế hoạch - Tổng hợp", "KHTH", "kế hoạch kỹ thuật"),
    )),
    agency("inspection", "Ủy ban Kiểm tra Đảng ủy Quân khu", "UBKT", "Chủ nhiệm Ủy ban Kiểm tra",
           "Phó Chủ nhiệm Ủy ban Kiểm tra", "kiểm tra", short="Ủy ban Kiểm tra"),
    agency("inspectorate", "Thanh tra Quân khu", "TTr", "Chánh Thanh tra", "Phó Chánh Thanh tra", "thanh tra",
           short="Thanh tra"),
    agency("finance", "Phòng Tài chính", "TCh", "Trưởng phòng Tài chính", "Phó Trưởng phòng Tài chính",
           "tài chính"),
    UnitSpec("division", "Sư đoàn 301", "F301", UnitKind.LEVEL2, posts=(
        head("Chính ủy"), head("Phó Sư đoàn trưởng - Tham mưu trưởng", R.THUONG_TA, 2), clerk(),
        officer("Trợ lý tác chiến", R.DAI_UY),
    ), speciality="tham mưu", children=(
        UnitSpec("regiment", "Trung đoàn 1", "E1", UnitKind.SUBUNIT, posts=(
            head("Trung đoàn trưởng", R.THUONG_TA, 2), clerk(R.TRUNG_UY), officer("Trợ lý tham mưu", R.DAI_UY),
        ), speciality="tham mưu", children=(battalion("e1-d1", 1), battalion("e1-d2", 2))),
        regiment("e2", 2),
        regiment("e3", 3),
    )),
    UnitSpec("province", "Bộ Chỉ huy Quân sự tỉnh A", "BCH-A", UnitKind.LEVEL2, posts=(
        head("Chỉ huy trưởng"), head("Chính ủy"), clerk(), officer("Trợ lý dân quân tự vệ", R.DAI_UY),
    ), speciality="tác chiến", children=(district("province", "A", 0), district("province", "A", 1),
                                     district("province", "A", 2))),
    level2("f302", "Sư đoàn 302", "F302", "Sư đoàn trưởng", children=(regiment("e4", 4), regiment("e5", 5),
                                                                       regiment("e6", 6))),
    province("B"), province("C"), province("D"), province("E"), province("F"),
    level2("b180", "Lữ đoàn Pháo binh 180", "LĐ180", "Lữ đoàn trưởng", short="Lữ đoàn 180", field_name="pháo binh"),
    level2("b270", "Lữ đoàn Công binh 270", "LĐ270", "Lữ đoàn trưởng", short="Lữ đoàn 270", field_name="công binh"),
    level2("e601", "Trung đoàn Thông tin 601", "E601", "Trung đoàn trưởng", short="Trung đoàn 601",
           field_name="thông tin", chief_rank=R.THUONG_TA),
    level2("school", "Trường Quân sự Quân khu 10", "TQS", "Hiệu trưởng", short="Trường Quân sự",
           field_name="đào tạo"),
    level2("hospital", "Bệnh viện Quân y 110", "BV110", "Giám đốc", short="Bệnh viện 110", field_name="quân y"),
    level2("depot", "Kho K10", "K10", "Chủ nhiệm kho", field_name="kho", chief_rank=R.THUONG_TA),
)

# Bodies outside the Military Region that send documents to it: name, notation abbreviation, signer's
# competence and title, signer's rank.
OUTSIDE: list[tuple[str, str, str, str, str]] = [
    ("Bộ Quốc phòng", "BQP", "KT. BỘ TRƯỞNG", "THỨ TRƯỞNG", R.THUONG_TUONG),
    ("Bộ Tổng Tham mưu", "BTTM", "KT. TỔNG THAM MƯU TRƯỞNG", "PHÓ TỔNG THAM MƯU TRƯỞNG", R.TRUNG_TUONG),
    ("Tổng cục Chính trị", "TCCT", "KT. CHỦ NHIỆM", "PHÓ CHỦ NHIỆM", R.TRUNG_TUONG),
    ("Tổng cục Hậu cần", "TCHC", "KT. CHỦ NHIỆM", "PHÓ CHỦ NHIỆM", R.THIEU_TUONG),
    ("Tổng cục Kỹ thuật", "TCKT", "KT. CHỦ NHIỆM", "PHÓ CHỦ NHIỆM", R.THIEU_TUONG),
    ("Cục Tác chiến", "CTC", "CỤC TRƯỞNG", "", R.THIEU_TUONG),
    ("Cục Quân huấn", "CQH", "CỤC TRƯỞNG", "", R.THIEU_TUONG),
    ("Cục Dân quân tự vệ", "CDQTV", "CỤC TRƯỞNG", "", R.THIEU_TUONG),
    ("Cục Cứu hộ - Cứu nạn", "CCHCN", "KT. CỤC TRƯỞNG", "PHÓ CỤC TRƯỞNG", R.DAI_TA),
]
PROVINCIAL_BODIES: list[tuple[str, str, str, str]] = [
    ("Ủy ban nhân dân tỉnh {p}", "UBND", "TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"),
    ("Tỉnh ủy {p}", "TU", "T/M BAN THƯỜNG VỤ", "BÍ THƯ"),
    ("Ban Chỉ huy Phòng thủ dân sự tỉnh {p}", "BCHPTDS", "KT. TRƯỞNG BAN", "PHÓ TRƯỞNG BAN"),
    ("Sở Nội vụ tỉnh {p}", "SNV", "GIÁM ĐỐC", ""),
]
PROVINCE_LETTERS = ("A", "B", "C", "D", "E", "F")
