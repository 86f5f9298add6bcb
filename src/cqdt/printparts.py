"""Cutting a very long print page into parts that Chromium prints one after the other.

Chromium keeps every page of a print job in memory until the PDF is written: about 12 MB per
page of a full appendix table, so a national-scale Phụ lục III (260-odd pages) needed 4 GB.
Printed in parts of at most ROWS_PER_PART table rows (all tables together) and CARDS_PER_PART
scorecards, each part stays under 0,6 GB; the parts are numbered on from each other and merged
into one PDF. A part starts on a new page: its table opens with the repeated header row, without
the title. The merged PDF cannot keep the parts' tags, so the parts print untagged and the
bookmarks are made from where their headings landed (pdf.anchored_headings). A page short enough
to need no cut (every Gia Lai year) is printed whole and tagged, as before.
"""

from __future__ import annotations

import re

ROWS_PER_PART = 1500
CARDS_PER_PART = 250
_TBODY = re.compile(r"<tbody[^>]*>.*?</tbody>", re.DOTALL)
_ROW = re.compile(r"<tr[\s>]")
_CARD = re.compile(r'<article class="card[ "]')
# A tag ends at its first ">" (a self-closing one with "/>"): matched greedily, without trying each
# attribute character as the tag's end (the national decision's page was scanned in 0,25 s, now 0,09).
_TAG = re.compile(r"<!--.*?-->|<(/?)([a-zA-Z][a-zA-Z0-9]*)\b[^>]*>", re.DOTALL)
_THEAD = re.compile(r"<thead[\s>].*?</thead>", re.DOTALL)
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
_BODY = re.compile(r"<body[^>]*>")


def print_parts(html: str, rows_per_part: int = ROWS_PER_PART, cards_per_part: int = CARDS_PER_PART) -> list[str]:
    """The page as self-contained documents to print in turn; [html] when it needs no cut."""
    cuts = sorted(_row_cuts(html, rows_per_part) + _every(_CARD, html, 0, len(html), cards_per_part))
    if not cuts:
        return [html]
    body = _BODY.search(html)
    prefix = html[:body.end()]
    parts = [html[:cuts[0]]]  # the parser closes whatever is open at the end of a document
    reopened = _reopen_at(html, body.end(), cuts)
    for start, end, opening in zip(cuts, [*cuts[1:], len(html)], reopened, strict=True):
        parts.append(prefix + opening + html[start:end])
    return parts


def continued(part: str, pages_before: int) -> str:
    """A part numbered on from the pages printed before it, its first page numbered too."""
    style = (f"<style>html {{ counter-reset: page {pages_before}; }} "
             "@page :first { @top-center { content: counter(page); } }</style>")
    return part.replace("</head>", style + "</head>", 1)


def _row_cuts(html: str, limit: int) -> list[int]:
    """Before every limit-th table row of the page, counting on across tables (the decision's
    first part holds Phụ lục I and II as well)."""
    rows = [row.start() for body in _TBODY.finditer(html) for row in _ROW.finditer(html, body.start(), body.end())]
    return rows[limit::limit]


def _every(pattern: re.Pattern, html: str, start: int, end: int, limit: int) -> list[int]:
    """Positions before every limit-th match after the first limit."""
    positions = [m.start() for m in pattern.finditer(html, start, end)]
    return positions[limit::limit]


def _reopen_at(html: str, start: int, cuts: list[int]) -> list[str]:
    """For each cut, the start tags of the elements still open there, so that a part continues
    inside them; a table comes back with its header row. One pass over the page for all cuts, which
    skips the inside of every table body: its rows are whole, so a cut there (before a row) leaves
    the elements open at the body's start, and a body left behind closes all it opened (a national
    decision's 126.000 cells were each a tag to walk)."""
    skipped = [(_tag_end(html, body.start()), body.end() - len("</tbody>")) for body in _TBODY.finditer(html, start)]
    open_tags: list[tuple[str, int, int]] = []  # name, start and end of its start tag
    openings = []
    body = 0  # the next table body not yet passed
    for cut in cuts:
        while start < cut:
            if body < len(skipped) and skipped[body][0] < cut:
                inside, closing = skipped[body]
                _walk(html, start, inside, open_tags)  # nothing where start is already inside
                start = min(max(start, closing), cut)
                if closing <= cut:  # the body ends before the cut: its end tag is walked next
                    body += 1
            else:
                _walk(html, start, cut, open_tags)
                start = cut
        openings.append("".join(_start_tag(html, name, tag_start, tag_end, cut)
                                for name, tag_start, tag_end in open_tags))
    return openings


def _tag_end(html: str, tag_start: int) -> int:
    return html.index(">", tag_start) + 1


def _walk(html: str, start: int, end: int, open_tags: list[tuple[str, int, int]]) -> None:
    """The elements open after the tags from start to end: each start tag opens one (but a void or
    self-closing one), an end tag closes its element and anything left open inside it."""
    for tag in _TAG.finditer(html, start, end):
        closing, name = tag.group(1, 2)
        if not name:  # a comment
            continue
        name = name.lower()
        if tag.group(0).endswith("/>") or name in _VOID:
            continue
        if not closing:
            open_tags.append((name, tag.start(), tag.end()))
            continue
        while open_tags:
            if open_tags.pop()[0] == name:
                break


def _start_tag(html: str, name: str, tag_start: int, tag_end: int, cut: int) -> str:
    if name != "table":
        return html[tag_start:tag_end]
    header = _THEAD.search(html, tag_end, cut)
    return html[tag_start:tag_end] + (header.group(0) if header else "")
