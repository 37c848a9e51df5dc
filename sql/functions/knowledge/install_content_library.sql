-- The template library every tenant starts with: install_content_library copies it into the tenant.

-- Copies the library's templates and examples the tenant lacks (by library_key) into it; returns
-- {templates, examples} added. create_tenant and `aicrm seed` call it; a tenant may then edit or
-- deactivate its copies (an edited copy is never overwritten).
create or replace function aicrm.install_content_library()
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
    v_tenant uuid := aicrm_private.require_tenant();
    v_templates integer;
    v_examples integer;
begin
    insert into aicrm.content_templates (tenant_id, library_key, name, industry_category, purpose, channel, subject,
                                         body, guidelines, variants)
    select v_tenant, l.library_key, l.name, l.industry_category, l.purpose, l.channel, l.subject, l.body, l.guidelines,
           l.variants
    from aicrm.library_templates l
    where not exists (select from aicrm.content_templates t where t.tenant_id = v_tenant and t.library_key = l.library_key)
    on conflict do nothing;
    get diagnostics v_templates = row_count;
    insert into aicrm.content_examples (tenant_id, library_key, industry_category, purpose, channel, subject, content,
                                        polarity, annotations, effectiveness, source, embedding, embedding_model,
                                        embedded_at)
    select v_tenant, l.library_key, l.industry_category, l.purpose, l.channel, l.subject, l.content, l.polarity,
           l.annotations, l.effectiveness, 'library', l.embedding, l.embedding_model, now()
    from aicrm.library_examples l
    where not exists (select from aicrm.content_examples x where x.tenant_id = v_tenant and x.library_key = l.library_key)
    on conflict do nothing;
    get diagnostics v_examples = row_count;
    return jsonb_build_object('templates', v_templates, 'examples', v_examples);
end
$$;

grant execute on function aicrm.install_content_library() to aicrm_app;
