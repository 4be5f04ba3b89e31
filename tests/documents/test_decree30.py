"""The rest of Decree 30 (issue 14): each test names the point of the checklist at the end of
../shared/reference/vn-rules.md it proves ("Checklist point N"), so docs/checklist.md can be read against the suite.

Points 1 (types), 2 (paper shares the series, the year rolls over, number and notation unique), 6 (the head sets
next year's numbering), 8 (the format components), 10 (the check of content and format before the signer) and 34
(update and correction)."""

from __future__ import annotations

import datetime as dt
import threading
import uuid
import zoneinfo

import pytest
import time_machine
from django.db import IntegrityError, connection, connections, transaction
from django.utils import timezone

from tests.conftest import checked
from vanthu.audit.models import AuditEvent
from vanthu.core.actors import TEST_FIXTURES
from vanthu.core.choices import Secrecy, Urgency
from vanthu.core.errors import ActionRefused
from vanthu.documents import actions, components, numbering
from vanthu.documents.actions.paper_outgoing import register_paper_outgoing
from vanthu.documents.actions.rules import set_format_check_rule, set_numbering_plan
from vanthu.documents.models import (
    AmendKind,
    Document,
    DocumentType,
    NumberingPlan,
    Register,
    RegisterKind,
    ReviewKind,
    ReviewState,
    Status,
)
from vanthu.org import actions as org
from vanthu.org.models import Role, SigningAuthority
from vanthu.org.second_factor_testing import code_for
from vanthu.signing.testing import SIGNING_SECRET, equip_cast

VN = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")

# Decree 30 Điều 7 and Phụ lục III, typed here from the rule (not from vanthu.documents.doctypes)
RULE_TYPES = [
    ("Nghị quyết", "NQ"), ("Quyết định", "QĐ"), ("Chỉ thị", "CT"), ("Quy chế", "QC"), ("Quy định", "QyĐ"),
    ("Thông cáo", "TC"), ("Thông báo", "TB"), ("Hướng dẫn", "HD"), ("Chương trình", "CTr"), ("Kế hoạch", "KH"),
    ("Phương án", "PA"), ("Đề án", "ĐA"), ("Dự án", "DA"), ("Báo cáo", "BC"), ("Biên bản", "BB"),
    ("Tờ trình", "TTr"), ("Hợp đồng", "HĐ"), ("Công văn", ""), ("Công điện", "CĐ"), ("Bản ghi nhớ", "BGN"),
    ("Bản thỏa thuận", "BTT"), ("Giấy ủy quyền", "GUQ"), ("Giấy mời", "GM"), ("Giấy giới thiệu", "GGT"),
    ("Giấy nghỉ phép", "GNP"), ("Phiếu gửi", "PG"), ("Phiếu chuyển", "PC"), ("Phiếu báo", "PB"), ("Thư công", ""),
]


@pytest.fixture
def jobs(django_capture_on_commit_callbacks):
    def run(call, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return call(*args, **kwargs)

    return run


def _paper(cast, doc_types, pdf, *, abbr="KH", token=None, secrecy=Secrecy.NONE, acting=None):
    data = actions.DraftData(doc_type=doc_types[abbr], subject="Kế hoạch trực sẵn sàng chiến đấu dịp Tết",
                             to_places="Sư đoàn 301", issued_amount=5, secrecy=secrecy)
    return register_paper_outgoing(
        acting=acting or cast.lan, issuing_unit=cast.staff, drafting_unit=cast.operations, data=data,
        signer_authority=SigningAuthority.objects.get(person=cast.son), signed_on=timezone.localdate(),
        scan=checked(pdf, "ban-quet.pdf"), client_token=token,
    )


def _issued(cast, doc_types, pdf, jobs, *, abbr="KH", subject="Kế hoạch huấn luyện năm 2027", amends=None,
            amend_kind="", recipients=None):
    data = actions.DraftData(doc_type=doc_types[abbr], subject=subject,
                             recipient_units=recipients if recipients is not None else [cast.division])
    doc = actions.create_draft(acting=cast.quang, drafting_unit=cast.operations, issuing_unit=cast.staff, data=data,
                               file=checked(pdf, "du-thao.pdf"), amends=amends, amend_kind=amend_kind)
    actions.submit_for_review(document=doc, acting=cast.quang,
                              signer_authority=SigningAuthority.objects.get(person=cast.son))
    actions.sign_outgoing(document=doc, acting=cast.son, secret=SIGNING_SECRET, otp=code_for(cast.son))
    jobs(actions.issue_outgoing, document=doc, acting=cast.lan, secret=SIGNING_SECRET, otp=code_for(cast.lan))
    doc.refresh_from_db()
    assert doc.status == Status.ISSUED
    return doc


# --- point 1 ---------------------------------------------------------------------------------------------


def test_checklist_point_1_the_29_types_and_their_phu_luc_iii_abbreviations(doc_types):
    """Checklist point 1: exactly the 29 types of Điều 7, the 27 abbreviations of Phụ lục III, none for Công văn
    and Thư công."""
    rows = list(DocumentType.objects.order_by("ordinal").values_list("name", "abbreviation"))
    assert rows == RULE_TYPES
    assert len(rows) == 29
    assert len({abbr for _name, abbr in rows if abbr}) == 27
    assert dict(rows)["Công văn"] == dict(rows)["Thư công"] == ""


# --- point 2 ---------------------------------------------------------------------------------------------


def test_checklist_point_2_paper_outgoing_is_numbered_from_the_electronic_series(cast, doc_types, draft_pdf, jobs):
    """Checklist point 2: a hand-signed paper document takes the next number of the same outgoing series as the
    electronic ones, with its scan attached."""
    equip_cast(cast, people=("son",), units=("staff",))
    electronic = _issued(cast, doc_types, draft_pdf, jobs)
    paper = _paper(cast, doc_types, draft_pdf)
    assert (electronic.notation, paper.notation) == ("01/KH-TM", "02/KH-TM")
    assert paper.register == electronic.register
    assert paper.on_paper
    assert paper.status == Status.ISSUED
    assert paper.issued_date == timezone.localdate()
    assert paper.files.get().file.read_bytes() == draft_pdf  # the scan
    assert paper.signer_name == cast.son.full_name
    assert AuditEvent.objects.filter(verb="documents.paper.registered", target_id=str(paper.pk)).exists()


def test_checklist_point_2_outgoing_numbers_roll_over_to_01_on_1_january(cast, doc_types, draft_pdf):
    """Checklist point 2: the outgoing series starts again at 01 on 1 January, as the incoming one does."""
    with time_machine.travel(dt.datetime(2026, 12, 31, 16, 30, tzinfo=VN), tick=False):
        first = _paper(cast, doc_types, draft_pdf)
        second = _paper(cast, doc_types, draft_pdf)
    with time_machine.travel(dt.datetime(2027, 1, 1, 7, 30, tzinfo=VN), tick=False):
        new_year = _paper(cast, doc_types, draft_pdf)
    assert [d.code_number for d in (first, second, new_year)] == ["01", "02", "01"]
    assert (first.register.year, new_year.register.year) == (2026, 2027)
    assert new_year.issued_date == dt.date(2027, 1, 1)


def test_checklist_point_2_number_and_notation_are_unique_per_issuer_and_year(cast, doc_types, draft_pdf):
    """Checklist point 2: the database refuses a second "01/KH-TM" of the Staff in the same year, even from
    another register; the same number and notation in another year is allowed."""
    doc = _paper(cast, doc_types, draft_pdf)
    other = numbering.register_for(unit=cast.staff, kind=RegisterKind.OUTGOING, series="loai-KH",
                                   year=doc.register.year)
    fields = {f: getattr(doc, f) for f in ("direction", "status", "unit_id", "doc_type_id", "organ_name", "subject",
                                             "code_number", "code_notation")}
    with pytest.raises(IntegrityError), transaction.atomic():
        Document.objects.create(**fields, register=other, number=1, issued_date=doc.issued_date)
    last_year = numbering.register_for(unit=cast.staff, kind=RegisterKind.OUTGOING, series="chung",
                                       year=doc.issued_date.year - 1)
    Document.objects.create(**fields, register=last_year, number=1,
                            issued_date=doc.issued_date.replace(year=doc.issued_date.year - 1))


def test_checklist_point_2_a_paper_document_numbered_twice_is_refused(cast, doc_types, draft_pdf):
    """Checklist point 2 (bad input): the same paper document sent twice is not numbered twice; the refusal is
    audited and nothing else changes."""
    token = uuid.uuid4()
    first = _paper(cast, doc_types, draft_pdf, token=token)
    with pytest.raises(actions.DuplicateSubmission):
        _paper(cast, doc_types, draft_pdf, token=token)
    register = Register.objects.get(pk=first.register_id)
    assert register.last_number == 1
    assert Document.objects.filter(unit=cast.staff, on_paper=True).count() == 1
    assert AuditEvent.objects.filter(verb="documents.paper.registered.refused").exists()


def test_checklist_point_2_only_the_issuers_clerk_registers_paper(cast, doc_types, draft_pdf):
    with pytest.raises(ActionRefused) as refused:
        _paper(cast, doc_types, draft_pdf, acting=cast.tam)
    assert refused.value.code == "forbidden"
    assert not Register.objects.filter(unit=cast.staff).exists()


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_checklist_point_2_concurrent_paper_and_series_numbers_are_unique_on_postgresql(doc_types, draft_pdf):
    """Checklist point 2: 12 PostgreSQL connections register paper documents at once; the series ends with
    exactly 01..N, each number and notation once."""
    from vanthu.demo.characters import build_cast

    assert connection.vendor == "postgresql"
    cast = build_cast()
    workers, each = 12, 3
    barrier = threading.Barrier(workers)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            barrier.wait(timeout=30)
            for _ in range(each):
                _paper(cast, doc_types, draft_pdf, token=uuid.uuid4())
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    notations = sorted(Document.objects.filter(unit=cast.staff, on_paper=True).values_list("code_number", flat=True))
    assert notations == [numbering.format_number(n) for n in range(1, workers * each + 1)]


# --- point 6 ---------------------------------------------------------------------------------------------


def test_checklist_point_6_the_head_sets_next_years_scheme_never_this_years(cast, doc_types):
    """Checklist point 6: the head of the Staff chooses one series per group of types for next year; this year's
    series do not change; the choice is audited."""
    year = timezone.localdate().year
    plan = set_numbering_plan(acting=cast.son, unit=cast.staff, year=year + 1, scheme="groups",
                              groups=[["QĐ", "CT", "QC"], ["Công văn", "Thư công"]])
    assert plan.decided_by == cast.son
    series = [numbering.outgoing_series(unit=cast.staff, doc_type=doc_types[a], secrecy=0, year=year + 1)
              for a in ("QĐ", "CT", "Công văn", "KH")]
    assert series == ["nhom-1", "nhom-1", "nhom-2", "chung"]
    assert numbering.outgoing_series(unit=cast.staff, doc_type=doc_types["QĐ"], secrecy=0, year=year) == "chung"
    assert numbering.outgoing_series(unit=cast.staff, doc_type=doc_types["QĐ"], secrecy=1, year=year + 1) == "mat"
    assert AuditEvent.objects.filter(verb="documents.numbering.plan_set").count() == 1
    per_type = set_numbering_plan(acting=cast.son, unit=cast.staff, year=year + 1, scheme="per_type")
    assert per_type.pk == plan.pk
    assert per_type.groups == []
    assert numbering.outgoing_series(unit=cast.staff, doc_type=doc_types["Thư công"], secrecy=0,
                                     year=year + 1) == numbering.LETTERS


def test_checklist_point_6_a_scheme_for_the_current_year_is_refused(cast):
    """Checklist point 6 (bad input): never retroactive — a scheme for the current year is refused, audited,
    nothing saved."""
    year = timezone.localdate().year
    with pytest.raises(ActionRefused) as refused:
        set_numbering_plan(acting=cast.son, unit=cast.staff, year=year, scheme="per_type")
    assert refused.value.code == "retroactive"
    assert not NumberingPlan.objects.exists()
    assert AuditEvent.objects.filter(verb="documents.numbering.plan_set.refused").exists()


def test_checklist_point_6_only_the_head_or_a_delegate_sets_the_scheme(cast):
    year = timezone.localdate().year
    for outsider in (cast.lan, cast.quang, cast.tam):
        with pytest.raises(ActionRefused) as refused:
            set_numbering_plan(acting=outsider, unit=cast.staff, year=year + 1, scheme="single")
        assert refused.value.code == "forbidden"
    # Bình signs "KT. TƯ LỆNH": the commander's deputy may set the Command's scheme
    plan = set_numbering_plan(acting=cast.binh, unit=cast.command, year=year + 1, scheme="per_type")
    assert plan.unit == cast.command
    assert NumberingPlan.objects.count() == 1


def test_checklist_point_6_groups_that_split_cong_van_and_thu_cong_are_refused(cast):
    year = timezone.localdate().year
    with pytest.raises(ActionRefused) as refused:
        set_numbering_plan(acting=cast.son, unit=cast.staff, year=year + 1, scheme="groups",
                           groups=[["QĐ", "Công văn"], ["Thư công"]])
    assert refused.value.code == "bad_groups"
    with pytest.raises(ActionRefused):
        set_numbering_plan(acting=cast.son, unit=cast.staff, year=year + 1, scheme="groups", groups=[["QĐ", "XX"]])
    assert not NumberingPlan.objects.exists()


def test_checklist_point_6_next_years_numbers_follow_the_plan(cast, doc_types, draft_pdf):
    """Checklist point 6: from 1 January the plan decides the register a document is numbered from."""
    with time_machine.travel(dt.datetime(2026, 11, 3, 9, 0, tzinfo=VN), tick=False):
        set_numbering_plan(acting=cast.son, unit=cast.staff, year=2027, scheme="per_type")
        this_year = _paper(cast, doc_types, draft_pdf)
    with time_machine.travel(dt.datetime(2027, 1, 2, 9, 0, tzinfo=VN), tick=False):
        next_year = _paper(cast, doc_types, draft_pdf)
    assert this_year.register.series == "chung"
    assert (next_year.register.series, next_year.notation) == ("loai-KH", "01/KH-TM")


# --- point 8 ---------------------------------------------------------------------------------------------


def test_checklist_point_8_the_9_main_and_4_optional_components_are_fields(cast, doc_types, draft_pdf):
    """Checklist point 8: the components of Điều 8 are the draft's structured fields, written into the edXML
    metadata where QCVN 102 has a place for them."""
    from vanthu.exchange import edxml
    from vanthu.exchange.outgoing import envelope_of

    data = actions.DraftData(doc_type=doc_types["KH"], subject="Kế hoạch huấn luyện năm 2027",
                             recipient_units=[cast.division], to_places="Như trên; Lưu: VT, TC.", issued_amount=5,
                             urgency=Urgency.URGENT, secrecy=Secrecy.NONE, circulation_note="LƯU HÀNH NỘI BỘ",
                             drafter_initials="TC.Q", address_block="Số 1 đường A, Đà Nẵng; ĐT 069.000")
    doc = actions.create_draft(acting=cast.quang, drafting_unit=cast.operations, issuing_unit=cast.staff, data=data,
                               file=checked(draft_pdf, "du-thao.pdf"))
    parts = components.components(doc)
    assert [c.number for c in parts] == [*"123456789", *"abcd"]
    assert sum(c.main for c in parts) == 9
    by = {c.number: c.value for c in parts}
    assert by["4"].startswith("Đà Nẵng, ")
    assert "KHẨN" in by["b"]
    assert "LƯU HÀNH NỘI BỘ" in by["b"]
    assert "DỰ THẢO" in by["b"]
    assert by["c"] == "TC.Q05"
    assert by["d"] == "Số 1 đường A, Đà Nẵng; ĐT 069.000"
    assert doc.place_name == "Đà Nẵng"
    assert components.metadata(doc)["CirculationNote"] == "LƯU HÀNH NỘI BỘ"
    doc.issued_date = timezone.localdate()  # what the envelope of the issued document carries
    header = envelope_of(doc, to=edxml.Organization(organ_id="000.00.10.Q10")).header
    assert (header.other.sphere_of_promulgation, header.other.typer_notation,
            header.other.promulgation_amount) == ("LƯU HÀNH NỘI BỘ", "TC.Q", 5)
    assert header.promulgation.place == "Đà Nẵng"


# --- point 10 --------------------------------------------------------------------------------------------


def _rule_staff_clerk_checks(cast):
    return set_format_check_rule(acting=cast.son, unit=cast.staff, checker_unit=cast.staff, role=Role.CLERK)


def _draft(cast, doc_types, pdf):
    data = actions.DraftData(doc_type=doc_types["KH"], subject="Kế hoạch huấn luyện năm 2027",
                             recipient_units=[cast.division])
    return actions.create_draft(acting=cast.quang, drafting_unit=cast.operations, issuing_unit=cast.staff, data=data,
                                file=checked(pdf, "du-thao.pdf"))


FULL = dict.fromkeys(components.CHECKLIST, True)


def test_checklist_point_10_the_format_check_comes_before_the_signer(cast, doc_types, draft_pdf):
    """Checklist point 10: where the unit requires it, a draft reaches its signer only through the check of
    content and format by a person holding the checker role, who records the checklist."""
    _rule_staff_clerk_checks(cast)
    doc = _draft(cast, doc_types, draft_pdf)
    son = SigningAuthority.objects.get(person=cast.son)
    with pytest.raises(ActionRefused) as refused:
        actions.submit_for_review(document=doc, acting=cast.quang, signer_authority=son)
    assert refused.value.code == "format_check_required"
    doc.refresh_from_db()
    assert doc.status == Status.DRAFT
    assert doc.signer is None
    actions.submit_for_review(document=doc, acting=cast.quang, signer_authority=son,
                              reviewers=[(ReviewKind.CONTENT, cast.son), (ReviewKind.FORMAT, cast.lan)])
    actions.decide_review(document=doc, acting=cast.son, approve=True)
    with pytest.raises(ActionRefused) as refused:
        actions.decide_review(document=doc, acting=cast.lan, approve=True, checklist={"layout": True})
    assert refused.value.code == "checklist_incomplete"
    actions.decide_review(document=doc, acting=cast.lan, approve=True, checklist=FULL)
    doc.refresh_from_db()
    assert doc.status == Status.AWAITING_SIGNATURE
    step = doc.review_steps.get(kind=ReviewKind.FORMAT)
    assert step.checklist == FULL
    assert step.state == ReviewState.APPROVED


def test_checklist_point_10_a_check_by_a_person_without_the_role_is_refused(cast, doc_types, draft_pdf):
    """Checklist point 10 (bad input): naming a checker without the role is refused; a checker who lost the role
    is refused too, and the draft stays where it was."""
    _rule_staff_clerk_checks(cast)
    doc = _draft(cast, doc_types, draft_pdf)
    son = SigningAuthority.objects.get(person=cast.son)
    with pytest.raises(ActionRefused) as refused:
        actions.submit_for_review(document=doc, acting=cast.quang, signer_authority=son,
                                  reviewers=[(ReviewKind.FORMAT, cast.quang)])
    assert refused.value.code == "checker_role"
    actions.submit_for_review(document=doc, acting=cast.quang, signer_authority=son,
                              reviewers=[(ReviewKind.FORMAT, cast.lan)])
    # the head moves the check to the Command's office clerk (Hoa): Lan no longer holds the role
    set_format_check_rule(acting=cast.son, unit=cast.staff, checker_unit=cast.staff, role=Role.LEADER)
    with pytest.raises(ActionRefused) as refused:
        actions.decide_review(document=doc, acting=cast.lan, approve=True, checklist=FULL)
    assert refused.value.code == "checker_role"
    doc.refresh_from_db()
    assert doc.status == Status.IN_REVIEW
    assert doc.review_steps.get().state == ReviewState.PENDING
    assert AuditEvent.objects.filter(verb="documents.draft.reviewed.refused").exists()


def test_checklist_point_10_a_failed_item_returns_the_draft_with_the_result(cast, doc_types, draft_pdf):
    _rule_staff_clerk_checks(cast)
    doc = _draft(cast, doc_types, draft_pdf)
    actions.submit_for_review(document=doc, acting=cast.quang, signer_authority=SigningAuthority.objects.get(
        person=cast.son), reviewers=[(ReviewKind.FORMAT, cast.lan)])
    actions.decide_review(document=doc, acting=cast.lan, approve=False, comment="Thiếu nơi nhận lưu",
                          checklist={**FULL, "recipients": False})
    doc.refresh_from_db()
    assert doc.status == Status.DRAFT
    assert doc.review_steps.get().checklist == {**FULL, "recipients": False}


def test_checklist_point_10_only_the_head_sets_who_checks(cast):
    with pytest.raises(ActionRefused):
        set_format_check_rule(acting=cast.lan, unit=cast.staff, checker_unit=cast.staff, role=Role.CLERK)
    with pytest.raises(ActionRefused) as refused:
        set_format_check_rule(acting=cast.son, unit=cast.staff, checker_unit=cast.division, role=Role.CLERK)
    assert refused.value.code == "outside"


# --- point 34 --------------------------------------------------------------------------------------------


def test_checklist_point_34_a_correction_links_both_documents_and_tells_the_receivers(cast, doc_types, draft_pdf,
                                                                                      jobs):
    """Checklist point 34: a công văn đính chính names the document it corrects; both show the link; the clerks
    of the units that received the corrected document are told; it travels as an edXML update."""
    from vanthu.documents.queries import document_page
    from vanthu.exchange import edxml
    from vanthu.exchange.outgoing import envelope_of
    from vanthu.notify.models import Notification

    equip_cast(cast, people=("son",), units=("staff",))
    org.grant_role(person=cast.minh, unit=cast.division, role=Role.CLERK, acting=TEST_FIXTURES)
    original = _issued(cast, doc_types, draft_pdf, jobs)
    correction = _issued(cast, doc_types, draft_pdf, jobs, abbr="Công văn",
                         subject="V/v đính chính Kế hoạch 01/KH-TM", amends=original, amend_kind=AmendKind.CORRECT)
    assert correction.notation == "02/TM-TC"
    original.refresh_from_db()
    assert original.status == Status.ISSUED  # corrected, not replaced
    assert document_page(cast.son, original).amended_by == [correction]
    assert document_page(cast.son, correction).amends == original
    division_original = Document.objects.get(source=original, unit=cast.division)
    division_correction = Document.objects.get(source=correction, unit=cast.division)
    assert document_page(cast.minh, division_correction).amends == division_original
    assert document_page(cast.minh, division_original).amended_by == [division_correction]
    told = Notification.objects.get(person=cast.minh, key__startswith="documents.amended:")
    assert told.url == f"/documents/{division_original.pk}/"
    business = envelope_of(correction, to=edxml.Organization(organ_id="000.00.10.Q10")).business
    assert business.doc_type == edxml.BusinessDocType.UPDATE
    assert business.document_id.endswith(",01/KH-TM")
    assert AuditEvent.objects.filter(verb="documents.outgoing.amended", target_id=str(original.pk)).exists()


def test_checklist_point_34_an_update_beside_replace(cast, doc_types, draft_pdf):
    """Checklist point 34: an update (bổ sung) of an issued document may be of any type; a correction must be a
    công văn; an unissued document cannot be amended."""
    draft = _draft(cast, doc_types, draft_pdf)
    data = actions.DraftData(doc_type=doc_types["QĐ"], subject="Quyết định bổ sung")
    with pytest.raises(ActionRefused) as refused:
        actions.create_draft(acting=cast.quang, drafting_unit=cast.operations, issuing_unit=cast.staff, data=data,
                             file=checked(draft_pdf), amends=draft, amend_kind=AmendKind.UPDATE)
    assert refused.value.code == "amends_not_issued"
    paper = _paper(cast, doc_types, draft_pdf)  # an issued document of the Staff
    update = actions.create_draft(acting=cast.quang, drafting_unit=cast.operations, issuing_unit=cast.staff,
                                  data=data, file=checked(draft_pdf), amends=paper, amend_kind=AmendKind.UPDATE)
    assert (update.amends, update.amend_kind) == (paper, "update")
    with pytest.raises(ActionRefused) as refused:
        actions.create_draft(acting=cast.quang, drafting_unit=cast.operations, issuing_unit=cast.staff, data=data,
                             file=checked(draft_pdf), amends=paper, amend_kind=AmendKind.CORRECT)
    assert refused.value.code == "correction_type"


def test_checklist_point_34_a_correction_of_a_document_it_cannot_see_is_refused_as_not_found(cast, doc_types,
                                                                                               draft_pdf):
    """Checklist point 34 (bad input): Tâm, of another unit, names a Staff document he cannot see: refused as not
    found, nothing created."""
    paper = _paper(cast, doc_types, draft_pdf)
    data = actions.DraftData(doc_type=doc_types["Công văn"], subject="V/v đính chính")
    before = Document.objects.count()
    with pytest.raises(ActionRefused) as refused:
        actions.create_draft(acting=cast.tam, drafting_unit=cast.province, issuing_unit=cast.province, data=data,
                             file=checked(draft_pdf), amends=paper, amend_kind=AmendKind.CORRECT)
    assert (refused.value.code, refused.value.status) == ("not_found", 404)
    assert Document.objects.count() == before
