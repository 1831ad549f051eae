"""The `fields=` spec read into typed fields, or refused in one line naming the field at fault."""

import builtins
import keyword
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass

from tools.fields.field_types import (
    INT32,
    INT64,
    BoolType,
    DatetimeType,
    DateType,
    DecimalType,
    EnumType,
    FieldType,
    IntType,
    RefType,
    SpecError,
    StrType,
    TextType,
    UuidType,
)

SNAKE_CASE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
# Longer, and the names of its constraints and of its generated tests would not fit.
MAX_NAME = 40
SERVER_OWNED = frozenset({"id", "owner_id", "created_at", "updated_at"})
# Attribute names of pydantic's BaseModel and SQLModel that a field would shadow.
RESERVED = frozenset(
    {"construct", "copy", "dict", "fields", "json", "metadata", "registry", "schema", "validate"}
)
# The fields of a feature made without `fields=`.
DEFAULT_SPEC = "name:str(1..200) description:text?"
VARCHAR_MAX = 10_485_760  # PostgreSQL's largest VARCHAR(n).
NUMERIC_MAX = 1000  # PostgreSQL's largest NUMERIC precision.
DELETE_BEHAVIOURS = ("restrict", "cascade", "setnull")
ENUM_VALUE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,99}")
BOUNDS = re.compile(r"(?P<low>-?\d+)\.\.(?P<high>-?\d+)")
FIELD = re.compile(
    r"(?P<name>[^:]*):(?P<type>[a-z]*)(?:\((?P<arguments>[^()]*)\))?"
    r"(?P<optional>\?)?(?:=(?P<default>.*?))?(?P<unique>!unique)?"
)
PLAIN: dict[str, FieldType] = {
    "bool": BoolType(),
    "date": DateType(),
    "datetime": DatetimeType(),
    "uuid": UuidType(),
}


@dataclass(frozen=True)
class FieldSpec:
    """One field of a spec: its name, type, and what `?`, `=default` and `!unique` said."""

    # As the spec wrote it: `title:str(1..200)`.
    token: str
    name: str
    type: FieldType
    optional: bool = False
    # The JSON value an omitted field takes; None: it has none (an optional field's is null).
    default: object = None
    unique: bool = False

    @property
    def column(self) -> str:
        """The column and JSON name: a reference `project` is `project_id`."""
        return f"{self.name}_id" if isinstance(self.type, RefType) else self.name

    @property
    def required(self) -> bool:
        """Whether a create body must carry it."""
        return not self.optional and self.default is None

    @property
    def ref(self) -> RefType | None:
        """The reference this field is, if it is one."""
        return self.type if isinstance(self.type, RefType) else None


def _bounds(arguments: str, default: tuple[int, int], what: str) -> tuple[int, int]:
    if not arguments:
        return default
    match = BOUNDS.fullmatch(arguments)
    if match is None:
        msg = f"bounds are written ({what}), like (1..200)"
        raise SpecError(msg)
    low, high = int(match["low"]), int(match["high"])
    if low > high:
        msg = f"the lower bound {low} is above the upper bound {high}"
        raise SpecError(msg)
    return low, high


def _string(arguments: str, kind: type[StrType]) -> StrType:
    low, high = _bounds(arguments, (kind.low, kind.high), "min..max")
    if low < 0 or not 1 <= high <= VARCHAR_MAX:
        msg = f"a length is 0 or more, the maximum 1..{VARCHAR_MAX}"
        raise SpecError(msg)
    return kind(low, high)


def _integer(arguments: str) -> IntType:
    low, high = _bounds(arguments, INT32, "low..high")
    if low < INT64[0] or high > INT64[1]:
        msg = "an int's bounds must fit a 64-bit integer (BIGINT)"
        raise SpecError(msg)
    return IntType(low, high)


def _decimal(arguments: str) -> DecimalType:
    match = re.fullmatch(r"(\d+),(\d+)", arguments)
    if match is None:
        msg = "a decimal needs (precision,scale), like decimal(12,2)"
        raise SpecError(msg)
    precision, scale = int(match[1]), int(match[2])
    if not 0 <= scale < precision <= NUMERIC_MAX:
        msg = f"decimal(precision,scale) needs 0 <= scale < precision <= {NUMERIC_MAX}"
        raise SpecError(msg)
    return DecimalType(precision, scale)


def _enum(arguments: str) -> EnumType:
    values = tuple(arguments.split(",")) if arguments else ()
    if not values or not all(ENUM_VALUE.fullmatch(value) for value in values):
        msg = "an enum lists its values, letters, digits, _ . -, like enum(low,high)"
        raise SpecError(msg)
    if len(set(values)) < len(values):
        msg = "an enum lists each value once"
        raise SpecError(msg)
    return EnumType(values)


def _ref(arguments: str, *, optional: bool) -> RefType:
    target, _, on_delete = arguments.partition(",")
    if not SNAKE_CASE.fullmatch(target):
        msg = "a ref names a feature, like ref(projects) or ref(projects,cascade)"
        raise SpecError(msg)
    on_delete = on_delete or "restrict"
    if on_delete not in DELETE_BEHAVIOURS:
        msg = f"a ref's delete behaviour is one of {', '.join(DELETE_BEHAVIOURS)}"
        raise SpecError(msg)
    if on_delete == "setnull" and not optional:
        msg = "setnull needs an optional ref (ref(...)?): the column becomes null"
        raise SpecError(msg)
    return RefType(target, on_delete)


def _type(kind: str, arguments: str | None, *, optional: bool) -> FieldType:
    """The type `kind(arguments)`; `SpecError` for an unknown type or bad arguments."""
    with_arguments: dict[str, Callable[[str], FieldType]] = {
        "str": lambda given: _string(given, StrType),
        "text": lambda given: _string(given, TextType),
        "int": _integer,
        "decimal": _decimal,
        "enum": _enum,
        "ref": lambda given: _ref(given, optional=optional),
    }
    if kind in PLAIN:
        if arguments is not None:
            msg = f"a {kind} takes no arguments"
            raise SpecError(msg)
        return PLAIN[kind]
    if kind not in with_arguments:
        msg = f"unknown type {kind!r}; the types are {', '.join([*with_arguments, *PLAIN])}"
        raise SpecError(msg)
    return with_arguments[kind](arguments or "")


def _check_name(name: str, field_type: FieldType) -> None:
    if not SNAKE_CASE.fullmatch(name):
        msg = "a field's name is snake_case, like due_date"
        raise SpecError(msg)
    if len(name) > MAX_NAME:
        msg = f"a field's name has at most {MAX_NAME} characters"
        raise SpecError(msg)
    if keyword.iskeyword(name) or hasattr(builtins, name):
        msg = f"{name!r} is a Python keyword or builtin; choose another name"
        raise SpecError(msg)
    if name in SERVER_OWNED:
        msg = f"{name!r} is the server's own column, never the client's"
        raise SpecError(msg)
    if name in RESERVED or name.startswith("model_"):
        msg = f"{name!r} is a name pydantic or SQLModel reserve"
        raise SpecError(msg)
    if isinstance(field_type, RefType) and name.endswith("_id"):
        msg = f"name the ref without _id ({name.removesuffix('_id')}): its column is {name}_id"
        raise SpecError(msg)


def _field(token: str) -> FieldSpec:
    """One field, from its `name:type...` token."""
    match = FIELD.fullmatch(token)
    if match is None:
        if ":" not in token:
            msg = "a field is name:type, like title:str(1..200)"
        else:
            msg = "expected name:type[(arguments)][?][=default][!unique], no spaces inside"
        raise SpecError(msg)
    optional = match["optional"] is not None
    field_type = _type(match["type"], match["arguments"], optional=optional)
    _check_name(match["name"], field_type)
    unique = match["unique"] is not None
    default = None if match["default"] is None else field_type.default(match["default"])
    if unique:
        if default is not None:
            msg = "a unique field cannot have a default: the second row would clash"
            raise SpecError(msg)
        field_type.fresh()  # Refuses a type with too few values to be unique.
    return FieldSpec(token, match["name"], field_type, optional, default, unique)


def parse(spec: str) -> tuple[FieldSpec, ...]:
    """The fields of `spec`, in its order; `SpecError` naming the first bad field."""
    try:
        tokens = shlex.split(spec)
    except ValueError as error:
        msg = f"fields={spec!r}: {error}"
        raise SpecError(msg) from None
    if not tokens:
        msg = "fields= names no field; write them like title:str(1..200) done:bool=false"
        raise SpecError(msg)
    fields: list[FieldSpec] = []
    for token in tokens:
        try:
            parsed = _field(token)
        except SpecError as error:
            msg = f"field {token!r}: {error}"
            raise SpecError(msg) from None
        if parsed.column in {other.column for other in fields}:
            msg = f"field {token!r}: a second field with the column {parsed.column}"
            raise SpecError(msg)
        fields.append(parsed)
    return tuple(fields)
