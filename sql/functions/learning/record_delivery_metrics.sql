-- Outcomes in (docs/learning.md): record_delivery_metrics, a delivery's cumulative counters.

-- A delivery's counters as its provider or a report totals them (cumulative: each call gives the
-- totals so far, any subset of the counters). Refused with AC001 naming the counter
-- (metrics.<counter>): an unknown counter, a negative one, one below what is recorded (counters
-- never go backwards), or one above sent (every counter but revenue counts unique recipients).
-- The counters given are checked together with those recorded, so opens without sent need a
-- sent recorded before. A repeated p_idempotency_key with the same delivery and metrics changes
-- nothing and returns the first call's answer; with others it is refused (AC005). A refused call
-- writes nothing. AC002 delivery_id: no delivered delivery of that id in the caller's tenant.
create or replace function aicrm.record_delivery_metrics(
    p_delivery_id uuid,
    p_metrics jsonb,
    p_idempotency_key text
)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_tenant uuid := aicrm_private.require_tenant();
    v_request jsonb := jsonb_build_object('delivery_id', p_delivery_id, 'metrics', p_metrics);
    v_call aicrm.delivery_metric_calls;
    v_row aicrm.delivery_metrics;
    v_old jsonb;
    v_new jsonb;
    v_counter text;
    v_answer jsonb;
begin
    if p_idempotency_key is null or char_length(btrim(p_idempotency_key)) = 0 or char_length(p_idempotency_key) > 200 then
        raise exception using errcode = 'AC001', message = 'idempotency_key: must be 1-200 characters',
            hint = 'Pass a key of this report, e.g. "sendgrid-stats-2026-05-01-<delivery_id>": a repeat changes nothing.',
            column = 'idempotency_key';
    end if;
    if p_delivery_id is null then
        raise exception using errcode = 'AC001', message = 'delivery_id: is required',
            hint = 'Pass the delivery_id of a delivered row of aicrm.deliveries.', column = 'delivery_id';
    end if;
    perform aicrm_private.assert_json_valid('delivery.metrics', p_metrics, 'metrics');
    if p_metrics = '{}' then
        raise exception using errcode = 'AC001', message = 'metrics: names no counter',
            hint = format('Pass some of %s.', array_to_string(aicrm_private.delivery_counters(), ', ')),
            column = 'metrics';
    end if;
    -- The delivery first (AC002 before the key is taken), then the key: a concurrent call with the
    -- same key waits here for the first one's commit, then finds its answer.
    v_row := aicrm_private.lock_delivery_metrics(p_delivery_id, 'delivery_id');
    insert into aicrm.delivery_metric_calls (tenant_id, idempotency_key, delivery_id, request)
    values (v_tenant, p_idempotency_key, p_delivery_id, v_request)
    on conflict (tenant_id, idempotency_key) do nothing;
    if not found then
        select c.* into v_call from aicrm.delivery_metric_calls as c
        where c.tenant_id = v_tenant and c.idempotency_key = p_idempotency_key;
        if v_call.request is distinct from v_request then
            raise exception using errcode = 'AC005',
                message = format('idempotency_key: %s was used for another report', quote_literal(left(p_idempotency_key, 200))),
                detail = format('First used for delivery %s with %s.', v_call.delivery_id, v_call.request -> 'metrics'),
                hint = 'Use a new key for new totals.', column = 'idempotency_key';
        end if;
        return v_call.answer;
    end if;
    v_old := aicrm_private.delivery_metrics_json(v_row) -> 'metrics';
    v_new := v_old || p_metrics;
    v_new := jsonb_set(v_new, '{revenue}', to_jsonb(round((v_new ->> 'revenue')::numeric, 2)));  -- as stored
    foreach v_counter in array aicrm_private.delivery_counters() loop
        if (v_new ->> v_counter)::numeric < (v_old ->> v_counter)::numeric then
            raise exception using errcode = 'AC001',
                message = format('metrics.%s: %s goes backwards from %s', v_counter, v_new -> v_counter, v_old -> v_counter),
                hint = 'Counters are cumulative: pass the totals so far, never less than recorded.',
                column = 'metrics.' || v_counter;
        end if;
    end loop;
    foreach v_counter in array aicrm_private.delivery_counters() loop
        if v_counter not in ('sent', 'revenue') and (v_new ->> v_counter)::numeric > (v_new ->> 'sent')::numeric then
            raise exception using errcode = 'AC001',
                message = format('metrics.%s: %s exceeds sent (%s)', v_counter, v_new -> v_counter, v_new -> 'sent'),
                hint = 'Counters count unique recipients, so none exceeds sent: pass sent with them.',
                column = 'metrics.' || v_counter;
        end if;
    end loop;
    update aicrm.delivery_metrics as m
    set sent = (v_new ->> 'sent')::bigint, delivered = (v_new ->> 'delivered')::bigint,
        opens = (v_new ->> 'opens')::bigint, clicks = (v_new ->> 'clicks')::bigint,
        conversions = (v_new ->> 'conversions')::bigint, revenue = (v_new ->> 'revenue')::numeric,
        unsubscribes = (v_new ->> 'unsubscribes')::bigint, complaints = (v_new ->> 'complaints')::bigint,
        bounces = (v_new ->> 'bounces')::bigint, replies = (v_new ->> 'replies')::bigint,
        updated_at = clock_timestamp()
    where m.tenant_id = v_tenant and m.delivery_id = p_delivery_id
    returning m.* into v_row;
    v_answer := aicrm_private.delivery_metrics_json(v_row);
    update aicrm.delivery_metric_calls as c set answer = v_answer
    where c.tenant_id = v_tenant and c.idempotency_key = p_idempotency_key;
    return v_answer;
end
$$;

revoke execute on function aicrm.record_delivery_metrics(uuid, jsonb, text) from public;
grant execute on function aicrm.record_delivery_metrics(uuid, jsonb, text) to aicrm_app, aicrm_worker;
