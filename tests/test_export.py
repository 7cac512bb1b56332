"""Hand a conversation on: the thread as text or JSON, from the inbox (clipboard or file)
and from the command line; checked against the sandbox's own copy of the thread."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from conftest import wait_for
from test_commands import base_url, cli, env, home, sandbox  # noqa: F401 - fixtures
from test_inbox import open_first

from sakari_tui.core.export import Thread, as_json, as_text
from sakari_tui.screens.export import ExportScreen

HOSTILE = "Refund?\x1b]52;c;ZXZpbA==\x07 now\x1b[2J\nsecond line"


def thread() -> Thread:
    conversation = {"id": "c1", "closed": False,
                    "contact": {"firstName": "Ada", "lastName": "Lovelace", "mobile": {"number": "+14155550123"}}}  # fmt: skip
    messages = [
        {"id": "m1", "message": HOSTILE, "outgoing": False, "created": {"at": "2026-12-01T09:00:00Z"}},
        {"id": "m2", "message": "Done, refunded.", "outgoing": True, "status": "Delivered",
         "created": {"at": "2026-12-01T09:05:00Z"},
         "media": [{"url": "https://files.example/receipt.pdf", "filename": "receipt.pdf"}]},
    ]  # fmt: skip
    return Thread(conversation, messages)


def test_text_reads_as_a_ticket_and_obeys_no_escape() -> None:
    text = as_text(thread(), tz=timezone.utc, exported=datetime(2026, 12, 2, 8, 0, tzinfo=timezone.utc))
    assert text == (
        "Conversation with Ada Lovelace (+14155550123)\n"
        "2 messages · open · id c1\n"
        "Exported 2026-12-02 08:00 UTC\n"
        "\n"
        "[2026-12-01 09:00 UTC] Ada Lovelace:\n"
        "    Refund? now\n"
        "    second line\n"
        "[2026-12-01 09:05 UTC] Agent (delivered): Done, refunded.\n"
        "    attachment: receipt.pdf https://files.example/receipt.pdf\n"
    )


def test_json_keeps_the_api_objects_and_the_text_as_sent() -> None:
    document = as_json(thread())
    assert "\x1b" not in document and "\x07" not in document  # escaped by JSON, never raw
    parsed = json.loads(document)
    assert parsed["conversation"]["id"] == "c1"
    assert [m["id"] for m in parsed["messages"]] == ["m1", "m2"]
    assert parsed["messages"][0]["message"] == HOSTILE


async def press_button(pilot, button_id: str) -> None:
    button = pilot.app.screen.query_one(f"#{button_id}")
    # A button ignores a second press while it still shows the first (0.2 s).
    await wait_for(pilot, lambda: not button.has_class("-active"), what="button ready")
    button.focus()
    await pilot.press("enter")


async def test_export_to_the_clipboard_and_to_a_file_from_the_inbox(app, sandbox, tmp_path: Path) -> None:  # noqa: F811
    async with app.run_test(size=(120, 40)) as pilot:
        conversation_id = await open_first(pilot)
        on_server = sandbox.messages(conversation_id=conversation_id)  # newest first

        await pilot.press("e")
        assert isinstance(app.screen, ExportScreen)
        await press_button(pilot, "copy")
        await wait_for(pilot, lambda: not isinstance(app.screen, ExportScreen), what="export done")
        copied = app.clipboard
        assert copied.startswith("Conversation with ")
        assert f"{len(on_server)} messages" in copied
        positions = [copied.index(m["message"].split("\n")[0][:30]) for m in reversed(on_server) if m["message"]]
        assert positions == sorted(positions)  # every message, oldest first

        await pilot.press("e")
        await pilot.click("#format-json")
        path = app.screen.query_one("#export-path")
        assert path.value.endswith(".json")
        target = tmp_path / "out" / "thread.json"
        path.value = str(target)
        await press_button(pilot, "save")
        await wait_for(pilot, lambda: target.exists(), what="file written")
        written = json.loads(target.read_text())
        assert [m["id"] for m in written["messages"]] == [m["id"] for m in reversed(on_server)]
        assert written["conversation"]["id"] == conversation_id

        # An existing file is replaced only when Save is pressed a second time.
        target.write_text("keep me")
        await pilot.press("e")
        app.screen.query_one("#export-path").value = str(target)
        await press_button(pilot, "save")
        await wait_for(pilot, lambda: "exists" in str(app.screen.query_one("#export-status").render()), what="warning")
        assert target.read_text() == "keep me"
        await press_button(pilot, "save")
        await wait_for(pilot, lambda: target.read_text() != "keep me", what="replaced")


def test_conversations_export_on_the_command_line(sandbox, env, tmp_path: Path) -> None:  # noqa: F811
    conversation = sandbox.conversations()[0]
    on_server = sandbox.messages(conversation_id=conversation["id"])
    done = cli(env, "conversations", "export", conversation["id"])
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Conversation with ")
    assert f"{len(on_server)} messages" in done.stdout

    target = tmp_path / "thread.json"
    done = cli(env, "conversations", "export", conversation["id"], "--format", "json", "--output", str(target))
    assert done.returncode == 0, done.stderr
    assert [m["id"] for m in json.loads(target.read_text())["messages"]] == [m["id"] for m in reversed(on_server)]
    again = cli(env, "conversations", "export", conversation["id"], "--output", str(target))
    assert again.returncode == 2 and "--force" in again.stderr
    unknown = cli(env, "conversations", "export", "no-such-conversation")
    assert unknown.returncode == 1 and unknown.stderr.startswith("sakari-tui: error: ")
    # The listing without a subcommand works as before.
    listing = cli(env, "conversations", "--json", "--limit", "1")
    assert listing.returncode == 0 and json.loads(listing.stdout)["id"]


def test_index_then_search_on_the_command_line(sandbox, env) -> None:  # noqa: F811
    everything = sandbox.messages()
    target = next(m for m in everything if len(m["message"].split()) >= 3)
    words = " ".join(target["message"].split()[:3])

    missing = cli(env, "conversations", "search", "anything")
    assert missing.returncode == 2 and "conversations index" in missing.stderr

    done = cli(env, "conversations", "index")
    assert done.returncode == 0, done.stderr
    assert f"{len(everything):,} messages read" in done.stderr
    found = cli(env, "conversations", "search", *words.split(), "--json", "--limit", "100")
    assert found.returncode == 0, found.stderr
    hits = [json.loads(line) for line in found.stdout.splitlines()]
    assert target["id"] in [h["messageId"] for h in hits]
    table = cli(env, "conversations", "search", *words.split())
    assert table.stdout.startswith("WHEN") and target["conversation"]["id"] in table.stdout

    again = cli(env, "conversations", "index")  # everything read already: only catches up
    assert again.returncode == 0 and "0 new to the index" in again.stderr
