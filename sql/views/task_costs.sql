-- What the model spent on each task, and on each customer each day, from the provenance
-- submit_draft keeps with every draft (provider, model, prompt_tokens, completion_tokens, cost_usd,
-- latency_ms). The numbers are read defensively (aicrm_private.json_amount, json_count): a value
-- that is absent or not a number counts 0 in the sums, and a draft whose cost was not recorded
-- (no prices configured, an endpoint that reports no usage, a draft inserted by hand) is counted in
-- drafts_without_cost, so a cost of 0 says "free" only when drafts_without_cost is 0 too. A
-- person's edit (review_task, provenance.edited_from_version) used no model: it is counted
-- in edited_drafts, not as a draft without cost. security_invoker: a tenant sees its own.

-- One row per task with at least one draft. Grouped by the task's primary key, so a filter on
-- task_id reaches both tables' (tenant_id, task_id, ...) indexes: one task is an index lookup.
create or replace view aicrm.task_costs
with (security_invoker = true)
as
select
    t.tenant_id,
    t.task_id,
    t.customer_id,
    t.channel,
    t.execution_state,
    t.attempts,
    count(*) as drafts,
    count(*) filter (where d.provenance ? 'edited_from_version') as edited_drafts,
    count(*) filter (
        where not d.provenance ? 'edited_from_version'
        and aicrm_private.json_amount(d.provenance -> 'cost_usd') is null
    ) as drafts_without_cost,
    coalesce(
        array_agg(distinct d.provenance ->> 'provider') filter (where jsonb_typeof(d.provenance -> 'provider') = 'string'),
        '{}'
    ) as providers,
    coalesce(
        array_agg(distinct d.provenance ->> 'model') filter (where jsonb_typeof(d.provenance -> 'model') = 'string'),
        '{}'
    ) as models,
    coalesce(sum(aicrm_private.json_count(d.provenance -> 'prompt_tokens')), 0)::bigint as prompt_tokens,
    coalesce(sum(aicrm_private.json_count(d.provenance -> 'completion_tokens')), 0)::bigint as completion_tokens,
    coalesce(
        sum(
            coalesce(aicrm_private.json_count(d.provenance -> 'prompt_tokens'), 0)
            + coalesce(aicrm_private.json_count(d.provenance -> 'completion_tokens'), 0)
        ),
        0
    )::bigint as total_tokens,
    coalesce(sum(aicrm_private.json_amount(d.provenance -> 'cost_usd')), 0) as cost_usd,
    coalesce(sum(aicrm_private.json_amount(d.provenance -> 'latency_ms')), 0) as latency_ms,
    min(d.created_at) as first_draft_at,
    max(d.created_at) as last_draft_at
from aicrm.project_tasks as t
inner join aicrm.project_deliverables as d on t.tenant_id = d.tenant_id and t.task_id = d.task_id
group by t.tenant_id, t.task_id;

grant select on aicrm.task_costs to aicrm_app, aicrm_readonly;

-- The same numbers per customer and day (UTC, the day each draft was written: a task worked
-- across midnight counts on both days), what an agency bills its customers by.
create or replace view aicrm.llm_usage_daily
with (security_invoker = true)
as
select
    t.tenant_id,
    t.customer_id,
    (d.created_at at time zone 'UTC')::date as day,
    count(distinct d.task_id) as tasks,
    count(*) as drafts,
    count(*) filter (where d.provenance ? 'edited_from_version') as edited_drafts,
    count(*) filter (
        where not d.provenance ? 'edited_from_version'
        and aicrm_private.json_amount(d.provenance -> 'cost_usd') is null
    ) as drafts_without_cost,
    coalesce(sum(aicrm_private.json_count(d.provenance -> 'prompt_tokens')), 0)::bigint as prompt_tokens,
    coalesce(sum(aicrm_private.json_count(d.provenance -> 'completion_tokens')), 0)::bigint as completion_tokens,
    coalesce(
        sum(
            coalesce(aicrm_private.json_count(d.provenance -> 'prompt_tokens'), 0)
            + coalesce(aicrm_private.json_count(d.provenance -> 'completion_tokens'), 0)
        ),
        0
    )::bigint as total_tokens,
    coalesce(sum(aicrm_private.json_amount(d.provenance -> 'cost_usd')), 0) as cost_usd
from aicrm.project_tasks as t
inner join aicrm.project_deliverables as d on t.tenant_id = d.tenant_id and t.task_id = d.task_id
group by t.tenant_id, t.customer_id, (d.created_at at time zone 'UTC')::date;

grant select on aicrm.llm_usage_daily to aicrm_app, aicrm_readonly;
