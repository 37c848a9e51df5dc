-- The analyst tells the strategist what worked (docs/agents.md, "The analyst"): when the feedback
-- job (aicrm.process_ai_feedback) has scored new deliveries of a tenant, each pattern of
-- aicrm.what_worked whose interval now excludes zero and that the strategist has not been told is
-- sent once, from the role analyst to the role strategist, as a notification.what_worked: the
-- feature, channel and scope (a customer's own, its industry's, the tenant's), the lift and its
-- interval, the sample, and the sentence a writer reads. Only to a tenant with an active strategist
-- (a notification nobody reads would expire into a dead letter); at most p_max a call, strongest
-- first; a pattern whose direction flips is news again. Returns how many were sent.
create or replace function aicrm_private.notify_what_worked(p_tenant uuid, p_max integer default 20)
returns integer
language plpgsql
set search_path = ''
as $$
declare
    v_p record;
    v_key text;
    v_says text;
    v_sent integer := 0;
begin
    if not exists (
        select from aicrm.ai_agents as a
        where a.tenant_id = p_tenant and a.agent_role = 'strategist' and a.status = 'active'
    ) then
        return 0;
    end if;
    for v_p in
        select w.*, c.name as customer_name
        from aicrm.what_worked as w
        left join aicrm.customers as c on c.tenant_id = w.tenant_id and c.customer_id = w.customer_id
        where w.tenant_id = p_tenant and w.excludes_zero
        order by abs(w.pooled_effect) desc, w.scope, w.channel, w.feature
    loop
        exit when v_sent >= p_max;
        v_key := format('what_worked:%s:%s:%s:%s:%s', v_p.scope,
            coalesce(v_p.customer_id::text, v_p.industry_category, 'tenant'), v_p.channel, v_p.feature,
            case when v_p.pooled_effect > 0 then 'up' else 'down' end);
        continue when exists (
            select from aicrm.ai_agent_messages as m where m.tenant_id = p_tenant and m.idempotency_key = v_key
        );
        v_says := format('%s %s on %s: %sx the usual effectiveness (95%% interval %s-%s; %s deliveries with it, %s without).',
            case v_p.scope when 'customer' then coalesce(v_p.customer_name, 'A customer') || ':'
                           when 'industry' then 'The ' || replace(v_p.industry_category, '_', ' ') || ' customers:'
                           else 'All customers:' end,
            replace(v_p.feature, '_', ' '), v_p.channel, v_p.lift, round(exp(v_p.pooled_low), 2),
            round(exp(v_p.pooled_high), 2), v_p.n_with, v_p.n_without);
        perform aicrm_private.send_system_message(jsonb_build_object(
            'kind', 'notification',
            'message_type', 'notification.what_worked',
            'from_role', 'analyst',
            'to_role', 'strategist',
            'idempotency_key', v_key,
            'parts', jsonb_build_array(
                jsonb_build_object('type', 'text', 'text', v_says),
                jsonb_build_object('type', 'data', 'data', jsonb_strip_nulls(jsonb_build_object(
                    'scope', v_p.scope, 'customer_id', v_p.customer_id, 'industry', v_p.industry_category,
                    'channel', v_p.channel, 'feature', v_p.feature, 'lift', v_p.lift,
                    'interval', jsonb_build_array(round(exp(v_p.pooled_low), 3), round(exp(v_p.pooled_high), 3)),
                    'sample_size', v_p.sample_size)))
            )
        ) || case when v_p.customer_id is not null then jsonb_build_object('thread_id', v_p.customer_id) else '{}' end);
        v_sent := v_sent + 1;
    end loop;
    return v_sent;
end
$$;

revoke execute on function aicrm_private.notify_what_worked(uuid, integer) from public;
