"""Small pages for a browser: an error in the site's style, and the delete confirmation.

API clients get the contract's JSON for the same requests; only a request whose Accept prefers
HTML (a person following a link) gets these. Every value is HTML-escaped.
"""

from __future__ import annotations

import html
from string import Template

from shared.http.accept import best_offer
from shared.web.assets import asset

# What a person reads for each status the service answers with an error page.
_TITLES = {
    400: "That did not work",
    401: "Sign-in needed",
    403: "Not allowed",
    404: "Not found",
    405: "Not allowed here",
    410: "Gone",
    413: "Too large",
    416: "Outside the file",
    429: "Slow down",
    503: "Try again shortly",
}


def wants_page(accept: str | None) -> bool:
    """A browser navigating: its Accept prefers HTML to JSON (curl's `*/*` ties: JSON wins)."""
    return best_offer(accept, ["application/json", "text/html"]) == "text/html"


def error_page(status: int, message: str) -> bytes:
    title = _TITLES.get(status, "Something went wrong")
    return _render(title, message, '<p><a class="button" href="/">Go to fileshare</a></p>')


def delete_page(filename: str) -> bytes:
    """Asks before deleting: a link preview or a stray click deletes nothing; the button does."""
    action = (
        '<form method="post">'
        '<button type="submit" class="primary big danger" id="delete-button">Delete</button>'
        "</form>"
    )
    text = f"Delete {html.escape(filename)} for everyone who has its link? This cannot be undone."
    return _render("Delete this file?", text, action, escape_text=False)


def deleted_page() -> bytes:
    return _render(
        "Deleted",
        "The file is gone; its link no longer works.",
        '<p><a class="button" href="/">Go to fileshare</a></p>',
    )


def _render(title: str, text: str, action: str, *, escape_text: bool = True) -> bytes:
    template = Template(asset("message.html").body.decode("utf-8"))
    page = template.substitute(
        title=html.escape(title),
        text=html.escape(text) if escape_text else text,
        action=action,
    )
    return page.encode("utf-8")
