-- The library's example embeddings, computed once for the configured model when the hashing
-- embedder is in use (the runner fills them for openai and minilm: `aicrm embeddings reindex`),
-- then the library installed into every tenant that lacks part of it. Idempotent.
update aicrm.library_examples l
set embedding = aicrm_private.embed_hashing(aicrm_private.example_embedding_text(l.subject, l.content)),
    embedding_model = c.model,
    embedding_text_md5 = md5(aicrm_private.example_embedding_text(l.subject, l.content))
from aicrm.embedding_config as c
where c.provider = 'hashing'
    and (
        l.embedding_model is distinct from c.model
        or l.embedding_text_md5 is distinct from md5(aicrm_private.example_embedding_text(l.subject, l.content))
    );

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
