"""local.settings.json: created from the sample with a fresh JWT secret, and applied the way the
Functions host applies it (the environment wins). Standard library only, so `make` can run it
before the virtual environment exists."""

from __future__ import annotations

import json
import os
import secrets
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def load_values(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    document = json.loads(path.read_text(encoding="utf-8"))
    values = document.get("Values", {})
    return {str(key): str(value) for key, value in values.items()}


def apply_values(path: Path) -> None:
    for key, value in load_values(path).items():
        os.environ.setdefault(key, value)


def create_from_sample(sample: Path, target: Path) -> None:
    """Copy the sample, generating a JWT secret that never leaves this machine."""
    document = json.loads(sample.read_text(encoding="utf-8"))
    values = document.setdefault("Values", {})
    if not values.get("JWT_SECRET"):
        values["JWT_SECRET"] = secrets.token_urlsafe(48)
    target.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    target.chmod(0o600)


if __name__ == "__main__":
    create_from_sample(ROOT / "local.settings.sample.json", ROOT / sys.argv[1])
