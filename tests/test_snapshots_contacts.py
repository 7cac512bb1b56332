"""SVG snapshots of the Contacts screen, its form and its detail, at 80x24 and 120x40, over the
seeded sandbox with time frozen.

Update after an intended change of the look with
``pytest tests/test_snapshots_contacts.py --snapshot-update`` and review the SVGs in
``tests/__snapshots__/`` before committing them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import QUIET, finish, make_app, make_sandbox, still_cursors, wait_for
from textual.widgets import Input, Static

from sakari_tui.app import SakariApp
from sakari_tui.core.connection import Link
from sakari_tui.screens.contact_form import ContactForm
from sakari_tui.screens.contacts import ContactsScreen
from sakari_tui.screens.conversations import ConversationsScreen
from sakari_tui.textual_private import notifications

SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])


pytestmark = pytest.mark.usefixtures("frozen_time")


def contacts_app(tmp_path: Path) -> SakariApp:
    return make_app(tmp_path / "data", make_sandbox(), **QUIET)


async def contacts_loaded(pilot, row: int = 0) -> ContactsScreen:
    """The Contacts screen with its first page, ``row`` highlighted and its messages fetched."""
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, ConversationsScreen), what="the inbox")
    await pilot.press("2")
    screen = app.screen
    assert isinstance(screen, ContactsScreen)
    listing = screen.listing
    await wait_for(pilot, lambda: listing.highlighted is not None, what="the first page")
    listing.select_index(row)
    contact = listing.highlighted
    messages = screen.detail.query_one("#detail-messages", Static)
    await wait_for(pilot, lambda: contact.id in screen._messages, what="the contact's messages")
    await wait_for(pilot, lambda: "Loading" not in str(messages.render()), what="the messages shown")
    await wait_for(pilot, lambda: app.connection.link is Link.ONLINE, what="online")
    still_cursors(app)
    await pilot.pause()
    assert not notifications(app), [n.message for n in notifications(app)]
    return screen


def talker_row(app: SakariApp) -> int:
    """The row of the contact of the newest conversation: one with recent messages."""
    sandbox = app.sandbox
    contact_id = sandbox.conversations()[0]["contact"]["id"]
    return list(sandbox.store.contacts).index(contact_id)


@SIZES
def test_contacts_list(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    async def loaded(pilot) -> None:
        screen = await contacts_loaded(pilot)
        await pilot.press("space", "space")  # two selected
        await wait_for(pilot, lambda: screen.listing.selection.count(64) == 2, what="two selected")
        await wait_for(pilot, lambda: screen.current.id in screen._messages, what="messages")
        await pilot.pause()

    assert snap_compare(contacts_app(tmp_path), terminal_size=size, run_before=loaded)


@SIZES
def test_contact_detail(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    app = contacts_app(tmp_path)

    async def detail(pilot) -> None:
        screen = await contacts_loaded(pilot, talker_row(app))
        if size[0] < 100:
            await pilot.press("enter")  # narrow: the detail takes the screen
            assert screen.has_class("-detail")
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=detail)


@SIZES
def test_contact_form(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    async def form(pilot) -> None:
        await contacts_loaded(pilot, 1)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, ContactForm), what="the form")
        form = pilot.app.screen
        form.query_one("#mobile", Input).value = "12345"
        await pilot.press("f2")  # an invalid number: the reason next to the field
        await wait_for(pilot, lambda: form.field_message("mobile"), what="the mobile's error")
        still_cursors(pilot.app)
        await pilot.pause()

    assert snap_compare(contacts_app(tmp_path), terminal_size=size, run_before=form)


IMPORT_CSV = """Phone,Mobile,Given name,Surname,Notes,Internal id
(312) 555-0101,(312) 555-0171,Robin,Okafor,prefers mornings,X-1
,(312) 555-0172,Mo,Reyes,,X-2
(312) 555-0103,(312) 555-0173,Lin,Wen,rye; sourdough,X-3
"""


@SIZES
def test_csv_import_mapping(
    snap_compare, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]
) -> None:
    """The import dialog with the columns to map: two go to mobile (the error under them), one
    set to ignore by keys (dimmed in the preview)."""
    (tmp_path / "people.csv").write_text(IMPORT_CSV, encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # a relative path: the same on every machine

    async def mapping(pilot) -> None:
        from sakari_tui.screens.csv_import import CsvImportScreen

        await contacts_loaded(pilot)
        await pilot.press("i")
        dialog = pilot.app.screen
        assert isinstance(dialog, CsvImportScreen)
        dialog.query_one("#csv-path", Input).value = "people.csv"
        await pilot.press("enter")
        await finish(pilot, "csv-read")
        assert dialog.state == "ready"
        await pilot.press(*["tab"] * 5, "enter", "i", "enter")  # Internal id: ignore
        await wait_for(pilot, lambda: dialog.mapping[5] == "ignore", what="the column ignored")
        still_cursors(pilot.app)
        await pilot.pause()

    assert snap_compare(contacts_app(tmp_path), terminal_size=size, run_before=mapping)
