"""Minimal WordprocessingML (.docx) files written with zipfile, shaped like a Decree 30 draft as Vietnamese
offices type it in Word: a two-column header table (issuer and number left, national motto and date right),
the body, and a two-column signature table (recipients left; competence, title, a blank gap and the signer's
name right). Times New Roman 13–14 pt."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from xml.sax.saxutils import escape

FONT = "Times New Roman"
NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


@dataclass(frozen=True)
class Line:
    text: str
    align: str = "center"  # left, center, right, both
    bold: bool = False
    italic: bool = False
    size: int = 13


def _run(line: Line) -> str:
    props = (f'<w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}" w:cs="{FONT}"/>'
             + ("<w:b/>" if line.bold else "") + ("<w:i/>" if line.italic else "") + f'<w:sz w:val="{line.size * 2}"/>')
    return (f'<w:p><w:pPr><w:jc w:val="{line.align}"/><w:spacing w:after="60"/></w:pPr>'
            f'<w:r><w:rPr>{props}</w:rPr><w:t xml:space="preserve">{escape(line.text)}</w:t></w:r></w:p>')


def _table(left: list[Line], right: list[Line]) -> str:
    def cell(lines: list[Line], width: int) -> str:
        return f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>{"".join(_run(x) for x in lines)}</w:tc>'

    return ('<w:tbl><w:tblPr><w:tblW w:w="9400" w:type="dxa"/><w:tblLayout w:type="fixed"/></w:tblPr>'
            '<w:tblGrid><w:gridCol w:w="3900"/><w:gridCol w:w="5500"/></w:tblGrid>'
            f'<w:tr>{cell(left, 3900)}{cell(right, 5500)}</w:tr></w:tbl>')


def decree30_docx(*, issuer: str = "BỘ THAM MƯU", parent: str = "BỘ TƯ LỆNH QUÂN KHU 10", notation: str = "KH-TM",
                  competence: str = "KT. THAM MƯU TRƯỞNG", title: str = "PHÓ THAM MƯU TRƯỞNG",
                  name_line: str = "Đại tá Hoàng Văn Sơn", paragraphs: int = 3) -> bytes:
    header = _table(
        [Line(parent), Line(issuer, bold=True), Line(""), Line(f"Số:        /{notation}")],
        [Line("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, size=12),
         Line("Độc lập - Tự do - Hạnh phúc", bold=True, size=14), Line(""),
         Line("Đà Nẵng, ngày      tháng      năm 2026", italic=True)],
    )
    body = [Line("KẾ HOẠCH", bold=True, size=14), Line("Huấn luyện chiến đấu năm 2027", bold=True, size=14)]
    body += [Line("Căn cứ Chỉ thị của Tư lệnh Quân khu về nhiệm vụ quân sự, quốc phòng năm 2027; các cơ quan, "
                  "đơn vị tổ chức thực hiện nghiêm túc, bảo đảm chất lượng, đúng tiến độ.", align="both", size=14)
             for _ in range(paragraphs)]
    signature_right = [Line(competence, bold=True, size=14)]
    if title:
        signature_right.append(Line(title, bold=True, size=14))
    signature_right += [Line("", size=14)] * 4 + [Line(name_line, bold=True, size=14)]
    signature = _table([Line("Nơi nhận:", align="left", bold=True, size=12),
                        Line("- Như trên;", align="left", size=11), Line("- Lưu: VT.", align="left", size=11)],
                       signature_right)
    document = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {NS}><w:body>'
                + header + "".join(_run(x) for x in body) + signature
                + '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1134" w:right="850" w:bottom="1134" '
                  'w:left="1701" w:header="0" w:footer="0" w:gutter="0"/></w:sectPr></w:body></w:document>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml",
                         '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.'
                         'openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType='
                         '"application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
                         'ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType='
                         '"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
                         '</Types>')
        archive.writestr("_rels/.rels",
                         '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://'
                         'schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type='
                         '"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
                         'Target="word/document.xml"/></Relationships>')
        archive.writestr("word/document.xml", document)
    return out.getvalue()
