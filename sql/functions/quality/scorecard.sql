-- The quality scorecard (docs/quality.md): the runner's text metrics (readability, sentiment) and
-- what PostgreSQL measures itself (compliance, structure, brand alignment) become sub-scores 0-100,
-- an overall score with the tenant's weights, pass/fail against the task's thresholds and success
-- criteria, a confidence, machine-readable fixes and a human summary. Pure: nothing is stored here
-- (record_evaluation stores, evaluate_content does not). The draft is only measured and matched,
-- never followed: text addressing the evaluator is content like any other.

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
    -- publisher fills the same ones over SMTP, sql/functions/pipeline/unsubscribe.sql).
    c_merge_tags constant text[] := aicrm_private.email_merge_tags();
    v_features aicrm_private.draft_features := coalesce(p_features, aicrm_private.draft_features_of(p_text, p_subject));
    v_words integer := v_features.word_count;
    v_chars integer := char_length(p_text);
    v_subject text := nullif(btrim(coalesce(p_subject, '')), '');
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
    v_min := coalesce((p_instructions #>> '{output_length,min_words}')::integer,
        case p_channel when 'email' then 50 when 'social' then 5 when 'blog' then 300 when 'web' then 50 else 1 end);
    v_max := coalesce((p_instructions #>> '{output_length,max_words}')::integer,
        case p_channel when 'email' then 500 when 'social' then 250 when 'blog' then 3000 when 'web' then 1500 else 60 end);
    v_max_chars := (p_instructions #>> '{output_length,max_characters}')::integer;
    v_cta_required := coalesce((p_instructions #>> '{success_criteria,cta_present}')::boolean,
        p_channel in ('email', 'sms', 'social'));

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
                 or (v_subject is not null and char_length(v_subject) between 15 and 60),
             case when v_subject is null or char_length(v_subject) > 78 then 'major' else 'minor' end,
             case when v_subject is null then 'no subject line'
                  else format('subject of %s characters (best 15-60)', char_length(v_subject)) end,
             jsonb_build_object('code', case when v_subject is null then 'add_subject' else 'fix_subject_length' end,
                 'params', jsonb_build_object('min_characters', 15, 'max_characters', 60),
                 'message', 'Write a subject line of 15-60 characters.')),
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
            (7, 'social_limits', p_channel <> 'social' or (v_chars <= 2200 and v_hashtags <= 10),
             case when v_chars > 2200 then 'major' else 'minor' end,
             format('%s characters, %s hashtags (at most 2,200 and 10)', v_chars, v_hashtags),
             jsonb_build_object('code', case when v_chars > 2200 then 'shorten' else 'fewer_hashtags' end,
                 'params', jsonb_build_object('max_characters', 2200, 'max_hashtags', 10),
                 'message', 'Keep a social caption under 2,200 characters with at most 10 hashtags (3-5 work best).')),
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

-- Brand alignment: the voice (formality, point of view, emoji, exclamations against the tone),
-- the brand's phrases (used, and those to avoid), and relevance to the business (its name, its
-- products and selling points, the words of its description). Components without data (no brand
-- voice set) are left out of the mean; each phrase to avoid costs 15 points. p_features: see
-- check_compliance; p_profile: the customer's scoring profile (read when null).
create or replace function aicrm_private.score_brand(
    p_text text, p_subject text, p_customer jsonb, p_sentiment jsonb, p_instructions jsonb,
    p_features aicrm_private.draft_features default null,
    p_profile aicrm.customer_scoring_profiles default null
)
returns jsonb
language plpgsql
stable
parallel safe
set search_path = ''
as $$
declare
    v_text text := p_text || E'\n' || coalesce(p_subject, '');
    v_voice jsonb := coalesce(p_customer -> 'brand_voice', '{}');
    v_features aicrm_private.draft_features := coalesce(p_features, aicrm_private.draft_features_of(p_text, p_subject));
    v_words integer := greatest(v_features.word_count, 1);
    v_tone text[];
    v_reasons jsonb := '[]';
    v_fixes jsonb := '[]';
    v_voice_checks integer := 0;
    v_voice_passed integer := 0;
    v_phrases_score numeric;
    v_relevance numeric;
    v_voice_score numeric;
    v_penalty integer := 0;
    v_used text[];
    v_avoided text[];
    v_phrase text;
    v_contractions integer;  -- counted only when the formality check needs them
    v_exclamations integer := char_length(p_text) - char_length(replace(p_text, '!', ''));
    -- Cheap test first: plain ASCII means no emoji.
    v_emoji integer := case when octet_length(p_text) = char_length(p_text) then 0
        else regexp_count(p_text, '[\U0001F300-\U0001FAFF\u2600-\u27BF]') end;
    v_keywords text[];
    v_hits integer;
    v_products integer;
    v_score numeric;
    v_parts numeric[] := '{}';
    v_weights numeric[] := '{}';
    v_words_of text := v_features.words;  -- the text reduced to its words, for phrases_in_words
    v_profile aicrm.customer_scoring_profiles;
    v_example_hits integer;
    v_examples numeric;
begin
    if p_customer is null then
        return jsonb_build_object('score', null, 'reasons', jsonb_build_array('no customer: brand alignment not measured'),
                                  'fixes', '[]'::jsonb);
    end if;
    v_profile := coalesce(p_profile, aicrm_private.scoring_profile((p_customer ->> 'customer_id')::uuid));
    v_tone := coalesce((select array_agg(t) from jsonb_array_elements_text(
        coalesce(p_instructions -> 'tone_override', v_voice -> 'tone')) t), '{}');

    -- Voice.
    if v_voice ? 'formality' then
        v_voice_checks := v_voice_checks + 1;
        -- Talking to the reader ("you", "your", "you're", ...) is conversational enough; else count the
        -- contractions (no apostrophe, no contraction).
        if v_voice ->> 'formality' = 'neutral'
           or (v_voice ->> 'formality' in ('casual', 'conversational')
               and cardinality(aicrm_private.keys_in_words(v_words_of,
                   '{you,your,yours,youre,youll,youve,youd,yourself,yourselves}')) > 0) then
            v_contractions := -1;
        else
            v_contractions := case when strpos(p_text, '''') + strpos(p_text, '’') = 0 then 0
                else regexp_count(p_text, '[[:alpha:]]+[''’](s|re|ll|ve|d|t|m)(?![[:alnum:]])', 1, 'i') end;
        end if;
        if v_contractions = -1
           or (v_voice ->> 'formality' = 'formal' and v_contractions = 0 and v_emoji = 0)
           or (v_voice ->> 'formality' in ('casual', 'conversational') and v_contractions > 0) then
            v_voice_passed := v_voice_passed + 1;
        else
            v_reasons := v_reasons || to_jsonb(format('formality: %s expected, %s contractions, %s emoji',
                v_voice ->> 'formality', v_contractions, v_emoji));
            v_fixes := v_fixes || jsonb_build_object('code', 'adjust_formality', 'dimension', 'brand_alignment',
                'severity', 'minor', 'params', jsonb_build_object('formality', v_voice ->> 'formality'),
                'message', case when v_voice ->> 'formality' = 'formal' then 'Write formally: no contractions or emoji.'
                                else 'Write conversationally: talk to the reader ("you"), contractions are fine.' end);
        end if;
    end if;
    if v_voice ? 'point_of_view' then
        v_voice_checks := v_voice_checks + 1;
        if (case v_voice ->> 'point_of_view'
               when 'first_person_plural' then cardinality(aicrm_private.phrases_in_words(v_words_of,
                   '{we,our,ours,us,we''ve}')) > 0
               when 'first_person_singular' then cardinality(aicrm_private.phrases_in_words(v_words_of,
                   '{i,my,me,mine,i''m,i''ve}')) > 0
               when 'second_person' then cardinality(aicrm_private.phrases_in_words(v_words_of,
                   '{you,your,yours,you''re,you''ll,you''ve}')) > 0
               else cardinality(aicrm_private.phrases_in_words(v_words_of, '{we,our,i}')) = 0 end) then
            v_voice_passed := v_voice_passed + 1;
        else
            v_reasons := v_reasons || to_jsonb(format('point of view: %s expected', replace(v_voice ->> 'point_of_view', '_', ' ')));
            v_fixes := v_fixes || jsonb_build_object('code', 'adjust_point_of_view', 'dimension', 'brand_alignment',
                'severity', 'minor', 'params', jsonb_build_object('point_of_view', v_voice ->> 'point_of_view'),
                'message', format('Write in the %s.', replace(v_voice ->> 'point_of_view', '_', ' ')));
        end if;
    end if;
    if v_voice ? 'emoji_use' then
        v_voice_checks := v_voice_checks + 1;
        if (v_voice ->> 'emoji_use' = 'none' and v_emoji = 0)
           or (v_voice ->> 'emoji_use' = 'sparingly' and v_emoji <= greatest(2, v_words / 50))
           or v_voice ->> 'emoji_use' = 'freely' then
            v_voice_passed := v_voice_passed + 1;
        else
            v_reasons := v_reasons || to_jsonb(format('emoji: %s expected, %s used', v_voice ->> 'emoji_use', v_emoji));
            v_fixes := v_fixes || jsonb_build_object('code', 'fewer_emoji', 'dimension', 'brand_alignment',
                'severity', 'minor', 'params', jsonb_build_object('emoji_use', v_voice ->> 'emoji_use', 'emoji', v_emoji),
                'message', case when v_voice ->> 'emoji_use' = 'none' then 'Remove the emoji.' else 'Use fewer emoji.' end);
        end if;
    end if;
    if cardinality(v_tone) > 0 then
        -- Calm and premium tones keep exclamations rare; warm tones want a positive text.
        v_voice_checks := v_voice_checks + 1;
        if (v_tone && '{calm,professional,luxurious,authoritative,trustworthy,reassuring,expert}'
                and not v_tone && '{energetic,enthusiastic,bold,playful}'
                and v_exclamations > greatest(1, v_words / 60))
           or (v_tone && '{warm,friendly,caring,empathetic,approachable,enthusiastic,energetic,playful,inspiring}'
                and coalesce((p_sentiment ->> 'compound')::numeric, 0.05) < 0.05) then
            v_reasons := v_reasons || to_jsonb(format('tone (%s): %s exclamation marks, sentiment %s',
                array_to_string(v_tone, ', '), v_exclamations, coalesce(p_sentiment ->> 'label', 'unknown')));
            v_fixes := v_fixes || jsonb_build_object('code', 'adjust_tone', 'dimension', 'brand_alignment',
                'severity', 'minor', 'params', jsonb_build_object('tone', to_jsonb(v_tone)),
                'message', format('Match the brand''s tone (%s).', array_to_string(v_tone, ', ')));
        else
            v_voice_passed := v_voice_passed + 1;
        end if;
    end if;
    if v_voice_checks > 0 then
        v_voice_score := v_voice_passed::numeric / v_voice_checks;
        v_parts := v_parts || v_voice_score;
        v_weights := v_weights || 0.4;
    end if;

    -- The brand's phrases.
    v_used := aicrm_private.phrases_of_keys_in_words(v_words_of, v_profile.use_phrases, v_profile.use_keys);
    if jsonb_array_length(coalesce(v_voice -> 'phrases_to_use', '[]')) > 0 then
        v_phrases_score := least(1, cardinality(v_used)::numeric
            / least(2, jsonb_array_length(v_voice -> 'phrases_to_use')));
        v_parts := v_parts || v_phrases_score;
        v_weights := v_weights || 0.2;
        if cardinality(v_used) = 0 then
            v_reasons := v_reasons || to_jsonb('none of the brand''s phrases used'::text);
            v_fixes := v_fixes || jsonb_build_object('code', 'use_brand_phrase', 'dimension', 'brand_alignment',
                'severity', 'minor', 'params', jsonb_build_object('phrases', v_voice -> 'phrases_to_use'),
                'message', format('Work in one of the brand''s phrases, e.g. "%s".', v_voice #>> '{phrases_to_use,0}'));
        end if;
    end if;
    v_avoided := aicrm_private.phrases_of_keys_in_words(v_words_of, v_profile.avoid_phrases, v_profile.avoid_keys);
    foreach v_phrase in array v_avoided loop
        begin
            v_penalty := least(v_penalty + 15, 45);
            v_fixes := v_fixes || jsonb_build_object('code', 'remove_phrase', 'dimension', 'brand_alignment',
                'severity', 'minor', 'params', jsonb_build_object('phrase', v_phrase),
                'message', format('Drop "%s": the brand avoids it.', v_phrase));
        end;
    end loop;
    if cardinality(v_avoided) > 0 then
        v_reasons := v_reasons || to_jsonb(format('phrases the brand avoids: %s', array_to_string(v_avoided, ', ')));
    end if;

    -- Relevance: the business's name, its products and selling points, the words of its description
    -- (the profile's keywords: reduced to words as the draft is, so "baker's" is "bakers" in both).
    v_keywords := coalesce(v_profile.relevance_keywords, '{}');
    v_hits := cardinality(aicrm_private.keys_in_words(v_words_of, v_keywords));
    v_products := cardinality(aicrm_private.phrases_of_keys_in_words(v_words_of, v_profile.product_keys,
                                                                     v_profile.product_keys));
    v_relevance := (
        case when cardinality(aicrm_private.keys_in_words(v_words_of, v_profile.name_keys)) > 0
             then 1 else 0 end
        + case when v_products > 0 or cardinality(v_keywords) = 0 then 1 else least(1, v_hits / 3.0) end
        + case when cardinality(v_keywords) = 0 then 1 else least(1, v_hits / least(5.0, cardinality(v_keywords))) end
    ) / 3.0;
    v_parts := v_parts || v_relevance;
    v_weights := v_weights || 0.4;
    -- Similarity to the customer's positive examples: how many of the words they share it uses
    -- (8 of them, or all when they share fewer, is full). Left out for a customer without any.
    if cardinality(v_profile.example_keywords) > 0 then
        v_example_hits := cardinality(aicrm_private.keys_in_words(v_words_of, v_profile.example_keywords));
        v_examples := least(1, v_example_hits / least(8.0, cardinality(v_profile.example_keywords)));
        v_parts := v_parts || v_examples;
        v_weights := v_weights || 0.2;
        if v_examples < 0.5 then
            v_reasons := v_reasons || to_jsonb(format('little like the customer''s approved examples: %s of their %s words',
                v_example_hits, cardinality(v_profile.example_keywords)));
            v_fixes := v_fixes || jsonb_build_object('code', 'follow_examples', 'dimension', 'brand_alignment',
                'severity', 'minor', 'params', jsonb_build_object('words', to_jsonb(v_profile.example_keywords[1:8])),
                'message', 'Write closer to the customer''s approved examples (their subjects, products and wording).');
        end if;
    end if;
    if v_relevance < 0.67 then
        v_reasons := v_reasons || to_jsonb(format('little of the business in it: %s of its words, %s product(s) named',
            v_hits, v_products));
        v_fixes := v_fixes || jsonb_build_object('code', 'add_business_specifics', 'dimension', 'brand_alignment',
            'severity', 'minor', 'message', 'Name the business and what makes it different (a product, a selling point).');
    end if;

    select 100 * sum(p * w) / sum(w) into v_score from unnest(v_parts, v_weights) as x (p, w);
    v_score := greatest(0, round(v_score - v_penalty, 1));
    if jsonb_array_length(v_reasons) = 0 then
        v_reasons := jsonb_build_array('voice, phrases and business specifics match the brand');
    end if;
    return jsonb_build_object(
        'score', v_score,
        'components', jsonb_strip_nulls(jsonb_build_object(
            'voice', round(100 * v_voice_score, 1), 'phrases', round(100 * v_phrases_score, 1),
            'relevance', round(100 * v_relevance, 1), 'examples', round(100 * v_examples, 1),
            'avoided_phrases_penalty', v_penalty)),
        'phrases_used', to_jsonb(v_used),
        'phrases_avoided_found', to_jsonb(v_avoided),
        'business_words_matched', v_hits,
        'example_words_matched', v_example_hits,
        'products_named', v_products,
        'voice_set', v_voice_checks > 0,
        'reasons', v_reasons,
        'fixes', v_fixes
    );
end
$$;

grant execute on function aicrm_private.score_brand(
    text, text, jsonb, jsonb, jsonb, aicrm_private.draft_features, aicrm.customer_scoring_profiles
) to aicrm_app, aicrm_worker;

-- Why a draft fails, one sentence each, in the order of its criteria: a failed criterion named
-- with its value and the bound it missed ("readability 41.2 is below the task's minimum 60"), and
-- for no_major_violation and no_major_structure_issue each finding behind them ("compliance: a
-- marketing email without the sender's postal address (major)"). Called for failing drafts only.
-- p_task_overall_min: the overall minimum is the task's own (else the tenant's approve_min_quality).
create or replace function aicrm_private.scorecard_failures(
    p_criteria jsonb, p_violations jsonb, p_checks jsonb, p_task_overall_min boolean
)
returns jsonb
language sql
immutable
parallel safe
set search_path = ''
as $$
    with failed as (
        select c.ord, c.item ->> 'criterion' as criterion, c.item ->> 'expected' as expected,
               c.item ->> 'actual' as actual, c.item -> 'expected' as expected_json
        from jsonb_array_elements(coalesce(p_criteria, '[]')) with ordinality as c (item, ord)
        where c.item -> 'passed' = 'false'::jsonb
    ),
    reasons as (
        select f.ord, 0 as sub, case
            when f.criterion = 'overall_min' then format('overall %s is below the %s minimum %s', f.actual,
                case when p_task_overall_min then 'task''s' else 'tenant''s' end, f.expected)
            when f.criterion = 'cta_present' then case when f.expected_json = 'true'::jsonb
                then 'no call to action; the task requires one' else 'a call to action; the task wants none' end
            when f.actual is null then format('%s is not measured (the task''s %s is %s)', n.name,
                case when f.criterion = 'grade_level_max' then 'maximum' when f.criterion = 'sentiment_target' then 'target'
                     else 'minimum' end, f.expected)
            when f.criterion = 'grade_level_max' then
                format('grade level %s is above the task''s maximum %s', f.actual, f.expected)
            when f.criterion = 'sentiment_target' then format('sentiment reads %s; the task wants %s', f.actual, f.expected)
            -- readability_score_min (reading ease) and the thresholds (<sub-score>_min)
            else format('%s %s is below the task''s minimum %s', n.name, f.actual, f.expected)
            end as reason
        from failed as f
        cross join lateral (select case f.criterion when 'readability_score_min' then 'reading ease'
                                        when 'grade_level_max' then 'grade level' when 'sentiment_target' then 'sentiment'
                                        else replace(regexp_replace(f.criterion, '_min$', ''), '_', ' ') end as name) as n
        where f.criterion not in ('no_major_violation', 'no_major_structure_issue')
        union all
        select f.ord, v.ord, format('compliance: %s%s (%s)',
            -- "A marketing email ..." reads "a marketing email ..."; "FDA-approved ..." stays.
            case when substr(m.message, 2, 1) ~ '[[:upper:][:digit:]]' then m.message
                 else lower(left(m.message, 1)) || substr(m.message, 2) end,
            case when v.item #>> '{span,text}' is not null and strpos(m.message, v.item #>> '{span,text}') = 0
                 then format(' ("%s")', left(v.item #>> '{span,text}', 60)) else '' end,
            v.item ->> 'severity')
        from failed as f
        cross join lateral jsonb_array_elements(coalesce(p_violations, '[]')) with ordinality as v (item, ord)
        cross join lateral (select rtrim(coalesce(v.item ->> 'message', v.item ->> 'rule'), '.') as message) as m
        where f.criterion = 'no_major_violation' and v.item ->> 'severity' in ('critical', 'major')
        union all
        select f.ord, s.ord, format('structure: %s (major)', s.item ->> 'detail')
        from failed as f
        cross join lateral jsonb_array_elements(coalesce(p_checks, '[]')) with ordinality as s (item, ord)
        where f.criterion = 'no_major_structure_issue' and s.item ->> 'severity' = 'major'
    )
    select coalesce(jsonb_agg(r.reason order by r.ord, r.sub), '[]') from reasons as r
$$;

grant execute on function aicrm_private.scorecard_failures(jsonb, jsonb, jsonb, boolean) to aicrm_app, aicrm_worker;

-- The first p_limit reasons of a list, for one line ("a; b; c and 2 more"); null for none.
create or replace function aicrm_private.first_reasons(p_reasons jsonb, p_limit integer)
returns text
language sql
immutable
parallel safe
set search_path = ''
as $$
    select string_agg(left(r.reason, 300), '; ' order by r.ord)
        || case when max(r.total) > p_limit then format(' and %s more', max(r.total) - p_limit) else '' end
    from (select e.reason, e.ord, count(*) over () as total
          from jsonb_array_elements_text(
              case when jsonb_typeof(p_reasons) = 'array' then p_reasons else '[]' end) with ordinality as e (reason, ord)) as r
    where r.ord <= p_limit
$$;

grant execute on function aicrm_private.first_reasons(jsonb, integer) to aicrm_app, aicrm_worker;
