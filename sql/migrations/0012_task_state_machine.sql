-- The content pipeline's state machine (docs/pipeline.md, DESIGN §5): every task has an
-- execution_state; aicrm.transition_task_state is the only way to change it; the transitions it
-- allows live in aicrm.task_state_transition_rules; each one it makes is recorded in
-- aicrm.task_state_transitions with actor, reason and time.

-- The states (global reference data). A terminal state is left by no transition.
create table aicrm.task_states (
    state text primary key,
    description text not null,
    terminal boolean not null default false,
    -- held by a worker under a lease (claim_next_task)
    leased boolean not null default false,
    -- waiting for a person (review, escalation)
    needs_human boolean not null default false
);

insert into aicrm.task_states (state, description, terminal, leased, needs_human) values
('draft', 'Created, not handed to the pipeline yet.', false, false, false),
('queued', 'Waiting for a worker.', false, false, false),
('gathering_context', 'A worker reads the business context, templates and examples.', false, true, false),
('generating', 'A worker writes a draft (again, with the fixes, on a retry).', false, true, false),
('evaluating', 'The draft is scored and the rules decide.', false, true, false),
('awaiting_review', 'The rules sent the draft to a person.', false, false, true),
('escalated', 'Something needs a person: a rule escalated, or the task failed too often.', false, false, true),
('approved', 'Approved, by the rules or a person; waiting to be published.', false, false, false),
('publishing', 'In the outbox, being delivered.', false, false, false),
('delivered', 'Delivered; waiting for its results.', false, false, false),
('measured', 'Its results are in.', true, false, false),
('rejected', 'Rejected, by the rules or a person.', true, false, false),
('cancelled', 'Cancelled by a person.', true, false, false);

-- The allowed transitions (global reference data): from_state -> to_state.
-- via: the API function that makes this transition (claim_next_task, submit_draft,
-- record_evaluation, review_deliverable, ...), so that a draft cannot be approved, or a task claimed,
-- by a bare call; null: any caller may make it with transition_task_state.
create table aicrm.task_state_transition_rules (
    from_state text not null references aicrm.task_states (state),
    to_state text not null references aicrm.task_states (state),
    via text,
    description text not null,
    constraint task_state_transition_rules_pkey primary key (from_state, to_state),
    constraint task_state_transition_rules_change_check check (from_state <> to_state)
);

insert into aicrm.task_state_transition_rules (from_state, to_state, via, description) values
('draft', 'queued', null, 'handed to the pipeline'),
('draft', 'cancelled', null, 'cancelled before it started'),
('queued', 'gathering_context', 'claim_next_task', 'claimed by a worker'),
('queued', 'cancelled', null, 'cancelled while waiting'),
('gathering_context', 'generating', 'start_generating', 'context read, writing'),
('gathering_context', 'queued', 'release_task', 'released by its worker, or its lease expired'),
('gathering_context', 'escalated', 'fail_task', 'failed too often'),
('gathering_context', 'cancelled', null, 'cancelled while running'),
('generating', 'evaluating', 'submit_draft', 'draft submitted'),
('generating', 'queued', 'release_task', 'released by its worker, or its lease expired'),
('generating', 'escalated', 'fail_task', 'failed too often, or the writer is unavailable'),
('generating', 'cancelled', null, 'cancelled while running'),
('evaluating', 'approved', 'record_evaluation', 'the rules approved'),
('evaluating', 'awaiting_review', 'record_evaluation', 'the rules sent it to a person'),
('evaluating', 'generating', 'record_evaluation', 'the rules asked for a retry with the fixes'),
('evaluating', 'rejected', 'record_evaluation', 'the rules rejected'),
('evaluating', 'escalated', 'record_evaluation', 'the rules escalated'),
('evaluating', 'queued', 'release_task', 'released by its worker, or its lease expired'),
('evaluating', 'cancelled', null, 'cancelled while running'),
('awaiting_review', 'approved', 'review_deliverable', 'a person approved'),
('awaiting_review', 'rejected', 'review_deliverable', 'a person rejected'),
('awaiting_review', 'queued', 'review_deliverable', 'a person asked for changes'),
('awaiting_review', 'cancelled', null, 'cancelled in review'),
('escalated', 'queued', null, 'a person sent it back to the pipeline'),
('escalated', 'awaiting_review', null, 'a person will review the draft'),
('escalated', 'rejected', null, 'a person rejected'),
('escalated', 'cancelled', null, 'a person cancelled'),
('approved', 'publishing', 'publish_deliverable', 'handed to the outbox'),
('approved', 'cancelled', null, 'cancelled before publishing'),
('publishing', 'delivered', 'record_delivery', 'delivered'),
('publishing', 'escalated', 'record_delivery', 'delivery failed for good'),
('delivered', 'measured', 'record_feedback', 'its results are in');

grant select on aicrm.task_states, aicrm.task_state_transition_rules to aicrm_app, aicrm_worker, aicrm_readonly;

-- A task's place in the pipeline. Tasks inserted directly start as drafts; create_content_task
-- queues them. attempts counts drafts written (entries into generating), failures the times a
-- worker gave up on it (fail_task); blockers what keeps it from going on (review, escalation).
alter table aicrm.project_tasks
add column execution_state text not null default 'draft',
add column attempts integer not null default 0,
add column failures integer not null default 0,
add column blockers jsonb not null default '[]',
add column state_changed_at timestamptz not null default now(),
add column idempotency_key text,
add column request_hash text,
add constraint project_tasks_execution_state_fkey foreign key (execution_state)
references aicrm.task_states (state),
add constraint project_tasks_idempotency_key unique (tenant_id, idempotency_key),
add constraint project_tasks_attempts_check check (attempts >= 0 and failures >= 0),
add constraint project_tasks_blockers_check check (jsonb_typeof(blockers) = 'array');

-- Dashboards and the queue: a tenant's tasks by state, the oldest first.
create index project_tasks_state_idx on aicrm.project_tasks (tenant_id, execution_state, state_changed_at);

-- Every transition made, in order. Written only by transition_task_state (SECURITY DEFINER).
create table aicrm.task_state_transitions (
    tenant_id uuid not null default aicrm_private.current_tenant_id(),
    transition_id bigint generated always as identity,
    task_id uuid not null,
    from_state text not null,
    to_state text not null,
    actor text not null,
    reason text,
    details jsonb not null default '{}',
    created_at timestamptz not null default clock_timestamp(),
    constraint task_state_transitions_pkey primary key (tenant_id, transition_id),
    constraint task_state_transitions_task_fkey foreign key (tenant_id, task_id)
    references aicrm.project_tasks (tenant_id, task_id) on delete cascade,
    constraint task_state_transitions_rule_fkey foreign key (from_state, to_state)
    references aicrm.task_state_transition_rules (from_state, to_state)
);

create index task_state_transitions_task_idx on aicrm.task_state_transitions (tenant_id, task_id, transition_id);

alter table aicrm.task_state_transitions enable row level security;
alter table aicrm.task_state_transitions force row level security;
create policy task_state_transitions_all_own on aicrm.task_state_transitions
using (tenant_id = (select aicrm_private.current_tenant_id()))
with check (tenant_id = (select aicrm_private.current_tenant_id()));

grant select on aicrm.task_state_transitions to aicrm_app, aicrm_worker, aicrm_readonly;

-- The state and its bookkeeping are written only by transition_task_state and create_content_task
-- (SECURITY DEFINER): no role may move a task, or create one in a state, by hand.
revoke insert, update on aicrm.project_tasks from aicrm_app;
grant insert (
    tenant_id, task_id, project_id, customer_id, title, description, task_type, channel, status, priority, due_at,
    ai_instructions, quality_thresholds
) on aicrm.project_tasks to aicrm_app;
grant update (
    title, description, task_type, channel, status, priority, due_at, ai_instructions, quality_thresholds, updated_at
) on aicrm.project_tasks to aicrm_app;

-- Workers (docs/pipeline.md, "Workers"): a claimed task carries a lease, held by one worker until
-- lease_until and proved by lease_token on every write back; a claim after the lease expired
-- changes the token, so the worker that lost it can no longer write. available_at holds a task
-- that failed back for its backoff.
alter table aicrm.project_tasks
add column lease_holder text,
add column lease_token uuid,
add column lease_until timestamptz,
add column available_at timestamptz not null default now();

-- What claim_next_task looks at: queued tasks by priority and age, and leases that ran out.
create index project_tasks_queue_idx on aicrm.project_tasks (priority, available_at)
where execution_state = 'queued';
create index project_tasks_leases_idx on aicrm.project_tasks (lease_until)
where lease_until is not null;

-- claim_next_task (SECURITY DEFINER, owned by aicrm_owner) is the one place where tasks of every
-- tenant are looked at: for its one query it sets aicrm_private.claiming to a key kept in a table
-- no other role can read. Any role can set the setting, none can know the key, so no caller can
-- make another owner-run function see past its tenant.
create table aicrm_private.claim_key (
    key uuid primary key default gen_random_uuid()
);
insert into aicrm_private.claim_key default values;

-- For all commands: a SELECT ... FOR UPDATE must pass the UPDATE policies too.
create policy project_tasks_claim on aicrm.project_tasks for all to aicrm_owner
using (current_setting('aicrm_private.claiming', true) = (select k.key::text from aicrm_private.claim_key as k))
with check (current_setting('aicrm_private.claiming', true) = (select k.key::text from aicrm_private.claim_key as k));

-- A draft submitted twice with the same key (a worker retrying after a lost answer) is one draft;
-- what produced it (context version, template, examples, rules, model, tokens, cost) is kept.
alter table aicrm.project_deliverables
add column idempotency_key text,
add column provenance jsonb not null default '{}',
add constraint project_deliverables_idempotency_key unique (tenant_id, task_id, idempotency_key),
add constraint project_deliverables_provenance_check check (jsonb_typeof(provenance) = 'object');

-- record_evaluation gains the worker's lease token (p_lease_token, sql/functions/quality/): the
-- two-argument version is dropped here, before the function files re-create it.
drop function if exists aicrm.record_evaluation(uuid, jsonb);
