-- The learning loop's feedback (docs/learning.md, "Feedback"; ADR 0018): the scheduled job
-- process-ai-feedback (seeded every 15 minutes). For every tenant in turn, oldest id first (row-level
-- security is forced on the owner too, so it sets each tenant as close_metrics_windows does), or for
-- p_tenant_id only, at most p_limit rows a call in all:
--   1. delivery: every measured delivery with counters gets its row (aicrm_private.delivery_effectiveness),
--      written again only when its inputs changed (late outcomes);
--   2. review: every reviewed deliverable gets its row (aicrm_private.review_feedback), written again
--      only when a review, the final text or a rating changed;
--   3. promotions: a delivery row with a lift of at least promote_lift on at least promote_min_trials
--      recipients makes its deliverable a positive example; a rejected or heavily edited draft a
--      negative one (aicrm_private.promote_deliverable; each once, a reversal sticks).
-- Its progress is the rows themselves (inputs_hash): a call killed or rolled back midway leaves what
-- it did not commit pending, and the next call does it; a second call with nothing new changes
-- nothing. Rows another transaction holds are skipped (the next run sees them). Returns {tenants,
-- delivery: {written, unchanged}, review: {written}, promoted: {positive, negative}, more: whether
-- the limit stopped it}. A deployment's job, run by pg_cron or `aicrm scheduler` as the owner; no
-- tenant role may call it. AC001 limit.
create or replace function aicrm.process_ai_feedback(p_limit integer default 500, p_tenant_id uuid default null)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_c jsonb := aicrm_private.learning_constants();
    v_tenant uuid;
    v_tenants integer := 0;
    v_left integer := p_limit;
    v_row record;
    v_r jsonb;
    v_delivery integer := 0;
    v_review integer := 0;
    v_positive integer := 0;
    v_negative integer := 0;
    v_more boolean := false;
    v_scored integer;
    v_notified integer := 0;
begin
    if p_limit is null or p_limit < 1 or p_limit > 100000 then
        raise exception using errcode = 'AC001', message = 'limit: must be an integer from 1 to 100000',
            hint = 'Pass how many feedback rows one call may write, e.g. 500.', column = 'limit';
    end if;
    for v_tenant in
        select t.tenant_id from aicrm.tenants as t
        where p_tenant_id is null or t.tenant_id = p_tenant_id
        order by t.tenant_id
    loop
        if v_left <= 0 then
            v_more := true;
            exit;
        end if;
        perform set_config('aicrm.tenant_id', v_tenant::text, true);
        v_tenants := v_tenants + 1;
        v_scored := v_delivery;

        -- 1. measured deliveries whose row is missing or was computed from other counters
        for v_row in
            select m.delivery_id, f.inputs_hash
            from aicrm.delivery_metrics as m
            join aicrm.deliveries as d on d.tenant_id = m.tenant_id and d.delivery_id = m.delivery_id
            left join aicrm.ai_content_feedback as f
            on f.tenant_id = m.tenant_id and f.deliverable_id = d.deliverable_id and f.source = 'delivery'
            where m.tenant_id = v_tenant and m.measured_at is not null
              and f.inputs_hash is distinct from aicrm_private.delivery_inputs_hash(
                  m.sent, m.delivered, m.opens, m.clicks, m.conversions, m.revenue, m.unsubscribes, m.complaints)
            order by d.created_at, m.delivery_id
            limit v_left
            for update of m skip locked
        loop
            exit when v_left <= 0;
            v_r := aicrm_private.delivery_effectiveness(v_row.delivery_id);
            continue when v_r is null or v_r ->> 'inputs_hash' is not distinct from v_row.inputs_hash;
            insert into aicrm.ai_content_feedback as f (
                tenant_id, deliverable_id, task_id, source, payload, created_by, effectiveness, basis, trials,
                successes, inputs_hash
            ) values (
                v_tenant, (v_r ->> 'deliverable_id')::uuid, (v_r ->> 'task_id')::uuid, 'delivery', v_r -> 'payload',
                'process_ai_feedback', (v_r ->> 'effectiveness')::numeric, v_r ->> 'basis',
                (v_r ->> 'trials')::bigint, (v_r ->> 'successes')::bigint, v_r ->> 'inputs_hash'
            )
            on conflict (tenant_id, deliverable_id, source) where source in ('delivery', 'review') do update
            set payload = excluded.payload, effectiveness = excluded.effectiveness, basis = excluded.basis,
                trials = excluded.trials, successes = excluded.successes, inputs_hash = excluded.inputs_hash;
            v_delivery := v_delivery + 1;
            v_left := v_left - 1;
            if (v_r ->> 'effectiveness')::numeric >= (v_c ->> 'promote_lift')::numeric
               and (v_r ->> 'trials')::bigint >= (v_c ->> 'promote_min_trials')::bigint
               and aicrm_private.promote_deliverable(
                   (v_r ->> 'deliverable_id')::uuid, 'positive',
                   format('A top performer: %s of %s recipients acted (%s), %sx the customer''s usual on %s.',
                          v_r ->> 'successes', v_r ->> 'trials', v_r ->> 'basis',
                          round((v_r ->> 'effectiveness')::numeric, 2), v_r #>> '{payload,channel}'),
                   jsonb_build_object('effectiveness', v_r -> 'effectiveness', 'basis', v_r -> 'basis',
                                      'trials', v_r -> 'trials', 'successes', v_r -> 'successes'),
                   'process_ai_feedback') is not null then
                v_positive := v_positive + 1;
            end if;
        end loop;

        -- 2. reviewed deliverables whose row is missing or was computed from other reviews or texts
        -- (a row is looked at again only when one of its inputs is as new as it or newer: a review,
        -- the draft's text, the task's outbox row, a rating; so an idle run reads timestamps, not texts)
        for v_row in
            select r.deliverable_id, f.feedback_id, f.inputs_hash
            from (select x.deliverable_id, max(x.created_at) as last_review
                  from aicrm.deliverable_reviews as x where x.tenant_id = v_tenant
                  group by x.deliverable_id) as r
            join aicrm.project_deliverables as d on d.tenant_id = v_tenant and d.deliverable_id = r.deliverable_id
            left join aicrm.ai_content_feedback as f
            on f.tenant_id = v_tenant and f.deliverable_id = r.deliverable_id and f.source = 'review'
            where f.feedback_id is null
               or f.updated_at <= greatest(
                   r.last_review, d.updated_at,
                   (select max(o.created_at) from aicrm.outbox as o where o.tenant_id = v_tenant and o.task_id = d.task_id),
                   (select max(g.updated_at) from aicrm.ai_content_feedback as g
                    where g.tenant_id = v_tenant and g.deliverable_id = d.deliverable_id
                      and g.source in ('agent', 'reviewer')))
            order by d.created_at, r.deliverable_id
            for update of d skip locked
        loop
            exit when v_left <= 0;
            continue when v_row.inputs_hash is not distinct from aicrm_private.review_inputs_hash(v_row.deliverable_id);
            v_r := aicrm_private.review_feedback(v_row.deliverable_id);
            continue when v_r is null;
            insert into aicrm.ai_content_feedback as f (
                tenant_id, deliverable_id, task_id, source, comment, payload, created_by, inputs_hash
            ) values (
                v_tenant, v_row.deliverable_id, (v_r ->> 'task_id')::uuid, 'review', v_r ->> 'comment',
                v_r -> 'payload', 'process_ai_feedback', v_r ->> 'inputs_hash'
            )
            on conflict (tenant_id, deliverable_id, source) where source in ('delivery', 'review') do update
            set comment = excluded.comment, payload = excluded.payload, inputs_hash = excluded.inputs_hash;
            v_review := v_review + 1;
            v_left := v_left - 1;
            if (v_r #>> '{payload,decision}' = 'reject' or (v_r #>> '{payload,heavy_edit}')::boolean)
               and aicrm_private.promote_deliverable(
                   v_row.deliverable_id, 'negative',
                   case when v_r #>> '{payload,decision}' = 'reject'
                        then format('Rejected by %s: %s', v_r #>> '{payload,reviewer}',
                                    coalesce(v_r ->> 'comment', 'no reason given'))
                        else format('Heavily edited before it went out: %s%% of its words changed (%s).',
                                    round(100 * (v_r #>> '{payload,edit_ratio}')::numeric),
                                    (select string_agg(k, ', ') from jsonb_array_elements_text(v_r #> '{payload,edit_kinds}') as k))
                   end,
                   jsonb_build_object('decision', v_r #> '{payload,decision}', 'edit_ratio', v_r #> '{payload,edit_ratio}',
                                      'edit_kinds', v_r #> '{payload,edit_kinds}'),
                   'process_ai_feedback') is not null then
                v_negative := v_negative + 1;
            end if;
        end loop;
        -- new scores may make new patterns: the analyst tells the strategist (what_worked_notices.sql)
        if v_delivery > v_scored then
            v_notified := v_notified + aicrm_private.notify_what_worked(v_tenant);
        end if;
        if v_left <= 0 then
            v_more := true;
        end if;
    end loop;
    perform set_config('aicrm.tenant_id', '', true);
    return jsonb_build_object('tenants', v_tenants, 'delivery', v_delivery, 'review', v_review,
                              'promoted', jsonb_build_object('positive', v_positive, 'negative', v_negative),
                              'notified', v_notified, 'more', v_more);
end
$$;

revoke execute on function aicrm.process_ai_feedback(integer, uuid) from public;

-- The scheduled job process-ai-feedback (a job's function takes no arguments and returns bigint):
-- process_ai_feedback(500) for every tenant; returns how many feedback rows it wrote.
create or replace function aicrm.process_ai_feedback_job()
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_r jsonb := aicrm.process_ai_feedback(500);
begin
    return (v_r ->> 'delivery')::bigint + (v_r ->> 'review')::bigint;
end
$$;

revoke execute on function aicrm.process_ai_feedback_job() from public;
