"""Options as frozen dataclasses; YAML is their saved form.

Unknown keys and mistyped values are rejected by name; no object is ever built from YAML beyond
the dataclass's own fields.
"""
from __future__ import annotations

import dataclasses
import typing
from pathlib import Path
from typing import Any, TypeVar

import yaml

T = TypeVar("T")


class ConfigError(ValueError):
    """A configuration file or value that cannot be used; names the key and the file."""


def check_choice(name: str, value: Any, choices: tuple) -> None:
    if value not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(map(str, choices))}; got {value!r}")


def _coerce(name: str, value: Any, kind: Any, source: str) -> Any:
    """Check ``value`` against the field type (int, float, bool, str, Optional, nested dataclass)."""
    origin = typing.get_origin(kind)
    if origin is typing.Union or (origin is not None and str(origin) == "<class 'types.UnionType'>"):
        args = [a for a in typing.get_args(kind) if a is not type(None)]
        if value is None:
            return None
        return _coerce(name, value, args[0], source)
    if dataclasses.is_dataclass(kind):
        if not isinstance(value, dict):
            raise ConfigError(f"{source}: {name} must be a mapping, got {value!r}")
        return from_dict(kind, value, source=source, prefix=f"{name}.")
    if kind is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{source}: {name} must be true or false, got {value!r}")
        return value
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{source}: {name} must be an integer, got {value!r}")
        return value
    if kind is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{source}: {name} must be a number, got {value!r}")
        return float(value)
    if kind is str:
        if not isinstance(value, str):
            raise ConfigError(f"{source}: {name} must be a string, got {value!r}")
        return value
    if origin in (list, tuple):
        if not isinstance(value, (list, tuple)):
            raise ConfigError(f"{source}: {name} must be a list, got {value!r}")
        return tuple(value) if origin is tuple else list(value)
    return value


def from_dict(cls: type[T], data: dict, source: str = "config", prefix: str = "") -> T:
    """Build dataclass ``cls`` from ``data``; unknown keys and wrong types raise :class:`ConfigError`."""
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - names)
    if unknown:
        raise ConfigError(f"{source}: unknown key{'s' if len(unknown) > 1 else ''} "
                          f"{', '.join(prefix + u for u in unknown)} (known: {', '.join(sorted(names))})")
    kwargs = {k: _coerce(prefix + k, v, hints[k], source) for k, v in data.items()}
    try:
        return cls(**kwargs)
    except ConfigError as e:
        raise ConfigError(f"{source}: {e}") from None


def load_yaml(cls: type[T], path: str | Path | None = None, overrides: dict | None = None) -> T:
    """Read ``cls`` from a YAML file (every key optional), then apply ``overrides`` (e.g. CLI flags)."""
    data: dict = {}
    source = str(path) if path else "command line"
    if path:
        try:
            loaded = yaml.safe_load(Path(path).read_text())
        except FileNotFoundError:
            raise ConfigError(f"{path}: no such config file") from None
        except yaml.YAMLError as e:
            raise ConfigError(f"{path}: not valid YAML ({str(e).splitlines()[0]})") from None
        if loaded is not None and not isinstance(loaded, dict):
            raise ConfigError(f"{path}: top level must be a mapping of keys to values")
        data = loaded or {}
    for key, value in (overrides or {}).items():
        if value is None:
            continue
        node = data
        *parents, leaf = key.split(".")
        for p in parents:
            node = node.setdefault(p, {})
        node[leaf] = value
    return from_dict(cls, data, source=source)


def to_dict(obj: Any) -> dict:
    return dataclasses.asdict(obj)


def dump_yaml(obj: Any) -> str:
    """The YAML form of a config dataclass (what each step copies into its output dir)."""
    return yaml.safe_dump(to_dict(obj), sort_keys=False)
