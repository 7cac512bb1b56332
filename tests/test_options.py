"""Option values and listening sockets shared by the command lines (sakari_tui.options)."""

from __future__ import annotations

import argparse

import pytest

from sakari_tui.options import CannotListen, listening_socket, port_number, whole_number


@pytest.mark.parametrize(("text", "value"), [("0", 0), ("7", 7), ("100000", 100000)])
def test_whole_numbers(text: str, value: int) -> None:
    assert whole_number(text) == value


@pytest.mark.parametrize(("text", "reason"), [("-1", "0 or more"), ("2.5", "not a whole number"), ("x", "not a whole")])
def test_not_whole_numbers(text: str, reason: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError, match=reason):
        whole_number(text)


@pytest.mark.parametrize("text", ["-1", "65536", "http", ""])
def test_not_ports(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        port_number(text)


def test_port_0_gets_a_free_port_and_a_taken_port_says_so() -> None:
    first = listening_socket("127.0.0.1", port_number("0"))
    try:
        port = first.getsockname()[1]
        assert port != 0
        with pytest.raises(CannotListen, match=f"cannot listen on 127.0.0.1:{port}"):
            listening_socket("127.0.0.1", port).close()
    finally:
        first.close()


def test_a_host_that_does_not_resolve_is_one_line() -> None:
    with pytest.raises(CannotListen, match=r"--host no-such-host\.invalid"):
        listening_socket("no-such-host.invalid", 0)
