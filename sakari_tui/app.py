"""The Textual app: the profiles' sessions (client, store, outbox, sync) and the screens.

Screens are modes: Conversations (home), Contacts, Campaigns, Templates,
switched with 1-4 or the command palette. The app owns what every screen
shares: the session of the profile on screen (its API client, local store,
outbox and sync), the connection state shown in the status line, and the one
handler that turns a failed worker into a message.

Every other complete profile of the config file has a session too, opened after the
first frame and polled slowly in the background (``core/sessions.py``); switching
profile (P, or the palette) rebuilds the screens on the chosen session.
"""

from __future__ import annotations

import asyncio
import importlib
import time
from contextlib import suppress
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import events
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.geometry import Size
from textual.reactive import reactive
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from sakari_tui.api.redaction import Secret
from sakari_tui.config import Config, ConfigError, Profile, default_config_path
from sakari_tui.core import heap
from sakari_tui.core.connection import ConnectionState, ConnectionTracker
from sakari_tui.core.outbox import Outbox
from sakari_tui.core.sessions import BackgroundPoll, ProfileSession
from sakari_tui.core.store import OutboxItem, Store, StoreDamaged, StoreError, move_aside, suspect_marker
from sakari_tui.core.sync import InboxSync
from sakari_tui.screens.base import SakariScreen
from sakari_tui.styles import style
from sakari_tui.textual_private import ReportingApp, mark_styled, write_to_terminal

if TYPE_CHECKING:
    from collections.abc import Iterable

    import httpx
    from rich.console import RenderableType

    from sakari_tui.api import SakariClient

# mode name -> (key, label, palette help, "module:Class"). Screens are imported when first
# shown, which keeps start-up light.
SCREENS_BY_KEY = {
    "conversations": ("1", "Inbox", "Conversations: the inbox of SMS threads", "conversations:ConversationsScreen"),
    "contacts": ("2", "Contacts", "Contacts: the address book", "contacts:ContactsScreen"),
    "campaigns": ("3", "Campaigns", "Campaigns: bulk messages to filtered contacts", "campaigns:CampaignsScreen"),
    "templates": ("4", "Templates", "Templates: reusable message texts", "templates:TemplatesScreen"),
    "webhooks": ("5", "Webhooks", "Webhooks: event subscriptions", "webhooks:WebhooksScreen"),
    "console": ("6", "API console", "API console: call any operation", "console:ConsoleScreen"),
}


def _screen_factory(target: str):
    module_name, class_name = target.split(":")

    def make() -> Screen:
        module = importlib.import_module(f"sakari_tui.screens.{module_name}")
        screen = getattr(module, class_name)()
        # Spares the restyling of every stylesheet when its mode is first shown: about a
        # tenth of start-up (textual_private.mark_styled).
        mark_styled(screen)
        return screen

    return make


# A blank mode shown for the moment the screens of one profile make way for another's.
SWITCHING_MODE = "switching-profile"

# Seconds between showing the cached inbox and connecting to the API.
CONNECT_DELAY = 0.1
# How long App.switch_mode holds a new mode's frames back (App.delay_update's default).
MODE_SWITCH_BATCH = 0.05


class SakariApp(ReportingApp[None]):
    TITLE = "Sakari"
    # The home screen's styles; other screens bring their own when first shown.
    CSS_PATH = [style("base"), style("conversations")]
    # The palette also calls any operation of the API console (its module loads on first use).
    COMMANDS = App.COMMANDS | {lambda: importlib.import_module("sakari_tui.screens.console").ConsoleCommands}
    MODES = {name: _screen_factory(target) for name, (_, _, _, target) in SCREENS_BY_KEY.items()}
    BINDINGS = [
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True),
        Binding("f1,question_mark", "help", "Keys", id="app.help"),
        Binding("P", "profiles", "Profiles", id="app.profiles", show=False),
        *(
            Binding(key, f"switch_mode('{name}')", label, id=f"app.{name}", show=False)
            for name, (key, label, _, _) in SCREENS_BY_KEY.items()
        ),
    ]

    connection: reactive[ConnectionState] = reactive(ConnectionState, init=False)
    unread_total: reactive[int] = reactive(0, init=False)
    # The other profiles with unread messages: (name, count), for the status line.
    others_unread: reactive[tuple[tuple[str, int], ...]] = reactive((), init=False)
    # The history fill of the search index (screens/search.py), while and after it runs.
    fill_progress: reactive[Any] = reactive(None, init=False)

    def __init__(
        self,
        profile: Profile,
        *,
        data_dir: Path,
        config: Config | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        sandbox: Any = None,
        warnings: Iterable[str] = (),
    ) -> None:
        super().__init__()
        # Shown once the app is on screen (the config file's permissions, say).
        self.startup_warnings = [*warnings, *(config.warnings if config else ())]
        self.profile = profile
        self.config = config
        self.data_dir = data_dir
        self._transport = transport
        # In demo mode the app owns an in-process sandbox and runs its simulation on this loop.
        self.sandbox = sandbox
        # The session on screen, made by start_session (every screen that uses it is shown
        # after), and every session opened, by profile name.
        self.session: ProfileSession | None = None
        self.sessions: dict[str, ProfileSession] = {}
        self._background: dict[str, BackgroundPoll] = {}
        # The unread count of each profile in the background when it was last told (first
        # count: not told, it is what the profile had before this run).
        self._background_told: dict[str, int] = {}
        # Profiles that could not be opened (a failing secret command, a damaged store): why.
        self.profile_problems: dict[str, str] = {}
        self._others_opened = False
        self._checked: set[ProfileSession] = set()  # sessions whose store was read whole once
        self._switching = False
        # Until a session exists: what screens would wait on and report to.
        self._no_session_connected = asyncio.Event()
        self._no_session_tracker = ConnectionTracker(self._connection_changed)
        self.terminal_focused = True
        self._title_shown: str | None = None  # the terminal title last written, once a session runs
        self._last_input = time.monotonic()
        self._store_dialog_open = False
        if config and config.keys:
            self.set_keymap(config.keys)

    # -- session -------------------------------------------------------------

    async def on_mount(self) -> None:
        self.theme = "textual-dark"
        # Once the first screen is up: a notice raised before it would not be shown on it.
        self.call_after_refresh(self._show_startup_warnings)
        if self.sandbox is not None:
            await self.sandbox.start()
        if not self.profile.is_complete:
            from sakari_tui.screens.setup import SetupScreen

            heap.resume()  # off for start-up (see _settle); the setup form has no hurry

            config = self.config or Config(path=default_config_path())
            self.push_screen(SetupScreen(config, self.profile, transport=self._transport), self._setup_done)
            return
        # Not awaited here: Textual mounts the app inside a batch update and drops every frame
        # painted before the batch ends, so an inbox shown from this handler would reach the
        # terminal only at the next repaint (after the work that follows the first frame).
        # Started next, the inbox's first frame is the one the terminal gets.
        self.call_later(self.start_session)

    def _show_startup_warnings(self) -> None:
        for warning in self.startup_warnings:
            self.notify(warning, title="Warning", severity="warning", timeout=30, markup=False)

    async def _setup_done(self, profile: Profile | None) -> None:
        if profile is not None:
            self.profile = profile
            await self.start_session()

    # -- the session on screen: what the screens use --------------------------

    def _current(self) -> ProfileSession:
        if self.session is None:
            raise AttributeError("no session yet: the profile is not set up or not opened")
        return self.session

    @property
    def store(self) -> Store:
        return self._current().store

    @property
    def outbox(self) -> Outbox:
        return self._current().outbox

    @property
    def sync(self) -> InboxSync:
        return self._current().sync

    @property
    def connected(self) -> asyncio.Event:
        """Set once the API client exists: the inbox paints from the cache before that."""
        return self.session.connected if self.session is not None else self._no_session_connected

    @property
    def tracker(self) -> ConnectionTracker:
        return self.session.tracker if self.session is not None else self._no_session_tracker

    @property
    def _client(self) -> SakariClient | None:
        """The client of the session on screen, if made yet."""
        session = self.session
        return session.client if session is not None and session.has_client else None

    @property
    def client(self) -> SakariClient:
        """The API client, made on first use (or a moment after the first frame)."""
        if self.session is None:
            from sakari_tui.api import SakariError

            raise SakariError("Not connected: the profile is not set up yet")
        return self.session.client

    async def connected_client(self) -> SakariClient:
        """The API client, once connected (the app connects just after its first frame)."""
        await self.connected.wait()
        return self.client

    async def start_session(self) -> None:
        """Open the local store and paint the inbox from it; make the API client right
        after the first frame, so nothing the network needs delays the first paint.
        A damaged store asks first whether to move it aside."""
        try:
            secret = self.profile.resolve_secret()
        except ConfigError as exc:
            self.exit(return_code=2, message=error_line(str(exc)))
            return
        try:
            store = Store.for_profile(self.data_dir, self.profile.name)
            if suspect_marker(store.path).exists():
                # Damage ended the last run: check the whole file before anything reads it.
                problem = store.check()
                if problem is not None:
                    store.close()
                    raise StoreDamaged(Path(store.path), problem)
                suspect_marker(store.path).unlink(missing_ok=True)
        except StoreDamaged as exc:
            self.store_damaged(exc, secret)
            return
        except StoreError as exc:
            self.exit(return_code=1, message=error_line(str(exc)))
            return
        await self._open_session(store, secret)

    async def _open_session(self, store: Store, secret: Secret) -> None:
        session = self._new_session(self.profile, store, secret)
        self._use_session(session)
        if store.was_empty:
            self.notify(
                f"The local store {store.path} was empty (0 bytes) and starts afresh: any replies"
                " waiting to be sent and drafts it held are lost. The cache refills from the server.",
                title="Local store", severity="warning", timeout=30, markup=False,
            )  # fmt: skip
        recovered = self.store.recover_interrupted_sends()
        await self.switch_mode("conversations")
        self.check_size()
        self._start_title()
        # Textual paints a mode's first screen inside a batch (switch_mode's delay_update)
        # that ends after MODE_SWITCH_BATCH; that frame is dropped, and what follows repaints
        # only what changed since. So once the batch is over the whole screen is repainted,
        # and what follows the first paint waits for that frame (an App timer: it comes after
        # the batch's own, which is also the App's).
        self.set_timer(MODE_SWITCH_BATCH, self._repaint_after_switch)
        if recovered:
            self.notify(
                f"{recovered} message(s) were being sent when the app stopped; checking whether they arrived.",
                markup=False,
            )

    def _repaint_after_switch(self) -> None:
        if not self.screen_stack:  # quit (or exited on a damaged store) before the batch ended
            return
        self.screen.refresh()
        self.call_after_refresh(self._after_first_frame)

    def _after_first_frame(self) -> None:
        """The inbox is on the terminal: read the rest of the cache, and a moment later make
        the client (importing httpx and building its SSL context take longer than painting
        the cached inbox does)."""
        if not self.screen_stack:
            return
        screen = self.screen
        if isinstance(screen, SakariScreen):
            screen.after_first_frame()
        self.set_timer(CONNECT_DELAY, self._settle)

    def _settle(self) -> None:
        """After the first frame: make the client, then settle the heap and turn the garbage
        collector back on (``sakari_tui.core.heap``: the command line turned it off). Then
        the other profiles are opened, once; after a profile switch, the heap is settled
        with the old screens let go."""
        session = self.session
        if session is None:
            return
        self.client  # noqa: B018 - made now rather than at the first request
        if not self._others_opened:
            heap.startup_done()
            self._others_opened = True
            self._open_other_profiles()
        else:
            heap.settle(thaw=True)
        if session not in self._checked:
            self._checked.add(session)
            self.run_worker(self._check_store, thread=True, group="store-check", exit_on_error=False)

    def _check_store(self) -> None:
        """Read every page of the store once per start, off the UI thread: damage that the
        first screen did not touch is found now rather than in the middle of a reply."""
        store = self.store
        problem = store.check()
        if problem is not None and self.store is store:
            self.call_from_thread(self.store_damaged, StoreDamaged(Path(store.path), problem))

    # -- a damaged store -----------------------------------------------------

    def store_damaged(self, error: StoreDamaged, secret: Secret | None = None) -> None:
        """Ask whether to move the damaged file aside (keeping what can be read of the outbox
        and drafts) or quit. ``secret`` is given when the session has not started yet."""
        if self._store_dialog_open:
            return
        from sakari_tui.screens.store_damaged import StoreDamagedScreen

        self._store_dialog_open = True
        self.push_screen(StoreDamagedScreen(error), partial(self._store_damaged_answer, error, secret))

    async def _store_damaged_answer(self, error: StoreDamaged, secret: Secret | None, move: bool | None) -> None:
        self._store_dialog_open = False
        if not move:
            self.exit(return_code=1, message=error_line(f"{error}; it was left as it is"))
            return
        old = self.session.store if self.session is not None else None  # none yet when found at start
        if old is not None and Path(old.path) == error.path:
            with suppress(Exception):
                old.close()
        try:
            store, moved = move_aside(error.path)
        except (OSError, StoreError) as exc:
            self.exit(return_code=1, message=error_line(f"{error}; moving it aside failed: {exc}"))
            return
        self.notify(
            f"The damaged store was moved to {moved.moved_to}. A fresh one took its place, with "
            f"{moved.outbox} unsent repl{'y' if moved.outbox == 1 else 'ies'} and "
            f"{moved.drafts} draft{'' if moved.drafts == 1 else 's'} saved from it.",
            title="Local store", timeout=30, markup=False,
        )  # fmt: skip
        if old is None and secret is not None:
            await self._open_session(store, secret)
            return
        self._current().replace_store(store)

    def settle_heap(self, *, thaw: bool = False) -> None:
        """Keep the garbage collector's full passes short all day (``heap.settle``): screens
        call this once they hold something big and long-lived, or have let it go (``thaw``)."""
        heap.settle(thaw=thaw)

    async def on_unmount(self) -> None:
        self._end_title()
        for poll in self._background.values():
            poll.stop()
        for session in self.sessions.values():
            with suppress(Exception):  # one that will not close must not keep the others open
                await session.aclose()
        if self.sandbox is not None:
            await self.sandbox.stop()

    # -- several profiles ------------------------------------------------------

    def _new_session(self, profile: Profile, store: Store, secret: Secret) -> ProfileSession:
        session = ProfileSession(
            profile, store, secret, transport=self._transport, on_connection=self._session_connection_changed
        )
        self.sessions[profile.name] = session
        return session

    def _use_session(self, session: ProfileSession) -> None:
        """Make ``session`` the one the screens use (its screens are built after this)."""
        self.session = session
        self.profile = session.profile
        self.sub_title = f"{self.profile.name} · {self.profile.account_id}"
        self.connection = session.tracker.state
        self._show_others()

    def _session_connection_changed(self, session: ProfileSession, state: ConnectionState) -> None:
        if session is self.session:
            self.connection = state

    def other_profiles(self) -> list[Profile]:
        """The config file's profiles other than the one on screen, by name."""
        if self.config is None:
            return []
        current = self.profile.name
        return [p for name, p in sorted(self.config.profiles.items()) if name != current]

    def _open_other_profiles(self) -> None:
        """Open every other complete profile and poll it in the background. Each is opened
        on its own, in a thread (a secret command may take a while): one that fails is
        named in a notice and the others go on."""
        for profile in self.other_profiles():
            if profile.is_complete and profile.name not in self.sessions:
                self.run_worker(
                    partial(self._open_profile_in_thread, profile),
                    thread=True,
                    group=f"open-profile:{profile.name}",
                    exit_on_error=False,
                )

    def _open_profile_in_thread(self, profile: Profile) -> None:
        opened = self._open_profile(profile)
        if isinstance(opened, str):
            self.call_from_thread(self._profile_failed, profile.name, opened)
        else:
            self.call_from_thread(self._opened_in_background, profile, *opened)

    def _open_profile(self, profile: Profile) -> tuple[Store, Secret] | str:
        """The profile's store and secret, or why it cannot be opened (never the secret)."""
        try:
            secret = profile.resolve_secret()
        except ConfigError as exc:
            return str(exc).removeprefix(f"profile {profile.name!r}: ")  # the notice names it
        try:
            store = Store.for_profile(self.data_dir, profile.name)
            if suspect_marker(store.path).exists() and (problem := store.check()) is not None:
                store.close()
                raise StoreDamaged(Path(store.path), problem)
        except StoreDamaged as exc:
            return f"{exc}; start sakari-tui --profile {profile.name} to move it aside"
        except StoreError as exc:
            return str(exc)
        return store, secret

    def _opened_in_background(self, profile: Profile, store: Store, secret: Secret) -> None:
        if profile.name in self.sessions or not self.is_running:
            store.close()
            return
        session = self._new_session(profile, store, secret)
        try:
            session.store.recover_interrupted_sends()
        except StoreError as exc:
            self._profile_failed(profile.name, str(exc))
            return
        self._poll_in_background(session)

    def _profile_failed(self, name: str, reason: str) -> None:
        """A profile that cannot be used: say so once, keep the reason for when it is chosen."""
        self.profile_problems[name] = reason
        session = self.sessions.pop(name, None)
        poll = self._background.pop(name, None)
        if poll is not None:
            poll.stop()
        if session is not None:
            with suppress(Exception):
                session.store.close()
        self._show_others()
        self.notify(
            f"Profile {name} is not available: {reason}. The other profiles keep working.",
            title="Profiles", severity="error", timeout=30, markup=False,
        )  # fmt: skip

    def _poll_in_background(self, session: ProfileSession) -> None:
        poll = BackgroundPoll(session, on_unread=self._background_unread, on_not_sent=self._not_sent_elsewhere)
        self._background[session.name] = poll
        self.run_worker(self._run_background(poll), group=f"background:{session.name}", exit_on_error=False)

    def _background_unread(self, session: ProfileSession) -> None:
        """A profile in the background has a new unread count: the status line shows it, and a
        rise (a customer wrote in there) is told as the inbox tells its own: a notice, and the
        bell and desktop notification when that profile asks for them."""
        self._show_others()
        before = self._background_told.get(session.name)
        self._background_told[session.name] = session.unread
        if before is None or session.unread <= before or session is self.session:
            return
        profile = session.profile
        self.notify(
            f"{session.unread} unread in {profile.name}. P switches profile.",
            title=f"New message in {profile.name}", timeout=8, markup=False,
        )  # fmt: skip
        if profile.bell:
            self.bell()
        self.notify_desktop("Sakari", f"{session.unread} unread in {profile.name}", profile)

    def _not_sent_elsewhere(self, session: ProfileSession, item: OutboxItem) -> None:
        self.notify(
            f"Profile {session.name}: a reply was not sent: {item.error}. It waits in that profile's "
            "thread to be retried (R) or discarded (D).",
            title="Not sent", severity="error", timeout=30, markup=False,
        )  # fmt: skip

    async def _run_background(self, poll: BackgroundPoll) -> None:
        try:
            await poll.run()
        except (StoreDamaged, StoreError) as exc:
            if self._background.get(poll.session.name) is poll:
                self._profile_failed(poll.session.name, str(exc))
        self._show_others()

    def _show_others(self) -> None:
        """The unread counts of the profiles in the background, for the status line."""
        current = self.session
        self.others_unread = tuple(
            (name, session.unread)
            for name, session in sorted(self.sessions.items())
            if session is not current and session.unread and name in self._background
        )

    async def switch_profile(self, name: str) -> None:
        """Show the profile ``name``: its screens, on its session. A profile not set up
        opens the setup form; one that cannot be opened says why."""
        if self._switching:
            return
        if self.session is not None and name == self.session.name:
            self.notify(f"Profile {name} is the one on screen.", timeout=3, markup=False)
            return
        profile = self.config.profiles.get(name) if self.config is not None else None
        if profile is None:
            self.notify(f"There is no profile {name!r} in the config file.", severity="warning", markup=False)
            return
        if not profile.is_complete:
            from sakari_tui.screens.setup import SetupScreen

            assert self.config is not None
            self.push_screen(
                SetupScreen(self.config, profile, transport=self._transport, cancellable=True),
                self._profile_set_up,
            )
            return
        session = self.sessions.get(name)
        if session is None:
            if name in self.profile_problems:
                self.notify(
                    f"Profile {name} is not available: {self.profile_problems[name]}",
                    title="Profiles", severity="error", timeout=15, markup=False,
                )  # fmt: skip
                return
            opened = await asyncio.to_thread(self._open_profile, profile)
            if isinstance(opened, str):
                self._profile_failed(name, opened)
                return
            session = self._new_session(profile, *opened)
            session.store.recover_interrupted_sends()
        await self._show_session(session)

    async def _profile_set_up(self, profile: Profile | None) -> None:
        if profile is not None:
            self.profile_problems.pop(profile.name, None)
            await self.switch_profile(profile.name)

    async def _show_session(self, session: ProfileSession) -> None:
        """Rebuild the screens on ``session``; the one they leave goes on in the background."""
        self._switching = True
        try:
            poll = self._background.pop(session.name, None)
            if poll is not None:
                poll.stop()  # it ends at its next wait; the inbox's own polling takes over
            old = self.session
            # The old screens go first, with their workers, so nothing of theirs runs on the
            # new session: a blank mode is shown while every mode is removed and added again.
            if SWITCHING_MODE not in self._modes:
                self.add_mode(SWITCHING_MODE, Screen)
            await self.switch_mode(SWITCHING_MODE)
            for name, (_, _, _, target) in SCREENS_BY_KEY.items():
                await self.remove_mode(name)
                self.add_mode(name, _screen_factory(target))
            # Reading the history into the search index is the old profile's; it carries on
            # where it stopped when started again on that profile (ctrl+r in the search).
            for worker in self.workers:
                if worker.group == "history-fill":
                    worker.cancel()
            self.fill_progress = None
            if old is not None:
                old.unread = self.unread_total  # what its inbox counted last
                self._poll_in_background(old)
            self._use_session(session)
            self.unread_total = session.count_unread()
            await self.switch_mode("conversations")
            await self.remove_mode(SWITCHING_MODE)
        finally:
            self._switching = False
        self.check_size()
        self._show_title()
        self.set_timer(MODE_SWITCH_BATCH, self._repaint_after_switch)

    def profile_state(self, profile: Profile) -> tuple[str, int]:
        """How a profile stands, for the picker and the palette: a few words, and its
        unread count when it is polled."""
        name = profile.name
        session = self.sessions.get(name)
        if session is not None and session is self.session:
            return "on screen", self.unread_total
        if not profile.is_complete:
            return "not set up: choose it to set it up", 0
        if name in self.profile_problems:
            return f"not available: {self.profile_problems[name]}", 0
        if session is None:
            return "opening", 0
        return str(session.tracker.state.describe()), session.unread

    def _key_for(self, binding_id: str, screen: Screen) -> str:
        for active in screen.active_bindings.values():
            if active.binding.id == binding_id:
                return self.get_key_display(active.binding)
        return "?"

    def _profile_summary(self, profile: Profile) -> str:
        state, unread = self.profile_state(profile)
        return f"{profile.account_id or 'no account'} · {state}" + (f" · {unread} unread" if unread else "")

    def action_profiles(self) -> None:
        from sakari_tui.screens.profiles import ProfilesScreen

        if isinstance(self.screen, ProfilesScreen):
            return
        self.push_screen(ProfilesScreen(), self._profile_chosen)

    async def _profile_chosen(self, name: str | None) -> None:
        if name is not None:
            await self.switch_profile(name)

    # -- state for the status line and the pollers ---------------------------

    def _connection_changed(self, state: ConnectionState) -> None:
        self.connection = state

    def on_app_focus(self, event: events.AppFocus) -> None:
        self.terminal_focused = True

    def on_app_blur(self, event: events.AppBlur) -> None:
        self.terminal_focused = False

    def on_key(self, event: events.Key) -> None:
        self._last_input = time.monotonic()

    def on_resize(self, event: events.Resize) -> None:
        self.check_size(event.size)

    def check_size(self, size: Size | None = None) -> None:
        """Below the smallest size the screens hold at, say so instead of clipping them."""
        from sakari_tui.screens.too_small import TooSmallScreen, too_small

        if not self.screen_stack:
            return
        width, height = size or self.size
        covered = isinstance(self.screen, TooSmallScreen)
        if too_small(width, height) and not covered:
            self.push_screen(TooSmallScreen())
        elif covered and not too_small(width, height):
            self.pop_screen()

    def idle_for(self) -> float:
        """Seconds since the agent last pressed a key."""
        return time.monotonic() - self._last_input

    # -- notices outside the app: the terminal's title, desktop notifications -----

    def write_terminal(self, sequence: str) -> None:
        """Send an escape sequence to the terminal (nothing when headless)."""
        if sequence:
            write_to_terminal(self, sequence)

    def _start_title(self) -> None:
        from sakari_tui.core.terminal_notices import PUSH_TITLE

        self.write_terminal(PUSH_TITLE)
        self._title_shown = ""
        self._show_title()

    def _end_title(self) -> None:
        from sakari_tui.core.terminal_notices import POP_TITLE

        if self._title_shown is not None:
            self.write_terminal(POP_TITLE)

    def _show_title(self) -> None:
        """The unread count in the terminal's title; written only when it changes."""
        import os

        from sakari_tui.core.terminal_notices import title_sequence, tmux_window_name_sequence, window_title

        if self._title_shown is None:
            return  # no session yet
        elsewhere = sum(count for _, count in self.others_unread)
        title = window_title(self.unread_total, self.profile.name, elsewhere=elsewhere)
        if title != self._title_shown:
            self._title_shown = title
            self.write_terminal(title_sequence(title) + tmux_window_name_sequence(title, os.environ))

    def watch_unread_total(self) -> None:
        self._show_title()

    def watch_others_unread(self) -> None:
        self._show_title()

    def notify_desktop(self, title: str, body: str, profile: Profile | None = None) -> None:
        """A desktop notification through the terminal, when the profile (the one on screen,
        unless named) asks for them."""
        kind = (profile or self.profile).notify
        if kind == "off":
            return
        import os

        from sakari_tui.core.terminal_notices import for_tmux, notification_sequence

        self.write_terminal(for_tmux(notification_sequence(kind, title, body), os.environ))

    # -- actions -------------------------------------------------------------

    def action_help(self) -> None:
        from sakari_tui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(self.screen))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        for name, (key, label, help_text, _) in SCREENS_BY_KEY.items():
            yield SystemCommand(f"Go to {label}", f"{help_text} (key {key})", lambda n=name: self.switch_mode(n))
        yield SystemCommand("Keys", "Show the keys of this screen (F1)", self.action_help)
        for profile in self.other_profiles():
            yield SystemCommand(
                f"Switch to profile {profile.name}",
                f"{self._profile_summary(profile)} (key {self._key_for('app.profiles', screen)}: every profile)",
                lambda n=profile.name: self.switch_profile(n),
            )
        if self.session is not None and self.session.store.search is not None:
            from sakari_tui.screens.search import start_history_fill

            yield SystemCommand(
                "Index all history for search",
                "Read every message of the account into the search index (resumable; ctrl+r in the search)",
                lambda: start_history_fill(self),
            )
        # Every action of the current screen, by its binding's description.
        seen = set()
        for active in screen.active_bindings.values():
            binding = active.binding
            if not binding.description or binding.id in seen or binding.id is None or binding.id.startswith("app."):
                continue
            seen.add(binding.id)
            key = self.get_key_display(binding)
            yield SystemCommand(
                binding.description,
                f"key {key}",
                lambda action=binding.action, node=active.node: self.run_action(action, node),
            )

    # -- errors --------------------------------------------------------------

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        self.report_worker_state(event)

    def report_worker_state(self, event: Worker.StateChanged) -> None:
        """The one place where a failed worker becomes a message to the user."""
        if event.state is not WorkerState.ERROR:
            return
        error = event.worker.error
        if isinstance(error, StoreDamaged):
            self.store_damaged(error)
            return
        from sakari_tui.api import SakariError

        if isinstance(error, SakariError):
            self.notify(str(error), title="Sakari", severity="error", markup=False)
        else:
            self.notify(f"{type(error).__name__}: {error}", title="Unexpected error", severity="error", markup=False)

    # An error no handler caught ends the app. Textual's own report prints a traceback with
    # every local variable of every frame, where a token or a customer's message could be:
    # this one names the places, never the values. A damaged store is one line.
    def exit_report(self, error: Exception) -> RenderableType | None:
        if isinstance(error, StoreDamaged):
            with suppress(OSError):
                suspect_marker(error.path).touch()
            return error_line(f"{error}; start sakari-tui again to move it aside")
        if hasattr(error, "__rich__"):
            return None  # it renders itself: Textual shows it as it is
        import rich
        from rich.segment import Segments
        from rich.traceback import Traceback

        self.bell()
        traceback = Traceback(show_locals=False, width=None, suppress=[rich])
        return Segments(self.console.render(traceback, self.console.options))  # at the app's width


def error_line(message: str) -> Text:
    """A message for the terminal after the app has gone: one line, never markup."""
    return Text(f"sakari-tui: error: {message}")
