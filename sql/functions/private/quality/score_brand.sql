-- The scorecard's brand alignment part: score_brand.

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
