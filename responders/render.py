"""Render outgoing mail from the templates, text and HTML from one context."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jinja2 import Environment, StrictUndefined, Template, select_autoescape
from jinja2 import TemplateError as JinjaTemplateError

from onboardd.responders.view import OutgoingMail


class TemplateError(Exception):
    """A template is missing or broken; raised at load time, never mid-ingest."""


def make_environment(loader: Any) -> Environment:
    """A Jinja2 environment: HTML autoescaped, undefined names an error, no stray blanks."""
    return Environment(
        loader=loader,
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # Templates are read once, at start (Renderer). With reloading on, every
        # {% extends %} or {% include %} met while rendering stat()ed its file, a dozen
        # system calls a mail, and an edit on disk would reach the next reply half-checked
        # instead of failing the start as a broken template must.
        auto_reload=False,
    )


class Renderer:
    """Holds every template compiled once, so rendering is fast and pure."""

    def __init__(self, environment: Environment) -> None:
        self._templates: dict[str, Template] = {}
        try:
            for name in environment.list_templates(extensions=["j2"]):
                self._templates[name] = environment.get_template(name)
        except JinjaTemplateError as exc:
            raise TemplateError(f"template {getattr(exc, 'name', '?')}: {exc}") from exc

    def names(self) -> frozenset[str]:
        return frozenset(self._templates)

    def render(self, template: str, context: Mapping[str, Any]) -> tuple[str, str]:
        """The text and HTML bodies of `template` (e.g. "requester/acknowledgment")."""
        try:
            text = self._templates[f"{template}.txt.j2"].render(context)
            html = self._templates[f"{template}.html.j2"].render(context)
        except KeyError as exc:
            raise TemplateError(f"no template {template} ({exc})") from exc
        return text, html

    def mail(
        self, kind: str, template: str, subject: str, context: Mapping[str, Any], **fields: Any
    ) -> OutgoingMail:
        text, html = self.render(template, {**context, "subject": subject})
        return OutgoingMail(kind=kind, subject=subject, text=text, html=html, **fields)
