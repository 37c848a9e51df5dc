-- The default rule "Send a profile gap to a person" (sql/seeds/defaults/0005_decision_defaults.sql)
-- for the tenants that exist: a draft missing a part only the customer's profile can supply (no
-- street for the postal address, no contact details) goes to a person at once instead of being
-- retried. New tenants get it with the other defaults (aicrm.install_default_decision_rules); a
-- tenant that already has a rule of that name keeps its own.
do $$
declare
    v_tenant uuid;
begin
    for v_tenant in select t.tenant_id from aicrm.tenants t loop
        perform set_config('aicrm.tenant_id', v_tenant::text, true);
        insert into aicrm.ai_decision_rules (tenant_id, name, description, category, priority, condition, action)
        select
            v_tenant,
            'Send a profile gap to a person',
            'A part only the customer''s profile can supply is missing (no street for the postal address, '
            || 'no contact details): no rewrite can fix it, so a person completes the profile; no retries.',
            'escalation',
            5,
            '{"!!": [{"var": ["quality.profile_gaps", []]}]}'::jsonb,
            '{"type": "escalate", "params": {"reason": "profile_gap", "queue": "account_manager"}}'::jsonb
        where not exists (
            select from aicrm.ai_decision_rules r
            where r.tenant_id = v_tenant and r.name = 'Send a profile gap to a person'
        );
    end loop;
    perform set_config('aicrm.tenant_id', '', true);
end
$$;
