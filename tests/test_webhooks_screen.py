"""The webhooks screen: subscribe, list, unsubscribe, against the sandbox."""

from __future__ import annotations

from conftest import wait_for
from textual.widgets import DataTable, Input, SelectionList

from sakari_tui.screens.dialogs import ConfirmScreen
from sakari_tui.screens.webhooks import (
    SubscribeScreen,
    WebhooksScreen,
    check_webhook_url,
)

HOOK = "https://hooks.example.com/sakari?token=a b&x=%2F"


async def open_webhooks(pilot) -> WebhooksScreen:
    await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "ConversationsScreen", what="inbox")
    await pilot.press("5")
    screen = pilot.app.screen
    assert isinstance(screen, WebhooksScreen)
    title = screen.query_one(".list-title")
    await wait_for(pilot, lambda: "subscription" in str(title.render()), what="the list loaded")
    return screen


async def subscribe(pilot, url: str, events: list[str] | None = None) -> None:
    await pilot.press("a")
    modal = pilot.app.screen
    assert isinstance(modal, SubscribeScreen)
    modal.query_one("#webhook-url", Input).value = url
    if events is not None:
        choices = modal.query_one("#webhook-events", SelectionList)
        choices.deselect_all()
        for event in events:
            choices.select(event)
    modal.query_one("#webhook-url", Input).focus()
    await pilot.press("enter")


def test_url_checks() -> None:
    assert check_webhook_url("https://x.example/h") is None
    assert check_webhook_url("http://127.0.0.1:9000/") is None
    assert "https://" in check_webhook_url("ftp://x.example/")
    assert "host" in check_webhook_url("https:///path")
    assert check_webhook_url("not a url")


async def test_subscribe_list_and_unsubscribe(app, sandbox) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_webhooks(pilot)
        await subscribe(pilot, HOOK, ["message-received", "contact-opt-out"])
        await wait_for(
            pilot, lambda: any(w["url"] == HOOK for w in sandbox.webhooks()), what="subscription on the server"
        )
        stored = next(w for w in sandbox.webhooks() if w["url"] == HOOK)
        assert stored["eventTypes"] == ["message-received", "contact-opt-out"]
        table = screen.query_one(DataTable)
        await wait_for(pilot, lambda: table.row_count == len(sandbox.webhooks()), what="the list refreshed")

        await subscribe(pilot, "https://other.example/h")
        await wait_for(pilot, lambda: len(sandbox.webhooks()) == 2, what="second subscription")
        await wait_for(pilot, lambda: table.row_count == 2, what="two rows")

        table.focus()
        table.move_cursor(row=[w.url for w in screen.webhooks].index(HOOK))
        await pilot.press("d")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await wait_for(
            pilot,
            lambda: [w["url"] for w in sandbox.webhooks()] == ["https://other.example/h"],
            what="exactly that one removed",
        )


async def test_bad_url_and_api_errors_keep_the_form(app, sandbox) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        await open_webhooks(pilot)
        await subscribe(pilot, "hooks.example.com")
        modal = app.screen
        assert isinstance(modal, SubscribeScreen)
        assert "https://" in str(modal.query_one("#webhook-error").render())
        sandbox.faults.rate_429 = 1.0
        sandbox.faults.retry_after = 30
        modal.query_one("#webhook-url", Input).value = HOOK
        await pilot.press("enter")
        error = modal.query_one("#webhook-error")
        await wait_for(pilot, lambda: "Not subscribed" in str(error.render()), what="the API error")
        assert app.screen is modal and modal.query_one("#webhook-url", Input).value == HOOK
        assert sandbox.webhooks() == []
