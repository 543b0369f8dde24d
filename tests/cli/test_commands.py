"""The command line as an operator meets it: errors name the variable or flag at fault in one
line, never a traceback; help shows every flag's default; an unreachable database stops
`serve`, `purge` and `indexes` with one line; purge and indexes refuse the embedded store."""

import argparse
import os
import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest

from peakhealth.cli import build_parser, main

SECRET = "a-secret-that-is-long-enough-for-hs256"


def peakhealth(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("MONGODB_", "SUPABASE_"))}
    return subprocess.run(
        [sys.executable, "-m", "peakhealth", *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    """The single line a refused command prints on stderr."""
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port  # closed again: connections are refused


@pytest.fixture
def stalled_port() -> Iterator[int]:
    """A port that accepts connections (the kernel completes them) and never answers, as a
    stalled server does."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield listener.getsockname()[1]


def real_database(port: int) -> dict[str, str]:
    return {
        "MONGODB_URI": f"mongodb://user:pass@127.0.0.1:{port}/peakhealth",
        "MONGODB_SERVER_SELECTION_TIMEOUT_MS": "300",
        "SUPABASE_JWT_SECRET": SECRET,
    }


def test_a_bad_variable_is_named_in_one_line() -> None:
    line = one_line(peakhealth("serve", "--port", "1", MAX_BODY_BYTES="abc"))
    assert line.startswith("peakhealth: configuration refused: MAX_BODY_BYTES='abc': ")
    assert line.endswith("Input should be a valid integer, unable to parse string as an integer")


def test_a_bad_timeout_is_named(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("MONGODB_TIMEOUT_MS", "soon")
    with pytest.raises(SystemExit, match="MONGODB_TIMEOUT_MS='soon': Input should be a valid"):
        main(["token"])


@pytest.mark.parametrize(
    ("flags", "named"),
    [
        (["token", "--sub", "not-a-uuid"], "argument --sub: 'not-a-uuid' is not a UUID"),
        (["token", "--ttl", "-5"], "argument --ttl: '-5' is not a positive whole number"),
        (["token", "--ttl", "soon"], "argument --ttl: 'soon' is not a positive whole number"),
        (["serve", "--port", "http"], "argument --port: 'http' is not a port number"),
        (["indexes"], "one of the arguments --check --apply is required"),
    ],
)
def test_a_bad_flag_is_named(
    flags: list[str], named: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(flags)
    assert exited.value.code == 2
    assert named in capsys.readouterr().err.splitlines()[-1]


def test_every_flag_has_help_with_its_default() -> None:
    parser = build_parser()
    (commands,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    for name, command in commands.choices.items():
        text = " ".join(command.format_help().split())
        for action in command._actions:
            if action.dest == "help":
                continue
            assert action.help, f"{name} {action.option_strings} has no help"
            if action.default not in (None, False):
                assert f"(default: {action.default})" in text, (name, action.option_strings)
    assert "--ttl TTL lifetime in seconds (default: 86400)" in " ".join(
        commands.choices["token"].format_help().split()
    )


@pytest.mark.parametrize("command", [["serve", "--port", "1"], ["purge"], ["indexes", "--check"]])
def test_an_unreachable_database_is_one_line(command: list[str]) -> None:
    port = closed_port()
    line = one_line(peakhealth(*command, **real_database(port)))
    assert line.startswith(
        f"peakhealth: the database cannot be reached (MongoDB at 127.0.0.1:{port})"
    )
    assert "Connection refused" in line
    assert "pass" not in line  # no credentials


def test_a_stalled_database_stops_start_up_within_the_selection_timeout(
    stalled_port: int,
) -> None:
    line = one_line(peakhealth("serve", "--port", "1", **real_database(stalled_port)))
    assert line.startswith("peakhealth: the database cannot be reached")


@pytest.mark.parametrize("command", [["purge"], ["indexes", "--check"], ["indexes", "--apply"]])
def test_maintenance_commands_refuse_the_embedded_store(
    command: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MONGODB_URI", raising=False)
    with pytest.raises(SystemExit) as refused:
        main(command)
    assert str(refused.value.code).startswith(f"peakhealth: `{command[0]}` needs MONGODB_URI")
