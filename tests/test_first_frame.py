"""What the first frame of a screen holds, and what is not held back or rebuilt on the way.

The footer shows its keys in the frame in which its screen first appears (Textual's own
waits for the screen to announce its bindings, a frame later) and is not rebuilt while the
keys stay the same; the first screen of the app is not held back by ``switch_mode``'s
delay (later switches still are); the inbox's thread header stays blank, not "No
conversation open", while the highlighted conversation is about to open.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from conftest import make_app, wait_for
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer as TextualFooter
from textual.widgets import Input, Static

from sakari_tui.screens.conversations import ConversationsScreen
from sakari_tui.widgets.footer import Footer


class KeysScreen(Screen[None]):
    BINDINGS = [Binding("f2", "reply", "Reply"), Binding("f3", "new", "New")]

    def __init__(self, footer: type[TextualFooter]) -> None:
        super().__init__()
        self.footer_class = footer
        self.keys_at_mount: list[str] | None = None
        self.new_allowed = True

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return None if action == "new" and not self.new_allowed else True  # None: shown disabled

    def compose(self) -> ComposeResult:
        yield Input()
        yield self.footer_class()

    def on_mount(self) -> None:
        # Before any frame of this screen: what its first frame will show.
        self.keys_at_mount = [str(key.description) for key in self.query("FooterKey")]

    def action_reply(self) -> None:
        pass

    def action_new(self) -> None:
        pass


class KeysApp(App[None]):
    def __init__(self, footer: type[TextualFooter]) -> None:
        super().__init__()
        self.footer_class = footer

    def on_mount(self) -> None:
        self.push_screen(KeysScreen(self.footer_class))


@pytest.mark.parametrize("footer", [Footer, TextualFooter])
async def test_the_footer_has_its_keys_when_its_screen_mounts(footer: type[TextualFooter]) -> None:
    app = KeysApp(footer)
    async with app.run_test() as pilot:
        screen = await wait_for(pilot, lambda: isinstance(app.screen, KeysScreen) and app.screen, what="the screen")
        await wait_for(pilot, lambda: screen.query("FooterKey"), what="the keys")
        if footer is Footer:
            assert screen.keys_at_mount == ["Reply", "New", "palette"]
        else:  # the control: Textual's own shows them only after a frame
            assert screen.keys_at_mount == []


async def test_the_footer_is_rebuilt_only_when_its_keys_change() -> None:
    app = KeysApp(Footer)
    async with app.run_test() as pilot:
        screen = await wait_for(pilot, lambda: isinstance(app.screen, KeysScreen) and app.screen, what="the screen")
        await pilot.pause()
        footer = screen.query_one(Footer)
        keys = list(screen.query("FooterKey"))
        assert [str(k.description) for k in keys] == ["Reply", "New", "palette"]
        # Asked to rebuild (as Textual does after each announcement of the screen's bindings)
        # with the same keys: nothing is rebuilt.
        footer.call_later(footer.recompose)
        await pilot.pause()
        screen.set_focus(None)
        footer.call_later(footer.recompose)
        await pilot.pause()
        assert list(screen.query("FooterKey")) == keys
        # A key changed (shown disabled now): rebuilt, and shown so.
        screen.new_allowed = False
        screen.refresh_bindings()
        footer.call_later(footer.recompose)
        await pilot.pause()
        shown = list(screen.query("FooterKey"))
        assert [(str(k.description), k.has_class("-disabled")) for k in shown] == [
            ("Reply", False),
            ("New", True),
            ("palette", False),
        ]
        assert shown[0] is not keys[0]


async def test_the_first_screen_is_not_held_back_and_later_switches_are(
    app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    delays: list[float] = []
    delay_update = App.delay_update

    def recording(self: App[Any], delay: float = 0.05) -> None:
        delays.append(delay)
        delay_update(self, delay)

    monkeypatch.setattr(App, "delay_update", recording)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await wait_for(pilot, lambda: isinstance(app.screen, ConversationsScreen) and app.screen,
                                what="the inbox")  # fmt: skip
        await wait_for(pilot, lambda: screen.open_id is not None, what="a conversation open")
        assert delays == []  # the inbox's frames went out as they were made
        await pilot.press("4")
        await wait_for(pilot, lambda: app.current_mode == "templates", what="templates")
        assert delays == [0.05]  # a switch between screens is still masked


async def test_the_thread_header_is_blank_until_the_highlighted_conversation_opens(
    app: Any, tmp_path: Path, sandbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    headers: list[str] = []
    on_mount = ConversationsScreen.on_mount

    def mounted(self: ConversationsScreen) -> None:
        on_mount(self)
        headers.append(str(self.query_one("#thread-header", Static).render()))

    async with app.run_test(size=(120, 40)) as pilot:  # fills the cache
        await wait_for(pilot, lambda: isinstance(app.screen, ConversationsScreen) and app.screen.open_id,
                       what="a conversation open")  # fmt: skip
    monkeypatch.setattr(ConversationsScreen, "on_mount", mounted)
    app = make_app(tmp_path / "data", sandbox)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await wait_for(pilot, lambda: isinstance(app.screen, ConversationsScreen) and app.screen,
                                what="the inbox")  # fmt: skip
        await wait_for(pilot, lambda: screen.open_id is not None, what="a conversation open")
        header = str(screen.query_one("#thread-header", Static).render())
        assert headers == [""]
        assert header and "No conversation open" not in header
