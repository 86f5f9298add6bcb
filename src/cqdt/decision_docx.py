"""The editable Word draft of the decision and its appendices (report/<year>/du-thao-quyet-dinh-<year>.docx).

Officials edit the draft before it is signed, so every word is text and every appendix a real
Word table. The layout follows Nghị định 30/2020/NĐ-CP (Phụ lục I): A4; margins 20 mm top and
bottom, 30 mm left, 15 mm right; Times New Roman (LibreOffice shows it in Liberation Serif, its
metric twin); the issuer and the national motto side by side; «Điều n.» in bold; «Nơi nhận» in
12 pt bold italic with its lines in 11 pt; page numbers centred at the top from the second page.
The words come from the same model as the report page (fragments.Decision).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt

from .fragments import Appendix, Decision, Notice
from .ooxml import save_stable

FONT = "Times New Roman"
BODY_PT, TABLE_PT = 14, 11
CENTRE, JUSTIFY, RIGHT = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.JUSTIFY, WD_ALIGN_PARAGRAPH.RIGHT


def write_decision_docx(document: Decision, path: Path, title: str) -> None:
    doc = Document()
    _base_style(doc)
    section = doc.sections[0]
    _a4(section, landscape=False)
    _page_numbers(section)
    if document.notice:
        _notice(doc, document.notice)
    _letterhead(doc, document)
    _body(doc, document)
    _closing(doc, document.d)
    for appendix in document.appendices:
        _appendix(doc, appendix)
    when = dt.datetime.combine(document.d.date, dt.time())
    props = doc.core_properties
    props.title, props.author, props.language = title, document.d.issuer_name, "vi-VN"
    props.last_modified_by, props.revision = document.d.issuer_name, 1
    props.created = props.modified = when
    props.last_printed = when
    save_stable(doc.save, path, when)


def _base_style(doc) -> None:
    style = doc.styles["Normal"]
    style.font.name, style.font.size = FONT, Pt(BODY_PT)
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attribute), FONT)
    language = OxmlElement("w:lang")
    language.set(qn("w:val"), "vi-VN")
    style.element.get_or_add_rPr().append(language)
    style.paragraph_format.space_before, style.paragraph_format.space_after = Pt(0), Pt(6)
    style.paragraph_format.line_spacing = 1.15


def _a4(section, landscape: bool) -> None:
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    width, height = Mm(210), Mm(297)
    section.page_width, section.page_height = (height, width) if landscape else (width, height)
    section.top_margin = section.bottom_margin = Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.header_distance = Mm(10)


def _page_numbers(section) -> None:
    """A centred page number at the top, none on the first page (Nghị định 30/2020)."""
    section.different_first_page_header_footer = True
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = CENTRE
    run = paragraph.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("separate", None), (None, "2"), ("end", None)):
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        elif text == "PAGE":
            instruction = OxmlElement("w:instrText")
            instruction.set(qn("xml:space"), "preserve")
            instruction.text = "PAGE"
            run._r.append(instruction)
        else:
            run._r.append(_text_element(text))


def _text_element(text: str):
    element = OxmlElement("w:t")
    element.text = text
    return element


def _paragraph(container, text: str = "", *, size: int = BODY_PT, bold: bool = False, italic: bool = False,
               align=None, indent: bool = False, after: float = 6, keep_with_next: bool = False):
    paragraph = container.add_paragraph()
    if text:
        run = paragraph.add_run(text)
        run.font.size, run.bold, run.italic = Pt(size), bold, italic
    paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.space_after = Pt(after)
    fmt.keep_with_next = keep_with_next
    if indent:
        fmt.first_line_indent = Mm(10)
    return paragraph


def _notice(doc, notice: Notice) -> None:
    paragraph = _paragraph(doc, notice.heading + " ", size=12, bold=True, align=JUSTIFY)
    run = paragraph.add_run(notice.text)
    run.font.size, run.italic = Pt(12), True
    borders = OxmlElement("w:pBdr")
    for side in ("top", "left", "bottom", "right"):
        borders.append(_border(side))
    paragraph._p.get_or_add_pPr().append(borders)


def _letterhead(doc, document: Decision) -> None:
    d = document.d
    table = doc.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _fixed_widths(table, [62, 103])
    left, right = table.rows[0].cells
    left.paragraphs[0].text = ""
    for index, line in enumerate(d.issuer):
        paragraph = left.paragraphs[0] if index == 0 else left.add_paragraph()
        run = paragraph.add_run(line.upper())
        run.font.size, run.bold = Pt(13), True
        paragraph.alignment, paragraph.paragraph_format.space_after = CENTRE, Pt(0)
    _rule(left, 62, 25)
    _paragraph(left, f"Số: {d.number}", size=13, align=CENTRE, after=0)
    for index, (text, italic, size) in enumerate([("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", False, 13),
                                                   ("Độc lập - Tự do - Hạnh phúc", False, 14)]):
        paragraph = right.paragraphs[0] if index == 0 else right.add_paragraph()
        run = paragraph.add_run(text)
        run.font.size, run.bold, run.italic = Pt(size), True, italic
        paragraph.alignment, paragraph.paragraph_format.space_after = CENTRE, Pt(0)
    _rule(right, 103, 60)
    _paragraph(right, f"{d.place}, {document.date_text}", size=14, italic=True, align=CENTRE, after=0)


def _rule(cell, cell_mm: float, line_mm: float) -> None:
    """The short line under the issuer and under the motto: the bottom border of an empty paragraph
    indented from both sides to the line's length."""
    paragraph = cell.add_paragraph()
    fmt = paragraph.paragraph_format
    fmt.left_indent = fmt.right_indent = Mm((cell_mm - line_mm) / 2)
    fmt.space_after, fmt.line_spacing = Pt(4), Pt(4)
    borders = OxmlElement("w:pBdr")
    borders.append(_border("bottom"))
    paragraph._p.get_or_add_pPr().append(borders)


def _border(side: str):
    line = OxmlElement(f"w:{side}")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "auto")):
        line.set(qn(key), value)
    return line


def _body(doc, document: Decision) -> None:
    d = document.d
    _paragraph(doc, after=6)
    _paragraph(doc, "QUYẾT ĐỊNH", bold=True, align=CENTRE, after=0, keep_with_next=True)
    _paragraph(doc, d.subject, bold=True, align=CENTRE, after=12, keep_with_next=True)
    _paragraph(doc, d.authority, bold=True, align=CENTRE, after=12, keep_with_next=True)
    for basis in d.legal_bases:
        _paragraph(doc, basis, italic=True, align=JUSTIFY, indent=True)
    _paragraph(doc, d.proposal, italic=True, align=JUSTIFY, indent=True)
    _paragraph(doc, "QUYẾT ĐỊNH:", bold=True, align=CENTRE, after=12, keep_with_next=True)
    for number, article in enumerate(document.articles, start=1):
        paragraph = _paragraph(doc, f"Điều {number}. ", bold=True, align=JUSTIFY, indent=True,
                               keep_with_next=bool(article["items"]))
        paragraph.add_run(article["lead"]).font.size = Pt(BODY_PT)
        for item in article["items"]:
            _paragraph(doc, item, align=JUSTIFY, indent=True)


def _closing(doc, d) -> None:
    table = doc.add_table(rows=1, cols=2)
    _fixed_widths(table, [80, 85])
    left, right = table.rows[0].cells
    head = left.paragraphs[0]
    run = head.add_run("Nơi nhận:")
    run.font.size, run.bold, run.italic = Pt(12), True, True
    head.paragraph_format.space_after = Pt(0)
    for recipient in d.recipients:
        _paragraph(left, f"- {recipient}", size=11, after=0)
    signature = [d.signature.on_behalf, d.signature.deputy, d.signature.title]
    first = True
    for line in [s for s in signature if s]:
        paragraph = right.paragraphs[0] if first else right.add_paragraph()
        first = False
        run = paragraph.add_run(line)
        run.font.size, run.bold = Pt(BODY_PT), True
        paragraph.alignment, paragraph.paragraph_format.space_after = CENTRE, Pt(0)
    for _ in range(4):  # the space for the signature and the seal
        _paragraph(right, after=0)
    _paragraph(right, d.signature.name or "(Chưa có thông tin người ký)", bold=True, align=CENTRE, after=0)


def _appendix(doc, appendix: Appendix) -> None:
    landscape = len(appendix.columns) > 8
    section = doc.add_section()
    _a4(section, landscape)
    _paragraph(doc, f"Phụ lục {appendix.number}", bold=True, align=CENTRE, after=0, keep_with_next=True)
    _paragraph(doc, appendix.title.upper(), bold=True, align=CENTRE, after=0, keep_with_next=True)
    _paragraph(doc, appendix.reference, italic=True, align=CENTRE, after=12, keep_with_next=True)
    table = doc.add_table(rows=0, cols=len(appendix.columns))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    widths_mm = _column_widths(appendix, 252 if landscape else 165)
    _fixed_widths(table, widths_mm)
    # The rows are written as WordprocessingML in one piece: python-docx adds a row in time that grows
    # with the table (16 s for 2.000 rows), a national-scale appendix has 10.600.
    widths = [round(Mm(w).twips) for w in widths_mm]
    rows = _header_xml(appendix, widths) + "".join(_row_xml(row, appendix, widths) for row in appendix.rows)
    for element in parse_xml(f"<w:tbl {nsdecls('w')}>{rows}</w:tbl>"):
        table._tbl.append(element)
    for note in appendix.notes:
        _paragraph(doc, note, size=12, italic=True, align=JUSTIFY, after=3)


def _header_xml(appendix: Appendix, widths: list[int]) -> str:
    """The header row, repeated at the top of every page the table runs over and never split."""
    cells = "".join(_cell_xml(column.label, width, bold=True, align="center")
                    for column, width in zip(appendix.columns, widths, strict=True))
    return f'<w:tr><w:trPr><w:tblHeader w:val="true"/><w:cantSplit w:val="true"/></w:trPr>{cells}</w:tr>'


def _row_xml(row, appendix: Appendix, widths: list[int]) -> str:
    if row.code is None:  # the heading row of a parent unit, across the table
        return f"<w:tr>{_cell_xml(row.heading, sum(widths), bold=True, span=len(widths))}</w:tr>"
    return "<w:tr>" + "".join(_cell_xml(cell.text, width, align="right" if column.numeric else "")
                              for cell, column, width in zip(row.cells, appendix.columns, widths, strict=True)) + "</w:tr>"


def _cell_xml(text: str, width: int, *, bold: bool = False, align: str = "", span: int = 1) -> str:
    """One table cell: 11 pt, single spacing, no space after; `align` «right», «center» or the default."""
    spanned = f'<w:gridSpan w:val="{span}"/>' if span > 1 else ""
    justified = f'<w:jc w:val="{align}"/>' if align else ""
    weight = "<w:b/>" if bold else ""
    return (f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{spanned}</w:tcPr>'
            f'<w:p><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/>{justified}</w:pPr>'
            f'<w:r><w:rPr>{weight}<w:sz w:val="{TABLE_PT * 2}"/></w:rPr>'
            f'<w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p></w:tc>')


def _column_widths(appendix: Appendix, text_width_mm: float) -> list[float]:
    """Millimetres per column, by the columns' weights."""
    weights = [column.weight for column in appendix.columns]
    return [text_width_mm * w / sum(weights) for w in weights]


def _fixed_widths(table, widths_mm: list[float]) -> None:
    """Column widths that Word and LibreOffice both keep (a fixed layout; widths on every cell)."""
    table.autofit = False
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    table._tbl.tblPr.append(layout)
    for column, width in zip(table.columns, widths_mm, strict=True):
        column.width = Mm(width)  # the table grid, which LibreOffice follows
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=True):
            cell.width = Mm(width)
