"""Small pages for a browser: an error in the site's style, and the delete confirmation.

API clients get the contract's JSON for the same requests; only a request whose Accept prefers
HTML (a person following a link) gets these. Every value is HTML-escaped.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime
from string import Template

from shared.http.accept import best_offer
from shared.web.assets import asset
from shared.web.download_page import human_remaining

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


def password_page(action: str, expires_at: datetime | None, now: datetime, *, wrong: bool) -> bytes:
    """Asks for a link's password: tells only that one is needed and when the link expires.

    The form posts to `action` (the link's `/unlock`), which sets the unlock cookie; no script.
    """
    text = "Wrong password, try again." if wrong else "This link is protected by a password."
    if expires_at is not None:
        expires = expires_at.astimezone(UTC)
        text += f" It expires {expires:%Y-%m-%d %H:%M} UTC ({human_remaining(expires, now)})."
    form = (
        f'<form method="post" action="{html.escape(action)}" class="password-form">'
        '<label for="password-input">Password</label> '
        '<input type="password" name="password" id="password-input" required autofocus '
        'autocomplete="current-password" maxlength="1024"> '
        '<button type="submit" class="primary big" id="unlock-button">Unlock</button>'
        "</form>"
    )
    return _render("Password needed", text, form)


def _render(title: str, text: str, action: str, *, escape_text: bool = True) -> bytes:
    template = Template(asset("message.html").body.decode("utf-8"))
    page = template.substitute(
        title=html.escape(title),
        text=html.escape(text) if escape_text else text,
        action=action,
    )
    return page.encode("utf-8")
