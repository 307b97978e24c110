"""Render outgoing mail from the templates, text and HTML from one context."""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

from jinja2 import Environment, StrictUndefined, Template, select_autoescape
from jinja2 import TemplateError as JinjaTemplateError
from jinja2.filters import do_indent, do_wordwrap

from onboardd.responders.view import OutgoingMail


class TemplateError(Exception):
    """A template is missing or broken; raised at load time, never mid-ingest."""


def make_environment(loader: Any) -> Environment:
    """A Jinja2 environment: HTML autoescaped, undefined names an error, no stray blanks."""
    environment = Environment(
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
    environment.filters["wordwrap"] = remembered_wordwrap(environment)
    environment.filters["wrap"] = _paragraph(environment)
    environment.globals["item"] = _list_item(environment)
    return environment


# The text parts' column: every line a text template writes stays within it.
TEXT_WIDTH = 72


def _paragraph(environment: Environment) -> Callable[[str], str]:
    """The `wrap` filter: a paragraph whose words come partly from variables, written on
    one line inside {% filter wrap %}, wrapped to the text width and ended by a line
    break. Words are never broken, at hyphens neither."""
    wordwrap = environment.filters["wordwrap"]

    def wrap(text: str, indent: int = 0) -> str:
        wrapped = wordwrap(text, TEXT_WIDTH - indent, False, None, False)
        return str(do_indent(wrapped, indent, first=True)) + "\n"

    return wrap


def _list_item(environment: Environment) -> Callable[..., str]:
    """item(text, bullet): the bullet, then the text wrapped under itself, with no line
    break at the end, so that it stands on its own line at the call site.

    These are filters, not macros: a macro call builds a context and a frame each time,
    and these two are called for every line of every reply. The text is what the
    macros wrote (pinned by tests/templates/test_templates.py)."""
    wordwrap = environment.filters["wordwrap"]

    def item(text: str, bullet: str = "  - ") -> str:
        wrapped = wordwrap(text, TEXT_WIDTH - len(bullet), False, None, False)
        return bullet + str(do_indent(wrapped, len(bullet)))

    return item


# Wrapped texts kept, and the longest text kept: what repeats is template prose.
WRAPS_KEPT = 1024
LONGEST_KEPT = 4096


def remembered_wordwrap(environment: Environment) -> Callable[..., str]:
    """Jinja2's `wordwrap`, remembering what it wrapped.

    Most wrapped text is the templates' own prose (the footer, the responsibilities,
    the fixed sentences around a value), the same in every reply, so most wraps are
    found done. A text from a sender is wrapped as it always was, and a long one is
    not kept.
    """

    @functools.lru_cache(maxsize=WRAPS_KEPT)
    def wrapped(text: str, *options: Any) -> str:
        return str(do_wordwrap(environment, text, *options))

    def wordwrap(
        text: Any,
        width: int = 79,
        break_long_words: bool = True,
        wrapstring: str | None = None,
        break_on_hyphens: bool = True,
    ) -> str:
        options = (width, break_long_words, wrapstring, break_on_hyphens)
        if type(text) is str and len(text) <= LONGEST_KEPT:
            return wrapped(text, *options)
        return str(do_wordwrap(environment, text, *options))

    return wordwrap


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
