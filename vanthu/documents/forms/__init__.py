"""Forms of the document pages, split by flow: `registration` (incoming documents), `drafting` (drafts,
versions, review), `signing` (a key's PIN at signature and issuance, remote signatures, electronic copies);
`fields` holds the fields they are built from (Vietnamese labels and messages, Phụ lục VI lengths, uploads
checked by content) and `common` what every form shares.

A form validates what a person typed; the action then decides. `apply_refusal` puts an action's refusal
next to the field it names, so every message appears where the mistake is and the form keeps its values.
"""

from vanthu.documents.forms.common import (
    ReasonForm,
    TokenMixin,
    VersionMixin,
    apply_refusal,
    attempt,
    bound_data,
    submit,
    too_large_message,
)
from vanthu.documents.forms.drafting import (
    REVIEW_ROWS,
    CommentForm,
    DraftForm,
    DraftMetadataForm,
    ReviewForm,
    SubmitForm,
    VersionForm,
)
from vanthu.documents.forms.fields import (
    DATE_FORMATS,
    DATETIME_FORMATS,
    AttachmentsField,
    MultipleFileInput,
    PersonChoiceField,
    SignerChoiceField,
    UploadField,
    checked_upload,
    date,
    doc_type_field,
    person_in_unit_label,
    person_label,
    secrecy_field,
    signer_label,
    text,
    urgency_field,
    urgent_until_field,
)
from vanthu.documents.forms.registration import IncomingForm, IncomingMetadataForm
from vanthu.documents.forms.signing import (
    CopyRequestForm,
    RemoteSignatureForm,
    SecretForm,
    TrueCopyChoiceField,
    otp_field,
)

__all__ = [
    "DATETIME_FORMATS",
    "DATE_FORMATS",
    "REVIEW_ROWS",
    "AttachmentsField",
    "CommentForm",
    "CopyRequestForm",
    "DraftForm",
    "DraftMetadataForm",
    "IncomingForm",
    "IncomingMetadataForm",
    "MultipleFileInput",
    "PersonChoiceField",
    "ReasonForm",
    "RemoteSignatureForm",
    "ReviewForm",
    "SecretForm",
    "SignerChoiceField",
    "SubmitForm",
    "TokenMixin",
    "TrueCopyChoiceField",
    "UploadField",
    "VersionForm",
    "VersionMixin",
    "apply_refusal",
    "attempt",
    "bound_data",
    "checked_upload",
    "date",
    "doc_type_field",
    "otp_field",
    "person_in_unit_label",
    "person_label",
    "secrecy_field",
    "signer_label",
    "submit",
    "text",
    "too_large_message",
    "urgency_field",
    "urgent_until_field",
]
