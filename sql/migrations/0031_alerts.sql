-- Alerts with a life cycle and an owner (docs/operations.md, "Alerts"). A rule watches one of the
-- built-in metrics of a tenant's pipeline with a warning and an alert threshold; the scheduled job
-- evaluate-alert-rules (aicrm.evaluate_alert_rules) opens, raises, lowers and recovers one alert per
-- rule; people acknowledge, assign, snooze and resolve it (audited in aicrm.alert_events); each
-- change worth telling is queued in aicrm.alert_notifications for the tenant's webhooks, signed
-- with HMAC-SHA256, retried with backoff; a webhook failing 5 deliveries in a row is disabled, and
-- that raises an alert of its own.

-- The rules every tenant starts with (deployment-wide reference data, like
-- decision_setting_defaults): a tenant's own row in aicrm.alert_rules with the same rule_key
-- replaces one (to change its thresholds or disable it); a tenant may add rules of its own.
-- Every metric is "higher is worse"; see aicrm_private.alert_metric for what each measures.
create table aicrm.alert_rule_defaults (
    rule_key text primary key,
    name text not null,
    metric text not null,
    warning_threshold numeric,
    alert_threshold numeric not null,
    window_hours integer not null default 1,
    min_volume integer not null default 0,
    renotify_minutes integer,
    description text not null
);

create table aicrm.alert_rules (
    tenant_id uuid not null default aicrm_private.current_tenant_id(),
    rule_key text not null,
    name text not null,
    metric text not null,
    enabled boolean not null default true,
    warning_threshold numeric,
    alert_threshold numeric not null,
    -- the hours of the pipeline's summaries a rate is taken over (hourly buckets)
    window_hours integer not null default 1,
    -- below this many events in the window a rate rule does not fire (and an open alert turns no_data)
    min_volume integer not null default 0,
    -- how often an alert nobody acknowledged is notified again; null: once
    renotify_minutes integer,
    -- who a new alert of this rule is assigned to
    owner text,
    description text,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint alert_rules_pkey primary key (tenant_id, rule_key)
);

create table aicrm.alerts (
    tenant_id uuid not null default aicrm_private.current_tenant_id(),
    alert_id uuid not null default gen_random_uuid(),
    rule_key text not null,
    rule_name text not null,
    -- warning or alert: firing; acknowledged: a person has it; no_data: too little to judge;
    -- resolved: a person closed it; recovered: it cleared on its own
    state text not null,
    severity text not null,
    value numeric,
    threshold numeric,
    volume bigint,
    message text not null,
    evidence jsonb not null default '{}',
    opened_at timestamptz not null default clock_timestamp(),
    updated_at timestamptz not null default clock_timestamp(),
    closed_at timestamptz,
    last_notified_at timestamptz,
    acknowledged_by text,
    acknowledged_at timestamptz,
    assigned_to text,
    assigned_by text,
    assigned_at timestamptz,
    snoozed_until timestamptz,
    snoozed_by text,
    resolved_by text,
    resolved_at timestamptz,
    resolution_note text,
    constraint alerts_pkey primary key (tenant_id, alert_id),
    constraint alerts_state_check check (
        state in ('warning', 'alert', 'acknowledged', 'no_data', 'resolved', 'recovered')
    ),
    constraint alerts_severity_check check (severity in ('warning', 'alert')),
    constraint alerts_closed_check check ((state in ('resolved', 'recovered')) = (closed_at is not null))
);

-- one open alert per rule
create unique index alerts_open_rule on aicrm.alerts (tenant_id, rule_key) where closed_at is null;
create index alerts_recent on aicrm.alerts (tenant_id, opened_at);

-- What happened to an alert and who did it: opened, raised, lowered, no_data, recovered,
-- acknowledged, assigned, snoozed, resolved, notified.
create table aicrm.alert_events (
    tenant_id uuid not null default aicrm_private.current_tenant_id(),
    event_id bigint generated always as identity,
    alert_id uuid not null,
    at timestamptz not null default clock_timestamp(),
    action text not null,
    actor text not null,
    note text,
    details jsonb not null default '{}',
    constraint alert_events_pkey primary key (tenant_id, event_id),
    constraint alert_events_alert_fkey foreign key (tenant_id, alert_id)
    references aicrm.alerts (tenant_id, alert_id) on delete cascade
);

create index alert_events_alert on aicrm.alert_events (tenant_id, alert_id, event_id);

-- Where a tenant's alerts are sent: webhooks, each with its signing secret (readable by no role
-- but the owner: aicrm.set_alert_webhook returns it once).
create table aicrm.alert_channels (
    tenant_id uuid not null default aicrm_private.current_tenant_id(),
    channel_id uuid not null default gen_random_uuid(),
    url text not null,
    secret text not null,
    enabled boolean not null default true,
    consecutive_failures integer not null default 0,
    disabled_at timestamptz,
    disabled_reason text,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    constraint alert_channels_pkey primary key (tenant_id, channel_id),
    constraint alert_channels_url_key unique (tenant_id, url)
);

-- One message to one webhook, delivered by `aicrm notifier` (or any client speaking
-- claim_alert_notification / record_alert_notification).
create table aicrm.alert_notifications (
    tenant_id uuid not null default aicrm_private.current_tenant_id(),
    notification_id uuid not null default gen_random_uuid(),
    channel_id uuid not null,
    alert_id uuid not null,
    payload jsonb not null,
    status text not null default 'pending',
    attempts integer not null default 0,
    available_at timestamptz not null default clock_timestamp(),
    lease_holder text,
    lease_token uuid,
    lease_until timestamptz,
    last_error text,
    created_at timestamptz not null default clock_timestamp(),
    delivered_at timestamptz,
    constraint alert_notifications_pkey primary key (tenant_id, notification_id),
    constraint alert_notifications_channel_fkey foreign key (tenant_id, channel_id)
    references aicrm.alert_channels (tenant_id, channel_id) on delete cascade,
    constraint alert_notifications_alert_fkey foreign key (tenant_id, alert_id)
    references aicrm.alerts (tenant_id, alert_id) on delete cascade,
    constraint alert_notifications_status_check check (status in ('pending', 'delivering', 'delivered', 'failed'))
);

create index alert_notifications_due on aicrm.alert_notifications (available_at)
where status in ('pending', 'delivering');
create index alert_notifications_alert on aicrm.alert_notifications (tenant_id, alert_id);
create index alert_notifications_channel on aicrm.alert_notifications (tenant_id, channel_id);

do $$
declare
    v_table text;
begin
    foreach v_table in array array['alert_rules', 'alerts', 'alert_events', 'alert_channels', 'alert_notifications'] loop
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

-- Written through the functions only (sql/functions/alerts/); read by every role, the webhooks'
-- secrets by none.
grant select on aicrm.alert_rule_defaults to aicrm_app, aicrm_worker, aicrm_readonly;
grant select on aicrm.alert_rules, aicrm.alerts, aicrm.alert_events, aicrm.alert_notifications
to aicrm_app, aicrm_worker, aicrm_readonly;
grant select (
    tenant_id, channel_id, url, enabled, consecutive_failures, disabled_at, disabled_reason, created_at, updated_at
) on aicrm.alert_channels to aicrm_app, aicrm_worker, aicrm_readonly;

-- claim_alert_notification sees every tenant's notices as claim_next_task sees the task queue.
create policy alert_notifications_claim on aicrm.alert_notifications for all to aicrm_owner
using (current_setting('aicrm_private.claiming', true) = (select k.key::text from aicrm_private.claim_key as k))
with check (current_setting('aicrm_private.claiming', true) = (select k.key::text from aicrm_private.claim_key as k));
