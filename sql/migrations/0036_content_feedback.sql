-- Feedback on a draft that decides nothing (docs/agents.md, "Feedback on a draft"): an outside
-- agent's or a person's rating and comment on a deliverable, for the learning loop (issue 16 reads
-- this table, one row per deliverable and source, and adds its own sources: delivery metrics,
-- review outcomes, spot checks). Written only by aicrm.record_content_feedback, which never touches
-- the task: an agent cannot approve its own draft by rating it.
--
-- One row per deliverable, source and author (created_by): the same author's feedback again
-- replaces it (updated_at; the audit log keeps the earlier values), so the row is the author's
-- current judgement.
create table aicrm.ai_content_feedback (
    tenant_id uuid not null default aicrm_private.current_tenant_id(),
    feedback_id uuid not null default gen_random_uuid(),
    deliverable_id uuid not null,
    -- the deliverable's task, kept for reading a task's feedback without the deliverables
    task_id uuid not null,
    -- agent: an AI agent (aicrm mcp, an agent of the tenant); reviewer: a person
    source text not null,
    -- the agent that gave it, when it is one of the tenant's (aicrm.ai_agents)
    agent_id uuid,
    rating smallint,
    comment text,
    tags text[] not null default '{}',
    -- anything else the source measured (structured, at most 16 KiB)
    payload jsonb not null default '{}',
    created_by text not null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint ai_content_feedback_pkey primary key (tenant_id, feedback_id),
    constraint ai_content_feedback_key unique (tenant_id, deliverable_id, source, created_by),
    constraint ai_content_feedback_deliverable_fkey foreign key (tenant_id, deliverable_id)
    references aicrm.project_deliverables (tenant_id, deliverable_id) on delete cascade,
    constraint ai_content_feedback_task_fkey foreign key (tenant_id, task_id)
    references aicrm.project_tasks (tenant_id, task_id) on delete cascade,
    constraint ai_content_feedback_agent_fkey foreign key (tenant_id, agent_id)
    references aicrm.ai_agents (tenant_id, agent_id) on delete set null (agent_id),
    constraint ai_content_feedback_source_check check (source in ('agent', 'reviewer')),
    constraint ai_content_feedback_rating_check check (rating between 1 and 5),
    constraint ai_content_feedback_something_check check (rating is not null or comment is not null),
    constraint ai_content_feedback_comment_check check (char_length(comment) between 1 and 4000),
    constraint ai_content_feedback_tags_check check (cardinality(tags) <= 20),
    constraint ai_content_feedback_payload_check check (jsonb_typeof(payload) = 'object'),
    constraint ai_content_feedback_created_by_check check (char_length(created_by) between 1 and 200)
);

create index ai_content_feedback_task_idx on aicrm.ai_content_feedback (tenant_id, task_id, created_at);

alter table aicrm.ai_content_feedback enable row level security;
alter table aicrm.ai_content_feedback force row level security;
create policy ai_content_feedback_all_own on aicrm.ai_content_feedback
using (tenant_id = (select aicrm_private.current_tenant_id()))
with check (tenant_id = (select aicrm_private.current_tenant_id()));

-- Written through record_content_feedback only; read by every role.
grant select on aicrm.ai_content_feedback to aicrm_app, aicrm_worker, aicrm_readonly;
