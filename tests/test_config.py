"""Config: round trip, environment overrides, 0600, and errors worded for people."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from sakari_tui.config import (
    Config,
    ConfigError,
    Profile,
    config_path,
    load_config,
    permission_warning,
    resolve_profile,
    save_config,
)


def write(path: Path, text: str, mode: int = 0o600) -> Path:
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


def test_round_trip_keeps_every_field(tmp_path: Path) -> None:
    work = Profile(
        name="work",
        api_url="https://api.example.test",
        client_id="id-1",
        client_secret="s3cret",
        account_id="acct-1",
        default_region="GB",
        poll_conversations=20.0,
        poll_thread=2.5,
        poll_background=120.0,
    )
    home = Profile(name="home", client_id="id-2", client_secret_command="pass show sakari", account_id="acct-2")
    config = Config(
        path=tmp_path / "sub" / "config.toml",
        profiles={"work": work, "home": home},
        default_profile="work",
        keys={"app.quit": "ctrl+x"},
    )
    save_config(config)

    loaded = load_config(config.path)
    assert loaded.profiles == {"work": work, "home": home}
    assert loaded.default_profile == "work"
    assert loaded.keys == {"app.quit": "ctrl+x"}


def test_saved_file_is_private_even_when_it_existed_with_wider_mode(tmp_path: Path) -> None:
    path = write(tmp_path / "config.toml", "", mode=0o644)
    old_umask = os.umask(0)
    try:
        save_config(Config(path=path, profiles={"a": Profile(name="a", client_secret="x")}))
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert permission_warning(path) is None


def test_unknown_tables_survive_a_save(tmp_path: Path) -> None:
    path = write(tmp_path / "c.toml", '[profiles.a]\nclient_id = "x"\n\n[future]\nthing = 1\n')
    save_config(load_config(path))
    assert load_config(path).extra == {"future": {"thing": 1}}


def test_missing_file_is_an_empty_config(tmp_path: Path) -> None:
    config = load_config(tmp_path / "nope.toml")
    assert config.profiles == {}
    assert resolve_profile(config, env={}).name == "default"


def test_permission_warning_for_a_file_others_can_read(tmp_path: Path) -> None:
    path = write(tmp_path / "c.toml", "", mode=0o644)
    warning = permission_warning(path)
    assert warning is not None and "chmod 600" in warning and str(path) in warning


def test_config_path_precedence(tmp_path: Path) -> None:
    env = {"SAKARI_TUI_CONFIG": str(tmp_path / "env.toml")}
    assert config_path(tmp_path / "cli.toml", env) == tmp_path / "cli.toml"
    assert config_path(None, env) == tmp_path / "env.toml"
    assert config_path(None, {}).name == "config.toml"
    assert "sakari-tui" in str(config_path(None, {}))


def test_env_overrides_apply_on_top_of_the_profile(tmp_path: Path) -> None:
    path = write(
        tmp_path / "c.toml",
        'default_profile = "a"\n[profiles.a]\nclient_id = "file-id"\naccount_id = "file-acct"\n'
        '[profiles.b]\nclient_id = "b-id"\n',
    )
    config = load_config(path)
    env = {"SAKARI_CLIENT_ID": "env-id", "SAKARI_CLIENT_SECRET": "env-secret", "SAKARI_API_URL": "http://x.test"}
    profile = resolve_profile(config, env=env)
    assert (profile.name, profile.client_id, profile.account_id) == ("a", "env-id", "file-acct")
    assert profile.client_secret == "env-secret" and profile.api_url == "http://x.test"
    assert resolve_profile(config, env={"SAKARI_PROFILE": "b"}).client_id == "b-id"
    assert resolve_profile(config, "b", env={"SAKARI_PROFILE": "a"}).client_id == "b-id"


def test_env_only_profile_needs_no_file(tmp_path: Path) -> None:
    env = {"SAKARI_CLIENT_ID": "i", "SAKARI_CLIENT_SECRET": "s", "SAKARI_ACCOUNT_ID": "a"}
    profile = resolve_profile(load_config(tmp_path / "none.toml"), env=env)
    assert profile.is_complete


def test_unknown_profile_names_the_known_ones(tmp_path: Path) -> None:
    config = load_config(write(tmp_path / "c.toml", '[profiles.work]\nclient_id = "x"\n'))
    with pytest.raises(ConfigError, match=r"no profile 'play' \(profiles: work\)"):
        resolve_profile(config, "play", env={})


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ('[profiles.a]\nclient_id = "unterminated\n', 2, "not valid TOML"),
        ('[profiles.a]\nclient_id = "x"\n[profiles.b]\nclient_id = 3\n', 4, "profiles.b.client_id must be a string"),
        ('[profiles.a]\npoll_thread = "fast"\n', 2, "poll_thread must be a number"),
        ("[profiles.a]\npoll_thread = 0\n", 2, "poll_thread must be a number of seconds from 1 to 3600, not 0"),
        ("[profiles.a]\npoll_background = 7200\n", 2, "poll_background must be a number of seconds from 1 to 3600"),
        ('[profiles.a]\nclient_idd = "x"\n', 2, "unknown setting 'client_idd'"),
        ("default_profile = 1\n", 1, "default_profile must be a string"),
    ],
)
def test_malformed_file_names_file_and_line(tmp_path: Path, text: str, line: int, fragment: str) -> None:
    path = write(tmp_path / "c.toml", text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert message.startswith(f"{path}, line {line}: ")
    assert fragment in message
    assert "\n" not in message


def test_malformed_file_from_the_command_line_is_one_line_and_exit_2(tmp_path: Path) -> None:
    path = write(tmp_path / "c.toml", "[profiles.a\nclient_id = 1\n")
    done = subprocess.run(
        [sys.executable, "-m", "sakari_tui.cli", "--config", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 2
    assert done.stderr.startswith(f"sakari-tui: error: {path}, line 1: not valid TOML")
    assert done.stderr.count("\n") == 1
    assert "Traceback" not in done.stderr


def test_secret_never_in_repr() -> None:
    profile = Profile(client_secret="hunter2-very-secret")
    assert "hunter2" not in repr(profile)
    assert "hunter2" not in str(profile)


def test_secret_command(tmp_path: Path) -> None:
    assert Profile(client_secret_command=f"{sys.executable} -c \"print('from-cmd')\"").resolve_secret() == "from-cmd"
    failing = Profile(name="p", client_secret_command=f"{sys.executable} -c \"print('leak'); raise SystemExit(3)\"")
    with pytest.raises(ConfigError) as caught:
        failing.resolve_secret()
    assert "exited 3" in str(caught.value) and "leak" not in str(caught.value)
    with pytest.raises(ConfigError, match="failed"):
        Profile(client_secret_command="/nonexistent/secret-tool").resolve_secret()


def test_a_secret_command_does_not_read_what_the_user_types() -> None:
    # The command runs with the app's (or `send --text -`'s) input on fd 0: it must not
    # swallow it. A child process whose stdin is a pipe holding "typed keys" resolves a
    # secret from a command that would read a line of stdin if it could.
    reader = f"{sys.executable} -c \"import sys; print('secret-' + (sys.stdin.readline().strip() or 'none'))\""
    program = (
        "import sys; from sakari_tui.config import Profile; "
        f"print(Profile(client_secret_command={reader!r}).resolve_secret().reveal()); "
        "print('left:', sys.stdin.read().strip())"
    )
    done = subprocess.run([sys.executable, "-c", program], input="typed keys\n", capture_output=True, text=True,
                          check=True)  # fmt: skip
    assert done.stdout.split("\n")[:2] == ["secret-none", "left: typed keys"]


def test_poll_background_defaults_to_a_minute(tmp_path: Path) -> None:
    config = load_config(
        write(tmp_path / "c.toml", '[profiles.a]\nclient_id = "x"\n[profiles.b]\npoll_background = 30\n')
    )
    assert config.profiles["a"].poll_background == 60.0
    assert config.profiles["b"].poll_background == 30.0
