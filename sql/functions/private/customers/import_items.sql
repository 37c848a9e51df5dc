-- Import of existing customers (customers/import_customers.sql): the rows of a call as the runner
-- sends them.

-- The line of an item {"line": n, "data": {...}} as the runner sends it; null for a plain row
-- (whose columns may well include one named "line").
create or replace function aicrm_private.import_item_line(p_item jsonb)
returns integer
language sql
immutable
set search_path = ''
as $$
    select case when jsonb_typeof(p_item) = 'object' then
        case when p_item - 'line' - 'data' = '{}' and jsonb_typeof(p_item -> 'line') = 'number'
                  and p_item ? 'data' and (p_item ->> 'line') ~ '^[1-9][0-9]{0,8}$'
             then (p_item ->> 'line')::integer end
    end
$$;

grant execute on function aicrm_private.import_item_line(jsonb) to aicrm_app;

-- The rows of a call with their lines and their data, in the order given.
create or replace function aicrm_private.import_items(p_rows jsonb)
returns table (item_no bigint, line integer, data jsonb)
language sql
immutable
set search_path = ''
as $$
    select e.n, coalesce(aicrm_private.import_item_line(e.item), e.n::integer),
        case when aicrm_private.import_item_line(e.item) is not null then e.item -> 'data' else e.item end
    from jsonb_array_elements(p_rows) with ordinality e(item, n)
$$;

grant execute on function aicrm_private.import_items(jsonb) to aicrm_app;
