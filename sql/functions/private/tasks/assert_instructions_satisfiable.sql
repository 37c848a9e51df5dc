-- create_content_task (tasks/create_content_task.sql): what the instructions' schema cannot say.

-- What the instructions' schema cannot say, and a draft could never satisfy: a minimum word
-- count above the maximum, a term both required and forbidden (compared as the scorecard reads
-- terms: trimmed, case-insensitive). p_instructions is valid against task.ai_instructions.
create or replace function aicrm_private.assert_instructions_satisfiable(p_instructions jsonb, p_field text)
returns void
language plpgsql
immutable
set search_path = ''
as $$
declare
    v_min numeric := (p_instructions #>> '{output_length,min_words}')::numeric;
    v_max numeric := (p_instructions #>> '{output_length,max_words}')::numeric;
    v_term record;
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
end
$$;

grant execute on function aicrm_private.assert_instructions_satisfiable(jsonb, text) to aicrm_app;
