-- Publishing (docs/pipeline.md, "Publishing"): release_delivery gives a claimed delivery back.

-- Gives a claimed delivery back (a publisher stopping with it still in flight): pending and
-- claimable at once, in its place in the queue, the lease ended; the attempt is not counted (the
-- next claim makes it again, under the same number). Fenced like record_delivery. Recorded as a
-- row of aicrm.deliveries, status released, with the reason and who held it. The receiver may have
-- got it already: the next delivery carries the same idempotency key.
create or replace function aicrm.release_delivery(p_outbox_id uuid, p_lease_token uuid, p_reason text default 'released')
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_tenant uuid := aicrm_private.require_tenant();
    v_row aicrm.outbox;
begin
    if nullif(btrim(p_reason), '') is null or char_length(p_reason) > 500 then
        raise exception using errcode = 'AC001', message = 'reason: is required (at most 500 characters)',
            hint = 'Say why, e.g. "publisher stopping".', column = 'reason';
    end if;
    v_row := aicrm_private.held_delivery(p_outbox_id, p_lease_token);
    insert into aicrm.deliveries (tenant_id, outbox_id, task_id, deliverable_id, attempt, transport, target, status,
                                  response, delivered_by)
    values (v_tenant, p_outbox_id, v_row.task_id, v_row.deliverable_id, v_row.attempts, null, null, 'released',
            jsonb_build_object('reason', p_reason), v_row.lease_holder);
    update aicrm.outbox o
    set status = 'pending', attempts = o.attempts - 1, available_at = least(o.available_at, now()),
        lease_holder = null, lease_token = null, lease_until = null
    where o.tenant_id = v_tenant and o.outbox_id = p_outbox_id;
    perform pg_notify('aicrm_delivery_queued', '');
    return jsonb_build_object('outbox_id', p_outbox_id, 'status', 'pending', 'attempts', v_row.attempts - 1);
end
$$;

revoke execute on function aicrm.release_delivery(uuid, uuid, text) from public;
grant execute on function aicrm.release_delivery(uuid, uuid, text) to aicrm_worker;
