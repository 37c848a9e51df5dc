-- Agents and their messages (issue 18; docs/agents.md). An agent fills one of eight roles, each
-- with what it may send, read and decide (aicrm.agent_roles, data enforced by
-- aicrm.send_agent_message); a person (an account manager) is a participant in the role human.
-- Agents exchange aicrm.ai_agent_messages: handoffs, requests and responses (one correlation id),
-- notifications; in threads; claimed from an inbox under a visibility timeout, acknowledged in the
-- transaction of the work they complete, dead-lettered when they expire or keep failing.

-- The roles (deployment-wide reference data, like industries; seeds/defaults/0017_agent_roles.sql
-- keeps them): what a role may send (message kinds), read (message types, or '*': any) and decide
-- (the decisions a message of it may carry; a handoff to the publisher needs 'publish').
create table aicrm.agent_roles (
    role text primary key,
    description text not null,
    may_send text[] not null default '{}',
    may_read text[] not null default '{}',
    decides text[] not null default '{}',
    constraint agent_roles_role_check check (role ~ '^[a-z][a-z_]{0,39}$'),
    constraint agent_roles_may_send_check check (may_send <@ array['handoff', 'request', 'response', 'notification'])
);

grant select on aicrm.agent_roles to aicrm_app, aicrm_worker, aicrm_readonly;

-- An agent's status replaces the flag active (kept, derived, for readers of the old column), a
-- heartbeat (stamped by read_agent_inbox), and its model's settings (temperature, limits).
alter table aicrm.ai_agents
add column status text not null default 'active',
add column last_heartbeat_at timestamptz,
add column model_settings jsonb not null default '{}';

-- Existing agents: a role outside the eight becomes writer, an inactive agent paused. Row-level
-- security is forced, so tenant by tenant; the audit log keeps the old values.
do $$
declare
    v_previous text := current_setting('aicrm.tenant_id', true);
    v_tenant uuid;
begin
    for v_tenant in select t.tenant_id from aicrm.tenants as t loop
        perform set_config('aicrm.tenant_id', v_tenant::text, true);
        update aicrm.ai_agents as a
        set agent_role = case
                when a.agent_role in (
                    'strategist', 'writer', 'editor', 'compliance', 'publisher', 'analyst', 'external', 'human'
                ) then a.agent_role
                else 'writer'
            end,
            status = case when a.active then 'active' else 'paused' end
        where a.tenant_id = v_tenant
          and (not a.active or a.agent_role not in (
              'strategist', 'writer', 'editor', 'compliance', 'publisher', 'analyst', 'external', 'human'
          ));
    end loop;
    perform set_config('aicrm.tenant_id', coalesce(v_previous, ''), true);
end
$$;

alter table aicrm.ai_agents drop column active;
alter table aicrm.ai_agents add column active boolean generated always as (status = 'active') stored;
alter table aicrm.ai_agents
add constraint ai_agents_role_check check (
    agent_role in ('strategist', 'writer', 'editor', 'compliance', 'publisher', 'analyst', 'external', 'human')
),
add constraint ai_agents_status_check check (status in ('active', 'paused', 'retired'));

-- One message from an agent (or a person: from_role human, no from_agent_id) to an agent or to a
-- role (exactly one). Partitioned by month on created_at: the partitions are
-- aicrm_private.ai_agent_messages_yYYYYmMM, created ahead by
-- aicrm_private.ensure_agent_message_partitions (the seeds and the job expire-agent-messages);
-- aicrm_private.ai_agent_messages_default catches a month nobody created (the job had not run for
-- two months) until its partition is created, which moves the rows there.
--
-- Status: pending (sent) -> delivered (claimed by read_agent_inbox until visible_at; when that
-- passes unacknowledged it is claimable again) -> acknowledged; or dead_lettered, with the reason
-- expired (past expires_at unacknowledged; expire_agent_messages) or max_deliveries (claimed the
-- maximum number of times without an acknowledgement). Agents and deliverables are checked when a
-- message is sent, not by foreign keys: a message is a record of what was said, and keeps the ids.
create table aicrm.ai_agent_messages (
    tenant_id uuid not null default aicrm_private.current_tenant_id(),
    message_id uuid not null default gen_random_uuid(),
    created_at timestamptz not null default clock_timestamp(),
    kind text not null,
    message_type text not null,
    from_agent_id uuid,
    from_role text not null,
    to_agent_id uuid,
    to_role text,
    -- the conversation: a task's thread is its task_id
    thread_id uuid not null,
    reply_to uuid,
    -- a request's id, carried by its responses
    correlation_id uuid not null,
    parts jsonb not null,
    priority smallint not null default 3,
    status text not null default 'pending',
    -- how many times the message was claimed
    deliveries integer not null default 0,
    visible_at timestamptz not null default clock_timestamp(),
    expires_at timestamptz not null,
    claimed_by uuid,
    claim_token uuid,
    acknowledged_at timestamptz,
    acknowledged_by uuid,
    dead_lettered_at timestamptz,
    dead_letter_reason text,
    idempotency_key text,
    request_hash text,
    constraint ai_agent_messages_pkey primary key (tenant_id, message_id, created_at),
    constraint ai_agent_messages_tenant_fkey foreign key (tenant_id)
    references aicrm.tenants (tenant_id) on delete cascade,
    constraint ai_agent_messages_kind_check check (kind in ('handoff', 'request', 'response', 'notification')),
    constraint ai_agent_messages_type_check check (
        message_type ~ '^[a-z]+\.[a-z][a-z0-9_]{0,62}$' and split_part(message_type, '.', 1) = kind
    ),
    constraint ai_agent_messages_to_check check ((to_agent_id is null) <> (to_role is null)),
    constraint ai_agent_messages_response_check check (kind <> 'response' or reply_to is not null),
    constraint ai_agent_messages_priority_check check (priority between 1 and 5),
    constraint ai_agent_messages_status_check check (
        status in ('pending', 'delivered', 'acknowledged', 'dead_lettered')
    ),
    constraint ai_agent_messages_acknowledged_check check ((status = 'acknowledged') = (acknowledged_at is not null)),
    constraint ai_agent_messages_dead_letter_check check (
        (status = 'dead_lettered') = (dead_lettered_at is not null)
        and (status = 'dead_lettered') = (dead_letter_reason in ('expired', 'max_deliveries'))
    ),
    constraint ai_agent_messages_deliveries_check check (deliveries >= 0)
) partition by range (created_at);

-- the inbox: an agent's own messages, and its role's
create index ai_agent_messages_inbox_agent on aicrm.ai_agent_messages (tenant_id, to_agent_id, priority, created_at)
where status in ('pending', 'delivered');
create index ai_agent_messages_inbox_role on aicrm.ai_agent_messages (tenant_id, to_role, priority, created_at)
where status in ('pending', 'delivered');
create index ai_agent_messages_thread on aicrm.ai_agent_messages (tenant_id, thread_id, created_at);
create index ai_agent_messages_correlation on aicrm.ai_agent_messages (tenant_id, correlation_id);
-- what the job dead-letters: expired, or claimed too often
create index ai_agent_messages_expiry on aicrm.ai_agent_messages (tenant_id, expires_at)
where status in ('pending', 'delivered');
create index ai_agent_messages_claimed on aicrm.ai_agent_messages (tenant_id, visible_at)
where status = 'delivered';
create index ai_agent_messages_dead_letters on aicrm.ai_agent_messages (tenant_id, dead_lettered_at)
where status = 'dead_lettered';
create index ai_agent_messages_idempotency on aicrm.ai_agent_messages (tenant_id, idempotency_key)
where idempotency_key is not null;

alter table aicrm.ai_agent_messages enable row level security;
alter table aicrm.ai_agent_messages force row level security;
create policy ai_agent_messages_all_own on aicrm.ai_agent_messages
using (tenant_id = (select aicrm_private.current_tenant_id()))
with check (tenant_id = (select aicrm_private.current_tenant_id()));

-- Written through the functions only (sql/functions/agents/); read by every role. The partitions
-- are granted to nobody: read through the parent, whose policy applies.
grant select on aicrm.ai_agent_messages to aicrm_app, aicrm_worker, aicrm_readonly;

create table aicrm_private.ai_agent_messages_default partition of aicrm.ai_agent_messages default;
alter table aicrm_private.ai_agent_messages_default enable row level security;
alter table aicrm_private.ai_agent_messages_default force row level security;
create policy ai_agent_messages_default_all_own on aicrm_private.ai_agent_messages_default
using (tenant_id = (select aicrm_private.current_tenant_id()))
with check (tenant_id = (select aicrm_private.current_tenant_id()));
