-- Compliance (check_compliance.sql): where a pattern matches, the words around it, a finding's shape.

-- Every match of a pattern (case-insensitive) as 0-based [start, end) character offsets. One pass:
-- the matches (regexp_matches) and the text between them (regexp_split_to_array) give the offsets;
-- regexp_instr would rescan the rest of the text for every match (quadratic on a long draft).
create or replace function aicrm_private.compliance_spans(p_text text, p_pattern text, p_limit integer default 50)
returns table (span_start integer, span_end integer, span_text text)
language plpgsql
immutable
parallel safe
set search_path = ''
as $$
declare
    v_matches text[];
    v_pieces text[];
    v_pos integer := 0;
    v_from integer := 1;
    v_at integer;
    v_end integer;
begin
    if p_text is null or p_pattern is null then
        return;
    end if;
    -- One pattern string for both calls: PostgreSQL caches compiled regexes by their text.
    p_pattern := '(' || p_pattern || ')';
    select coalesce(array_agg(m[1] order by o), '{}') into v_matches
    from regexp_matches(p_text, p_pattern, 'gi') with ordinality r (m, o);
    v_pieces := regexp_split_to_array(p_text, p_pattern, 'i');
    if cardinality(v_pieces) = cardinality(v_matches) + 1 and '' <> all(v_matches) then
        for i in 1 .. least(cardinality(v_matches), p_limit) loop
            v_pos := v_pos + char_length(v_pieces[i]);
            span_start := v_pos;
            span_end := v_pos + char_length(v_matches[i]);
            span_text := v_matches[i];
            return next;
            v_pos := span_end;
        end loop;
        return;
    end if;
    -- A pattern that can match the empty string: walk the text match by match.
    for i in 1 .. p_limit loop
        v_at := regexp_instr(p_text, p_pattern, v_from, 1, 0, 'i');
        exit when v_at = 0;
        v_end := regexp_instr(p_text, p_pattern, v_from, 1, 1, 'i');
        if v_end > v_at then
            span_start := v_at - 1;
            span_end := v_end - 1;
            span_text := substr(p_text, v_at, v_end - v_at);
            return next;
        end if;
        v_from := greatest(v_end, v_at + 1);
        exit when v_from > char_length(p_text);
    end loop;
end
$$;

grant execute on function aicrm_private.compliance_spans(text, text, integer) to aicrm_app, aicrm_worker;

-- The words around a span, for a reviewer to see the offending text in context.
create or replace function aicrm_private.compliance_evidence(p_text text, p_start integer, p_end integer)
returns text
language sql
immutable
parallel safe
set search_path = ''
as $$
    select case when p_start > 40 then '…' else '' end
        || regexp_replace(substr(p_text, greatest(p_start - 40, 0) + 1, p_end - greatest(p_start - 40, 0) + 40),
                          '\s+', ' ', 'g')
        || case when p_end + 40 < char_length(p_text) then '…' else '' end
$$;

grant execute on function aicrm_private.compliance_evidence(text, integer, integer) to aicrm_app, aicrm_worker;

-- One finding, in the scorecard's shape; a missing element has no span.
create or replace function aicrm_private.compliance_violation(
    p_pack text, p_rule text, p_severity text, p_field text, p_start integer, p_end integer, p_text text,
    p_message text, p_evidence text, p_fix text
)
returns jsonb
language sql
immutable
parallel safe
set search_path = ''
as $$
    select jsonb_build_object(
        'pack', p_pack, 'rule', p_rule, 'severity', p_severity, 'field', p_field,
        'span', case when p_start is not null
                     then jsonb_build_object('start', p_start, 'end', p_end, 'text', p_text) end,
        'message', p_message, 'evidence', p_evidence, 'fix', p_fix)
$$;

grant execute on function aicrm_private.compliance_violation(text, text, text, text, integer, integer, text, text, text, text)
to aicrm_app, aicrm_worker;

-- What a missing element's finding adds when the customer's profile lacks what the element needs
-- (p_field, e.g. address.street): no rewrite can fix it, the profile must be completed first.
create or replace function aicrm_private.compliance_profile_gap(p_field text)
returns jsonb
language sql
immutable
parallel safe
set search_path = ''
as $$
    select case when p_field is null then '{}'::jsonb else jsonb_build_object(
        'fixable', false, 'profile_gap', p_field,
        'fix', format('Add the customer''s %s to its profile (aicrm.upsert_business_profile), then retry: a rewrite '
                      'cannot supply it.',
                      case p_field when 'address.street' then 'street address (address.street)' else p_field end)) end
$$;

grant execute on function aicrm_private.compliance_profile_gap(text) to aicrm_app, aicrm_worker;
