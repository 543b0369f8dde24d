"""A real `peakhealth serve` (uvicorn over TCP) in a child process."""

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

import httpx


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def peakhealth_serve(
    *, log: IO[bytes] | None = None, env: dict[str, str] | None = None
) -> Iterator[str]:
    """The base URL of a started server on the embedded store; its log (stderr) goes to `log`,
    else to a temporary file (a pipe nobody reads would fill up and stall the server). Stopped
    (and its log flushed) when the block ends."""
    with tempfile.TemporaryFile() as scratch, _serving(log or scratch, env) as base:
        yield base


@contextmanager
def _serving(log: IO[bytes], env: dict[str, str] | None) -> Iterator[str]:
    port = free_port()
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("MONGODB_", "SUPABASE_"))
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "peakhealth", "serve", "--port", str(port)],
        env={**environment, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/ready", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                raise RuntimeError(f"server did not start: {log.read()[-4000:]!r}")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
