"""aicrm.import_customers: the mapping, the natural key, all-or-nothing and errors by line."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from psycopg.types.json import Jsonb

from tests.factories import make_customer, make_tenant
from tests.helpers import act_as, sql_error

MAPPING: dict[str, Any] = {
    "columns": {
        "id": "external_id",
        "company": "name",
        "industry_id": "industry_category",
        "notes": "business_description",
        "usps": "unique_selling_points",
        "products_json": "products_services",
        "legacy_owner": None,
    },
    "values": {"industry_category": {"12": "food_beverage", "31": "fitness", "40": "home_services"}},
    "split": {"unique_selling_points": ";"},
}


def row(external_id: str, **cells: Any) -> dict[str, Any]:
    data = {"id": external_id, "company": f"Company {external_id}", "industry_id": "12"}
    data.update(cells)
    return data


def lines(*rows: dict[str, Any], start: int = 2) -> list[dict[str, Any]]:
    """Rows as the runner sends them: {"line": n, "data": {...}}, the first data line of a CSV being 2."""
    return [{"line": start + i, "data": r} for i, r in enumerate(rows)]


def run_import(
    conn: psycopg.Connection[Any], rows: Any, mapping: Any = None, *, dry_run: bool = False
) -> dict[str, Any]:
    found = conn.execute(
        "select aicrm.import_customers(p_rows => %s, p_mapping => %s, p_dry_run => %s)",
        (Jsonb(rows), Jsonb(MAPPING if mapping is None else mapping), dry_run),
    ).fetchone()
    assert found is not None
    report: dict[str, Any] = found[0]
    return report


def customer(conn: psycopg.Connection[Any], external_id: str) -> dict[str, Any] | None:
    found = conn.execute(
        "select to_jsonb(c) from aicrm.customers c where c.external_id = %s", (external_id,)
    ).fetchone()
    return None if found is None else dict(found[0])


def count_customers(conn: psycopg.Connection[Any]) -> int:
    found = conn.execute("select count(*) from aicrm.customers").fetchone()
    return int(found[0]) if found else -1


# --- mapping -----------------------------------------------------------------------------------


def test_columns_values_splits_and_json_cells_are_mapped(db: psycopg.Connection[Any], tenant: str) -> None:
    products = '[{"name": "Sourdough loaf", "price": 6.5, "currency": "USD"}]'
    with act_as(db, tenant):
        report = run_import(
            db,
            lines(
                row(
                    "C-1",
                    notes="Family bakery since 1987.",
                    usps="Baked daily ; Organic flour;;Local ",
                    products_json=products,
                    legacy_owner="jsmith",
                    website="https://sunrise.example.com",
                )
            ),
        )
        stored = customer(db, "C-1")
    assert report["errors"] == []
    assert (report["created"], report["applied"]) == (1, True)
    assert stored is not None
    assert stored["name"] == "Company C-1"
    assert stored["industry_category"] == "food_beverage"
    assert stored["business_description"] == "Family bakery since 1987."
    assert stored["unique_selling_points"] == ["Baked daily", "Organic flour", "Local"]
    assert stored["products_services"] == [{"name": "Sourdough loaf", "price": 6.5, "currency": "USD"}]
    assert stored["website"] == "https://sunrise.example.com"


def test_empty_and_padded_cells(db: psycopg.Connection[Any], tenant: str) -> None:
    with act_as(db, tenant):
        report = run_import(db, lines(row(" C-2 ", company="  Padded Co ", email="", phone="  ", notes=None)))
        stored = customer(db, "C-2")
    assert report["errors"] == []
    assert stored is not None
    assert stored["name"] == "Padded Co"
    assert (stored["email"], stored["phone"], stored["business_description"]) == (None, None, None)


def test_json_lines_numbers_become_text_for_text_fields(db: psycopg.Connection[Any], tenant: str) -> None:
    # JSON Lines exports give ids and industry codes as numbers.
    with act_as(db, tenant):
        report = run_import(db, lines({"id": 1001, "company": "Numbers Inc", "industry_id": 31, "phone": 5551234567}))
        stored = customer(db, "1001")
    assert report["errors"] == []
    assert stored is not None
    assert (stored["industry_category"], stored["phone"]) == ("fitness", "5551234567")


def test_defaults_fill_only_what_neither_row_nor_customer_has(db: psycopg.Connection[Any], tenant: str) -> None:
    mapping = {**MAPPING, "defaults": {"status": "prospect", "website": "https://default.example.com"}}
    with act_as(db, tenant):
        run_import(db, lines(row("C-3"), row("C-4", website="https://own.example.com")), mapping)
        assert customer(db, "C-3")["status"] == "prospect"  # type: ignore[index]
        assert customer(db, "C-3")["website"] == "https://default.example.com"  # type: ignore[index]
        assert customer(db, "C-4")["website"] == "https://own.example.com"  # type: ignore[index]
        # Edited in the app since: a re-import must not put the default back.
        db.execute("update aicrm.customers set status = 'active' where external_id = 'C-3'")
        report = run_import(db, lines(row("C-3"), row("C-4", website="https://own.example.com")), mapping)
        assert customer(db, "C-3")["status"] == "active"  # type: ignore[index]
    assert (report["updated"], report["unchanged"]) == (0, 2)


def test_ignore_unknown_columns(db: psycopg.Connection[Any], tenant: str) -> None:
    with act_as(db, tenant):
        refused = run_import(db, lines(row("C-5", fax="555-0100")))
        accepted = run_import(db, lines(row("C-5", fax="555-0100")), {**MAPPING, "ignore_unknown_columns": True})
    assert refused["errors"][0]["field"] == "fax"
    assert accepted["errors"] == []
    assert accepted["created"] == 1


def test_a_column_mapped_to_null_is_ignored(db: psycopg.Connection[Any], tenant: str) -> None:
    with act_as(db, tenant):
        report = run_import(db, lines(row("C-6", legacy_owner="not a customer field")))
        stored = customer(db, "C-6")
    assert report["errors"] == []
    assert stored is not None
    assert "legacy_owner" not in stored


def test_an_unknown_column_is_an_error_naming_the_source_column(db: psycopg.Connection[Any], tenant: str) -> None:
    with act_as(db, tenant):
        report = run_import(db, lines(row("C-7", sales_rep="Dana")))
    [error] = report["errors"]
    assert (error["line"], error["field"], error["sqlstate"]) == (2, "sales_rep", "AC001")
    assert "columns" in error["hint"]


def test_a_bad_json_cell_names_the_field(db: psycopg.Connection[Any], tenant: str) -> None:
    with act_as(db, tenant):
        report = run_import(db, lines(row("C-8", products_json="[{name: Bread}]")))
    [error] = report["errors"]
    assert (error["field"], error["sqlstate"]) == ("products_services", "AC001")


def test_a_plain_array_of_objects_is_accepted_even_with_a_line_column(db: psycopg.Connection[Any], tenant: str) -> None:
    mapping = {**MAPPING, "columns": {**MAPPING["columns"], "line": None, "data": None}}
    with act_as(db, tenant):
        report = run_import(db, [row("C-9", line="Product line A"), row("C-10", data="x"), "not an object"], mapping)
    assert (report["created"], report["applied"]) == (2, False)  # the two good rows would be created
    [error] = report["errors"]
    assert (error["line"], error["field"]) == (3, "row")


# --- real CRM exports: several columns per field, several fields per column ------------------

ADDRESS_MAPPING: dict[str, Any] = {
    "columns": {
        "id": "external_id",
        "company": "name",
        "industry_id": "industry_category",
        "city": "address.city",
        "state": "address.region",
        "zip": "address.postal_code",
        "country": "address.country",
    },
    "combine": {"address.street": ["street", "street2"]},
    "values": {"industry_category": {"12": "food_beverage"}, "address.country": {"united states": "US"}},
}


def test_several_columns_build_the_address_and_empty_parts_are_skipped(
    db: psycopg.Connection[Any], tenant: str
) -> None:
    rows = lines(
        row(
            "A-1",
            street="1208 South Congress Ave",
            street2="Suite 4",
            city="Austin",
            state="TX",
            zip="78704",
            country="United States",
        ),
        row("A-2", street="55 Elm St", street2=" ", city="Round Rock", state="", zip=78664),
        row("A-3", street="", street2="", city="", state="", zip=""),
    )
    with act_as(db, tenant):
        report = run_import(db, rows, ADDRESS_MAPPING)
        stored = {k: customer(db, k) for k in ("A-1", "A-2", "A-3")}
    assert report["errors"] == []
    assert stored["A-1"]["address"] == {  # type: ignore[index]
        "street": "1208 South Congress Ave, Suite 4",
        "city": "Austin",
        "region": "TX",
        "postal_code": "78704",
        "country": "US",
    }
    assert stored["A-2"]["address"] == {"street": "55 Elm St", "city": "Round Rock", "postal_code": "78664"}  # type: ignore[index]
    assert stored["A-3"]["address"] == {}  # type: ignore[index]


def test_combine_joins_text_columns_with_its_separator(db: psycopg.Connection[Any], tenant: str) -> None:
    columns = {k: v for k, v in MAPPING["columns"].items() if k != "notes"}  # notes feeds combine only
    mapping = {
        **MAPPING,
        "columns": columns,
        "combine": {"business_description": {"columns": ["about", "notes"], "separator": "\n\n"}},
    }
    with act_as(db, tenant):
        report = run_import(
            db,
            lines(
                row("J-1", about="Family bakery.", notes="Closed Mondays."), row("J-2", about="", notes="Only notes.")
            ),
            mapping,
        )
        assert customer(db, "J-1")["business_description"] == "Family bakery.\n\nClosed Mondays."  # type: ignore[index]
        assert customer(db, "J-2")["business_description"] == "Only notes."  # type: ignore[index]
    assert report["errors"] == []


def test_one_column_fills_several_fields(db: psycopg.Connection[Any], tenant: str) -> None:
    mapping = {
        "columns": {
            "id": "external_id",
            "company": "name",
            "industry_id": None,
            "Industry": ["industry_category", "industry_subcategory"],
        },
        "values": {
            "industry_category": {"Restaurants": "food_beverage", "Dental": "health_wellness"},
            "industry_subcategory": {"Restaurants": "restaurant", "Dental": "dental"},
        },
    }
    with act_as(db, tenant):
        report = run_import(db, lines(row("F-1", Industry="Restaurants"), row("F-2", Industry="Dental")), mapping)
        first, second = customer(db, "F-1"), customer(db, "F-2")
    assert report["errors"] == []
    assert first is not None
    assert second is not None
    assert (first["industry_category"], first["industry_subcategory"]) == ("food_beverage", "restaurant")
    assert (second["industry_category"], second["industry_subcategory"]) == ("health_wellness", "dental")


def test_two_columns_giving_one_field_different_values_is_a_bad_row(db: psycopg.Connection[Any], tenant: str) -> None:
    mapping = {**MAPPING, "columns": {**MAPPING["columns"], "mobile": "phone", "office": "phone"}}
    with act_as(db, tenant):
        report = run_import(
            db,
            lines(
                row("P-1", mobile="512 555 0100", office=""), row("P-2", mobile="512 555 0100", office="512 555 0199")
            ),
            mapping,
        )
    [error] = report["errors"]
    assert (error["line"], error["field"], error["sqlstate"]) == (3, "phone", "AC001")
    assert "combine" in error["hint"]
    assert report["created"] == 1


def test_bare_domains_get_https_and_the_report_says_so(db: psycopg.Connection[Any], tenant: str) -> None:
    rows = lines(
        row("W-1", website="sunrise.example.com"),
        row("W-2", website="https://bright.example.com"),
        row("W-3", website="www.peak.example.com/classes"),
        row("W-4", website="ftp://files.example.com"),
    )
    with act_as(db, tenant):
        report = run_import(db, rows)
        run_import(db, rows[:3])
        stored = {k: customer(db, k)["website"] for k in ("W-1", "W-2", "W-3")}  # type: ignore[index]
    assert stored == {
        "W-1": "https://sunrise.example.com",
        "W-2": "https://bright.example.com",
        "W-3": "https://www.peak.example.com/classes",
    }
    [note] = report["notes"]
    assert (note["code"], note["field"], note["lines"]) == ("website_scheme_added", "website", [2, 4])
    assert [(e["line"], e["field"]) for e in report["errors"]] == [(5, "website")]


def test_values_match_ignoring_case(db: psycopg.Connection[Any], tenant: str) -> None:
    mapping = {**MAPPING, "values": {**MAPPING["values"], "status": {"Customer": "active", "lead": "prospect"}}}
    with act_as(db, tenant):
        report = run_import(
            db,
            lines(row("CI-1", status="customer"), row("CI-2", status="CUSTOMER"), row("CI-3", status="Lead")),
            mapping,
        )
        statuses = [customer(db, k)["status"] for k in ("CI-1", "CI-2", "CI-3")]  # type: ignore[index]
    assert report["errors"] == []
    assert statuses == ["active", "active", "prospect"]


def test_unknown_columns_are_one_error_naming_every_column(db: psycopg.Connection[Any], tenant: str) -> None:
    rows = lines(
        *(row(f"UC-{n}", fax="555-0100", Owner="Dana", email=f"o{n}@example.com") for n in range(1, 4)),
        row("UC-4", email="bad"),
    )

    def call(batch: Any, import_id: str) -> dict[str, Any]:
        found = db.execute(
            "select aicrm.import_customers(p_rows => %s, p_mapping => %s, p_import_id => %s)",
            (Jsonb(batch), Jsonb(MAPPING), import_id),
        ).fetchone()
        assert found is not None
        return dict(found[0])

    with act_as(db, tenant):
        first = call(rows[:2], "file-u")
        second = call(rows[2:], "file-u")  # the next batch of the same file: not reported again
        assert count_customers(db) == 0
    [unknown] = first["errors"]
    assert (unknown["line"], unknown["field"], unknown["sqlstate"]) == (2, "fax", "AC001")
    assert unknown["columns"] == ["fax", "Owner"]
    assert "Owner" in unknown["error"]
    assert first["created"] == 2  # the rows themselves are checked too
    assert [(e["line"], e["field"]) for e in second["errors"]] == [(5, "email")]


def test_ignored_unknown_columns_are_named_in_a_note(db: psycopg.Connection[Any], tenant: str) -> None:
    with act_as(db, tenant):
        report = run_import(db, lines(row("IG-1", fax="1", Owner="Dana")), {**MAPPING, "ignore_unknown_columns": True})
    assert report["errors"] == []
    [note] = report["notes"]
    assert (note["code"], note["columns"]) == ("columns_ignored", ["fax", "Owner"])


# --- on_duplicate ------------------------------------------------------------------------------


@pytest.mark.parametrize(("mode", "kept", "skipped"), [("first", "First name", 4), ("last", "Last name", 2)])
def test_on_duplicate_keeps_the_first_or_last_row(
    db: psycopg.Connection[Any], tenant: str, mode: str, kept: str, skipped: int
) -> None:
    rows = lines(row("OD-1", company="First name"), row("OD-2"), row("OD-1", company="Last name"))
    with act_as(db, tenant):
        report = run_import(db, rows, {**MAPPING, "on_duplicate": mode})
        again = run_import(db, rows, {**MAPPING, "on_duplicate": mode})
        assert customer(db, "OD-1")["name"] == kept  # type: ignore[index]
    assert (report["created"], report["skipped"], report["errors"]) == (2, 1, [])
    assert [c for c in report["changes"] if c["action"] == "skip"] == [
        {"line": skipped, "external_id": "OD-1", "action": "skip", "kept_line": 6 - skipped}
    ]
    assert [c["line"] for c in report["changes"]] == sorted(c["line"] for c in report["changes"])
    assert (again["unchanged"], again["skipped"], again["updated"]) == (2, 1, 0)  # a re-run changes nothing


def test_on_duplicate_last_across_calls_needs_them_from_the_end(db: psycopg.Connection[Any], tenant: str) -> None:
    mapping = {**MAPPING, "on_duplicate": "last"}

    def call(batch: Any, import_id: str) -> dict[str, Any]:
        found = db.execute(
            "select aicrm.import_customers(p_rows => %s, p_mapping => %s, p_import_id => %s)",
            (Jsonb(batch), Jsonb(mapping), import_id),
        ).fetchone()
        assert found is not None
        return dict(found[0])

    early, late = lines(row("X-1", company="Old")), lines(row("X-1", company="New"), start=9)
    with act_as(db, tenant):
        backwards = [call(late, "backwards"), call(early, "backwards")]
        assert customer(db, "X-1")["name"] == "New"  # type: ignore[index]
        forwards = [call(early, "forwards"), call(late, "forwards")]
    assert [(r["created"], r["skipped"], r["errors"]) for r in backwards] == [(1, 0, []), (0, 1, [])]
    [error] = forwards[1]["errors"]
    assert (error["line"], error["field"]) == (9, "external_id")
    assert "line 2" in error["error"]


# --- brand voice -------------------------------------------------------------------------------


def industry_voice(conn: psycopg.Connection[Any], category: str) -> dict[str, Any]:
    found = conn.execute(
        "select default_brand_voice from aicrm.industries where industry_category = %s", (category,)
    ).fetchone()
    assert found is not None
    return dict(found[0])


def test_new_customers_get_their_industry_brand_voice(db: psycopg.Connection[Any], tenant: str) -> None:
    own_voice = {"tone": ["playful"], "formality": "casual"}
    with act_as(db, tenant):
        run_import(db, lines(row("V-1"), row("V-2", industry_id="31")))
        db.execute(
            "select aicrm.upsert_business_profile(%s)",
            (
                Jsonb(
                    {
                        "name": "Company V-3",
                        "industry_category": "fitness",
                        "external_id": "V-3",
                        "brand_voice": own_voice,
                    }
                ),
            ),
        )
        report = run_import(db, lines(row("V-3", industry_id="31")))
        assert customer(db, "V-1")["brand_voice"] == industry_voice(db, "food_beverage")  # type: ignore[index]
        assert customer(db, "V-2")["brand_voice"] == industry_voice(db, "fitness")  # type: ignore[index]
        assert customer(db, "V-3")["brand_voice"] == own_voice  # type: ignore[index]
    assert report["unchanged"] == 1


def test_an_existing_customer_without_a_brand_voice_gets_the_industry_one(
    db: psycopg.Connection[Any], tenant: str
) -> None:
    make_customer(db, tenant, name="Bare", external_id="V-4", industry_category="fitness", industry_subcategory="gym")
    with act_as(db, tenant):
        assert customer(db, "V-4")["brand_voice"] == {}  # type: ignore[index]
        report = run_import(db, lines(row("V-4", company="Bare", industry_id="31")))
        assert customer(db, "V-4")["brand_voice"] == industry_voice(db, "fitness")  # type: ignore[index]
    assert report["changes"][0]["fields"] == ["brand_voice"]


def test_the_industry_brand_voice_can_be_turned_off(db: psycopg.Connection[Any], tenant: str) -> None:
    with act_as(db, tenant):
        run_import(db, lines(row("V-5")), {**MAPPING, "default_brand_voice_by_industry": False})
        assert customer(db, "V-5")["brand_voice"] == {}  # type: ignore[index]


# --- idempotency -------------------------------------------------------------------------------


def test_reimporting_the_same_rows_changes_nothing(db: psycopg.Connection[Any], tenant: str) -> None:
    rows = lines(
        row("R-1", usps="Fast;Friendly", products_json='[{"name": "Repair"}]'),
        row("R-2", notes="Gym", industry_id="31"),
        row("R-3"),
    )
    with act_as(db, tenant):
        first = run_import(db, rows)
        before = {
            r[0]: r[1:] for r in db.execute("select external_id, context_version, updated_at from aicrm.customers")
        }
        second = run_import(db, rows)
        after = {
            r[0]: r[1:] for r in db.execute("select external_id, context_version, updated_at from aicrm.customers")
        }
        snapshots = db.execute("select count(*) from aicrm.customer_context_versions").fetchone()
    assert first["created"] == 3
    assert (second["created"], second["updated"], second["unchanged"]) == (0, 0, 3)
    assert second["changes"] == []
    assert after == before
    assert snapshots == (3,)


def test_a_changed_row_is_one_update_naming_the_fields(db: psycopg.Connection[Any], tenant: str) -> None:
    with act_as(db, tenant):
        run_import(db, lines(row("U-1"), row("U-2")))
        version = customer(db, "U-2")["context_version"]  # type: ignore[index]
        report = run_import(db, lines(row("U-1"), row("U-2", notes="Now with a description")))
        stored = customer(db, "U-2")
    assert (report["created"], report["updated"], report["unchanged"]) == (0, 1, 1)
    [change] = report["changes"]
    assert (change["line"], change["external_id"], change["action"]) == (3, "U-2", "update")
    assert change["fields"] == ["business_description"]
    assert stored is not None
    assert stored["context_version"] == version + 1


def test_an_external_id_twice_in_one_import_is_refused_by_line(db: psycopg.Connection[Any], tenant: str) -> None:
    with act_as(db, tenant):
        report = run_import(db, lines(row("D-1"), row("D-2"), row("D-1", company="Other name")))
        assert count_customers(db) == 0
    [error] = report["errors"]
    assert (error["line"], error["field"]) == (4, "external_id")
    assert "line 2" in error["error"]


def test_calls_sharing_an_import_id_are_one_import(db: psycopg.Connection[Any], tenant: str) -> None:
    # The runner sends a file in batches inside one transaction with one p_import_id: a duplicate
    # across batches is caught; a call without it (or with another id) is a new import.
    def batch(rows: Any, import_id: str | None) -> dict[str, Any]:
        found = db.execute(
            "select aicrm.import_customers(p_rows => %s, p_mapping => %s, p_import_id => %s)",
            (Jsonb(rows), Jsonb(MAPPING), import_id),
        ).fetchone()
        assert found is not None
        return dict(found[0])

    with act_as(db, tenant):
        first = batch(lines(row("B-1"), row("B-2"), start=2), "file-1")
        duplicate = batch(lines(row("B-3"), row("B-1"), start=4), "file-1")
        again = batch(lines(row("B-1"), row("B-2"), start=2), None)
    assert first["created"] == 2
    assert [(e["line"], e["field"]) for e in duplicate["errors"]] == [(5, "external_id")]
    assert (again["unchanged"], again["errors"]) == (2, [])


def test_the_once_per_import_check_is_per_tenant(db: psycopg.Connection[Any]) -> None:
    tenant_a, tenant_b = make_tenant(db, "Agency A"), make_tenant(db, "Agency B")
    with act_as(db, tenant_b):
        in_b = run_import(db, lines(row("S-1"), start=2))
    with act_as(db, tenant_a):
        in_a = run_import(db, lines(row("S-1"), start=3))  # continues the lines, in another tenant
    assert (in_b["created"], in_a["created"], in_a["errors"]) == (1, 1, [])


# --- errors and all-or-nothing -----------------------------------------------------------------


def test_bad_rows_are_reported_by_line_and_nothing_is_written(db: psycopg.Connection[Any], tenant: str) -> None:
    rows = lines(
        row("E-1"),
        row("E-2", email="not-an-email"),
        row("E-3"),
        row("E-4", industry_id="99"),
        {"company": "No id", "industry_id": "12"},
        row("E-6", company=""),
    )
    with act_as(db, tenant):
        report = run_import(db, rows)
        assert count_customers(db) == 0
    errors = {e["line"]: e for e in report["errors"]}
    assert sorted(errors) == [3, 5, 6, 7]
    assert (errors[3]["field"], errors[3]["sqlstate"]) == ("email", "AC001")
    assert errors[3]["hint"]
    assert errors[5]["field"] == "industry_category"
    assert "food_beverage" in errors[5]["hint"]
    assert errors[6]["field"] == "external_id"
    assert errors[7]["field"] == "name"
    assert report["applied"] is False
    assert report["created"] == 2  # what the good rows would have done


def test_a_failed_import_leaves_existing_customers_untouched(db: psycopg.Connection[Any], tenant: str) -> None:
    with act_as(db, tenant):
        run_import(db, lines(row("K-1", notes="Original")))
        report = run_import(db, lines(row("K-1", notes="Changed"), row("K-2", email="bad")))
        stored = customer(db, "K-1")
    assert report["applied"] is False
    assert stored is not None
    assert (stored["business_description"], stored["context_version"]) == ("Original", 1)


def test_a_dry_run_writes_nothing_and_reports_what_would_change(db: psycopg.Connection[Any], tenant: str) -> None:
    with act_as(db, tenant):
        run_import(db, lines(row("Y-1"), row("Y-2")))
        audit_before = db.execute("select count(*) from aicrm.audit_log").fetchone()
        report = run_import(db, lines(row("Y-1", notes="New text"), row("Y-2"), row("Y-3")), dry_run=True)
        audit_after = db.execute("select count(*) from aicrm.audit_log").fetchone()
        assert customer(db, "Y-3") is None
        assert customer(db, "Y-1")["business_description"] is None  # type: ignore[index]
    assert (report["dry_run"], report["applied"]) == (True, False)
    assert (report["created"], report["updated"], report["unchanged"]) == (1, 1, 1)
    assert {(c["external_id"], c["action"]) for c in report["changes"]} == {("Y-1", "update"), ("Y-3", "create")}
    assert audit_after == audit_before


def test_a_null_dry_run_flag_is_no_dry_run(db: psycopg.Connection[Any], tenant: str) -> None:
    with act_as(db, tenant):
        found = db.execute(
            "select aicrm.import_customers(%s, %s, null)", (Jsonb(lines(row("N-1"))), Jsonb(MAPPING))
        ).fetchone()
    assert found is not None
    assert (found[0]["applied"], found[0]["dry_run"], found[0]["created"]) == (True, False, 1)


# --- refusals of the whole call ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("mapping", "field"),
    [
        ({"columns": 5}, "mapping.columns"),
        ({"colums": {"id": "external_id"}}, "mapping.colums"),
        ({"columns": {"id": 7}}, "mapping.columns.id"),
        ({"columns": {"id": "externalid"}}, "mapping.columns.id"),
        ({"split": {"usps": ";"}}, "mapping.split.usps"),
        ({"values": {"industry": {"12": "food_beverage"}}}, "mapping.values.industry"),
        ({"defaults": {"brand_voice": {"tone": ["grumpy"]}}}, "mapping.defaults.brand_voice.tone[0]"),
        ({"defaults": {"external_id": "X"}}, "mapping.defaults.external_id"),
        ({"ignore_unknown_columns": "yes"}, "mapping.ignore_unknown_columns"),
        ({"columns": {"Industry": ["industry_category", "industy"]}}, "mapping.columns.Industry[1]"),
        ({"columns": {"Industry": []}}, "mapping.columns.Industry"),
        ({"columns": {"City": "address.town"}}, "mapping.columns.City"),
        ({"columns": {"First": "name.first"}}, "mapping.columns.First"),
        ({"values": {"address.country": {"USA": "US"}}, "split": {"address.x": ","}}, "mapping.split.address.x"),
        ({"combine": {"address": ["street", "city"]}}, "mapping.combine.address"),
        ({"combine": {"address.street": []}}, "mapping.combine.address.street"),
        ({"combine": {"phone": {"separator": " "}}}, "mapping.combine.phone.columns"),
        ({"combine": {"phone": ["a", "b"]}, "columns": {"tel": "phone"}}, "mapping.combine.phone"),
        ({"values": {"status": {"Lead": "prospect", "LEAD": "active"}}}, "mapping.values.status"),
        ({"on_duplicate": "newest"}, "mapping.on_duplicate"),
    ],
)
def test_an_invalid_mapping_is_refused_naming_the_key(
    db: psycopg.Connection[Any], tenant: str, mapping: dict[str, Any], field: str
) -> None:
    with act_as(db, tenant):
        err = sql_error(db, "select aicrm.import_customers(%s, %s)", (Jsonb(lines(row("M-1"))), Jsonb(mapping)))
    assert err.sqlstate == "AC001"
    assert err.diag.column_name == field


@pytest.mark.parametrize(("rows", "count"), [({"id": "1"}, None), ("[]", None), (None, None), ([{}] * 5001, 5001)])
def test_rows_must_be_an_array_of_at_most_5000(
    db: psycopg.Connection[Any], tenant: str, rows: Any, count: int | None
) -> None:
    with act_as(db, tenant):
        err = sql_error(
            db, "select aicrm.import_customers(%s, %s)", (Jsonb(rows) if rows is not None else None, Jsonb({}))
        )
    assert (err.sqlstate, err.diag.column_name) == ("AC001", "rows")
    if count:
        assert str(count) in (err.diag.message_primary or "")


def test_5000_rows_is_allowed(db: psycopg.Connection[Any], tenant: str) -> None:
    # Rows without an id fail fast, so the call is quick; it is answered row by row, not refused.
    with act_as(db, tenant):
        report = run_import(db, [{"company": "No id"}] * 5000)
    assert (report["rows"], len(report["errors"])) == (5000, 5000)
    assert {e["field"] for e in report["errors"]} == {"external_id"}
    assert report["errors"][-1]["line"] == 5000


def test_no_tenant_is_refused(db: psycopg.Connection[Any]) -> None:
    with act_as(db, None):
        err = sql_error(db, "select aicrm.import_customers(%s, %s)", (Jsonb(lines(row("T-1"))), Jsonb(MAPPING)))
    assert err.sqlstate == "AC003"


def test_an_unknown_tenant_is_refused_once(db: psycopg.Connection[Any]) -> None:
    with act_as(db, "00000000-0000-4000-8000-0000000000aa"):
        err = sql_error(db, "select aicrm.import_customers(%s, %s)", (Jsonb(lines(row("T-2"))), Jsonb(MAPPING)))
    assert (err.sqlstate, err.diag.column_name) == ("AC002", "tenant_id")


# --- tenant isolation --------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["aicrm_app", None])
def test_the_same_external_id_in_another_tenant_is_another_customer(
    db: psycopg.Connection[Any], role: str | None
) -> None:
    """As the app role (RLS) and as the superuser that bypasses RLS (psql as postgres)."""
    tenant_a = make_tenant(db, "Agency A")
    tenant_b = make_tenant(db, "Agency B")
    b_customer = make_customer(db, tenant_b, name="Beta Bakery", external_id="SHARED-1")
    if role is None:
        db.execute("select set_config('aicrm.tenant_id', %s, true)", (tenant_a,))
        report = run_import(db, lines(row("SHARED-1", company="Alpha Gym", industry_id="31")))
    else:
        with act_as(db, tenant_a, role):
            report = run_import(db, lines(row("SHARED-1", company="Alpha Gym", industry_id="31")))
    stored = {
        str(r[0]): (str(r[1]), r[2], r[3])
        for r in db.execute(
            "select tenant_id, customer_id, name, context_version from aicrm.customers where external_id = 'SHARED-1'"
        )
    }
    assert (report["created"], report["updated"], report["errors"]) == (1, 0, [])
    assert stored[tenant_b] == (b_customer, "Beta Bakery", 1)
    assert stored[tenant_a][1] == "Alpha Gym"
