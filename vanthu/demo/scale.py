"""`vanthu gen`: realistic Vietnamese documents in bulk, for the search benchmark. Rows are inserted with
bulk_create (not through the actions: a million registrations would take hours), into units created
through the org actions beneath the fixed characters' Military Region, with registers per unit and year,
gap-free numbers per register, the 29 document types weighted as in practice, secrecy and urgency skewed,
subjects from military-administration vocabulary and bodies of a hundred-odd words."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.db import connection, transaction
from django.utils import timezone

from vanthu.core.choices import Secrecy, Urgency
from vanthu.documents.models import Direction, Document, DocumentType, Register, RegisterKind, Status, register_name
from vanthu.org.models import Person, Unit
from vanthu.search.models import ExtractedText, Term, TextMethod
from vanthu.search.text import fold

TOPICS = [
    "huấn luyện chiến đấu", "sẵn sàng chiến đấu", "phòng chống bão lũ", "tìm kiếm cứu nạn", "công tác hậu cần",
    "công tác kỹ thuật", "công tác chính trị", "công tác đảng", "xây dựng chính quy", "rèn luyện kỷ luật",
    "tuyển quân năm", "giáo dục quốc phòng", "diễn tập khu vực phòng thủ", "phòng chống ma túy",
    "chuyển đổi số", "chữ ký số", "an toàn thông tin", "bảo mật thông tin", "quản lý vũ khí trang bị",
    "xăng dầu", "doanh trại", "quân y", "phòng chống dịch bệnh", "thi đua khen thưởng", "tài chính",
    "dân quân tự vệ", "dự bị động viên", "biên giới biển đảo", "tàu ngầm Kilo", "máy bay Su-30MK2",
    "cơn bão Yagi", "phòng cháy chữa cháy", "an toàn giao thông", "cải cách hành chính", "văn thư lưu trữ",
    "hợp đồng mua sắm", "đường hành quân", "rà phá bom mìn", "quân nhân chuyên nghiệp", "hạ sĩ quan binh sĩ",
]
SUBJECT_FORMS = [
    "Về việc tăng cường {t} tại {p}", "Kế hoạch {t} năm {y}", "V/v tổng kết {t} năm {y}",
    "Báo cáo kết quả {t} quý {q} năm {y}", "Quyết định ban hành quy chế {t}", "V/v triển khai {t} tại {p}",
    "Hướng dẫn thực hiện {t} trong {u}", "Thông báo kết luận về {t}", "V/v kiểm tra {t} đợt {q}",
    "Chỉ thị về {t} và {t2}", "Kế hoạch phối hợp {t} với {p}", "V/v đề nghị hỗ trợ {t}",
]
PROVINCES = [
    "Điện Biên", "Lai Châu", "Sơn La", "Hà Giang", "Cao Bằng", "Lạng Sơn", "Quảng Ninh", "Thanh Hóa", "Nghệ An",
    "Hà Tĩnh", "Quảng Bình", "Quảng Trị", "Thừa Thiên Huế", "Đà Nẵng", "Quảng Nam", "Quảng Ngãi", "Bình Định",
    "Phú Yên", "Khánh Hòa", "Ninh Thuận", "Bình Thuận", "Kon Tum", "Gia Lai", "Đắk Lắk", "Lâm Đồng",
    "Bình Phước", "Tây Ninh", "Long An", "Tiền Giang", "Bến Tre", "Trà Vinh", "Vĩnh Long", "Đồng Tháp",
    "An Giang", "Kiên Giang", "Cần Thơ", "Hậu Giang", "Sóc Trăng", "Bạc Liêu", "Cà Mau", "Phú Quốc",
]
SENTENCES = [
    "Căn cứ Quyết định số {n}/QĐ-{a} ngày {d} của {u} về việc {t};",
    "Thực hiện chỉ đạo của Bộ Tư lệnh về {t}, {u} báo cáo kết quả như sau:",
    "Yêu cầu các cơ quan, đơn vị quán triệt và tổ chức thực hiện nghiêm {t}.",
    "Trong thời gian qua, {u} đã chủ động phối hợp với địa phương {p} triển khai {t}.",
    "Tồn tại, hạn chế: việc {t} ở một số đơn vị còn chậm, chưa đồng bộ.",
    "Đề nghị {u} chỉ đạo cơ quan chức năng khẩn trương hoàn thành {t} trước ngày {d}.",
    "Giao {u} chủ trì, phối hợp với các cơ quan liên quan hướng dẫn, kiểm tra {t}.",
    "Kinh phí bảo đảm cho {t} do ngành tài chính cân đối trong dự toán năm {y}.",
    "Đồng chí {name} chịu trách nhiệm theo dõi, đôn đốc và tổng hợp báo cáo về {t}.",
    "Quá trình thực hiện nếu có vướng mắc, báo cáo về Bộ Tham mưu qua Phòng Tác chiến để giải quyết.",
]
NAMES = ["Nguyễn Văn An", "Trần Đức Bảo", "Lê Thị Cúc", "Phạm Quốc Dũng", "Hoàng Minh Đức", "Vũ Thị Hằng",
         "Đỗ Văn Khánh", "Bùi Thanh Long", "Lò Văn Hạnh", "Đặng Quang Vinh", "Ngô Thị Yến", "Dương Văn Thắng"]
SIGNERS = ["Trần Quốc Hùng", "Lê Văn Bình", "Hoàng Văn Sơn", "Đặng Văn Dũng", "Nguyễn Hữu Tài", "Phan Văn Lực"]
ORGANS = ["Bộ Quốc phòng", "Bộ Tổng Tham mưu", "Tổng cục Chính trị", "Tổng cục Hậu cần", "Tổng cục Kỹ thuật",
          "Ủy ban nhân dân tỉnh", "Bộ Tư lệnh Quân khu 10", "Cục Tác chiến", "Cục Quân huấn", "Cục Tài chính"]
TYPE_WEIGHTS = {"Công văn": 35, "Kế hoạch": 12, "Báo cáo": 12, "Quyết định": 10, "Thông báo": 8, "Hướng dẫn": 5,
                "Chỉ thị": 3, "Tờ trình": 5, "Biên bản": 4, "Quy chế": 2, "Chương trình": 2, "Giấy mời": 2}
UNIT_KINDS = ["Trung đoàn", "Tiểu đoàn", "Ban Chỉ huy Quân sự huyện", "Phòng", "Ban", "Lữ đoàn", "Kho",
              "Bệnh viện Quân y", "Trường Quân sự", "Đồn Biên phòng"]


def ensure_units(count: int, *, seed: int = 1) -> list[Unit]:
    """`count` units under the Military Region (building the fixed characters first when the base is empty)."""
    from vanthu.core.actors import operator
    from vanthu.org import actions as org

    existing = list(Unit.objects.order_by("pk"))
    if not existing:
        from vanthu.demo.characters import build_cast

        build_cast()
        existing = list(Unit.objects.order_by("pk"))
    rng = random.Random(seed)
    roots = [u for u in existing if u.depth <= 1]
    made = 0
    while len(existing) < count:
        parent = rng.choice(roots)
        made += 1
        kind = rng.choice(UNIT_KINDS)
        unit = org.create_unit(name=f"{kind} {made}", abbreviation=f"G{made}", parent=parent, acting=operator("gen"))
        existing.append(unit)
        if len(roots) < max(4, count // 10):
            roots.append(unit)
    return existing[:count]


def _date(rng: random.Random, year: int) -> dt.date:
    return dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365 if year < 2026 else 330))


def make_body(rng: random.Random, topics: list[str], units: list[str]) -> str:
    out = []
    for _ in range(rng.randrange(5, 9)):
        out.append(rng.choice(SENTENCES).format(
            n=rng.randrange(1, 3000), a=rng.choice(["BTL", "BTTM", "BQP", "TM", "CT"]), d=f"{rng.randrange(1, 29)}/"
            f"{rng.randrange(1, 13)}/{rng.randrange(2017, 2027)}", u=rng.choice(units), t=rng.choice(topics),
            p=rng.choice(PROVINCES), y=rng.randrange(2017, 2027), name=rng.choice(NAMES)))
    return " ".join(out)


def generate(*, documents: int, units: int, seed: int = 2026, batch: int = 5000,
             progress: Callable[[int], None] | None = None) -> int:
    rng = random.Random(seed)
    unit_list = ensure_units(units, seed=seed)
    unit_names = [u.name for u in unit_list]
    # Zipf-like: the first units hold far more documents
    unit_weights = [1.0 / (i + 1) ** 0.9 for i in range(len(unit_list))]
    types = {t.name: t for t in DocumentType.objects.all()}
    type_names = [n for n in TYPE_WEIGHTS if n in types]
    type_weights = [TYPE_WEIGHTS[n] for n in type_names]
    author = Person.objects.order_by("pk").first()
    assert author is not None
    years = list(range(2017, 2027))
    year_weights = [1 + i * 0.15 for i in range(len(years))]
    registers: dict[tuple[int, str, int], Register] = {
        (r.unit_id, r.kind, r.year): r for r in Register.objects.filter(series="chung")
    }
    numbers: dict[int, int] = {r.pk: r.last_number for r in registers.values()}

    def register_for(unit: Unit, kind: str, year: int) -> Register:
        key = (unit.pk, kind, year)
        if key not in registers:
            reg, _ = Register.objects.get_or_create(
                unit=unit, kind=kind, series="chung", year=year,
                defaults={"name": register_name(unit=unit, kind=kind, series="chung", year=year)},
            )
            registers[key] = reg
            numbers[reg.pk] = reg.last_number
        return registers[key]

    made = 0
    while made < documents:
        size = min(batch, documents - made)
        docs: list[Document] = []
        bodies: list[str] = []
        for _ in range(size):
            unit = rng.choices(unit_list, unit_weights)[0]
            year = rng.choices(years, year_weights)[0]
            incoming = rng.random() < 0.6
            kind = RegisterKind.INCOMING if incoming else RegisterKind.OUTGOING
            reg = register_for(unit, kind, year)
            dtype = types[rng.choices(type_names, type_weights)[0]]
            topic, topic2 = rng.sample(TOPICS, 2)
            subject = rng.choice(SUBJECT_FORMS).format(
                t=topic, t2=topic2, p=rng.choice(PROVINCES), y=year, q=rng.randrange(1, 5), u=rng.choice(unit_names))
            abbr = dtype.abbreviation or "CV"
            issuer = rng.choice(["BTL", "BTTM", "BQP", "TM", "CT", "HC", "KT"]) if incoming else unit.abbreviation
            secrecy = rng.choices([Secrecy.NONE, Secrecy.CONFIDENTIAL, Secrecy.SECRET, Secrecy.TOP_SECRET],
                                  [85, 10, 4, 1])[0]
            status = (rng.choice([Status.REGISTERED, Status.DIRECTED, Status.IN_PROGRESS, Status.DONE, Status.DONE])
                      if incoming else rng.choice([Status.ISSUED, Status.ISSUED, Status.ISSUED, Status.DRAFT]))
            issued = _date(rng, year)
            if status != Status.DRAFT:
                numbers[reg.pk] += 1  # drafts take no number
            docs.append(Document(
                direction=Direction.INCOMING if incoming else Direction.OUTGOING, status=status, unit=unit,
                drafting_unit=None if incoming else unit, doc_type=dtype,
                register=reg if status != Status.DRAFT else None,
                number=numbers[reg.pk] if status != Status.DRAFT else None,
                code_number=str(rng.randrange(1, 3000)) if incoming else (
                    str(numbers[reg.pk]) if status != Status.DRAFT else ""),
                code_notation=f"{abbr}-{issuer}" if abbr != "CV" else issuer,
                issued_date=issued, organ_name=rng.choice(ORGANS) if incoming else unit.name, subject=subject,
                signer_name=rng.choice(SIGNERS), signer_position=rng.choice(["Tư lệnh", "Tham mưu trưởng",
                                                                               "Chính ủy", "Phó Tư lệnh"]),
                urgency=rng.choices([Urgency.NORMAL, Urgency.URGENT, Urgency.VERY_URGENT, Urgency.FLASH],
                                    [80, 12, 6, 2])[0],
                secrecy=secrecy, due_date=issued + dt.timedelta(days=rng.randrange(5, 40))
                if incoming and rng.random() < 0.3 else None, created_by=author,
            ))
            bodies.append(make_body(rng, [topic, topic2, rng.choice(TOPICS)], unit_names[:50]))
        with transaction.atomic():
            if connection.vendor == "postgresql":
                _copy(docs, bodies)
            else:
                Document.objects.bulk_create(docs, batch_size=1000)
                ExtractedText.objects.bulk_create(
                    [ExtractedText(document_id=d.pk, method=TextMethod.GENERATED, text=b)
                     for d, b in zip(docs, bodies, strict=True)],
                    batch_size=1000,
                )
        made += size
        if progress:
            progress(made)
    for reg in registers.values():
        Register.objects.filter(pk=reg.pk, last_number__lt=numbers[reg.pk]).update(last_number=numbers[reg.pk])
    return made


def _copy(docs: list[Document], bodies: list[str]) -> None:
    """PostgreSQL: the rows through COPY (ten times faster than INSERT), with their index lexemes."""
    from vanthu.search.indexing import FIELDS, lexemes_for

    now = timezone.now()
    fields = [f for f in Document._meta.concrete_fields if not f.primary_key]
    with connection.cursor() as cursor:
        # the references are ours and valid: skip the per-row foreign-key triggers (needs a superuser; else kept)
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if cursor.fetchone()[0]:
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("SELECT nextval(pg_get_serial_sequence('documents_document', 'id')) "
                       "FROM generate_series(1, %s)", [len(docs)])
        ids = [row[0] for row in cursor.fetchall()]
        raw = cursor.cursor  # psycopg's own cursor, for COPY
        columns = ", ".join(["id"] + [f.column for f in fields])
        with raw.copy(f"COPY documents_document ({columns}) FROM STDIN") as copy:
            for pk, doc in zip(ids, docs, strict=True):
                doc.pk = pk
                doc.created_at = doc.updated_at = now
                values: list[object] = [pk]
                for f in fields:
                    value = getattr(doc, f.attname)
                    if value is None and not f.null:
                        value = f.get_default()
                    values.append(value)
                copy.write_row(values)
        with raw.copy("COPY search_extractedtext (document_id, file_sha256, method, text, extracted_at) "
                      "FROM STDIN") as copy:
            for doc, body in zip(docs, bodies, strict=True):
                copy.write_row([doc.pk, "", TextMethod.GENERATED.value, body, now])
        words: set[str] = set()
        with raw.copy("COPY search_pg (document_id, lex) FROM STDIN") as copy:
            for doc, body in zip(docs, bodies, strict=True):
                row = {name: getattr(doc, name, "") for name in FIELDS if "__" not in name}
                head, lex = lexemes_for(row, body)
                words |= head
                copy.write_row([doc.pk, " ".join(f"'{w}'" for w in lex)])
    vocabulary = {w[:40] for w in words if len(w) >= 4 and "_" not in w and w.isalpha() and w == fold(w)}
    Term.objects.bulk_create([Term(term=w) for w in vocabulary], ignore_conflicts=True)
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy("COPY search_indexeddocument (document_id, source_updated_at, text_sha256) FROM STDIN") as copy:
            for doc in docs:
                copy.write_row([doc.pk, now, ""])
