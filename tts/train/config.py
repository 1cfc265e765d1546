"""Training configuration files (TOML with a [model] and a [train] table)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from tts.errors import InvalidInput

CONFIG_DIR = Path(__file__).with_name("configs")


def load_config(path: Path | None, model: str) -> dict:
    """The built-in config for `model` ('acoustic' or 'vocoder'), overridden by `path` if given."""
    config = tomllib.loads((CONFIG_DIR / f"{model}.toml").read_text())
    if path is not None:
        try:
            user = tomllib.loads(Path(path).read_text())
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise InvalidInput(f"cannot read config {path}: {exc}") from None
        for table in ("model", "train"):
            unknown = set(user.get(table, {})) - set(config[table])
            if unknown:
                raise InvalidInput(f"{path}: unknown [{table}] key(s): {', '.join(sorted(unknown))}")
            config[table].update(user.get(table, {}))
    return config
