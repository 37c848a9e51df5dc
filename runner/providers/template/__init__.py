"""The offline template writer (docs/adr/0017-an-offline-writer.md; `AICRM_LLM_PROVIDER=template`):
a draft from the draft brief alone (aicrm.get_draft_brief, `DraftRequest.brief`), with no network
and no model, in four steps: plan (what to say and in what order, with a rewrite's edits), fill
(sentences from the brief's facts, the brand voice and the seeded draw), fit (to the brief's
limits) and finish (subject, merge tags, the reread). It keeps no copy of a scorecard rule: the
bounds, the words to avoid and the facts it may state all come from the brief."""

from __future__ import annotations

import time

from runner.providers.llm import Draft, DraftRequest, LLMError
from runner.providers.template.fill import blocks_of
from runner.providers.template.finish import keep_tags, reread, subject
from runner.providers.template.fit import fit, render
from runner.providers.template.plan import Plan, plan_of

__all__ = ["Plan", "TemplateProvider", "plan_of", "write"]


def write(plan: Plan) -> tuple[str | None, str]:
    """The subject and content of the plan's draft."""
    blocks = fit(blocks_of(plan), plan)
    return subject(plan, plan.rng), keep_tags(render(blocks, plan), plan)


class TemplateProvider:
    """The offline writer as an LLMProvider: same brief, same draft."""

    name = "template"

    def generate(self, request: DraftRequest) -> Draft:
        started = time.perf_counter()
        if not request.brief:
            raise LLMError("the template writer needs the draft brief (aicrm.get_draft_brief)", kind="bad_request")
        language = str((request.brief.get("brief") or {}).get("language") or "en")
        if not language.lower().startswith("en"):
            raise LLMError(
                f"the template writer writes English only, not {language!r}", kind="bad_request", retryable=False
            )
        plan = plan_of(request.brief)
        subject_line, content = write(plan)
        if not content.strip():
            raise LLMError("the brief gave the template writer nothing to write", kind="bad_request", retryable=False)
        meta = {
            "template_id": plan.template.get("template_id"),
            "variant": plan.template.get("variant"),
            "edits": plan.applied,
            "fixes_not_acted_on": plan.ignored,
            **reread(content, plan),
        }
        return Draft(
            subject=subject_line,
            content=content,
            content_format=plan.fmt,
            provider=self.name,
            model="template-v2",
            prompt_tokens=0,
            completion_tokens=0,
            cost_usd=0.0,
            latency_ms=(time.perf_counter() - started) * 1000,
            meta={k: v for k, v in meta.items() if v not in (None, [], {})},
        )
