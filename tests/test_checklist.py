"""docs/checklist.md — the 55 points of the checklist at the end of ../shared/reference/vn-rules.md, each with its
status and the tests that show it — is generated from the table below and checked here, so it cannot go stale:
every named test exists and names its point ("Checklist point N" in its name or docstring).

After changing the table: `python -m tests.test_checklist > docs/checklist.md`.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "checklist.md"

MET, PARTIAL, MISSING = "met and tested", "partial", "missing"


@dataclass(frozen=True)
class Point:
    number: int
    requirement: str
    status: str  # MET, PARTIAL, MISSING, or "owned by issue N"
    tests: tuple[str, ...] = ()  # pytest node ids
    note: str = ""


D30 = "tests/documents/test_decree30.py::"
D30P = "tests/pages/test_decree30_pages.py::"
NUM = "tests/documents/test_numbering.py::"
ISS = "tests/documents/test_issuance.py::"
PADES = "tests/signing/test_pades.py::"
STAT = "tests/documents/test_statuses.py::"
EDXML = "tests/exchange/test_build_parse.py::"
SC = "tests/documents/test_digitised_scans.py::"
SD = "tests/documents/test_same_day_limits.py::"
HF = "tests/reports/test_handling_forms.py::"
UA = "tests/reports/test_usage_audit.py::"
LR = "tests/reports/test_link_reads.py::"
PL = "tests/reports/test_phu_luc_i_layout.py::"
RR = "tests/records/test_records.py::"
RC = "tests/records/test_catalogue_transfer.py::"
RH = "tests/records/test_handover.py::"
TH = "tests/records/test_transfer_holds.py::"
OC = "tests/documents/test_outgoing_chain.py::"
SIM = "tests/pages/test_sim_signing.py::"
RA = "tests/notify/test_rights_alerts.py::"
RF = "tests/records/test_record_freezes.py::"
AC = "tests/org/test_agency_codes.py::"
AH = "tests/exchange/test_agency_hub.py::"
IF = "tests/documents/test_issued_fields.py::"
RF24 = "tests/exchange/test_received_fields.py::"

POINTS: list[Point] = [
    Point(1, "The 29 document types of Điều 7 with the Phụ lục III abbreviations", MET,
          (D30 + "test_checklist_point_1_the_29_types_and_their_phu_luc_iii_abbreviations",)),
    Point(2, "Outgoing numbers per issuer and year from 01 on 1 January, unique number and notation, shared by paper "
             "and electronic", MET,
          (D30 + "test_checklist_point_2_paper_outgoing_is_numbered_from_the_electronic_series",
           D30 + "test_checklist_point_2_outgoing_numbers_roll_over_to_01_on_1_january",
           D30 + "test_checklist_point_2_number_and_notation_are_unique_per_issuer_and_year",
           D30 + "test_checklist_point_2_a_paper_document_numbered_twice_is_refused",
           D30 + "test_checklist_point_2_concurrent_paper_and_series_numbers_are_unique_on_postgresql",
           D30P + "test_checklist_point_2_the_clerk_registers_a_paper_document_once_from_the_page"),
          "Page /documents/outgoing/paper/. Unique per issuer and year by a database constraint over the "
          "non-secret series; a secret document is "
          "unique in its own register (Điều 15.2)."),
    Point(3, "Number and issue time given by the System after the signature, atomically, no gap, no reuse", MET,
          (ISS + "test_signed_then_issued_with_number_date_seal_and_deliveries",
           NUM + "test_a_rolled_back_transaction_leaves_no_gap",
           "tests/documents/test_issuing_concurrency.py::"
           "test_16_threads_issuing_between_units_and_32_clerks_in_one_unit_never_deadlock",
           IF + "test_checklist_point_3_the_check_after_issuance_finds_the_registered_number_and_date_shown",
           IF + "test_checklist_point_3_a_number_or_date_shown_otherwise_than_registered_fails_the_check_after_"
           "issuance"),
          "The check after issuance (the job validate_stored_file) and the receiver compare the issued PDF's number "
          "and date fields with the register (the envelope's Code and date at the receiver): each field shows its "
          "value, the value is the registered one (decision 0036)."),
    Point(4, "A separate number series and register for secret documents", MET,
          (NUM + "test_secret_incoming_documents_have_their_own_series",
           "tests/reports/test_registers.py::test_secret_documents_are_in_their_own_register")),
    Point(5, "Notation Số: NN/<TYPE>-<ISSUER>, or NN/<ISSUER>-<UNIT> for công văn, numbers below 10 zero-padded", MET,
          (NUM + "test_notation_of_typed_document_is_type_then_issuer",
           NUM + "test_notation_of_cong_van_is_issuer_then_drafting_unit",
           NUM + "test_numbers_below_ten_take_a_leading_zero")),
    Point(6, "The head of the agency configures the numbering scheme (no hard-coded register per type)", MET,
          (D30 + "test_checklist_point_6_the_head_sets_next_years_scheme_never_this_years",
           D30 + "test_checklist_point_6_a_scheme_for_the_current_year_is_refused",
           D30 + "test_checklist_point_6_next_years_numbers_follow_the_plan",
           D30P + "test_checklist_point_6_the_head_sees_the_effect_before_saving_next_years_scheme",
           D30P + "test_checklist_point_6_saving_for_the_current_year_is_refused_on_the_page",
           "tests/browser/test_numbering_scheme.py::"
           "test_checklist_point_6_the_head_previews_then_saves_next_years_scheme"),
          "Page /numbering/ (screenshot docs/img/numbering-scheme.png)."),
    Point(7, "One continuous số đến per year in order of receipt, paper and electronic", MET,
          (NUM + "test_incoming_numbers_are_consecutive_from_one",
           NUM + "test_each_year_starts_a_new_register_at_one",
           NUM + "test_32_concurrent_connections_get_gap_free_unique_numbers")),
    Point(8, "The 9 main and 4 optional format components of Điều 8 as structured fields", MET,
          (D30 + "test_checklist_point_8_the_9_main_and_4_optional_components_are_fields",
           D30P + "test_checklist_point_8_the_draft_form_takes_and_the_page_shows_the_components")),
    Point(9, "Signing prefixes TM., Q., KT., TL., TUQ.; TUQ. delegations limited in time and scope", MET,
          ("tests/documents/test_drafting.py::test_expired_delegation_cannot_sign",
           "tests/documents/test_drafting.py::test_tuq_without_time_limit_is_refused",
           "tests/documents/test_drafting.py::test_signer_must_hold_authority_for_the_issuing_unit")),
    Point(10, "The outgoing flow: draft → approve → check content and format → sign → number → register → agency "
              "signature → issue → track → archive", MET,
          (OC + "test_checklist_point_10_the_whole_outgoing_chain_ends_filed_in_a_work_record",
           OC + "test_checklist_point_10_by_default_only_the_issuing_units_clerk_checks",
           OC + "test_checklist_point_10_the_setting_off_leaves_the_chain_to_the_drafter",
           OC + "test_checklist_point_10_the_heads_rule_overrides_the_default",
           OC + "test_checklist_point_10_the_rules_page_shows_the_default",
           "tests/api/test_format_check_api.py::test_checklist_point_10_the_checker_sends_the_checklist_through_the_api",
           D30 + "test_checklist_point_10_the_format_check_comes_before_the_signer",
           D30 + "test_checklist_point_10_a_check_by_a_person_without_the_role_is_refused",
           D30 + "test_checklist_point_10_a_failed_item_returns_the_draft_with_the_result",
           D30P + "test_checklist_point_10_the_checker_ticks_the_checklist_on_the_review_page",
           D30P + "test_checklist_point_10_the_head_sets_who_checks_format_on_the_page"),
          "The check is required by default (Điều 12; VANTHU_FORMAT_CHECK_REQUIRED, on outside tests): where the "
          "head set no rule, the issuing unit's clerks check; the head's rule (page /numbering/) replaces the "
          "default. Decision 0026."),
    Point(11, "Record drafting unit, approver, format checker and every draft version, with an audit trail", MET,
          ("tests/documents/test_drafting.py::test_review_chain_then_awaiting_signature_bound_to_the_reviewed_pdf",
           "tests/documents/test_drafting.py::"
           "test_returned_draft_goes_back_to_the_drafter_and_a_new_version_is_reviewed_again",
           "tests/audit/test_chain.py::test_chains_verify_after_real_actions")),
    Point(12, "The authorised person's signature first; the agency signature only on a signed document", MET,
          (ISS + "test_issuance_refuses_an_unsigned_document",
           PADES + "test_issuance_refuses_a_document_sealed_by_a_unit_only")),
    Point(13, "The signer's signature as a blue transparent PNG between the position line and the name", MET,
          (PADES + "test_signature_image_sits_between_position_line_and_name",
           "tests/signing/test_signing_admin_pages.py::"
           "test_signature_images_of_the_equipment_are_blue_and_red_and_transparent")),
    Point(14, "The agency seal red, actual size, transparent, over the left third of the signer's image", MET,
          (PADES + "test_issued_document_shows_blue_signature_and_red_seal_over_its_left_third",)),
    Point(15, "Attachments signed by the agency key top right, no image, number/notation and ISO 8601 +07:00 time",
          MET, (PADES + "test_attachment_gets_text_only_organisation_signature_top_right",
                PADES + "test_signing_time_in_the_text_stamp_is_iso_8601_vietnam_time")),
    Point(16, "Electronic copies (SAO Y, SAO LỤC, TRÍCH SAO) signed top right with form, agency and time", MET,
          ("tests/documents/test_copies.py::test_true_copy_carries_the_units_text_stamp_and_signature",
           "tests/documents/test_copies.py::test_reissue_copy_is_made_from_a_true_copy",
           "tests/documents/test_copies.py::test_extract_keeps_only_the_chosen_pages")),
    Point(17, "Digitised paper: PDF ≥ 1.4, colour, ≥ 200 dpi, 100 %, agency-signed top right with seal and time",
          MET, (
           SC + "test_checklist_point_17_scan_check_figures_and_warnings",
           SC + "test_checklist_point_17_a_greyscale_low_dpi_scan_is_received_with_a_warning_and_the_figures",
           SC + "test_checklist_point_17_the_scanner_folder_is_taken_into_the_clerks_arrivals",
           SC + "test_checklist_point_17_the_units_seal_signature_top_right_with_the_seal_image",),
          "Scans from the scanner folder are sealed by a clerk from the document page, not automatically."),
    Point(18, "Embedded CMS/PAdES signatures (RSA-2048/SHA-256 or stronger) valid after later incremental ones", MET,
          ("tests/signing/test_validation.py::test_issued_document_is_valid_with_signers_times_and_levels",
           PADES + "test_issuance_fills_number_and_date_without_invalidating_the_personal_signature")),
    Point(19, "USB token (PKCS#11), SIM-PKI and remote signing (signHash) as interchangeable back-ends", MET,
          ("tests/signing/test_backends.py::test_token_key_signs_a_pdf_that_validates",
           "tests/signing/test_backends.py::test_remote_signature_is_checked_and_completes_the_request",
           "tests/signing/test_pades_remote.py::test_prepare_then_finish_with_an_external_signature",
           SIM + "test_checklist_point_19_the_sim_signature_is_a_job_that_waits_for_the_phone",
           SIM + "test_checklist_point_19_a_cancel_on_the_phone_ends_the_request_with_its_reason",
           SIM + "test_checklist_point_19_the_page_waits_for_the_phone_then_goes_to_the_signed_document",
           "tests/browser/test_sim_signing_page.py::"
           "test_checklist_point_19_the_page_waits_for_the_phone_then_shows_the_signed_document"),
          "SIM-PKI through an MSSP (ETSI TS 102 204 style, asynchronous: a job asks the phone and polls; the page "
          "waits with htmx), tested against a local MSSP on 127.0.0.1. The person's credential picks the "
          "back-end. Screenshot docs/img/sim-waiting.png. Decision 0026."),
    Point(20, "Chains to the Government CA and public CAs, OCSP/CRL reaching internal endpoints", MET,
          ("tests/signing/test_trust.py::test_imported_root_is_trusted_and_intermediate_is_not",
           "tests/signing/test_trust.py::test_b_lt_signature_embeds_revocation_data_fetched_over_http",
           "tests/signing/test_verify_cli.py::test_revocation_from_given_crl_files_offline")),
    Point(21, "RFC 3161 time-stamps and stored validation evidence for long-term verification", MET,
          ("tests/signing/test_tsa.py::test_http_tsa_token_verifies_with_openssl",
           "tests/signing/test_pades_levels.py::test_b_lta_adds_a_document_timestamp",
           "tests/documents/test_long_term_issuance.py::"
           "test_issuance_seals_at_b_b_and_the_job_adds_b_lta_before_delivery")),
    Point(22, "Issue the same day as signing (next working day at the latest), urgent ones at once",
          MET, (
           SD + "test_checklist_point_22_a_signed_document_waiting_to_be_issued_shows_its_limit",),
          "Limits are whole working days; the rule's next-morning hour for electronic documents is not "
          "modelled."),
    Point(23, "Urgency Thường … Hỏa tốc hẹn giờ (Priority 0–4), urgent items first in every queue", MET,
          ("tests/documents/test_incoming.py::test_urgent_documents_come_first_in_the_clerks_queue",
           "tests/documents/test_incoming.py::test_flash_timed_needs_its_set_time",
           "tests/pages/test_inbox_page.py::test_commander_sees_urgent_items_first")),
    Point(24, "Incoming flow: receive → verify → register → present and assign → handle → follow up", MET,
          ("tests/workflow/test_handling.py::test_the_whole_incoming_flow",
           "tests/exchange/test_receiving.py::test_a_tampered_envelope_is_refused_and_kept_as_evidence",
           RF24 + "test_checklist_point_24_the_receiver_accepts_a_genuine_issue_whose_fields_show_the_envelopes_number",
           RF24 + "test_checklist_point_24_the_receiver_refuses_a_pdf_whose_number_field_shows_otherwise",
           RF24 + "test_checklist_point_24_the_receiver_refuses_an_envelope_naming_another_number_or_day_than_its_"
           "pdf")),
    Point(25, "Return non-conforming e-documents to the sender with a reason (status 02)", MET,
          (STAT + "test_a_return_sends_02_with_its_reason",
           "tests/exchange/test_local_envelopes.py::test_a_return_goes_back_as_status_02_with_its_reason")),
    Point(26, "Acknowledge receipt the same day: 01 on arrival, 03 on registration", MET,
          (STAT + "test_each_status_is_sent_by_its_cause_exactly_once_and_the_sender_keeps_the_trail",)),
    Point(27, "Present incoming the same day (next working day at the latest), urgent ones at once",
          MET, (
           SD + "test_checklist_point_27_limit_is_the_next_working_day_and_urgent_is_at_once",
           SD + "test_checklist_point_27_the_clerks_inbox_shows_the_legal_limit_and_overdue_in_red",
           SD + "test_checklist_point_27_the_reminder_pass_reminds_the_clerk_and_tells_the_leader_when_late",)),
    Point(28, "The leader's direction: lead, co-operating units, per-unit deadline, status 04, 05, 06", MET,
          ("tests/workflow/test_handling.py::test_the_whole_incoming_flow",
           "tests/api/test_workflow_api.py::test_direction_gives_each_lead_and_cooperating_receiver_its_own_deadline",
           STAT + "test_done_waits_for_the_cooperating_work")),
    Point(29, "Phiếu giải quyết văn bản đến and Sổ theo dõi giải quyết văn bản đến",
          MET, (
           HF + "test_checklist_point_29_handling_slip_shows_the_direction_and_history_as_pdf_and_xlsx",
           HF + "test_checklist_point_29_outsider_gets_404_for_the_slip_and_the_followup_register",
           HF + "test_checklist_point_29_followup_register_has_the_seven_columns_and_progress",)),
    Point(30, "Outgoing and incoming registers with the 10 Phụ lục IV columns, printable for binding", MET,
          ("tests/reports/test_registers.py::test_the_columns_are_the_ten_of_phu_luc_iv",
           "tests/reports/test_print_view.py::"
           "test_clerk_prints_the_incoming_register_as_pdf_with_embedded_vietnamese_fonts")),
    Point(31, "The six Phụ lục VI outputs: two registers, two handling reports, two catalogues",
          MET, (
           "tests/reports/test_registers.py::test_the_columns_are_the_ten_of_phu_luc_iv",
           HF + "test_checklist_point_31_incoming_handling_report_counts_on_time_late_pending",
           HF + "test_checklist_point_31_outgoing_report_counts_issued_per_type",
           HF + "test_checklist_point_31_a_large_report_is_printed_by_the_job",
           RC + "test_the_prints_are_pdf_with_embedded_fonts_and_xlsx",),
          "The handling reports leave out secret documents."),
    Point(32, "Phụ lục VI / TT 02/2019 metadata with the exact names and lengths", MET,
          ("tests/documents/test_incoming.py::test_code_number_over_11_characters_is_refused",
           "tests/documents/test_incoming.py::test_subject_over_500_characters_is_refused_and_nothing_is_numbered",
           "tests/api/test_documents_api.py::test_detail_has_the_phu_luc_vi_fields_files_and_what_the_caller_may_do",
           "tests/records/test_package.py::test_metadata_xml_has_the_circulars_fields_and_keeps_the_secrecy_mark"),
          "The document fields, and the record and its documents in the package's Circular 02/2019 XML."),
    Point(33, "Recall: freeze the outgoing document, cancel received copies, notify the sender, log it", MET,
          (ISS + "test_recall_cancels_the_received_copies_and_their_open_work",
           STAT + "test_a_recall_freezes_the_copy_and_15_comes_back")),
    Point(34, "Update and replace, correction by công văn đính chính, linked to the original", MET,
          (D30 + "test_checklist_point_34_a_correction_links_both_documents_and_tells_the_receivers",
           D30 + "test_checklist_point_34_an_update_beside_replace",
           D30 + "test_checklist_point_34_a_correction_of_a_document_it_cannot_see_is_refused_as_not_found",
           D30P + "test_checklist_point_34_a_correction_page_for_a_document_of_another_unit_is_not_found",
           ISS + "test_replacement_links_both_and_replaces_on_issue")),
    Point(35, "The electronic original kept by the issuer, immutable after issue, with a content hash", MET,
          ("tests/core/test_files_command.py::test_verify_passes_then_detects_a_changed_file",
           "tests/signing/test_validation.py::test_content_changed_by_a_later_incremental_update_is_detected")),
    Point(36, "The yearly Danh mục hồ sơ approved by the head; records opened from it or ad hoc",
          MET, (
           RC + "test_only_the_head_approves_and_a_clerk_publishes",
           RR + "test_a_record_opened_from_the_catalogue_takes_its_code_title_retention_and_responsible",
           RR + "test_an_ad_hoc_record_joins_the_catalogue",)),
    Point(37, "Hồ sơ metadata: number, title, retention, rights, creator, dates, totals",
          MET, (
           RR + "test_a_record_opened_from_the_catalogue_takes_its_code_title_retention_and_responsible",
           RR + "test_closing_counts_documents_and_pages_and_takes_the_dates",)),
    Point(38, "A document in several records with an auto-numbered DocOrdinal in each",
          MET, (
           RR + "test_filing_gives_ordinals_in_order_and_a_document_may_be_in_several_records",
           RR + "test_removing_an_item_closes_the_gap",)),
    Point(39, "Closing a record: drafts and duplicates out, retention and title revised, catalogued",
          MET, (
           RR + "test_closing_with_a_draft_inside_is_refused_and_nothing_changes",
           RR + "test_filing_a_document_twice_in_one_record_is_refused",
           RR + "test_closing_counts_documents_and_pages_and_takes_the_dates",
           RR + "test_removing_an_item_closes_the_gap",)),
    Point(40, "Transfer to the archive within 1 year (3 months for construction), alerts, 2-year hold with approval",
          MET, (
           RC + "test_the_legal_time_is_configurable",
           RC + "test_closed_records_reaching_the_threshold_are_due",
           RC + "test_the_reminder_pass_alerts_the_clerks_as_the_deadline_nears",
           RC + "test_submitting_and_accepting_makes_the_record_the_archives",
           TH + "test_checklist_point_40_a_construction_record_is_due_3_months_after_its_final_settlement",
           TH + "test_checklist_point_40_the_reminders_follow_each_kinds_date",
           TH + "test_checklist_point_40_the_head_of_the_agency_approves_a_2_year_hold_that_moves_the_due_date",
           TH + "test_checklist_point_40_a_hold_over_2_years_is_refused",
           TH + "test_checklist_point_40_holds_only_for_due_records_by_their_keepers_once",
           TH + "test_checklist_point_40_the_hold_page_asks_then_the_commander_approves",),
          "The kind is the catalogue entry's (construction: VANTHU_RECORDS_TRANSFER_CONSTRUCTION_MONTHS after the "
          "record's end date, the final settlement); page /ho-so/<id>/giu-lai/. Decision 0026."),
    Point(41, "Handover of all records before a person leaves or transfers",
          MET, (
           RH + "test_records_and_tasks_pass_when_both_confirm",
           RH + "test_handing_over_to_someone_outside_the_unit_is_refused",
           RH + "test_a_leader_confirms_for_a_giver_who_has_left",)),
    Point(42, "edXML under the QCVN 102 namespace with header, trace, business, XMLDSig, manifest, attachments", MET,
          (EDXML + "test_document_round_trip_keeps_every_field",
           "tests/exchange/test_signature.py::test_round_trip_build_sign_parse_verify")),
    Point(43, "DocumentId OrganId,yyyy/MM/dd,Number/Notation; explicit time zones", MET,
          (EDXML + "test_document_id_is_organ_date_number_notation",)),
    Point(44, "edXML Status messages (01–06, 13, 15, 16) with ResponseFor, From, Timestamp, StaffInfo", MET,
          (EDXML + "test_status_round_trip", "tests/exchange/test_samples.py::test_sdk_status_messages")),
    Point(45, "BussinessDocType 0 new, 1 revoke, 2 update, 3 replace, with ReplacementInfoList and ReceiverList", MET,
          (EDXML + "test_business_block_round_trip",
           "tests/exchange/test_samples.py::test_sdk_replacement_and_revocation"),
          "An update or correction leaves as type 2 (point 34)."),
    Point(46, "edXML lengths and code sets validated before sending; duplicate or empty recipients refused", MET,
          (EDXML + "test_build_refuses_and_names_the_field",
           EDXML + "test_build_refuses_business_type_outside_the_code_set")),
    Point(47, "Agency identifiers in QCVN 102 and QĐ 20/2020 forms, synchronised from the hub", MET,
          (AC + "test_both_forms_are_checked_with_translated_errors",
           AC + "test_a_hub_list_is_applied_idempotently",
           AC + "test_the_command_prints_counts_and_exits_with_its_status",
           AC + "test_the_directory_shows_and_finds_both_codes",
           AH + "test_the_hub_serves_its_list_to_a_signed_request_of_a_peer",
           AH + "test_the_hub_refuses_unsigned_unknown_and_misused_requests",
           AH + "test_a_member_synchronises_from_the_hub_by_the_command_and_the_job",
           AH + "test_an_envelope_from_the_qd20_form_of_a_known_unit_is_recognised",
           AH + "test_inspect_shows_both_forms_of_a_known_organ",
           "tests/exchange/test_real_peers.py::test_agencies_synchronised_from_the_other_deployment_acting_as_hub"),
          "`Agency.code` (QCVN 102) and `code_qd20` beside `Unit.code`/`code_qd20`; the hub (a vanthu deployment) "
          "serves `GET /exchange/v1/agencies` to signed peer requests; `vanthu agencies sync`, daily job for "
          "`VANTHU_AGENCY_HUB` (docs/exchange.md \"Agency identifiers\", decision 0034). The VNPT axis's own "
          "`getAgenciesListQD20` is read from a file (`--from`): no axis credentials here."),
    Point(48, "A pluggable transport: national axis, X-Road, an internal military hub", MET,
          (AH + "test_a_peer_transport_is_any_registered_carrier",
           "tests/exchange/test_real_peers.py::test_agencies_synchronised_from_the_other_deployment_acting_as_hub"),
          "A transport is an adapter under `exchange/transports/` plus a carrier registered with the outbox "
          "(`documents.outbox.Transport`: `address_of`, `deliver`); `Peer.transport` accepts any registered "
          "carrier's name (`exchange/transport_kinds.py`). Today: `local`, `http` (between vanthu deployments, "
          "one of them the internal military hub), `bundle` (no network). A VDXP (national axis) or X-Road "
          "carrier is not written: no endpoint or credentials to test against."),
    Point(49, "Send, receive and processing status tracked automatically, visible to both sides", MET,
          ("tests/pages/test_status_pages.py::test_the_sender_sees_each_recipients_trail",
           STAT + "test_each_status_is_sent_by_its_cause_exactly_once_and_the_sender_keeps_the_trail")),
    Point(50, "Role and record access control, alerts on rights changes, freezing sets of records", MET,
          (RA + "test_checklist_point_50_a_role_granted_alerts_the_person_and_the_security_officer",
           RA + "test_checklist_point_50_without_a_security_officer_the_units_head_is_alerted",
           RA + "test_checklist_point_50_a_refused_change_alerts_no_one",
           RA + "test_checklist_point_50_clearance_authority_and_second_factor_changes_alert",
           RA + "test_checklist_point_50_a_stand_in_named_and_cancelled_alerts_the_stand_in_and_the_officer",
           RA + "test_checklist_point_50_a_certificate_bound_to_a_person_or_a_unit_alerts",
           RF + "test_checklist_point_50_the_head_freezes_records_and_nothing_in_them_changes",
           RF + "test_checklist_point_50_lifting_the_freeze_takes_a_reason_and_changes_flow_again",
           RF + "test_checklist_point_50_only_heads_and_security_officers_freeze",
           RF + "test_checklist_point_50_a_handover_does_not_move_a_frozen_record",
           RF + "test_checklist_point_50_the_pages_freeze_a_selection_and_the_record_shows_it",
           RF + "test_checklist_point_50_the_api_freezes_and_unfreezes_and_refuses_changes"),
          "Access: every page and API operation against one table of who may (issue 13 item 5). Alerts: the "
          "person concerned and the unit's security officers (or its head), the bell and mail per preference "
          "(decision 0027). Freezes: page /ho-so/phong-toa/, `POST /api/v1/records/freeze` and `/unfreeze`."),
    Point(51, "Search every field and the full text; export to .doc, .docx, .pdf", MET,
          ("tests/search/test_export.py::test_checklist_point_51_every_metadata_field_and_the_full_text_are_searched",
           "tests/search/test_export.py::test_checklist_point_51_results_export_to_docx_for_doc_and_docx",
           "tests/search/test_export.py::test_checklist_point_51_results_export_to_pdf_in_the_phu_luc_i_layout"),
          "Subject, number and notation, issuing body, signer, description, places and the file's text (PDF text "
          "layer or OCR) are indexed; /search/ exports XLSX, DOCX and PDF (Phụ lục I layout). \".doc\" is answered "
          "with the DOCX, which every Word since 2007 opens: the binary .doc format is not written."),
    Point(52, "Printed or downloaded copies marked; access and usage history",
          MET, (
           UA + "test_checklist_point_52_opening_a_document_is_recorded_with_who_when_and_where",
           UA + "test_checklist_point_52_usage_history_is_for_the_units_clerks_and_leaders_only",
           UA + "test_checklist_point_52_a_secret_documents_download_is_a_marked_copy_the_original_untouched",
           UA + "test_checklist_point_52_marking_a_signed_pdf_keeps_the_signed_revision_intact",
           UA + "test_checklist_point_52_search_and_export_are_recorded",
           LR + "test_checklist_point_52_a_download_from_a_link_is_its_persons_read_in_the_documents_chain",
           LR + "test_checklist_point_52_the_security_officer_sees_a_link_download_like_a_checked_one")),
    Point(53, "Backup and restore with integrity checks of documents and metadata",
          MET, (
           "tests/backup/test_backup_restore.py::"
           "test_a_backup_restores_into_a_fresh_deployment_with_every_hash_number_signature_and_chain",
           "tests/backup/test_backup_restore.py::test_a_damaged_backup_is_refused_by_name_and_nothing_is_restored",)),
    Point(54, "Phụ lục I layout of what vanthu prints: A4, margins, Times New Roman, page numbers from page 2, dates",
          MET, (
           PL + "test_checklist_point_54_the_printed_registers_follow_phu_luc_i",
           PL + "test_checklist_point_54_the_handling_forms_and_reports_follow_phu_luc_i",
           PL + "test_checklist_point_54_a_long_report_numbers_its_pages_from_page_2",
           PL + "test_checklist_point_54_the_weekly_report_follows_phu_luc_i",
           PL + "test_checklist_point_54_a_draft_breaking_the_layout_is_kept_with_a_warning",
           "tests/records/test_prints_layout.py::test_checklist_point_54_the_work_records_prints_follow_phu_luc_i",)),
    Point(55, "KPIs: % dual-signed, % same-day sent and acknowledged, % records online, time to 04 and 06", MET,
          ("tests/reports/test_kpis.py::test_checklist_point_55_the_kpis_of_a_small_known_world",
           "tests/reports/test_kpis.py::test_checklist_point_55_the_subtree_adds_up_and_lists_its_units",
           "tests/reports/test_kpis.py::test_checklist_point_55_the_kpi_page_and_its_xlsx_for_the_leader",
           "tests/reports/test_kpis.py::test_checklist_point_55_a_leader_sees_only_their_subtree",
           "tests/api/test_kpis_api.py::test_checklist_point_55_the_kpis_endpoint_gives_the_figures_and_each_unit",
           "tests/api/test_kpis_api.py::test_checklist_point_55_kpis_of_a_unit_outside_ones_subtree_are_not_found",
           "tests/browser/test_kpi_page.py::test_checklist_point_55_the_commander_reads_the_kpis_of_the_command"),
          "Page /reports/kpis/ (XLSX, PDF; screenshot docs/img/kpis.png) and GET /api/v1/kpis, for the leaders "
          "of the unit or above it; "
          "computed, never stored (vanthu/records/kpis.py). Decision 0026."),
]


def render() -> str:
    counts: dict[str, int] = {}
    for point in POINTS:
        key = "owned by another open issue" if point.status.startswith("owned by") else point.status
        counts[key] = counts.get(key, 0) + 1
    lines = [
        "# Decree 30 checklist: where vanthu stands",
        "",
        "The 55 points of the checklist at the end of `../shared/reference/vn-rules.md`, each with its status and",
        "the tests (pytest node ids) that show it. Generated from the table in `tests/test_checklist.py`, which also",
        "checks that every test named here exists and names its point; regenerate with",
        "`python -m tests.test_checklist > docs/checklist.md`.",
        "",
        "**" + ", ".join(f"{n} {status}" for status, n in sorted(counts.items(), key=lambda kv: -kv[1])) + ".**",
        "",
        "| # | Requirement | Status | Shown by |",
        "|---|---|---|---|",
    ]
    for point in POINTS:
        shown = "<br>".join(f"`{t}`" for t in point.tests) or "—"
        if point.note:
            shown += f"<br>*{point.note}*" if point.tests else f" *{point.note}*"
        lines.append(f"| {point.number} | {point.requirement} | {point.status} | {shown} |")
    return "\n".join(lines) + "\n"


NAMES_POINTS = re.compile(r"checklist[ _]points?[ _]((?:\d+(?:,? (?:and )?|_|\b))+)", re.IGNORECASE)


def named_points(text: str) -> set[int]:
    found: set[int] = set()
    for match in NAMES_POINTS.finditer(text):
        found.update(int(n) for n in re.findall(r"\d+", match.group(1)))
    return found


def _functions(path: Path) -> dict[str, str]:
    """Test functions of a file: name → its name and docstring."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name: f"{node.name}\n{ast.get_docstring(node) or ''}" for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)}


def test_the_checklist_has_the_55_points_once_each():
    assert [p.number for p in POINTS] == list(range(1, 56))
    for point in POINTS:
        assert point.status in (MET, PARTIAL, MISSING) or re.fullmatch(r"owned by issue \d+", point.status)
        if point.status == MET:
            assert point.tests, f"point {point.number} is met: which test shows it?"


def test_every_named_test_exists_and_names_its_point():
    cache: dict[Path, dict[str, str]] = {}
    for point in POINTS:
        for node in point.tests:
            file, _sep, name = node.partition("::")
            path = ROOT / file
            assert path.is_file(), f"point {point.number}: no file {file}"
            functions = cache.setdefault(path, _functions(path))
            assert name in functions, f"point {point.number}: no test {node}"
            assert point.number in named_points(functions[name]), (
                f"{node} does not name checklist point {point.number} in its name or docstring")


def test_docs_checklist_md_is_generated_from_the_table():
    assert DOC.read_text(encoding="utf-8") == render(), (
        "docs/checklist.md is stale: run `python -m tests.test_checklist > docs/checklist.md`")


if __name__ == "__main__":
    print(render(), end="")
