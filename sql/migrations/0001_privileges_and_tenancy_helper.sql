-- Default deny: nothing aicrm_owner creates is executable by PUBLIC; each function file grants
-- EXECUTE to the roles that may call it, right after the function.
alter default privileges for role aicrm_owner revoke execute on functions from public;
alter default privileges for role aicrm_owner revoke all on tables from public;
alter default privileges for role aicrm_owner revoke all on sequences from public;

revoke all on schema aicrm from public;
revoke all on schema aicrm_private from public;
grant usage on schema aicrm to aicrm_app, aicrm_worker, aicrm_readonly;
-- Policies call aicrm_private.current_tenant_id() with the caller's rights, so the roles need
-- USAGE on the schema; every function in it is still EXECUTE-revoked unless granted.
grant usage on schema aicrm_private to aicrm_app, aicrm_worker, aicrm_readonly;

-- The one helper every row-level security policy goes through. It lives in a migration (not in
-- sql/functions/) because policies depend on it at CREATE POLICY time.
-- Tenant comes from the transaction-local setting aicrm.tenant_id (the runner, a psql user),
-- otherwise from PostgREST/Supabase's JWT claims: claim tenant_id, or app_metadata.tenant_id.
create function aicrm_private.current_tenant_id()
returns uuid
language plpgsql
stable
parallel safe
set search_path = ''
as $$
declare
    v_raw text := nullif(current_setting('aicrm.tenant_id', true), '');
    v_claims jsonb;
begin
    if v_raw is null then
        v_claims := nullif(current_setting('request.jwt.claims', true), '')::jsonb;
        v_raw := nullif(coalesce(v_claims ->> 'tenant_id', v_claims -> 'app_metadata' ->> 'tenant_id'), '');
    end if;
    if v_raw is null then
        return null;
    end if;
    return v_raw::uuid;
exception
    when invalid_text_representation then
        raise exception using
            errcode = 'AC004',
            message = format('tenant_id: %L is not a tenant id', v_raw),
            detail = 'The tenant comes from the setting aicrm.tenant_id or the JWT claim tenant_id.',
            hint = 'Set aicrm.tenant_id to the UUID printed by "aicrm tenant create".';
end
$$;

grant execute on function aicrm_private.current_tenant_id() to aicrm_app, aicrm_worker, aicrm_readonly;
