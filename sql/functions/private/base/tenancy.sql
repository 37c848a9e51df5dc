-- Tenancy: the tenant an API call works in (require_tenant) and one that must exist
-- (require_existing_tenant). The tenant itself is read by current_tenant_id (migration 0001).

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

-- The tenant of this transaction, refused when no such tenant exists: a mistyped tenant id must
-- say so, not answer "no customer" for every customer (create_content_task, import_customers, ...).
create or replace function aicrm_private.require_existing_tenant()
returns uuid
language plpgsql
stable
set search_path = ''
as $$
declare
    v_tenant uuid := aicrm_private.require_tenant();
begin
    if not exists (select from aicrm.tenants t where t.tenant_id = v_tenant) then
        raise exception using errcode = 'AC002', message = format('tenant_id: no tenant %s', v_tenant),
            hint = 'Use the id "aicrm tenant create NAME" printed, or seed the demo tenant with "aicrm seed --demo".',
            column = 'tenant_id';
    end if;
    return v_tenant;
end
$$;

grant execute on function aicrm_private.require_existing_tenant() to aicrm_app, aicrm_readonly;
