"""No module of the runner keeps a copy of a rule the scorecard owns (issue 15: "a test fails if the
writer module defines a pattern or limit the scorecard owns"). The scorecard's own values are read
from the database: the bounds of every channel (aicrm_private.draft_limits), the call-to-action
verbs (content_cta_pattern), the fluency word lists and filler phrases, the compliance elements,
the emoji ranges and contraction endings of score_brand, and the names of its functions. Every
module under runner/ is parsed and its literals compared with them: a writer reads them from the
draft brief instead (docs/adr/0017-an-offline-writer.md)."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest

RUNNER = Path(__file__).resolve().parents[2] / "runner"
CHANNELS = ("email", "sms", "social", "blog", "web")
# How many members of one scorecard list one literal holds to be a copy of it: the call-to-action
# verbs, filler phrases and elements are short, specific lists; the fluency lists are the language's
# common verbs, of which any sentence-matching pattern names a few.
AT_LEAST = {"fluency_verbs": 12, "fluency_base_verbs": 12}
AT_LEAST_DEFAULT = 5


@dataclass
class Rules:
    """The scorecard's values, as the database holds them."""

    limits: set[int]  # the character bounds and the default word bounds, which no runner literal repeats
    word_pairs: set[tuple[int, int]]  # each channel's (min_words, max_words) and the subject's bounds
    lists: dict[str, set[str]]
    emoji: list[str]  # the code points the emoji pattern's ranges start and end at
    contraction_endings: set[str]
    functions: set[str]


def _words_of_pattern(pattern: str) -> set[str]:
    r"""The alternatives of a regex's alternations, as words: "sign\s+up" is "sign up"."""
    text = pattern.replace(r"\s+", " ").replace("\\s", " ")
    pieces = (w.strip() for w in re.split(r"[|()?:\[\]^$\\]+", text))
    return {w.lower() for w in pieces if re.fullmatch(r"[a-z][a-z '\u2019-]*", w)}


def rules_of(db: psycopg.Connection[Any]) -> Rules:
    limits: set[int] = set()
    pairs: set[tuple[int, int]] = set()
    for channel in CHANNELS:
        row = db.execute("select aicrm_private.draft_limits(%s, '{}')", (channel,)).fetchone()
        assert row is not None
        found: dict[str, Any] = row[0]
        pairs.add((int(found["min_words"]), int(found["max_words"])))
        for key in ("sms", "social"):
            limits |= {int(v) for v in (found.get(key) or {}).values() if isinstance(v, int) and v >= 100}
        if found.get("subject"):
            subject = found["subject"]
            pairs.add((int(subject["min_characters"]), int(subject["max_characters"])))
    limits |= {hi for _, hi in pairs if hi >= 1000}

    def one(query: str) -> Any:
        row = db.execute(query).fetchone()
        assert row is not None
        return row[0]

    cta = one("select aicrm_private.content_cta_pattern()")
    lists = {
        "the call-to-action verbs (content_cta_pattern)": _words_of_pattern(cta.split("(?![")[0]),
        "fluency_verbs": set(one("select aicrm_private.fluency_verbs()")),
        "fluency_base_verbs": set(one("select aicrm_private.fluency_base_verbs()")),
        "the filler phrases (fluency_filler_keys)": set(one("select aicrm_private.fluency_filler_keys(true)"))
        | set(one("select aicrm_private.fluency_filler_keys(false)")),
        "the compliance elements": {
            r[0].replace("_", " ")
            for r in db.execute("select distinct element from aicrm.compliance_rules where element is not null")
        },
    }
    lists = {name: {" ".join(w.split()) for w in words} for name, words in lists.items()}
    brand = one("select pg_get_functiondef('aicrm_private.score_brand'::regproc)")
    emoji = re.findall(r"\\U000([0-9A-Fa-f]{5})|\\u([0-9A-Fa-f]{4})", brand)
    endings = re.search(r"\[''\u2019\]\(([a-z|]+)\)", brand)
    functions = {
        r[0]
        for r in db.execute(
            "select p.proname from pg_proc p where p.pronamespace = 'aicrm_private'::regnamespace"
            " and pg_get_functiondef(p.oid) ~ 'scorecard|score_|fluency|compliance|phrase_key'"
        )
    }
    return Rules(
        limits=limits,
        word_pairs=pairs,
        lists=lists,
        emoji=[(a or b).lower() for a, b in emoji],
        contraction_endings=set(endings.group(1).split("|")) if endings else set(),
        functions=functions,
    )


def _strings(node: ast.AST) -> list[str]:
    items = node.keys if isinstance(node, ast.Dict) else getattr(node, "elts", [])
    return [
        " ".join(i.value.lower().split()) for i in items if isinstance(i, ast.Constant) and isinstance(i.value, str)
    ]


def _ints(node: ast.AST) -> list[int]:
    items = [*node.values] if isinstance(node, ast.Dict) else getattr(node, "elts", [])
    found = []
    for i in items:
        for sub in ast.walk(i):
            if isinstance(sub, ast.Constant) and isinstance(sub.value, int) and not isinstance(sub.value, bool):
                found.append(sub.value)
    return found


def copies(source: str, rules: Rules) -> list[str]:
    """What a module's source repeats of the scorecard, one line per copy."""
    found: list[str] = []
    tree = ast.parse(source)
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.FunctionDef) and node.name in rules.functions:
            found.append(f"line {line}: def {node.name}: the scorecard's function aicrm_private.{node.name}")
        if isinstance(node, ast.Compare | ast.BinOp | ast.Dict):  # a bound compared, computed with or tabled
            for sub in ast.walk(node):
                if isinstance(sub, ast.Constant) and isinstance(sub.value, int) and sub.value in rules.limits:
                    found.append(f"line {line}: {sub.value}: a bound of draft_limits")
        if isinstance(node, ast.Tuple | ast.List | ast.Set | ast.Dict):
            ints = _ints(node)
            found += [
                f"line {line}: {pair}: bounds of draft_limits" for pair in rules.word_pairs if set(pair) <= set(ints)
            ]
            words = set(_strings(node))
            for name, listed in rules.lists.items():
                if len(words & listed) >= AT_LEAST.get(name, AT_LEAST_DEFAULT):
                    found.append(f"line {line}: {len(words & listed)} of {name}: {sorted(words & listed)[:6]}")
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
            if "|" in text:
                alternatives = _words_of_pattern(text)
                for name, listed in rules.lists.items():
                    if len(alternatives & listed) >= AT_LEAST.get(name, AT_LEAST_DEFAULT):
                        found.append(f"line {line}: a pattern with {len(alternatives & listed)} of {name}")
                endings = set(re.findall(r"\(([a-z|]+)\)", text.lower()))
                if any(len(set(e.split("|")) & rules.contraction_endings) >= 4 for e in endings):
                    found.append(f"line {line}: the contraction endings of score_brand")
            if any(code in text.encode("unicode_escape").decode().lower() for code in rules.emoji if len(code) == 5):
                found.append(f"line {line}: the emoji ranges of score_brand")
    return found


@pytest.fixture
def rules(db: psycopg.Connection[Any]) -> Rules:
    return rules_of(db)


def test_the_scorecards_values_are_read_from_the_database(rules: Rules) -> None:
    assert {160, 2200} <= rules.limits
    assert (15, 60) in rules.word_pairs
    assert (300, 3000) in rules.word_pairs
    assert {"book", "order", "sign up", "rsvp"} <= rules.lists["the call-to-action verbs (content_cta_pattern)"]
    assert {"is", "are"} <= rules.lists["fluency_verbs"]
    assert "unsubscribe" in rules.lists["the compliance elements"]
    assert "1f300" in rules.emoji
    assert {"re", "ll", "ve"} <= rules.contraction_endings
    assert "phrase_key" in rules.functions


def test_the_check_finds_a_copy(rules: Rules) -> None:
    """The check can fail: each kind of copy the old offline writer held is found."""
    source = """
_WORDS = {"email": (50, 500), "sms": (1, 60)}
LIMIT = {"sms": 160, "social": 2200}
room = 160 - 23
CTA_VERBS = ("book", "order", "call", "visit", "shop", "reserve")
IMPERATIVE = r"^(?:book|order|call|visit|shop|sign\\s+up)\\b"
_EMOJI = "[\\U0001f300-\\U0001faff]"
_CONTRACTION = r"\\b([A-Za-z]+)['](re|ll|ve|d|m|s|t)\\b"
def phrase_key(text): return text
"""
    found = " ".join(copies(source, rules))
    for expected in ("(50, 500)", "160", "2200", "call-to-action verbs", "a pattern with", "emoji", "contraction",
                     "def phrase_key"):  # fmt: skip
        assert expected in found, (expected, found)


def test_no_runner_module_keeps_a_rule_of_the_scorecard(rules: Rules) -> None:
    found = {}
    for path in sorted(RUNNER.rglob("*.py")):
        name = path.relative_to(RUNNER).as_posix()
        hits = copies(path.read_text(), rules)
        if hits:
            found[name] = hits
    assert not found, "\n".join(f"runner/{n}: {h}" for n, hits in found.items() for h in hits)
