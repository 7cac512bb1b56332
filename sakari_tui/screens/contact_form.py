"""Create or edit a contact, in a modal form.

The form saves by itself and closes only when the server said yes, returning the saved
contact. Anything wrong is said next to the field it is about: the mobile number checked
to E.164 with the profile's region (with the reason), the email, a duplicated attribute
name, and the API's own errors by code (CONT-001 mobile, CONT-002 email, CONT-004 mobile
of another contact). Throttling, server and network errors go under the form. On any
error the form stays as typed, so saving again is one key.

``contacts.create`` merges into an existing contact with the same mobile number instead of
refusing it, so before creating, the form looks the number up and says whose it is.
"""

from __future__ import annotations

import re
from typing import Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Input, Label, Static

from sakari_tui.api import (
    ApiError,
    BadResponse,
    Contact,
    NetworkError,
    RateLimited,
    SakariError,
)
from sakari_tui.api.phone import InvalidNumber, format_number, normalize_number
from sakari_tui.core.text import one_line
from sakari_tui.screens.base import EditForm
from sakari_tui.widgets.attribute_editor import AttributeEditor
from sakari_tui.widgets.tag_editor import TagChips, TagEditor

# Something@something.tld, no spaces: what every mail system takes; the server has the last word.
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$")

# Which field an API error code is about.
FIELD_OF_CODE = {"CONT-001": "mobile", "CONT-002": "email", "CONT-004": "mobile"}


def check_email(text: str) -> str | None:
    """Why ``text`` is not an email address, or None when it looks like one."""
    if not text:
        return None
    if " " in text:
        return "an email address has no spaces"
    if "@" not in text:
        return "an email address needs an @"
    if not EMAIL.match(text) or len(text) > 254:
        return "not an email address (name@example.com)"
    return None


def short_error(error: SakariError) -> str:
    """``str(error)``, without the body of a proxy's HTML error page."""
    if isinstance(error, BadResponse):
        where = f"HTTP {error.status}, " if error.status is not None else ""
        return f"{where}{error.reason}"
    return str(error)


def server_failed(error: SakariError) -> bool:
    status = getattr(error, "status", None)
    return isinstance(error, (ApiError, BadResponse)) and status is not None and status >= 500


def error_text(error: SakariError) -> str:
    """What went wrong, as a person reads it, saying the form is kept."""
    if isinstance(error, RateLimited):
        wait = f" Wait {error.retry_after:g} s and" if error.retry_after else ""
        return f"The server is busy ({error}).{wait} Press F2 to save again: nothing you typed is lost."
    if isinstance(error, NetworkError):
        if error.may_have_been_sent:
            return (f"The connection dropped ({error}): the change may or may not have been saved. "
                    "Press F2 to save again (the same mobile number updates the same contact).")  # fmt: skip
        return f"Could not reach the server ({error}). Press F2 to save again: nothing you typed is lost."
    if server_failed(error):
        return f"The server failed ({short_error(error)}). Press F2 to save again: nothing you typed is lost."
    return f"Not saved: {short_error(error)}. Nothing you typed is lost."


class ContactForm(EditForm[Contact | None]):
    BINDINGS = [
        Binding("f2,ctrl+s", "save", "Save", id="contacts.form.save"),
        Binding("escape", "cancel", "Cancel", id="contacts.form.cancel"),
    ]

    def __init__(self, contact: Contact | None = None, *, region: str = "US") -> None:
        super().__init__()
        self.contact = contact
        self.phone_region = region
        self.saving = False

    # -- layout --------------------------------------------------------------

    def compose(self) -> ComposeResult:
        contact = self.contact
        mobile = contact.mobile.number if contact and contact.mobile and contact.mobile.number else ""
        with VerticalScroll(id="form-box") as box:
            box.border_title = "Edit contact" if contact else "New contact"
            box.border_subtitle = "F2 saves · Esc cancels"
            yield from self._row("First name", "first-name", contact.first_name if contact else "")
            yield from self._row("Last name", "last-name", contact.last_name if contact else "")
            yield from self._row("Mobile", "mobile", format_number(mobile, self.phone_region) if mobile else "",
                                 placeholder=f"number, with + for outside {self.phone_region}")  # fmt: skip
            yield from self._row("Email", "email", contact.email if contact else "")
            with Horizontal(classes="row"):
                yield Label("Tags")
                yield TagEditor([t.name for t in contact.tags if t.name] if contact else [], id="tags")
            yield Static("", id="tags-error", classes="field-error")
            yield Label("Attributes (name, value; ctrl+d removes a row)", classes="section")
            yield AttributeEditor(contact.attributes if contact else {}, id="attributes")
            yield Static("", id="attributes-error", classes="field-error")
            yield Static("", id="form-error")
            yield Static("", id="form-status")
            with Horizontal(classes="buttons"):
                yield Button("Cancel (Esc)", id="cancel", compact=True, action="screen.cancel")
                yield Button("Save (F2)", id="save", variant="primary", compact=True, action="screen.save")

    def _row(self, label: str, name: str, value: str | None, placeholder: str = "") -> ComposeResult:
        with Horizontal(classes="row"):
            yield Label(label)
            yield Input(value or "", placeholder=placeholder, id=name, compact=True)
        yield Static("", id=f"{name}-error", classes="field-error")

    def on_mount(self) -> None:
        for error in self.query(".field-error"):
            error.display = False
        self.query_one("#form-error").display = False
        self.query_one("#form-status").display = False
        self.query_one("#first-name", Input).focus()
        self._initial = self.values()

    def values(self) -> tuple:
        """Everything typed, to tell whether closing would lose something."""
        return (tuple(i.value for i in self.query(Input)), tuple(self.query_one(TagChips).tags))

    # -- errors --------------------------------------------------------------

    def set_error(self, field: str | None, message: str | None) -> None:
        """Show ``message`` next to ``field`` (under the form when None); None clears it."""
        target = self.query_one(f"#{field}-error" if field else "#form-error", Static)
        target.update(Text(f"✗ {message}" if field and message else message or ""))
        target.display = bool(message)
        if message:
            target.scroll_visible()

    def set_status(self, message: str) -> None:
        status = self.query_one("#form-status", Static)
        status.update(Text(message))
        status.display = bool(message)

    def clear_errors(self) -> None:
        for name in ("first-name", "last-name", "mobile", "email", "tags", "attributes", None):
            self.set_error(name, None)

    def field_message(self, field: str) -> str:
        static = self.query_one(f"#{field}-error", Static)
        return str(static.render()) if static.display else ""

    @on(Input.Changed, "#mobile")
    def mobile_changed(self) -> None:
        self.set_error("mobile", None)

    @on(Input.Changed, "#email")
    def email_changed(self) -> None:
        self.set_error("email", None)

    # -- saving --------------------------------------------------------------

    def value(self, field: str) -> str:
        return self.query_one(f"#{field}", Input).value.strip()

    def collect(self) -> dict[str, Any] | None:
        """The contact as the API takes it, or None after showing what is wrong."""
        self.clear_errors()
        first_bad: str | None = None
        mobile_text = self.value("mobile")
        mobile = ""
        try:
            mobile = normalize_number(mobile_text, self.phone_region)
        except InvalidNumber as exc:
            reason = "a mobile number is required" if exc.reason == "empty" else f"not a phone number: {exc.reason}"
            self.set_error("mobile", reason)
            first_bad = first_bad or "mobile"
        email = self.value("email")
        problem = check_email(email)
        if problem:
            self.set_error("email", problem)
            first_bad = first_bad or "email"
        try:
            attributes = self.query_one(AttributeEditor).values()
        except ValueError as exc:
            self.set_error("attributes", f"an attribute name can be used once: {exc}")
            first_bad = first_bad or "attributes"
            attributes = {}
        if first_bad:
            if first_bad in ("mobile", "email"):
                self.query_one(f"#{first_bad}", Input).focus()
            return None
        fields: dict[str, Any] = {
            "firstName": self.value("first-name"),
            "lastName": self.value("last-name"),
            "email": email,
            "mobile": {"number": mobile},
            "tags": self.query_one(TagEditor).tags,
            "attributes": attributes,
        }
        if self.contact is None:  # a new contact: leave out what is empty
            fields = {k: v for k, v in fields.items() if v not in ("", [], {})}
        return fields

    def action_save(self) -> None:
        if self.saving:
            return
        fields = self.collect()
        if fields is not None:
            self.save(fields)

    @work(exclusive=True, group="contact-form")
    async def save(self, fields: dict[str, Any]) -> None:
        self.saving = True
        self.set_status("Saving…")
        try:
            client = await self.app.connected_client()
            if self.contact is None:
                owner = await self.owner_of(fields["mobile"]["number"])
                if owner is not None:
                    name = one_line(owner.display_name) or owner.id or ""
                    self.set_error("mobile", f"CONT-004: {format_number(fields['mobile']['number'], self.phone_region)} "
                                             f"already belongs to {name}. Edit that contact, or use another number.")  # fmt: skip
                    self.query_one("#mobile", Input).focus()
                    return
                created = await client.contacts.create(fields)
                saved = created[0] if isinstance(created, list) and created else None
                if saved is None:
                    self.set_error(None, "The server answered without the contact; reload the list to check.")
                    return
            else:
                saved = await client.contacts.update(self.contact.id or "", fields)
        except ApiError as exc:
            field = FIELD_OF_CODE.get(exc.code or "")
            if field and exc.status < 500 and not isinstance(exc, RateLimited):
                self.set_error(field, str(exc))
                self.query_one(f"#{field}", Input).focus()
            else:
                self.set_error(None, error_text(exc))
            return
        except SakariError as exc:
            self.set_error(None, error_text(exc))
            return
        finally:
            self.saving = False
            self.set_status("")
        self.dismiss(saved)

    async def owner_of(self, mobile: str) -> Contact | None:
        """The contact that has ``mobile`` already, if any (the API filter matches digits)."""
        digits = re.sub(r"\D", "", mobile)
        page = await (await self.app.connected_client()).contacts.fetch_all(0, 10, mobile=digits)
        return next((c for c in page.items if c.mobile and c.mobile.number == mobile), None)

    @on(Input.Submitted, "#first-name, #last-name, #mobile, #email")
    def submitted(self) -> None:
        self.action_save()

    @on(TagChips.Changed)
    def tags_changed(self) -> None:
        self.set_error("tags", None)
