-- Re-embedding (knowledge/reembed.sql) across tenants: tenants_with_pending_embeddings.

-- The tenants that have pending examples (p_full: any example), with how many, for
-- `aicrm embeddings reindex --all-tenants` running as the worker. Row-level security is forced even
-- for the table owner, so SECURITY DEFINER alone would see no tenant's examples; instead the function
-- visits each tenant the way every caller does, by setting aicrm.tenant_id, and counts through the
-- same tenant-scoped count_examples_to_embed (the policies stay the only gate). The caller's
-- aicrm.tenant_id is put back before returning (a SET clause on the function would do it for us,
-- but attaching a placeholder setting to a function needs a superuser); an error rolls the setting
-- back with the transaction or savepoint. Not the administrator's connection: on Supabase and most
-- managed servers the DATABASE_URL user is no superuser and does not bypass row-level security.
create or replace function aicrm_private.tenants_with_pending_embeddings(p_full boolean default false)
returns table (tenant_id uuid, pending bigint)
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_previous text := pg_catalog.current_setting('aicrm.tenant_id', true);
    v_tenant uuid;
    v_pending bigint;
begin
    for v_tenant in select t.tenant_id from aicrm.tenants t order by t.tenant_id loop
        perform pg_catalog.set_config('aicrm.tenant_id', v_tenant::text, true);
        v_pending := aicrm.count_examples_to_embed(p_full);
        if v_pending > 0 then
            tenant_id := v_tenant;
            pending := v_pending;
            return next;
        end if;
    end loop;
    perform pg_catalog.set_config('aicrm.tenant_id', coalesce(v_previous, ''), true);
end
$$;

grant execute on function aicrm_private.tenants_with_pending_embeddings(boolean) to aicrm_worker;
