-- How long a job keeps what it prunes: the setting p_name (an interval of at least a day, e.g.
-- `alter database aicrm set aicrm.job_runs_retention = '90 days'`), or p_default when it is unset.
-- AC001 naming the setting when it is not such an interval. Part of the scheduler module (no
-- dependency on the rest of the schema); the pruning jobs of other modules use it too.
create or replace function aicrm_private.retention_setting(p_name text, p_default interval)
returns interval
language plpgsql
stable
set search_path = ''
as $$
declare
    v_setting text := nullif(pg_catalog.btrim(pg_catalog.current_setting(p_name, true)), '');
    v_keep interval;
begin
    if v_setting is null then
        return p_default;
    end if;
    begin
        v_keep := v_setting::interval;
    exception when others then
        v_keep := null;
    end;
    if v_keep is null or v_keep < interval '1 day' then
        raise exception using errcode = 'AC001', column = p_name,
            message = pg_catalog.format('%s: %L is not an interval of at least 1 day', p_name, v_setting),
            hint = pg_catalog.format('For example ''%s''; unset, it is %s.', p_default, p_default);
    end if;
    return v_keep;
end
$$;
