-- The tenant every tenant-scoped API call works in; refuses to run without one.
create or replace function aicrm_private.require_tenant()
returns uuid
language plpgsql
stable
set search_path = ''
as $$
declare
    v_tenant uuid := aicrm_private.current_tenant_id();
begin
    if v_tenant is null then
        raise exception using
            errcode = 'AC003',
            message = 'tenant_id: no tenant is set for this transaction',
            detail = 'Every aicrm call works inside one tenant.',
            hint = 'Run SET aicrm.tenant_id = ''<tenant uuid>'' (psql), or call through PostgREST with a JWT '
                'carrying the claim tenant_id.',
            column = 'tenant_id';
    end if;
    return v_tenant;
end
$$;

grant execute on function aicrm_private.require_tenant() to aicrm_app, aicrm_worker, aicrm_readonly;
