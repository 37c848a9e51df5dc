-- Spot checks (issue 16, item 6; docs/learning.md, "Spot checks"; ADR 0021): a share of the drafts
-- the rules approve (the tenant's decision setting spot_check.share, 0 by default) is held for a
-- person before it is sent, chosen by a deterministic draw from the deliverable's id; the person's
-- review of it is the spot check's verdict, the measurement of the false-approval rate per segment
-- (customer x channel x task type) that aicrm.autonomy_evidence bounds. One row per held draft,
-- written by aicrm.record_evaluation (held) and aicrm.review_task (verdict) only.
create table aicrm.spot_checks (
    tenant_id uuid not null default aicrm_private.current_tenant_id(),
    deliverable_id uuid not null,
    task_id uuid not null,
    -- the segment
    customer_id uuid not null,
    channel text not null,
    task_type text not null,
    -- the rules' approve that was held (aicrm.ai_decisions)
    decision_id uuid,
    -- the deliverable's draw in [0, 1) (aicrm_private.spot_check_draw) and the share it fell under
    drawn numeric not null,
    share numeric not null,
    held_at timestamptz not null default clock_timestamp(),
    -- agreement (approved as it was), false_approval (approved with edits, changes requested,
    -- rejected) or no_verdict (cancelled: says nothing of the draft); null until a person decides
    verdict text,
    -- the person's decision: approve, approve_edited, request_changes, reject, cancel
    review_decision text,
    review_id uuid,
    verdict_at timestamptz,
    reviewer text,
    constraint spot_checks_pkey primary key (tenant_id, deliverable_id),
    constraint spot_checks_deliverable_fkey foreign key (tenant_id, deliverable_id)
    references aicrm.project_deliverables (tenant_id, deliverable_id) on delete cascade,
    constraint spot_checks_task_fkey foreign key (tenant_id, task_id)
    references aicrm.project_tasks (tenant_id, task_id) on delete cascade,
    constraint spot_checks_verdict_check check (verdict in ('agreement', 'false_approval', 'no_verdict')),
    constraint spot_checks_review_decision_check check (
        review_decision in ('approve', 'approve_edited', 'request_changes', 'reject', 'cancel')
    ),
    constraint spot_checks_drawn_check check (drawn >= 0 and drawn < 1 and share > drawn and share <= 1),
    constraint spot_checks_verdict_complete_check check (
        (verdict is null) = (verdict_at is null) and (verdict is null) = (review_decision is null)
    )
);

create index spot_checks_segment on aicrm.spot_checks (tenant_id, customer_id, channel, task_type);
create index spot_checks_task on aicrm.spot_checks (tenant_id, task_id);

alter table aicrm.spot_checks enable row level security;
alter table aicrm.spot_checks force row level security;
create policy spot_checks_all_own on aicrm.spot_checks
using (tenant_id = (select aicrm_private.current_tenant_id()))
with check (tenant_id = (select aicrm_private.current_tenant_id()));

-- Written by record_evaluation and review_task only (SECURITY DEFINER); read by every role.
grant select on aicrm.spot_checks to aicrm_app, aicrm_worker, aicrm_readonly;
