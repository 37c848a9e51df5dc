-- Human review (docs/pipeline.md, "Human review"): a person's decision on a draft the rules sent to
-- review, bound to the exact version they read, kept with their edit for the learning loop.
-- Written only by aicrm.review_deliverable (SECURITY DEFINER).
create table aicrm.deliverable_reviews (
    tenant_id uuid not null default aicrm_private.current_tenant_id(),
    review_id uuid not null default gen_random_uuid(),
    task_id uuid not null,
    deliverable_id uuid not null,
    version integer not null,
    reviewer text not null,
    decision text not null,
    reason text,
    -- An approval with an edit: the edited text became the next version, approved_deliverable_id.
    edited boolean not null default false,
    approved_deliverable_id uuid,
    -- What the person changed, word by word (lower-case words removed and added, with counts), for
    -- the learning loop; the texts themselves are the two versions.
    edit_diff jsonb,
    created_at timestamptz not null default now(),
    constraint deliverable_reviews_pkey primary key (tenant_id, review_id),
    constraint deliverable_reviews_task_fkey foreign key (tenant_id, task_id)
    references aicrm.project_tasks (tenant_id, task_id) on delete cascade,
    constraint deliverable_reviews_deliverable_fkey foreign key (tenant_id, deliverable_id)
    references aicrm.project_deliverables (tenant_id, deliverable_id) on delete cascade,
    constraint deliverable_reviews_decision_check check (decision in ('approve', 'reject', 'request_changes'))
);

create index deliverable_reviews_task_idx on aicrm.deliverable_reviews (tenant_id, task_id, created_at);

alter table aicrm.deliverable_reviews enable row level security;
alter table aicrm.deliverable_reviews force row level security;
create policy deliverable_reviews_all_own on aicrm.deliverable_reviews
using (tenant_id = (select aicrm_private.current_tenant_id()))
with check (tenant_id = (select aicrm_private.current_tenant_id()));

grant select on aicrm.deliverable_reviews to aicrm_app, aicrm_worker, aicrm_readonly;
