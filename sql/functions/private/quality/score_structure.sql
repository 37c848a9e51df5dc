-- The scorecard's structure part: score_structure.

-- Structure: length, call to action and where it is, subject line, links, leftover placeholders,
-- channel limits (SMS segments, social captions), paragraphs. Each check that fails costs points
-- by severity (major 25, minor 10). p_features: see check_compliance.
create or replace function aicrm_private.score_structure(
    p_text text, p_subject text, p_channel text, p_instructions jsonb,
    p_features aicrm_private.draft_features default null
)
returns jsonb
language plpgsql
immutable
parallel safe
set search_path = ''
as $$
declare
    c_url constant text := '(https?:?/+|www\.)[^\s<>"'')\]]*';
    -- Merge tags the sending service fills at send time are not leftovers (one list: the
    -- publisher fills the same ones over SMTP, private/publishing/merge_tags.sql).
    c_merge_tags constant text[] := aicrm_private.email_merge_tags();
    v_features aicrm_private.draft_features := coalesce(p_features, aicrm_private.draft_features_of(p_text, p_subject));
    v_words integer := v_features.word_count;
    v_chars integer := char_length(p_text);
    v_subject text := nullif(btrim(coalesce(p_subject, '')), '');
    v_limits jsonb := aicrm_private.draft_limits(p_channel, p_instructions);
    v_min integer;
    v_max integer;
    v_max_chars integer;
    v_cta_required boolean;
    v_cta_start integer;
    v_cta_position text;
    v_checks jsonb := '[]';
    v_fixes jsonb := '[]';
    v_penalty integer := 0;
    v_bad_links text[];
    v_leftovers text[];
    v_gsm boolean;
    v_segments integer;
    v_hashtags integer;
    v_paragraphs integer;
begin
    -- The bounds (private/quality/draft_limits.sql, what get_draft_brief tells the writers): a
    -- call to action is not required of a draft whose purpose is to inform (a holiday-hours notice
    -- asks nothing of its reader).
    v_min := (v_limits ->> 'min_words')::integer;
    v_max := (v_limits ->> 'max_words')::integer;
    v_max_chars := (v_limits ->> 'max_characters')::integer;
    v_cta_required := (v_limits ->> 'cta_required')::boolean;

    v_cta_start := v_features.cta_start;
    v_cta_position := case
        when v_cta_start is null then null
        when v_cta_start < v_chars * 0.2 then 'opening'
        when v_cta_start < v_chars * 0.7 then 'middle'
        else 'closing' end;

    select coalesce(array_agg(distinct m[1]), '{}')
    into v_bad_links
    from regexp_matches(p_text, '(' || c_url || ')', 'gi') m
    where strpos(lower(p_text), 'http') + strpos(lower(p_text), 'www.') > 0  -- no address, no regex
      and rtrim(m[1], '.,;:!?') !~* '^(https?://|www\.)([[:alnum:]]([[:alnum:]-]*[[:alnum:]])?\.)+[[:alpha:]]{2,}(:[0-9]{1,5})?([/?#][^\s<>"]*)?$';

    select coalesce(array_agg(distinct m[1]), '{}')
    into v_leftovers
    from regexp_matches(p_text || E'\n' || coalesce(v_subject, ''),
        '(\{\{[^{}\n]+\}\}|\[(insert|your|add|business|company|customer|name|link|date|cta)[^]\n]*\]|\ylorem ipsum\y'
        || '|\yTODO\y|\yTBD\y|XXX+)', 'gi') as x (m)
    where lower(regexp_replace(m[1], '[{}\s]', '', 'g')) <> all (c_merge_tags);

    -- GSM-7: what is left after removing its characters is nothing (translate, no regex needed).
    v_gsm := p_channel <> 'sms' or translate(p_text, E'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 \n\r@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ!"#¤%&''()*+,-./:;<=>?¡ÄÖÑÜ§¿äöñüà^{}\\[~]|€', '') = '';
    v_segments := case
        when v_gsm then case when v_chars <= 160 then 1 else ceil(v_chars / 153.0)::integer end
        else case when v_chars <= 70 then 1 else ceil(v_chars / 67.0)::integer end end;
    v_hashtags := case when strpos(p_text, '#') = 0 then 0 else regexp_count(p_text, '(^|\s)#[[:alnum:]_]+') end;
    v_paragraphs := (select count(*) from regexp_split_to_table(p_text, '\n\s*\n') p where p ~ '\S');

    -- Every check, the failed ones' penalty and fixes, in one statement.
    select jsonb_agg(jsonb_build_object('check', c.name, 'passed', c.passed,
                         'severity', case when not c.passed then c.severity end, 'detail', c.detail) order by c.ord),
           coalesce(sum(case c.severity when 'major' then 25 else 10 end) filter (where not c.passed), 0),
           coalesce(jsonb_agg(c.fix || jsonb_build_object('dimension', 'structure', 'severity', c.severity) order by c.ord)
                        filter (where not c.passed), '[]')
    into v_checks, v_penalty, v_fixes
    from (values
            (1, 'length', v_words between v_min and v_max
                and (v_max_chars is null or v_chars <= v_max_chars),
             case when v_words > v_max * 1.25 or v_words < v_min * 0.75
                       or v_chars > coalesce(v_max_chars, v_chars) * 1.25 then 'major' else 'minor' end,
             -- (format() prints a null as '', so the optional parts are cased, not coalesced.)
             format('%s words (%s characters); expected %s-%s words%s', v_words, v_chars, v_min, v_max,
                    case when v_max_chars is not null then format(', at most %s characters', v_max_chars) else '' end),
             case when v_words > v_max or v_chars > coalesce(v_max_chars, v_chars)
                  then jsonb_build_object('code', 'shorten', 'params', jsonb_strip_nulls(jsonb_build_object(
                      'max_words', v_max, 'max_characters', v_max_chars, 'word_count', v_words)),
                      'message', format('Shorten to at most %s words%s.', v_max,
                                        case when v_max_chars is not null then format(' and %s characters', v_max_chars)
                                             else '' end))
                  else jsonb_build_object('code', 'lengthen', 'params', jsonb_build_object('min_words', v_min, 'word_count', v_words),
                      'message', format('Develop the content to at least %s words.', v_min)) end),
            (2, 'cta', v_cta_start is not null or not v_cta_required, 'major',
             case when v_cta_start is null then 'no call to action found'
                  else format('call to action in the %s', v_cta_position) end,
             jsonb_build_object('code', 'add_cta', 'message',
                 'Add a clear call to action: a sentence that starts with what to do ("Book your table today").')),
            (3, 'subject', p_channel <> 'email'
                 or (v_subject is not null and char_length(v_subject)
                     between (v_limits #>> '{subject,min_characters}')::integer
                         and (v_limits #>> '{subject,max_characters}')::integer),
             case when v_subject is null or char_length(v_subject) > (v_limits #>> '{subject,max_characters_hard}')::integer
                  then 'major' else 'minor' end,
             case when v_subject is null then 'no subject line'
                  else format('subject of %s characters (best %s-%s)', char_length(v_subject),
                      v_limits #>> '{subject,min_characters}', v_limits #>> '{subject,max_characters}') end,
             jsonb_build_object('code', case when v_subject is null then 'add_subject' else 'fix_subject_length' end,
                 'params', jsonb_build_object('min_characters', v_limits #> '{subject,min_characters}',
                     'max_characters', v_limits #> '{subject,max_characters}'),
                 'message', format('Write a subject line of %s-%s characters.',
                     v_limits #>> '{subject,min_characters}', v_limits #>> '{subject,max_characters}'))),
            (4, 'links', cardinality(v_bad_links) = 0, 'major',
             case when cardinality(v_bad_links) = 0 then 'links well formed'
                  else format('malformed link(s): %s', array_to_string(v_bad_links, ', ')) end,
             jsonb_build_object('code', 'fix_links', 'params', jsonb_build_object('links', to_jsonb(v_bad_links)),
                 'message', 'Write every link as a full address, e.g. https://example.com/page.')),
            (5, 'placeholders', cardinality(v_leftovers) = 0, 'major',
             case when cardinality(v_leftovers) = 0 then 'no unfilled placeholders'
                  else format('unfilled placeholder(s): %s', array_to_string(v_leftovers, ', ')) end,
             jsonb_build_object('code', 'fill_placeholders', 'params', jsonb_build_object('placeholders', to_jsonb(v_leftovers)),
                 'message', 'Replace every placeholder with the real text.')),
            (6, 'sms_segments', p_channel <> 'sms' or v_segments = 1,
             case when v_segments > 2 then 'major' else 'minor' end,
             format('%s SMS segment(s) of %s characters (%s)', v_segments,
                    case when v_gsm then 160 else 70 end, case when v_gsm then 'GSM-7' else 'Unicode' end),
             jsonb_build_object('code', 'shorten', 'params', jsonb_build_object('max_characters', case when v_gsm then 160 else 70 end),
                 'message', format('Fit the text in one SMS: at most %s characters%s.', case when v_gsm then 160 else 70 end,
                                   case when v_gsm then '' else ' (emoji and special characters make it Unicode)' end))),
            (7, 'social_limits', p_channel <> 'social'
                 or (v_chars <= (v_limits #>> '{social,max_characters}')::integer
                     and v_hashtags <= (v_limits #>> '{social,max_hashtags}')::integer),
             case when v_chars > (v_limits #>> '{social,max_characters}')::integer then 'major' else 'minor' end,
             format('%s characters, %s hashtags (at most %s and %s)', v_chars, v_hashtags,
                 to_char((v_limits #>> '{social,max_characters}')::integer, 'FM9,999'), v_limits #>> '{social,max_hashtags}'),
             jsonb_build_object('code', case when v_chars > (v_limits #>> '{social,max_characters}')::integer
                                             then 'shorten' else 'fewer_hashtags' end,
                 'params', jsonb_build_object('max_characters', v_limits #> '{social,max_characters}',
                     'max_hashtags', v_limits #> '{social,max_hashtags}'),
                 'message', format('Keep a social caption under %s characters with at most %s hashtags (%s work best).',
                     to_char((v_limits #>> '{social,max_characters}')::integer, 'FM9,999'),
                     v_limits #>> '{social,max_hashtags}', v_limits #>> '{social,best_hashtags}'))),
            (8, 'paragraphs', p_channel not in ('email', 'blog', 'web') or v_words <= 120 or v_paragraphs > 1, 'minor',
             format('%s paragraph(s) for %s words', v_paragraphs, v_words),
             jsonb_build_object('code', 'add_paragraphs',
                 'message', 'Break the text into short paragraphs of 2-4 sentences.'))
    ) as c (ord, name, passed, severity, detail, fix);

    return jsonb_build_object(
        'score', greatest(0, 100 - v_penalty),
        'word_count', v_words,
        'character_count', v_chars,
        'paragraph_count', v_paragraphs,
        'expected_words', jsonb_build_object('min', v_min, 'max', v_max),
        'cta', jsonb_build_object('present', v_cta_start is not null, 'required', v_cta_required,
                                  'position', v_cta_position, 'offset', v_cta_start),
        'subject_characters', char_length(v_subject),
        'sms_segments', case when p_channel = 'sms' then v_segments end,
        'hashtags', v_hashtags,
        'checks', v_checks,
        'fixes', v_fixes
    );
end
$$;

grant execute on function aicrm_private.score_structure(text, text, text, jsonb, aicrm_private.draft_features)
to aicrm_app, aicrm_worker;
