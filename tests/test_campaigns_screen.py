"""The Campaigns screen: create, edit, delete and run, pressed as an operator presses them."""

from __future__ import annotations

import io

import pytest
from conftest import finish, wait_for
from rich.console import Console
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Input, Select, Static, TextArea

from sakari_tui.api import Contact, RetryPolicy
from sakari_tui.api import client as client_module
from sakari_tui.core.campaigns import CampaignFilters
from sakari_tui.screens.campaign_form import AttributeRow, CampaignForm
from sakari_tui.screens.campaign_run import CampaignRunScreen
from sakari_tui.screens.campaigns import CampaignsScreen
from sakari_tui.screens.conversations import ConversationsScreen
from sakari_tui.screens.dialogs import ConfirmScreen, TemplatePicker
from sakari_tui.textual_private import notifications

FAST_RETRY = RetryPolicy(max_attempts=3, base_delay=0.001, max_delay=2.0, max_total=1.0)


@pytest.fixture(autouse=True)
def fast_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(client_module, "RetryPolicy", lambda: FAST_RETRY)


async def type_text(pilot, text: str) -> None:
    for ch in text:
        await pilot.press({" ": "space"}.get(ch, ch))


def shown(widget: Static) -> str:
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(widget.content)
    return console.export_text().strip()


async def open_campaigns(pilot) -> CampaignsScreen:
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, ConversationsScreen), what="the inbox")
    await pilot.press("3")
    screen = pilot.app.screen
    assert isinstance(screen, CampaignsScreen)
    await wait_for(pilot, lambda: screen.loaded and screen.items, what="campaigns listed")
    return screen


async def highlight(pilot, screen: CampaignsScreen, name: str) -> None:
    row = next(i for i, c in enumerate(screen.items) if c.name == name)
    screen.table.focus()
    screen.table.move_cursor(row=row)
    await pilot.pause()
    assert screen.current is not None and screen.current.name == name


def by_name(sandbox, name: str) -> dict | None:
    return next((c for c in sandbox.campaigns() if c["name"] == name), None)


def form_error(app) -> str:
    return shown(app.screen.query_one("#form-error", Static))


async def choose(pilot, select: Select, value: str) -> None:
    """Open a Select with Enter and move to ``value`` with the arrow keys."""
    select.focus()
    await pilot.press("enter")
    values = [v for _, v in select._options]
    step = values.index(value) - values.index(select.value)
    await pilot.press(*(["down"] * step if step > 0 else ["up"] * -step), "enter")
    assert select.value == value


async def test_create_with_tags_and_attribute_rules(app, sandbox) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_campaigns(pilot)
        await pilot.press("n")
        form = app.screen
        assert isinstance(form, CampaignForm)
        await type_text(pilot, "Rye")
        await choose(pilot, form.query_one("#form-trigger", Select), "S")
        await pilot.press("tab")  # from the trigger straight to the text, past "Use a template"
        assert app.focused is form.query_one("#form-text", TextArea)
        await type_text(pilot, "Hi ")
        app.focused.insert("{{{firstName}}}")
        form.query_one("#form-tags", Input).focus()
        await type_text(pilot, "vip,")
        app.focused.insert_text_at_cursor("new")
        hint = form.query_one("#form-known-tags", Static)
        await wait_for(pilot, lambda: "On no contact: new" in shown(hint), what="the tags hint")
        assert "In use: catering, churn-risk, newsletter" in shown(hint)
        await pilot.press("f3")  # a rule row, its name focused
        await type_text(pilot, "city")
        row = form.query_one(AttributeRow)
        await choose(pilot, row.query_one(Select), "!=")
        row.query_one(".attribute-value", Input).focus()
        await type_text(pilot, "Reno")
        await pilot.press("f3", "f3")  # two more rows; the last one removed again, the other left empty
        await pilot.press("f4")
        assert len(form.query(AttributeRow)) == 2
        await pilot.press("f2")
        await finish(pilot, "save")
        assert app.screen is screen
        created = by_name(sandbox, "Rye")
        assert created["trigger"] == {"code": "S"}
        assert created["template"] == "Hi {{{firstName}}}"
        assert created["filters"] == {
            "tags": ["vip", "new"],
            "contacts": [],
            "attributes": [{"name": "city", "comparator": "!=", "value": "Reno"}],
        }
        await wait_for(pilot, lambda: screen.current and screen.current.name == "Rye", what="the new row highlighted")
        detail = shown(screen.query_one("#campaign-fields", Static))
        assert "Scheduled (S)" in detail and "vip, new" in detail and "city != Reno" in detail


async def test_edit_changes_trigger_rules_contacts_and_text(app, sandbox) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_campaigns(pilot)
        await highlight(pilot, screen, "Subscription check-in")
        campaign_id = screen.current.id
        await pilot.press("e")
        form = app.screen
        rows = list(form.query(AttributeRow))
        assert [r.values() for r in rows] == [("plan", "=", "Weekly bread")]
        await choose(pilot, form.query_one("#form-trigger", Select), "M")
        rows[0].query_one(".attribute-value", Input).focus()
        await pilot.press("f4")  # removes the focused rule
        await pilot.pause()
        assert not form.query(AttributeRow)
        # A contact added by picking it.
        await pilot.press("f6")
        await type_text(pilot, "Lucas")
        picker = app.screen
        await wait_for(pilot, lambda: picker.query_one("#contact-options").option_count == 1, what="Lucas")
        await pilot.press("enter")
        lucas = next(c for c in sandbox.contacts() if c["firstName"] == "Lucas")
        assert form.query_one("#form-contacts", Input).value == lucas["id"]
        # The text replaced by a template, placeholders kept for the server to fill.
        await pilot.press("ctrl+t")
        assert isinstance(app.screen, TemplatePicker)
        await wait_for(pilot, lambda: app.screen.query_one("#template-list").option_count, what="templates")
        await type_text(pilot, "Order")
        await pilot.press("enter")
        await pilot.press("f2")
        await finish(pilot, "save")
        assert app.screen is screen
        saved = next(c for c in sandbox.campaigns() if c["id"] == campaign_id)
        assert saved["trigger"] == {"code": "M"}
        assert saved["filters"] == {"tags": [], "contacts": [lucas["id"]], "attributes": []}
        assert saved["template"].startswith("Hi {{{firstName}}}, your order is ready")


async def test_delete_asks_first(app, sandbox) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_campaigns(pilot)
        await highlight(pilot, screen, "Wholesale price list upload")
        await pilot.press("d")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await wait_for(pilot, lambda: by_name(sandbox, "Wholesale price list upload") is None, what="the delete")
        await wait_for(pilot, lambda: len(screen.items) == 2, what="the row gone")


async def test_missing_name_unbalanced_braces_and_nameless_rules_are_refused(app, sandbox) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        await open_campaigns(pilot)
        before = sandbox.campaigns()
        await pilot.press("n")
        form = app.screen
        await pilot.press("f2")
        assert form_error(app) == "A name is required."
        await type_text(pilot, "X")
        form.query_one("#form-text", TextArea).load_text("Hi\n{{{firstName}} there")
        await pilot.press("f2")
        assert "braces that do not pair up at line 2, column 1" in form_error(app)
        form.query_one("#form-text", TextArea).load_text("Hi {{{firstName}}}")
        await pilot.press("f3")
        form.query_one(AttributeRow).query_one(".attribute-value", Input).value = "3"
        await pilot.press("f2")
        assert form_error(app) == "Attribute rule 1 needs the attribute's name."
        assert app.screen is form and sandbox.campaigns() == before


async def test_api_errors_keep_the_form_and_what_was_typed(app, sandbox) -> None:
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_campaigns(pilot)
        before = sandbox.campaigns()
        await pilot.press("n")
        form = app.screen
        await type_text(pilot, "Gone")
        form.query_one("#form-tags", Input).value = "vip"
        typed = form.values()
        for fault, code in (("rate_429", "RATE-001"), ("rate_5xx", "50")):
            setattr(sandbox.faults, fault, 1.0)
            await pilot.press("f2")
            await wait_for(pilot, lambda: "Not saved" in form_error(app), what=f"the {fault} message")
            assert code in form_error(app)
            assert app.screen is form and form.values() == typed
            setattr(sandbox.faults, fault, 0.0)
        assert sandbox.campaigns() == before
        await pilot.press("f2")
        await finish(pilot, "save")
        assert by_name(sandbox, "Gone")
        assert app.screen is screen
        # An edit of a campaign removed meanwhile: 404, the form and its change kept.
        await highlight(pilot, screen, "Gone")
        await pilot.press("e")
        form = app.screen
        await type_text(pilot, "!")
        await app.client.campaigns.remove(screen.current.id)
        await pilot.press("f2")
        await wait_for(pilot, lambda: "CAMP-001" in form_error(app), what="the 404 message")
        assert app.screen is form and form.values()[0] == "Gone!"
        await pilot.press("escape", "y")
        # A delete answered 503: said so, nothing removed.
        await wait_for(pilot, lambda: app.screen is screen, what="back to the list")
        await highlight(pilot, screen, "Weekend special")
        sandbox.faults.rate_5xx = 1.0
        await pilot.press("d", "y")
        await wait_for(pilot, lambda: any("not deleted" in n.message for n in notifications(app)), what="a message")
        sandbox.faults.rate_5xx = 0.0
        assert by_name(sandbox, "Weekend special") is not None


def selected_by_server_rules(sandbox, filters: CampaignFilters) -> tuple[set[str], set[str]]:
    """(sendable, blocked) contact ids, worked out from the sandbox's own records."""
    listed = set(filters.contacts)
    sendable, blocked = set(), set()
    for data in sandbox.contacts():
        contact = Contact.from_json(data)
        if contact.id in listed or filters.matches(contact):
            (blocked if contact.blocked else sendable).add(contact.id)
    return sendable, blocked


async def test_running_a_manual_campaign_sends_to_exactly_the_filtered_contacts(app, sandbox) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_campaigns(pilot)
        await highlight(pilot, screen, "Weekend special")
        filters = CampaignFilters.from_json(screen.current.filters)
        sendable, blocked = selected_by_server_rules(sandbox, filters)
        assert sendable and blocked  # the seed has an opted-out subscriber
        sent_before = {m["id"] for m in sandbox.messages()}
        await pilot.press("r")
        run = app.screen
        assert isinstance(run, CampaignRunScreen)
        await finish(pilot, "audience")
        assert run.audience is not None
        assert {c.id for c in run.audience.sendable} == sendable
        assert {c.id for c in run.audience.blocked} == blocked
        summary = shown(run.query_one("#run-summary", Static))
        total = len(sendable) + len(blocked)
        assert f"{total} recipients · {len(sendable)} will get it · 1 opted out" in summary
        # A 429 on the send: nothing went out, say so, and y tries again.
        sandbox.faults.rate_429 = 1.0
        await pilot.press("y")
        result = run.query_one("#run-result", Static)
        await wait_for(pilot, lambda: "Not sent" in shown(result), what="the 429 message")
        assert "RATE-001" in shown(result)
        sandbox.faults.rate_429 = 0.0
        assert {m["id"] for m in sandbox.messages()} == sent_before
        await pilot.press("y")
        await wait_for(pilot, lambda: run.result is not None, what="the send")
        new = [m for m in sandbox.messages() if m["id"] not in sent_before]
        assert sorted(m["contact"]["id"] for m in new) == sorted(sendable)
        assert all(m["outgoing"] for m in new)
        # Recorded before each try as this app's, so the inbox labels its messages "You".
        assert {template for template, _ in app.store.bulk_sends()} == {run.campaign.template}
        text = shown(result)
        assert f"Queued {len(sendable)} of {total}" in text and "refused 1" in text
        blocked_name = next(c.display_name for c in run.audience.blocked)
        assert blocked_name in text and "CONT-010" in text
        await pilot.press("escape")
        assert app.screen is screen


async def test_attribute_rules_and_listed_contacts_preview_what_the_server_sends(app, sandbox) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        lucas = next(c for c in sandbox.contacts() if c["firstName"] == "Lucas")
        fields = {
            "name": "Bread [b]people[/b] outside Denver",
            "template": "Hi {{{firstName}}}, fresh rye on Friday.",
            "trigger": {"code": "M"},
            "filters": {
                "tags": [],
                "contacts": [lucas["id"]],
                "attributes": [
                    {"name": "plan", "comparator": "=", "value": "weekly bread"},
                    {"name": "city", "comparator": "!=", "value": "Denver"},
                    {"name": "customerSince", "comparator": ">=", "value": "2025-01-01"},
                ],
            },
        }
        await app.client.campaigns.create(fields)
        screen = await open_campaigns(pilot)
        await highlight(pilot, screen, "Bread [b]people[/b] outside Denver")
        detail = shown(screen.query_one("#campaign-fields", Static))
        assert "plan = weekly bread" in detail and "customerSince >= 2025-01-01" in detail
        sendable, blocked = selected_by_server_rules(sandbox, CampaignFilters.from_json(fields["filters"]))
        sent_before = {m["id"] for m in sandbox.messages()}
        await pilot.press("r")
        run = app.screen
        await finish(pilot, "audience")
        assert run.audience is not None
        assert {c.id for c in run.audience.sendable} == sendable
        # A name from the server is shown as typed, never read as markup.
        title = Content.from_markup(run.query_one(VerticalScroll).border_title)
        assert "[b]people[/b]" in title.plain
        assert "[b]people[/b]" in shown(screen.query_one("#campaign-heading", Static))
        await pilot.press("y")
        await wait_for(pilot, lambda: run.result is not None, what="the send")
        new = [m for m in sandbox.messages() if m["id"] not in sent_before]
        assert {m["contact"]["id"] for m in new} == sendable
        assert len(new) == len(sendable)
        assert {f.contact.id for f in run.result.failures} == blocked
        # A scheduled campaign is not run from here.
        await pilot.press("escape")
        await highlight(pilot, screen, "Subscription check-in")
        await pilot.press("r")
        assert app.screen is screen
        assert any("only manual campaigns" in n.message for n in notifications(app))
