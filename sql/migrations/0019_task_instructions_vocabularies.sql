-- A task's instructions now take the purposes, tones and output types the later steps read
-- (the shared vocabularies of seeds/defaults/0000_vocabulary_schemas.sql): before, any purpose
-- matching ^[a-z][a-z_]{0,39}$ and any tone were accepted, and the worker escalated a task whose
-- purpose find_similar_content refused. A task row is validated on every write, so a stored task
-- holding such a value would be refused at its next transition. Such values are dropped here:
-- without a purpose the writer is offered every purpose's templates, a tone is kept when its
-- lower case is a tone, and without one the brand voice's applies. The audit log keeps the old
-- instructions. The lists are the ones the later steps used (api.similarity_filters,
-- customer.brand_voice) as installed before this release; a fresh install has no schema or task
-- yet, and this does nothing.
do $$
declare
    v_purposes jsonb := coalesce(
        (select s.definition -> 'enum' from aicrm.json_schemas s where s.schema_name = 'content.purpose'),
        (select s.definition #> '{properties,purpose,enum}' from aicrm.json_schemas s
         where s.schema_name = 'api.similarity_filters'));
    v_tones jsonb := coalesce(
        (select s.definition -> 'enum' from aicrm.json_schemas s where s.schema_name = 'content.tone'),
        (select s.definition #> '{properties,tone,items,enum}' from aicrm.json_schemas s
         where s.schema_name = 'customer.brand_voice'));
    v_previous text := current_setting('aicrm.tenant_id', true);
    v_tenant uuid;
    v_task record;
    v_fixed jsonb;
    v_kept jsonb;
begin
    if jsonb_typeof(v_purposes) is distinct from 'array' or jsonb_typeof(v_tones) is distinct from 'array' then
        return;
    end if;
    for v_tenant in select t.tenant_id from aicrm.tenants t loop
        perform set_config('aicrm.tenant_id', v_tenant::text, true);
        for v_task in
            select t.task_id, t.ai_instructions from aicrm.project_tasks t
            where t.tenant_id = v_tenant
              and ((t.ai_instructions ? 'purpose' and not v_purposes @> jsonb_build_array(t.ai_instructions -> 'purpose'))
                   or exists (select from jsonb_array_elements(case jsonb_typeof(t.ai_instructions -> 'tone_override')
                                                               when 'array' then t.ai_instructions -> 'tone_override'
                                                               else '[]' end) x (tone)
                              where not v_tones @> jsonb_build_array(x.tone)))
        loop
            v_fixed := v_task.ai_instructions;
            if not v_purposes @> jsonb_build_array(v_fixed -> 'purpose') then
                v_fixed := v_fixed - 'purpose';
            end if;
            if jsonb_typeof(v_fixed -> 'tone_override') = 'array' then
                select coalesce(jsonb_agg(to_jsonb(lower(btrim(x.tone))) order by x.ord), '[]') into v_kept
                from jsonb_array_elements_text(v_fixed -> 'tone_override') with ordinality x (tone, ord)
                where v_tones @> jsonb_build_array(lower(btrim(x.tone)));
                v_fixed := case when jsonb_array_length(v_kept) = 0 then v_fixed - 'tone_override'
                                else jsonb_set(v_fixed, '{tone_override}', v_kept) end;
            end if;
            update aicrm.project_tasks t set ai_instructions = v_fixed
            where t.tenant_id = v_tenant and t.task_id = v_task.task_id;
        end loop;
    end loop;
    perform set_config('aicrm.tenant_id', coalesce(v_previous, ''), true);
end
$$;
