-- The operations dashboard's summaries (migration 0030) for the tasks written before them: each
-- tenant with tasks and no summaries yet derives them from its history once
-- (aicrm_private.rebuild_task_stats). Later runs find the summaries and change nothing.
do $$
declare
    v_tenant uuid;
begin
    for v_tenant in select t.tenant_id from aicrm.tenants as t loop
        perform set_config('aicrm.tenant_id', v_tenant::text, true);
        if exists (select from aicrm.project_tasks as p where p.tenant_id = v_tenant)
            and not exists (select from aicrm.task_state_counts as s where s.tenant_id = v_tenant)
            and not exists (select from aicrm.task_stat_events as e where e.tenant_id = v_tenant) then
            perform aicrm_private.rebuild_task_stats();
        end if;
    end loop;
    perform set_config('aicrm.tenant_id', '', true);
end
$$;
