-- Projects, their tasks and deliverables (basic columns; the pipeline extends them), and the
-- AI agents of a tenant.

create table aicrm.projects (
    tenant_id uuid not null default aicrm_private.current_tenant_id(),
    project_id uuid not null default gen_random_uuid(),
    customer_id uuid not null,
    name text not null,
    description text,
    status text not null default 'active',
    starts_on date,
    due_on date,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint projects_pkey primary key (tenant_id, project_id),
    -- Lets tasks prove they belong to the same customer as their project.
    constraint projects_customer_key unique (tenant_id, project_id, customer_id),
    constraint projects_customer_fkey foreign key (tenant_id, customer_id)
    references aicrm.customers (tenant_id, customer_id) on delete cascade
);

create index projects_customer_idx on aicrm.projects (tenant_id, customer_id);

create table aicrm.project_tasks (
    tenant_id uuid not null default aicrm_private.current_tenant_id(),
    task_id uuid not null default gen_random_uuid(),
    project_id uuid not null,
    customer_id uuid not null,
    title text not null,
    description text,
    task_type text not null,
    channel text not null,
    status text not null default 'todo',
    priority integer not null default 3,
    due_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint project_tasks_pkey primary key (tenant_id, task_id),
    constraint project_tasks_project_fkey foreign key (tenant_id, project_id, customer_id)
    references aicrm.projects (tenant_id, project_id, customer_id) on delete cascade
);

create index project_tasks_project_idx on aicrm.project_tasks (tenant_id, project_id);
create index project_tasks_customer_idx on aicrm.project_tasks (tenant_id, customer_id);

create table aicrm.project_deliverables (
    tenant_id uuid not null default aicrm_private.current_tenant_id(),
    deliverable_id uuid not null default gen_random_uuid(),
    task_id uuid not null,
    version integer not null default 1,
    title text,
    subject text,
    content text not null,
    content_format text not null default 'text',
    status text not null default 'draft',
    created_by text not null default current_user,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint project_deliverables_pkey primary key (tenant_id, deliverable_id),
    constraint project_deliverables_version_key unique (tenant_id, task_id, version),
    constraint project_deliverables_task_fkey foreign key (tenant_id, task_id)
    references aicrm.project_tasks (tenant_id, task_id) on delete cascade
);

create table aicrm.ai_agents (
    tenant_id uuid not null default aicrm_private.current_tenant_id(),
    agent_id uuid not null default gen_random_uuid(),
    name text not null,
    agent_role text not null,
    description text,
    capabilities jsonb not null default '[]',
    model text,
    config jsonb not null default '{}',
    active boolean not null default true,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint ai_agents_pkey primary key (tenant_id, agent_id),
    constraint ai_agents_name_key unique (tenant_id, name),
    constraint ai_agents_tenant_fkey foreign key (tenant_id)
    references aicrm.tenants (tenant_id) on delete cascade
);

alter table aicrm.projects enable row level security;
alter table aicrm.projects force row level security;
create policy projects_all_own on aicrm.projects
using (tenant_id = (select aicrm_private.current_tenant_id()))
with check (tenant_id = (select aicrm_private.current_tenant_id()));

alter table aicrm.project_tasks enable row level security;
alter table aicrm.project_tasks force row level security;
create policy project_tasks_all_own on aicrm.project_tasks
using (tenant_id = (select aicrm_private.current_tenant_id()))
with check (tenant_id = (select aicrm_private.current_tenant_id()));

alter table aicrm.project_deliverables enable row level security;
alter table aicrm.project_deliverables force row level security;
create policy project_deliverables_all_own on aicrm.project_deliverables
using (tenant_id = (select aicrm_private.current_tenant_id()))
with check (tenant_id = (select aicrm_private.current_tenant_id()));

alter table aicrm.ai_agents enable row level security;
alter table aicrm.ai_agents force row level security;
create policy ai_agents_all_own on aicrm.ai_agents
using (tenant_id = (select aicrm_private.current_tenant_id()))
with check (tenant_id = (select aicrm_private.current_tenant_id()));

grant select, insert, update, delete
on aicrm.projects, aicrm.project_tasks, aicrm.project_deliverables, aicrm.ai_agents
to aicrm_app;
grant select on aicrm.projects, aicrm.project_tasks, aicrm.project_deliverables, aicrm.ai_agents
to aicrm_worker, aicrm_readonly;
