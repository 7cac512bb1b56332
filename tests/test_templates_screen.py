"""The Templates screen, each action pressed as an operator presses it, checked on the sandbox."""

from __future__ import annotations

import io

import pytest
from conftest import finish, wait_for
from rich.console import Console
from textual.widgets import DataTable, Input, Select, Static, TextArea

from sakari_tui.api import RetryPolicy
from sakari_tui.api import client as client_module
from sakari_tui.screens.contact_picker import ContactPicker
from sakari_tui.screens.conversations import ConversationsScreen
from sakari_tui.screens.dialogs import ConfirmScreen, TemplatePicker
from sakari_tui.screens.help import HelpScreen
from sakari_tui.screens.template_form import TemplateForm
from sakari_tui.screens.templates import TemplatesScreen
from sakari_tui.textual_private import notifications
from sakari_tui.widgets.composer import Composer
from sakari_tui.widgets.conversation_list import ConversationList

# Retries of idempotent calls (PUT, DELETE) without the waits, so a fault costs no time.
FAST_RETRY = RetryPolicy(max_attempts=3, base_delay=0.001, max_delay=2.0, max_total=1.0)


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(client_module, "RetryPolicy", lambda: FAST_RETRY)


async def type_text(pilot, text: str) -> None:
    for ch in text:
        await pilot.press({" ": "space"}.get(ch, ch))


def shown(widget: Static) -> str:
    """What a Static shows, as plain text (its content may be a Rich renderable)."""
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(widget.content)
    return console.export_text().strip()


async def open_templates(pilot) -> TemplatesScreen:
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConversationsScreen), what="the inbox")
    await pilot.press("4")
    screen = pilot.app.screen
    assert isinstance(screen, TemplatesScreen)
    await wait_for(pilot, lambda: screen.loaded and screen.items, what="templates listed")
    return screen


async def highlight(pilot, screen: TemplatesScreen, name: str) -> None:
    row = next(i for i, t in enumerate(screen.items) if t.name == name)
    screen.table.focus()
    screen.table.move_cursor(row=row)
    await pilot.pause()
    assert screen.current is not None and screen.current.name == name


def form_error(app) -> str:
    return shown(app.screen.query_one("#form-error", Static))


def by_name(sandbox, name: str) -> dict | None:
    return next((t for t in sandbox.templates() if t["name"] == name), None)


async def test_create_a_web_template_from_the_keyboard(app, sandbox) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_templates(pilot)
        before = len(sandbox.templates())
        await pilot.press("n")
        assert isinstance(app.screen, TemplateForm)
        # One spelling of placeholders everywhere the app suggests one.
        hint = " ".join(str(label.render()) for label in app.screen.query(".hint"))
        assert "{{firstName}}" in hint and "{{{" not in hint
        await type_text(pilot, "Hols")
        await pilot.press("tab", "enter", "down", "enter")  # the type: SMS -> Web
        assert app.screen.query_one("#form-type", Select).value == "Web"
        await pilot.press("tab")
        assert isinstance(app.focused, TextArea)
        await type_text(pilot, "Hi {{{x}}}")
        app.focused.insert(", we close at 3pm on the 24th.")
        await pilot.press("f2")
        await finish(pilot, "save")
        assert app.screen is screen
        created = by_name(sandbox, "Hols")
        assert created == {**created, "type": "Web", "template": "Hi {{{x}}}, we close at 3pm on the 24th."}
        assert len(sandbox.templates()) == before + 1
        await wait_for(pilot, lambda: screen.current and screen.current.name == "Hols", what="the new row highlighted")


async def test_edit_renames_and_rewrites_on_the_server(app, sandbox) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_templates(pilot)
        await highlight(pilot, screen, "Driver running late")
        template_id = screen.current.id
        await pilot.press("e")
        form = app.screen
        assert isinstance(form, TemplateForm)
        assert form.query_one("#form-name", Input).value == "Driver running late"
        await pilot.press("end")
        await type_text(pilot, " 2")
        form.query_one("#form-text", TextArea).focus()
        await type_text(pilot, " Ok")
        await pilot.press("f2")
        await finish(pilot, "save")
        assert app.screen is screen
        saved = next(t for t in sandbox.templates() if t["id"] == template_id)
        assert saved["name"] == "Driver running late 2"
        assert saved["template"].endswith("Sorry for the wait! Ok")
        await wait_for(pilot, lambda: screen.current.name == "Driver running late 2", what="the list refreshed")


async def test_delete_asks_first(app, sandbox) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_templates(pilot)
        await highlight(pilot, screen, "Review request")
        await pilot.press("d")
        assert isinstance(app.screen, ConfirmScreen)
        assert "Review request" in shown(app.screen.query_one(Static))
        await pilot.press("n")  # changed my mind
        assert by_name(sandbox, "Review request") is not None
        await pilot.press("d")
        await pilot.press("y")
        await wait_for(pilot, lambda: by_name(sandbox, "Review request") is None, what="the delete")
        await wait_for(pilot, lambda: "Review request" not in [t.name for t in screen.items], what="the row gone")


async def test_the_buttons_do_what_their_keys_do(app, sandbox) -> None:
    """Clicked rather than keyed: the dialog's Cancel and Delete, the form's Cancel and Save."""
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_templates(pilot)
        await highlight(pilot, screen, "Review request")
        await pilot.press("d")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.click("#no")
        await wait_for(pilot, lambda: app.screen is screen, what="the dialog closed")
        assert by_name(sandbox, "Review request") is not None
        await pilot.press("d")
        await pilot.click("#yes")
        await wait_for(pilot, lambda: by_name(sandbox, "Review request") is None, what="the delete")

        await pilot.press("n")
        assert isinstance(app.screen, TemplateForm)
        await pilot.click("#cancel")  # nothing typed: closes without asking
        await wait_for(pilot, lambda: app.screen is screen, what="the form closed")
        before = len(sandbox.templates())
        await pilot.press("n")
        await type_text(pilot, "Clicked")
        app.screen.query_one("#form-text", TextArea).insert("Saved by a click")
        await pilot.click("#save")
        await wait_for(pilot, lambda: by_name(sandbox, "Clicked") is not None, what="the save")
        assert len(sandbox.templates()) == before + 1
        await wait_for(pilot, lambda: app.screen is screen, what="the form closed after saving")


async def test_missing_name_and_unbalanced_braces_are_refused(app, sandbox) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await open_templates(pilot)
        before = sandbox.templates()
        await pilot.press("n")
        form = app.screen
        form.query_one("#form-text", TextArea).focus()
        await type_text(pilot, "Hi {{x}")
        # Flagged as typed, with where.
        assert "line 1, column 4" in shown(form.query_one("#form-braces", Static))
        await pilot.press("f2")
        assert app.screen is form and form_error(app) == "A name is required."
        assert app.focused is form.query_one("#form-name", Input)
        await type_text(pilot, "Bro")
        await pilot.press("f2")
        assert app.screen is form
        assert "braces that do not pair up at line 1, column 4" in form_error(app)
        assert sandbox.templates() == before
        # Fixed, it saves.
        text = form.query_one("#form-text", TextArea)
        text.load_text("Hi {{x}}")
        await pilot.press("f2")
        await finish(pilot, "save")
        assert by_name(sandbox, "Bro")


async def test_api_errors_keep_the_form_and_what_was_typed(app, sandbox) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_templates(pilot)
        before = sandbox.templates()
        # Create, answered 429 then 503/502: a message, the form and its text kept, nothing stored.
        await pilot.press("n")
        form = app.screen
        await type_text(pilot, "Fee")
        form.query_one("#form-text", TextArea).load_text("Hi {{{firstName}}}, a late fee applies.")
        for fault, code in (("rate_429", "RATE-001"), ("rate_5xx", "50")):
            setattr(sandbox.faults, fault, 1.0)
            await pilot.press("f2")
            await wait_for(pilot, lambda: "Not saved" in form_error(app), what=f"the {fault} message")
            assert code in form_error(app) and "what you typed is kept" in form_error(app)
            assert app.screen is form
            assert form.values() == ("Fee", "SMS", "Hi {{{firstName}}}, a late fee applies.")
            setattr(sandbox.faults, fault, 0.0)
        assert sandbox.templates() == before
        await pilot.press("f2")  # the server is back: the same form saves
        await finish(pilot, "save")
        assert by_name(sandbox, "Fee")
        assert app.screen is screen

        # Edit, answered 5xx, then 404 because someone removed the template meanwhile.
        await highlight(pilot, screen, "Order ready")
        template_id = screen.current.id
        await pilot.press("e")
        form = app.screen
        await pilot.press("end")
        await type_text(pilot, "!")
        sandbox.faults.rate_5xx = 1.0
        await pilot.press("f2")
        await wait_for(pilot, lambda: "Not saved" in form_error(app), what="the 5xx message")
        sandbox.faults.rate_5xx = 0.0
        await app.client.templates.remove(template_id)
        await pilot.press("f2")
        await wait_for(pilot, lambda: "TMPL-001" in form_error(app), what="the 404 message")
        assert "Template not found" in form_error(app)
        assert app.screen is form and form.values()[0] == "Order ready!"

        # Delete, answered 429: said so, the row stays.
        await pilot.press("escape")  # the form has changes: asks first
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await wait_for(pilot, lambda: app.screen is screen, what="back to the list")
        await highlight(pilot, screen, "Review request")
        sandbox.faults.rate_429 = 1.0
        sandbox.faults.retry_after = 30  # longer than the client waits: it gives up at once
        await pilot.press("d", "y")
        await wait_for(pilot, lambda: notifications(app), what="a message")
        message = [n.message for n in notifications(app)][-1]
        assert "was not deleted" in message and "RATE-001" in message
        sandbox.faults.rate_429 = 0.0
        assert by_name(sandbox, "Review request") is not None
        assert "Review request" in [t.name for t in screen.items]


async def test_preview_fills_placeholders_for_a_chosen_contact_and_highlights_the_missing(app, sandbox) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await app.client.templates.create("Coupon", "Hi {{{firstName}}}, your {{ coupon }} code: {{{plan}}}")
        screen = await open_templates(pilot)
        await highlight(pilot, screen, "Coupon")
        preview = screen.query_one("#template-preview", Static)
        # No contact yet: every placeholder is shown as typed.
        assert preview.content.plain == "Hi {{{firstName}}}, your {{ coupon }} code: {{{plan}}}"
        await pilot.press("p")
        picker = app.screen
        assert isinstance(picker, ContactPicker)
        await type_text(pilot, "Lucas")
        options = picker.query_one("#contact-options")
        await wait_for(pilot, lambda: options.option_count == 1, what="Lucas found")
        await pilot.press("enter")
        assert app.screen is screen
        text = preview.content
        assert text.plain == "Hi Lucas, your {{ coupon }} code: Pastry box"
        styles = {text.plain[s.start : s.end]: str(s.style) for s in text.spans}
        assert styles["Lucas"] == "underline" and styles["Pastry box"] == "underline"
        assert "red" in styles["{{ coupon }}"] and "reverse" in styles["{{ coupon }}"]
        assert "Missing for this contact: coupon" in shown(screen.query_one("#template-notes", Static))
        assert "Lucas Silva" in shown(screen.query_one("#template-preview-for", Static))
        assert f"{len(text.plain)} chars" in shown(screen.query_one("#template-meter", Static))
        assert "Web" not in shown(screen.query_one("#template-heading", Static))
        assert "SMS" in shown(screen.query_one("#template-heading", Static))


async def test_insert_puts_the_template_in_the_inbox_reply(app, sandbox) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        listing = app.screen.query_one(ConversationList)
        inbox = app.screen
        await wait_for(pilot, lambda: listing.rows and inbox.open_id, what="a conversation open")
        first_name = listing.highlighted.name.split()[0]
        screen = await open_templates(pilot)
        await highlight(pilot, screen, "Order ready")
        await pilot.press("i")
        await wait_for(pilot, lambda: app.screen is inbox, what="back in the inbox")
        composer = inbox.query_one(Composer)
        assert composer.text.startswith(f"Hi {first_name}, your order is ready")
        assert app.focused is composer
        assert app.store.draft(inbox.open_id) == composer.text


async def test_filter_by_name_asks_the_server_and_pages(app, sandbox) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_templates(pilot)
        await pilot.press("slash")
        await type_text(pilot, "re")
        await wait_for(pilot, lambda: screen.name_filter == "re" and len(screen.items) < 6, what="filtered")
        names = {t["name"] for t in sandbox.templates() if "re" in t["name"].lower()}
        await wait_for(pilot, lambda: {t.name for t in screen.items} == names, what="the server's answer")
        await pilot.press("escape")  # clears the filter
        await wait_for(pilot, lambda: len(screen.items) == 6, what="all again")
        assert isinstance(app.focused, DataTable)
        screen.page_size = 4
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: len(screen.items) == 4, what="a page of four")
        await pilot.press("right_square_bracket")
        await wait_for(pilot, lambda: screen.page_offset == 4 and len(screen.items) == 2, what="the second page")
        assert "5–6 of 6" in shown(screen.query_one("#catalog-caption", Static))


async def test_keys_are_listed_with_ids_and_the_picker_reads_the_same_templates(app, sandbox, monkeypatch) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_templates(pilot)
        await pilot.press("f1")
        assert isinstance(app.screen, HelpScreen)
        ids = {active.binding.id for active in screen.active_bindings.values()}
        assert {
            "templates.new",
            "templates.edit",
            "templates.delete",
            "templates.insert",
            "templates.preview_contact",
        } <= ids
        await pilot.press("escape")
        # The inbox's picker goes through the same loader as this screen.
        from sakari_tui.core import template_library

        calls = []
        real = template_library.all_templates

        async def spy(client, **kwargs):
            calls.append(kwargs)
            return await real(client, **kwargs)

        monkeypatch.setattr("sakari_tui.screens.dialogs.all_templates", spy)
        await pilot.press("1", "ctrl+t")
        picker = app.screen
        assert isinstance(picker, TemplatePicker)
        options = picker.query_one("#template-list")
        await wait_for(pilot, lambda: options.option_count == len(sandbox.templates()), what="the picker's list")
        assert calls == [{}]
