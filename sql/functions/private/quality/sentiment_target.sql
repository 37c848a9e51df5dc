-- Sentiment judged against the draft's purpose (docs/quality.md, "Sentiment"): the mood a draft
-- should have (sentiment_target), the words that blame, scold or frighten its reader
-- (sentiment_reproach_pattern), and the findings of both (sentiment_findings).

-- The mood a draft should have: the task's success_criteria.sentiment_target when it sets one
-- (positive, neutral or negative); else 'urgent' when the brief is about an emergency or a safety
-- matter (its topic, key points or the draft's subject name one: "24/7 emergency burst pipe
-- service" may read negative without penalty); else 'positive' for a purpose that sells or
-- invites (welcome, promotion, event, review_request, re_engagement) and 'informative' for the
-- rest (newsletter, announcement, other, none): neutral or positive, not negative.
create or replace function aicrm_private.sentiment_target(p_instructions jsonb, p_subject text)
returns text
language sql
immutable
parallel safe
-- No SET: pure and called per draft (private/quality/phrases.sql, at the top).
as $$
    select case
        when p_instructions #>> '{success_criteria,sentiment_target}' is not null
            then p_instructions #>> '{success_criteria,sentiment_target}'
        when concat_ws(' ', p_instructions ->> 'topic',
                       case when jsonb_typeof(p_instructions -> 'key_points') = 'array'
                            then (select string_agg(k, ' ') from jsonb_array_elements_text(p_instructions -> 'key_points') k) end,
                       p_subject)
             ~* '\m(emergenc(y|ies)|urgent(ly)?|burst|leak(s|ing)?|flood(s|ed|ing)?|outages?|recalls?|safety|warnings?|storms?|frozen|freez(e|ing)|closures?|power\s+cuts?|boil\s+(water\s+)?(notice|advisory)|gas\s+smell|24/7)\M'
            then 'urgent'
        when p_instructions ->> 'purpose' in ('welcome', 'promotion', 'event', 'review_request', 're_engagement')
            then 'positive'
        else 'informative'
    end
$$;

grant execute on function aicrm_private.sentiment_target(jsonb, text) to aicrm_app, aicrm_worker;

-- Words no careful account manager sends to a customer, whatever a sentiment score says (VADER
-- reads "It's been months since you bothered to show up" as barely negative): blame or guilt
-- aimed at the reader, an insult, gloom about the business, and fear used to sell. Fear is the
-- fourth group, left out of an urgent message (an emergency may say what is at risk). A curated
-- list, as the compliance packs are; docs/quality.md lists it.
create or replace function aicrm_private.sentiment_reproach_pattern(p_fear boolean)
returns text
language sql
immutable
parallel safe
-- No SET: pure and called per draft (private/quality/phrases.sql, at the top).
as $$
    select '\m('
        -- blame and guilt
        || 'since\s+you\s+(last\s+)?bothered|you\s+(never|didn''t\s+even|couldn''t\s+even)\s+(bothered|came\s+back|called|replied)'
        || '|(we|i)\s+noticed\s+you\s+(never|haven''t|didn''t|stopped|forgot)\w*'
        || '|we\s+never\s+heard\s+back|you\s+went\s+(quiet|silent)|guess\s+you\s+(found|forgot|moved)'
        || '|people\s+like\s+you|you\s+(just\s+)?look\s+away|let\s+(things|it)\s+slide'
        || '|leave\s+it\s+(too\s+late|to\s+the\s+last\s+minute)|(owners|people|customers|parents)\s+who\s+(wait|leave\s+it)'
        || '|(which|that|this)\s+(is|was)\s+(a\s+little\s+|a\s+bit\s+|quite\s+|very\s+|so\s+|really\s+)?disappointing'
        || '|(we\s+are|we''re|i\s+am|i''m)\s+(so\s+|frankly\s+)?(tired|sick)\s+of|we\s+have\s+to\s+wonder'
        || '|(it|that)\s+stung|whether\s+you\s+ever\s+meant\s+it|surprised\s+you\s+(have\s+not|haven''t)'
        || '|you\s+(should|ought\s+to)\s+(be\s+ashamed|know\s+better)|shame\s+on\s+you|your\s+fault'
        || '|(is|are)\s+not\s+going\s+to\s+hold\s+(itself|themselves)|isn''t\s+going\s+to\s+hold\s+itself'
        || '|who\s+wait\s+usually\s+regret|you''ll\s+regret|you\s+will\s+regret'
        -- insults
        || '|needs\s+us\.\s+badly|(a|what\s+a)\s+mess\s+on\s+(their|your)\s+heads?|walk\s+in\s+with\s+a\s+mess'
        || '|(you|your\s+\w+)\s+(look|looks|are|is)\s+(awful|terrible|embarrassing|a\s+mess)'
        -- gloom about the business
        || '|not\s+sure\s+how\s+many\s+more|(sadly|painfully)\s+empty|(have|has)\s+been\s+(so\s+)?hard\s+on\s+us'
        || '|the\s+last\s+few\s+years\s+have\s+been\s+hard|we\s+(might|may)\s+(have\s+to\s+)?close'
        || case when p_fear then
            -- fear used to sell
            '|you(''ll|\s+will)\s+be\s+stuck\s+with|could\s+be\s+toast|(one|a)\s+click\s+away\s+from\s+disaster'
            || '|bad\s+news:|ends\s+badly|(animals|children|pets|people)\s+are\s+suffering'
            || '|(it''s|it\s+is)\s+(probably\s+)?going\s+to\s+cost\s+you'
            else '' end
        || ')\M'
$$;

grant execute on function aicrm_private.sentiment_reproach_pattern(boolean) to aicrm_app, aicrm_worker;

-- The sentiment findings of a draft (the scorecard's finding shape, dimension 'sentiment'):
--   reproach    (major) each phrase of sentiment_reproach_pattern, with its span;
--   off_target  (major) the whole draft reads clearly negative where its target is positive
--               (VADER compound at or below -0.5) or informative (-0.6 or below): VADER reads
--               a warm promotion that names a problem ("winter is hard on pipes") as slightly
--               negative, so the bounds are wide; reproach is what catches a scolding draft.
-- Both are fixable. p_plain: the draft with straight apostrophes.
create or replace function aicrm_private.sentiment_findings(
    p_plain text, p_subject text, p_target text, p_compound numeric
)
returns jsonb
language sql
immutable
parallel safe
-- No SET: pure and called per draft (private/quality/phrases.sql, at the top).
as $$
    select coalesce(jsonb_agg(f.finding order by f.ord), '[]')
    from (
        select 1 as ord, jsonb_build_object('dimension', 'sentiment', 'check', 'off_target', 'severity', 'major',
                   'field', 'content', 'span', null,
                   'message', format('The draft reads negative (VADER %s) where a %s should read %s',
                       p_compound, case p_target when 'positive' then 'message that sells or invites'
                                                 else 'message that informs' end,
                       case p_target when 'positive' then 'positive' else 'neutral or positive' end),
                   'fix', 'Say what the reader gains, in a warm or neutral voice; keep any bad news short and factual.',
                   'fixable', true) as finding
        where (p_target = 'positive' and p_compound <= -0.5) or (p_target = 'informative' and p_compound <= -0.6)
        union all
        select 2 + s.n, jsonb_build_object('dimension', 'sentiment', 'check', 'reproach', 'severity', 'major',
                   'field', s.field,
                   'span', jsonb_build_object('start', s.span_start, 'end', s.span_end, 'text', s.span_text),
                   'message', format('''%s'' blames, scolds or frightens the reader; a careful account manager would not send it',
                                     s.span_text),
                   'fix', format('Drop ''%s'': say what the reader gains, without blame, guilt or fear.', s.span_text),
                   'fixable', true)
        from (
            select 'content' as field, c.span_start, c.span_end, c.span_text, c.span_start as n
            from aicrm_private.compliance_spans(p_plain, aicrm_private.sentiment_reproach_pattern(p_target <> 'urgent')) c
            -- (one test of the pattern first: finding the spans costs several times more)
            where p_target in ('positive', 'informative', 'urgent')
              and p_plain ~* aicrm_private.sentiment_reproach_pattern(p_target <> 'urgent')
            union all
            select 'subject', c.span_start, c.span_end, c.span_text, -1
            from aicrm_private.compliance_spans(p_subject, aicrm_private.sentiment_reproach_pattern(p_target <> 'urgent')) c
            where p_subject is not null and p_target in ('positive', 'informative', 'urgent')
              and p_subject ~* aicrm_private.sentiment_reproach_pattern(p_target <> 'urgent')
        ) s
    ) f
$$;

grant execute on function aicrm_private.sentiment_findings(text, text, text, numeric) to aicrm_app, aicrm_worker;
