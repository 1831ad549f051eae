"""`tools/fields/`: the `fields=` grammar of `make feature`, its refusals and its test values."""

import pytest

from tools.fields.field_tests import sample_values
from tools.fields.field_types import (
    BoolType,
    DecimalType,
    EnumType,
    IntType,
    RefType,
    SpecError,
    StrType,
    TextType,
)
from tools.fields.grammar import parse

EXAMPLE = (
    "title:str(1..200) notes:text? priority:int(1..5)=3 done:bool=false due:date? "
    "amount:decimal(12,2) kind:enum(low,high) code:str(1..20)!unique "
    "project:ref(projects,setnull)? status:str='to do'"
)


def test_the_example_spec_parses_to_typed_bounded_fields() -> None:
    fields = {spec.name: spec for spec in parse(EXAMPLE)}
    assert fields["title"].type == StrType(1, 200)
    assert (fields["notes"].type, fields["notes"].optional) == (TextType(0, 2000), True)
    assert (fields["priority"].type, fields["priority"].default) == (IntType(1, 5), 3)
    assert (fields["done"].type, fields["done"].default) == (BoolType(), False)
    assert fields["amount"].type == DecimalType(12, 2)
    assert fields["kind"].type == EnumType(("low", "high"))
    assert fields["code"].unique
    assert fields["project"].type == RefType("projects", "setnull")
    assert fields["project"].column == "project_id"
    assert fields["status"].default == "to do"


def test_unbounded_types_get_the_documented_bounds() -> None:
    text, number = parse("body:text count:int")
    assert (text.type, number.type) == (TextType(0, 2000), IntType(-(2**31), 2**31 - 1))
    assert parse("project:ref(projects)?")[0].type == RefType("projects", "restrict")


def test_every_invalid_value_lies_outside_the_bounds_and_every_edge_inside() -> None:
    values = sample_values(parse("title:str(2..5) priority:int(1..5) amount:decimal(4,1)"))
    assert values["low"] == "{'title': 'aa', 'priority': 1, 'amount': '-999.9'}"
    assert values["high"] == "{'title': 'zzzzz', 'priority': 5, 'amount': '999.9'}"
    for case in ("'title', 'x'", "'title', 'xxxxxx'", "'priority', 0", "'priority', 6"):
        assert case in values["invalid"]
    assert "'amount', '1111'" in values["invalid"]
    assert "'amount', '0.11'" in values["invalid"]


@pytest.mark.parametrize(
    ("spec", "reason"),
    [
        ("", "names no field"),
        ("title", "a field is name:type"),
        ("title:string", "unknown type 'string'"),
        ("title:str(5..1)", "the lower bound 5 is above the upper bound 1"),
        ("title:str(1-200)", "bounds are written (min..max)"),
        ("Title:str", "snake_case"),
        ("class:str", "Python keyword or builtin"),
        ("type:str", "Python keyword or builtin"),
        ("owner_id:uuid", "the server's own column"),
        ("model_name:str", "pydantic or SQLModel reserve"),
        ("amount:decimal", "a decimal needs (precision,scale)"),
        ("amount:decimal(2,2)", "0 <= scale < precision"),
        ("amount:decimal(4,1)=12.34", "is not a decimal(4,1)"),
        ("priority:int(1..5)=9", "not an integer in 1..5"),
        ("done:bool=yes", "not true or false"),
        ("kind:enum(low,low)", "each value once"),
        ("kind:enum(low,high)=mid", "not one of low, high"),
        ("kind:enum(low, high)", "no spaces inside"),
        ("due:date=today", "a date field takes no default"),
        ("code:str!unique=x", "expected name:type"),
        ("code:str=x!unique", "a unique field cannot have a default"),
        ("done:bool!unique", "!unique needs more values than bool has"),
        ("kind:enum(low,high)!unique", "!unique needs more values than enum has"),
        ("project:ref(projects,setnull)", "setnull needs an optional ref"),
        ("project:ref(projects,keep)?", "delete behaviour is one of"),
        ("project_id:ref(projects)?", "name the ref without _id"),
        ("project:ref(projects)? project_id:uuid", "a second field with the column project_id"),
        ("title:str title:text", "a second field with the column title"),
        ("title:str='unclosed", "No closing quotation"),
        ("count:int(0..99999999999999999999)", "must fit a 64-bit integer"),
    ],
)
def test_a_malformed_spec_is_refused_in_one_line_naming_the_field(spec: str, reason: str) -> None:
    with pytest.raises(SpecError) as refused:
        parse(spec)
    message = str(refused.value)
    assert reason in message
    assert "\n" not in message
    first = spec.split(" ")[-1 if "second field" in reason else 0]
    if spec and "quotation" not in reason:
        assert repr(first) in message
