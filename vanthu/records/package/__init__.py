"""The record package (gói hồ sơ): one ZIP a unit hands over with a closed work record, checkable offline by
anyone (decision 0018, docs/records.md "Gói hồ sơ / package").

An adapter: plain values and open-file callables in, a file out; a file in, a verdict out. It reads no database
and calls no action (`vanthu/records/exporting.py` reads the record from the ORM and calls `writer.write`; the
`record verify` command calls `verify.verify` with no database at all).

    <record>.zip
      record/metadata.xml               the record's metadata (Circular 02/2019/TT-BNV: FileCode, Title, …)
      record/history.json               the processing history (who did what when: opened, filed, closed …)
      documents/NNN/metadata.xml        each document's metadata (DocOrdinal NNN in the record)
      documents/NNN/files/<name>        its files as issued (signed PDFs byte for byte)
      documents/NNN/validation.json     the validation report of each signed PDF at export time
      revocation/<sha256>.{crl,ocsp,cer} the CRLs, OCSP responses and certificates (DER) to re-check them later
      trust/roots.pem                   the exporting deployment's trust roots (see verify.py on trust)
      manifest.json                     every file above: path, size, SHA-256, kind
      manifest.p7s                      CMS (detached, DER) signature over manifest.json by the unit's seal key,
                                        with the TSA's signature time-stamp as an unsigned attribute
"""

FORMAT = "vanthu-record-package/1"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.p7s"
ROOTS = "trust/roots.pem"
