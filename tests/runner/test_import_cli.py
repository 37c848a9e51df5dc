"""`aicrm import customers`: the examples import, re-runs change nothing, bad files write nothing
and say why by line. The CLI opens its own connections, so these tests commit their setup."""

from __future__ import annotations

import csv
import json
import os
import pty
import select
import subprocess
import time
from pathlib import Path
from typing import Any

import psycopg
import pytest
from typer.testing import CliRunner

from runner.cli import app
from runner.config import Settings
from runner.errors import ConfigurationError
from runner.importer import Record, detect_format, read_records
from tests.factories import committed, make_tenant
from tests.processes import AICRM, command_env, run_aicrm

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "import"
CSV_FILE = EXAMPLES / "legacy_customers.csv"
JSONL_FILE = EXAMPLES / "legacy_customers.jsonl"
MAPPING = EXAMPLES / "mapping.json"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
HEADER = ["id", "company", "industry_id", "notes", "usps", "website", "phone", "email"]


@pytest.fixture
def tenant(db_url: str) -> str:
    """A new agency to import into; unlike the shared `tenant`, committed: the CLI opens its own
    connections."""
    return committed(db_url, lambda conn: make_tenant(conn, "Import Agency"))


@pytest.fixture
def cli(settings: Settings) -> CliRunner:
    return CliRunner()


def aicrm(db_url: str, *args: str | Path) -> subprocess.CompletedProcess[str]:
    """The installed console script, as a user runs it: exit code, stdout and stderr as they are."""
    return run_aicrm(db_url, *args, timeout=300)


def customers(db_url: str, tenant: str) -> dict[str, dict[str, Any]]:
    with psycopg.connect(db_url, autocommit=True) as conn:
        rows = conn.execute(
            "select external_id, to_jsonb(c) from aicrm.customers c where c.tenant_id = %s", (tenant,)
        ).fetchall()
    return {str(r[0]): dict(r[1]) for r in rows}


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, HEADER, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def good_row(n: int, **cells: str) -> dict[str, str]:
    row = {
        "id": f"L-{n}",
        "company": f"Legacy Customer {n}",
        "industry_id": "12",
        "notes": "A neighborhood bakery.",
        "usps": "Fresh bread; Friendly staff",
        "website": f"https://c{n}.example.com",
        "phone": "(512) 555-0100",
        "email": f"owner{n}@example.com",
    }
    row.update(cells)
    return row


# --- the examples ------------------------------------------------------------------------------


@pytest.mark.parametrize("file", [CSV_FILE, JSONL_FILE], ids=["csv", "jsonl"])
def test_the_examples_import_and_a_second_run_changes_nothing(db_url: str, tenant: str, file: Path) -> None:
    first = aicrm(db_url, "import", "customers", file, "--tenant", tenant, "--mapping", MAPPING)
    imported = customers(db_url, tenant)
    second = aicrm(db_url, "import", "customers", file, "--tenant", tenant, "--mapping", MAPPING)

    assert first.returncode == 0, first.stderr
    assert f"{file.name}: 10 rows; did create 10, update 0, leave 0 unchanged" in first.stdout
    assert len(imported) == 10
    bakery = imported["1001"]
    assert (bakery["industry_category"], bakery["industry_subcategory"], bakery["status"]) == (
        "food_beverage",
        "bakery",
        "active",
    )
    assert bakery["unique_selling_points"] == [
        "Baked fresh every morning",
        "Organic, locally milled flour",
        "Custom cakes in 48 hours",
    ]
    assert bakery["products_services"][0] == {"name": "Sourdough loaf", "price": 6.5, "currency": "USD"}
    assert bakery["brand_voice"]["tone"] == ["warm", "friendly"]  # the food_beverage default
    assert bakery["content_preferences"] == {"channels": ["email", "social"], "content_length": "short"}
    assert imported["1002"]["business_description"].endswith("\nEvening appointments on Thursdays.")
    assert imported["1003"]["status"] == "prospect"
    assert imported["1008"]["phone"] is None

    assert second.returncode == 0, second.stderr
    assert "did create 0, update 0, leave 10 unchanged" in second.stdout
    assert customers(db_url, tenant) == imported


def test_csv_and_json_lines_of_one_export_give_the_same_customers(db_url: str, tenant: str) -> None:
    assert aicrm(db_url, "import", "customers", CSV_FILE, "--tenant", tenant, "--mapping", MAPPING).returncode == 0
    again = aicrm(db_url, "import", "customers", JSONL_FILE, "--tenant", tenant, "--mapping", MAPPING)
    assert "did create 0, update 0, leave 10 unchanged" in again.stdout


def test_a_dry_run_writes_nothing_and_lists_the_changes(db_url: str, tenant: str, cli: CliRunner) -> None:
    args = ["import", "customers", str(CSV_FILE), "--tenant", tenant, "--mapping", str(MAPPING)]
    result = cli.invoke(app, [*args, "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "10 rows; would create 10, update 0, leave 0 unchanged" in result.stdout
    assert "line 2: create 1001" in result.stdout
    assert customers(db_url, tenant) == {}

    assert cli.invoke(app, args).exit_code == 0
    result = cli.invoke(app, [*args, "--dry-run"])
    assert "would create 0, update 0, leave 10 unchanged" in result.stdout
    assert "line 2:" not in result.stdout


def test_a_dry_run_names_the_fields_an_update_would_change(
    db_url: str, tenant: str, cli: CliRunner, tmp_path: Path
) -> None:
    args = ["--tenant", tenant, "--mapping", str(MAPPING)]
    assert cli.invoke(app, ["import", "customers", str(CSV_FILE), *args]).exit_code == 0
    edited = tmp_path / "edited.csv"
    edited.write_text(CSV_FILE.read_text().replace("Family-run bakery", "Family-owned bakery"))
    before = customers(db_url, tenant)

    result = cli.invoke(app, ["import", "customers", str(edited), *args, "--dry-run"])

    assert result.exit_code == 0, result.output
    assert "would create 0, update 1, leave 9 unchanged" in result.stdout
    assert "line 2: update 1001 (business_description)" in result.stdout
    assert customers(db_url, tenant) == before


def test_json_prints_the_report_document(db_url: str, tenant: str, cli: CliRunner) -> None:
    result = cli.invoke(
        app, ["import", "customers", str(JSONL_FILE), "--tenant", tenant, "--mapping", str(MAPPING), "--json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["applied"], report["dry_run"], report["rows"], report["created"]) == (True, False, 10, 10)
    assert report["errors"] == []
    assert [c["line"] for c in report["changes"]] == list(range(1, 11))
    assert {c["action"] for c in report["changes"]} == {"create"}


# --- exports of real CRMs (docs/import.md) -----------------------------------------------------


def test_a_hubspot_company_export_imports_with_its_mapping(db_url: str, tenant: str) -> None:
    args = ("import", "customers", FIXTURES / "hubspot_companies.csv", "--tenant", tenant)
    first = aicrm(db_url, *args, "--mapping", FIXTURES / "hubspot_mapping.json")
    imported = customers(db_url, tenant)
    second = aicrm(db_url, *args, "--mapping", FIXTURES / "hubspot_mapping.json")

    assert first.returncode == 0, first.stderr
    assert "hubspot_companies.csv: 6 rows; did create 6, update 0, leave 0 unchanged" in first.stdout
    assert "note: website: https:// added" in first.stdout
    assert "(lines 2, 4, 6)" in first.stdout
    bakery = imported["9501234001"]
    assert bakery["address"] == {
        "street": "1208 South Congress Ave, Suite 4",
        "city": "Austin",
        "region": "TX",
        "postal_code": "78704",
        "country": "US",
    }
    assert bakery["website"] == "https://sunrisebakery.example.com"
    assert bakery["business_description"].endswith("custom cakes.\n\nEverything is baked on site before 6 am.")
    assert (bakery["status"], bakery["industry_category"], bakery["industry_subcategory"]) == (
        "active",
        "food_beverage",
        None,
    )
    kitchen = imported["9501234002"]
    assert (kitchen["status"], kitchen["industry_category"], kitchen["industry_subcategory"]) == (
        "active",
        "food_beverage",
        "restaurant",
    )
    assert kitchen["address"]["street"] == "411 West 2nd St"
    assert imported["9501234003"]["website"] == "https://brightsmile.example.com/austin"
    assert (imported["9501234004"]["status"], imported["9501234004"]["address"]["country"]) == ("prospect", "US")
    assert imported["9501234005"]["address"]["country"] == "CA"
    assert imported["9501234006"]["address"] == {}
    assert imported["9501234006"]["industry_subcategory"] == "accounting"

    assert second.returncode == 0, second.stderr
    assert "did create 0, update 0, leave 6 unchanged" in second.stdout
    assert customers(db_url, tenant) == imported


def test_a_salesforce_account_export_imports_with_its_mapping(db_url: str, tenant: str) -> None:
    args = ("import", "customers", FIXTURES / "salesforce_accounts.csv", "--tenant", tenant)
    first = aicrm(db_url, *args, "--mapping", FIXTURES / "salesforce_mapping.json")
    imported = customers(db_url, tenant)
    second = aicrm(db_url, *args, "--mapping", FIXTURES / "salesforce_mapping.json")

    assert first.returncode == 0, first.stderr
    assert "salesforce_accounts.csv: 5 rows; did create 5, update 0, leave 0 unchanged" in first.stdout
    assert "(lines 2, 4, 5)" in first.stdout
    bakery = imported["0015g00000Ab1CdAAJ"]
    assert bakery["address"] == {
        "street": "1208 South Congress Ave",
        "city": "Austin",
        "region": "TX",
        "postal_code": "78704",
        "country": "US",
    }
    assert (bakery["website"], bakery["industry_category"], bakery["industry_subcategory"]) == (
        "https://www.sunrisebakery.example.com",
        "food_beverage",
        "bakery",
    )
    assert imported["0015g00000Ab1CfAAJ"]["status"] == "prospect"
    florist = imported["0015g00000Ab1CgAAJ"]
    assert (florist["status"], florist["address"]["country"], florist["website"]) == (
        "active",  # "Other" maps to no value: the customer keeps the default status
        "US",
        "https://bloomandstem.example.com/shop",
    )
    assert imported["0015g00000Ab1ChAAJ"]["industry_subcategory"] == "accounting"
    assert "leave 5 unchanged" in second.stdout


def test_unknown_columns_are_one_error_line_naming_them_all(db_url: str, tenant: str, tmp_path: Path) -> None:
    export = tmp_path / "extra.csv"
    rows = "\n".join(f"L-{n},Company {n},12,Fax {n},Owner {n}" for n in range(1, 6))
    export.write_text(f"id,company,industry_id,Fax,Sales Owner\n{rows}\n")

    result = aicrm(db_url, "import", "customers", export, "--tenant", tenant, "--mapping", MAPPING)

    assert_refused(result)
    [line] = [line for line in result.stderr.splitlines() if line.startswith("line ")]
    assert line.startswith("line 2: Fax, Sales Owner: ")
    assert result.stderr.splitlines()[-1].startswith("error: 1 bad rows in extra.csv")
    assert customers(db_url, tenant) == {}


def duplicates_csv(tmp_path: Path) -> Path:
    rows = [good_row(n) for n in range(1, 6)]
    rows.append(good_row(1, company="Renamed in the second export"))  # line 7 repeats line 2
    return write_csv(tmp_path / "dups.csv", rows)


@pytest.mark.parametrize(
    ("mode", "name", "skipped", "kept"),
    [("first", "Legacy Customer 1", 7, 2), ("last", "Renamed in the second export", 2, 7)],
)
def test_on_duplicate_keeps_the_first_or_last_row_across_batches(
    db_url: str, tenant: str, tmp_path: Path, mode: str, name: str, skipped: int, kept: int
) -> None:
    path = duplicates_csv(tmp_path)
    args = ("import", "customers", path, "--tenant", tenant, "--mapping", MAPPING, "--batch-size", "2")

    dry = aicrm(db_url, *args, "--on-duplicate", mode, "--dry-run")
    done = aicrm(db_url, *args, "--on-duplicate", mode)
    again = aicrm(db_url, *args, "--on-duplicate", mode, "--json")

    assert dry.returncode == 0, dry.stderr
    assert "6 rows; would create 5, update 0, leave 0 unchanged, skip 1 duplicate rows" in dry.stdout
    assert f"line {skipped}: skip L-1 (line {kept} kept)" in dry.stdout
    assert done.returncode == 0, done.stderr
    assert customers(db_url, tenant)["L-1"]["name"] == name
    report = json.loads(again.stdout)
    assert (report["unchanged"], report["skipped"], report["updated"]) == (5, 1, 0)
    assert [c["line"] for c in report["changes"]] == [skipped]


def test_on_duplicate_error_is_the_default_and_a_bad_mode_is_refused(db_url: str, tenant: str, tmp_path: Path) -> None:
    path = duplicates_csv(tmp_path)
    args = ("import", "customers", path, "--tenant", tenant, "--mapping", MAPPING)

    default = aicrm(db_url, *args)
    bad = aicrm(db_url, *args, "--on-duplicate", "newest")

    assert_refused(default)
    assert "line 7: external_id: 'L-1' is also on line 2" in default.stderr
    assert_refused(bad)
    assert bad.stderr.startswith("error: mapping.on_duplicate")
    assert customers(db_url, tenant) == {}


# --- bad files ---------------------------------------------------------------------------------


def assert_refused(result: subprocess.CompletedProcess[str]) -> None:
    """Exit non-zero, one `error:` line, no traceback."""
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert [line for line in result.stderr.splitlines() if line.startswith("error:")] == [
        result.stderr.splitlines()[-1]
    ]
    assert "Traceback" not in result.stderr + result.stdout


def test_bad_csv_rows_are_reported_by_line_and_nothing_is_imported(db_url: str, tenant: str, tmp_path: Path) -> None:
    bad = write_csv(
        tmp_path / "bad.csv",
        [good_row(1), good_row(2, email="not-an-email"), good_row(3), good_row(4, industry_id="99"), good_row(5)],
    )
    result = aicrm(db_url, "import", "customers", bad, "--tenant", tenant, "--mapping", MAPPING)

    assert_refused(result)
    stderr = result.stderr.splitlines()
    assert [line.split(":")[0] for line in stderr if line.startswith("line ")] == ["line 3", "line 5"]
    assert any(line.startswith("line 3: email:") for line in stderr)
    assert any(line.startswith("line 5: industry_category:") for line in stderr)
    assert stderr[-1].startswith("error: 2 bad rows in bad.csv")
    assert customers(db_url, tenant) == {}


def test_a_bad_json_line_is_reported_with_the_rows_sql_refuses(db_url: str, tenant: str, tmp_path: Path) -> None:
    good = {"id": "J-1", "company": "Json Co", "industry_id": 31}
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        "\n".join(
            [
                json.dumps(good),
                json.dumps({**good, "id": "J-2"}),
                '{"id": "J-3", "company": "Broken",',
                json.dumps({**good, "id": "J-4", "website": "ftp://nope"}),
                "[1, 2]",
                '{"id": "J-6", "company": "Json Co", "industry_id": 31, "employees": NaN}',
            ]
        )
        + "\n"
    )
    result = aicrm(db_url, "import", "customers", bad, "--tenant", tenant, "--mapping", MAPPING)

    assert_refused(result)
    reported = [line.split(":")[0] for line in result.stderr.splitlines() if line.startswith("line ")]
    assert reported == ["line 3", "line 4", "line 5", "line 6"]
    assert "line 3: not valid JSON" in result.stderr
    assert "line 4: website:" in result.stderr
    assert customers(db_url, tenant) == {}


def test_an_unknown_tenant_and_a_bad_mapping_are_one_error_line(db_url: str, tenant: str, tmp_path: Path) -> None:
    bad_mapping = tmp_path / "mapping.json"
    bad_mapping.write_text(json.dumps({"columns": {"id": "externalid"}}))
    unknown = aicrm(db_url, "import", "customers", CSV_FILE, "--tenant", "00000000-0000-4000-8000-0000000000aa")
    mapping = aicrm(db_url, "import", "customers", CSV_FILE, "--tenant", tenant, "--mapping", bad_mapping)

    assert unknown.returncode == 3  # NotFound
    assert unknown.stderr.startswith("error: tenant_id: no tenant")
    assert_refused(mapping)
    assert mapping.stderr.startswith("error: mapping.columns.id:")
    assert len(mapping.stderr.splitlines()) == 1


def test_a_file_not_in_utf8_says_so_and_encoding_reads_it(db_url: str, tenant: str, tmp_path: Path) -> None:
    legacy = tmp_path / "cp1252.csv"
    rows = [good_row(1, company="Café Olé")]
    with legacy.open("w", newline="", encoding="cp1252") as fh:
        writer = csv.DictWriter(fh, HEADER, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)

    refused = aicrm(db_url, "import", "customers", legacy, "--tenant", tenant, "--mapping", MAPPING)
    accepted = aicrm(
        db_url, "import", "customers", legacy, "--tenant", tenant, "--mapping", MAPPING, "--encoding", "cp1252"
    )

    assert refused.returncode == 2
    assert refused.stderr.startswith("error: cp1252.csv: line 2 is not valid utf-8")
    assert accepted.returncode == 0, accepted.stderr
    assert customers(db_url, tenant)["L-1"]["name"] == "Café Olé"


# --- batches and large files -------------------------------------------------------------------


def test_a_bad_row_in_the_last_batch_leaves_nothing_from_earlier_batches(
    db_url: str, tenant: str, tmp_path: Path
) -> None:
    rows = [good_row(n) for n in range(1, 1201)]
    rows[-1]["email"] = "broken@"
    big = write_csv(tmp_path / "big.csv", rows)

    refused = aicrm(db_url, "import", "customers", big, "--tenant", tenant, "--mapping", MAPPING)
    assert_refused(refused)
    assert "line 1201: email:" in refused.stderr
    assert "1200 rows; would create 1199" in refused.stdout
    assert customers(db_url, tenant) == {}

    rows[-1]["email"] = "fixed@example.com"
    write_csv(big, rows)
    accepted = aicrm(db_url, "import", "customers", big, "--tenant", tenant, "--mapping", MAPPING)
    assert accepted.returncode == 0, accepted.stderr
    assert "1200 rows; did create 1200" in accepted.stdout
    assert len(customers(db_url, tenant)) == 1200


def test_an_external_id_repeated_in_a_later_batch_is_refused(db_url: str, tenant: str, tmp_path: Path) -> None:
    rows = [good_row(n) for n in range(1, 701)]
    rows[650]["id"] = "L-3"  # line 652 repeats line 4, two batches apart
    big = write_csv(tmp_path / "dup.csv", rows)

    result = aicrm(db_url, "import", "customers", big, "--tenant", tenant, "--mapping", MAPPING)

    assert_refused(result)
    assert "line 652: external_id: 'L-3' is also on line 4" in result.stderr
    assert customers(db_url, tenant) == {}


def large_file(tmp_path: Path) -> Path:
    notes = "We bake bread, cakes and pastries every morning for our neighborhood. " * 12
    path = write_csv(tmp_path / "large.csv", [good_row(n, notes=notes) for n in range(1, 1301)])
    assert path.stat().st_size > 1_000_000
    return path


def test_a_large_file_keeps_stdout_clean_when_not_a_terminal(db_url: str, tenant: str, tmp_path: Path) -> None:
    result = aicrm(db_url, "import", "customers", large_file(tmp_path), "--tenant", tenant, "--mapping", MAPPING)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "large.csv: 1300 rows; did create 1300, update 0, leave 0 unchanged\n"
    assert result.stderr == ""


def test_a_large_file_shows_a_progress_bar_on_a_terminal(db_url: str, tenant: str, tmp_path: Path) -> None:
    path = large_file(tmp_path)
    env = command_env(db_url, TERM="xterm", COLUMNS="100")
    env.pop("NO_COLOR", None)
    main, child = pty.openpty()
    args = ["import", "customers", str(path), "--tenant", tenant, "--mapping", str(MAPPING), "--dry-run"]
    proc = subprocess.Popen([str(AICRM), *args], stdin=child, stdout=child, stderr=child, env=env)
    os.close(child)
    output = b""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        ready, _, _ = select.select([main], [], [], 1)
        if ready:
            try:
                chunk = os.read(main, 65536)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            output += chunk
        elif proc.poll() is not None:
            break
    os.close(main)
    assert proc.wait(timeout=60) == 0, output
    text = output.decode(errors="replace")
    assert "importing large.csv" in text  # the bar was drawn ...
    assert "%" in text
    assert "large.csv: 1300 rows; would create 1300, update 0, leave 0 unchanged" in text


# --- parsing (no database) ---------------------------------------------------------------------


def parse(path: Path, fmt: str, encoding: str = "utf-8") -> tuple[list[Record], list[dict[str, Any]]]:
    errors: list[dict[str, Any]] = []
    records = list(read_records(path, fmt, errors, encoding))
    return records, errors


def test_csv_records_carry_the_line_they_start_on(tmp_path: Path) -> None:
    path = tmp_path / "lines.csv"
    path.write_bytes(
        b"\xef\xbb\xbfid,notes,\r\n"  # a byte-order mark, and a trailing separator in the header
        b'1,"two\r\nlines",\r\n'
        b"\r\n"
        b"2,after a blank line,\r\n"
        b",,\r\n"
        b"3,too,many,cells\r\n"
        b"4,value without a column,oops\r\n"
        b"5\r\n"
    )
    records, errors = parse(path, "csv")
    assert [(r.line, r.data) for r in records] == [
        (2, {"id": "1", "notes": "two\r\nlines"}),
        (5, {"id": "2", "notes": "after a blank line"}),
        (9, {"id": "5"}),
    ]
    assert [e["line"] for e in errors] == [7, 8]


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "no header row"), ("id,name,id\n1,a,2\n", "'id' appears more than once")],
)
def test_a_csv_header_problem_stops_the_import(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "header.csv"
    path.write_text(text)
    with pytest.raises(ConfigurationError, match=message):
        parse(path, "csv")


def test_a_json_array_file_is_refused_with_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "export.json"
    path.write_text('[\n  {"id": 1}\n]\n')
    with pytest.raises(ConfigurationError, match="JSON Lines"):
        parse(path, detect_format(path, None))


def test_an_unknown_encoding_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="--encoding"):
        parse(CSV_FILE, "csv", "klingon")
