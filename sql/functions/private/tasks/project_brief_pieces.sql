-- The checks of a brief's proposed pieces (create_project_brief): every piece of every channel the
-- brief counts planned exactly once, each due from p_starts to p_ends, its key points the brief's.
-- AC001 naming brief.pieces[i].<field> (or brief.pieces for a piece not planned).
create or replace function aicrm_private.check_brief_pieces(p_brief jsonb, p_starts date, p_ends date)
returns void
language plpgsql
stable
set search_path = ''
as $$
declare
    v_item record;
    v_field text;
    v_due date;
    v_missing record;
    v_point record;
begin
    for v_item in
        select x.value as piece, x.ordinality - 1 as i,
               count(*) over (partition by x.value ->> 'channel', x.value -> 'piece') as times
        from jsonb_array_elements(p_brief -> 'pieces') with ordinality as x
        order by x.ordinality
    loop
        v_field := format('brief.pieces[%s]', v_item.i);
        if not p_brief -> 'channels' ? (v_item.piece ->> 'channel') then
            raise exception using errcode = 'AC001', column = v_field || '.channel',
                message = format('%s.channel: %s is not one of the brief''s channels', v_field, v_item.piece ->> 'channel'),
                hint = 'Plan the channels the brief counts, no other.';
        end if;
        if (v_item.piece ->> 'piece')::integer > (p_brief -> 'channels' ->> (v_item.piece ->> 'channel'))::integer then
            raise exception using errcode = 'AC001', column = v_field || '.piece',
                message = format('%s.piece: the brief counts %s %s pieces, not %s', v_field,
                    p_brief -> 'channels' ->> (v_item.piece ->> 'channel'), v_item.piece ->> 'channel',
                    v_item.piece ->> 'piece');
        end if;
        if v_item.times > 1 then
            raise exception using errcode = 'AC001', column = v_field || '.piece',
                message = format('%s.piece: %s piece %s is planned %s times', v_field, v_item.piece ->> 'channel',
                    v_item.piece ->> 'piece', v_item.times);
        end if;
        begin
            v_due := (v_item.piece ->> 'due_on')::date;
        exception when datetime_field_overflow or invalid_datetime_format then
            raise exception using errcode = 'AC001', column = v_field || '.due_on',
                message = format('%s.due_on: %s is not a date', v_field, v_item.piece ->> 'due_on');
        end;
        if v_due not between p_starts and p_ends then
            raise exception using errcode = 'AC001', column = v_field || '.due_on',
                message = format('%s.due_on: %s is not from starts_on (%s) to ends_on (%s)', v_field, v_due,
                    p_starts, p_ends);
        end if;
        select k.value, k.ordinality - 1 as j into v_point
        from jsonb_array_elements_text(coalesce(v_item.piece -> 'key_points', '[]')) with ordinality as k
        where not coalesce(p_brief -> 'key_points', '[]') ? k.value
        order by k.ordinality limit 1;
        if found then
            raise exception using errcode = 'AC001', column = format('%s.key_points[%s]', v_field, v_point.j),
                message = format('%s.key_points[%s]: %s is not one of the brief''s key points', v_field, v_point.j,
                    v_point.value),
                hint = 'A plan chooses among the brief''s key points; it adds no facts of its own.';
        end if;
    end loop;
    select c.key as channel, n.n into v_missing
    from jsonb_each(p_brief -> 'channels') as c
    cross join lateral generate_series(1, c.value::integer) as n (n)
    where not exists (
        select from jsonb_array_elements(p_brief -> 'pieces') as x
        where x.value ->> 'channel' = c.key and (x.value ->> 'piece')::integer = n.n
    )
    order by c.key, n.n limit 1;
    if found then
        raise exception using errcode = 'AC001', column = 'brief.pieces',
            message = format('brief.pieces: %s piece %s of %s is not planned', v_missing.channel, v_missing.n,
                p_brief -> 'channels' ->> v_missing.channel),
            hint = 'Plan every piece the brief''s channels count, each once.';
    end if;
end
$$;

revoke execute on function aicrm_private.check_brief_pieces(jsonb, date, date) from public;
grant execute on function aicrm_private.check_brief_pieces(jsonb, date, date) to aicrm_app;
