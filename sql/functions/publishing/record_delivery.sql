-- Publishing (docs/pipeline.md, "Publishing"): record_delivery, the outcome of one delivery.

-- The outcome of one delivery, fenced by the lease (a publisher whose lease was reclaimed records
-- nothing). Delivered: the one delivered row of this outbox row, and the task publishing ->
-- delivered. Failed and retryable: pending again after 30 s * 2^(attempts - 1) (at most an hour),
-- up to 6 attempts; then, or when not retryable, failed and the task escalated.
create or replace function aicrm.record_delivery(
    p_outbox_id uuid,
    p_lease_token uuid,
    p_delivered boolean,
    p_transport text,
    p_target text default null,
    p_response jsonb default '{}',
    p_retryable boolean default true
)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_tenant uuid := aicrm_private.require_tenant();
    v_row aicrm.outbox;
    v_final boolean;
begin
    if p_delivered is null then
        raise exception using errcode = 'AC001', message = 'delivered: is required', hint = 'Pass true or false.',
            column = 'delivered';
    end if;
    if p_transport is null or p_transport not in ('webhook', 'smtp') then
        raise exception using errcode = 'AC001',
            message = format('transport: %s is not a transport', coalesce(quote_literal(p_transport), 'null')),
            hint = 'Use webhook or smtp.', column = 'transport';
    end if;
    if jsonb_typeof(p_response) is distinct from 'object' or octet_length(p_response::text) > 16384 then
        raise exception using errcode = 'AC001', message = 'response: must be a JSON object of at most 16 KiB',
            hint = 'Pass what the receiver answered: {"status": 200, ...}.', column = 'response';
    end if;
    v_row := aicrm_private.held_delivery(p_outbox_id, p_lease_token);
    insert into aicrm.deliveries (tenant_id, outbox_id, task_id, deliverable_id, attempt, transport, target, status,
                                  response, delivered_by)
    values (v_tenant, p_outbox_id, v_row.task_id, v_row.deliverable_id, v_row.attempts, p_transport, p_target,
            case when p_delivered then 'delivered' else 'failed' end, p_response, v_row.lease_holder);
    v_final := not p_delivered and (not coalesce(p_retryable, true) or v_row.attempts >= 6);
    update aicrm.outbox o
    set status = case when p_delivered then 'delivered' when v_final then 'failed' else 'pending' end,
        delivered_at = case when p_delivered then now() end,
        available_at = case when p_delivered or v_final then o.available_at
                            else now() + make_interval(secs => least(30 * power(2, v_row.attempts - 1), 3600)) end,
        last_error = case when p_delivered then null else p_response end,
        lease_holder = null, lease_token = null, lease_until = null
    where o.tenant_id = v_tenant and o.outbox_id = p_outbox_id;
    if p_delivered then
        perform aicrm_private.transition_task(v_row.task_id, 'delivered', v_row.lease_holder,
            format('delivered by %s', p_transport), 'publishing',
            jsonb_build_object('outbox_id', p_outbox_id, 'target', p_target), 'record_delivery');
    elsif v_final then
        perform aicrm_private.transition_task(v_row.task_id, 'escalated', v_row.lease_holder,
            format('delivery failed after %s attempt(s)', v_row.attempts), 'publishing',
            jsonb_build_object('outbox_id', p_outbox_id, 'response', p_response), 'record_delivery');
    else
        -- Pending again, as fail_task queues a task. The row backs off first: publishers woken now
        -- find nothing, and their poll takes it once its available_at has passed.
        perform pg_notify('aicrm_delivery_queued', '');
    end if;
    return jsonb_build_object('outbox_id', p_outbox_id,
        'status', case when p_delivered then 'delivered' when v_final then 'failed' else 'pending' end,
        'attempts', v_row.attempts);
end
$$;

revoke execute on function aicrm.record_delivery(uuid, uuid, boolean, text, text, jsonb, boolean) from public;
grant execute on function aicrm.record_delivery(uuid, uuid, boolean, text, text, jsonb, boolean) to aicrm_worker;
