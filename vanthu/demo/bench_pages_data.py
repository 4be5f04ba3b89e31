"""The data of `vanthu bench pages` (see `bench_pages`): the fixed characters through the actions, then
~190 filler units and ten years of documents in bulk with SQL (`INSERT … SELECT … generate_series`), each size
in its own database marked with the generator version, size and seed."""
from __future__ import annotations

import json
import random
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.core.management.base import CommandError

GENERATOR_VERSION = 3  # 3: the task tree's columns (decision 0015)
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/vanthu_bench"
TARGET_P95_MS = 100.0
TARGET_RATIO = 1.5
OPEN_DOCUMENTS = 300  # the working set, the same at every size
CURRENT_STAFF = 240  # closed documents of the Staff this year, at least, at every size (full register pages)
FILLER_UNITS = 190
STAFF_SHARE = 0.015  # the Staff's share of all documents
FIRST_YEAR_BACK = 9  # ten years of registers: this year and the nine before
# Tables loaded in bulk: their plain (non-constraint) indexes are dropped for the load and rebuilt after.
BULK_TABLES = ("documents_document", "documents_documentfile", "documents_documentshare", "documents_recipient",
               "workflow_instruction", "workflow_assignment", "audit_auditevent")
PAGES = ("inbox", "incoming_register", "outgoing_register", "document_detail")


class BenchError(CommandError):
    """The benchmark cannot run (wrong database, missing server …): the message says why."""


# --- data ------------------------------------------------------------------------------------------------


@dataclass
class Dataset:
    size: int
    seed: int
    lan_username: str
    staff_id: int
    seconds: float = 0.0
    reused: bool = False
    rows: dict[str, int] = field(default_factory=dict)


def marker(size: int, seed: int) -> str:
    return json.dumps({"vanthu_bench": GENERATOR_VERSION, "size": size, "seed": seed}, sort_keys=True)


def open_cursor() -> Any:
    from django.db import connection

    return connection.cursor()


def script_cursor() -> Any:
    """A cursor of the same connection (and transaction) that binds values on the client: the bulk scripts below
    hold several statements each, which one statement bound by the server (decision 0044) cannot."""
    import psycopg
    from django.db import connection

    connection.ensure_connection()
    return psycopg.ClientCursor(connection.connection)


def current_marker() -> str:
    with open_cursor() as cursor:
        cursor.execute("SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                       "WHERE datname = current_database()")
        row = cursor.fetchone()
    return (row[0] or "") if row else ""


def set_marker(text: str) -> None:
    from django.db import connection

    with open_cursor() as cursor:
        name = connection.ops.quote_name(connection.settings_dict["NAME"])
        literal = "'" + text.replace("'", "''") + "'"  # a utility statement takes no bound value (decision 0044)
        cursor.execute(f"COMMENT ON DATABASE {name} IS {literal}")


def _weights(units: Sequence[Any], staff_id: int, rng: random.Random) -> list[int]:
    """2,000 slots of unit ids, each unit's share of slots its share of documents (Staff 1.5 %)."""
    named = {"command": 0.06, "office": 0.01, "politics": 0.03, "operations": 0.005, "division": 0.04,
             "regiment": 0.01, "province": 0.03}
    slots: list[int] = []
    fillers = [u for u in units if u.code is None]
    rest = 1.0 - STAFF_SHARE - sum(named.values())
    zipf = [1 / (rank + 1) ** 0.8 for rank in range(len(fillers))]
    total = sum(zipf)
    shares: list[tuple[int, float]] = [(staff_id, STAFF_SHARE)]
    by_code = {u.code: u for u in units if u.code}
    codes = {"command": "000.00.00.Q10", "office": "000.00.01.Q10", "politics": "000.00.03.Q10",
             "operations": "000.01.02.Q10", "division": "000.00.10.Q10", "regiment": "000.01.10.Q10",
             "province": "000.00.11.Q10"}
    for key, share in named.items():
        shares.append((by_code[codes[key]].pk, share))
    shuffled = list(fillers)
    rng.shuffle(shuffled)
    shares += [(u.pk, rest * z / total) for u, z in zip(shuffled, zipf, strict=True)]
    for unit_id, share in shares:
        slots += [unit_id] * max(1, round(share * 2000))
    return slots


@contextmanager
def _indexes_dropped(tables: Sequence[str]) -> Iterator[None]:
    """Drop the tables' plain indexes (not those backing a primary key or unique constraint) and rebuild them
    after the bulk load: building an index once is far cheaper than maintaining it for every inserted row."""
    with open_cursor() as cursor:
        cursor.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = current_schema() "
            "AND i.tablename = ANY(%s) AND i.indexdef NOT LIKE 'CREATE UNIQUE%%' "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
            "WHERE c.conindid = (quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass)",
            [list(tables)],
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    yield
    with open_cursor() as cursor:
        for _name, definition in indexes:
            cursor.execute(definition)


def generate(size: int, *, seed: int = 1, vacuum: bool = True, say: Any = None) -> Dataset:
    """Fill the (empty, migrated) PostgreSQL database with the cast, filler units and `size` documents."""
    from django.db import connection, transaction
    from django.utils import timezone

    from vanthu.core import files
    from vanthu.demo.characters import build_cast
    from vanthu.demo.pdfs import sample_incoming
    from vanthu.documents import doctypes
    from vanthu.documents.models import DocumentType
    from vanthu.org.models import Unit, UnitKind

    if connection.vendor != "postgresql":
        raise BenchError("vanthu bench pages cần PostgreSQL / needs PostgreSQL")
    say = say or (lambda _text: None)
    began = time.perf_counter()
    rng = random.Random(seed)
    today = timezone.localdate()
    with transaction.atomic():
        doctypes.ensure(DocumentType)
        cast = build_cast(valid_from=today.replace(year=today.year - FIRST_YEAR_BACK, month=1, day=1))
        command = cast.command
        Unit.objects.bulk_create([
            Unit(parent=command, name=f"Đơn vị {n:03d}", short_name=f"Đơn vị {n:03d}", abbreviation=f"DV{n:03d}",
                 kind=UnitKind.LEVEL2 if n <= 60 else UnitKind.SUBUNIT, place_name="Đà Nẵng", path="",
                 depth=1, sort_order=n)
            for n in range(1, FILLER_UNITS + 1)
        ])
        with open_cursor() as cursor:
            cursor.execute("UPDATE org_unit SET path = %s || lpad(id::text, 6, '0') || '/' WHERE path = ''",
                           [command.path])
        units = list(Unit.objects.all())
        slots = _weights(units, cast.staff.pk, rng)
        stored = files.store_bytes(sample_incoming(), content_type="application/pdf")
        types = list(DocumentType.objects.values_list("pk", "abbreviation", "name"))
        type_slots = _type_slots(types)
        say(f"  org and parameters ready ({time.perf_counter() - began:.1f} s)")
        params = {
            "n": size, "open": min(OPEN_DOCUMENTS, max(10, size // 20)), "current": min(CURRENT_STAFF, size // 10),
            "slots": slots, "types": type_slots,
            "staff": cast.staff.pk, "command": command.pk, "division": cast.division.pk,
            "operations": cast.operations.pk, "lan": cast.lan.pk, "quang": cast.quang.pk, "son": cast.son.pk,
            "hung": cast.hung.pk, "hoa": cast.hoa.pk, "dung": cast.dung.pk, "minh": cast.minh.pk,
            "binh": cast.binh.pk, "admin": cast.admin.pk, "sha": stored.sha256,
            "subjects": SUBJECTS, "senders": SENDERS, "sender_codes": SENDER_CODES,
            "first_year": today.year - FIRST_YEAR_BACK, "today": today, "seed": (seed % 1000) / 1000.0,
        }
        with script_cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")  # no FK triggers: consistent by design
            cursor.execute("SET LOCAL work_mem = '256MB'")
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            cursor.execute("SELECT setseed(%(seed)s)", params)
            cursor.execute(GEN_SQL, params)
            cursor.execute(REGISTERS_SQL, params)
            say(f"  parameters drawn ({time.perf_counter() - began:.1f} s)")
            with _indexes_dropped(BULK_TABLES):
                for label, sql in LOAD_SQL:
                    step = time.perf_counter()
                    cursor.execute(sql, params)
                    say(f"  {label}: {cursor.rowcount:,} rows ({time.perf_counter() - step:.1f} s)")
                step = time.perf_counter()
            say(f"  indexes rebuilt ({time.perf_counter() - step:.1f} s)")
            cursor.execute("DROP TABLE bench_gen, bench_sources")
    if vacuum:
        step = time.perf_counter()
        with open_cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        say(f"  VACUUM ANALYZE ({time.perf_counter() - step:.1f} s)")
    rows = row_counts()
    return Dataset(size=size, seed=seed, lan_username=cast.lan.user.username, staff_id=cast.staff.pk,
                   seconds=time.perf_counter() - began, rows=rows)


def _type_slots(types: Sequence[tuple[int, str, str]]) -> list[int]:
    """100 slots of document type ids, weighted like a real registry (Công văn a third, then KH, BC, QĐ …)."""
    weights = {"Công văn": 35, "KH": 12, "BC": 12, "QĐ": 10, "TB": 6, "HD": 5, "TTr": 4, "GM": 4, "CĐ": 3,
               "CT": 2, "NQ": 2, "BB": 2, "GGT": 1, "PA": 1, "QyĐ": 1}
    slots: list[int] = []
    for pk, abbreviation, name in types:
        slots += [pk] * weights.get(abbreviation or name, 0)
    return slots


def row_counts() -> dict[str, int]:
    counts: dict[str, int] = {}
    with open_cursor() as cursor:
        for table in ("documents_document", "documents_register", *BULK_TABLES[1:]):
            cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [table])
            row = cursor.fetchone()
            counts[table] = int(row[0]) if row else 0
    return counts


# Draw every document's attributes once (a temporary table), so the registers can be made before the documents.
GEN_SQL = """
CREATE TEMP TABLE bench_gen AS
WITH raw AS (
  SELECT n, n <= %(open)s AS open, n > %(open)s AND n <= %(open)s + %(current)s AS current,
         CASE WHEN n <= %(open)s AND random() < 0.2 THEN %(staff)s::bigint
              WHEN n > %(open)s AND n <= %(open)s + %(current)s THEN %(staff)s::bigint
              ELSE (%(slots)s::bigint[])[1 + floor(random() * cardinality(%(slots)s::bigint[]))::int] END AS unit_id,
         CASE WHEN n > %(open)s AND n <= %(open)s + %(current)s THEN CASE WHEN n %% 2 = 0 THEN 'in' ELSE 'out' END
              WHEN random() < 0.55 THEN 'in' ELSE 'out' END AS direction,
         CASE WHEN random() < 0.03 THEN 1 ELSE 0 END AS secrecy,
         CASE WHEN random() < 0.85 THEN 0 WHEN random() < 0.65 THEN 1 WHEN random() < 0.6 THEN 2 ELSE 3 END
           AS urgency,
         (%(types)s::bigint[])[1 + floor(random() * cardinality(%(types)s::bigint[]))::int] AS doc_type_id,
         -- years grow: weight of year k (0 = oldest) is 6 + k, the current year is partial
         %(first_year)s + floor(sqrt(random() * 220 + 36) - 6)::int AS year_pick,
         random() AS r_day, random() AS r_status, random() AS r_open_age, floor(random() * 60)::int AS subject,
         floor(random() * 12)::int AS sender, 1 + floor(random() * 5)::int AS pages
  FROM generate_series(1, %(n)s) AS n
), timed AS (
  SELECT raw.*,
         CASE WHEN open THEN now() - (r_open_age * interval '30 days')
              WHEN current OR year_pick >= extract(year FROM %(today)s::date)::int
              THEN make_timestamptz(extract(year FROM %(today)s::date)::int, 1, 1, 8, 0, 0, 'Asia/Ho_Chi_Minh')
                   + (r_day * greatest(%(today)s::date - date_trunc('year', %(today)s::date)::date - 1, 0))
                     * interval '1 day'
              ELSE make_timestamptz(least(year_pick, extract(year FROM %(today)s::date)::int - 1), 1, 1, 8, 0, 0,
                                    'Asia/Ho_Chi_Minh') + (r_day * 364) * interval '1 day'
         END AS at
  FROM raw
)
SELECT timed.*,
       CASE WHEN direction = 'in' AND open THEN
              CASE WHEN r_status < 0.2 THEN 'received' WHEN r_status < 0.4 THEN 'registered'
                   WHEN r_status < 0.55 THEN 'presented' WHEN r_status < 0.75 THEN 'directed' ELSE 'in_progress' END
            WHEN direction = 'in' THEN
              CASE WHEN r_status < 0.015 THEN 'returned' WHEN r_status < 0.03 THEN 'cancelled' ELSE 'done' END
            WHEN open THEN
              CASE WHEN r_status < 0.3 THEN 'draft' WHEN r_status < 0.5 THEN 'in_review'
                   WHEN r_status < 0.75 THEN 'awaiting_signature' ELSE 'signed' END
            ELSE CASE WHEN r_status < 0.01 THEN 'recalled' WHEN r_status < 0.02 THEN 'replaced' ELSE 'issued' END
       END AS status,
       CASE WHEN secrecy > 0 THEN 'mat' ELSE 'chung' END AS series,
       extract(year FROM at AT TIME ZONE 'Asia/Ho_Chi_Minh')::int AS year
FROM timed;
ALTER TABLE bench_gen ADD COLUMN numbered boolean;
UPDATE bench_gen SET numbered = CASE WHEN direction = 'in' THEN status NOT IN ('received', 'returned')
                                     ELSE status IN ('issued', 'recalled', 'replaced') END;
ANALYZE bench_gen;
"""

REGISTERS_SQL = """
INSERT INTO documents_register (kind, series, year, last_number, name, unit_id)
SELECT g.direction, g.series, g.year, count(*),
       CASE WHEN g.direction = 'in' THEN 'Sổ đăng ký văn bản ' || CASE WHEN g.series = 'mat' THEN 'mật ' ELSE '' END
            || 'đến ' ELSE 'Sổ đăng ký văn bản ' || CASE WHEN g.series = 'mat' THEN 'mật ' ELSE '' END || 'đi ' END
       || g.year || ' — ' || u.short_name, g.unit_id
FROM bench_gen g JOIN org_unit u ON u.id = g.unit_id
WHERE g.numbered
GROUP BY g.direction, g.series, g.year, g.unit_id, u.short_name;
"""

SUBJECTS = [
    'V/v tăng cường công tác sẵn sàng chiến đấu', 'Kế hoạch huấn luyện chiến đấu', 'V/v phòng, chống bão lũ',
    'Báo cáo kết quả huấn luyện tháng', 'V/v tuyển chọn và gọi công dân nhập ngũ', 'Hướng dẫn bảo đảm hậu cần',
    'V/v bảo quản vũ khí, trang bị kỹ thuật', 'Kế hoạch chuyển đổi số', 'V/v chuẩn bị diễn tập khu vực phòng thủ',
    'Báo cáo công tác đảng, công tác chính trị', 'V/v thực hiện chính sách hậu phương quân đội',
    'Chỉ thị tăng cường quản lý, rèn luyện kỷ luật', 'V/v kiện toàn lực lượng dân quân tự vệ',
    'Quyết định điều động cán bộ', 'Giấy mời dự hội nghị sơ kết', 'V/v quyết toán ngân sách quý',
    'Thông báo kết luận hội nghị giao ban', 'V/v bảo đảm an toàn giao thông', 'Tờ trình đề nghị cấp xăng dầu',
    'V/v kiểm tra công tác kỹ thuật', 'Kế hoạch kiểm tra, giám sát', 'Báo cáo tình hình sẵn sàng chiến đấu',
    'V/v triển khai văn phòng điện tử', 'Hướng dẫn sử dụng chữ ký số', 'Công điện ứng phó áp thấp nhiệt đới',
    'V/v đăng ký quân nhân dự bị', 'Kế hoạch tháng hành động kỹ thuật', 'V/v tăng gia sản xuất',
    'Quyết định khen thưởng', 'Báo cáo công tác chính sách quý', 'V/v phòng chống tệ nạn xã hội',
    'Kế hoạch hội thao quân sự', 'V/v bảo vệ bí mật nhà nước', 'Phương án sơ tán doanh trại mùa mưa bão',
    'V/v khám sức khỏe nghĩa vụ quân sự', 'Biên bản hội nghị giao ban', 'V/v đề nghị thăng quân hàm',
    'Hướng dẫn lập dự toán ngân sách', 'V/v kiểm tra sẵn sàng chiến đấu', 'Nghị quyết lãnh đạo nhiệm vụ quân sự',
    'V/v tổ chức hội thi văn thư', 'Kế hoạch phòng cháy chữa cháy', 'V/v trực chỉ huy dịp nghỉ lễ',
    'Báo cáo kết quả giao nhận quân', 'V/v bảo đảm an toàn thông tin', 'Quy định gửi, nhận văn bản điện tử',
    'V/v cử cán bộ đi đào tạo', 'Thông báo lịch công tác tháng', 'V/v công khai tài chính',
    'Kế hoạch kỷ niệm Ngày Thương binh - Liệt sĩ', 'V/v sửa chữa doanh trại', 'Báo cáo tình hình kỷ luật',
    'V/v đăng kiểm phương tiện xe máy', 'Kế hoạch diễn tập chỉ huy - cơ quan', 'V/v cứu hộ, cứu nạn',
    'Giấy giới thiệu cán bộ liên hệ công tác', 'V/v giải quyết chế độ quân nhân xuất ngũ',
    'Hướng dẫn sinh hoạt chính trị, tư tưởng', 'V/v xây dựng đơn vị vững mạnh toàn diện',
    'Báo cáo công tác hậu cần 6 tháng',
]

SENDERS = [
    'Bộ Quốc phòng', 'Bộ Tổng Tham mưu', 'Tổng cục Chính trị', 'Tổng cục Hậu cần', 'Tổng cục Kỹ thuật',
    'Cục Tác chiến', 'Cục Quân huấn', 'Cục Dân quân tự vệ', 'Ủy ban nhân dân tỉnh A', 'Ủy ban nhân dân tỉnh B',
    'Tỉnh ủy C', 'Bộ Chỉ huy Quân sự tỉnh D',
]
SENDER_CODES = [
    'BQP', 'BTTM', 'TCCT', 'TCHC', 'TCKT', 'CTC', 'CQH', 'CDQTV', 'UBND', 'UBND', 'TU', 'BCH',
]

LOAD_SQL: list[tuple[str, str]] = [
    ("documents", """
INSERT INTO documents_document (
  direction, status, number, code_number, code_notation, issued_date, organ_id, organ_name, subject, description,
  language, page_amount, signer_competence, signer_position, signer_name, urgency, urgent_until, secrecy,
  due_date, issued_amount, to_places, arrival_at, received_via, return_reason, approved_sha256, signed_at,
  issued_at, recalled_at, recall_reason, created_at, updated_at, version, client_token, created_by_id,
  current_file_id, drafting_unit_id, issued_by_id, replaces_id, signer_id, signer_authority_id, source_id,
  unit_id, doc_type_id, register_id)
SELECT g.direction, g.status, g.number,
  CASE WHEN g.direction = 'in' THEN (1 + g.n %% 997)::text
       WHEN g.number IS NOT NULL THEN lpad(g.number::text, 2, '0') ELSE '' END,
  CASE WHEN g.direction = 'in' AND t.abbreviation <> ''
       THEN left(t.abbreviation || '-' || (%(sender_codes)s::text[])[1 + g.sender], 30)
       WHEN g.direction = 'in' THEN (%(sender_codes)s::text[])[1 + g.sender] || '-TM'
       WHEN g.number IS NULL THEN ''
       WHEN t.abbreviation <> '' THEN left(t.abbreviation || '-' || u.abbreviation, 30)
       ELSE left(u.abbreviation || '-VP', 30) END,
  CASE WHEN g.direction = 'in' THEN (g.at - (g.n %% 5) * interval '1 day')::date
       WHEN g.number IS NOT NULL THEN g.at::date END,
  CASE WHEN g.direction = 'out' THEN coalesce(u.code, '') ELSE '' END,
  CASE WHEN g.direction = 'in' THEN (%(senders)s::text[])[1 + g.sender] ELSE u.name END,
  (%(subjects)s::text[])[1 + g.subject] || ' năm ' || g.year, '', 'Tiếng Việt', g.pages, '', '', '',
  g.urgency, NULL, g.secrecy,
  CASE WHEN g.open AND g.r_day < 0.3 THEN %(today)s::date + (floor(g.r_day * 40)::int - 4) END,
  CASE WHEN g.direction = 'out' THEN 2 + g.n %% 4 END, '',
  CASE WHEN g.direction = 'in' THEN g.at END,
  CASE WHEN g.direction = 'in' THEN CASE WHEN g.n %% 3 = 0 THEN 'paper' ELSE 'electronic' END ELSE '' END,
  CASE WHEN g.status = 'returned' THEN 'Văn bản gửi nhầm đơn vị.' ELSE '' END, '',
  CASE WHEN g.status IN ('signed', 'issued', 'recalled', 'replaced') THEN g.at - interval '2 hours' END,
  CASE WHEN g.number IS NOT NULL AND g.direction = 'out' THEN g.at END,
  CASE WHEN g.status = 'recalled' THEN g.at + interval '2 days' END,
  CASE WHEN g.status = 'recalled' THEN 'Sai sót số liệu.' ELSE '' END,
  CASE WHEN g.direction = 'out' THEN g.at - interval '2 days' ELSE g.at END, g.at, 1 + g.n %% 4, NULL,
  CASE WHEN g.unit_id = %(staff)s THEN CASE WHEN g.direction = 'in' THEN %(lan)s ELSE %(quang)s END
       WHEN g.unit_id = %(command)s THEN CASE WHEN g.direction = 'in' THEN %(hoa)s ELSE %(quang)s END
       WHEN g.unit_id = %(division)s AND g.direction = 'out' THEN %(minh)s
       ELSE %(admin)s END,
  %(sha)s,
  CASE WHEN g.direction = 'out' THEN CASE WHEN g.unit_id = %(staff)s THEN %(operations)s ELSE g.unit_id END END,
  CASE WHEN g.number IS NOT NULL AND g.direction = 'out' THEN
       CASE WHEN g.unit_id = %(staff)s THEN %(lan)s WHEN g.unit_id = %(command)s THEN %(hoa)s ELSE %(admin)s END END,
  NULL,
  CASE WHEN g.direction = 'out' AND g.status NOT IN ('draft') THEN
       CASE WHEN g.unit_id = %(staff)s THEN %(son)s WHEN g.unit_id = %(command)s THEN %(hung)s
            WHEN g.unit_id = %(division)s THEN %(dung)s ELSE NULL END END,
  NULL, NULL, g.unit_id, g.doc_type_id, g.register_id
FROM (
  SELECT g.*, r.id AS register_id,
         CASE WHEN g.numbered THEN row_number() OVER (PARTITION BY g.numbered, g.unit_id, g.direction, g.series,
                                                      g.year ORDER BY g.at, g.n) END AS number
  FROM bench_gen g
  LEFT JOIN documents_register r ON g.numbered AND r.unit_id = g.unit_id AND r.kind = g.direction
                                  AND r.series = g.series AND r.year = g.year
) g
JOIN org_unit u ON u.id = g.unit_id
JOIN documents_documenttype t ON t.id = g.doc_type_id
ORDER BY g.at, g.n
"""),
    ("files", """
INSERT INTO documents_documentfile (kind, name, ordinal, added_at, added_by_id, document_id, file_id)
SELECT 'main', 'van-ban-' || d.id || '.pdf', 0, d.created_at, d.created_by_id, d.id, d.current_file_id
FROM documents_document d
"""),
    ("directions", """
INSERT INTO workflow_instruction (text, deadline, created_at, author_id, document_id)
SELECT 'Giao cơ quan chức năng chủ trì nghiên cứu, tham mưu, báo cáo kết quả.',
       (d.arrival_at + interval '10 days')::date, d.arrival_at + interval '3 hours',
       CASE WHEN d.unit_id = %(staff)s THEN %(son)s WHEN d.unit_id = %(command)s THEN %(hung)s
            WHEN d.unit_id = %(division)s THEN %(dung)s ELSE %(binh)s END, d.id
FROM documents_document d
WHERE d.direction = 'in' AND d.status IN ('directed', 'in_progress', 'done')
"""),
    ("lead assignments", """
INSERT INTO workflow_assignment (role, deadline, urgency, state, note, result, created_at, started_at, done_at,
                                 created_by_id, document_id, parent_id, person_id, reply_id, unit_id,
                                 instruction_id, title, part, depth, progress, returned_reason)
SELECT 'lead', i.deadline, d.urgency,
       CASE d.status WHEN 'done' THEN 'done' WHEN 'in_progress' THEN 'in_progress' ELSE 'open' END,
       '', CASE WHEN d.status = 'done' THEN 'Đã hoàn thành.' ELSE '' END, i.created_at,
       CASE WHEN d.status IN ('done', 'in_progress') THEN i.created_at + interval '1 day' END,
       CASE WHEN d.status = 'done' THEN i.created_at + interval '5 days' END,
       i.author_id, d.id, NULL,
       CASE WHEN d.unit_id = %(staff)s AND d.id %% 20 < 9 THEN %(quang)s
            WHEN d.unit_id = %(staff)s AND d.id %% 20 < 11 THEN %(lan)s
            WHEN d.unit_id = %(division)s AND d.id %% 2 = 0 THEN %(minh)s END,
       NULL,
       CASE WHEN d.unit_id = %(staff)s AND d.id %% 20 < 11 THEN NULL
            WHEN d.unit_id = %(division)s AND d.id %% 2 = 0 THEN NULL
            WHEN d.unit_id = %(staff)s THEN %(operations)s ELSE d.unit_id END,
       i.id, '', 'lead', 0, CASE WHEN d.status = 'done' THEN 100 ELSE 0 END, ''
FROM workflow_instruction i JOIN documents_document d ON d.id = i.document_id
"""),
    ("presentations", """
INSERT INTO workflow_assignment (role, deadline, urgency, state, note, result, created_at, started_at, done_at,
                                 created_by_id, document_id, parent_id, person_id, reply_id, unit_id,
                                 instruction_id, title, part, depth, progress, returned_reason)
SELECT 'present', NULL, d.urgency, CASE WHEN d.status = 'presented' THEN 'open' ELSE 'done' END, '', '',
       d.arrival_at + interval '1 hour', NULL,
       CASE WHEN d.status = 'presented' THEN NULL ELSE d.arrival_at + interval '3 hours' END,
       d.created_by_id, d.id, NULL,
       CASE WHEN d.unit_id = %(staff)s THEN %(son)s WHEN d.unit_id = %(command)s THEN %(hung)s
            WHEN d.unit_id = %(division)s THEN %(dung)s ELSE %(binh)s END,
       NULL, NULL, NULL, '', 'lead', 0, 0, ''
FROM documents_document d
WHERE d.direction = 'in' AND d.status IN ('presented', 'directed', 'in_progress', 'done')
"""),
    ("shares", """
INSERT INTO documents_documentshare (reason, created_at, document_id, person_id, unit_id)
SELECT CASE a.role WHEN 'present' THEN 'presented' ELSE 'lead' END, a.created_at, a.document_id, a.person_id,
       a.unit_id
FROM workflow_assignment a
"""),
    ("recipients", """
INSERT INTO documents_recipient (external_name, purpose, state, sent_at, delivered_id, document_id, unit_id)
SELECT '', 'action', CASE WHEN d.status = 'recalled' THEN 'recalled' ELSE 'accepted' END, d.issued_at, NULL, d.id,
       (%(slots)s::bigint[])[1 + ((d.id * k) %% cardinality(%(slots)s::bigint[]))::int]
FROM documents_document d CROSS JOIN (VALUES (7), (13)) AS ks(k)
WHERE d.direction = 'out' AND d.number IS NOT NULL
  AND (k = 7 OR d.id %% 2 = 0)
  AND (%(slots)s::bigint[])[1 + ((d.id * k) %% cardinality(%(slots)s::bigint[]))::int] <> d.unit_id
ON CONFLICT DO NOTHING
"""),
    ("issued documents to link", """
CREATE TEMP TABLE bench_sources AS
SELECT id, row_number() OVER (ORDER BY id) AS rn FROM documents_document WHERE direction = 'out' AND status = 'issued';
CREATE INDEX ON bench_sources (rn);
ANALYZE bench_sources
"""),
    ("links to sources", """
UPDATE documents_document d SET source_id = s.id
FROM bench_sources s
WHERE d.direction = 'in' AND d.id %% 5 = 0 AND s.id < d.id
  AND s.rn = 1 + (d.id * 7919) %% (SELECT greatest(count(*), 1) FROM bench_sources)
"""),
    ("audit events", """
INSERT INTO audit_auditevent (chain, seq, at, actor_id, actor_name, verb, target_type, target_id, unit_id, data,
                              prev_hash, hash)
SELECT 'b' || e.unit_id, row_number() OVER (PARTITION BY e.unit_id ORDER BY e.at, e.id, e.k), e.at, e.actor_id,
       '', e.verb, 'documents.document', e.id::text, e.unit_id, e.data, '',
       md5(e.id::text || e.k) || md5(e.k || e.id::text)
FROM (
  SELECT d.id, d.unit_id, 1 AS k, d.created_at AS at, d.created_by_id AS actor_id,
         CASE WHEN d.direction = 'in' THEN 'documents.incoming.registered' ELSE 'documents.draft.created' END
           AS verb,
         jsonb_build_object('number', d.number) AS data
  FROM documents_document d
  UNION ALL
  SELECT d.id, d.unit_id, 2, d.updated_at + interval '1 hour', d.created_by_id,
         CASE WHEN d.direction = 'in' THEN 'workflow.assignment.completed' ELSE 'documents.outgoing.issued' END,
         jsonb_build_object('notation', d.code_number || '/' || d.code_notation, 'result', 'Đã hoàn thành.')
  FROM documents_document d WHERE d.status IN ('done', 'issued')
) e
"""),
]


# --- measuring -------------------------------------------------------------------------------------------
