-- Content templates (docs/templates.md): render_template, a template rendered for a customer by
-- pure substitution. Placeholders checked when saved, the values and the rendering:
-- private/knowledge/template_*.sql.

-- A template rendered for a customer: {template_id, name, version, variant, subject, body,
-- missing, customer_id, context_version}, and subject_without_gaps and body_without_gaps when
-- something is missing (render_template_text). Pure
-- substitution: no expression is evaluated and nothing but the customer's own business context is
-- read.
create or replace function aicrm.render_template(p_template_id uuid, p_customer_id uuid, p_variant text default null)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
    v_tenant uuid := aicrm_private.require_tenant();
    v_template aicrm.content_templates;
    v_variant jsonb;
    v_values jsonb;
begin
    select * into v_template from aicrm.content_templates t where t.tenant_id = v_tenant and t.template_id = p_template_id;
    if not found then
        raise exception using errcode = 'AC002', message = format('template_id: no template %s in this tenant', p_template_id),
            hint = 'List templates with: select template_id, name from aicrm.content_templates;', column = 'template_id';
    end if;
    v_values := aicrm_private.template_values(p_customer_id);
    if v_values is null then
        raise exception using errcode = 'AC002', message = format('customer_id: no customer %s in this tenant', p_customer_id),
            hint = 'Pass the id of a customer of this tenant.', column = 'customer_id';
    end if;
    if p_variant is not null then
        select v into v_variant from jsonb_array_elements(v_template.variants) v where v ->> 'key' = p_variant;
        if v_variant is null then
            raise exception using errcode = 'AC002', message = format('variant: the template has no variant %L', p_variant),
                hint = format('Variants: %s.', coalesce((select string_agg(v ->> 'key', ', ')
                    from jsonb_array_elements(v_template.variants) v), 'none')),
                column = 'variant';
        end if;
    end if;
    return jsonb_build_object(
        'template_id', v_template.template_id, 'name', v_template.name, 'version', v_template.version,
        'variant', p_variant, 'channel', v_template.channel, 'purpose', v_template.purpose,
        'customer_id', p_customer_id,
        'context_version', (select c.context_version from aicrm.customers c
                            where c.tenant_id = v_tenant and c.customer_id = p_customer_id))
        || aicrm_private.render_template_text(coalesce(v_variant ->> 'subject', v_template.subject),
                                              coalesce(v_variant ->> 'body', v_template.body), v_values);
end
$$;

grant execute on function aicrm.render_template(uuid, uuid, text) to aicrm_app, aicrm_worker, aicrm_readonly;
