-- The customer context for AI (docs/architecture.md, "Business context"): get_customer_context_for_ai.
-- Its parts: the versioned context document (private/context/context_versions.sql), the sections
-- read from the knowledge base (private/context/knowledge_sections.sql) and the placeholder values
-- (private/knowledge/template_values.sql).

-- Everything an agent needs to write for a customer, in one JSON document.
-- p_context_version returns the business context as it was at that version (for re-checking an
-- old draft); by default the current one. p_channel, p_purpose and p_topic narrow the templates
-- (the customer's industry or any, rendered for the customer with their variants) and the
-- examples (the most similar positive and negative ones to the topic, else to the business
-- description). template_values are the placeholder values of that version (what the templates
-- were rendered with); industry_phrasing, when the profile has gaps, the industry's generic
-- sentences of the channel (of every channel for one without templates).
-- Sections other issues fill (rules, learned patterns) are present and empty until those
-- features exist.
create or replace function aicrm.get_customer_context_for_ai(
    p_customer_id uuid,
    p_context_version integer default null,
    p_channel text default null,
    p_purpose text default null,
    p_topic text default null
)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
    v_customer aicrm.customers := aicrm_private.find_customer(p_customer_id);
    v_snapshot aicrm.customer_context_versions;
    v_context jsonb;
    v_gaps jsonb;
    v_values jsonb;
    v_templates jsonb;
    v_examples jsonb;
begin
    if p_context_version is null then
        p_context_version := v_customer.context_version;
    end if;
    select * into v_snapshot from aicrm.customer_context_versions v
    where v.tenant_id = v_customer.tenant_id and v.customer_id = v_customer.customer_id
      and v.context_version = p_context_version;
    if not found then
        raise exception using errcode = 'AC002',
            message = format('context_version: customer %s has no version %s', p_customer_id, p_context_version),
            hint = format('Versions 1 to %s exist.', v_customer.context_version),
            column = 'context_version';
    end if;
    v_context := v_snapshot.context;

    -- What an agent should know is missing, so it can ask instead of inventing.
    select coalesce(jsonb_agg(g.field order by g.field), '[]') into v_gaps
    from (values
        ('business.description', v_context #> '{business,description}' in ('null', '""')),
        ('business.unique_selling_points', v_context #> '{business,unique_selling_points}' = '[]'),
        ('business.products_services', v_context #> '{business,products_services}' = '[]'),
        ('business.target_audience', v_context #> '{business,target_audience}' = '{}'),
        ('business.business_hours', v_context #> '{business,business_hours}' = '{}'),
        ('brand_voice', v_context -> 'brand_voice' = '{}'),
        ('content_preferences', v_context -> 'content_preferences' = '{}')
    ) as g (field, missing)
    where g.missing;

    v_values := aicrm_private.template_values_of(v_context);
    v_templates := aicrm_private.context_templates(v_customer, p_channel, p_purpose, v_values);
    v_examples := aicrm_private.context_examples(v_customer, p_channel, p_purpose,
        coalesce(nullif(btrim(p_topic), ''), v_context #>> '{business,description}', v_context ->> 'name'));

    return jsonb_build_object(
        'customer', jsonb_build_object(
            'customer_id', v_customer.customer_id,
            'external_id', v_customer.external_id,
            'name', v_context ->> 'name',
            'status', v_customer.status
        ),
        'context_version', v_snapshot.context_version,
        'context_valid_from', v_snapshot.valid_from,
        'context_is_current', v_snapshot.valid_to is null,
        'industry', (v_context -> 'industry') || jsonb_build_object(
            'display_name', (select i.display_name from aicrm.industries i
                             where i.industry_category = v_context #>> '{industry,category}')
        ),
        'business', v_context -> 'business',
        'brand_voice', v_context -> 'brand_voice',
        'content_preferences', v_context -> 'content_preferences',
        'contacts', (
            select jsonb_build_object(
                'total', count(*),
                'email_opt_in', count(*) filter (where k.email_opt_in),
                'sms_opt_in', count(*) filter (where k.sms_opt_in),
                -- First name and title only: enough for a sign-off or greeting, no personal data.
                'primary', (array_agg(jsonb_build_object('first_name', k.first_name, 'job_title', k.job_title))
                            filter (where k.is_primary))[1]
            )
            from aicrm.customer_contacts k
            where k.tenant_id = v_customer.tenant_id and k.customer_id = v_customer.customer_id
        ),
        'projects', (
            select jsonb_build_object(
                'active', count(*) filter (where p.status = 'active'),
                'names', coalesce(jsonb_agg(p.name order by p.created_at, p.name) filter (where p.status = 'active'), '[]')
            )
            from aicrm.projects p
            where p.tenant_id = v_customer.tenant_id and p.customer_id = v_customer.customer_id
        ),
        'gaps', v_gaps,
        'template_values', v_values,
        'templates', v_templates,
        -- Only for a profile with gaps: a writer with the facts has no use for stock sentences, and
        -- finding them costs more than the rest of the templates section.
        'industry_phrasing', case when v_gaps <> '[]'::jsonb
                                  then aicrm_private.context_phrasing(v_customer, p_channel, p_purpose, v_values)
                                  else '[]'::jsonb end,
        'examples', v_examples,
        -- The tenant's own terms for this customer (the scorecard checks them): a writer that knows
        -- them avoids a retry.
        'compliance_terms', (
            select coalesce(jsonb_agg(jsonb_build_object('term', t.term, 'kind', t.kind) order by t.kind, t.term), '[]')
            from aicrm.tenant_compliance_terms t
            where t.tenant_id = v_customer.tenant_id and (t.customer_id is null or t.customer_id = v_customer.customer_id)
        ),
        'rules', '[]'::jsonb,
        'learned_patterns', '[]'::jsonb,
        -- what moved effectiveness for this customer (its industry, the tenant): aicrm.what_worked
        'what_worked', aicrm_private.what_worked_for(v_customer.customer_id, p_channel),
        'generated_at', now()
    );
end
$$;

grant execute on function aicrm.get_customer_context_for_ai(uuid, integer, text, text, text) to aicrm_app, aicrm_worker, aicrm_readonly;
