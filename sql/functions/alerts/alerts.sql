-- Alerts (docs/operations.md, "Alerts"): the job that evaluates the rules, the rules' settings,
-- what people do with an alert, and the webhooks' delivery API. Private parts:
-- sql/functions/private/oversight/.

-- The scheduled job evaluate-alert-rules (every minute): evaluates every tenant's rules in force
-- and moves its alerts (aicrm_private.evaluate_tenant_alerts). Returns the alerts changed. One
-- evaluation at a time: a call while another runs returns 0 at once, with a notice (a scheduled
-- tick is recorded busy by run_scheduled_job before that). A deployment's job, run by pg_cron or
-- `aicrm scheduler` as the owner; no tenant role may call it.
create or replace function aicrm.evaluate_alert_rules()
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_tenant uuid;
    v_changed bigint := 0;
begin
    if not pg_try_advisory_xact_lock(hashtext('aicrm.evaluate_alert_rules')) then
        raise notice 'evaluate_alert_rules: another evaluation is running; this one does nothing';
        return 0;
    end if;
    for v_tenant in select t.tenant_id from aicrm.tenants as t order by t.tenant_id loop
        perform set_config('aicrm.tenant_id', v_tenant::text, true);
        v_changed := v_changed + aicrm_private.evaluate_tenant_alerts();
    end loop;
    perform set_config('aicrm.tenant_id', '', true);
    return v_changed;
end
$$;

revoke execute on function aicrm.evaluate_alert_rules() from public;

-- The scheduled job prune-alert-history (daily): deletes, oldest first and at most 10,000 of each a
-- call, the notices delivered or given up and the closed alerts (with their events and notices)
-- older than the setting aicrm.alert_history_retention (an interval of at least a day; default 90
-- days), e.g. `alter database aicrm set aicrm.alert_history_retention = '1 year'`. Returns the rows
-- deleted. The owner's only.
create or replace function aicrm.prune_alert_history()
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_keep interval := aicrm_private.retention_setting('aicrm.alert_history_retention', interval '90 days');
    v_tenant uuid;
    v_rows bigint;
    v_done bigint := 0;
begin
    for v_tenant in select t.tenant_id from aicrm.tenants as t order by t.tenant_id loop
        exit when v_done >= 10000;
        perform set_config('aicrm.tenant_id', v_tenant::text, true);
        delete from aicrm.alert_notifications as n
        where n.tenant_id = v_tenant and n.notification_id in (
            select o.notification_id from aicrm.alert_notifications as o
            where o.tenant_id = v_tenant and o.status in ('delivered', 'failed') and o.created_at < now() - v_keep
            order by o.created_at
            limit 10000 - v_done
        );
        get diagnostics v_rows = row_count;
        v_done := v_done + v_rows;
        delete from aicrm.alerts as a
        where a.tenant_id = v_tenant and a.alert_id in (
            select o.alert_id from aicrm.alerts as o
            where o.tenant_id = v_tenant and o.closed_at < now() - v_keep
            order by o.closed_at
            limit greatest(10000 - v_done, 0)
        );
        get diagnostics v_rows = row_count;
        v_done := v_done + v_rows;
    end loop;
    perform set_config('aicrm.tenant_id', '', true);
    return v_done;
end
$$;

revoke execute on function aicrm.prune_alert_history() from public;

-- Adds or changes one of the tenant's alert rules: p_rule {rule_key, name?, metric?, enabled?,
-- warning_threshold?, alert_threshold?, window_hours?, min_volume?, renotify_minutes?, owner?,
-- description?}. A rule_key of the defaults (aicrm.alert_rule_defaults) starts from the default's
-- values, so {"rule_key": "review-sla", "alert_threshold": 480} changes one threshold and
-- {"rule_key": "queue-age", "enabled": false} turns one off; another rule_key is a rule of the
-- tenant's own and needs metric, name and alert_threshold. Errors: AC001 naming the field.
-- Returns the rule as stored.
create or replace function aicrm.set_alert_rule(p_rule jsonb)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_tenant uuid := aicrm_private.require_tenant();
    v_base jsonb;
    v_rule jsonb;
    v_key text;
    v_unknown text;
    v_row aicrm.alert_rules;
begin
    if p_rule is null or jsonb_typeof(p_rule) <> 'object' then
        raise exception using errcode = 'AC001', column = 'rule', message = 'rule: must be a JSON object';
    end if;
    select k into v_unknown from jsonb_object_keys(p_rule) as k
    where k not in ('rule_key', 'name', 'metric', 'enabled', 'warning_threshold', 'alert_threshold', 'window_hours',
                    'min_volume', 'renotify_minutes', 'owner', 'description')
    limit 1;
    if v_unknown is not null then
        raise exception using errcode = 'AC001', column = v_unknown, message = format('%s: is not a field of an alert rule', v_unknown);
    end if;
    v_key := p_rule ->> 'rule_key';
    if v_key is null or v_key !~ '^[a-z0-9][a-z0-9_-]{0,62}$' then
        raise exception using errcode = 'AC001', column = 'rule_key',
            message = 'rule_key: is required: lowercase letters, digits, - and _ (at most 63)';
    end if;
    -- what it starts from: the tenant's rule, else the default of that key
    select to_jsonb(r) - 'tenant_id' - 'created_at' - 'updated_at' into v_base
    from aicrm.alert_rules as r where r.tenant_id = v_tenant and r.rule_key = v_key;
    if v_base is null then
        select to_jsonb(d) || '{"enabled": true}' into v_base from aicrm.alert_rule_defaults as d where d.rule_key = v_key;
    end if;
    v_rule := coalesce(v_base, '{"enabled": true, "window_hours": 1, "min_volume": 0}') || p_rule;
    if coalesce(v_rule ->> 'name', '') = '' or char_length(v_rule ->> 'name') > 200 then
        raise exception using errcode = 'AC001', column = 'name', message = 'name: is required (at most 200 characters)';
    end if;
    if not (v_rule ->> 'metric') = any(aicrm_private.alert_metrics()) or v_rule ->> 'metric' is null then
        raise exception using errcode = 'AC001', column = 'metric',
            message = format('metric: %s is not a metric', coalesce(quote_literal(v_rule ->> 'metric'), 'null')),
            hint = 'One of ' || array_to_string(aicrm_private.alert_metrics(), ', ') || '.';
    end if;
    if jsonb_typeof(v_rule -> 'alert_threshold') is distinct from 'number' then
        raise exception using errcode = 'AC001', column = 'alert_threshold', message = 'alert_threshold: must be a number';
    end if;
    if jsonb_typeof(v_rule -> 'warning_threshold') not in ('number', 'null') then
        raise exception using errcode = 'AC001', column = 'warning_threshold', message = 'warning_threshold: must be a number or null';
    end if;
    if (v_rule ->> 'warning_threshold')::numeric > (v_rule ->> 'alert_threshold')::numeric then
        raise exception using errcode = 'AC001', column = 'warning_threshold',
            message = 'warning_threshold: must not be over alert_threshold (every metric is higher-is-worse)';
    end if;
    if jsonb_typeof(v_rule -> 'enabled') is distinct from 'boolean' then
        raise exception using errcode = 'AC001', column = 'enabled', message = 'enabled: must be true or false';
    end if;
    if jsonb_typeof(v_rule -> 'window_hours') is distinct from 'number'
        or (v_rule ->> 'window_hours')::numeric not between 1 and 720 or (v_rule ->> 'window_hours')::numeric % 1 <> 0 then
        raise exception using errcode = 'AC001', column = 'window_hours', message = 'window_hours: must be a whole number from 1 to 720';
    end if;
    if jsonb_typeof(v_rule -> 'min_volume') is distinct from 'number'
        or (v_rule ->> 'min_volume')::numeric not between 0 and 1000000 or (v_rule ->> 'min_volume')::numeric % 1 <> 0 then
        raise exception using errcode = 'AC001', column = 'min_volume', message = 'min_volume: must be a whole number from 0 to 1000000';
    end if;
    if jsonb_typeof(v_rule -> 'renotify_minutes') not in ('number', 'null')
        or (v_rule ->> 'renotify_minutes')::numeric not between 5 and 10080
        or (v_rule ->> 'renotify_minutes')::numeric % 1 <> 0 then
        raise exception using errcode = 'AC001', column = 'renotify_minutes',
            message = 'renotify_minutes: must be a whole number from 5 to 10080, or null (notify once)';
    end if;
    if jsonb_typeof(v_rule -> 'owner') not in ('string', 'null') or char_length(v_rule ->> 'owner') > 200 then
        raise exception using errcode = 'AC001', column = 'owner', message = 'owner: must be a name of at most 200 characters, or null';
    end if;
    insert into aicrm.alert_rules as r (
        tenant_id, rule_key, name, metric, enabled, warning_threshold, alert_threshold, window_hours, min_volume,
        renotify_minutes, owner, description
    )
    values (
        v_tenant, v_key, v_rule ->> 'name', v_rule ->> 'metric', (v_rule ->> 'enabled')::boolean,
        (v_rule ->> 'warning_threshold')::numeric, (v_rule ->> 'alert_threshold')::numeric,
        (v_rule ->> 'window_hours')::integer, (v_rule ->> 'min_volume')::integer,
        (v_rule ->> 'renotify_minutes')::integer, v_rule ->> 'owner', v_rule ->> 'description'
    )
    on conflict (tenant_id, rule_key) do update
    set name = excluded.name, metric = excluded.metric, enabled = excluded.enabled,
        warning_threshold = excluded.warning_threshold, alert_threshold = excluded.alert_threshold,
        window_hours = excluded.window_hours, min_volume = excluded.min_volume,
        renotify_minutes = excluded.renotify_minutes, owner = excluded.owner, description = excluded.description,
        updated_at = now()
    returning * into v_row;
    return to_jsonb(v_row) - 'tenant_id';
end
$$;

-- A person has the alert: acknowledged by whom and when (p_by: the person, else the JWT's subject
-- or the role); it stops being notified again until it rises from warning to alert.
create or replace function aicrm.acknowledge_alert(p_alert_id uuid, p_note text default null, p_by text default null)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_alert aicrm.alerts := aicrm_private.open_alert(p_alert_id);
    v_by text := aicrm_private.alert_actor(p_by);
begin
    update aicrm.alerts as a
    set state = 'acknowledged', acknowledged_by = v_by, acknowledged_at = clock_timestamp(), updated_at = clock_timestamp()
    where a.tenant_id = v_alert.tenant_id and a.alert_id = p_alert_id
    returning * into v_alert;
    perform aicrm_private.alert_changed(p_alert_id, 'acknowledged', v_by, p_note, false);
    return to_jsonb(v_alert) - 'tenant_id';
end
$$;

-- Gives the alert to p_assignee (recorded: by whom, when).
create or replace function aicrm.assign_alert(p_alert_id uuid, p_assignee text, p_by text default null)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_alert aicrm.alerts := aicrm_private.open_alert(p_alert_id);
    v_by text := aicrm_private.alert_actor(p_by);
begin
    if nullif(btrim(p_assignee), '') is null or char_length(p_assignee) > 200 then
        raise exception using errcode = 'AC001', column = 'assignee', message = 'assignee: is required (at most 200 characters)';
    end if;
    update aicrm.alerts as a
    set assigned_to = p_assignee, assigned_by = v_by, assigned_at = clock_timestamp(), updated_at = clock_timestamp()
    where a.tenant_id = v_alert.tenant_id and a.alert_id = p_alert_id
    returning * into v_alert;
    perform aicrm_private.alert_changed(p_alert_id, 'assigned', v_by, p_assignee, false);
    return to_jsonb(v_alert) - 'tenant_id';
end
$$;

-- No notices for the alert until p_until (in the future, at most 30 days away); it stays open and
-- in aicrm.ai_alerts.
create or replace function aicrm.snooze_alert(p_alert_id uuid, p_until timestamptz, p_by text default null)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_alert aicrm.alerts := aicrm_private.open_alert(p_alert_id);
    v_by text := aicrm_private.alert_actor(p_by);
begin
    if p_until is null or p_until <= clock_timestamp() or p_until > clock_timestamp() + interval '30 days' then
        raise exception using errcode = 'AC001', column = 'until', message = 'until: must be in the next 30 days';
    end if;
    update aicrm.alerts as a
    set snoozed_until = p_until, snoozed_by = v_by, updated_at = clock_timestamp()
    where a.tenant_id = v_alert.tenant_id and a.alert_id = p_alert_id
    returning * into v_alert;
    perform aicrm_private.alert_changed(p_alert_id, 'snoozed', v_by, p_until::text, false);
    return to_jsonb(v_alert) - 'tenant_id';
end
$$;

-- A person closes the alert: resolved by whom, when, with a note. If the condition still holds at
-- the next evaluation, a new alert opens.
create or replace function aicrm.resolve_alert(p_alert_id uuid, p_note text default null, p_by text default null)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_alert aicrm.alerts := aicrm_private.open_alert(p_alert_id);
    v_by text := aicrm_private.alert_actor(p_by);
begin
    update aicrm.alerts as a
    set state = 'resolved', resolved_by = v_by, resolved_at = clock_timestamp(), resolution_note = p_note,
        closed_at = clock_timestamp(), updated_at = clock_timestamp()
    where a.tenant_id = v_alert.tenant_id and a.alert_id = p_alert_id
    returning * into v_alert;
    perform aicrm_private.alert_changed(p_alert_id, 'resolved', v_by, p_note, true);
    return to_jsonb(v_alert) - 'tenant_id';
end
$$;

-- Adds (or turns back on, resetting its failures) a webhook the tenant's alerts are sent to.
-- p_secret: the key each notice is signed with (HMAC-SHA256; at least 16 characters); null makes
-- one. Returns the webhook with its secret: the only time it is shown.
create or replace function aicrm.set_alert_webhook(p_url text, p_secret text default null, p_enabled boolean default true)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_tenant uuid := aicrm_private.require_tenant();
    v_secret text := coalesce(p_secret, replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''));
    v_row aicrm.alert_channels;
begin
    if p_url is null or p_url !~ '^https?://[^\s/]+' or char_length(p_url) > 2000 then
        raise exception using errcode = 'AC001', column = 'url', message = 'url: must be an http(s) URL (at most 2000 characters)';
    end if;
    if char_length(v_secret) < 16 or char_length(v_secret) > 200 then
        raise exception using errcode = 'AC001', column = 'secret', message = 'secret: must be 16 to 200 characters';
    end if;
    insert into aicrm.alert_channels as c (tenant_id, url, secret, enabled)
    values (v_tenant, p_url, v_secret, coalesce(p_enabled, true))
    on conflict (tenant_id, url) do update
    set secret = coalesce(p_secret, c.secret), enabled = excluded.enabled,
        consecutive_failures = case when excluded.enabled then 0 else c.consecutive_failures end,
        disabled_at = case when excluded.enabled then null else c.disabled_at end,
        disabled_reason = case when excluded.enabled then null else c.disabled_reason end,
        updated_at = now()
    returning * into v_row;
    return to_jsonb(v_row) - 'tenant_id';
end
$$;

-- Claims one alert notice of any tenant (of the caller's only, when one is set) to deliver, under a
-- lease: the one whose lease ran out first, else the pending one due longest. Returns what to send:
-- url, body (the exact text to POST) and the headers X-Aicrm-Timestamp (timestamp, unix seconds)
-- and X-Aicrm-Signature (signature, "sha256=<hex HMAC-SHA256 of '<timestamp>.<body>' with the
-- webhook's secret>", as the publisher's webhook signs drafts), or null when nothing is due.
create or replace function aicrm.claim_alert_notification(p_worker_id text, p_lease_seconds integer default 60)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_lease interval := aicrm_private.lease_interval(p_lease_seconds);
    v_now timestamptz := clock_timestamp();
    v_only_tenant uuid := aicrm_private.current_tenant_id();
    v_pick record;
    v_token uuid := gen_random_uuid();
    v_row aicrm.alert_notifications;
    v_channel aicrm.alert_channels;
    v_body text;
    v_t text := floor(extract(epoch from v_now))::bigint::text;
begin
    if nullif(btrim(p_worker_id), '') is null or char_length(p_worker_id) > 200 then
        raise exception using errcode = 'AC001', message = 'worker_id: is required (at most 200 characters)',
            column = 'worker_id';
    end if;
    perform set_config('aicrm_private.claiming', (select k.key::text from aicrm_private.claim_key as k), true);
    select n.tenant_id, n.notification_id into v_pick
    from aicrm.alert_notifications as n
    where (n.status = 'pending' and n.available_at <= v_now or n.status = 'delivering' and n.lease_until < v_now)
      and (v_only_tenant is null or n.tenant_id = v_only_tenant)
    order by n.available_at
    limit 1
    for update skip locked;
    perform set_config('aicrm_private.claiming', '', true);
    if v_pick.notification_id is null then
        return null;
    end if;
    perform set_config('aicrm.tenant_id', v_pick.tenant_id::text, true);
    update aicrm.alert_notifications as n
    set status = 'delivering', attempts = n.attempts + 1, lease_holder = p_worker_id, lease_token = v_token,
        lease_until = v_now + v_lease
    where n.tenant_id = v_pick.tenant_id and n.notification_id = v_pick.notification_id
    returning * into v_row;
    select * into v_channel from aicrm.alert_channels as c
    where c.tenant_id = v_row.tenant_id and c.channel_id = v_row.channel_id;
    v_body := v_row.payload::text;
    return jsonb_build_object(
        'tenant_id', v_row.tenant_id, 'notification_id', v_row.notification_id, 'lease_token', v_token,
        'attempt', v_row.attempts, 'url', v_channel.url, 'body', v_body, 'timestamp', v_t,
        'signature', 'sha256=' || encode(
            aicrm_private.hmac_sha256(convert_to(v_channel.secret, 'UTF8'), convert_to(v_t || '.' || v_body, 'UTF8')), 'hex'
        )
    );
end
$$;

-- The outcome of a claimed notice. Delivered: done, and the webhook's run of failures ends.
-- Failed: tried again after 30 s, 1, 2, 4 min (backoff doubling), given up after 5 attempts; the
-- webhook counts failures in a row and is disabled at 5, which opens the alert of the rule
-- webhook-failures at the next evaluation (and notices to the other webhooks). p_error: what went
-- wrong (an HTTP status, a timeout). AC005 when the lease is not the caller's any more.
create or replace function aicrm.record_alert_notification(
    p_notification_id uuid, p_lease_token uuid, p_delivered boolean, p_error text default null
)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_tenant uuid := aicrm_private.require_tenant();
    v_row aicrm.alert_notifications;
    v_channel aicrm.alert_channels;
begin
    if p_delivered is null then
        raise exception using errcode = 'AC001', column = 'delivered', message = 'delivered: must be true or false';
    end if;
    select * into v_row from aicrm.alert_notifications as n
    where n.tenant_id = v_tenant and n.notification_id = p_notification_id
    for update;
    if not found then
        raise exception using errcode = 'AC002', column = 'notification_id', message = 'notification_id: no such notice';
    end if;
    if v_row.status <> 'delivering' or v_row.lease_token is distinct from p_lease_token then
        raise exception using errcode = 'AC005', column = 'lease_token',
            message = 'lease_token: the notice is not held under this lease (it expired and was claimed again, or was recorded)';
    end if;
    if p_delivered then
        update aicrm.alert_notifications as n
        set status = 'delivered', delivered_at = clock_timestamp(), lease_holder = null, lease_token = null,
            lease_until = null, last_error = null
        where n.tenant_id = v_tenant and n.notification_id = p_notification_id
        returning * into v_row;
        update aicrm.alert_channels as c set consecutive_failures = 0, updated_at = now()
        where c.tenant_id = v_tenant and c.channel_id = v_row.channel_id and c.consecutive_failures <> 0;
    else
        update aicrm.alert_notifications as n
        set status = case when n.attempts >= 5 then 'failed' else 'pending' end,
            available_at = clock_timestamp() + make_interval(secs => 30 * power(2, least(n.attempts, 10) - 1)),
            lease_holder = null, lease_token = null, lease_until = null, last_error = left(coalesce(p_error, 'failed'), 2000)
        where n.tenant_id = v_tenant and n.notification_id = p_notification_id
        returning * into v_row;
        update aicrm.alert_channels as c
        set consecutive_failures = c.consecutive_failures + 1, updated_at = now(),
            enabled = c.consecutive_failures + 1 < 5,
            disabled_at = case when c.consecutive_failures + 1 >= 5 then clock_timestamp() else c.disabled_at end,
            disabled_reason = case when c.consecutive_failures + 1 >= 5
                then format('5 deliveries failed in a row; the last: %s', left(coalesce(p_error, 'failed'), 500))
                else c.disabled_reason end
        where c.tenant_id = v_tenant and c.channel_id = v_row.channel_id
        returning * into v_channel;
        if not v_channel.enabled then
            -- its notices wait no more: nothing delivers them while it is off
            update aicrm.alert_notifications as n set status = 'failed', last_error = coalesce(n.last_error, 'webhook disabled')
            where n.tenant_id = v_tenant and n.channel_id = v_channel.channel_id and n.status = 'pending';
            perform aicrm_private.evaluate_tenant_alerts();
        end if;
    end if;
    return to_jsonb(v_row) - 'tenant_id' - 'lease_token';
end
$$;

revoke execute on function aicrm.claim_alert_notification(text, integer),
    aicrm.record_alert_notification(uuid, uuid, boolean, text) from public;
grant execute on function aicrm.claim_alert_notification(text, integer),
    aicrm.record_alert_notification(uuid, uuid, boolean, text) to aicrm_worker;
grant execute on function aicrm.set_alert_rule(jsonb), aicrm.acknowledge_alert(uuid, text, text),
    aicrm.assign_alert(uuid, text, text), aicrm.snooze_alert(uuid, timestamptz, text),
    aicrm.resolve_alert(uuid, text, text), aicrm.set_alert_webhook(text, text, boolean)
to aicrm_app;
