-- What worked, as a writer is told it (docs/learning.md, "What worked"): the patterns of
-- aicrm.what_worked whose pooled interval excludes zero, for one customer (and channel), read by
-- get_customer_context_for_ai and get_draft_brief (a what_worked key).

-- For each channel (p_channel: that one only) and feature, the most specific scope that has it (the
-- customer's, else its industry's, else the tenant's), when its interval excludes zero; strongest
-- first, at most 8: [{feature, channel, scope, lift, interval: [low, high] (as lifts), sample_size,
-- says}]. An empty array when nothing is known yet. The call's tenant (RLS, security_invoker view).
create or replace function aicrm_private.what_worked_for(p_customer_id uuid, p_channel text default null)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
begin
    -- plpgsql: the view aicrm.what_worked (views/) is created after the functions.
    return (
    with c as (
        select x.customer_id, x.industry_category from aicrm.customers as x
        where x.tenant_id = aicrm_private.current_tenant_id() and x.customer_id = p_customer_id
    ),
    candidates as (
        select distinct on (w.channel, w.feature) w.*
        from aicrm.what_worked as w
        cross join c
        where (p_channel is null or w.channel = p_channel)
          and ((w.scope = 'customer' and w.customer_id = c.customer_id)
               or (w.scope = 'industry' and w.industry_category = c.industry_category)
               or w.scope = 'tenant')
        order by w.channel, w.feature, case w.scope when 'customer' then 1 when 'industry' then 2 else 3 end
    )
    select coalesce(jsonb_agg(jsonb_build_object(
        'feature', k.feature, 'channel', k.channel, 'scope', k.scope, 'lift', k.lift,
        'interval', jsonb_build_array(round(exp(k.pooled_low), 3), round(exp(k.pooled_high), 3)),
        'sample_size', k.sample_size,
        'says', format('%s on %s: %sx the usual effectiveness (95%% interval %s-%s; %s deliveries with it, %s without; %s level)',
                       replace(k.feature, '_', ' '), k.channel, k.lift, round(exp(k.pooled_low), 2),
                       round(exp(k.pooled_high), 2), k.n_with, k.n_without, k.scope))
        order by abs(k.pooled_effect) desc, k.channel, k.feature), '[]')
    from (select * from candidates as x where x.excludes_zero order by abs(x.pooled_effect) desc limit 8) as k);
end
$$;

grant execute on function aicrm_private.what_worked_for(uuid, text) to aicrm_app, aicrm_worker, aicrm_readonly;
