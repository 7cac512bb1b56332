"""``sakari-tui config init | show | check``: write, inspect and test a profile."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from dataclasses import replace

from sakari_tui.api.redaction import Secret

from .common import (
    EXIT_API_ERROR,
    CommandError,
    UsageError,
    clean,
    command,
    info,
    load_config_and_profile,
    missing_fields,
    open_client,
    require_complete,
    run_async,
)

MASK = "********"


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "config",
        help="write, show or check a profile",
        description="Write a profile (init), show the profile in use with secrets masked (show), "
        "or check it against the API (check).",
    )
    sub = parser.add_subparsers(dest="config_command", metavar="{init,show,check}", required=True)

    init = command(sub, "init", run_init, help="write a profile, asking for its values")
    init.add_argument("--force", action="store_true", help="add to (or replace the profile in) an existing file")
    command(sub, "show", run_show, help="print the profile in use, secrets masked")
    command(sub, "check", run_check, help="check the profile against the API")


# -- init -------------------------------------------------------------------------------


class Prompter:
    """Questions on stderr, answers from stdin; without a terminal, lines are read as they
    come (so a script can pipe the answers in) and the secret too."""

    def __init__(self) -> None:
        self.interactive = sys.stdin.isatty()

    def ask(self, label: str, default: str | None = None, *, secret: bool = False) -> str:
        prompt = f"{label} [{default}]: " if default else f"{label}: "
        if secret and self.interactive:
            import getpass

            try:
                answer = getpass.getpass(prompt, stream=sys.stderr)
            except EOFError:
                raise UsageError("config init: the input ended before every value was given") from None
        else:
            sys.stderr.write(prompt)
            sys.stderr.flush()
            line = sys.stdin.readline()
            if not line:
                sys.stderr.write("\n")
                raise UsageError("config init: the input ended before every value was given")
            answer = line.rstrip("\r\n")
            if not self.interactive:
                sys.stderr.write("\n")  # the answer was not echoed: end the prompt's line
        answer = answer.strip()
        return answer or (default or "")

    def ask_until(
        self, label: str, check: Callable[[str], str | None], default: str | None = None, *, secret: bool = False
    ) -> str:
        while True:
            answer = self.ask(label, default, secret=secret)
            problem = check(answer)
            if problem is None:
                return answer
            print(f"  {problem}", file=sys.stderr)


def _required(what: str) -> Callable[[str], str | None]:
    return lambda value: None if value else f"{what} is needed"


def _check_url(value: str) -> str | None:
    if not value.startswith(("http://", "https://")):
        return "the API URL starts with https:// (or http:// for a local sandbox)"
    return None


def _check_region(value: str) -> str | None:
    import phonenumbers

    if value.upper() not in phonenumbers.SUPPORTED_REGIONS:
        return f"unknown region {value!r}: use a two-letter code such as US or GB"
    return None


def _check_name(value: str) -> str | None:
    if not value:
        return "a profile name is needed"
    if not all(ch.isalnum() or ch in "-_." for ch in value):
        return "use letters, digits, '-', '_' and '.' in a profile name"
    return None


def run_init(args: argparse.Namespace) -> int:
    """Ask for a profile's values and write the config file with mode 0600. The secret is read
    without echo. An existing file is left alone unless --force is given; then the profile is
    added or replaced and the other profiles are kept."""
    from sakari_tui.config import (
        DEFAULT_API_URL,
        DEFAULT_PROFILE,
        Config,
        Profile,
        config_path,
        load_config,
        save_config,
    )

    path = config_path(getattr(args, "config", None))
    if path.exists() and not args.force:
        raise UsageError(f"{path} exists; 'sakari-tui config init --force' adds the profile to it or replaces it")
    config = load_config(path) if path.exists() else Config(path=path)

    ask = Prompter()
    if ask.interactive:
        info(f"Writing a profile to {path}. Ctrl+C stops without writing.")
    default_name = getattr(args, "profile", None) or os.environ.get("SAKARI_PROFILE") or DEFAULT_PROFILE
    name = ask.ask_until("Profile name", _check_name, default_name)
    api_url = ask.ask_until("API URL", _check_url, DEFAULT_API_URL)
    client_id = ask.ask_until("Client id", _required("the client id"))
    secret = Secret(ask.ask("Client secret (hidden; leave empty to give a command that prints it)", secret=True))
    secret_command = None
    if not secret:
        secret_command = ask.ask_until(
            "Command that prints the secret (e.g. pass show sakari/work)", _required("a secret or a command")
        )
    account_id = ask.ask_until("Account id", _required("the account id"))
    region = ask.ask_until("Default region for numbers without +country", _check_region, "US").upper()

    old = config.profiles.get(name) or Profile(name=name)
    profile = replace(
        old, name=name, api_url=api_url, client_id=client_id, client_secret=secret or None,
        client_secret_command=secret_command, account_id=account_id, default_region=region,
    )  # fmt: skip
    config.profiles[name] = profile
    if len(config.profiles) == 1 or config.default_profile not in config.profiles:
        config.default_profile = name
    try:
        save_config(config)
    except OSError as exc:
        raise CommandError(f"could not write {path}: {exc.strerror or exc}") from None
    import shlex

    # The command that finds this file: with --config when it is not where it would be looked for.
    check = "sakari-tui config check"
    if getattr(args, "config", None):
        check += f" --config {shlex.quote(str(path))}"
    if name != config.default_profile:
        check += f" --profile {shlex.quote(name)}"
    print(f"wrote profile {name!r} to {path} (mode 0600); test it with: {check}", flush=True)
    return 0


# -- show -------------------------------------------------------------------------------


def run_show(args: argparse.Namespace) -> int:
    """Print the profile the other commands would use, after --profile and the SAKARI_*
    environment overrides, naming where each value comes from. The secret is masked and the
    secret command is not run."""
    from sakari_tui.config import ENV_CONFIG, ENV_OVERRIDES, ENV_PROFILE, default_data_dir
    from sakari_tui.core.paths import database_path

    config, profile = load_config_and_profile(args)
    env_of = {attr: var for var, attr in ENV_OVERRIDES.items() if os.environ.get(var)}
    in_file = profile.name in config.profiles

    if getattr(args, "config", None):
        file_source = "--config"
    elif os.environ.get(ENV_CONFIG):
        file_source = ENV_CONFIG
    else:
        file_source = "default"
    if getattr(args, "profile", None):
        profile_source = "--profile"
    elif os.environ.get(ENV_PROFILE):
        profile_source = ENV_PROFILE
    else:
        profile_source = "default_profile" if config.path.exists() else "default"

    def source(attr: str) -> str:
        if attr in env_of:
            return f"env {env_of[attr]}"
        if in_file and getattr(config.profiles[profile.name], attr) not in (None, ""):
            return "file"
        return "default" if getattr(profile, attr) not in (None, "") else ""

    rows: list[tuple[str, str, str]] = [
        ("config file", f"{config.path}{'' if config.path.exists() else ' (not found)'}", file_source),
        ("profile", profile.name + ("" if in_file else " (not in the file)"), profile_source),
        ("api_url", profile.api_url, source("api_url")),
        ("client_id", profile.client_id or "(not set)", source("client_id")),
        ("client_secret", MASK if profile.client_secret else "(not set)", source("client_secret")),
    ]
    if profile.client_secret_command:
        rows.append(
            (
                "client_secret_command",
                profile.client_secret_command + "   (not run here)",
                source("client_secret_command"),
            )
        )
    rows += [
        ("account_id", profile.account_id or "(not set)", source("account_id")),
        ("default_region", profile.default_region, source("default_region")),
        ("poll_conversations", f"{profile.poll_conversations:g} s", source("poll_conversations")),
        ("poll_thread", f"{profile.poll_thread:g} s", source("poll_thread")),
        ("read_after", f"{profile.read_after:g} s", source("read_after")),
        ("bell", str(profile.bell).lower(), source("bell")),
        ("local data", str(database_path(default_data_dir(), profile.name)), ""),
    ]
    width = max(len(label) for label, _, _ in rows)
    value_width = max(len(clean(value)) for _, value, _ in rows)
    for label, value, where in rows:
        line = f"{label.ljust(width)}  {clean(value).ljust(value_width)}"
        print(f"{line}  ({where})" if where else line.rstrip())
    missing = missing_fields(profile)
    if missing:
        print(f"incomplete: no {', '.join(missing)}")
    sys.stdout.flush()
    return 0


# -- check ------------------------------------------------------------------------------


def run_check(args: argparse.Namespace) -> int:
    """Resolve the profile (running client_secret_command if it has one), get a token and read
    one page of conversations. Prints OK, or the error with exit code 1 (2 when the profile
    itself is incomplete or the config is malformed)."""
    from sakari_tui.api import SakariError

    _, profile = load_config_and_profile(args)
    require_complete(profile)

    async def work() -> int:
        try:
            async with open_client(profile) as client:
                await client.authentication.auth_token()
                page = await client.conversations.fetch_all(limit=1)
        except SakariError as exc:
            raise CommandError(f"profile {profile.name!r} at {profile.api_url}: {exc}", EXIT_API_ERROR) from None
        total = f"{page.total_count} conversations" if page.total_count is not None else "conversations readable"
        print(
            f"OK: profile {profile.name!r}, account {profile.account_id} at {profile.api_url}: token received, {total}",
            flush=True,
        )
        return 0

    return run_async(work)
