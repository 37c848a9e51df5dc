-- The library's example embeddings, computed once for the configured model when the hashing
-- embedder is in use (the runner fills them for openai and minilm: `aicrm embeddings reindex
-- --all-tenants`), then the library installed into every tenant that lacks part of it. Idempotent.
select aicrm_private.reembed_library_hashing();

do $$
declare
    v_tenant uuid;
    v_previous text := current_setting('aicrm.tenant_id', true);
begin
    for v_tenant in select t.tenant_id from aicrm.tenants t loop
        perform set_config('aicrm.tenant_id', v_tenant::text, true);
        perform aicrm.install_content_library();
    end loop;
    perform set_config('aicrm.tenant_id', coalesce(v_previous, ''), true);
end
$$;
