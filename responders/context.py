"""The template context every outgoing kind starts from."""

from __future__ import annotations

from typing import Any

from onboardd.responders.assess import LABELS, assess
from onboardd.responders.policy import Policy
from onboardd.responders.view import RequestView


def base_context(policy: Policy, view: RequestView | None, sender_name: str = "") -> dict[str, Any]:
    context: dict[str, Any] = {
        "request": view,
        "sender_name": greeting_name(sender_name),
        "services": policy.services,
        "onboarding_address": policy.help_address,
        "labels": tuple(LABELS.values()),
    }
    if view is not None:
        context["fields"] = assess(view)
    return context


def greeting_name(display_name: str) -> str:
    """Outlook's "Last, First" turned around; anything else as written."""
    last, comma, first = display_name.partition(",")
    if comma and first.strip() and " " not in last.strip() and "," not in first:
        return f"{first.strip()} {last.strip()}"
    return display_name.strip()
