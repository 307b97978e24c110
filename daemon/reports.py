"""What the read-only commands print: request lists, one request, exports, queues."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from datetime import datetime
from email.utils import parseaddr
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from onboardd.store.models import AuditEvent, InboundMessage, OutboxMessage, Request


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def export_item(row: Request) -> dict[str, Any]:
    """One request in the export format of README, "Using it"."""
    return {
        "reference": row.reference,
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
    lines = [f"{'REFERENCE':<15} {'STATE':<18} {'ORGANIZATION':<32} SERVICES"]
    for row in rows:
        services = ", ".join(s.service for s in row.services) or "-"
        lines.append(
            f"{row.reference:<15} {row.state:<18} {(row.organization or '-')[:32]:<32} {services}"
        )
    return "\n".join(lines)


def request_detail(session: Session, row: Request) -> str:
    item = export_item(row)
    lines = [
        f"{row.reference}  {row.state}",
        f"  organization:      {row.organization or '-'}",
        f"  requester:         {row.requester_name + ' ' if row.requester_name else ''}"
        f"<{row.requester}>",
        f"  user count:        {row.user_count if row.user_count is not None else '-'}",
        f"  justification:     {row.justification or '-'}",
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
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.request_id == row.id).order_by(AuditEvent.id)
    )
    for event in events:
        lines.append(f"    {_iso(event.at)}  {event.kind}{_detail(event.detail)}")
    lines.append("  mail sent:")
    for out in session.scalars(
        select(OutboxMessage).where(OutboxMessage.request_id == row.id).order_by(OutboxMessage.id)
    ):
        lines.append(f"    {_iso(out.created_at)}  {out.kind:<16} {out.status}")
    return "\n".join(lines)


def _detail(detail: dict[str, Any]) -> str:
    if not detail:
        return ""
    return " (" + ", ".join(f"{k}={v}" for k, v in detail.items()) + ")"


def outbox_table(rows: Sequence[OutboxMessage]) -> str:
    if not rows:
        return "outbox is empty"
    lines = [f"{'ID':>5} {'KIND':<16} {'STATUS':<8} {'TRIES':>5} {'CREATED':<21} LAST ERROR"]
    for row in rows:
        lines.append(
            f"{row.id:>5} {row.kind:<16} {row.status:<8} {row.attempts:>5} "
            f"{_iso(row.created_at) or '':<21} {row.last_error or ''}"
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
