-- Creates a tenant with the default decision rules and the content library; returns its id. Administrative: only the owner (the CLI's
-- "aicrm tenant create", the Supabase SQL editor) may call it.
create or replace function aicrm.create_tenant(p_name text, p_settings jsonb default '{}')
returns uuid
language plpgsql
set search_path = ''
as $$
declare
    v_tenant uuid := gen_random_uuid();
    v_previous text := current_setting('aicrm.tenant_id', true);
begin
    -- Row-level security is forced even for the owner, so the new row is written inside its
    -- own tenant; the caller's setting is restored afterwards.
    perform set_config('aicrm.tenant_id', v_tenant::text, true);
    insert into aicrm.tenants (tenant_id, name, settings) values (v_tenant, p_name, coalesce(p_settings, '{}'));
    perform aicrm.install_default_decision_rules();
    perform aicrm.install_content_library();
    perform set_config('aicrm.tenant_id', coalesce(v_previous, ''), true);
    return v_tenant;
end
$$;
