"""A game's parameters: their declaration (``params.toml``) and the checks they share.

Each game declares its parameters as data in ``params.toml`` next to its ``task.py``:
one TOML table a parameter, in the order of the game's ``DEFAULT_PARAMS``, with

- ``default``: the value a battery file may override (an array is read as a tuple, a
  table as a read-only mapping); left out where the game's code gives it (a cited
  data set, the game's own vocabulary), passed to :meth:`ParamSchema.load`;
- ``check``: the check the value must pass, one of :data:`CHECKS`; ``"int"`` and
  ``"number"`` take an inclusive ``range = [low, high]``, ``"choice"`` takes
  ``choices``; left out where the game checks the value itself;
- ``description`` (optional): what the parameter sets.

:class:`ParamSchema` reads that file (:func:`game_data`) and checks a battery file's
values against it; a game's ``validate_params`` adds the checks that relate several
parameters. Each check raises :class:`games.api.ConfigError` with a message that names
the game, the key and what is allowed, as battery files need. Qt-free, like the tasks
using it.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType
from typing import Any

from games.api import ConfigError

__all__ = [
    "CHECKS",
    "Param",
    "ParamSchema",
    "bad_param",
    "check_bound",
    "check_choices",
    "check_distinct",
    "check_floats",
    "check_fractions",
    "check_ints",
    "check_keys",
    "check_orders",
    "check_texts",
    "frozen",
    "game_data",
    "is_int",
    "merge_params",
]


def game_data(game_id: str, name: str) -> dict[str, Any]:
    """The TOML file ``name`` shipped in the game's package ``games.<game_id>``, parsed."""
    text = resources.files(f"games.{game_id}").joinpath(name).read_text(encoding="utf-8")
    return tomllib.loads(text)


def frozen(value: Any) -> Any:
    """``value`` read-only: lists become tuples, mappings read-only mappings (deeply)."""
    if isinstance(value, Mapping):
        return MappingProxyType({k: frozen(v) for k, v in value.items()})
    if isinstance(value, list | tuple):
        return tuple(frozen(v) for v in value)
    return value


def is_int(value: object) -> bool:
    """An integer, not a bool."""
    return isinstance(value, int) and not isinstance(value, bool)


def bad_param(game_id: str, key: str, allowed: str, value: object) -> ConfigError:
    """The error for a parameter whose ``value`` is not ``allowed``."""
    return ConfigError(f"{game_id}: parameter {key!r} must be {allowed}, got {value!r}")


def merge_params(
    game_id: str, defaults: Mapping[str, Any], params: Mapping[str, Any]
) -> dict[str, Any]:
    """``params`` over ``defaults``; an unknown key is refused, naming the allowed ones."""
    if not isinstance(params, Mapping):
        raise ConfigError(f"{game_id}: parameters must be a mapping, got {type(params).__name__}")
    merged = dict(defaults)
    for key, value in params.items():
        if key not in defaults:
            allowed = ", ".join(sorted(defaults))
            raise ConfigError(f"{game_id}: unknown parameter {key!r}; allowed keys: {allowed}")
        merged[key] = value
    return merged


def check_ints(
    game_id: str, merged: Mapping[str, Any], ranges: Mapping[str, tuple[int, int]]
) -> None:
    for key, (low, high) in ranges.items():
        value = merged[key]
        if not is_int(value) or not low <= value <= high:
            raise bad_param(game_id, key, f"an integer in {low}..{high}", value)


def check_floats(
    game_id: str, merged: dict[str, Any], ranges: Mapping[str, tuple[float, float]]
) -> None:
    """Numbers in range; each is stored back as a float."""
    for key, (low, high) in ranges.items():
        value = merged[key]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise bad_param(game_id, key, "a number", value)
        if not low <= value <= high:
            raise bad_param(game_id, key, f"in {low}..{high}", value)
        merged[key] = float(value)


def check_fractions(game_id: str, merged: dict[str, Any], keys: Iterable[str]) -> None:
    """Non-empty lists of numbers in (0, 1]; each is stored back as a tuple of floats."""
    for key in keys:
        values = merged[key]
        if (
            isinstance(values, str)
            or not isinstance(values, Sequence)
            or not values
            or any(isinstance(x, bool) or not isinstance(x, int | float) for x in values)
            or any(not 0.0 < float(x) <= 1.0 for x in values)
        ):
            raise bad_param(game_id, key, "a non-empty list of numbers in (0, 1]", values)
        merged[key] = tuple(float(x) for x in values)


def check_choices(
    game_id: str, merged: Mapping[str, Any], choices: Mapping[str, Iterable[str]]
) -> None:
    for key, options in choices.items():
        options = tuple(options)
        if merged[key] not in options:
            raise bad_param(game_id, key, f"one of {', '.join(options)}", merged[key])


def check_keys(game_id: str, merged: Mapping[str, Any], keys: Iterable[str]) -> None:
    """Key names: non-empty strings."""
    for key in keys:
        value = merged[key]
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{game_id}: parameter {key!r} must be a non-empty key name")


def check_texts(game_id: str, merged: Mapping[str, Any], keys: Iterable[str]) -> None:
    """Non-empty strings (key names or a text shown, such as a currency sign)."""
    for key in keys:
        value = merged[key]
        if not isinstance(value, str) or not value:
            raise ConfigError(f"{game_id}: parameter {key!r} must be a non-empty string")


def check_orders(game_id: str, merged: dict[str, Any], items: Mapping[str, Sequence[str]]) -> None:
    """Lists holding each of their ``items`` once, in any order; stored back as tuples."""
    for key, names in items.items():
        order = merged[key]
        if (
            isinstance(order, str)
            or not isinstance(order, Sequence)
            or not all(isinstance(name, str) for name in order)
            or sorted(order) != sorted(names)
        ):
            quoted = [repr(name) for name in names]
            listed = " and ".join(filter(None, [", ".join(quoted[:-1]), quoted[-1]]))
            raise bad_param(game_id, key, f"a list holding {listed} once each", order)
        merged[key] = tuple(order)


def check_distinct(game_id: str, merged: Mapping[str, Any], key: str, other: str) -> None:
    """Two parameters (say the keys of the two responses) must differ."""
    if merged[key] == merged[other]:
        raise ConfigError(f"{game_id}: parameters {key!r} and {other!r} must differ")


def check_bound(game_id: str, merged: Mapping[str, Any], key: str, bound: str, other: str) -> None:
    """``key`` must be ``"at most"`` or ``"at least"`` the parameter ``other``."""
    value, limit = merged[key], merged[other]
    if value > limit if bound == "at most" else value < limit:
        raise bad_param(game_id, key, f"{bound} {other}={limit}", value)


CHECKS = ("int", "number", "fractions", "choice", "key", "text", "order")
"""The checks a parameter may declare, in the order :meth:`ParamSchema.validate` runs them.

``int``: an integer in ``range``; ``number``: a number in ``range``, kept as a float;
``fractions``: a non-empty list of numbers in (0, 1], kept as a tuple of floats;
``choice``: one of ``choices``; ``key``: a key name; ``text``: a non-empty string;
``order``: a list holding each item of the default once, kept as a tuple.
"""

_FIELDS = {"default", "check", "range", "choices", "description"}


@dataclass(frozen=True, slots=True)
class Param:
    """One declared parameter (see the module docstring)."""

    name: str
    default: Any
    check: str | None = None
    range: tuple[Any, Any] | None = None
    choices: tuple[str, ...] = ()
    description: str = ""


class ParamSchema:
    """A game's declared parameters: their defaults, their checks and their meanings."""

    def __init__(self, game_id: str, params: Iterable[Param]) -> None:
        self.game_id = game_id
        self._params = {p.name: p for p in params}
        for param in self._params.values():
            _check_declaration(game_id, param)
        self._defaults = MappingProxyType({p.name: p.default for p in self._params.values()})

    @classmethod
    def load(cls, game_id: str, **code_defaults: Any) -> ParamSchema:
        """The parameters declared in ``params.toml`` of the game ``games.<game_id>``.

        ``code_defaults`` gives the defaults the file leaves to the game's code, by name.
        """
        params = []
        for name, entry in game_data(game_id, "params.toml").items():
            where = f"{game_id}: parameter {name!r}"
            if set(entry) - _FIELDS:
                raise ValueError(f"{where}: unknown fields {sorted(set(entry) - _FIELDS)}")
            if ("default" in entry) == (name in code_defaults):
                raise ValueError(f"{where}: needs one default, in the file or from the code")
            default = entry["default"] if "default" in entry else code_defaults.pop(name)
            params.append(
                Param(
                    name,
                    frozen(default),
                    entry.get("check"),
                    tuple(entry["range"]) if "range" in entry else None,
                    tuple(entry.get("choices", ())),
                    entry.get("description", ""),
                )
            )
        if code_defaults:
            raise ValueError(f"{game_id}: defaults given for undeclared {sorted(code_defaults)}")
        return cls(game_id, params)

    def __getitem__(self, name: str) -> Param:
        return self._params[name]

    def __iter__(self) -> Iterator[Param]:
        return iter(self._params.values())

    @property
    def defaults(self) -> Mapping[str, Any]:
        """Every parameter's default, in the declared order (read-only)."""
        return self._defaults

    @property
    def descriptions(self) -> Mapping[str, str]:
        """What each parameter sets (``""`` where the file says nothing)."""
        return MappingProxyType({p.name: p.description for p in self._params.values()})

    def _with(self, check: str) -> list[Param]:
        return [p for p in self._params.values() if p.check == check]

    def _ranges(self, check: str) -> dict[str, tuple[Any, Any]]:
        return {p.name: p.range for p in self._with(check) if p.range is not None}

    def validate(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """``params`` merged over the defaults, each declared check passed.

        The checks run kind by kind in the order of :data:`CHECKS`; numbers come back as
        floats and lists as tuples where the check says so.
        """
        gid = self.game_id
        merged = merge_params(gid, self._defaults, params)
        check_ints(gid, merged, self._ranges("int"))
        check_floats(gid, merged, self._ranges("number"))
        check_fractions(gid, merged, [p.name for p in self._with("fractions")])
        check_choices(gid, merged, {p.name: p.choices for p in self._with("choice")})
        check_keys(gid, merged, [p.name for p in self._with("key")])
        check_texts(gid, merged, [p.name for p in self._with("text")])
        check_orders(gid, merged, {p.name: p.default for p in self._with("order")})
        return merged


def _check_declaration(game_id: str, param: Param) -> None:
    """A declaration that cannot work (a typo in a ``params.toml``) fails at import."""
    where = f"{game_id}: parameter {param.name!r}"
    if param.check is not None and param.check not in CHECKS:
        raise ValueError(f"{where}: unknown check {param.check!r}; known: {', '.join(CHECKS)}")
    ranged = param.check in ("int", "number")
    if ranged != (param.range is not None) or (param.range is not None and len(param.range) != 2):
        raise ValueError(f"{where}: a range [low, high] goes with the int and number checks")
    if (param.check == "choice") != bool(param.choices):
        raise ValueError(f"{where}: choices go with the choice check")
    if param.check == "choice" and param.default not in param.choices:
        raise ValueError(f"{where}: the default {param.default!r} is not among the choices")
