-- Publishing (docs/pipeline.md, "Publishing"): an approved draft goes to the outbox; the runner
-- delivers it (a signed webhook, or SMTP) and records the delivery. One outbox row per approved
-- draft, one successful delivery per outbox row.
create table aicrm.outbox (
    tenant_id uuid not null default aicrm_private.current_tenant_id(),
    outbox_id uuid not null default gen_random_uuid(),
    task_id uuid not null,
    deliverable_id uuid not null,
    channel text not null,
    -- What the receiver gets: the draft and what it is for (aicrm_private.enqueue_publication).
    payload jsonb not null,
    status text not null default 'pending',
    attempts integer not null default 0,
    available_at timestamptz not null default now(),
    lease_holder text,
    lease_token uuid,
    lease_until timestamptz,
    last_error jsonb,
    created_at timestamptz not null default now(),
    delivered_at timestamptz,
    constraint outbox_pkey primary key (tenant_id, outbox_id),
    constraint outbox_deliverable_key unique (tenant_id, deliverable_id),
    constraint outbox_task_fkey foreign key (tenant_id, task_id)
    references aicrm.project_tasks (tenant_id, task_id) on delete cascade,
    constraint outbox_deliverable_fkey foreign key (tenant_id, deliverable_id)
    references aicrm.project_deliverables (tenant_id, deliverable_id) on delete cascade,
    constraint outbox_status_check check (status in ('pending', 'delivering', 'delivered', 'failed'))
);

-- What claim_next_delivery looks at: pending rows by age, and leases that ran out.
create index outbox_pending_idx on aicrm.outbox (available_at) where status = 'pending';
create index outbox_leases_idx on aicrm.outbox (lease_until) where status = 'delivering';

alter table aicrm.outbox enable row level security;
alter table aicrm.outbox force row level security;
create policy outbox_all_own on aicrm.outbox
using (tenant_id = (select aicrm_private.current_tenant_id()))
with check (tenant_id = (select aicrm_private.current_tenant_id()));
-- claim_next_delivery sees every tenant's outbox as claim_next_task sees the task queue.
create policy outbox_claim on aicrm.outbox for all to aicrm_owner
using (current_setting('aicrm_private.claiming', true) = (select k.key::text from aicrm_private.claim_key as k))
with check (current_setting('aicrm_private.claiming', true) = (select k.key::text from aicrm_private.claim_key as k));

-- Every delivery attempt's outcome; at most one delivered per outbox row.
create table aicrm.deliveries (
    tenant_id uuid not null default aicrm_private.current_tenant_id(),
    delivery_id uuid not null default gen_random_uuid(),
    outbox_id uuid not null,
    task_id uuid not null,
    deliverable_id uuid not null,
    attempt integer not null,
    transport text not null,
    target text,
    status text not null,
    response jsonb not null default '{}',
    delivered_by text not null,
    created_at timestamptz not null default now(),
    constraint deliveries_pkey primary key (tenant_id, delivery_id),
    constraint deliveries_outbox_fkey foreign key (tenant_id, outbox_id)
    references aicrm.outbox (tenant_id, outbox_id) on delete cascade,
    constraint deliveries_status_check check (status in ('delivered', 'failed')),
    constraint deliveries_transport_check check (transport in ('webhook', 'smtp'))
);

create unique index deliveries_once_idx on aicrm.deliveries (tenant_id, outbox_id) where status = 'delivered';
create index deliveries_task_idx on aicrm.deliveries (tenant_id, task_id, created_at);

alter table aicrm.deliveries enable row level security;
alter table aicrm.deliveries force row level security;
create policy deliveries_all_own on aicrm.deliveries
using (tenant_id = (select aicrm_private.current_tenant_id()))
with check (tenant_id = (select aicrm_private.current_tenant_id()));

-- Written only by the publishing functions (SECURITY DEFINER).
grant select on aicrm.outbox, aicrm.deliveries to aicrm_app, aicrm_worker, aicrm_readonly;
