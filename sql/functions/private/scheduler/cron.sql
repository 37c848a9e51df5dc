-- Cron expressions, as pg_cron reads them (Paul Vixie's cron): five fields in UTC, minute (0-59),
-- hour (0-23), day of month (1-31), month (1-12 or jan-dec), day of week (0-7 or sun-sat, 0 and 7
-- both Sunday); each a list of `*`, `n` or `n-m`, the last two optionally with a step (`*/5`,
-- `1-10/2`); and the macros @hourly, @daily, @midnight, @weekly, @monthly, @yearly, @annually.
-- Only what both schedulers read the same way is accepted: pg_cron's `n seconds` and `$` (last day
-- of the month) are refused, so a schedule means the same to pg_cron and to `aicrm scheduler`.
-- A refusal is AC001 naming `schedule`. Part of the scheduler module (sql/README.md): it uses
-- nothing else of aicrm.

-- One field: the sorted values it allows.
create or replace function aicrm_private.cron_field(
    p_text text, p_field text, p_low integer, p_high integer, p_names text[] default null
)
returns integer[]
language plpgsql
immutable
set search_path = ''
as $$
declare
    v_item text;
    v_parts text[];
    v_bounds text[];
    v_low integer;
    v_high integer;
    v_step integer;
    v_values integer[] := '{}';
    v_number integer;
    v_bound text;
    v_i integer;
begin
    foreach v_item in array pg_catalog.string_to_array(p_text, ',') loop
        v_parts := pg_catalog.regexp_match(pg_catalog.lower(v_item), '^(\*|[a-z0-9]+(?:-[a-z0-9]+)?)(?:/([0-9]{1,3}))?$');
        if v_parts is null then
            raise exception using errcode = 'AC001', column = 'schedule',
                message = pg_catalog.format('schedule: %s %L is not *, n or n-m with an optional /step', p_field, v_item),
                hint = 'Five fields in UTC: minute hour day-of-month month day-of-week, e.g. ''*/5 * * * *''.';
        end if;
        if v_parts[1] = '*' then
            v_low := p_low;
            v_high := p_high;
        else
            v_bounds := pg_catalog.string_to_array(v_parts[1], '-');
            for v_i in 1 .. pg_catalog.cardinality(v_bounds) loop
                v_bound := v_bounds[v_i];
                if v_bound ~ '^[0-9]{1,2}$' then
                    v_number := v_bound::integer;
                elsif p_names is not null and v_bound = any(p_names) then
                    v_number := pg_catalog.array_position(p_names, v_bound) - 1 + p_low;
                else
                    raise exception using errcode = 'AC001', column = 'schedule',
                        message = pg_catalog.format('schedule: %s %L is not a number%s', p_field, v_bound,
                            case when p_names is null then '' else ' or a three-letter name' end),
                        hint = pg_catalog.format('The %s is %s to %s.', p_field, p_low, p_high);
                end if;
                if v_number not between p_low and p_high then
                    raise exception using errcode = 'AC001', column = 'schedule',
                        message = pg_catalog.format('schedule: %s %s is outside %s-%s', p_field, v_number, p_low, p_high),
                        hint = pg_catalog.format('The %s is %s to %s.', p_field, p_low, p_high);
                end if;
                if v_i = 1 then
                    v_low := v_number;
                end if;
                v_high := v_number;
            end loop;
            if v_low > v_high then
                raise exception using errcode = 'AC001', column = 'schedule',
                    message = pg_catalog.format('schedule: %s range %s goes backwards', p_field, v_parts[1]),
                    hint = 'Write the range from low to high; a list (a,b) covers a wrap-around.';
            end if;
            -- As in Vixie cron, a step follows `*` or a range, not a single number.
            if v_parts[2] is not null and pg_catalog.cardinality(v_bounds) = 1 then
                raise exception using errcode = 'AC001', column = 'schedule',
                    message = pg_catalog.format('schedule: %s %L has a step but no range', p_field, v_item),
                    hint = pg_catalog.format('Write %s-%s/%s, or */%s.', v_low, p_high, v_parts[2], v_parts[2]);
            end if;
        end if;
        v_step := coalesce(v_parts[2]::integer, 1);
        if v_step not between 1 and p_high then
            raise exception using errcode = 'AC001', column = 'schedule',
                message = pg_catalog.format('schedule: %s step %s is outside 1-%s', p_field, v_step, p_high),
                hint = 'A step of 1 is every value.';
        end if;
        v_values := v_values || array(select pg_catalog.generate_series(v_low, v_high, v_step));
    end loop;
    return array(select distinct v from pg_catalog.unnest(v_values) as v order by v);
end
$$;

-- The whole expression: the values each field allows, and whether the two day fields start with
-- `*` (then a day must match both; when both are restricted, either one is enough: cron's rule).
create or replace function aicrm_private.cron_parse(
    p_schedule text,
    out minutes integer[],
    out hours integer[],
    out days integer[],
    out months integer[],
    out weekdays integer[],
    out any_day boolean,
    out any_weekday boolean
)
language plpgsql
immutable
set search_path = ''
as $$
declare
    v_text text := pg_catalog.lower(pg_catalog.btrim(coalesce(p_schedule, '')));
    v_fields text[];
begin
    v_text := case v_text
        when '@yearly' then '0 0 1 1 *'
        when '@annually' then '0 0 1 1 *'
        when '@monthly' then '0 0 1 * *'
        when '@weekly' then '0 0 * * 0'
        when '@daily' then '0 0 * * *'
        when '@midnight' then '0 0 * * *'
        when '@hourly' then '0 * * * *'
        else v_text
    end;
    if v_text = '' then
        raise exception using errcode = 'AC001', column = 'schedule', message = 'schedule: is required',
            hint = 'Five fields in UTC: minute hour day-of-month month day-of-week, e.g. ''*/5 * * * *''.';
    end if;
    v_fields := pg_catalog.regexp_split_to_array(v_text, '\s+');
    if pg_catalog.cardinality(v_fields) <> 5 then
        raise exception using errcode = 'AC001', column = 'schedule',
            message = pg_catalog.format('schedule: %L has %s fields, not 5', p_schedule, pg_catalog.cardinality(v_fields)),
            hint = 'Five fields in UTC: minute hour day-of-month month day-of-week, e.g. ''*/5 * * * *''; '
                || 'pg_cron''s ''n seconds'' is not supported.';
    end if;
    minutes := aicrm_private.cron_field(v_fields[1], 'minute', 0, 59);
    hours := aicrm_private.cron_field(v_fields[2], 'hour', 0, 23);
    days := aicrm_private.cron_field(v_fields[3], 'day of month', 1, 31);
    months := aicrm_private.cron_field(v_fields[4], 'month', 1, 12,
        array['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec']);
    -- 7 is Sunday too; stored as 0, as extract(dow) counts.
    weekdays := array(
        select distinct d % 7 from pg_catalog.unnest(aicrm_private.cron_field(v_fields[5], 'day of week', 0, 7,
            array['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'])) as d order by 1
    );
    any_day := v_fields[3] like '*%';
    any_weekday := v_fields[5] like '*%';
end
$$;

-- The minutes in (p_after, p_until] that the schedule matches, in order. Callers bound the span
-- (aicrm.due_job_ticks looks back one day at most): it is walked minute by minute.
create or replace function aicrm_private.cron_ticks(p_schedule text, p_after timestamptz, p_until timestamptz)
returns setof timestamptz
language sql
stable
set search_path = ''
as $$
    select t.tick
    from aicrm_private.cron_parse(p_schedule) as c,
        pg_catalog.generate_series(
            pg_catalog.date_trunc('minute', p_after, 'UTC') + interval '1 minute', p_until, interval '1 minute'
        ) as t (tick),
        lateral (select t.tick at time zone 'UTC' as utc) as u
    where extract(minute from u.utc)::integer = any(c.minutes)
        and extract(hour from u.utc)::integer = any(c.hours)
        and extract(month from u.utc)::integer = any(c.months)
        and case
            when c.any_day or c.any_weekday
                then extract(day from u.utc)::integer = any(c.days) and extract(dow from u.utc)::integer = any(c.weekdays)
            else extract(day from u.utc)::integer = any(c.days) or extract(dow from u.utc)::integer = any(c.weekdays)
        end
    order by t.tick
$$;

-- Whether the schedule matches the minute p_at falls in (UTC). A bad schedule is refused (AC001).
create or replace function aicrm_private.cron_matches(p_schedule text, p_at timestamptz)
returns boolean
language sql
stable
set search_path = ''
as $$
    select case when p_at is not null then exists (
        select from aicrm_private.cron_ticks(p_schedule, pg_catalog.date_trunc('minute', p_at, 'UTC') - interval '1 minute', p_at)
    ) end
$$;
