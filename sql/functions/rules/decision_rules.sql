-- Decision rules: saving (checked, compiled, versioned), settings, defaults, and the plan's
-- get_decision_rules(). Decisions themselves are in evaluate_decision.sql; the triggers that check,
-- compile, version and keep the history of a rule are in private/rules/rule_triggers.sql.

create or replace function aicrm.get_decision_settings()
returns jsonb
language sql
stable
set search_path = ''
as $$
    select coalesce(jsonb_object_agg(d.setting_key, coalesce(s.value, d.value)), '{}')
    from aicrm.decision_setting_defaults d
    left join aicrm.ai_decision_settings s
        on s.tenant_id = aicrm_private.require_tenant() and s.setting_key = d.setting_key
$$;

create or replace function aicrm.set_decision_setting(p_key text, p_value jsonb)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
    v_tenant uuid := aicrm_private.require_tenant();
begin
    insert into aicrm.ai_decision_settings (tenant_id, setting_key, value)
    values (v_tenant, p_key, coalesce(p_value, 'null'))
    on conflict (tenant_id, setting_key) do update set value = excluded.value, updated_at = now()
    where ai_decision_settings.value is distinct from excluded.value;
    return aicrm.get_decision_settings();
end
$$;

-- Creates a rule, or updates the one named by p_rule_id (else by name) with the fields given.
-- Returns {rule_id, version, created, changed}.
create or replace function aicrm.upsert_decision_rule(p_rule jsonb, p_rule_id uuid default null)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
    v_tenant uuid := aicrm_private.require_tenant();
    v_old aicrm.ai_decision_rules;
    v_new aicrm.ai_decision_rules;
begin
    perform aicrm_private.assert_json_valid('api.decision_rule', p_rule);
    if p_rule_id is not null then
        select * into v_old from aicrm.ai_decision_rules r where r.tenant_id = v_tenant and r.rule_id = p_rule_id;
        if not found then
            raise exception using errcode = 'AC002', message = format('rule_id: no rule %s in this tenant', p_rule_id),
                hint = 'List rules with: select rule_id, name from aicrm.ai_decision_rules;', column = 'rule_id';
        end if;
    elsif p_rule ? 'name' then
        select * into v_old from aicrm.ai_decision_rules r where r.tenant_id = v_tenant and r.name = p_rule ->> 'name';
    end if;
    if v_old.rule_id is null then
        if not (p_rule ? 'name' and p_rule ? 'category' and p_rule ? 'condition' and p_rule ? 'action') then
            raise exception using errcode = 'AC001',
                message = format('%s: is required to create a rule', (
                    select f from unnest(array['name', 'category', 'condition', 'action']) f where not p_rule ? f limit 1)),
                hint = 'A new rule needs name, category, condition and action.',
                column = (select f from unnest(array['name', 'category', 'condition', 'action']) f where not p_rule ? f limit 1);
        end if;
        v_new := jsonb_populate_record(null::aicrm.ai_decision_rules, aicrm_private.insert_row_from_json(
            'aicrm.ai_decision_rules', p_rule || jsonb_build_object('tenant_id', v_tenant)));
        return jsonb_build_object('rule_id', v_new.rule_id, 'version', v_new.version, 'created', true, 'changed', true);
    end if;
    v_new := jsonb_populate_record(v_old, p_rule);
    update aicrm.ai_decision_rules r set
        name = v_new.name, description = v_new.description, category = v_new.category, priority = v_new.priority,
        condition = v_new.condition, action = v_new.action, customer_id = v_new.customer_id,
        channel = v_new.channel, task_type = v_new.task_type, active = v_new.active
    where r.tenant_id = v_tenant and r.rule_id = v_old.rule_id
    returning * into v_new;
    return jsonb_build_object('rule_id', v_new.rule_id, 'version', v_new.version, 'created', false,
        'changed', v_new.version <> v_old.version);
end
$$;

-- Copies the deployment's default rules and settings into the current tenant (those it lacks,
-- by name); create_tenant calls it. Returns how many rules were added.
create or replace function aicrm.install_default_decision_rules()
returns integer
language plpgsql
set search_path = ''
as $$
declare
    v_tenant uuid := aicrm_private.require_tenant();
    v_added integer;
begin
    insert into aicrm.ai_decision_rules (tenant_id, name, description, category, priority, condition, action)
    select v_tenant, d.name, d.description, d.category, d.priority, d.condition, d.action
    from aicrm.decision_rule_defaults d
    where not exists (select from aicrm.ai_decision_rules r where r.tenant_id = v_tenant and r.name = d.name);
    get diagnostics v_added = row_count;
    return v_added;
end
$$;

-- The rules that apply to a decision with this scope, in the order they are evaluated: by
-- category (escalation, retry, approval, then selection and routing), then priority (lowest
-- first), then name. A rule narrowed to a customer, channel or task type applies only to
-- decisions with that value; a NULL argument means the decision has none.
create or replace function aicrm.get_decision_rules(
    p_category text default null,
    p_customer_id uuid default null,
    p_channel text default null,
    p_task_type text default null
)
returns setof aicrm.ai_decision_rules
language sql
stable
set search_path = ''
as $$
    select r.*
    from aicrm.ai_decision_rules r
    where r.tenant_id = aicrm_private.require_tenant()
      and r.active
      and (p_category is null or r.category = p_category)
      and (r.customer_id is null or r.customer_id = p_customer_id)
      and (r.channel is null or r.channel = p_channel)
      and (r.task_type is null or r.task_type = p_task_type)
    order by array_position(array['escalation', 'retry', 'approval', 'selection', 'routing'], r.category),
             r.priority, r.name
$$;

grant execute on function aicrm.get_decision_settings(), aicrm.get_decision_rules(text, uuid, text, text)
to aicrm_app, aicrm_worker, aicrm_readonly;
grant execute on function aicrm.set_decision_setting(text, jsonb), aicrm.upsert_decision_rule(jsonb, uuid),
    aicrm.install_default_decision_rules()
to aicrm_app;
