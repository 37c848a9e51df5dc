-- JSON Logic in SQL: apply a rule to data with the reference interpreter.
create or replace function aicrm.jsonlogic_apply(p_rule jsonb, p_data jsonb default null)
returns jsonb
language plpgsql
as $$
begin
    if octet_length(p_rule::text) > 65536 then
        raise exception using errcode = 'AC011',
            message = format('rule: %s bytes, more than 64 KiB', octet_length(p_rule::text)),
            hint = 'Split the rule into several smaller rules.';
    end if;
    perform set_config('aicrm.jl_budget', '100000', true);
    return coalesce(aicrm_private.jl_eval(p_rule, coalesce(p_data, 'null')), 'null');
end
$$;

grant execute on function aicrm.jsonlogic_apply(jsonb, jsonb) to aicrm_app, aicrm_worker, aicrm_readonly;
