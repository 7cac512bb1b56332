"""Profiles in a TOML file, environment overrides and platformdirs paths.

The file lives in the user config dir (``sakari-tui/config.toml``) unless
``--config`` or ``SAKARI_TUI_CONFIG`` names another. It is read with tomllib
and written with tomli-w, mode 0600, because it may hold a client secret.

    default_profile = "work"

    [profiles.work]
    api_url = "https://api.sakari.io"
    client_id = "..."
    client_secret_command = "pass show sakari/work"   # or client_secret = "..."
    account_id = "..."
    default_region = "US"
    poll_conversations = 10
    poll_thread = 3
    poll_background = 60       # while another profile is on screen
    read_after = 3
    bell = false
    notify = "off"             # desktop notifications through the terminal: "osc777" or "osc9"

    [keys]                     # binding id -> keys, e.g. "app.quit" = "ctrl+q"
"""

from __future__ import annotations

import math
import os
import re
import stat
import subprocess
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import platformdirs

from sakari_tui.api.redaction import Secret

APP_NAME = "sakari-tui"
DEFAULT_API_URL = "https://api.sakari.io"
DEFAULT_PROFILE = "default"

ENV_CONFIG = "SAKARI_TUI_CONFIG"
ENV_PROFILE = "SAKARI_PROFILE"
# Environment variables that override a profile's fields.
ENV_OVERRIDES = {
    "SAKARI_CLIENT_ID": "client_id",
    "SAKARI_CLIENT_SECRET": "client_secret",
    "SAKARI_ACCOUNT_ID": "account_id",
    "SAKARI_API_URL": "api_url",
}

SECRET_COMMAND_TIMEOUT = 30.0
# Seconds between polls: faster than once a second floods the API (every poll is a
# request), slower than an hour is not a live inbox.
POLL_MIN = 1.0
POLL_MAX = 3600.0


class ConfigError(Exception):
    """A config problem, worded as one line a user can act on."""


@dataclass(frozen=True)
class Profile:
    """One Sakari account the app can talk to."""

    name: str = DEFAULT_PROFILE
    api_url: str = DEFAULT_API_URL
    client_id: str = ""
    # A Secret (a str given here becomes one): it masks itself in any repr, str or traceback.
    client_secret: Secret | None = field(default=None, repr=False)
    client_secret_command: str | None = None
    account_id: str = ""
    default_region: str = "US"
    poll_conversations: float = 10.0
    poll_thread: float = 3.0
    # Seconds between polls of the conversation list while another profile is on screen.
    poll_background: float = 60.0
    # Seconds a conversation stays in the thread pane before it counts as read (Enter reads at once).
    read_after: float = 3.0
    bell: bool = False  # ring the terminal bell when a customer writes in
    notify: str = "off"  # desktop notifications through the terminal: "off", "osc777" or "osc9"

    def __post_init__(self) -> None:
        if self.client_secret is not None and not isinstance(self.client_secret, Secret):
            object.__setattr__(self, "client_secret", Secret(self.client_secret))

    @property
    def is_complete(self) -> bool:
        has_secret = bool(self.client_secret or self.client_secret_command)
        return bool(self.api_url and self.client_id and self.account_id and has_secret)

    def resolve_secret(self) -> Secret:
        """The client secret, running ``client_secret_command`` when one is set."""
        if self.client_secret:
            return self.client_secret
        if not self.client_secret_command:
            raise ConfigError(f"profile {self.name!r} has no client_secret or client_secret_command")
        import shlex  # here, like tomli_w below: start-up only reads the file

        try:
            done = subprocess.run(
                shlex.split(self.client_secret_command),
                # Not the terminal's input: inside the app it holds the agent's keys, and for
                # `send --text -` the message. A password manager prompts on /dev/tty or its own window.
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=SECRET_COMMAND_TIMEOUT,
                check=False,
            )
        except (OSError, ValueError, subprocess.TimeoutExpired) as exc:
            raise ConfigError(f"profile {self.name!r}: client_secret_command failed: {type(exc).__name__}") from None
        secret = Secret(done.stdout.strip())
        done.stdout = ""  # the CompletedProcess's repr would show it
        if done.returncode != 0 or not secret:
            # The command's output is not shown: it may be the secret itself.
            raise ConfigError(
                f"profile {self.name!r}: client_secret_command exited {done.returncode} without printing a secret"
            )
        return secret

    def to_toml(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in fields(self):
            if f.name == "name":
                continue
            value = getattr(self, f.name)
            if isinstance(value, Secret):
                value = value.reveal()
            if value is not None and value != "":
                out[f.name] = value
        return out


# How desktop notifications reach the terminal (core/terminal_notices.py).
NOTIFY_CHOICES = ("off", "osc777", "osc9")

_PROFILE_TYPES: dict[str, tuple[type, ...]] = {
    "api_url": (str,),
    "client_id": (str,),
    "client_secret": (str,),
    "client_secret_command": (str,),
    "account_id": (str,),
    "default_region": (str,),
    "poll_conversations": (int, float),
    "poll_thread": (int, float),
    "poll_background": (int, float),
    "read_after": (int, float),
    "bell": (bool,),
    "notify": (str,),
}


@dataclass
class Config:
    """The whole file: profiles, which one is the default, and key overrides."""

    path: Path
    profiles: dict[str, Profile] = field(default_factory=dict)
    default_profile: str = DEFAULT_PROFILE
    keys: dict[str, str] = field(default_factory=dict)
    # Tables this version does not know (e.g. added by a newer one), kept on save.
    extra: dict[str, Any] = field(default_factory=dict)
    # What reading the file found to say, short of an error (old binding ids): the app shows it.
    warnings: list[str] = field(default_factory=list, compare=False)

    def to_toml(self) -> dict[str, Any]:
        doc: dict[str, Any] = dict(self.extra)
        doc["default_profile"] = self.default_profile
        doc["profiles"] = {name: p.to_toml() for name, p in self.profiles.items()}
        if self.keys:
            doc["keys"] = dict(self.keys)
        return doc


def default_config_path() -> Path:
    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "config.toml"


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def config_named_by(cli_path: str | os.PathLike[str] | None = None, env: Mapping[str, str] = os.environ) -> str | None:
    """What named the config file, ``--config`` or ``SAKARI_TUI_CONFIG``; None for the
    platform default. A file the user named must exist (``load_config(required=...)``)."""
    if cli_path:
        return "--config"
    return ENV_CONFIG if env.get(ENV_CONFIG) else None


def config_path(cli_path: str | os.PathLike[str] | None = None, env: Mapping[str, str] = os.environ) -> Path:
    """``--config`` beats ``SAKARI_TUI_CONFIG`` beats the platform default."""
    if cli_path:
        return Path(cli_path).expanduser()
    if env.get(ENV_CONFIG):
        return Path(env[ENV_CONFIG]).expanduser()
    return default_config_path()


_LINE_IN_MESSAGE = re.compile(r"\(at line (\d+), column (\d+)\)")


def _line_of_key(text: str, key: str, table: str | None = None) -> int | None:
    """The line where ``key`` is set, looking inside ``[table]`` when given."""
    start = 0
    if table:
        header = re.compile(rf"^\s*\[\s*{re.escape(table)}\s*\]", re.MULTILINE).search(text)
        start = header.end() if header else 0
    match = re.compile(rf"^\s*{re.escape(key)}\s*=", re.MULTILINE).search(text, start)
    return text.count("\n", 0, match.start()) + 1 if match else None


def _fail(path: Path, line: int | None, message: str) -> ConfigError:
    where = f"{path}, line {line}" if line else str(path)
    return ConfigError(f"{where}: {message}")


def load_config(path: Path, *, required: bool | str = False) -> Config:
    """Read ``path``; a missing file is an empty config, unless ``required`` (a file the
    user named, with ``--config`` or ``SAKARI_TUI_CONFIG``: a typo must not silently mean
    "no profiles"; a string says which, ``config_named_by``). Raises ConfigError."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if required:
            named_by = required if isinstance(required, str) else "--config"
            raise ConfigError(
                f"{path}: no such config file (named by {named_by}); 'sakari-tui config init --config {path}' writes one"
            ) from None
        return Config(path=path)
    except (OSError, UnicodeDecodeError) as exc:
        raise _fail(path, None, f"cannot read the config file ({exc.__class__.__name__})") from None
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = _LINE_IN_MESSAGE.search(message)
        line = int(match.group(1)) if match else None
        reason = _LINE_IN_MESSAGE.sub("", message).strip()
        raise _fail(path, line, f"not valid TOML: {reason}") from None
    return _parse(path, text, doc)


def _parse(path: Path, text: str, doc: dict[str, Any]) -> Config:
    config = Config(path=path)
    default = doc.pop("default_profile", DEFAULT_PROFILE)
    if not isinstance(default, str):
        raise _fail(path, _line_of_key(text, "default_profile"), "default_profile must be a string")
    config.default_profile = default

    profiles = doc.pop("profiles", {})
    if not isinstance(profiles, dict):
        raise _fail(path, _line_of_key(text, "profiles"), "profiles must be a table of [profiles.NAME]")
    for name, table in profiles.items():
        if not isinstance(table, dict):
            raise _fail(path, _line_of_key(text, name), f"profiles.{name} must be a table")
        values: dict[str, Any] = {}
        for key, value in table.items():
            line = _line_of_key(text, key, f"profiles.{name}")
            expected = _PROFILE_TYPES.get(key)
            if expected is None:
                raise _fail(path, line, f"profiles.{name}: unknown setting {key!r}")
            if not isinstance(value, expected) or (isinstance(value, bool) and bool not in expected):
                kind = "a number" if int in expected else "true or false" if bool in expected else "a string"
                raise _fail(path, line, f"profiles.{name}.{key} must be {kind}")
            if key.startswith("poll_") and not (
                isinstance(value, int | float) and math.isfinite(value) and POLL_MIN <= value <= POLL_MAX
            ):
                raise _fail(
                    path,
                    line,
                    f"profiles.{name}.{key} must be a number of seconds from "
                    f"{POLL_MIN:g} to {POLL_MAX:g}, not {value!r}",
                )
            if key == "read_after" and isinstance(value, int | float) and not (math.isfinite(value) and value >= 0):
                raise _fail(path, line, f"profiles.{name}.{key} must be 0 (read as soon as shown) or more")
            if key == "notify" and value not in NOTIFY_CHOICES:
                raise _fail(path, line, f"profiles.{name}.notify must be one of {', '.join(map(repr, NOTIFY_CHOICES))}")
            values[key] = float(value) if key.startswith("poll_") and isinstance(value, int | float) else value
        config.profiles[name] = Profile(name=name, **values)

    keys = doc.pop("keys", {})
    if not isinstance(keys, dict) or not all(isinstance(v, str) for v in keys.values()):
        raise _fail(path, _line_of_key(text, "keys"), 'keys must map binding ids to keys, e.g. "app.quit" = "ctrl+q"')
    config.keys, config.warnings = renamed_binding_ids(keys)
    config.extra = doc
    return config


# Binding ids renamed by a release: ``[keys]`` written for the old ones still applies.
RENAMED_BINDING_PREFIXES = {"paged_list.": "list."}


def renamed_binding_ids(keys: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """``[keys]`` with old binding ids read as the new ones (an entry under the new id wins),
    and a one-line warning naming them, when there were any."""
    current: dict[str, str] = {}
    renamed: dict[str, str] = {}
    for binding_id, key in keys.items():
        old = next((prefix for prefix in RENAMED_BINDING_PREFIXES if binding_id.startswith(prefix)), None)
        if old is None:
            current[binding_id] = key
        else:
            renamed[binding_id] = RENAMED_BINDING_PREFIXES[old] + binding_id.removeprefix(old)
    for old_id, new_id in renamed.items():
        current.setdefault(new_id, keys[old_id])
    if not renamed:
        return current, []
    names = ", ".join(f"{old_id} as {new_id}" for old_id, new_id in renamed.items())
    return current, [f"[keys]: old binding ids read as the new ones ({names}); rename them in the config file"]


def permission_warning(path: Path) -> str | None:
    """A warning when the file can be read by other users, else None."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        return f"{path} is readable by other users (mode {stat.S_IMODE(mode):o}); run: chmod 600 {path}"
    return None


def save_config(config: Config) -> None:
    """Write the config atomically with mode 0600, creating its directory."""
    path = config.path
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    import tomli_w

    data = tomli_w.dumps(config.to_toml()).encode("utf-8")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)  # O_CREAT's mode is filtered by umask and ignored for an existing file
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)


def resolve_profile(config: Config, name: str | None = None, env: Mapping[str, str] = os.environ) -> Profile:
    """The profile to use: ``--profile``, else ``SAKARI_PROFILE``, else the file's default.

    Environment overrides apply on top. A profile that exists only in the
    environment is allowed, so CI and scripts need no file at all.
    """
    requested = name or env.get(ENV_PROFILE)
    chosen = requested or config.default_profile
    profile = config.profiles.get(chosen)
    if profile is None:
        if requested and config.profiles:
            known = ", ".join(sorted(config.profiles))
            raise ConfigError(f"{config.path}: no profile {chosen!r} (profiles: {known})")
        profile = Profile(name=chosen)
    overrides: dict[str, Any] = {attr: env[var] for var, attr in ENV_OVERRIDES.items() if env.get(var)}
    return replace(profile, **overrides) if overrides else profile
