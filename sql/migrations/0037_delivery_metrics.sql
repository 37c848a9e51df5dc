-- Outcomes in (issue 16; docs/learning.md): what happened to a delivery once it went out.
-- aicrm.delivery_metrics holds one row per delivery with its cumulative counters, written by
-- aicrm.record_delivery_metrics (a provider's or an import's totals) and by
-- aicrm.record_delivery_events (per-recipient events, folded in); aicrm.delivery_events keeps those
-- events in one normal form whatever the provider; aicrm.delivery_metric_calls remembers each
-- record_delivery_metrics call by its idempotency key. The scheduled job close-metrics-windows
-- moves a delivered task to measured when its delivery's metrics window (per channel, the decision
-- setting metrics_window_hours) has closed.

-- Counters are unique recipients (a recipient who opens three times is one open), so every one of
-- them but revenue is bounded by sent; revenue is a sum of money, bounded by nothing.
create table aicrm.delivery_metrics (
    tenant_id uuid not null default aicrm_private.current_tenant_id(),
    delivery_id uuid not null,
    task_id uuid not null,
    channel text not null,
    sent bigint not null default 0,
    delivered bigint not null default 0,
    opens bigint not null default 0,
    clicks bigint not null default 0,
    conversions bigint not null default 0,
    revenue numeric(16, 2) not null default 0,
    unsubscribes bigint not null default 0,
    complaints bigint not null default 0,
    bounces bigint not null default 0,
    replies bigint not null default 0,
    -- fixed when the first outcome arrives: the delivery's time + the channel's window then
    window_ends_at timestamptz not null,
    -- when close-metrics-windows moved the task to measured; later outcomes still count
    measured_at timestamptz,
    created_at timestamptz not null default clock_timestamp(),
    updated_at timestamptz not null default clock_timestamp(),
    constraint delivery_metrics_pkey primary key (tenant_id, delivery_id),
    constraint delivery_metrics_delivery_fkey foreign key (tenant_id, delivery_id)
    references aicrm.deliveries (tenant_id, delivery_id) on delete cascade,
    constraint delivery_metrics_nonnegative_check check (
        least(sent, delivered, opens, clicks, conversions, unsubscribes, complaints, bounces, replies) >= 0
        and revenue >= 0
    ),
    constraint delivery_metrics_sent_check check (
        greatest(delivered, opens, clicks, conversions, unsubscribes, complaints, bounces, replies) <= sent
    )
);

create index delivery_metrics_task on aicrm.delivery_metrics (tenant_id, task_id);

-- One provider's event about one recipient of one delivery, in the normal form (docs/learning.md).
-- The recipient is kept as a hash only: sha256 of "<tenant id>:<address, trimmed, lower case>".
-- Counting unique recipients needs nothing more, the log outlives the campaign (learning reads it
-- for months), and an address is personal data a leak or an erasure request would otherwise reach
-- here too; the tenant in the hash keeps two tenants' logs from being joined on a recipient.
create table aicrm.delivery_events (
    tenant_id uuid not null default aicrm_private.current_tenant_id(),
    event_id bigint generated always as identity,
    delivery_id uuid not null,
    event text not null,
    recipient_hash text not null,
    occurred_at timestamptz not null,
    provider text not null,
    provider_event_id text not null,
    url text,
    revenue numeric(16, 2),
    -- what the provider said that the normal form does not carry, without addresses
    raw jsonb not null default '{}',
    received_at timestamptz not null default clock_timestamp(),
    constraint delivery_events_pkey primary key (tenant_id, event_id),
    -- a provider's retry of the same event changes nothing
    constraint delivery_events_provider_key unique (tenant_id, provider, provider_event_id),
    constraint delivery_events_delivery_fkey foreign key (tenant_id, delivery_id)
    references aicrm.deliveries (tenant_id, delivery_id) on delete cascade,
    constraint delivery_events_event_check check (
        event in ('delivered', 'open', 'click', 'conversion', 'unsubscribe', 'complaint', 'bounce', 'reply')
    ),
    constraint delivery_events_hash_check check (recipient_hash ~ '^[0-9a-f]{64}$'),
    constraint delivery_events_revenue_check check (revenue >= 0)
);

create index delivery_events_delivery on aicrm.delivery_events (tenant_id, delivery_id, event, recipient_hash);

-- record_delivery_metrics' calls by idempotency key: a repeat gets the first call's answer.
create table aicrm.delivery_metric_calls (
    tenant_id uuid not null default aicrm_private.current_tenant_id(),
    idempotency_key text not null,
    delivery_id uuid not null,
    request jsonb not null,
    answer jsonb,
    created_at timestamptz not null default clock_timestamp(),
    constraint delivery_metric_calls_pkey primary key (tenant_id, idempotency_key),
    constraint delivery_metric_calls_delivery_fkey foreign key (tenant_id, delivery_id)
    references aicrm.deliveries (tenant_id, delivery_id) on delete cascade
);

create index delivery_metric_calls_delivery on aicrm.delivery_metric_calls (tenant_id, delivery_id);

do $$
declare
    v_table text;
begin
    foreach v_table in array array['delivery_metrics', 'delivery_events', 'delivery_metric_calls'] loop
        execute format('alter table aicrm.%I enable row level security', v_table);
        execute format('alter table aicrm.%I force row level security', v_table);
        execute format(
            'create policy %I on aicrm.%I using (tenant_id = (select aicrm_private.current_tenant_id()))'
            ' with check (tenant_id = (select aicrm_private.current_tenant_id()))',
            v_table || '_all_own', v_table
        );
    end loop;
end
$$;

-- Written through the functions only (sql/functions/learning/); read by every role.
grant select on aicrm.delivery_metrics, aicrm.delivery_events, aicrm.delivery_metric_calls
to aicrm_app, aicrm_worker, aicrm_readonly;

-- delivered -> measured is the scheduled job's: a task is measured when its window closes.
update aicrm.task_state_transition_rules
set via = 'close_metrics_windows', description = 'its metrics window closed'
where from_state = 'delivered' and to_state = 'measured';
