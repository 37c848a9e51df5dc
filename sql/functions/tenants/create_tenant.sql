-- Creates a tenant with the default decision rules and the content library; returns its id. Administrative: only the owner (the CLI's
-- "aicrm tenant create", the Supabase SQL editor) may call it. A name is a tenant's handle for people
-- (`select tenant_id, name from aicrm.tenants`), so a second tenant with the same name (case and
-- surrounding spaces aside) is refused with AC005, naming the existing one. The owner reads every
-- tenant (policy tenants_select_owner); an advisory lock on the name makes two concurrent calls take
-- turns, so both cannot pass the check.
create or replace function aicrm.create_tenant(p_name text, p_settings jsonb default '{}')
returns uuid
language plpgsql
set search_path = ''
as $$
declare
    v_tenant uuid := gen_random_uuid();
    v_previous text := current_setting('aicrm.tenant_id', true);
    v_key text := lower(btrim(p_name));
    v_existing aicrm.tenants;
begin
    if v_key <> '' then
        perform pg_advisory_xact_lock(hashtextextended('aicrm.tenant_name:' || v_key, 0));
        select t.* into v_existing
        from aicrm.tenants t
        where lower(btrim(t.name)) = v_key
        order by t.created_at
        limit 1;
        if found then
            raise exception using errcode = 'AC005',
                message = format('name: %L is taken by tenant %s (%L)', btrim(p_name), v_existing.tenant_id,
                                 v_existing.name),
                hint = 'Choose another name, or use that tenant: aicrm db url --tenant ' || v_existing.tenant_id,
                column = 'name';
        end if;
    end if;
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
