-- Content templates: rendering by pure substitution, and a text without its gaps.

-- Substitutes every {{name}} with its value in one pass, so a value that itself contains "{{...}}"
-- stays literal text; merge tags stay as they are; a placeholder without a value becomes empty
-- text (render_template reports it).
create or replace function aicrm_private.fill_template(p_text text, p_values jsonb)
returns text
language sql
stable
set search_path = ''
as $$
    select string_agg(x.part, '' order by x.ord)
    from (
        select 2 * s.ord - 1 as ord, s.piece as part
        from regexp_split_to_table(p_text, '\{\{\s*[a-z_]+\s*\}\}') with ordinality as s (piece, ord)
        union all
        select 2 * m.ord, case when p.merge_tag then m.found[1] else coalesce(p_values ->> m.found[2], '') end
        from regexp_matches(p_text, '(\{\{\s*([a-z_]+)\s*\}\})', 'g') with ordinality as m (found, ord)
        left join aicrm_private.template_placeholders() p on p.name = m.found[2]
    ) x
$$;

grant execute on function aicrm_private.fill_template(text, jsonb) to aicrm_app, aicrm_worker, aicrm_readonly;

-- A filled text without its gaps: every sentence that holds the gap mark (U+E000, put where a
-- placeholder had no value) is left out, and the whole paragraph when its first sentence holds
-- one (the rest of it is about what is missing), so "Why it's worth the trip: ." is never
-- written. Paragraphs are separated by blank lines; a sentence ends with . ! or ? before a space.
create or replace function aicrm_private.without_gaps(p_marked text)
returns text
language plpgsql
immutable
parallel safe
set search_path = ''
as $$
declare
    v_paragraphs text[] := '{}';
    v_paragraph text;
    v_lines text[];
    v_line text;
    v_sentences text[];
    v_sentence text;
    v_first boolean;
begin
    if strpos(p_marked, chr(57344)) = 0 then
        return p_marked;  -- nothing missing: the text as it is
    end if;
    <<paragraphs>>
    foreach v_paragraph in array regexp_split_to_array(btrim(p_marked, E' \t\r\n'), '\n\s*\n') loop
        v_lines := '{}';
        v_first := true;
        foreach v_line in array string_to_array(v_paragraph, E'\n') loop
            v_sentences := '{}';
            foreach v_sentence in array regexp_split_to_array(v_line, '(?<=[.!?])[ \t]+') loop
                continue when v_sentence !~ '\S';
                if strpos(v_sentence, chr(57344)) > 0 then
                    continue paragraphs when v_first;  -- the paragraph is about what is missing
                else
                    v_sentences := v_sentences || v_sentence;
                end if;
                v_first := false;
            end loop;
            if cardinality(v_sentences) > 0 then
                v_lines := v_lines || array_to_string(v_sentences, ' ');
            end if;
        end loop;
        if cardinality(v_lines) > 0 then
            v_paragraphs := v_paragraphs || array_to_string(v_lines, E'\n');
        end if;
    end loop;
    return array_to_string(v_paragraphs, E'\n\n');
end
$$;

grant execute on function aicrm_private.without_gaps(text) to aicrm_app, aicrm_worker, aicrm_readonly;

-- A subject and body rendered with the values: {subject, body, missing} as render_template
-- returns them and, when something is missing, {subject_without_gaps, body_without_gaps}: the same
-- text without the sentences that had an empty placeholder (see without_gaps; the subject null
-- when it had one), for writers that must not send a hole. One fill per text: the gaps are
-- marked, then the marks removed.
create or replace function aicrm_private.render_template_text(p_subject text, p_body text, p_values jsonb)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
    v_marked jsonb;
    v_subject text;
    v_body text;
    v_result jsonb;
begin
    -- plpgsql, not sql: its plans are kept for the session, and the context renders a dozen texts.
    select jsonb_object_agg(p.name, case when nullif(btrim(replace(p_values ->> p.name, chr(57344), '')), '') is null
                                         then chr(57344) else replace(p_values ->> p.name, chr(57344), '') end)
    into v_marked
    from aicrm_private.template_placeholders() p
    where not p.merge_tag;
    v_subject := aicrm_private.fill_template(p_subject, v_marked);
    v_body := aicrm_private.fill_template(p_body, v_marked);
    v_result := jsonb_build_object(
        'subject', replace(v_subject, chr(57344), ''),
        'body', replace(v_body, chr(57344), ''),
        'missing', to_jsonb(array(
            select distinct m[1]
            from regexp_matches(concat_ws(E'\n', p_subject, p_body), '\{\{\s*([a-z_]+)\s*\}\}', 'g') as m
            where v_marked ->> m[1] = chr(57344)
            order by 1)));
    if strpos(concat(v_subject, v_body), chr(57344)) > 0 then
        v_result := v_result || jsonb_build_object(
            'subject_without_gaps', case when strpos(v_subject, chr(57344)) = 0 then v_subject end,
            'body_without_gaps', aicrm_private.without_gaps(v_body));
    end if;
    return v_result;
end
$$;

grant execute on function aicrm_private.render_template_text(text, text, jsonb) to aicrm_app, aicrm_worker, aicrm_readonly;
