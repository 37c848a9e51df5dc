-- The accuracy grounding of every customer whose scoring profile has none yet (migration 0028):
-- derived once, tenant by tenant (row-level security is forced). Idempotent: a profile that has
-- it is left alone; later changes derive it again (aicrm_private.tg_refresh_scoring_profile).
do $$
declare
    v_tenant uuid;
begin
    for v_tenant in select t.tenant_id from aicrm.tenants t loop
        perform set_config('aicrm.tenant_id', v_tenant::text, true);
        update aicrm.customer_scoring_profiles p
        set accuracy_grounding = aicrm_private.accuracy_grounding(to_jsonb(c) - 'tenant_id')
            || jsonb_build_object('examples', aicrm_private.accuracy_example_claims(c.tenant_id, c.customer_id))
        from aicrm.customers c
        where p.tenant_id = v_tenant and p.accuracy_grounding is null
          and c.tenant_id = p.tenant_id and c.customer_id = p.customer_id;
    end loop;
end
$$;
