-- Seeding a schema that names the shared vocabularies (content.channel, content.purpose, ...;
-- sql/seeds/defaults/0000_vocabulary_schemas.sql) with {"$ref": "content.x"}: each such $ref is
-- replaced by the vocabulary's own definition before the schema is stored, so the stored schema has
-- no $ref and compiles to the fast SQL/JSON path (docs/quality.md), while each list is still written
-- once. Run by the default seeds on every migrate (a changed vocabulary reaches every copy); a
-- schema whose definition and description are unchanged is not rewritten.
create or replace function aicrm_private.upsert_schema_with_vocabularies(
    p_schema_name text,
    p_description text,
    p_definition jsonb
)
returns void
language plpgsql
set search_path = ''
as $$
declare
    v_definition jsonb := p_definition;
    v_vocabulary record;
begin
    for v_vocabulary in
        select s.schema_name, s.definition from aicrm.json_schemas s where s.schema_name like 'content.%'
    loop
        v_definition := replace(v_definition::text, jsonb_build_object('$ref', v_vocabulary.schema_name)::text,
                                v_vocabulary.definition::text)::jsonb;
    end loop;
    insert into aicrm.json_schemas (schema_name, description, definition)
    values (p_schema_name, p_description, v_definition)
    on conflict (schema_name) do update
    set description = excluded.description, definition = excluded.definition, updated_at = now()
    where (json_schemas.description, json_schemas.definition) is distinct from (excluded.description, excluded.definition);
end
$$;

revoke execute on function aicrm_private.upsert_schema_with_vocabularies(text, text, jsonb) from public;
