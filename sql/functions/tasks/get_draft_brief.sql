-- What a writer needs for a task's next draft, in one document (docs/ai-instructions.md, "The
-- draft brief"): aicrm.get_draft_brief. The worker reads it before it writes, an MCP agent through
-- the get_draft_brief tool, a person from psql. It holds what the judge will check the draft
-- against, taken from where the judge takes it (the bounds: private/quality/draft_limits.sql; the
-- system-owned parts: the compliance packs assemble_draft reads; the grounding: the customer's
-- profile; the fixes: the scorecard's own), so no writer keeps a copy of a rule.

-- The brief of task p_task_id of the caller's tenant for the draft being written (the task's
-- current attempt while it is generating, else the next one):
--   task         {task_id, customer_id, channel, task_type, title, state, attempt, max_attempts, due_at}
--   brief        the instructions a writer follows: purpose, topic, key_points (each to be stated),
--                audience, cta, offer, event, links, tone (tone_override, else the brand's),
--                language, output_type, output_format
--   limits       the bounds the draft is judged by (words, characters, the call to action, the
--                subject, an SMS's segment, a caption's hashtags)
--   must_write   the parts the writer writes: the call to action when required, each key point,
--                the instructions' must_include, an email's subject
--   system_parts the parts aicrm adds when the draft is submitted (unsubscribe footer, postal
--                address, SMS opt-out, the sender's name), not to be written; the profile gaps that
--                keep one from being added; reserve.characters: what they add to a draft's length
--   forbidden    [{what, why | instead, source}]: the compliance packs' forbidden claims (their
--                message and what to say instead; a rule, not a word list), competitors, the tenant's terms, the
--                instructions' must_not_include and avoid_topics, the brand's phrases to avoid
--   facts        [{fact, value, source}]: what the draft may state, each from the profile or the
--                instructions (the grounding the judge checks claims against), less any value a
--                compliance pack forbids (an instruction to the writer, a risk-free claim); nothing
--                else may be stated as a fact; gaps: what the profile lacks (write shorter, do not invent)
--   brand_voice  the customer's
--   template     the template and variant chosen for this attempt by the bandit among the templates
--                of the channel (and purpose) and their variants (aicrm_private.choose_template_arm:
--                docs/learning.md, "Selection"), seeded by the task and attempt and recorded once
--                in aicrm.selection_choices; selection: {arm, reason, seed, probability, why}
--   examples     the two most similar approved examples and one to avoid
--   merge_tags   for an email: the tags the sending service fills ({{first_name}}, ...), and
--                `personal`: those a writer may use in its text (the others are the parts aicrm adds)
--   previous     on a rewrite: the last draft (version, subject, content), its findings as
--                structured fixes ({code, params, message, ...}: no English to parse) and, when a
--                person asked for changes, their structured edits (aicrm.request_changes) and their
--                words (fenced as the reviewer's)
--   context      with p_include_context: get_customer_context_for_ai's whole document
-- Errors: AC001 task_id (null); AC002 task_id (no such task in the tenant); AC003 (no tenant).
create or replace function aicrm.get_draft_brief(p_task_id uuid, p_include_context boolean default false)
returns jsonb
language plpgsql
volatile
set search_path = ''
as $$
declare
    c_system_parts constant text[] := '{unsubscribe,postal_address,sms_opt_out,business_name}';
    v_tenant uuid := aicrm_private.require_tenant();
    v_task aicrm.project_tasks;
    v_customer aicrm.customers;
    v_i jsonb;
    v_context jsonb;
    v_b jsonb;
    v_limits jsonb;
    v_packs text[];
    v_attempt integer;
    v_system jsonb;
    v_must jsonb;
    v_forbidden jsonb;
    v_facts jsonb;
    v_template jsonb;
    v_variant jsonb;
    v_choice jsonb;
    v_previous aicrm.project_deliverables;
    v_review jsonb;
    v_prev jsonb;
begin
    if p_task_id is null then
        raise exception using errcode = 'AC001', column = 'task_id', message = 'task_id: is required';
    end if;
    select * into v_task from aicrm.project_tasks as t where t.tenant_id = v_tenant and t.task_id = p_task_id;
    if not found then
        raise exception using errcode = 'AC002', column = 'task_id',
            message = format('task_id: no task %s in this tenant', p_task_id);
    end if;
    select * into v_customer from aicrm.customers as c
    where c.tenant_id = v_tenant and c.customer_id = v_task.customer_id;
    v_i := coalesce(v_task.ai_instructions, '{}');
    v_context := aicrm.get_customer_context_for_ai(p_customer_id => v_task.customer_id, p_context_version => null,
        p_channel => v_task.channel, p_purpose => v_i ->> 'purpose', p_topic => v_i ->> 'topic');
    v_b := v_context -> 'business';
    v_limits := aicrm_private.draft_limits(v_task.channel, v_i);
    v_packs := aicrm_private.applicable_compliance_packs(v_tenant, v_task.channel, v_customer.industry_category);
    v_attempt := case when v_task.execution_state in ('generating', 'evaluating') then greatest(v_task.attempts, 1)
                      else v_task.attempts + 1 end;

    -- The parts aicrm adds (assemble_draft), and what the profile lacks to add one.
    select jsonb_build_object(
        'parts', coalesce(jsonb_agg(distinct r.element), '[]'),
        'note', 'aicrm adds these from the customer''s profile when the draft is submitted: do not write them.',
        'gaps', coalesce(jsonb_agg(distinct r.element) filter (where
            r.element = 'postal_address' and nullif(btrim(v_customer.address ->> 'street'), '') is null), '[]'))
    into v_system
    from aicrm.compliance_rules as r
    where r.pack_code = any(v_packs) and r.kind = 'required_element' and r.element = any(c_system_parts);
    -- What those parts take of the bounds (an SMS's opt-out counts towards its 160 characters):
    -- measured by assembling a one-character draft, so the writer leaves exactly that much free.
    if v_system -> 'parts' <> '[]' then
        v_system := v_system || jsonb_build_object('reserve', jsonb_build_object('characters',
            aicrm_private.system_parts_reserve(v_task.customer_id, v_task.channel)));
    end if;

    -- What the writer writes.
    v_must := case when v_task.channel = 'email'
                   then jsonb_build_array(jsonb_build_object('part', 'subject', 'what', format(
                       'a subject line of %s-%s characters', v_limits #>> '{subject,min_characters}',
                       v_limits #>> '{subject,max_characters}')))
                   else '[]' end
        || case when (v_limits ->> 'cta_required')::boolean
                then jsonb_build_array(jsonb_strip_nulls(jsonb_build_object('part', 'cta',
                    'what', coalesce('the call to action: ' || (v_i ->> 'cta'),
                        'a clear call to action: a sentence that starts with what to do'))))
                else '[]' end
        || coalesce((select jsonb_agg(jsonb_build_object('part', 'key_point', 'what', k.value) order by k.ordinality)
                     from jsonb_array_elements_text(coalesce(v_i -> 'key_points', '[]')) with ordinality as k), '[]')
        || coalesce((select jsonb_agg(jsonb_strip_nulls(jsonb_build_object('part', 'must_include', 'what', k.value,
                             -- an element the scorecard finds by its patterns (business_name, cta, ...)
                             'element', aicrm_private.required_term_element(
                                 aicrm_private.phrase_key(translate(k.value, '_-', '  '))))) order by k.ordinality)
                     from jsonb_array_elements_text(coalesce(v_i -> 'must_include', '[]')) with ordinality as k), '[]')
        || coalesce((select jsonb_agg(distinct jsonb_build_object('part', r.element, 'what', r.message))
                     from aicrm.compliance_rules as r
                     where r.pack_code = any(v_packs) and r.kind = 'required_element'
                       and not r.element = any(c_system_parts) and r.element <> 'cta'), '[]');

    -- What it must not say, and why.
    select coalesce(jsonb_agg(f.item order by f.ord, f.item ->> 'what'), '[]') into v_forbidden
    from (
        select 1 as ord, jsonb_build_object('what', r.message, 'instead', r.fix, 'severity', r.severity,
                   'source', 'compliance pack ' || r.pack_code || ' (' || r.rule_code || ')') as item
        from aicrm.compliance_rules as r
        where r.pack_code = any(v_packs) and r.kind = 'forbidden_pattern'
        union all
        select 2, jsonb_build_object('what', 'naming a competitor: ' || array_to_string(p.competitor_names, ', '),
                   'why', 'the compliance packs forbid naming a competitor', 'source', 'profile.competitors')
        from aicrm.customer_scoring_profiles as p
        where p.tenant_id = v_tenant and p.customer_id = v_task.customer_id and cardinality(p.competitor_names) > 0
          and exists (select from aicrm.compliance_rules as r
                      where r.pack_code = any(v_packs) and r.element = 'competitor_name')
        union all
        select 2, jsonb_build_object('what', 'a contact''s personal email or phone',
                   'why', 'personal data of the customer''s contacts is never published', 'source', 'compliance pack privacy')
        where exists (select from aicrm.compliance_rules as r
                      where r.pack_code = any(v_packs) and r.element = 'contact_personal_data')
        union all
        select 3, jsonb_build_object('what', t.term, 'why', 'the agency''s term for this customer',
                   'source', 'tenant_compliance_terms')
        from aicrm.tenant_compliance_terms as t
        where t.tenant_id = v_tenant and t.kind = 'forbidden'
          and (t.customer_id is null or t.customer_id = v_task.customer_id)
        union all
        select 4, jsonb_build_object('what', x.value, 'why', 'the task says not to include it',
                   'source', 'ai_instructions.must_not_include')
        from jsonb_array_elements_text(coalesce(v_i -> 'must_not_include', '[]')) as x
        union all
        select 4, jsonb_build_object('what', x.value, 'why', 'a topic to avoid', 'source', 'ai_instructions.avoid_topics')
        from jsonb_array_elements_text(coalesce(v_i -> 'avoid_topics', '[]')) as x
        union all
        select 5, jsonb_build_object('what', x.value, 'why', 'the brand avoids it', 'source', 'brand_voice.phrases_to_avoid')
        from jsonb_array_elements_text(case when jsonb_typeof(v_context #> '{brand_voice,phrases_to_avoid}') = 'array'
                                            then v_context #> '{brand_voice,phrases_to_avoid}' else '[]' end) as x
    ) as f;

    -- What it may state: the profile's facts and the instructions' own, each with its source.
    select coalesce(jsonb_agg(jsonb_build_object('fact', f.fact, 'value', f.value, 'source', f.source) order by f.ord),
                    '[]')
    into v_facts
    from (
        select 1 as ord, 'business name' as fact, v_context #> '{customer,name}' as value, 'profile.name' as source
        union all
        select 2, 'description', v_b -> 'description', 'profile.business_description'
        where nullif(btrim(v_b ->> 'description'), '') is not null
        union all
        select 3, 'selling point', u.value, format('profile.unique_selling_points[%s]', u.ordinality - 1)
        from jsonb_array_elements(case when jsonb_typeof(v_b -> 'unique_selling_points') = 'array'
                                       then v_b -> 'unique_selling_points' else '[]' end) with ordinality as u
        union all
        select 4, 'product or service', p.value, format('profile.products_services[%s]', p.ordinality - 1)
        from jsonb_array_elements(case when jsonb_typeof(v_b -> 'products_services') = 'array'
                                       then v_b -> 'products_services' else '[]' end) with ordinality as p
        union all
        select 5, 'business hours', v_b -> 'business_hours', 'profile.business_hours'
        where jsonb_typeof(v_b -> 'business_hours') = 'object' and v_b -> 'business_hours' <> '{}'
        union all
        select 6, 'audience', v_b -> 'target_audience', 'profile.target_audience'
        where jsonb_typeof(v_b -> 'target_audience') in ('object', 'string', 'array')
          and v_b -> 'target_audience' not in ('{}', '""', '[]')
        union all
        select 7, c.key, c.value, 'profile.' || c.key
        from jsonb_each(jsonb_strip_nulls(jsonb_build_object('website', v_b -> 'website', 'phone', v_b -> 'phone',
                 'email', v_b -> 'email', 'address', v_b -> 'address'))) as c
        where c.value not in ('{}', '""', 'null')
        union all
        select 8, i.key, i.value, 'ai_instructions.' || i.key
        from jsonb_each(v_i) as i
        where i.key in ('offer', 'event', 'links', 'key_points')
    ) as f
    -- A profile value a compliance pack forbids (text addressed to the writer or the evaluator, a
    -- "risk-free" claim) is no fact to state: the writer never sees it.
    where not exists (
        select from aicrm.compliance_rules as r
        where r.pack_code = any(v_packs) and r.kind = 'forbidden_pattern' and r.pattern is not null
          and case when jsonb_typeof(f.value) = 'string' then f.value #>> '{}' else f.value::text end ~* r.pattern);

    -- The template and its variant for this attempt: the bandit's choice (recorded once per
    -- attempt; a second read gets the same), rendered from the context's templates.
    v_choice := aicrm_private.choose_template_arm(p_task_id, v_attempt, v_i ->> 'purpose', v_context -> 'templates');
    v_template := null;
    if v_choice ->> 'template_id' is not null then
        select t.value into v_template
        from jsonb_array_elements(coalesce(v_context -> 'templates', '[]')) as t
        where t.value ->> 'template_id' = v_choice ->> 'template_id'
        limit 1;
        select v.value into v_variant
        from jsonb_array_elements(coalesce(v_template -> 'rendered_variants', '[]')) as v
        where v.value ->> 'variant' = v_choice ->> 'variant'
        limit 1;
    end if;
    if v_template is not null then
        v_template := jsonb_strip_nulls(jsonb_build_object(
            'template_id', v_template -> 'template_id', 'name', v_template -> 'name',
            'version', v_template -> 'version', 'purpose', v_template -> 'purpose',
            'guidelines', v_template -> 'guidelines',
            'variant', v_choice ->> 'variant',
            'subject', coalesce(v_variant -> 'subject', v_template #> '{rendered,subject}'),
            'body', coalesce(v_variant -> 'body', v_template #> '{rendered,body}'),
            'chosen', format('%s: %s (seed %s)', v_choice ->> 'reason', v_choice ->> 'why', v_choice ->> 'seed'),
            'selection', v_choice - 'template_id' - 'variant'));
    end if;

    -- On a rewrite: the last draft, its fixes, and a person's requested changes.
    select * into v_previous from aicrm.project_deliverables as d
    where d.tenant_id = v_tenant and d.task_id = p_task_id
      and d.version < v_attempt
    order by d.version desc
    limit 1;
    if found then
        select jsonb_strip_nulls(jsonb_build_object('review_id', r.review_id, 'reviewer', r.reviewer,
                   'at', r.created_at, 'reason', r.reason, 'changes', r.changes,
                   'words', case when r.reason is not null
                                 then E'<<<reviewer\n' || r.reason || E'\n>>>' end))
        into v_review
        from aicrm.deliverable_reviews as r
        where r.tenant_id = v_tenant and r.task_id = p_task_id and r.decision = 'request_changes'
          and r.version = v_previous.version
        order by r.created_at desc
        limit 1;
        v_prev := jsonb_strip_nulls(jsonb_build_object(
            'version', v_previous.version, 'subject', v_previous.subject, 'content', v_previous.content,
            'score', v_previous.quality_score,
            'fixes', coalesce(v_previous.content_quality -> 'fixes', '[]'),
            'review', v_review));
    end if;

    -- (the nulls dropped at the top only: the context and the examples keep their shape)
    return (select jsonb_object_agg(x.key, x.value) from jsonb_each(jsonb_build_object(
        'task', jsonb_build_object('task_id', v_task.task_id, 'customer_id', v_task.customer_id,
            'channel', v_task.channel, 'task_type', v_task.task_type, 'title', v_task.title,
            'state', v_task.execution_state, 'attempt', v_attempt, 'due_at', v_task.due_at,
            'context_version', v_context -> 'context_version'),
        'brief', jsonb_strip_nulls(jsonb_build_object(
            'purpose', v_i -> 'purpose', 'topic', v_i -> 'topic', 'key_points', v_i -> 'key_points',
            'audience', coalesce(v_i -> 'audience', nullif(nullif(v_b -> 'target_audience', '{}'), '""')),
            'cta', v_i -> 'cta',
            'offer', v_i -> 'offer', 'event', v_i -> 'event', 'links', v_i -> 'links',
            'tone', coalesce(v_i -> 'tone_override', v_context #> '{brand_voice,tone}'),
            'language', coalesce(v_i -> 'language', v_context #> '{brand_voice,language}', '"en"'),
            'output_type', v_i -> 'output_type', 'output_format', coalesce(v_i -> 'output_format', '"text"'),
            'success_criteria', v_i -> 'success_criteria')),
        'limits', v_limits,
        'must_write', v_must,
        'system_parts', v_system,
        'forbidden', v_forbidden,
        'facts', v_facts,
        'gaps', v_context -> 'gaps',
        'brand_voice', v_context -> 'brand_voice',
        'template', v_template,
        'examples', jsonb_build_object(
            'approved', coalesce((select jsonb_agg(e.value order by e.ordinality)
                                  from jsonb_array_elements(coalesce(v_context #> '{examples,positive}', '[]'))
                                       with ordinality as e
                                  where e.ordinality <= 2), '[]'),
            'avoid', coalesce((select jsonb_agg(e.value order by e.ordinality)
                               from jsonb_array_elements(coalesce(v_context #> '{examples,negative}', '[]'))
                                    with ordinality as e
                               where e.ordinality <= 1), '[]')),
        'merge_tags', case when v_task.channel = 'email' then jsonb_build_object(
            'tags', to_jsonb(aicrm_private.email_merge_tags()),
            'personal', to_jsonb(array['first_name', 'last_name']),
            'note', 'The sending service fills these per recipient, e.g. {{first_name}}; use them only as written. '
                    'Never leave a bracketed placeholder such as [Name] or [link].') end,
        'previous', v_prev,
        -- what moved effectiveness on this channel for this customer (aicrm.what_worked): the
        -- context's, read for the task's channel above (aicrm_private.what_worked_for)
        'what_worked', coalesce(v_context -> 'what_worked', '[]'),
        'context', case when p_include_context then v_context end
    )) as x where x.value <> 'null');
end
$$;

revoke execute on function aicrm.get_draft_brief(uuid, boolean) from public;
grant execute on function aicrm.get_draft_brief(uuid, boolean) to aicrm_app, aicrm_worker, aicrm_readonly;
