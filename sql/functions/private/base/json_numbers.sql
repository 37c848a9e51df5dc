-- Numbers read from JSON that clients write freely (a draft's provenance: any worker, the runner's
-- or someone else's, may put anything there). A value that is not what is asked for is null, never
-- an error, so one bad row cannot make a report (aicrm.task_costs, aicrm.llm_usage_daily) fail.
-- LANGUAGE sql without SET so the planner inlines them; each cast sits in a CASE branch whose
-- condition has tested the value first, because AND does not fix the order of evaluation.

-- An amount: a JSON number >= 0 (cost, latency), else null (absent, null, a string, negative).
create or replace function aicrm_private.json_amount(p_value jsonb)
returns numeric
language sql
immutable
parallel safe
as $$
    select case when jsonb_typeof(p_value) = 'number' then
        case when p_value::numeric >= 0 then p_value::numeric end
    end
$$;

-- A count: a whole JSON number from 0 to 10^12 (tokens), else null. The bound keeps the value,
-- and sums of millions of them, inside bigint.
create or replace function aicrm_private.json_count(p_value jsonb)
returns bigint
language sql
immutable
parallel safe
as $$
    select case when jsonb_typeof(p_value) = 'number' then
        case when p_value::numeric between 0 and 1e12 and p_value::numeric = trunc(p_value::numeric)
            then p_value::numeric::bigint end
    end
$$;

grant execute on function aicrm_private.json_amount(jsonb), aicrm_private.json_count(jsonb)
to aicrm_app, aicrm_worker, aicrm_readonly;
