"""Attachments: checked before upload, uploaded with tools.shareFile, sent as MMS or as a link."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from conftest import finish, wait_for

from sakari_tui.screens.attach import (
    MAX_ATTACHMENT_BYTES,
    AttachmentProblem,
    AttachScreen,
    check_attachment,
)
from sakari_tui.widgets.composer import Composer
from sakari_tui.widgets.conversation_list import ConversationList
from sakari_tui.widgets.path_input import PathInput, PathSuggester
from sakari_tui.widgets.thread import MessageThread

PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000") + b"\x00" * 64


def test_check_attachment(tmp_path: Path) -> None:
    photo = tmp_path / "photo.png"
    photo.write_bytes(PNG)
    assert check_attachment(photo) == ("image/png", len(PNG))
    big = tmp_path / "big.jpg"
    big.write_bytes(b"\xff" * (MAX_ATTACHMENT_BYTES + 1))
    with pytest.raises(AttachmentProblem, match="too big"):
        check_attachment(big)
    binary = tmp_path / "tool.exe"
    binary.write_bytes(b"MZ")
    with pytest.raises(AttachmentProblem, match="cannot be sent"):
        check_attachment(binary)
    with pytest.raises(AttachmentProblem, match="No such file"):
        check_attachment(tmp_path / "missing.png")
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    with pytest.raises(AttachmentProblem, match="empty"):
        check_attachment(empty)


async def test_path_suggestions_complete_from_the_filesystem(tmp_path: Path) -> None:
    (tmp_path / "invoices").mkdir()
    (tmp_path / "invoice-42.pdf").write_bytes(b"%PDF")
    suggester = PathSuggester()
    assert await suggester.get_suggestion(str(tmp_path / "invoice-")) == str(tmp_path / "invoice-42.pdf")
    assert await suggester.get_suggestion(str(tmp_path / "invoices")) is None  # complete already
    assert await suggester.get_suggestion(str(tmp_path / "nothing-like-it")) is None


async def open_attach(pilot) -> AttachScreen:
    listing = pilot.app.screen.query_one(ConversationList)
    await wait_for(pilot, lambda: listing.rows and pilot.app.screen.open_id, what="inbox")
    await pilot.press("ctrl+f")
    assert isinstance(pilot.app.screen, AttachScreen)
    return pilot.app.screen


async def test_attach_and_send_as_mms(app, sandbox, tmp_path: Path) -> None:
    photo = tmp_path / "cake.png"
    photo.write_bytes(PNG)
    async with app.run_test(size=(120, 40)) as pilot:
        modal = await open_attach(pilot)
        conversation_id = app.screen_stack[-2].open_id
        modal.query_one(PathInput).value = str(photo)
        await pilot.press("enter")
        await finish(pilot, "upload")
        assert not isinstance(app.screen, AttachScreen)
        line = app.screen.query_one("#attachment-line")
        assert line.display and "cake.png" in str(line.render())
        assert isinstance(app.focused, Composer)
        for ch in "Your cake":
            await pilot.press("space" if ch == " " else ch)
        await pilot.press("enter")
        sent = await wait_for(
            pilot,
            lambda: [m for m in sandbox.messages(conversation_id=conversation_id) if m["message"] == "Your cake"],
            what="the MMS on the server",
        )
        assert len(sent) == 1 and sent[0].get("type") == "MMS"
        link = sent[0]["media"][0]["url"]
        download = await httpx.AsyncClient(transport=httpx.ASGITransport(app=sandbox.app)).get(link)
        assert download.content == PNG
        assert not app.screen.query_one("#attachment-line").display

        thread = app.screen.query_one(MessageThread)
        await wait_for(
            pilot,
            lambda: any(b.media for b in thread.bubbles if b.text == "Your cake" and not b.local),
            what="media shown",
        )
        thread.focus()
        thread.cursor = next(i for i, b in enumerate(thread.bubbles) if b.text == "Your cake" and b.media)
        await pilot.press("l")
        assert app.clipboard == link


async def test_attach_as_a_link_in_the_text(app, sandbox, tmp_path: Path) -> None:
    menu = tmp_path / "menu.pdf"
    menu.write_bytes(b"%PDF-1.4 menu")
    async with app.run_test(size=(120, 40)) as pilot:
        modal = await open_attach(pilot)
        modal.query_one("#mode-link").value = True
        modal.query_one(PathInput).value = str(menu)
        await pilot.press("enter")
        await finish(pilot, "upload")
        assert not isinstance(app.screen, AttachScreen)
        text = app.screen.query_one(Composer).text
        assert text.startswith("http") and "/files/" in text
        assert not app.screen.query_one("#attachment-line").display


async def test_a_refused_file_is_explained_and_nothing_uploaded(app, sandbox, tmp_path: Path) -> None:
    binary = tmp_path / "setup.exe"
    binary.write_bytes(b"MZ...")
    async with app.run_test(size=(120, 40)) as pilot:
        modal = await open_attach(pilot)
        before = len(sandbox.requests)
        modal.query_one(PathInput).value = str(binary)
        await pilot.press("enter")
        assert "cannot be sent" in str(modal.query_one("#attach-error").render())
        assert not any(path.endswith("/sharefile") for _, path in sandbox.requests[before:])


def test_incoming_media_is_labelled_with_name_and_type() -> None:
    from sakari_tui.api import MediaItem
    from sakari_tui.screens.conversations import media_label

    assert media_label(MediaItem(url="https://x.example/f/9/cake.png", type="image/png")) == "cake.png (image/png)"
    assert media_label(MediaItem(filename="menu.pdf", url="https://x.example/s/abc")) == "menu.pdf"
    assert media_label(MediaItem()) == "attachment"
