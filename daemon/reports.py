"""What the read-only commands print: request lists, one request, exports, queues."""

from __future__ import annotations

import csv
import email.policy
import io
import json
import unicodedata
from collections.abc import Sequence
from datetime import datetime
from email.message import MIMEPart
from email.parser import BytesParser
from email.utils import parseaddr
from typing import Any

from sqlalchemy.orm import Session

from onboardd.store import queries
from onboardd.store.models import InboundMessage, OutboxMessage, Request


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def export_item(row: Request) -> dict[str, Any]:
    """One request in the export format of README, "Using it"."""
    return {
        "reference": row.reference,
        "kind": row.kind,
        "state": row.state,
        "organization": row.organization,
        "justification": row.justification,
        "user_count": row.user_count,
        "services": [
            {
                "name": s.service,
                "decision": s.decision,
                "decided_by": s.decided_by,
                "decided_at": _iso(s.decided_at),
                "reason": s.reason,
            }
            for s in row.services
        ],
        "cor_approval": {"status": row.cor_status, "address": row.cor_address},
        "requester": row.requester,
        "security_official": _so_address(row.security_official),
        "created_at": _iso(row.created_at),
        "updated_at": _iso(row.updated_at),
    }


def _so_address(text: str | None) -> str | None:
    if not text:
        return None
    return parseaddr(text)[1] or None


def export_json(rows: Sequence[Request]) -> str:
    return json.dumps([export_item(r) for r in rows], indent=2)


def export_csv(rows: Sequence[Request]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "reference",
            "state",
            "organization",
            "services",
            "decisions",
            "user_count",
            "cor_status",
            "cor_address",
            "requester",
            "security_official",
            "created_at",
            "updated_at",
        ]
    )
    for row in rows:
        item = export_item(row)
        writer.writerow(
            [
                item["reference"],
                item["state"],
                item["organization"] or "",
                ";".join(s["name"] for s in item["services"]),
                ";".join(f"{s['name']}={s['decision']}" for s in item["services"]),
                item["user_count"] if item["user_count"] is not None else "",
                row.cor_status,
                row.cor_address or "",
                row.requester,
                item["security_official"] or "",
                item["created_at"],
                item["updated_at"],
            ]
        )
    return out.getvalue()


def request_table(rows: Sequence[Request]) -> str:
    if not rows:
        return "no requests"
    lines = [f"{'REFERENCE':<15} {'KIND':<11} {'STATE':<18} {'ORGANIZATION':<32} SERVICES"]
    for row in rows:
        services = ", ".join(s.service for s in row.services) or "-"
        lines.append(
            f"{row.reference:<15} {row.kind:<11} {row.state:<18} "
            f"{(row.organization or '-')[:32]:<32} {services}"
        )
    return "\n".join(lines)


# Where a field's value starts in `requests show`; its later lines start there too.
_VALUE_COLUMN = 21


def _field(label: str, value: str) -> str:
    """One `requests show` field; a value of several lines keeps its own indentation
    under the first line instead of falling back to the left margin."""
    first, *rest = value.splitlines() or [""]
    lines = [f"  {label + ':':<{_VALUE_COLUMN - 2}}{first}"]
    lines += [" " * _VALUE_COLUMN + line if line.strip() else "" for line in rest]
    return "\n".join(lines)


def request_detail(session: Session, row: Request) -> str:
    item = export_item(row)
    lines = [
        f"{row.reference}  {row.state}" + ("" if row.kind == "access" else f"  ({row.kind})"),
        f"  organization:      {row.organization or '-'}",
        f"  requester:         {row.requester_name + ' ' if row.requester_name else ''}"
        f"<{row.requester}>",
        f"  user count:        {row.user_count if row.user_count is not None else '-'}",
        _field("justification", row.justification or "-"),
        f"  COR approval:      {row.cor_status}"
        + (
            f" ({row.cor_name or ''} {row.cor_address or ''})".replace("( ", "(")
            if row.cor_address or row.cor_name
            else ""
        ),
        f"  security official: {row.security_official or '-'}",
        f"  contract:          {row.contract_number or '-'}",
        f"  created:           {item['created_at']}   updated: {item['updated_at']}",
        "  services:",
    ]
    for s in item["services"]:
        who = f" by {s['decided_by']} at {s['decided_at']}" if s["decided_by"] else ""
        reason = f": {s['reason']}" if s["reason"] else ""
        lines.append(f"    - {s['name']}: {s['decision']}{who}{reason}")
    if row.unknown_services:
        lines.append(f"  not in catalog:    {', '.join(row.unknown_services)}")
    lines.append("  history:")
    for event in queries.audit_events_of_request(session, row.id):
        lines.append(f"    {_iso(event.at)}  {event.kind}{_detail(event.detail)}")
    lines.append("  mail sent:")
    for out in queries.outbox_messages_of_request(session, row.id):
        lines.append(f"    {_iso(out.created_at)}  {out.kind:<16} {out.status}")
    return "\n".join(lines)


def _detail(detail: dict[str, Any]) -> str:
    if not detail:
        return ""
    return " (" + ", ".join(f"{k}={v}" for k, v in detail.items()) + ")"


def outbox_table(rows: Sequence[tuple[OutboxMessage, str | None]], *, filtered: bool) -> str:
    """The outbox, one mail a line with its request's reference and first recipient."""
    if not rows:
        return "no outgoing mail matches" if filtered else "outbox is empty"
    lines = [f"{'ID':>5} {'KIND':<16} {'STATUS':<8} {'TRIES':>5} {'CREATED':<21} "
             f"{'REFERENCE':<15} {'TO':<32} LAST ERROR"]
    for row, reference in rows:
        lines.append(
            f"{row.id:>5} {row.kind:<16} {row.status:<8} {row.attempts:>5} "
            f"{_iso(row.created_at) or '':<21} {reference or '-':<15} {row.to_addr:<32} "
            f"{row.last_error or ''}"
        )
    return "\n".join(lines)


def quarantine_table(rows: Sequence[InboundMessage]) -> str:
    if not rows:
        return "quarantine is empty"
    lines = [f"{'KEY':<14} {'RECEIVED':<21} {'REASON':<14} ERROR"]
    for row in rows:
        error = (row.error or "").splitlines()[0][:80] if row.error else ""
        lines.append(
            f"{row.message_key[:12]:<14} {_iso(row.received_at) or '':<21} {row.reason:<14} {error}"
        )
    return "\n".join(lines)


def quarantine_detail(row: InboundMessage) -> str:
    """A quarantined mail as text safe for a terminal: its headers and plain text with
    every control and format character escaped (no escape sequences reach the terminal,
    no right-to-left override reorders a line), and its other parts named, never shown."""
    lines = [
        f"key:      {row.message_key}",
        f"mailbox:  {row.mailbox} ({safe_text(row.source_name, keep_lines=False)})",
        f"received: {_iso(row.received_at)}",
        f"reason:   {row.reason}",
    ]
    if row.error:
        lines.append(f"error:    {safe_text(row.error, keep_lines=False)}")
    if row.raw is None:
        lines.append(f"(its raw bytes were purged at {_iso(row.raw_purged_at)})")
        return "\n".join(lines)
    message = BytesParser(policy=email.policy.default).parsebytes(row.raw)
    lines.append("")
    for name, value in message.items():
        lines.append(f"{safe_text(name, keep_lines=False)}: {_header_text(value)}")
    lines.append("")
    body = message.get_body(preferencelist=("plain",))
    if body is None:
        lines.append("(no plain-text part)")
    else:
        lines.append(safe_text(_part_text(body)))
    others = [part for part in message.walk()
              if not part.is_multipart() and part is not body]
    if others:
        lines.append("")
        lines.append("other parts (not shown):")
        for part in others:
            size = len(part.get_payload(decode=True) or b"")
            filename = part.get_filename()
            label = f' "{safe_text(filename, keep_lines=False)}"' if filename else ""
            lines.append(f"  {part.get_content_type()}{label}, {size} bytes")
    return "\n".join(lines)


def safe_text(text: str, *, keep_lines: bool = True) -> str:
    """`text` with each control, format, separator or private-use character shown as
    its escape (\\x1b, \\u202e); line breaks and tabs stay when `keep_lines`."""
    kept = "\n\t" if keep_lines else ""
    out = []
    for char in text.replace("\r\n", "\n"):
        if char in kept or unicodedata.category(char) not in _UNSAFE_CATEGORIES:
            out.append(char)
        else:
            out.append(char.encode("unicode_escape").decode("ascii") if ord(char) < 0x10000
                       else f"\\U{ord(char):08x}")
    return "".join(out)


_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Co", "Cs"})


def _header_text(value: object) -> str:
    return safe_text(str(value), keep_lines=False)


def _part_text(part: MIMEPart) -> str:
    try:
        return str(part.get_content())
    except (LookupError, ValueError):  # an unknown or lying charset
        payload = part.get_payload(decode=True)
        return payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
