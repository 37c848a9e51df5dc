-- Outcomes in (docs/learning.md): the helpers record_delivery_metrics, record_delivery_events and
-- close_metrics_windows share: a channel's metrics window, a recipient's hash, a delivery's
-- metrics row (created and locked), and the events folded into its counters.

-- The counters of aicrm.delivery_metrics, in the order they are checked and reported; every one
-- but revenue counts unique recipients, so every one but sent and revenue is bounded by sent.
create or replace function aicrm_private.delivery_counters()
returns text[]
language sql
immutable
set search_path = ''
as $$
    select array['sent', 'delivered', 'opens', 'clicks', 'conversions', 'revenue', 'unsubscribes', 'complaints',
                 'bounces', 'replies']
$$;

-- How long after its delivery a delivery of p_channel is measured: the tenant's decision setting
-- metrics_window_hours over the defaults (a tenant that sets email's window keeps the others').
create or replace function aicrm_private.metrics_window(p_channel text)
returns interval
language plpgsql
stable
set search_path = ''
as $$
begin
    -- plpgsql: aicrm.get_decision_settings (functions/rules/) is created after private/.
    return make_interval(hours => coalesce(
        ((coalesce((select d.value from aicrm.decision_setting_defaults as d where d.setting_key = 'metrics_window_hours'),
                   '{}')
          || coalesce(aicrm.get_decision_settings() -> 'metrics_window_hours', '{}')) ->> p_channel)::integer,
        168));
end
$$;

-- A recipient as aicrm.delivery_events keeps it (why a hash: the table's comment in migration
-- 0037): sha256 of "<tenant>:<address trimmed and lower-cased>", in hex.
create or replace function aicrm_private.recipient_hash(p_tenant uuid, p_recipient text)
returns text
language sql
immutable
set search_path = ''
as $$
    select encode(sha256(convert_to(p_tenant::text || ':' || lower(btrim(p_recipient)), 'UTF8')), 'hex')
$$;

-- The delivered delivery p_delivery_id of the call's tenant, its metrics row created when missing
-- (its window fixed from the delivery's time and the channel's window now) and locked for the
-- caller's update. AC002 naming p_field when there is no such delivered delivery in this tenant.
create or replace function aicrm_private.lock_delivery_metrics(p_delivery_id uuid, p_field text)
returns aicrm.delivery_metrics
language plpgsql
set search_path = ''
as $$
declare
    v_tenant uuid := aicrm_private.require_tenant();
    v_row aicrm.delivery_metrics;
begin
    select m.* into v_row
    from aicrm.delivery_metrics as m
    where m.tenant_id = v_tenant and m.delivery_id = p_delivery_id
    for update;
    if found then
        return v_row;
    end if;
    insert into aicrm.delivery_metrics (tenant_id, delivery_id, task_id, channel, window_ends_at)
    select v_tenant, d.delivery_id, d.task_id, o.channel, d.created_at + aicrm_private.metrics_window(o.channel)
    from aicrm.deliveries as d
    join aicrm.outbox as o on o.tenant_id = d.tenant_id and o.outbox_id = d.outbox_id
    where d.tenant_id = v_tenant and d.delivery_id = p_delivery_id and d.status = 'delivered'
    on conflict (tenant_id, delivery_id) do nothing;
    select m.* into v_row
    from aicrm.delivery_metrics as m
    where m.tenant_id = v_tenant and m.delivery_id = p_delivery_id
    for update;
    if not found then
        raise exception using errcode = 'AC002',
            message = format('%s: no delivered delivery %s in this tenant', p_field, coalesce(p_delivery_id::text, 'null')),
            hint = 'Pass the delivery_id of a delivered row of aicrm.deliveries.', column = p_field;
    end if;
    return v_row;
end
$$;

-- The events of p_delivery_id folded into its counters: each counter becomes the larger of what
-- it is and what the events count (unique recipients per event; revenue summed), and sent at
-- least every recipient an event was about. Both sources are lower bounds of the truth (a
-- provider's totals may count recipients whose events never reached us), so the larger wins and
-- nothing goes backwards. The row must be locked by the caller (lock_delivery_metrics).
create or replace function aicrm_private.fold_delivery_events(p_delivery_id uuid)
returns aicrm.delivery_metrics
language plpgsql
set search_path = ''
as $$
declare
    v_tenant uuid := aicrm_private.require_tenant();
    v_row aicrm.delivery_metrics;
begin
    with counted as (
        select count(distinct e.recipient_hash) as recipients,
               count(distinct e.recipient_hash) filter (where e.event = 'delivered') as delivered,
               count(distinct e.recipient_hash) filter (where e.event = 'open') as opens,
               count(distinct e.recipient_hash) filter (where e.event = 'click') as clicks,
               count(distinct e.recipient_hash) filter (where e.event = 'conversion') as conversions,
               coalesce(sum(e.revenue) filter (where e.event = 'conversion'), 0) as revenue,
               count(distinct e.recipient_hash) filter (where e.event = 'unsubscribe') as unsubscribes,
               count(distinct e.recipient_hash) filter (where e.event = 'complaint') as complaints,
               count(distinct e.recipient_hash) filter (where e.event = 'bounce') as bounces,
               count(distinct e.recipient_hash) filter (where e.event = 'reply') as replies
        from aicrm.delivery_events as e
        where e.tenant_id = v_tenant and e.delivery_id = p_delivery_id
    )
    update aicrm.delivery_metrics as m
    set sent = greatest(m.sent, c.recipients),
        delivered = greatest(m.delivered, c.delivered),
        opens = greatest(m.opens, c.opens),
        clicks = greatest(m.clicks, c.clicks),
        conversions = greatest(m.conversions, c.conversions),
        revenue = greatest(m.revenue, c.revenue),
        unsubscribes = greatest(m.unsubscribes, c.unsubscribes),
        complaints = greatest(m.complaints, c.complaints),
        bounces = greatest(m.bounces, c.bounces),
        replies = greatest(m.replies, c.replies),
        updated_at = clock_timestamp()
    from counted as c
    where m.tenant_id = v_tenant and m.delivery_id = p_delivery_id
    returning m.* into v_row;
    return v_row;
end
$$;

-- A metrics row as the API answers with it.
create or replace function aicrm_private.delivery_metrics_json(p_row aicrm.delivery_metrics)
returns jsonb
language sql
immutable
set search_path = ''
as $$
    select jsonb_build_object(
        'delivery_id', p_row.delivery_id, 'task_id', p_row.task_id, 'channel', p_row.channel,
        'metrics', jsonb_build_object(
            'sent', p_row.sent, 'delivered', p_row.delivered, 'opens', p_row.opens, 'clicks', p_row.clicks,
            'conversions', p_row.conversions, 'revenue', p_row.revenue, 'unsubscribes', p_row.unsubscribes,
            'complaints', p_row.complaints, 'bounces', p_row.bounces, 'replies', p_row.replies),
        'window_ends_at', p_row.window_ends_at, 'measured_at', p_row.measured_at)
$$;

revoke execute on function aicrm_private.delivery_counters() from public;
revoke execute on function aicrm_private.metrics_window(text) from public;
revoke execute on function aicrm_private.recipient_hash(uuid, text) from public;
revoke execute on function aicrm_private.lock_delivery_metrics(uuid, text) from public;
revoke execute on function aicrm_private.fold_delivery_events(uuid) from public;
revoke execute on function aicrm_private.delivery_metrics_json(aicrm.delivery_metrics) from public;
