-- Outcomes in (docs/learning.md, "Metrics windows"): what the scheduled job close-metrics-windows does.

-- Every tenant's delivered tasks whose delivery's metrics window has closed move to measured: the
-- window ends at the delivery's time + the channel's decision setting metrics_window_hours (email
-- 168, social 168, sms 48, blog and web 720 by default), or, once a delivery has metrics, at the
-- end fixed then (aicrm.delivery_metrics.window_ends_at). A task with no metrics is measured all
-- the same (its results are none): learning reads what came in. At most p_limit tasks a call,
-- oldest window first; tasks another transaction holds are skipped (the next run sees them).
-- Returns how many moved. SECURITY DEFINER (it sets each tenant in turn), executable by no role
-- but the owner; the job is aicrm.close_metrics_windows (sql/functions/learning/).
create or replace function aicrm_private.measure_closed_windows(p_limit integer)
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_tenant uuid;
    v_task record;
    v_done bigint := 0;
begin
    if p_limit is null or p_limit < 1 or p_limit > 100000 then
        raise exception using errcode = 'AC001', message = 'limit: must be an integer from 1 to 100000',
            hint = 'Pass how many tasks one call may measure, e.g. 1000.', column = 'limit';
    end if;
    for v_tenant in select t.tenant_id from aicrm.tenants as t order by t.tenant_id loop
        exit when v_done >= p_limit;
        -- row-level security is forced on the owner too: each tenant in turn
        perform set_config('aicrm.tenant_id', v_tenant::text, true);
        for v_task in
            select t.task_id, d.delivery_id, w.ends_at, m.delivery_id is not null as has_metrics
            from aicrm.project_tasks as t
            join lateral (
                select x.delivery_id, x.outbox_id, x.created_at from aicrm.deliveries as x
                where x.tenant_id = t.tenant_id and x.task_id = t.task_id and x.status = 'delivered'
                order by x.created_at desc limit 1
            ) as d on true
            join aicrm.outbox as o on o.tenant_id = t.tenant_id and o.outbox_id = d.outbox_id
            left join aicrm.delivery_metrics as m on m.tenant_id = t.tenant_id and m.delivery_id = d.delivery_id
            cross join lateral (
                select coalesce(m.window_ends_at, d.created_at + aicrm_private.metrics_window(o.channel)) as ends_at
            ) as w
            where t.tenant_id = v_tenant and t.execution_state = 'delivered' and w.ends_at <= clock_timestamp()
            order by w.ends_at
            limit p_limit - v_done
            for update of t skip locked
        loop
            perform aicrm_private.transition_task(v_task.task_id, 'measured', 'system',
                case when v_task.has_metrics then 'its metrics window closed'
                     else 'its metrics window closed with no results recorded' end,
                'delivered',
                jsonb_build_object('delivery_id', v_task.delivery_id, 'window_ends_at', v_task.ends_at,
                                   'has_metrics', v_task.has_metrics),
                'close_metrics_windows');
            update aicrm.delivery_metrics as m set measured_at = clock_timestamp()
            where m.tenant_id = v_tenant and m.delivery_id = v_task.delivery_id;
            v_done := v_done + 1;
        end loop;
    end loop;
    perform set_config('aicrm.tenant_id', '', true);
    return v_done;
end
$$;

revoke execute on function aicrm_private.measure_closed_windows(integer) from public;
