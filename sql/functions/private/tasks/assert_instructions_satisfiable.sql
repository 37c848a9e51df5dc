-- create_content_task (tasks/create_content_task.sql): what the instructions' schema cannot say.

-- What the instructions' schema cannot say, and a draft could never satisfy: a minimum word
-- count above the maximum, a term both required and forbidden, a key point also forbidden or a
-- topic to avoid (compared as the scorecard reads terms: trimmed, case-insensitive), an offer that
-- has ended, an event that has happened, a date that does not exist. p_instructions is valid
-- against task.ai_instructions. Stable: "in the past" reads the clock.
create or replace function aicrm_private.assert_instructions_satisfiable(p_instructions jsonb, p_field text)
returns void
language plpgsql
stable
set search_path = ''
as $$
declare
    v_min numeric := (p_instructions #>> '{output_length,min_words}')::numeric;
    v_max numeric := (p_instructions #>> '{output_length,max_words}')::numeric;
    v_term record;
    v_date date;
    v_starts timestamptz;
begin
    if v_min > v_max then
        raise exception using errcode = 'AC001',
            message = format('%s.output_length.min_words: %s is more than max_words (%s)', p_field, v_min, v_max),
            hint = 'No draft can be both: make min_words at most max_words.',
            column = p_field || '.output_length.min_words';
    end if;
    select x.term, x.ord - 1 as idx into v_term
    from jsonb_array_elements_text(coalesce(p_instructions -> 'must_not_include', '[]')) with ordinality x (term, ord)
    where lower(btrim(x.term)) in (
        select lower(btrim(i)) from jsonb_array_elements_text(coalesce(p_instructions -> 'must_include', '[]')) i)
    order by x.ord
    limit 1;
    if found then
        raise exception using errcode = 'AC001',
            message = format('%s.must_not_include[%s]: %L is also in must_include', p_field, v_term.idx, v_term.term),
            hint = 'No draft can both include and avoid a term: keep it in one of the two lists.',
            column = format('%s.must_not_include[%s]', p_field, v_term.idx);
    end if;
    -- A key point the draft must convey that it must also avoid.
    select x.term, x.ord - 1 as idx, x.list into v_term
    from (
        select k.term, k.ord, 'must_not_include' as list
        from jsonb_array_elements_text(coalesce(p_instructions -> 'key_points', '[]')) with ordinality k (term, ord)
        where exists (select from jsonb_array_elements_text(coalesce(p_instructions -> 'must_not_include', '[]')) n
                      where lower(btrim(n)) = lower(btrim(k.term)))
        union all
        select k.term, k.ord, 'avoid_topics'
        from jsonb_array_elements_text(coalesce(p_instructions -> 'key_points', '[]')) with ordinality k (term, ord)
        where exists (select from jsonb_array_elements_text(coalesce(p_instructions -> 'avoid_topics', '[]')) a
                      where lower(btrim(a)) = lower(btrim(k.term)))
    ) as x
    order by x.ord
    limit 1;
    if found then
        raise exception using errcode = 'AC001',
            message = format('%s.key_points[%s]: %L is also in %s', p_field, v_term.idx, v_term.term, v_term.list),
            hint = 'No draft can both convey and avoid it: keep it in one of the two lists.',
            column = format('%s.key_points[%s]', p_field, v_term.idx);
    end if;
    -- Dates: real ones (the schema checks their shape), and not already past.
    if p_instructions #>> '{offer,valid_until}' is not null then
        begin
            v_date := (p_instructions #>> '{offer,valid_until}')::date;
        exception when others then
            raise exception using errcode = 'AC001',
                message = format('%s.offer.valid_until: %L is not a date', p_field, p_instructions #>> '{offer,valid_until}'),
                hint = 'A date such as 2027-03-31.', column = p_field || '.offer.valid_until';
        end;
        if v_date < current_date then
            raise exception using errcode = 'AC001',
                message = format('%s.offer.valid_until: %s is in the past', p_field, v_date),
                hint = 'An offer that has ended cannot be promoted: give its new end date, or no offer.',
                column = p_field || '.offer.valid_until';
        end if;
    end if;
    if p_instructions #>> '{event,starts_at}' is not null then
        begin
            v_starts := (p_instructions #>> '{event,starts_at}')::timestamptz;
        exception when others then
            raise exception using errcode = 'AC001',
                message = format('%s.event.starts_at: %L is not a date or time', p_field,
                                 p_instructions #>> '{event,starts_at}'),
                hint = 'A date or date and time such as 2027-05-14T18:00.', column = p_field || '.event.starts_at';
        end;
        if v_starts < date_trunc('day', now()) then
            raise exception using errcode = 'AC001',
                message = format('%s.event.starts_at: %s is in the past', p_field, p_instructions #>> '{event,starts_at}'),
                hint = 'Content cannot invite people to an event that has happened: give its date from today on.',
                column = p_field || '.event.starts_at';
        end if;
    end if;
end
$$;

grant execute on function aicrm_private.assert_instructions_satisfiable(jsonb, text) to aicrm_app;
