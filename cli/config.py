"""Where the client keeps its server address, token and resumable uploads.

The config file is `$FILESHARE_CONFIG_DIR/config.json` (default `~/.config/fileshare/`); the
environment (`FILESHARE_SERVER`, `FILESHARE_TOKEN`) wins over it. The file holds a token, so it is
written readable by its owner only.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_SERVER = "http://127.0.0.1:7071"


def config_dir() -> Path:
    configured = os.environ.get("FILESHARE_CONFIG_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "fileshare"


def read_json(path: Path) -> dict[str, Any]:
    """The file's JSON object, or an empty one if it is missing or unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Replace the file atomically, readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(data, out, indent=2, sort_keys=True)
    os.replace(temporary, path)


@dataclass(frozen=True)
class Config:
    server: str
    token: str | None
    username: str | None = None

    @classmethod
    def load(cls, server: str | None = None) -> Config:
        """The `--server` option, else the environment, else the config file, else localhost."""
        stored = read_json(config_dir() / "config.json")
        chosen = server or os.environ.get("FILESHARE_SERVER") or stored.get("server")
        token = os.environ.get("FILESHARE_TOKEN") or stored.get("token")
        return cls((chosen or DEFAULT_SERVER).rstrip("/"), token or None, stored.get("username"))

    def save(self) -> None:
        data: dict[str, Any] = {"server": self.server}
        if self.token:
            data["token"] = self.token
        if self.username:
            data["username"] = self.username
        write_json(config_dir() / "config.json", data)
