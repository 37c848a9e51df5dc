-- Alerts (migration 0031, docs/operations.md "Alerts"): what each metric measures, the rules in
-- force for a tenant, an alert's changes and its notifications. The API is sql/functions/alerts/.

-- The pipeline's counters of the tenant set in aicrm.tenant_id over the last p_hours hours (the
-- current hour and the p_hours - 1 before it), from the dashboard's summaries and the events not
-- folded yet (migration 0030).
create or replace function aicrm_private.alert_window(p_hours integer)
returns table (
    evaluated bigint,
    failures bigint,
    outcomes bigint,
    pipeline_escalated bigint,
    delivered bigint,
    delivery_failed bigint,
    scored bigint,
    quality_sum numeric
)
language sql
stable
set search_path = ''
as $$
    select
        coalesce(sum(w.evaluated), 0)::bigint,
        coalesce(sum(w.failures), 0)::bigint,
        coalesce(sum(w.auto_approved + w.to_review + w.rule_rejected + w.pipeline_escalated), 0)::bigint,
        coalesce(sum(w.pipeline_escalated), 0)::bigint,
        coalesce(sum(w.delivered), 0)::bigint,
        coalesce(sum(w.delivery_failed), 0)::bigint,
        coalesce(sum(w.scored), 0)::bigint,
        coalesce(sum(w.quality_sum), 0)
    from (
        select
            h.evaluated, h.failures, h.auto_approved, h.to_review, h.rule_rejected, h.pipeline_escalated,
            h.delivered, h.delivery_failed, h.scored, h.quality_sum
        from aicrm.task_stats_hourly as h
        where h.tenant_id = aicrm_private.require_tenant()
          and h.hour > date_trunc('hour', now(), 'UTC') - make_interval(hours => p_hours)
        union all
        select
            e.evaluated, e.failures, e.auto_approved, e.to_review, e.rule_rejected, e.pipeline_escalated,
            e.delivered, e.delivery_failed, e.scored, e.quality_sum
        from aicrm.task_stat_events as e
        where e.tenant_id = aicrm_private.require_tenant()
          and e.at > date_trunc('hour', now(), 'UTC') - make_interval(hours => p_hours)
    ) as w
$$;

-- What a metric reads now for the tenant set: its value (higher is worse), the volume it stands on
-- (a rate's events; the tasks counted) and the evidence a person needs.
--   failure_rate: the workers' failures over the rules' decisions plus failures in the window
--   escalation_rate: tasks escalated before a person saw them over the tasks finished writing
--   delivery_failures: failed deliveries over deliveries in the window
--   quality_drop: the average quality of the 7 days before the window minus the window's (points)
--   review_sla, escalation_sla: minutes the oldest task in review (escalated) has waited
--   queue_age: minutes the oldest queued task has waited for a worker (none running?)
--   stuck_tasks: tasks in gathering_context, generating or evaluating past the decision setting
--     stuck_after_minutes, whatever their lease (a worker that died and nobody reclaims)
--   webhook_failures: the tenant's alert webhooks disabled after failed deliveries
--   dead_letters: agent messages dead-lettered in the window (expired, or claimed too often
--     without an acknowledgement; docs/agents.md)
create or replace function aicrm_private.alert_metric(p_metric text, p_window_hours integer)
returns table (value numeric, volume bigint, evidence jsonb)
language plpgsql
stable
set search_path = ''
as $$
declare
    v_tenant uuid := aicrm_private.require_tenant();
    w record;
    v_base record;
    v_state text;
    v_after jsonb;
begin
    if p_metric in ('failure_rate', 'escalation_rate', 'delivery_failures', 'quality_drop') then
        select * into w from aicrm_private.alert_window(p_window_hours);
    end if;
    case p_metric
    when 'failure_rate' then
        return query select round(w.failures::numeric / nullif(w.evaluated + w.failures, 0), 4),
            w.evaluated + w.failures,
            jsonb_build_object('failures', w.failures, 'decisions', w.evaluated, 'window_hours', p_window_hours);
    when 'escalation_rate' then
        return query select round(w.pipeline_escalated::numeric / nullif(w.outcomes, 0), 4), w.outcomes,
            jsonb_build_object('escalated', w.pipeline_escalated, 'outcomes', w.outcomes, 'window_hours', p_window_hours);
    when 'delivery_failures' then
        return query select round(w.delivery_failed::numeric / nullif(w.delivered + w.delivery_failed, 0), 4),
            w.delivered + w.delivery_failed,
            jsonb_build_object('failed', w.delivery_failed, 'delivered', w.delivered, 'window_hours', p_window_hours);
    when 'quality_drop' then
        select coalesce(sum(h.scored), 0) as scored, sum(h.quality_sum) as quality_sum into v_base
        from aicrm.task_stats_hourly as h
        where h.tenant_id = v_tenant
          and h.hour <= date_trunc('hour', now(), 'UTC') - make_interval(hours => p_window_hours)
          and h.hour > date_trunc('hour', now(), 'UTC') - make_interval(hours => p_window_hours) - interval '7 days';
        return query select
            round(v_base.quality_sum / nullif(v_base.scored, 0) - w.quality_sum / nullif(w.scored, 0), 1),
            case when v_base.scored > 0 then w.scored else 0 end,
            jsonb_build_object(
                'recent_average', round(w.quality_sum / nullif(w.scored, 0), 1), 'recent_drafts', w.scored,
                'baseline_average', round(v_base.quality_sum / nullif(v_base.scored, 0), 1),
                'baseline_drafts', v_base.scored, 'window_hours', p_window_hours
            );
    when 'review_sla', 'escalation_sla', 'queue_age' then
        v_state := case p_metric when 'review_sla' then 'awaiting_review' when 'escalation_sla' then 'escalated'
            else 'queued' end;
        return query
        with waiting as (
            select t.task_id, t.state_changed_at, t.title
            from aicrm.project_tasks as t
            where t.tenant_id = v_tenant and t.execution_state = v_state
        ),
        oldest as (
            select w2.task_id, w2.state_changed_at, w2.title from waiting as w2 order by w2.state_changed_at limit 5
        )
        select
            coalesce(round(extract(epoch from now() - (select min(o.state_changed_at) from oldest as o)) / 60, 1), 0),
            (select count(*) from waiting),
            jsonb_build_object(
                'state', v_state, 'waiting', (select count(*) from waiting),
                'oldest', coalesce((
                    select jsonb_agg(jsonb_build_object('task_id', o.task_id, 'title', o.title, 'since', o.state_changed_at)
                        order by o.state_changed_at)
                    from oldest as o
                ), '[]')
            );
    when 'stuck_tasks' then
        v_after := coalesce((select d.value from aicrm.decision_setting_defaults as d where d.setting_key = 'stuck_after_minutes'), '{}')
            || coalesce((select s.value from aicrm.ai_decision_settings as s
                         where s.tenant_id = v_tenant and s.setting_key = 'stuck_after_minutes'), '{}');
        return query
        with stuck as (
            select t.task_id, t.execution_state, t.state_changed_at, t.lease_holder, t.lease_until
            from aicrm.project_tasks as t
            where t.tenant_id = v_tenant
              and t.execution_state in ('gathering_context', 'generating', 'evaluating')
              and t.state_changed_at < now()
                  - make_interval(mins => coalesce((v_after ->> t.execution_state)::integer, 2147483647 / 60))
        )
        select (select count(*) from stuck)::numeric, (select count(*) from stuck),
            jsonb_build_object('stuck', coalesce((
                select jsonb_agg(jsonb_build_object('task_id', s.task_id, 'state', s.execution_state,
                    'since', s.state_changed_at, 'lease_holder', s.lease_holder, 'lease_until', s.lease_until)
                    order by s.state_changed_at)
                from (select * from stuck order by stuck.state_changed_at limit 5) as s
            ), '[]'), 'thresholds_minutes', v_after);
    when 'webhook_failures' then
        return query select count(*)::numeric, count(*),
            jsonb_build_object('disabled', coalesce(jsonb_agg(jsonb_build_object(
                'channel_id', c.channel_id, 'url', c.url, 'disabled_at', c.disabled_at, 'reason', c.disabled_reason
            )), '[]'))
        from aicrm.alert_channels as c
        where c.tenant_id = v_tenant and not c.enabled and c.disabled_at is not null;
    when 'dead_letters' then
        return query
        with dead as (
            select m.message_id, m.message_type, m.to_agent_id, m.to_role, m.dead_letter_reason, m.dead_lettered_at
            from aicrm.ai_agent_messages as m
            where m.tenant_id = v_tenant and m.status = 'dead_lettered'
              and m.dead_lettered_at > now() - make_interval(hours => p_window_hours)
        )
        select (select count(*) from dead)::numeric, (select count(*) from dead),
            jsonb_build_object(
                'dead_letters', (select count(*) from dead),
                'expired', (select count(*) from dead where dead.dead_letter_reason = 'expired'),
                'max_deliveries', (select count(*) from dead where dead.dead_letter_reason = 'max_deliveries'),
                'latest', coalesce((
                    select jsonb_agg(jsonb_build_object('message_id', d.message_id, 'message_type', d.message_type,
                        'to_agent_id', d.to_agent_id, 'to_role', d.to_role, 'reason', d.dead_letter_reason,
                        'at', d.dead_lettered_at) order by d.dead_lettered_at desc)
                    from (select * from dead order by dead.dead_lettered_at desc limit 5) as d
                ), '[]'),
                'window_hours', p_window_hours
            );
    else
        raise exception using errcode = 'AC001', column = 'metric',
            message = format('metric: %L is not a metric', p_metric),
            hint = 'One of ' || array_to_string(aicrm_private.alert_metrics(), ', ') || '.';
    end case;
end
$$;

create or replace function aicrm_private.alert_metrics()
returns text[]
language sql
immutable
parallel safe
set search_path = ''
as $$
    select array[
        'failure_rate', 'escalation_rate', 'delivery_failures', 'quality_drop', 'review_sla', 'escalation_sla',
        'queue_age', 'stuck_tasks', 'webhook_failures', 'dead_letters'
    ]
$$;

-- The rules in force for the tenant set: the defaults it has not replaced, and its own rules.
create or replace function aicrm_private.alert_rules_in_force()
returns setof aicrm.alert_rules
language sql
stable
set search_path = ''
as $$
    select r.*
    from aicrm.alert_rules as r
    where r.tenant_id = aicrm_private.require_tenant()
    union all
    select
        aicrm_private.require_tenant(), d.rule_key, d.name, d.metric, true, d.warning_threshold, d.alert_threshold,
        d.window_hours, d.min_volume, d.renotify_minutes, null, d.description, null, null
    from aicrm.alert_rule_defaults as d
    where not exists (
        select from aicrm.alert_rules as r
        where r.tenant_id = aicrm_private.require_tenant() and r.rule_key = d.rule_key
    )
$$;

-- Who a person's call is made by: p_by when given, else the JWT's subject (PostgREST), else the
-- role (SET ROLE) or the login.
create or replace function aicrm_private.alert_actor(p_by text)
returns text
language sql
stable
set search_path = ''
as $$
    select coalesce(
        nullif(btrim(p_by), ''),
        nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub',
        coalesce(nullif(current_setting('role'), 'none'), session_user)
    )
$$;

-- Records what happened to an alert, and queues a notice to each enabled webhook of the tenant
-- when p_notify (opened, raised, recovered, renotified, resolved; not a person's acknowledgement).
create or replace function aicrm_private.alert_changed(
    p_alert_id uuid, p_action text, p_actor text, p_note text, p_notify boolean
)
returns void
language plpgsql
set search_path = ''
as $$
declare
    v_tenant uuid := aicrm_private.require_tenant();
    v_alert aicrm.alerts;
begin
    select * into v_alert from aicrm.alerts as a where a.tenant_id = v_tenant and a.alert_id = p_alert_id;
    perform pg_notify('aicrm_dashboard', '');
    insert into aicrm.alert_events (tenant_id, alert_id, action, actor, note, details)
    values (v_tenant, p_alert_id, p_action, p_actor, p_note,
            jsonb_build_object('state', v_alert.state, 'severity', v_alert.severity, 'value', v_alert.value));
    if not p_notify then
        return;
    end if;
    insert into aicrm.alert_notifications (tenant_id, channel_id, alert_id, payload)
    select v_tenant, c.channel_id, p_alert_id, jsonb_build_object(
        'event', p_action,
        'tenant_id', v_tenant,
        'alert', jsonb_build_object(
            'alert_id', v_alert.alert_id, 'rule_key', v_alert.rule_key, 'rule_name', v_alert.rule_name,
            'state', v_alert.state, 'severity', v_alert.severity, 'value', v_alert.value,
            'threshold', v_alert.threshold, 'message', v_alert.message, 'evidence', v_alert.evidence,
            'opened_at', v_alert.opened_at, 'assigned_to', v_alert.assigned_to
        ),
        'note', p_note,
        'sent_at', clock_timestamp()
    )
    from aicrm.alert_channels as c
    where c.tenant_id = v_tenant and c.enabled;
    if found then
        perform pg_notify('aicrm_alert_notification', '');
    end if;
    -- told (or nobody to tell): the renotify interval counts from now
    update aicrm.alerts as a set last_notified_at = clock_timestamp()
    where a.tenant_id = v_tenant and a.alert_id = p_alert_id;
end
$$;

-- Evaluates the rules in force for the tenant set and moves its alerts (the job evaluate-alert-rules
-- calls it for each tenant). Per rule: below the rule's minimum volume there is no data (an open
-- alert turns no_data; none opens); at or over the alert threshold, alert; at or over the warning
-- threshold, warning; else ok, and an open alert is recovered. An acknowledged alert stays
-- acknowledged unless it rises from warning to alert; a snoozed one is not notified until its
-- snooze ends; one nobody acknowledged is notified again every renotify_minutes. Returns the
-- alerts changed.
create or replace function aicrm_private.evaluate_tenant_alerts()
returns bigint
language plpgsql
set search_path = ''
as $$
declare
    v_tenant uuid := aicrm_private.require_tenant();
    v_rule aicrm.alerts;
    r record;
    m record;
    v_open aicrm.alerts;
    v_level text;
    v_threshold numeric;
    v_message text;
    v_changed bigint := 0;
    v_now timestamptz := clock_timestamp();
begin
    for r in select * from aicrm_private.alert_rules_in_force() as f where f.enabled order by f.rule_key loop
        select * into m from aicrm_private.alert_metric(r.metric, r.window_hours);
        v_level := case
            when m.volume < greatest(r.min_volume, 0) or (m.value is null and m.volume = 0 and r.min_volume > 0) then 'no_data'
            when m.value is null then 'ok'
            when m.value >= r.alert_threshold then 'alert'
            when r.warning_threshold is not null and m.value >= r.warning_threshold then 'warning'
            else 'ok'
        end;
        v_threshold := case v_level when 'alert' then r.alert_threshold when 'warning' then r.warning_threshold end;
        v_message := case
            when v_level in ('alert', 'warning') then format('%s: %s at %s (%s threshold %s)', r.name,
                r.metric, m.value, v_level, v_threshold)
            when v_level = 'no_data' then format('%s: too little data (%s of the %s needed)', r.name, m.volume, r.min_volume)
            else format('%s: back to normal (%s at %s)', r.name, r.metric, coalesce(m.value::text, 'none'))
        end;
        select * into v_open from aicrm.alerts as a
        where a.tenant_id = v_tenant and a.rule_key = r.rule_key and a.closed_at is null
        for update;
        if v_open.alert_id is null then
            if v_level in ('warning', 'alert') then
                insert into aicrm.alerts (tenant_id, rule_key, rule_name, state, severity, value, threshold, volume, message,
                                          evidence, assigned_to, assigned_by, assigned_at)
                values (v_tenant, r.rule_key, r.name, v_level, v_level, m.value, v_threshold, m.volume, v_message,
                        m.evidence, r.owner, case when r.owner is not null then 'rule' end,
                        case when r.owner is not null then v_now end)
                -- opened meanwhile by another evaluation (a notice's outcome evaluates too): theirs
                on conflict (tenant_id, rule_key) where closed_at is null do nothing
                returning * into v_open;
                if v_open.alert_id is not null then
                    perform aicrm_private.alert_changed(v_open.alert_id, 'opened', 'system', v_message, true);
                    v_changed := v_changed + 1;
                end if;
            end if;
            continue;
        end if;
        if v_level = 'ok' then
            update aicrm.alerts as a
            set state = 'recovered', closed_at = v_now, updated_at = v_now, value = m.value, volume = m.volume,
                message = v_message, evidence = m.evidence
            where a.tenant_id = v_tenant and a.alert_id = v_open.alert_id;
            perform aicrm_private.alert_changed(v_open.alert_id, 'recovered', 'system', v_message,
                coalesce(v_open.snoozed_until, '-infinity') <= v_now);
            v_changed := v_changed + 1;
        elsif v_level = 'no_data' then
            update aicrm.alerts as a
            set value = m.value, volume = m.volume, evidence = m.evidence, updated_at = v_now,
                state = case when a.state = 'acknowledged' then a.state else 'no_data' end,
                message = case when a.state = 'acknowledged' then a.message else v_message end
            where a.tenant_id = v_tenant and a.alert_id = v_open.alert_id;
            if v_open.state not in ('no_data', 'acknowledged') then
                perform aicrm_private.alert_changed(v_open.alert_id, 'no_data', 'system', v_message, false);
                v_changed := v_changed + 1;
            end if;
        else
            update aicrm.alerts as a
            set value = m.value, volume = m.volume, evidence = m.evidence, threshold = v_threshold,
                message = v_message, severity = v_level, updated_at = v_now,
                state = case
                    when a.state = 'acknowledged' and not (a.severity = 'warning' and v_level = 'alert') then a.state
                    else v_level
                end
            where a.tenant_id = v_tenant and a.alert_id = v_open.alert_id
            returning * into v_rule;
            if v_rule.state is distinct from v_open.state or v_rule.severity is distinct from v_open.severity then
                perform aicrm_private.alert_changed(v_open.alert_id,
                    case when v_open.severity = 'warning' and v_level = 'alert' then 'raised'
                         when v_open.severity = 'alert' and v_level = 'warning' then 'lowered'
                         else 'reopened' end,
                    'system', v_message,
                    coalesce(v_open.snoozed_until, '-infinity') <= v_now
                    and (v_rule.state <> 'acknowledged'));
                v_changed := v_changed + 1;
            elsif v_rule.state in ('warning', 'alert') and r.renotify_minutes is not null
                and coalesce(v_open.snoozed_until, '-infinity') <= v_now
                and coalesce(v_open.last_notified_at, '-infinity') <= v_now - make_interval(mins => r.renotify_minutes) then
                perform aicrm_private.alert_changed(v_open.alert_id, 'renotified', 'system', v_message, true);
            end if;
        end if;
    end loop;
    return v_changed;
end
$$;

-- The open alert p_alert_id of the caller's tenant, locked (AC002 when there is none; AC005 when it
-- is closed already).
create or replace function aicrm_private.open_alert(p_alert_id uuid)
returns aicrm.alerts
language plpgsql
set search_path = ''
as $$
declare
    v_alert aicrm.alerts;
begin
    select * into v_alert from aicrm.alerts as a
    where a.tenant_id = aicrm_private.require_tenant() and a.alert_id = p_alert_id
    for update;
    if not found then
        raise exception using errcode = 'AC002', column = 'alert_id', message = 'alert_id: no such alert';
    end if;
    if v_alert.closed_at is not null then
        raise exception using errcode = 'AC005', column = 'alert_id',
            message = format('alert_id: the alert is %s already (%s)', v_alert.state, v_alert.closed_at);
    end if;
    return v_alert;
end
$$;

grant execute on function aicrm_private.alert_actor(text) to aicrm_app, aicrm_worker, aicrm_readonly;
