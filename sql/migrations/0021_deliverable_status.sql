-- A draft's status follows its task's decisions (issue 12): aicrm_private.sync_deliverable_status,
-- called by transition_task (sql/functions/pipeline/state_machine.sql), keeps it from now on. Until
-- then every draft said draft, approved or delivered: this brings the existing rows in line, and no
-- role writes a status by hand any more (as no role writes a score or a decision).

revoke insert (status), update (status) on aicrm.project_deliverables from aicrm_app;

-- What each draft's status is, from its task's state now: the latest version of a delivered task
-- (or any version that was delivered) published; of an approved or publishing task approved, as of
-- an escalated task whose draft was approved (its delivery failed); of a task waiting on a decision
-- (evaluating, in review, escalated, not queued yet) draft; every other version rejected (retried,
-- sent back, edited, released, rejected, cancelled). Tables are read under forced RLS, one tenant
-- at a time; the tenants come from the tasks, read with the claim key (as claim_next_task reads
-- them), which is cleared at once.
do $$
declare
    v_previous text := current_setting('aicrm.tenant_id', true);
    v_tenants uuid[];
    v_tenant uuid;
begin
    perform set_config('aicrm_private.claiming', (select k.key::text from aicrm_private.claim_key as k), true);
    select coalesce(array_agg(distinct t.tenant_id), '{}') into v_tenants from aicrm.project_tasks as t;
    perform set_config('aicrm_private.claiming', '', true);
    foreach v_tenant in array v_tenants loop
        perform set_config('aicrm.tenant_id', v_tenant::text, true);
        update aicrm.project_deliverables as d
        set status = x.status
        from (
            select
                v.deliverable_id,
                case
                    when exists (select from aicrm.outbox as o
                                 where o.tenant_id = v.tenant_id and o.deliverable_id = v.deliverable_id
                                   and o.status = 'delivered') then 'published'
                    when v.version < v.latest then 'rejected'
                    when t.execution_state in ('delivered', 'measured') then 'published'
                    when t.execution_state in ('approved', 'publishing') then 'approved'
                    when t.execution_state = 'escalated'
                         and exists (select from aicrm.outbox as o
                                     where o.tenant_id = v.tenant_id and o.deliverable_id = v.deliverable_id) then 'approved'
                    when t.execution_state in ('draft', 'evaluating', 'awaiting_review', 'escalated') then 'draft'
                    else 'rejected'
                end as status
            from (select d2.tenant_id, d2.task_id, d2.deliverable_id, d2.version,
                         max(d2.version) over (partition by d2.task_id) as latest
                  from aicrm.project_deliverables as d2) as v
            inner join aicrm.project_tasks as t on t.tenant_id = v.tenant_id and t.task_id = v.task_id
        ) as x
        where d.tenant_id = v_tenant and d.deliverable_id = x.deliverable_id and d.status is distinct from x.status;
    end loop;
    perform set_config('aicrm.tenant_id', coalesce(v_previous, ''), true);
end
$$;
