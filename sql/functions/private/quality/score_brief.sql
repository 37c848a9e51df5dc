-- The scorecard's brief dimension (coverage): score_brief. Helpers: brief_terms.sql; synonyms:
-- aicrm.brief_synonyms (migration 0026, seeded by sql/seeds/defaults/0012_brief_synonyms.sql).

-- Does the draft answer its brief (docs/quality.md, "Brief")? The task's ai_instructions against
-- the draft (subject and body):
--   topic        enough of its content words (2 of 3, all when it has 1 or 2), each as written, in
--                another form (the english stemmer: "pies" is "pie", "winterising" is
--                "winterise") or by a synonym (aicrm.brief_synonyms, both ways): off_topic (major)
--                below that, topic_partly_covered (minor) when some words are missing;
--   key_points   each the same way, and its numbers, dates and codes as given (a date in any usual
--                form): key_point_missing (major), key_point_partly_covered (minor) when every
--                number and date is there and half its words;
--   the purpose's parts, whatever the purpose, from what the brief gives: the offer's terms, code
--                and end date; the event's date, time (minor) and place; each link of `links`
--                written out; a welcome's next step (minor);
--   avoid_topics each mentioned (its words as for a topic) is avoid_topic_mentioned (major), with
--                its span;
--   cta          the call to action the brief gives, used (minor).
-- Score: 100 less 20 a major and 5 a minor finding, at least 0. No brief (no topic, key points,
-- offer, event, links, avoid_topics or cta, and not a welcome): 100, no findings. Every finding is
-- fixable (a rewrite can add or drop a point). Pure: reads only the synonyms, stores nothing.
create or replace function aicrm_private.score_brief(
    p_text text,
    p_subject text,
    p_channel text,
    p_customer jsonb,
    p_instructions jsonb,
    p_features aicrm_private.draft_features default null
)
returns jsonb
language plpgsql
stable
parallel safe
set search_path = ''
-- Planned once: a custom plan per call (the default for a query with parameters) would plan the
-- coverage query for every draft, which costs more than running it.
set plan_cache_mode = force_generic_plan
as $$
declare
    v_in jsonb := coalesce(p_instructions, '{}');
    v_text text := coalesce(p_text, '');
    v_features aicrm_private.draft_features := p_features;
    v_words text;
    v_body_words text;
    v_subject_words text;
    v_item record;
    v_one text;
    v_footer text;
    v_md integer;
    v_missing text[];
    v_literals text[];
    v_n integer;
    v_hits integer;
    v_need integer;
    v_digits text;
    v_count_digits text;
    v_found_in text;
    v_only_verbs boolean;
    v_apart boolean;
    v_sentence_lexemes text[];  -- each sentence of the body as ' lexeme lexeme ... ' (when needed)
    v_url_key text;
    v_findings jsonb := '[]';
    v_coverage jsonb := '[]';
    v_major integer := 0;
    v_minor integer := 0;
    v_label text;
    v_topic text;
    v_topic_missing text[];
    v_topic_state text;
    v_points integer := 0;
    v_points_missing integer := 0;
    v_url text;
    v_key text;
    v_date text;
    v_pattern text;
    v_start integer;
    v_end integer;
    v_field text;
    v_number_words constant text[] := '{one,two,three,four,five,six,seven,eight,nine,ten,eleven,twelve}';
    -- A time of day among a text's words: "6 pm", "7am", "10 40 am", "4 p m".
    v_time_pattern constant text := '\m[0-9]{1,2}(?: [0-9]{2})? ?(?:am|pm|a m|p m)\M';
begin
    if not (v_in ?| array['topic', 'key_points', 'offer', 'event', 'links', 'avoid_topics', 'cta']
            or v_in ->> 'purpose' = 'welcome') then
        return jsonb_build_object('score', 100, 'findings', '[]'::jsonb, 'coverage', '[]'::jsonb);
    end if;
    if v_features.words is null then
        v_features := aicrm_private.draft_features_of(v_text, p_subject);
    end if;
    v_words := v_features.words;
    -- The body's words alone (words_of puts the subject's last): a topic or key point only in the
    -- subject is not covered (the subject promises what the body must deliver).
    v_subject_words := aicrm_private.phrase_key(p_subject);
    if v_subject_words <> '' and right(v_words, char_length(v_subject_words) + 2) = ' ' || v_subject_words || ' ' then
        v_body_words := left(v_words, -(char_length(v_subject_words) + 1));
    else
        v_body_words := v_words;
    end if;
    -- The sender's postal address that aicrm adds to an email (assemble_draft: "Name · street,
    -- city.") is not the writer's: an event's place or a key point is not conveyed by the footer.
    v_one := btrim(p_customer #>> '{address,street}');
    if v_one <> '' and strpos(v_text, ' · ') > 0 and strpos(v_text, v_one) > 0 then
        select string_agg(' ' || aicrm_private.phrase_key(l.l) || ' ', '') into v_footer
        from unnest(string_to_array(v_text, E'\n')) as l (l)
        where strpos(l.l, ' · ') > 0 and strpos(l.l, v_one) > 0;
        v_body_words := replace(v_body_words, v_footer, ' ');
    end if;

    -- Each item of the brief taken apart (brief_item_parts), and which of its content words the
    -- draft has: the word in any form, or a synonym. Only the draft's words that could be one of
    -- them (the same first three letters) are stemmed, in one to_tsvector: stemming every word of
    -- a draft costs more than the rest of the check.
    for v_item in with raw (kind, idx, txt, ignore) as (
        -- A topic says what the piece is for as much as what it is about: the words of that
        -- (welcome, review, reminder, new, ...) need not be in the draft. A key point or offer may
        -- speak to the writer ("Register at the link", "No ask in this email").
        select 'topic', 0::bigint, v_in ->> 'topic',
               '{announc,ask,back,blog,come,day,earli,email,end,first,get,guid,how,introduc,invit,know,last,late,meet,'
               'messag,month,new,news,newslett,next,note,offer,past,post,quick,reason,remind,return,review,right,share,'
               'sms,special,start,tell,text,thank,thankyou,thing,time,tip,today,updat,us,way,week,welcom,what,year}'::text[]
        where btrim(coalesce(v_in ->> 'topic', '')) <> ''
        union all
        select 'key_point', k.o, k.t, '{email,includ,link,mention,messag,post,say,sms,text}'::text[]
        from jsonb_array_elements_text(case when jsonb_typeof(v_in -> 'key_points') = 'array'
                                            then v_in -> 'key_points' else '[]' end) with ordinality as k (t, o)
        union all
        select 'offer', 0, v_in #>> '{offer,description}', '{email,includ,link,mention,messag,post,say,sms,text}'::text[]
        where btrim(coalesce(v_in #>> '{offer,description}', '')) <> ''
        union all
        select 'event_place', 0, v_in #>> '{event,place}', '{}'::text[]
        where btrim(coalesce(v_in #>> '{event,place}', '')) <> ''
        union all
        select 'cta', 0, v_in ->> 'cta', '{email,includ,link,mention,messag,post,say,sms,text}'::text[]
        where btrim(coalesce(v_in ->> 'cta', '')) <> ''
        union all
        select 'avoid_topic', a.o, a.t, '{}'::text[]
        from jsonb_array_elements_text(case when jsonb_typeof(v_in -> 'avoid_topics') = 'array'
                                            then v_in -> 'avoid_topics' else '[]' end) with ordinality as a (t, o)
    ),

    items as materialized (
        select r.kind, r.idx, r.txt, p.dates, p.numbers, p.codes, p.norm, p.lexemes
        from raw as r cross join lateral aicrm_private.brief_item_parts(r.txt, r.ignore) as p
    ),

    brief_lexemes as (
        select coalesce(array_agg(distinct l.l), '{}') as ls from items as i cross join lateral unnest(i.lexemes) as l (l)
    ),

    -- a: the brief's side of a synonym pair, b: the draft's side (each pair both ways).
    syn as materialized (
        select s.term_lexemes as a, s.synonym_lexemes as b
        from aicrm.brief_synonyms as s, brief_lexemes as bl
        where s.term_lexemes[1] = any(bl.ls) and s.term_lexemes <@ bl.ls
        union all
        select s.synonym_lexemes, s.term_lexemes
        from aicrm.brief_synonyms as s, brief_lexemes as bl
        where s.synonym_lexemes[1] = any(bl.ls) and s.synonym_lexemes <@ bl.ls
    ),

    candidates as materialized (
        select coalesce(array_agg(w.w), '{}') as ws  -- repeats and all: to_tsvector does not mind
        from unnest(string_to_array(btrim(v_body_words), ' ')) as w (w)
        -- (IN, not = any(array): a hashed lookup per word, not a scan of the array.)
        where left(w.w, 3) in (select left(x.l, 3) from brief_lexemes as bl, unnest(bl.ls) as x (l)
                               union all select left(x.l, 3) from syn as s, unnest(s.b) as x (l))
    ),

    draft_lexemes as materialized (
        -- "15%" is "15 percent" (words_of drops the sign), "$20" is a price. A topic to avoid counts
        -- in the subject too.
        select tsvector_to_array(to_tsvector('english', array_to_string(c.ws, ' ')))
               || case when strpos(v_text, '%') > 0 then '{percent}'::text[] else '{}' end
               || case when strpos(v_text, '$') + strpos(v_text, '€') + strpos(v_text, '£') > 0
                            and v_text ~ '[$€£][0-9]' then '{price}'::text[] else '{}' end as ls,
               tsvector_to_array(to_tsvector('english', v_subject_words)) as subject_ls
        from candidates as c
    )

    select i.kind, i.txt, i.dates, i.numbers, i.codes, i.norm, i.lexemes, f.found,
           -- For a topic to avoid, the draft's lexemes that mention it (to find its span).
           case when i.kind = 'avoid_topic' then f.found || array(
               select unnest(s.b) from syn as s where s.a <@ i.lexemes and s.b <@ dl.ls) end as hits,
           c.ws as candidates
    from items as i
    cross join draft_lexemes as dl
    cross join candidates as c
    cross join lateral (
        select coalesce(array_agg(distinct x.l), '{}') as found
        from (
            -- The stemmer's loose ends: a stem found as the start of the draft's, or the other way
            -- ("winterise" and "winter", "quiz" and "quizz"), when the two differ by 1 or 2 letters.
            select l.l from unnest(i.lexemes) as l (l)
            where l.l = any(dl.ls)
               or (i.kind = 'avoid_topic' and l.l = any(dl.subject_ls))
               or (char_length(l.l) >= 4 and exists (
                   select from unnest(dl.ls) as d (d)
                   where char_length(d.d) >= 4 and abs(char_length(d.d) - char_length(l.l)) <= 2
                     and (starts_with(d.d, l.l) or starts_with(l.l, d.d))))
            union all
            select unnest(s.a) from syn as s where s.a <@ i.lexemes and s.b <@ dl.ls
        ) as x
    ) as f
    order by array_position('{topic,key_point,offer,event_place,cta,avoid_topic}'::text[], i.kind), i.idx
    loop
        v_n := cardinality(v_item.lexemes);
        v_hits := cardinality(v_item.found);
        v_need := case when v_n <= 2 then v_n else ceil(v_n * 2 / 3.0)::integer end;
        -- The brief's words the draft lacks, as the brief wrote them (worked out only when some are).
        v_missing := '{}';
        if v_hits < v_n then
            v_missing := array(
                select w.w from unnest(string_to_array(v_item.norm, ' ')) with ordinality as w (w, o)
                where (ts_lexize('english_stem', w.w))[1] = any(v_item.lexemes)
                  and not (ts_lexize('english_stem', w.w))[1] = any(v_item.found)
                group by w.w order by min(w.o));
        end if;
        -- The numbers, dates and codes of a key point or offer the draft lacks.
        v_literals := '{}';
        if v_item.kind in ('key_point', 'offer') then
            if cardinality(v_item.numbers) > 0 then
                -- The body's numbers as words ("7am" is 7, "$20.00" is 20 and 00, "1,500" is 1 500).
                -- An item that gives no time of day wants its numbers elsewhere than in the body's
                -- times: "all six salsas" is not conveyed by "at 6 pm".
                v_digits := coalesce(v_digits, ' ' || regexp_replace(v_body_words, '[^0-9]+', ' ', 'g') || ' ');
                v_found_in := v_digits;
                if aicrm_private.phrase_key(v_item.txt) !~ v_time_pattern then
                    v_count_digits := coalesce(v_count_digits, ' ' || regexp_replace(
                        regexp_replace(v_body_words, v_time_pattern, ' ', 'g'), '[^0-9]+', ' ', 'g') || ' ');
                    v_found_in := v_count_digits;
                end if;
            end if;
            foreach v_one in array v_item.numbers loop
                if strpos(v_found_in, ' ' || v_one || ' ') = 0
                   and strpos(v_found_in, ' ' || regexp_replace(v_one, '([0-9])(?=([0-9]{3})+$)', '\1 ', 'g') || ' ') = 0
                   and not (char_length(v_one) <= 2 and v_one::integer between 1 and 12
                            and (strpos(v_body_words, ' ' || v_number_words[v_one::integer] || ' ') > 0
                                 or (v_one = '2' and strpos(v_body_words, ' twice ') > 0))) then
                    v_literals := v_literals || v_one;
                end if;
            end loop;
            foreach v_one in array v_item.codes loop
                if strpos(v_body_words, ' ' || aicrm_private.phrase_key(v_one) || ' ') = 0 then
                    v_literals := v_literals || v_one;
                end if;
            end loop;
            -- Quantities in words count as numbers too ("once a month", "about a quarter inch";
            -- brief_item_parts already takes "two" to "twelve" as digits).
            if v_item.norm ~ '\m(once|twice|quarter|half|dozen)\M' then
                foreach v_one in array array(
                    select distinct w.w from unnest(string_to_array(v_item.norm, ' ')) as w (w)
                    where w.w in ('once', 'twice', 'quarter', 'half', 'dozen')) loop
                    if strpos(v_body_words, ' ' || v_one || ' ') = 0 then
                        v_literals := v_literals || v_one;
                    end if;
                end loop;
            end if;
            foreach v_md in array v_item.dates loop
                if not aicrm_private.brief_date_in(v_body_words, v_md / 100, v_md % 100) then
                    v_literals := v_literals || to_char(make_date(2000, v_md / 100, v_md % 100), 'FMMonth FMDD');
                end if;
            end loop;
        end if;
        v_coverage := v_coverage || jsonb_strip_nulls(jsonb_build_object(
            'kind', v_item.kind, 'text', v_item.txt, 'words', v_n, 'found', v_hits,
            'covered', case when v_item.kind <> 'avoid_topic' then v_hits >= v_need and cardinality(v_literals) = 0 end,
            'mentioned', case when v_item.kind = 'avoid_topic' then v_n > 0 and v_hits >= v_need end,
            'missing', case when v_item.kind <> 'avoid_topic' and cardinality(v_missing) + cardinality(v_literals) > 0
                            then to_jsonb(v_literals || v_missing) end));

        case v_item.kind
        when 'topic' then
            -- Decided after the key points (below).
            v_topic := v_item.txt;
            v_topic_missing := v_missing;
            v_topic_state := case when v_hits >= v_need and v_hits = v_n then 'covered'
                                  when v_hits >= v_need then 'partly' else 'missing' end;
        when 'key_point', 'offer' then
            v_label := case when v_item.kind = 'offer' then 'offer' else 'key point' end;
            v_points := v_points + 1;
            -- A point without numbers, dates or codes is carried by its nouns and qualifiers, not by
            -- a common verb: "Meet the tutors" is not conveyed by "we'd love to meet you".
            if cardinality(v_literals) = 0 and v_hits < v_need and v_hits * 2 >= v_n
               and cardinality(v_item.numbers) + cardinality(v_item.dates) + cardinality(v_item.codes) = 0 then
                v_only_verbs := v_item.found <@ array(
                    select (ts_lexize('english_stem', w.w))[1]
                    from unnest(string_to_array(v_item.norm, ' ')) as w (w)
                    where w.w = any (aicrm_private.fluency_base_verbs() || aicrm_private.fluency_verbs()));
            else
                v_only_verbs := false;
            end if;
            -- A point of three words or more is conveyed where its words meet: when no sentence has
            -- two of them ("call" in the booking step, "price" in the price list, "repair" in the
            -- warranty), the point is not said ("We call you with a price before any repair").
            v_apart := false;
            if v_item.kind = 'key_point' and cardinality(v_literals) = 0 and v_n >= 3 and v_hits * 2 >= v_n
               and not v_only_verbs
               and cardinality(v_item.numbers) + cardinality(v_item.dates) + cardinality(v_item.codes) = 0 then
                if v_sentence_lexemes is null then
                    select coalesce(array_agg(' ' || array_to_string(tsvector_to_array(to_tsvector('english',
                                        aicrm_private.phrase_key(x.s))), ' ') || ' '), '{}')
                    into v_sentence_lexemes
                    from regexp_split_to_table(v_text, '[.!?]+(\s+|$)|\n+') as x (s)
                    where btrim(x.s) <> '';
                end if;
                v_apart := (select count(*) from unnest(v_item.found) as f (l)
                            where exists (select from unnest(v_sentence_lexemes) as x (s) where strpos(x.s, ' ' || f.l || ' ') > 0)) >= 2
                    and not exists (
                        select from unnest(v_sentence_lexemes) as x (s)
                        where (select count(*) from unnest(v_item.found) as f (l) where strpos(x.s, ' ' || f.l || ' ') > 0) >= 2);
            end if;
            if cardinality(v_literals) > 0 or v_hits * 2 < v_n or v_only_verbs or v_apart then
                v_findings := v_findings || aicrm_private.brief_finding(
                    case when v_item.kind = 'offer' then 'offer_terms_missing' else 'key_point_missing' end,
                    'major', 'content', null, null, null,
                    case when v_apart
                         then format('The brief''s %s ''%s'' is not in the draft: its words are there only apart, never two in one sentence.',
                                     v_label, v_item.txt)
                         else format('The brief''s %s ''%s'' is not in the draft (missing: %s).', v_label, v_item.txt,
                                     array_to_string(v_literals || v_missing, ', ')) end,
                    format('State the %s ''%s'', with its numbers, dates and codes exactly as given.', v_label,
                           v_item.txt));
                v_points_missing := v_points_missing + 1;
            elsif v_hits < v_need then
                v_findings := v_findings || aicrm_private.brief_finding(
                    case when v_item.kind = 'offer' then 'offer_terms_partly_covered'
                         else 'key_point_partly_covered' end,
                    'minor', 'content', null, null, null,
                    format('The brief''s %s ''%s'' is only partly in the draft (missing: %s).', v_label,
                           v_item.txt, array_to_string(v_missing, ', ')),
                    format('State the %s ''%s'' in full.', v_label, v_item.txt));
                v_points_missing := v_points_missing + 1;
            end if;
        when 'event_place' then
            if v_hits < v_need then
                v_findings := v_findings || aicrm_private.brief_finding('event_place_missing', 'major', 'content', null,
                    null, null,
                    format('The event''s place ''%s'' is not in the draft (missing: %s).', v_item.txt,
                           array_to_string(v_missing, ', ')),
                    format('Say where the event is: %s.', v_item.txt));
            end if;
        when 'cta' then
            if v_hits < v_need then
                v_findings := v_findings || aicrm_private.brief_finding('cta_not_used', 'minor', 'content', null, null,
                    null,
                    format('The brief''s call to action ''%s'' is not in the draft (missing: %s).', v_item.txt,
                           array_to_string(v_missing, ', ')),
                    format('End with the brief''s call to action: %s.', v_item.txt));
            end if;
        when 'avoid_topic' then
            if v_n > 0 and v_hits >= v_need then
                -- Where: the first word of it in the body (else the subject), and those close after it.
                v_pattern := '\m(?:' || (
                    select string_agg(distinct w.w, '|')
                    from unnest(v_item.candidates || string_to_array(v_subject_words, ' ')) as w (w)
                    where (ts_lexize('english_stem', w.w))[1] = any(v_item.hits))
                    || ')\M';
                v_field := 'content';
                select min(s.span_start) into v_start from aicrm_private.compliance_spans(v_text, v_pattern, 50) as s;
                if v_start is null and p_subject is not null then
                    v_field := 'subject';
                    select min(s.span_start) into v_start
                    from aicrm_private.compliance_spans(p_subject, v_pattern, 50) as s;
                end if;
                if v_start is not null then
                    select max(s.span_end) into v_end
                    from aicrm_private.compliance_spans(case when v_field = 'content' then v_text else p_subject end,
                                                        v_pattern, 50) as s
                    where s.span_start between v_start and v_start + 60;
                end if;
                v_findings := v_findings || aicrm_private.brief_finding('avoid_topic_mentioned', 'major', v_field, v_start,
                    v_end, substr(case when v_field = 'content' then v_text else p_subject end, v_start + 1, v_end - v_start),
                    format('The draft mentions ''%s'', a topic the brief says to avoid.', v_item.txt),
                    format('Remove what the draft says about ''%s''.', v_item.txt));
            end if;
        else
            null;
        end case;
    end loop;

    -- Off topic: the topic's words mostly missing from the body. When the brief's key points (and
    -- offer) are all there, the topic is carried by them (a topic often says what the piece is for:
    -- "new patients", "lapsed donors"), and a review request's topic is its occasion ("how was
    -- breakfast"): then only a minor finding.
    if v_topic_state = 'missing' and (v_points = 0 or v_points_missing > 0)
       and coalesce(v_in ->> 'purpose', '') <> 'review_request' then
        v_findings := v_findings || aicrm_private.brief_finding('off_topic', 'major', 'content', null, null, null,
            format('The draft is off its topic ''%s'': the body never mentions %s.', v_topic,
                   array_to_string(v_topic_missing, ', ')),
            format('Write about ''%s'', as the brief asks: mention %s in the body.', v_topic,
                   array_to_string(v_topic_missing, ', ')));
    elsif v_topic_state in ('missing', 'partly') then
        v_findings := v_findings || aicrm_private.brief_finding('topic_partly_covered', 'minor', 'content', null, null,
            null,
            format('The draft covers its topic ''%s'' only in part: %s not mentioned.', v_topic,
                   array_to_string(v_topic_missing, ', ')),
            format('Mention %s: the topic is ''%s''.', array_to_string(v_topic_missing, ', '), v_topic));
    end if;

    -- The offer's code and end date, the event's date and time.
    if jsonb_typeof(v_in -> 'offer') = 'object' then
        if btrim(coalesce(v_in #>> '{offer,code}', '')) <> ''
           and strpos(v_body_words, ' ' || aicrm_private.phrase_key(v_in #>> '{offer,code}') || ' ') = 0 then
            v_findings := v_findings || aicrm_private.brief_finding('offer_code_missing', 'major', 'content', null, null,
                null, format('The offer''s code %s is not in the draft.', v_in #>> '{offer,code}'),
                format('Quote the code %s exactly.', v_in #>> '{offer,code}'));
        end if;
        v_date := v_in #>> '{offer,valid_until}';
        -- An offer that ends on the last day of a month may say so by the month ("in January",
        -- "through January", "until the end of January").
        if v_date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}' and not aicrm_private.brief_date_in(v_body_words,
                substr(v_date, 6, 2)::integer, substr(v_date, 9, 2)::integer)
           and not (extract(day from left(v_date, 10)::date + 1) = 1
                    and v_body_words ~ (' (?:in|through|thru|during|throughout|all|all of|until the end of|'
                                        || 'till the end of|by the end of|end of) '
                                        || lower(to_char(left(v_date, 10)::date, 'FMMonth')) || ' ')) then
            v_findings := v_findings || aicrm_private.brief_finding('offer_end_date_missing', 'major', 'content', null,
                null, null,
                format('The offer''s end date (%s) is not in the draft.', to_char(v_date::date, 'FMMonth FMDD')),
                format('Say when the offer ends: until %s.', to_char(v_date::date, 'FMMonth FMDD')));
        end if;
    end if;
    if jsonb_typeof(v_in -> 'event') = 'object' then
        v_date := v_in #>> '{event,starts_at}';
        if v_date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}' then
            if not aicrm_private.brief_date_in(v_body_words, substr(v_date, 6, 2)::integer,
                                               substr(v_date, 9, 2)::integer) then
                v_findings := v_findings || aicrm_private.brief_finding('event_date_missing', 'major', 'content', null,
                    null, null,
                    format('The date of ''%s'' (%s) is not in the draft.', v_in #>> '{event,name}',
                           to_char(left(v_date, 10)::date, 'FMDay, FMMonth FMDD')),
                    format('Give the event''s date: %s.', to_char(left(v_date, 10)::date, 'FMDay, FMMonth FMDD')));
            end if;
            if v_date ~ '^.{10}[T ][0-9]{2}:[0-9]{2}' and substr(v_date, 12, 5) <> '00:00'
               and not v_body_words ~ aicrm_private.brief_time_pattern(substr(v_date, 12, 2)::integer,
                                                                 substr(v_date, 15, 2)::integer) then
                v_findings := v_findings || aicrm_private.brief_finding('event_time_missing', 'minor', 'content', null,
                    null, null,
                    format('The time of ''%s'' (%s) is not in the draft.', v_in #>> '{event,name}',
                           to_char(substr(v_date, 12, 5)::time, 'FMHH12:MI am')),
                    format('Give the event''s start time: %s.', to_char(substr(v_date, 12, 5)::time, 'FMHH12:MI am')));
            end if;
        end if;
    end if;

    -- Each link the brief gives, written out (any scheme, "www." or trailing slash, any case).
    if jsonb_typeof(v_in -> 'links') = 'object' then
        for v_key, v_url in select l.key, l.value from jsonb_each_text(v_in -> 'links') as l
                            where l.key in ('review_url', 'booking_url', 'cta_url') order by l.key desc loop
            v_url_key := rtrim(regexp_replace(lower(btrim(v_url)), '^https?://(www\.)?', ''), '/');
            if strpos(v_text, v_url_key) = 0 and strpos(lower(v_text), v_url_key) = 0 then
                v_label := case v_key when 'review_url' then 'review link' when 'booking_url' then 'booking link'
                                      else 'call-to-action link' end;
                v_findings := v_findings || aicrm_private.brief_finding(
                    replace(v_key, '_url', '') || '_link_missing', 'major', 'content', null, null, null,
                    format('The brief''s %s %s is not in the draft.', v_label, v_url),
                    format('Write out the %s in full: %s.', v_label, v_url));
            end if;
        end loop;
    end if;

    -- A welcome says what happens next: a call to action, or what the reader will get.
    if v_in ->> 'purpose' = 'welcome' and v_features.cta_start is null
       and cardinality(aicrm_private.keys_in_words(v_words, '{next,youll,you will,your first,coming up,expect,every week,each week,every month,each month,from now on,soon,look out,keep an eye,watch your inbox,will get,will receive,heres what,here is what,starting,first}')) = 0 then
        v_findings := v_findings || aicrm_private.brief_finding('welcome_next_step_missing', 'minor', 'content', null,
            null, null, 'The welcome does not say what happens next.',
            'Tell the new customer what comes next: what they will get, or a first step to take.');
    end if;

    select count(*) filter (where f ->> 'severity' = 'major'), count(*) filter (where f ->> 'severity' = 'minor')
    into v_major, v_minor
    from jsonb_array_elements(v_findings) as f;
    -- Most severe first, then by position (a missing part, with no span, after those with one),
    -- then in the brief's order; at most 20.
    select coalesce(jsonb_agg(x.f order by x.o), '[]') into v_findings
    from (
        select f.f, row_number() over (order by f.f ->> 'severity' <> 'major',
                                               coalesce((f.f #>> '{span,start}')::integer, 2147483647), f.o) as o
        from jsonb_array_elements(v_findings) with ordinality as f (f, o)
        order by 2 limit 20
    ) as x;
    return jsonb_build_object(
        'score', greatest(0, 100 - 20 * v_major - 5 * v_minor)::numeric(4, 1),
        'findings', v_findings,
        'coverage', v_coverage
    );
end
$$;

grant execute on function aicrm_private.score_brief(text, text, text, jsonb, jsonb, aicrm_private.draft_features)
to aicrm_app, aicrm_worker;
