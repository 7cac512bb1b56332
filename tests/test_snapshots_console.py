"""SVG snapshots of the API console at 80x24 and 120x40 (a form and its answer), and of the
spec preview, over the seeded sandbox with time and the call timer frozen.

Update after an intended change of the look with
``pytest tests/test_snapshots_console.py --snapshot-update`` and review the SVGs in
``tests/__snapshots__/`` before committing them.
"""

from __future__ import annotations

import itertools
from datetime import datetime
from pathlib import Path

import pytest
from conftest import QUIET, finish, make_app, make_sandbox, still_cursors, wait_for

from sakari_tui.app import SakariApp
from sakari_tui.core import console as console_core
from sakari_tui.core.connection import Link
from sakari_tui.screens.console import ConsoleScreen, FieldInput
from sakari_tui.screens.console_sources import SourceDialog
from sakari_tui.screens.conversations import ConversationsScreen
from sakari_tui.textual_private import notifications

SIZES = pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])

SPEC = """\
openapi: 3.0.3
info: {title: Pet Store, version: 1.2.0}
servers: [{url: "https://pets.example.test/v1", description: production}]
components:
  securitySchemes:
    bearer: {type: http, scheme: bearer}
security: [{bearer: []}]
paths:
  /pets:
    get:
      operationId: pets.list
      summary: List pets
      parameters:
        - {name: limit, in: query, schema: {type: integer}}
        - {name: kind, in: query, schema: {type: string, enum: [cat, dog]}}
    post:
      operationId: pets.create
      summary: Add a pet
      requestBody:
        content:
          application/json:
            schema: {type: object, properties: {name: {type: string}, kind: {type: string}}}
  /pets/{petId}:
    get:
      operationId: pets.fetch
      summary: One pet
      security: []
      parameters:
        - {name: petId, in: path, required: true, schema: {type: string}}
"""


@pytest.fixture(autouse=True)
def steady_clocks(frozen_time: datetime, monkeypatch: pytest.MonkeyPatch) -> datetime:
    """As the other snapshots, and every console call takes 12 ms."""
    ticks = itertools.count(0.0, 0.012)
    monkeypatch.setattr(console_core, "clock", lambda: next(ticks))
    return frozen_time


def console_app(tmp_path: Path) -> SakariApp:
    return make_app(tmp_path / "data", make_sandbox(), **QUIET)


async def console_shown(pilot) -> ConsoleScreen:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, ConversationsScreen), what="the inbox")
    await wait_for(pilot, lambda: app.connection.link is Link.ONLINE, what="online")
    await wait_for(pilot, lambda: app.sync._polled_once, what="the first poll")
    await pilot.press("6")
    await wait_for(pilot, lambda: isinstance(app.screen, ConsoleScreen), what="the console")
    return app.screen


@SIZES
def test_console_with_an_answer(snap_compare, tmp_path: Path, size: tuple[int, int]) -> None:
    async def answered(pilot) -> None:
        screen = await console_shown(pilot)
        screen.select_operation("sakari:contacts.fetchAll")
        await wait_for(
            pilot, lambda: screen.operation and screen.operation.name == "contacts.fetchAll", what="the form"
        )
        await pilot.pause()
        next(w for w in screen.query(FieldInput) if w.field.name == "limit").value = "2"
        await pilot.press("f5")
        await wait_for(pilot, lambda: "sakari:contacts.fetchAll" in screen.answers, what="the answer")
        screen.query_one("#operations").focus()
        still_cursors(pilot.app)
        await pilot.pause()
        assert not notifications(pilot.app), [n.message for n in notifications(pilot.app)]

    assert snap_compare(console_app(tmp_path), terminal_size=size, run_before=answered)


def test_console_body_editor(snap_compare, tmp_path: Path) -> None:
    async def editing(pilot) -> None:
        screen = await console_shown(pilot)
        screen.select_operation("sakari:templates.create")
        await wait_for(pilot, lambda: screen.query("#body-editor"), what="the body editor")
        screen.query_one("#body-editor").focus()
        still_cursors(pilot.app)
        await pilot.pause()

    assert snap_compare(console_app(tmp_path), terminal_size=(80, 24), run_before=editing)


def test_spec_preview(snap_compare, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pets.yaml").write_text(SPEC, encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # the path typed is shown: keep it the same everywhere

    async def previewed(pilot) -> None:
        await console_shown(pilot)
        await pilot.press("f2")
        await wait_for(pilot, lambda: isinstance(pilot.app.screen, SourceDialog), what="the dialog")
        dialog = pilot.app.screen
        await pilot.press(*"pets.yaml", "enter")
        await finish(pilot, "spec-preview")
        assert dialog.document is not None
        still_cursors(pilot.app)
        await pilot.pause()

    assert snap_compare(console_app(tmp_path), terminal_size=(80, 24), run_before=previewed)
