"""Finding a send of unknown outcome: the text pattern, the time window, the paging."""

from __future__ import annotations

from datetime import datetime, timezone

from hypothesis import given
from hypothesis import strategies as st

from sakari_tui.api import Contact, Message, Mobile, Page, Stamp
from sakari_tui.core.reconcile import CLOCK_SKEW, Matcher, MessageLookup, Wanted, find_sent, text_pattern


def test_placeholders_in_every_spelling_match_any_value() -> None:
    pattern = text_pattern("Hi {{firstName}}, {{{ contact.lastName }}} owes {{ amount }}.")
    assert pattern.fullmatch("Hi Ana, Lee owes $5.")
    assert pattern.fullmatch("Hi ,  owes .")  # fields the contact lacks render empty
    assert not pattern.fullmatch("Hello Ana, Lee owes $5.")
    assert not pattern.fullmatch("Hi Ana, Lee owes $5")


def test_line_endings_and_surrounding_space_are_not_differences() -> None:
    assert text_pattern("  one\r\ntwo \n").fullmatch("one\ntwo")


@given(st.text(alphabet=st.characters(blacklist_characters="{}"), min_size=1))
def test_a_text_without_placeholders_matches_itself_and_nothing_longer(text: str) -> None:
    pattern = text_pattern(text)
    normalized = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    assert pattern.fullmatch(normalized)
    assert not pattern.fullmatch(normalized + "x")


def message(i: int, text: str, at: float, outgoing: bool = True, number: str = "+14155550100") -> Message:
    return Message(id=f"m{i}", text=text, outgoing=outgoing,
                   contact=Contact(id="c1", mobile=Mobile(number=number)),
                   created=Stamp(at=datetime.fromtimestamp(at, timezone.utc)))  # fmt: skip


def test_the_window_starts_at_the_first_attempt_less_the_clock_skew() -> None:
    matcher = Matcher(Wanted("ok", since=10_000.0, conversation_id="c"))
    assert matcher.matches(message(1, "ok", 10_000.0 - CLOCK_SKEW + 1))
    assert not matcher.matches(message(2, "ok", 10_000.0 - CLOCK_SKEW - 1))
    assert not matcher.matches(message(3, "ok", 10_001.0, outgoing=False))


def test_a_typed_number_matches_only_messages_to_that_number() -> None:
    matcher = Matcher(Wanted("ok", since=10_000.0, mobile="+14155550100"))
    assert matcher.matches(message(1, "ok", 10_001.0))
    assert not matcher.matches(message(2, "ok", 10_001.0, number="+14155550199"))


class Pages:
    """messages.fetchAll over a list, newest first; counts the pages asked for."""

    def __init__(self, newest_first: list[Message]) -> None:
        self.items = newest_first
        self.calls = 0
        self.messages = self

    async def fetch_all(self, offset: int = 0, limit: int = 10, **_: str) -> Page[Message]:
        self.calls += 1
        chunk = tuple(self.items[offset : offset + limit])
        return Page(chunk, offset, limit, len(self.items), offset + len(chunk) < len(self.items))


async def test_it_pages_back_past_any_window_until_older_than_the_first_attempt() -> None:
    since = 100_000.0
    # Ours, then 450 newer texts from the customer, then older history that must not be read.
    newer = [message(1000 + i, f"inbound {i}", since + 10 + i, outgoing=False) for i in range(450)]
    history = [message(i, "ok", since - CLOCK_SKEW - 100 - i) for i in range(500)]
    server = Pages([*reversed(newer), message(7, "ok", since + 1), *history])
    found = await find_sent(MessageLookup(server), Wanted("ok", since=since, conversation_id="c"))
    assert found is not None and found.id == "m7"
    assert server.calls == 5  # 451 messages of the window and the first older one: 5 pages of 100


async def test_claimed_and_owned_elsewhere_copies_are_not_ours() -> None:
    since = 100_000.0
    server = Pages([message(2, "ok", since + 2), message(1, "ok", since + 1)])
    lookup = MessageLookup(server)
    wanted = Wanted("ok", since=since, conversation_id="c")
    assert (await find_sent(lookup, wanted)).id == "m1"  # the oldest first
    assert (await find_sent(lookup, wanted, claimed={"m1"})).id == "m2"
    assert await find_sent(lookup, wanted, claimed={"m1"}, owned_elsewhere=1) is None
    assert await find_sent(lookup, wanted, claimed={"m1", "m2"}) is None
    assert server.calls == 1  # one walk back, kept for the pass
