"""How a setting is declared: its rule (type, range, accepted text), default and flag.

``chgrid.settings`` declares every setting exactly once, as a dataclass field made by
:func:`setting`; everything else is derived from that declaration: the typed
``Settings`` objects (the dataclasses themselves), the marshmallow schema that validates
each section (:func:`section_schema`), how an environment string is converted
(:meth:`Rule.from_env`), what error messages and ``docs/running.md`` say a key accepts
(:meth:`Rule.accepted`) and the ``chgrid serve`` flags (:class:`Flag`).

A rule's ``python_type`` must equal the field's annotation; :func:`section` checks that
when the class is created, so the static type and the validation cannot drift apart.
"""
from __future__ import annotations

import dataclasses
import typing
from collections.abc import Callable

from marshmallow import Schema, ValidationError, fields, validate

RULE = "chgrid.rule"  # dataclass field metadata: the key's Rule
FLAG = "chgrid.flag"  # dataclass field metadata: its ``chgrid serve`` Flag, if any


# --------------------------------------------------------------------------- strict fields
# TOML and flags already carry typed values, and environment strings are converted by
# the rule before validation, so a string where a number belongs is a mistake to
# report rather than something to coerce.

class _StrictBoolean(fields.Boolean):
    def _deserialize(self, value, attr, data, **kwargs):
        if value is True or value is False:
            return value
        raise self.make_error("invalid", input=value)


class _StrictFloat(fields.Float):
    def _validated(self, value):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.make_error("invalid", input=value)
        return super()._validated(value)


def _predicate(check: Callable[[str], bool]) -> Callable[[str], None]:
    def run(value: str) -> None:
        if not check(value):
            raise ValidationError("rejected")
    return run


# --------------------------------------------------------------------------- rules

class Rule:
    """What one key accepts. Subclasses set ``python_type`` and build the field."""

    python_type: typing.Any = object
    doc_type = ""  # the type column of docs/running.md
    env_accepted: str | None = None  # when the environment spells values differently

    def accepted(self) -> str:
        """The accepted values in words, for error messages and the docs."""
        raise NotImplementedError

    def field(self) -> fields.Field:
        """A required, strict marshmallow field that validates the key."""
        raise NotImplementedError

    def from_env(self, text: str) -> typing.Any:
        """Convert a ``CHGRID_<SECTION>_<KEY>`` string; ``ValueError`` when it can't be."""
        return text.strip()


@dataclasses.dataclass(frozen=True)
class Integer(Rule):
    """An integer from ``low`` up to ``high`` (no upper bound when None)."""

    low: int
    high: int | None = None
    python_type = int
    doc_type = "int"

    def accepted(self) -> str:
        if self.high is None:
            return f"an integer >= {self.low}"
        return f"an integer from {self.low} to {self.high}"

    def field(self) -> fields.Field:
        return fields.Integer(strict=True, required=True, validate=validate.Range(min=self.low, max=self.high))

    def from_env(self, text: str) -> int:
        return int(text.strip(), 10)


@dataclasses.dataclass(frozen=True)
class Number(Rule):
    """A number above ``low`` (or at least ``low`` when ``inclusive``), ``unit`` named,
    and at most ``high`` when one is given."""

    low: float = 0
    inclusive: bool = False
    unit: str = "seconds"
    high: float | None = None
    python_type = float

    @property
    def doc_type(self) -> str:
        return "seconds" if self.unit == "seconds" else "number"

    def accepted(self) -> str:
        if self.high is not None and self.inclusive:
            return f"a number of {self.unit} from {self.low:g} to {self.high:g}"
        text = f"a number of {self.unit} {'>=' if self.inclusive else '>'} {self.low:g}"
        return text if self.high is None else f"{text} and <= {self.high:g}"

    def field(self) -> fields.Field:
        return _StrictFloat(required=True, validate=validate.Range(
            min=self.low, min_inclusive=self.inclusive, max=self.high))

    def from_env(self, text: str) -> float:
        return float(text.strip())


_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


@dataclasses.dataclass(frozen=True)
class Switch(Rule):
    """A boolean: TOML ``true``/``false``; in the environment 1/0, yes/no, on/off too."""

    python_type = bool
    doc_type = "bool"
    env_accepted = "1/0, true/false, yes/no, on/off"

    def accepted(self) -> str:
        return "true or false"

    def field(self) -> fields.Field:
        return _StrictBoolean(required=True)

    def from_env(self, text: str) -> bool:
        word = text.strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
        raise ValueError(text)


@dataclasses.dataclass(frozen=True)
class Text(Rule):
    """A string, optionally checked by ``check``. ``describe`` may be a callable when
    the text depends on what is installed (it is then only computed when needed)."""

    describe: str | Callable[[], str]
    check: Callable[[str], bool] | None = None
    python_type = str
    doc_type = "str"

    def accepted(self) -> str:
        return self.describe() if callable(self.describe) else self.describe

    def field(self) -> fields.Field:
        return fields.String(required=True, validate=[_predicate(self.check)] if self.check else [])


@dataclasses.dataclass(frozen=True)
class Names(Rule):
    """A list of strings, each checked by ``item``; comma-separated in the environment."""

    describe: str
    item: Callable[[str], bool]
    non_empty: bool = False
    distinct: bool = False
    python_type = list[str]
    doc_type = "list"

    def accepted(self) -> str:
        return self.describe

    def field(self) -> fields.Field:
        whole = []
        if self.non_empty:
            whole.append(validate.Length(min=1))
        if self.distinct:
            whole.append(_predicate(lambda v: len(set(v)) == len(v)))
        return fields.List(fields.String(validate=_predicate(self.item)), required=True, validate=whole)

    def from_env(self, text: str) -> list[str]:
        return [part.strip() for part in text.split(",") if part.strip()]


# --------------------------------------------------------------------------- declarations

@dataclasses.dataclass(frozen=True)
class Flag:
    """The ``chgrid serve`` option that sets a key: name, metavar (None for a switch), help."""

    name: str
    metavar: str | None
    help: str


def setting(default: typing.Any, rule: Rule, flag: Flag | None = None) -> typing.Any:
    """Declare one key: a dataclass field carrying its default, rule and optional flag."""
    metadata = {RULE: rule, FLAG: flag}
    if isinstance(default, (list, dict)):
        return dataclasses.field(default_factory=lambda: type(default)(default), metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)


C = typing.TypeVar("C", bound=type)


def section(cls: C) -> C:
    """``@dataclass`` for a settings section, refusing keys declared without
    :func:`setting` or whose annotation differs from their rule's type."""
    cls = dataclasses.dataclass(cls)
    hints = typing.get_type_hints(cls)
    for item in dataclasses.fields(cls):
        rule = item.metadata.get(RULE)
        if not isinstance(rule, Rule):
            raise TypeError(f"{cls.__name__}.{item.name} is not declared with setting()")
        if hints[item.name] != rule.python_type:
            raise TypeError(f"{cls.__name__}.{item.name} is annotated {hints[item.name]!r} "
                            f"but its rule {type(rule).__name__} gives {rule.python_type!r}")
    return cls


@dataclasses.dataclass(frozen=True)
class Declared:
    """One declared key, read back from its section class."""

    key: str
    default: typing.Any
    rule: Rule
    flag: Flag | None


def declared(section_cls: type) -> dict[str, Declared]:
    """The keys of a section class in declaration order."""
    keys = {}
    for item in dataclasses.fields(section_cls):
        default = item.default_factory() if item.default is dataclasses.MISSING else item.default
        keys[item.name] = Declared(item.name, default, item.metadata[RULE], item.metadata[FLAG])
    return keys


def section_schema(section_cls: type) -> type[Schema]:
    """The marshmallow schema validating a section: one strict, required field per key,
    unknown keys refused (marshmallow's default)."""
    return Schema.from_dict({key: d.rule.field() for key, d in declared(section_cls).items()},
                            name=f"{section_cls.__name__}Schema")
