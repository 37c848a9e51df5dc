"""The PL/pgSQL JSON Schema validator (aicrm_private.json_schema_errors) over inline schemas, and
assert_json_valid, which turns its findings into one AC001 error naming the first bad path."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from psycopg.types.json import Jsonb

from tests.helpers import sql_error


def bad_paths(conn: psycopg.Connection[Any], schema: Any, value: Any) -> list[str]:
    """The paths json_schema_errors reports, in its order; [] means valid."""
    rows = conn.execute(
        "select path from aicrm_private.json_schema_errors(%s, %s)", (Jsonb(schema), Jsonb(value))
    ).fetchall()
    return [str(r[0]) for r in rows]


def nested(key: str, levels: int, leaf: Any) -> Any:
    for _ in range(levels):
        leaf = {key: leaf}
    return leaf


def nested_schema(levels: int) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object"}
    for _ in range(levels):
        schema = {"type": "object", "properties": {"a": schema}}
    return schema


CASES = [
    # type: one name, a list, integer versus number
    pytest.param({"type": "string"}, "a", [], id="type-string"),
    pytest.param({"type": "string"}, 1, [""], id="type-string-not-number"),
    pytest.param({"type": "object"}, [], [""], id="type-object-not-array"),
    pytest.param({"type": "array"}, {}, [""], id="type-array-not-object"),
    pytest.param({"type": "boolean"}, "true", [""], id="type-boolean-not-string"),
    pytest.param({"type": "null"}, None, [], id="type-null"),
    pytest.param({"type": ["string", "null"]}, None, [], id="type-list-null"),
    pytest.param({"type": ["string", "null"]}, "a", [], id="type-list-string"),
    pytest.param({"type": ["string", "null"]}, 0, [""], id="type-list-neither"),
    pytest.param({"type": "integer"}, 3, [], id="integer"),
    pytest.param({"type": "integer"}, 3.0, [], id="integer-written-as-float"),
    pytest.param({"type": "integer"}, 3.5, [""], id="integer-not-fraction"),
    pytest.param({"type": "integer"}, "3", [""], id="integer-not-string"),
    pytest.param({"type": "number"}, 3.5, [], id="number-fraction"),
    pytest.param({"type": "number"}, 3, [], id="number-integer"),
    # enum and const compare whole values
    pytest.param({"enum": ["a", "b"]}, "b", [], id="enum"),
    pytest.param({"enum": ["a", "b"]}, "c", [""], id="enum-miss"),
    pytest.param({"enum": ["a", 1]}, "1", [""], id="enum-type-matters"),
    pytest.param({"enum": [["a", "b"]]}, ["a", "b"], [], id="enum-array"),
    pytest.param({"enum": [["a", "b"]]}, ["a"], [""], id="enum-array-not-subset"),
    pytest.param({"enum": [{"a": 1, "b": 2}]}, {"a": 1}, [""], id="enum-object-not-subset"),
    pytest.param({"const": "x"}, "x", [], id="const"),
    pytest.param({"const": "x"}, "y", [""], id="const-miss"),
    pytest.param({"const": {"a": [1]}}, {"a": [1, 2]}, [""], id="const-object"),
    # required, additionalProperties (false and a schema), properties
    pytest.param({"required": ["a", "b"]}, {"a": 1, "b": 2}, [], id="required"),
    pytest.param({"required": ["a", "b"]}, {}, ["a", "b"], id="required-both-missing"),
    pytest.param({"required": ["a", "b"]}, {"a": 1, "b": None}, ["b"], id="required-null-is-missing"),
    pytest.param(
        {"properties": {"a": {}}, "additionalProperties": False}, {"a": 1, "b": 2}, ["b"], id="additional-false"
    ),
    pytest.param(
        {"properties": {"a": {}}, "additionalProperties": {"type": "integer"}},
        {"a": "any", "x": 1, "y": "z"},
        ["y"],
        id="additional-schema",
    ),
    pytest.param({"properties": {"a": {"type": "string"}}}, {"a": 1, "b": 1}, ["a"], id="properties-open"),
    # arrays
    pytest.param({"items": {"type": "string"}}, ["a", 1, "b", 2], ["[1]", "[3]"], id="items"),
    pytest.param({"minItems": 2}, [1, 2], [], id="min-items"),
    pytest.param({"minItems": 2}, [1], [""], id="min-items-miss"),
    pytest.param({"maxItems": 2}, [1, 2], [], id="max-items"),
    pytest.param({"maxItems": 2}, [1, 2, 3], [""], id="max-items-miss"),
    pytest.param({"uniqueItems": True}, [1, "1", [1], {"a": 1}], [], id="unique"),
    pytest.param({"uniqueItems": True}, [1, 2, 1], [""], id="unique-duplicate"),
    pytest.param({"uniqueItems": True}, [{"a": 1}, {"a": 1}], [""], id="unique-duplicate-objects"),
    pytest.param({"uniqueItems": False}, [1, 1], [], id="unique-false"),
    # numbers: inclusive bounds
    pytest.param({"minimum": 1, "maximum": 5}, 1, [], id="minimum-inclusive"),
    pytest.param({"minimum": 1, "maximum": 5}, 5, [], id="maximum-inclusive"),
    pytest.param({"minimum": 1, "maximum": 5}, 0.99, [""], id="below-minimum"),
    pytest.param({"minimum": 1, "maximum": 5}, 5.01, [""], id="above-maximum"),
    pytest.param({"minimum": 1}, "0", [], id="minimum-ignores-strings"),
    # strings: lengths in characters, patterns
    pytest.param({"minLength": 2}, "ab", [], id="min-length"),
    pytest.param({"minLength": 1}, "", [""], id="min-length-empty"),
    pytest.param({"maxLength": 3}, "héé", [], id="max-length-counts-characters"),
    pytest.param({"maxLength": 3}, "abcd", [""], id="max-length-miss"),
    pytest.param({"pattern": "^[A-Z]{2}$"}, "US", [], id="pattern"),
    pytest.param({"pattern": "^[A-Z]{2}$"}, "USA", [""], id="pattern-miss"),
    pytest.param({"pattern": "^[A-Z]{2}$"}, 12, [], id="pattern-ignores-numbers"),
    # true, false and empty schemas
    pytest.param(True, {"anything": [1]}, [], id="schema-true"),
    pytest.param({}, {"anything": [1]}, [], id="schema-empty"),
    pytest.param({"properties": {"a": False}}, {"a": 1}, ["a"], id="schema-false"),
    # $ref to a stored schema
    pytest.param({"$ref": "customer.address"}, {"city": "Austin", "country": "US"}, [], id="ref"),
    pytest.param(
        {"$ref": "customer.address"}, {"country": "usa", "planet": "Earth"}, ["country", "planet"], id="ref-bad"
    ),
    pytest.param(
        {"properties": {"voice": {"$ref": "customer.brand_voice"}}},
        {"voice": {"tone": ["warm", "loud"]}},
        ["voice.tone[1]"],
        id="ref-nested",
    ),
]


@pytest.mark.parametrize(("schema", "value", "paths"), CASES)
def test_json_schema_errors(db: psycopg.Connection[Any], schema: Any, value: Any, paths: list[str]) -> None:
    assert sorted(bad_paths(db, schema, value)) == sorted(paths)  # one row per problem, any order


def test_paths_name_keys_and_indexes(db: psycopg.Connection[Any]) -> None:
    schema = {"properties": {"a": {"properties": {"b": {"items": {"properties": {"c": {"type": "integer"}}}}}}}}
    value = {"a": {"b": [{"c": 1}, {"c": 2}, {"c": "three"}, {"d": "four"}]}}
    assert bad_paths(db, schema, value) == ["a.b[2].c"]
    assert bad_paths(db, {"items": {"items": {"type": "string"}}}, [["a"], ["b", 2]]) == ["[1][1]"]


def test_every_problem_is_reported(db: psycopg.Connection[Any]) -> None:
    schema = {
        "type": "object",
        "additionalProperties": False,
        "required": ["name"],
        "properties": {"tags": {"type": "array", "maxItems": 1, "items": {"type": "string"}}, "n": {"minimum": 0}},
    }
    value = {"tags": ["a", 1], "n": -1, "x": True}
    assert sorted(bad_paths(db, schema, value)) == sorted(["name", "tags", "tags[1]", "n", "x"])


def test_a_ref_to_a_missing_schema_is_an_error(db: psycopg.Connection[Any]) -> None:
    for schema in ({"$ref": "no.such.schema"}, {"properties": {"a": {"$ref": "no.such.schema"}}}):
        err = sql_error(db, "select * from aicrm_private.json_schema_errors(%s, %s)", (Jsonb(schema), Jsonb({"a": 1})))
        assert err.sqlstate == "AC001"


def test_every_stored_ref_names_a_stored_schema(db: psycopg.Connection[Any]) -> None:
    dangling = db.execute(
        "select s.schema_name, r #>> '{}' from aicrm.json_schemas s, "
        "jsonb_path_query(s.definition, 'strict $.**.\"$ref\"') r "
        "where not exists (select from aicrm.json_schemas t where t.schema_name = r #>> '{}')"
    ).fetchall()
    refs = db.execute(
        "select count(*) from aicrm.json_schemas s, jsonb_path_query(s.definition, 'strict $.**.\"$ref\"') r"
    ).fetchone()
    assert dangling == []
    assert refs is not None
    assert refs[0] > 0


def test_nesting_is_limited_to_32_levels(db: psycopg.Connection[Any]) -> None:
    assert bad_paths(db, nested_schema(32), nested("a", 32, {})) == []
    too_deep = bad_paths(db, nested_schema(40), nested("a", 40, {}))
    assert too_deep == [".".join(["a"] * 33)]


def test_a_self_referencing_schema_stops_at_the_limit(db: psycopg.Connection[Any]) -> None:
    # Stored (as the superuser) inside the test's transaction, so it is rolled back.
    db.execute(
        "insert into aicrm.json_schemas (schema_name, description, definition) values "
        "('test.loop', 'refers to itself', '{\"$ref\": \"test.loop\"}'), "
        "('test.node', 'a linked list', %s)",
        (Jsonb({"type": "object", "additionalProperties": False, "properties": {"next": {"$ref": "test.node"}}}),),
    )
    assert len(bad_paths(db, {"$ref": "test.loop"}, 1)) == 1
    assert bad_paths(db, {"$ref": "test.node"}, nested("next", 10, {})) == []
    deep = bad_paths(db, {"$ref": "test.node"}, nested("next", 100, {}))
    assert len(deep) == 1
    assert deep[0].startswith("next.next")


# --- assert_json_valid ------------------------------------------------------------------------


ASSERT_VALID = "select aicrm_private.assert_json_valid('customer.brand_voice', %s)"


def test_assert_json_valid_passes_a_valid_value(db: psycopg.Connection[Any]) -> None:
    """A valid value passes, as json_schema_errors finds it valid; the same call refuses it once one
    field breaks the schema, so passing is the schema's verdict, not a check that never looked."""
    valid = {"tone": ["warm", "friendly"], "formality": "conversational", "phrases_to_use": ["baked fresh"]}
    assert bad_paths(db, {"$ref": "customer.brand_voice"}, valid) == []
    db.execute(ASSERT_VALID, (Jsonb(valid),))  # raises nothing
    err = sql_error(db, ASSERT_VALID, (Jsonb({**valid, "tone": "warm"}),))
    assert (err.sqlstate, err.diag.column_name) == ("AC001", "tone")


def test_assert_json_valid_names_the_first_bad_path_and_lists_all(db: psycopg.Connection[Any]) -> None:
    value = {"phrases_to_use": [""], "tone": "warm", "colour": "red"}
    problems = bad_paths(db, {"$ref": "customer.brand_voice"}, value)
    assert sorted(problems) == ["colour", "phrases_to_use[0]", "tone"]
    err = sql_error(db, "select aicrm_private.assert_json_valid('customer.brand_voice', %s)", (Jsonb(value),))
    assert err.sqlstate == "AC001"
    assert err.diag.column_name == problems[0]
    assert (err.diag.message_primary or "").startswith(f"{problems[0]}:")
    detail = err.diag.message_detail or ""
    assert all(p in detail for p in problems), detail


def test_assert_json_valid_prefixes_the_field(db: psycopg.Connection[Any]) -> None:
    err = sql_error(
        db,
        "select aicrm_private.assert_json_valid('customer.brand_voice', %s, 'brand_voice')",
        (Jsonb({"tone": ["warm", "shouty"]}),),
    )
    assert err.sqlstate == "AC001"
    assert err.diag.column_name == "brand_voice.tone[1]"


def test_assert_json_valid_refuses_an_unknown_schema(db: psycopg.Connection[Any]) -> None:
    err = sql_error(db, "select aicrm_private.assert_json_valid('no.such.schema', '{}')")
    assert err.sqlstate == "AC001"


@pytest.mark.parametrize("role", ["aicrm_app", "aicrm_worker", "aicrm_readonly"])
def test_every_role_may_validate(db: psycopg.Connection[Any], role: str) -> None:
    db.execute(f"set local role {role}")
    assert bad_paths(db, {"$ref": "customer.address"}, {"country": "usa"}) == ["country"]
    err = sql_error(db, "select aicrm_private.assert_json_valid('customer.address', '{\"country\": \"usa\"}')")
    assert (err.sqlstate, err.diag.column_name) == ("AC001", "country")


@pytest.mark.parametrize(("schema", "value", "paths"), CASES)
def test_fast_validity_agrees_with_the_errors(
    db: psycopg.Connection[Any], schema: Any, value: Any, paths: list[str]
) -> None:
    """assert_json_valid asks json_schema_valid first and words the errors only when it says no: the
    two must agree on every case, or an invalid document would pass."""
    row = db.execute("select aicrm_private.json_schema_valid(%s, %s)", (Jsonb(schema), Jsonb(value))).fetchone()
    assert row is not None
    assert row[0] is (not paths)


def test_fast_validity_agrees_on_nested_documents(db: psycopg.Connection[Any]) -> None:
    """Leaves checked inline (a scalar under its field's schema) and nested objects and arrays, at
    the depth limit too."""
    schema = {
        "type": "object",
        "additionalProperties": False,
        "required": ["name"],
        "properties": {
            "name": {"type": "string", "minLength": 1, "maxLength": 5, "pattern": "^[a-z]+$"},
            "n": {"type": ["integer", "null"], "minimum": 0, "maximum": 9},
            "kind": {"enum": ["a", "b", 1]},
            "tags": {"type": "array", "maxItems": 2, "uniqueItems": True, "items": {"type": "string", "const": "x"}},
            "deep": {"$ref": "customer.address"},
        },
    }
    values = [
        {"name": "abc"},
        {"name": "abcdef"},
        {"name": "ABC"},
        {"name": ""},
        {"name": "ab", "n": 3},
        {"name": "ab", "n": 3.0},
        {"name": "ab", "n": 3.5},
        {"name": "ab", "n": 10},
        {"name": "ab", "n": None},
        {"name": "ab", "n": "3"},
        {"name": "ab", "kind": "b"},
        {"name": "ab", "kind": 1.0},
        {"name": "ab", "kind": "1"},
        {"name": "ab", "kind": ["a"]},
        {"name": "ab", "tags": ["x"]},
        {"name": "ab", "tags": ["x", "x"]},
        {"name": "ab", "tags": ["y"]},
        {"name": "ab", "deep": {"country": "US"}},
        {"name": "ab", "deep": {"country": "usa"}},
        {"name": "ab", "other": 1},
        {"name": None},
        [],
    ]
    for value in values:
        valid = db.execute("select aicrm_private.json_schema_valid(%s, %s)", (Jsonb(schema), Jsonb(value))).fetchone()
        assert valid is not None
        assert valid[0] is (not bad_paths(db, schema, value)), value
    for levels in (30, 31, 32, 33, 40):
        for leaf in (1, {}, {"b": 1}):
            value = nested("a", levels, leaf)
            valid = db.execute(
                "select aicrm_private.json_schema_valid(%s, %s)", (Jsonb(nested_schema(levels)), Jsonb(value))
            ).fetchone()
            assert valid is not None
            assert valid[0] is (not bad_paths(db, nested_schema(levels), value)), (levels, leaf)


def compiled_violation(conn: psycopg.Connection[Any], schema: Any, value: Any) -> bool | None:
    """What the schema's compiled SQL/JSON path says of the value: True a violation, None when the
    schema does not compile (assert_json_valid then walks it in PL/pgSQL)."""
    row = conn.execute(
        "select case when c.p_path is not null"
        " then jsonb_path_exists(%s, ('strict $ ? ' || c.p_path)::jsonpath) end"
        " from aicrm_private.json_schema_compile(%s, 0, null) c",
        (Jsonb(value), Jsonb(schema)),
    ).fetchone()
    assert row is not None
    return None if row[0] is None else bool(row[0])


@pytest.mark.parametrize(("schema", "value", "paths"), CASES)
def test_the_compiled_path_agrees_with_the_validator(
    db: psycopg.Connection[Any], schema: Any, value: Any, paths: list[str]
) -> None:
    """assert_json_valid trusts the compiled path's "no violation": it must never miss one. Where
    the path cannot say a keyword ($ref, uniqueItems), the schema does not compile."""
    got = compiled_violation(db, schema, value)
    if got is None:
        assert not_compilable(schema), schema
        return
    assert got is bool(paths)


def not_compilable(schema: Any) -> bool:
    """What the path cannot say: $ref, uniqueItems, an enum or const holding an array or object."""
    if not isinstance(schema, dict):
        return False
    if "$ref" in schema or "uniqueItems" in schema:
        return True
    members = [*schema.get("enum", []), *([schema["const"]] if "const" in schema else [])]
    if any(isinstance(m, (list, dict)) for m in members):
        return True
    subs = [*schema.get("properties", {}).values(), schema.get("items"), schema.get("additionalProperties")]
    return any(not_compilable(sub) for sub in subs)


def test_the_scorecards_schemas_compile_and_long_strings_fall_back(db: psycopg.Connection[Any]) -> None:
    rows = db.execute(
        "select schema_name, check_path is not null, size_limit from aicrm.json_schemas"
        " where schema_name in ('task.ai_instructions', 'task.quality_thresholds', 'quality.text_metrics')"
        " order by 1"
    ).fetchall()
    assert [(name, compiled) for name, compiled, _ in rows] == [
        ("quality.text_metrics", True),
        ("task.ai_instructions", True),
        ("task.quality_thresholds", True),
    ]
    # A string over a maxLength of 255 or more is beyond what the path checks: such a document is
    # longer than the size limit and is judged by the PL/pgSQL validator, which refuses it.
    err = sql_error(
        db,
        "select aicrm_private.assert_json_valid('task.ai_instructions', %s, 'instructions')",
        (Jsonb({"topic": "x" * 501}),),
    )
    assert (err.diag.sqlstate, err.diag.column_name) == ("AC001", "instructions.topic")
    valid = {
        "output_type": "email",
        "output_length": {"min_words": 100, "max_words": 200},
        "must_include": ["call to action"],
        "success_criteria": {"cta_present": True, "readability_score_min": 60},
        "topic": "x" * 500,
    }
    db.execute("select aicrm_private.assert_json_valid('task.ai_instructions', %s, 'instructions')", (Jsonb(valid),))
    for bad, column in [
        ({**valid, "must_include": [""]}, "instructions.must_include[0]"),
        ({**valid, "output_length": {"max_words": 2.5}}, "instructions.output_length.max_words"),
        ({**valid, "tone_override": ["x" * 51]}, "instructions.tone_override[0]"),
        ({**valid, "language": "english"}, "instructions.language"),
        (
            {**valid, "success_criteria": {"sentiment_target": ["positive"]}},
            "instructions.success_criteria.sentiment_target",
        ),
        ({**valid, "extra": 1}, "instructions.extra"),
    ]:
        err = sql_error(
            db, "select aicrm_private.assert_json_valid('task.ai_instructions', %s, 'instructions')", (Jsonb(bad),)
        )
        assert (err.diag.sqlstate, err.diag.column_name) == ("AC001", column), bad
