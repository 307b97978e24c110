"""HTML mail bodies to plain text, keeping form-like tables as "label: value" lines."""

from __future__ import annotations

import re

import html2text
from bs4 import BeautifulSoup, Comment, Tag

_DROP = ("script", "style", "head", "title", "meta", "link", "noscript", "template", "img")
# html2text escapes characters that would mean something in markdown ("1\." "\-");
# the text is read by people and by our label parser, so the escapes come back out.
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!>|~])")
_TOKEN = re.compile(r"^(.*?)ONBTBL(\d+)X(.*)$")
_BLOCKS = ("p", "div", "br", "li", "ul", "ol", "blockquote", "pre", "tr", "hr",
           "h1", "h2", "h3", "h4", "h5", "h6")
_QUOTE_PREFIX = re.compile(r"^(?:\s*>)*\s*")
_BORDER_TOP = re.compile(r"border-top\s*:\s*solid", re.IGNORECASE)
_FROM_LINE = re.compile(r"^\s*(From|Von|De|Van|Da)\s*:", re.IGNORECASE)


def html_to_text(html: str) -> str:
    """Readable text of an HTML body; quoted parts come out as "> " lines."""
    soup = BeautifulSoup(html, "html.parser")
    for node in soup.find_all(string=lambda s: isinstance(s, Comment)):
        node.extract()
    for tag in soup.find_all(_DROP):
        tag.decompose()
    for tag in soup.find_all(re.compile(r"^h[1-6]$")):
        tag.name = "p"  # headings would otherwise gain markdown "#" marks
    _mark_quotes(soup)
    tables: dict[str, str] = {}
    # Innermost tables first, so a layout table sees its nested tables already flat.
    for table in reversed(soup.find_all("table")):
        token = f"ONBTBL{len(tables)}X"
        tables[token] = _table_text(table, tables)
        holder = soup.new_tag("div")  # a block, so the rows start on their own line
        holder.string = token
        table.replace_with(holder)
    return _tidy(_resolve(_convert(str(soup)), tables))


def _mark_quotes(soup: BeautifulSoup) -> None:
    """Turn the quote containers of Gmail, Outlook and Apple Mail into blockquotes."""
    for tag in soup.select("div.gmail_quote, div.yahoo_quoted, div.moz-cite-prefix"):
        tag.name = "blockquote"
    # Outlook puts the quoted mail after these markers as siblings, not inside them,
    # so the marker and everything that follows it in the document is the quote.
    starts = soup.select("#appendonsend, #divRplyFwdMsg, div.OutlookMessageHeader")
    starts += [tag for tag in soup.find_all("div", style=_BORDER_TOP)
               if _FROM_LINE.match(tag.get_text(" ", strip=True))]
    for start in starts:
        _quote_from(soup, start)


def _quote_from(soup: BeautifulSoup, start: Tag) -> None:
    """Move `start` and every node after it in the document into one blockquote."""
    if start.find_parent("blockquote") is not None:
        return  # already inside a quote marked earlier
    moving = [start, *start.next_siblings]
    node = start.parent
    while node is not None and node.name not in ("body", "html", "[document]"):
        moving.extend(node.next_siblings)
        node = node.parent
    quote = soup.new_tag("blockquote")
    start.insert_before(quote)
    for item in moving:
        quote.append(item.extract())


def _table_text(table: Tag, tables: dict[str, str]) -> str:
    """A table as lines: two-cell rows as "label: value", other rows cell by cell.

    A form laid out in columns, a row of headings over one row of values, becomes one
    "heading: value" line per column, so each value stays beside what it answers.
    """
    lines: list[str] = []
    rows = [_cells(row) for row in table.find_all("tr")]
    texts = [[_cell_text(cell, tables) for cell in row] for row in rows]
    index = 0
    while index < len(rows):
        cells = texts[index]
        index += 1
        if (len(cells) > 2 and index < len(rows) and len(texts[index]) == len(cells)
                and (index + 1 == len(rows) or _headings(rows[index + 1]))
                and all("\n" not in cell for cell in cells) and _headings(rows[index - 1])):
            # A heading over an empty cell is left out: alone on its line, it would
            # take whatever follows the table as its value.
            lines.extend(f"{head.rstrip(':').strip()}: {value}"
                         for head, value in zip(cells, texts[index], strict=True) if value)
            index += 1
            continue
        cells = [cell for cell in cells if cell]
        if len(cells) == 2 and "\n" not in cells[0]:
            value = re.sub(r"\n\s*\n", "\n", cells[1])  # one cell is one value
            lines.append(f"{cells[0].rstrip(':').strip()}: {value}")
        elif cells and all("\n" not in cell for cell in cells):
            lines.append(" | ".join(cells))
        else:
            lines.extend(cells)
    return "\n".join(lines)


def _cells(row: Tag) -> list[Tag]:
    return [cell for cell in row.children if isinstance(cell, Tag) and cell.name in ("td", "th")]


def _headings(cells: list[Tag]) -> bool:
    """A row of headings: each cell a <th>, or every word of it inside <b> or <strong>."""
    return bool(cells) and all(cell.name == "th" or _wholly_bold(cell) for cell in cells)


def _wholly_bold(cell: Tag) -> bool:
    text = " ".join(cell.get_text(" ").split())
    bold = " ".join(tag.get_text(" ") for tag in cell.find_all(("b", "strong"))
                    if tag.find_parent(("b", "strong")) is None)
    return bool(text) and " ".join(bold.split()) == text


def _cell_text(cell: Tag, tables: dict[str, str]) -> str:
    # Most cells are a few inline words: reading their text directly is far cheaper
    # than a conversion per cell, which matters for newsletters with thousands.
    if not any(isinstance(node, Tag) and node.name in _BLOCKS for node in cell.descendants):
        text = " ".join(cell.get_text(" ").split())
        if "ONBTBL" not in text:
            return text
    return _resolve(_convert(cell.decode_contents()), tables).strip()


def _convert(html: str) -> str:
    converter = html2text.HTML2Text()
    converter.body_width = 0  # no wrapping: a wrapped label line would lose its value
    converter.ignore_links = True
    converter.ignore_images = True
    converter.ignore_emphasis = True
    converter.ul_item_mark = "-"
    return _MD_ESCAPE.sub(r"\1", converter.handle(html))


def _resolve(text: str, tables: dict[str, str]) -> str:
    """Put flattened tables back where their tokens stand, keeping any "> " prefix."""
    out: list[str] = []
    for line in text.split("\n"):
        match = _TOKEN.match(line)
        while match and f"ONBTBL{match.group(2)}X" in tables:
            prefix = match.group(1)
            body = tables[f"ONBTBL{match.group(2)}X"]
            quote = _QUOTE_PREFIX.match(prefix).group(0)  # type: ignore[union-attr]
            lines = body.split("\n") if body else [""]
            out.append(prefix + lines[0])
            out.extend(quote + extra for extra in lines[1:])
            line = quote + match.group(3)
            match = _TOKEN.match(line)
        out.append(line)
    return "\n".join(out)


def _tidy(text: str) -> str:
    text = text.replace("\xa0", " ").replace("\u200b", "")
    lines = [line.strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")
