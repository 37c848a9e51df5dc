-- Publishing (docs/pipeline.md, "Publishing"): the lease fence of a delivery, the same fence as a
-- task's (aicrm_private.check_lease, private/tasks/lease.sql).

-- The outbox row a publisher's lease holds, locked: what record_delivery and release_delivery write
-- under. AC002 when the tenant has no such row; AC005 when the row is not being delivered under this
-- token (another publisher reclaimed it, or it was recorded or released already).
create or replace function aicrm_private.held_delivery(p_outbox_id uuid, p_lease_token uuid)
returns aicrm.outbox
language plpgsql
set search_path = ''
as $$
declare
    v_tenant uuid := aicrm_private.require_tenant();
    v_row aicrm.outbox;
begin
    select * into v_row from aicrm.outbox o where o.tenant_id = v_tenant and o.outbox_id = p_outbox_id for update;
    perform aicrm_private.check_lease('delivery', p_outbox_id, p_lease_token, found, v_row.status,
        v_row.status = 'delivering', v_row.lease_token);
    return v_row;
end
$$;

revoke execute on function aicrm_private.held_delivery(uuid, uuid) from public;
