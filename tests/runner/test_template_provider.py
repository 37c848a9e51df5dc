"""The offline template writer (runner/providers/template/, docs/adr/0017-an-offline-writer.md): a
draft from the draft brief alone that leads with the brief, states only the brief's facts, spells
names as the profile does, never repeats an opener, varies across tasks, fits the brief's limits,
and on a rewrite changes exactly what the fixes and a person's changes name. The briefs are the
database's own (aicrm.get_draft_brief for tasks of the sample bakery), or one of them edited where a
test needs a rewrite's `previous`."""

from __future__ import annotations

import copy
import difflib
import re
from typing import Any

import psycopg
import pytest
from psycopg.types.json import Jsonb

from runner.providers.llm import DraftRequest, LLMError
from runner.providers.template import TemplateProvider
from runner.scoring import plain_text
from tests.factories import make_customer, make_tenant
from tests.helpers import call
from tests.tasks import create_task, in_review

Conn = psycopg.Connection[Any]
PROVIDER = TemplateProvider()
PROMOTION = {
    "purpose": "promotion",
    "topic": "holiday pre-orders for pies and stollen",
    "key_points": ["Pre-order by December 20", "Pick up December 23 or 24"],
    "offer": {"description": "10% off pre-orders of three pies or more", "code": "PIE10", "valid_until": "2027-12-20"},
    "links": {"cta_url": "https://sunrisebakery.example.com/preorder"},
    "must_not_include": ["cheap"],
}


def brief_of(db: Conn, tenant: str, task: str) -> dict[str, Any]:
    return dict(call(db, tenant, "select aicrm.get_draft_brief(%s)", (task,), "aicrm_app"))


def draft_of(brief: dict[str, Any]) -> tuple[str | None, str, dict[str, Any]]:
    task = brief["task"]
    draft = PROVIDER.generate(DraftRequest(str(task["task_id"]), task["channel"], {}, {}, brief=brief))
    return draft.subject, draft.content, draft.meta


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+|\n+", text) if s.strip()]


def with_task(brief: dict[str, Any], task_id: str, **more: Any) -> dict[str, Any]:
    out = copy.deepcopy(brief)
    out["task"]["task_id"] = task_id
    out.update(more)
    return out


@pytest.fixture
def promotion(db: Conn, bakery: tuple[str, str]) -> dict[str, Any]:
    tenant, customer = bakery
    return brief_of(db, tenant, create_task(db, tenant, customer, instructions=PROMOTION))


def test_a_draft_leads_with_the_brief(promotion: dict[str, Any]) -> None:
    subject, content, meta = draft_of(promotion)
    lines = [line for line in content.splitlines() if line.strip()]
    assert "holiday pre-orders for pies and stollen" in " ".join(lines[:2]).lower()  # after the greeting
    assert lines[2:4] == ["- Pre-order by December 20", "- Pick up December 23 or 24"]  # every key point, next
    assert "PIE10" in content
    assert "December 20" in content
    assert "10% off pre-orders of three pies or more" in content
    assert "https://sunrisebakery.example.com/preorder" in content  # the call to action's link, written out
    assert subject is not None
    assert 15 <= len(subject) <= 60
    # aicrm's parts are aicrm's: no footer, no address; merge tags only those the brief lists
    assert "unsubscribe" not in content.lower()
    assert "12 Baker Street" not in content
    assert set(re.findall(r"\{\{(\w+)\}\}", content)) <= set(promotion["merge_tags"]["tags"])
    assert "cheap" not in content.lower()
    assert meta["template_id"] == promotion["template"]["template_id"]


def test_only_the_briefs_facts_are_stated(promotion: dict[str, Any]) -> None:
    """Every number, link and product named is in the brief (its facts or its instructions)."""
    known = str(promotion["facts"]) + str(promotion["brief"])
    for task_id in ("a1", "b2", "c3", "d4"):
        _, content, _ = draft_of(with_task(promotion, task_id))
        for number in re.findall(r"\d+(?:[.,:]\d+)*", content):
            assert number in known or number in ("2027",), (number, content)
        for link in re.findall(r"https?://[^\s)<]+[^\s)<.,]", content):
            assert link in known, link


def test_a_thin_profile_gives_a_shorter_draft_not_padding(db: Conn, promotion: dict[str, Any]) -> None:
    tenant = make_tenant(db, "Agency B")
    thin = make_customer(db, tenant, name="the velvet chair salon", website="https://velvetchair.example.com")
    brief = brief_of(db, tenant, create_task(db, tenant, thin, instructions=PROMOTION))
    _, content, _ = draft_of(brief)
    # the brief's own parts and nothing more: the opener, the points, the offer, the link, the sign-off
    assert len(plain_text(content, "text").split()) <= 70
    assert "The Velvet Chair Salon" in content
    assert "the velvet chair salon" not in content
    assert "The The" not in content
    assert not re.search(r"\$\d", content)  # no price the profile lacks


def test_names_are_spelt_as_the_profile_spells_them(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    task = create_task(db, tenant, customer, channel="blog", instructions={"topic": "our sourdough loaf"})
    _, content, _ = draft_of(brief_of(db, tenant, task))
    assert "Sourdough loaf" in content
    assert "Butter croissant" in content
    assert "Sunrise Bakery" in content


def test_no_opener_is_repeated_and_no_tagline_stands_alone(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    taglines = {"sourdough fermented for 36 hours", "organic flour from oregon mills"}
    for channel in ("email", "social", "sms", "blog", "web"):
        for _n in range(4):
            task = create_task(db, tenant, customer, channel=channel, instructions=PROMOTION)
            _, content, _ = draft_of(brief_of(db, tenant, task))
            prose = [s for s in sentences(plain_text(content, "text")) if not s.lstrip().startswith(("-", "#", "<"))]
            openers = [" ".join(s.split()[:2]).lower() for s in prose if len(s.split()) > 3]
            assert len(openers) == len(set(openers)), (channel, content)
            assert not any(s.strip(" .").lower() in taglines for s in prose), content


def test_two_tasks_with_the_same_brief_get_different_text(promotion: dict[str, Any]) -> None:
    drafts = {draft_of(with_task(promotion, f"task-{n}"))[1] for n in range(12)}
    assert len(drafts) == 12
    # and the same task the same text (seeded by the task)
    assert draft_of(with_task(promotion, "task-1")) == draft_of(with_task(promotion, "task-1"))


@pytest.mark.parametrize("channel", ["email", "sms", "social", "blog", "web"])
def test_a_draft_fits_the_briefs_limits(db: Conn, bakery: tuple[str, str], channel: str) -> None:
    tenant, customer = bakery
    ask = {**PROMOTION, "key_points": PROMOTION["key_points"][:1], "offer": {"description": "10% off", "code": "PIE10"}}
    task = create_task(db, tenant, customer, channel=channel, instructions=ask)
    brief = brief_of(db, tenant, task)
    _, content, _ = draft_of(brief)
    limits, reserve = brief["limits"], (brief["system_parts"].get("reserve") or {}).get("characters", 0)
    assert len(plain_text(content, "text").split()) <= limits["max_words"]
    if channel == "sms":
        assert len(content) + reserve <= limits["sms"]["max_characters_gsm7"]
    if channel == "social":
        assert len(content) <= limits["social"]["max_characters"]


def test_a_retry_changes_exactly_what_the_fixes_name(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    brief = brief_of(db, tenant, create_task(db, tenant, customer, channel="web", instructions=PROMOTION))
    _, first, _ = draft_of(brief)
    target = "Sourdough fermented for 36 hours"
    assert target in first
    previous = {"version": 1, "content": first, "fixes": [
        {"code": "invented_fact", "span": {"start": 0, "end": 5, "text": "fermented for 36 hours"}},
        {"code": "no_such_fix", "params": {}},
    ]}  # fmt: skip
    _, second, meta = draft_of(with_task(brief, brief["task"]["task_id"], previous=previous))
    changed = [line for line in difflib.ndiff(first.splitlines(), second.splitlines()) if line[:1] in "+-"]
    assert changed == [f"- - {target}"], changed  # that line, and nothing else
    assert meta["edits"] == ["invented_fact"]
    assert meta["fixes_not_acted_on"] == ["no_such_fix"]


def test_an_unknown_fix_leaves_the_text_alone(promotion: dict[str, Any]) -> None:
    _, first, _ = draft_of(promotion)
    previous = {"version": 1, "content": first, "fixes": [{"code": "rewrite_in_klingon", "params": {}}]}
    _, second, meta = draft_of(with_task(promotion, promotion["task"]["task_id"], previous=previous))
    assert second == first
    assert meta["fixes_not_acted_on"] == ["rewrite_in_klingon"]


def test_a_shorten_fix_shortens_to_its_bound(db: Conn, bakery: tuple[str, str]) -> None:
    tenant, customer = bakery
    brief = brief_of(db, tenant, create_task(db, tenant, customer, channel="blog", instructions=PROMOTION))
    _, first, _ = draft_of(brief)
    previous = {"version": 1, "content": first, "fixes": [{"code": "shorten", "params": {"max_words": 60}}]}
    _, second, meta = draft_of(with_task(brief, brief["task"]["task_id"], previous=previous))
    assert len(plain_text(second, "text").split()) <= 60 < len(plain_text(first, "text").split())
    assert "Pre-order by December 20" in second
    assert meta["edits"] == ["shorten"]


def test_a_persons_structured_changes_are_honoured(db: Conn, bakery: tuple[str, str]) -> None:
    """Through the database: aicrm.request_changes keeps the edits, get_draft_brief hands them over."""
    tenant, customer = bakery
    task, draft = in_review(db, tenant, customer, instructions=PROMOTION)
    _, before, _ = draft_of(brief_of(db, tenant, task))
    changes = [
        {"type": "add_key_point", "text": "Stollen is $24 a loaf"},
        {"type": "change_cta", "text": "Pre-order yours at the counter"},
        {"type": "use_phrase", "text": "baked fresh every morning"},
        {"type": "avoid_phrase", "text": "PIE10"},
        {"type": "shorten", "max_words": 70},
    ]
    call(db, tenant, "select aicrm.request_changes(%s, 1, %s, 'Price, please.', 'ana@agency')",
         (draft, Jsonb(changes)), "aicrm_app")  # fmt: skip
    brief = brief_of(db, tenant, task)
    assert brief["previous"]["review"]["changes"] == changes
    _, after, meta = draft_of(brief)
    assert "Stollen is $24 a loaf" in after
    assert "Pre-order yours at the counter: https://sunrisebakery.example.com/preorder." in after
    assert "As we like to say at Sunrise Bakery: baked fresh every morning." in after
    assert "PIE10" not in after
    assert "PIE10" in before
    assert len(plain_text(after, "text").split()) <= 70
    assert meta["edits"] == [f"change:{c['type']}" for c in changes]


def test_a_remove_change_takes_out_its_line(promotion: dict[str, Any]) -> None:
    _, first, _ = draft_of(promotion)
    line = next(s for s in first.splitlines() if s.startswith("- Pick up"))
    review = {"changes": [{"type": "remove", "text": line[2:]}]}
    _, second, _ = draft_of(with_task(promotion, promotion["task"]["task_id"], previous={"review": review}))
    assert line not in second
    assert second.replace("\n", "") != first.replace("\n", "")
    assert first.replace(line + "\n", "") == second


def test_a_request_without_a_brief_is_refused() -> None:
    with pytest.raises(LLMError, match="draft brief"):
        PROVIDER.generate(DraftRequest("t-1", "email", {"topic": "x"}, {}))


def test_a_brief_in_another_language_is_refused(promotion: dict[str, Any]) -> None:
    brief = with_task(promotion, "t-2")
    brief["brief"]["language"] = "de-DE"
    with pytest.raises(LLMError, match="English only") as refused:
        draft_of(brief)
    assert refused.value.retryable is False
