"""Printed reports as PDF (WeasyPrint): a template rendered to A4 pages, with running
headers and footers given as CSS ``content`` values."""

from __future__ import annotations

import re
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _


def css_string(text: str) -> str:
    """``text`` as a quoted CSS string; markup and quote characters as CSS escapes so
    nothing typed into a record can end the style sheet."""
    return '"' + "".join(c if c.isalnum() or c in " -–:/.,()（）·" else f"\\{ord(c):06x}" for c in text) + '"'


def page_counter_css() -> str:
    """The footer's "Page 1 of 2" as a CSS ``content`` value in the active language."""
    parts = re.split(r"(%\((?:page|pages)\)s)", _("Page %(page)s of %(pages)s"))
    out = []
    for part in parts:
        if part == "%(page)s":
            out.append("counter(page)")
        elif part == "%(pages)s":
            out.append("counter(pages)")
        elif part:
            out.append(css_string(part))
    return " ".join(out)


def page_context(title: str, left: str) -> dict[str, Any]:
    """What ``core/_pdf_style.html`` needs: the running header (``left`` and the title),
    the page counter and the printing time, and the language of the document."""
    now = timezone.localtime()
    return {
        "title": title,
        "header_left": css_string(left),
        "header_right": css_string(title),
        "page_counter": page_counter_css(),
        "printed": css_string(_("Printed %(when)s") % {"when": now.strftime("%Y-%m-%d %H:%M")}),
        "language": get_language() or "en",
    }


def render_pdf(template: str, context: dict[str, Any]) -> bytes:
    """``template`` rendered with ``context`` as a PDF."""
    from weasyprint import HTML  # imported here: pango loads only when a PDF is made

    return HTML(string=render_to_string(template, context)).write_pdf()  # type: ignore[no-any-return]
