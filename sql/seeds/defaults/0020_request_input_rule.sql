-- A profile gap asks the account manager (action request_input, migration 0034) instead of
-- escalating: each tenant's rule "Send a profile gap to a person" that still has the old default
-- action gets the new one (a rule a tenant changed keeps its own). Later runs find nothing to change.
do $$
declare
    v_tenant uuid;
begin
    for v_tenant in select t.tenant_id from aicrm.tenants as t loop
        perform set_config('aicrm.tenant_id', v_tenant::text, true);
        update aicrm.ai_decision_rules as r
        set action = '{"type": "request_input", "params": {"reason": "profile_gap", "role": "human"}}'
        where r.tenant_id = v_tenant
          and r.name = 'Send a profile gap to a person'
          and r.action = '{"type": "escalate", "params": {"reason": "profile_gap", "queue": "account_manager"}}';
    end loop;
    perform set_config('aicrm.tenant_id', '', true);
end
$$;
