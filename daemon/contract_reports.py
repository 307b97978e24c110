"""What `onboardd contracts` prints: a table, one contract in full, an export."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from onboardd.store.models import Contract, Request


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def export_item(row: Contract, requests: int) -> dict[str, Any]:
    return {
        "number": row.number,
        "stage": row.stage,
        "organization": row.organization,
        "cor": row.cor_address,
        "contractor": row.contractor_address,
        "starts_on": _day(row.starts_on),
        "ends_on": _day(row.ends_on),
        "award_expected_on": _day(row.award_expected_on),
        "security_official": {"name": row.so_name, "address": row.so_address,
                              "harp_id": row.so_harp_id},
        "spoc": {"name": row.spoc_name, "address": row.spoc_address,
                 "harp_id": row.spoc_harp_id},
        "contacts_requested_at": row.contacts_requested_at.isoformat().replace("+00:00", "Z")
        if row.contacts_requested_at else None,
        "requests": requests,
    }


def export_json(rows: Sequence[Contract], counts: Mapping[int, int]) -> str:
    return json.dumps([export_item(r, counts.get(r.id, 0)) for r in rows], indent=2)


def export_csv(rows: Sequence[Contract], counts: Mapping[int, int]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["number", "stage", "organization", "cor", "contractor", "starts_on",
                     "ends_on", "award_expected_on", "so_address", "so_harp_id",
                     "spoc_address", "spoc_harp_id", "requests"])
    for row in rows:
        writer.writerow([row.number or "", row.stage, row.organization or "", row.cor_address,
                         row.contractor_address or "", _day(row.starts_on) or "",
                         _day(row.ends_on) or "", _day(row.award_expected_on) or "",
                         row.so_address or "", row.so_harp_id or "", row.spoc_address or "",
                         row.spoc_harp_id or "", counts.get(row.id, 0)])
    return out.getvalue()


def contract_table(rows: Sequence[Contract], counts: Mapping[int, int]) -> str:
    if not rows:
        return "no contracts"
    lines = [f"{'NUMBER':<18} {'STAGE':<13} {'PERIOD':<23} {'REQ':>3}  ORGANIZATION"]
    for row in rows:
        period = (f"{_day(row.starts_on) or '?'}..{_day(row.ends_on) or '?'}"
                  if row.stage == "awarded" else f"award ~{_day(row.award_expected_on) or '?'}")
        lines.append(f"{row.number or '-':<18} {row.stage:<13} {period:<23} "
                     f"{counts.get(row.id, 0):>3}  {row.organization or '-'}")
    return "\n".join(lines)


def contract_detail(row: Contract, requests: Sequence[Request]) -> str:
    def person(name: str, address: str | None, harp_id: str | None = None) -> str:
        if not (name or address):
            return "-"
        text = f"{name} <{address}>" if name and address else name or address or ""
        return f"{text}, HARP {harp_id}" if harp_id else text

    fields = [
        ("Contract", row.number or "(no number yet)"),
        ("Stage", row.stage),
        ("Organization", row.organization or "-"),
        ("COR", person(row.cor_name, row.cor_address)),
        ("Contractor", person(row.contractor_name, row.contractor_address)),
        ("Period", f"{_day(row.starts_on) or '?'} to {_day(row.ends_on) or '?'}"),
        ("Award expected", _day(row.award_expected_on) or "-"),
        ("Security Official", person(row.so_name, row.so_address, row.so_harp_id)),
        ("SPOC", person(row.spoc_name, row.spoc_address, row.spoc_harp_id)),
        ("SO/SPOC asked", row.contacts_requested_at.isoformat(timespec="minutes")
         if row.contacts_requested_at else "not yet"),
        ("Offboarding", _offboarding(requests)),
    ]
    lines = [f"{label + ':':<19}{value}" for label, value in fields]
    lines.append("Requests:")
    lines += [f"  {r.reference}  {r.state:<18} {', '.join(s.service for s in r.services)}"
              + ("" if r.kind == "access" else f"  ({r.kind})") for r in requests] or ["  none"]
    return "\n".join(lines)


def _offboarding(requests: Sequence[Request]) -> str:
    """The contract's latest offboarding: in progress (what is still to be removed),
    done, or cancelled."""
    latest = next((r for r in reversed(requests) if r.kind == "offboarding"), None)
    if latest is None:
        return "-"
    opened = latest.created_at.date().isoformat()
    if latest.state == "awaiting_removal":
        waiting = [s.service for s in latest.services if s.decision == "pending"]
        return (f"in progress, {latest.reference} since {opened}; "
                f"{len(latest.services) - len(waiting)} of {len(latest.services)} removed, "
                f"waiting on {', '.join(waiting)}")
    if latest.state == "offboarded":
        return f"done, {latest.reference} (opened {opened})"
    return f"{latest.state}, {latest.reference} (opened {opened})"
