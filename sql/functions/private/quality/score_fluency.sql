-- The scorecard's fluency part: does the draft read well (docs/quality.md, "Fluency"). Its lists
-- are in fluency_lists.sql, its sentences come from fluency_sentences.sql.

-- One fluency finding, in the scorecard's shape (a finding with no span has span null).
create or replace function aicrm_private.fluency_finding(
    p_check text, p_severity text, p_field text, p_start integer, p_end integer, p_text text,
    p_message text, p_fix text, p_fixable boolean default true
)
returns jsonb
language sql
immutable
parallel safe
-- No SET: pure and called per finding (private/quality/phrases.sql, at the top).
as $$
    select jsonb_build_object(
        'dimension', 'fluency', 'check', p_check, 'severity', p_severity, 'field', p_field,
        'span', case when p_start is not null
                     then jsonb_build_object('start', p_start, 'end', p_end, 'text', p_text) end,
        'message', p_message, 'fix', p_fix, 'fixable', p_fixable)
$$;

grant execute on function aicrm_private.fluency_finding(text, text, text, integer, integer, text, text, text, boolean)
to aicrm_app, aicrm_worker;

-- Every match of a pattern, case-sensitive (compliance_spans ignores case), as 0-based [start,
-- end) offsets: the matches and the text between them give the offsets in one pass. The pattern
-- must not match the empty string.
create or replace function aicrm_private.fluency_spans(p_text text, p_pattern text, p_limit integer default 20)
returns table (span_start integer, span_end integer, span_text text)
language plpgsql
immutable
parallel safe
-- No SET: pure and called per draft (private/quality/phrases.sql, at the top).
as $$
declare
    v_matches text[];
    v_pieces text[];
    v_pos integer := 0;
begin
    p_pattern := '(' || p_pattern || ')';
    select coalesce(array_agg(m[1] order by o), '{}') into v_matches
    from regexp_matches(p_text, p_pattern, 'g') with ordinality r (m, o);
    v_pieces := regexp_split_to_array(p_text, p_pattern);
    if cardinality(v_pieces) = cardinality(v_matches) + 1 and '' <> all (v_matches) then
        for i in 1 .. least(cardinality(v_matches), p_limit) loop
            v_pos := v_pos + char_length(v_pieces[i]);
            span_start := v_pos;
            span_end := v_pos + char_length(v_matches[i]);
            span_text := v_matches[i];
            return next;
            v_pos := span_end;
        end loop;
    end if;
end
$$;

grant execute on function aicrm_private.fluency_spans(text, text, integer) to aicrm_app, aicrm_worker;

-- A name as a reader expects it written: each word capitalised, the small words inside it not
-- ("the velvet chair salon" is "The Velvet Chair Salon", "rosa's taqueria" "Rosa's Taqueria").
create or replace function aicrm_private.fluency_proper_case(p_name text)
returns text
language sql
immutable
parallel safe
-- No SET: pure (private/quality/phrases.sql, at the top).
as $$
    select regexp_replace(regexp_replace(initcap(p_name), '''([[:upper:]])(?![[:alpha:]])', '''\1', 'g')
                              || '', '(?<=\S)\s(A|An|The|And|Of|In|On|At|For|To|By|De|La|Le|Da|Del|Y|E)(?=\s)',
                          ' \1', 'g')
$$;

grant execute on function aicrm_private.fluency_proper_case(text) to aicrm_app, aicrm_worker;

-- Fluency: doubled words, names not written as in the profile, repeated openers and phrases,
-- fragments, orphaned taglines, broken hashtags, empty price or date slots, filler and padding.
-- Each finding carries its span; the score is 100 - 40 per critical, 20 per major, 5 per minor
-- finding (floor 0). Pure: reads no table. p_text has curly apostrophes straightened and HTML
-- tags dropped (score_content); p_customer is the customer's row as JSON (null: none).
create or replace function aicrm_private.score_fluency(
    p_text text, p_subject text, p_channel text, p_customer jsonb, p_instructions jsonb,
    p_features aicrm_private.draft_features
)
returns jsonb
language plpgsql
immutable
parallel safe
set search_path = ''
-- Planned once per session: a custom plan per call (the default for a query with parameters)
-- planned its queries for every draft, a third of a scorecard's time (docs/quality.md, "Speed").
set plan_cache_mode = force_generic_plan
as $$
declare
    v_text text := coalesce(p_text, '');
    v_subject text := coalesce(p_subject, '');
    v_features aicrm_private.draft_features := coalesce(p_features, aicrm_private.draft_features_of(v_text, p_subject));
    v_word_count integer := coalesce(v_features.word_count, 0);
    v_brief_channel boolean := p_channel in ('sms', 'social');
    v_findings jsonb := '[]';
    v_name text := nullif(btrim(p_customer ->> 'name'), '');
    v_names text[] := '{}';        -- the names to check: the business's forms and the products'
    v_kinds text[];                -- each name's kind: business, short, proper (product), common (product)
    v_lowercase_profile boolean := false;
    v_name_seen boolean := false;
    v_form text;
    v_core text;
    v_pattern text;
    v_norm text;
    v_expected text;
    v_display text;
    v_is_business boolean;
    v_field text;
    v_source text;
    v_excluded text[];             -- keys whose repetition is expected (names, brand phrases, products)
    v_taglines text[];             -- keys of the selling points and brand phrases
    v_brand_phrases text[];        -- keys of the brand's phrases to use
    v_name_keys text[];
    v_excluded_text text;            -- keys of the names (a name alone is not a fragment)
    v_content text[];              -- the words that make a sentence specific to this business and brief
    v_major_at integer := case when v_word_count >= 250 then greatest(4, v_word_count / 400) else 3 end;
    v_total integer;
    v_generic integer;
    v_sentences integer;
    v_sentence_findings jsonb;
    v_score numeric;
    v_counts jsonb;
    r record;
    v_pass integer;
    v_doubled boolean;
    v_footer_start integer;        -- the system-owned postal address line, [start, end)
    v_footer_end integer;
    v_i integer;
begin
    if v_text = '' and v_subject = '' then
        return jsonb_build_object('score', 100, 'findings', '[]'::jsonb, 'sentences', 0);
    end if;

    -- The names as the profile writes them. A leading "The" is optional in a draft ("at the
    -- Velvet Chair Salon"); a one-word name is too often a plain word ("Bloom") to check.
    if v_name is not null then
        v_lowercase_profile := v_name = lower(v_name) and v_name <> upper(v_name);
        v_names := aicrm_private.name_forms(v_name);
    end if;
    v_kinds := array_fill('business'::text, array[cardinality(v_names)]);
    if cardinality(v_names) = 2 then
        v_kinds[2] := 'short';  -- the name without its legal form ("Saltmarsh Candle" of "... Co.")
    end if;
    -- A product is a proper name when its words are capitalised ("Gold Care Plan") or it has an
    -- inner capital ("SmileBright"); "Sourdough loaf" is a common noun a sentence may lowercase,
    -- but not re-case inside ("sourdough Loaf").
    select v_names || coalesce(array_agg(x.name), '{}'),
           v_kinds || coalesce(array_agg('product'::text), '{}')
    into v_names, v_kinds
    from (select btrim(p ->> 'name') as name
          from jsonb_array_elements(case when jsonb_typeof(p_customer -> 'products_services') = 'array'
                                         then p_customer -> 'products_services' else '[]' end) p
          where nullif(btrim(p ->> 'name'), '') is not null
          limit 30) x;

    -- A word twice in a row among the draft's words (the regex below, with its back reference, is
    -- slow: it runs only then).
    v_doubled := exists (select from (select u.word, lag(u.word) over (order by u.n) as previous
                                      from unnest(string_to_array(btrim(v_features.words), ' ')) with ordinality u (word, n)) x
                         where x.word = x.previous and translate(x.word, '0123456789', '') = x.word);

    -- The sender's postal address that aicrm adds to an email ("name · street, city.",
    -- assemble_draft) is not the writer's: it copies the profile's name as stored.
    v_form := btrim(p_customer #>> '{address,street}');
    if v_form <> '' and strpos(v_text, ' · ') > 0 and strpos(v_text, v_form) > 0 then
        select min(x.at) - 1, min(x.at) - 1 + min(char_length(x.l)) into v_footer_start, v_footer_end
        from (select l.l, strpos(v_text, l.l) as at
              from unnest(string_to_array(v_text, E'\n')) as l (l)
              where strpos(l.l, ' · ') > 0 and strpos(l.l, v_form) > 0) as x;
    end if;

    -- 1. doubled_word, 2. name_case and 7. dangling_slot: in the content and the subject.
    for v_pass in 1 .. 2 loop
        v_field := case v_pass when 1 then 'content' else 'subject' end;
        v_source := case v_pass when 1 then v_text else v_subject end;
        continue when v_source = '';
        -- "The the", "to to", across one line break; not "had had" or "that that" (grammatical),
        -- not a name ("Walla Walla", both words capitalised), not numbers, not a heading's last word
        -- opening the next line.
        for r in
            select s.span_start, s.span_end, s.span_text
            from aicrm_private.compliance_spans(v_source,
                     '(?<![[:alnum:]''-])([[:alpha:]]+)(?:[ \t]+|[ \t]*\n[ \t]*)\2(?![[:alnum:]''-])', 20) s
            where v_doubled and lower(split_part(regexp_replace(s.span_text, '\s+', ' ', 'g'), ' ', 1)) <> all (
                      '{had,that,bye,ha,haha,hee,ho,knock,chop,tut,tsk,yum,boo,la,na,xo,so,mahi,bora,walla,baden,
                        pago,cous,bon,yo,pom,tom,chi,can,ba,bam,night,hip,choo,bang,hush,go,no,wow,ooh}'::text[])
              and not (s.span_text ~ '^[[:upper:]][^\s]*\s+[[:upper:]]'
                       and lower(split_part(s.span_text, ' ', 1)) <> all (
                           '{the,a,an,to,of,and,in,on,at,for,is,it,we,you,our,your,with,by,be,or,as}'::text[]))
              and not (s.span_text ~ '\n'
                       and (s.span_text ~ '\n\s*[[:upper:]]'
                            or substr(v_source, greatest(1, s.span_start - 99), least(s.span_start, 100))
                               ~ '(^|\n)[ \t#*]*$'))
        loop
            v_findings := v_findings || aicrm_private.fluency_finding('doubled_word', 'major', v_field,
                r.span_start, r.span_end, r.span_text,
                format('"%s": a word written twice.', regexp_replace(r.span_text, '\s+', ' ', 'g')),
                format('Write "%s" once.', split_part(regexp_replace(r.span_text, '\s+', ' ', 'g'), ' ', 1)));
        end loop;

        -- The business's name and the proper product names, as the profile writes them.
        for v_i in 1 .. cardinality(v_names) loop
            v_form := v_names[v_i];
            v_core := btrim(v_form);
            v_core := case when lower(left(v_core, 4)) = 'the ' then btrim(substr(v_core, 5)) else v_core end;
            continue when strpos(v_core, ' ') = 0 or lower(v_core) = upper(v_core)  -- one word: too often a plain word
                -- Not in the draft at all (most products): no regex pass for it.
                or strpos(v_features.words, ' ' || aicrm_private.phrase_key(v_core) || ' ') = 0;
            if v_kinds[v_i] = 'product' then
                v_kinds[v_i] := case when v_core ~ '[[:lower:]][[:upper:]]'
                                          or regexp_count(v_core, '(^|\s)[[:upper:]][[:alpha:]]') >= 2
                                             and v_core !~ '(^|\s)[[:lower:]][[:alpha:]]{3,}'
                                     then 'proper' else 'common' end;
            end if;
            v_is_business := v_kinds[v_i] in ('business', 'short');
            v_name_seen := v_name_seen or v_is_business;
            -- Every occurrence (any case) written in an accepted form: nothing to look at. Counted
            -- with replace(), no regex; only a name written otherwise is searched for below.
            continue when not v_lowercase_profile and v_kinds[v_i] <> 'short'
                and (char_length(v_source) - char_length(replace(lower(v_source), lower(v_core), ''))) / char_length(v_core)
                    = (select coalesce(sum((char_length(v_source) - char_length(replace(v_source, a.form, '')))
                                           / char_length(v_core)), 0)
                       from (select distinct x as form
                             from unnest(array[v_core, upper(v_core)] || case when v_kinds[v_i] = 'common' then
                                         array[lower(v_core), upper(left(v_core, 1)) || substr(v_core, 2),
                                               lower(left(v_core, 1)) || substr(v_core, 2),
                                               aicrm_private.fluency_proper_case(v_core)] end) x
                             where x is not null) a);
            v_pattern := '[[:alnum:]@/._#-]?'
                || regexp_replace(regexp_replace(v_core, '([.*+?^${}()|\[\]\\])', '\\\1', 'g'), '\s+', '\\s+', 'g')
                || '(?![[:alnum:]_@-]|\.[[:alnum:]])';
            v_expected := case when v_lowercase_profile and v_is_business
                               then aicrm_private.fluency_proper_case(v_core) else v_core end;
            v_display := case when v_lowercase_profile and v_is_business
                              then aicrm_private.fluency_proper_case(v_form) else v_form end;
            for r in select s.span_start, s.span_end, s.span_text
                     from aicrm_private.compliance_spans(v_source, v_pattern, 20) s
                     -- (A lookbehind costs a millisecond a pass: a name glued to a letter, an address
                     -- or a hashtag is matched with that character and skipped here.)
                     where lower(left(s.span_text, 1)) = lower(left(v_core, 1))
                       and char_length(regexp_replace(s.span_text, '\s+', ' ', 'g')) = char_length(v_core)
                       and not coalesce(v_pass = 1 and s.span_start >= v_footer_start and s.span_start < v_footer_end,
                                        false) loop
                -- A name found twice (the full name and its short form) is reported once.
                continue when v_findings @> jsonb_build_array(jsonb_build_object('check', 'name_case', 'field', v_field,
                    'span', jsonb_build_object('start', r.span_start)));
                v_norm := regexp_replace(r.span_text, '\s+', ' ', 'g');
                v_expected := regexp_replace(v_expected, '\s+', ' ', 'g');
                continue when v_norm = v_expected or v_norm = upper(v_norm)
                    -- A lowercase profile name: any properly capitalised form is accepted.
                    or (v_is_business and v_lowercase_profile and v_norm ~ '^[[:upper:][:digit:]]'
                        and v_norm !~ '\s[[:lower:]][[:alpha:]]{3,}')
                    -- The short form's first word as the profile has it: the rest may be a plain
                    -- noun ("a Saltmarsh candle").
                    or (v_kinds[v_i] = 'short' and not v_lowercase_profile
                        and split_part(v_norm, ' ', 1) = split_part(v_expected, ' ', 1))
                    -- A common-noun product: its first letter either way, all lowercase, or title case.
                    or (v_kinds[v_i] = 'common'
                        and (substr(v_norm, 2) = substr(v_expected, 2)
                             or v_norm = lower(v_norm) and substr(v_expected, 2) = lower(substr(v_expected, 2))
                             or v_norm = aicrm_private.fluency_proper_case(v_expected)));
                v_findings := v_findings || aicrm_private.fluency_finding('name_case', 'major', v_field,
                    r.span_start, r.span_end, r.span_text,
                    format('"%s" is not written as the name is: "%s".', v_norm, v_display),
                    format('Write the name exactly as "%s" every time.', v_display));
            end loop;
        end loop;

        -- A price or date slot left empty: "(per month)" with no amount, "from $ ", "% off", "on at 7pm",
        -- "until .". {{placeholders}} and [placeholders] are structure's. Each pattern runs only when a
        -- cheap look-up finds what it needs (a regex pass over a draft costs about a millisecond).
        for r in
            select x.span_start, x.span_end, x.span_text, d.kind
            from (values
                    ('paren', strpos(lower(v_source), '(per') + strpos(lower(v_source), '( per') > 0,
                     '\(\s*per\s+[[:alpha:]]+\s*\)'),
                    ('words', cardinality(aicrm_private.keys_in_words(' ' || aicrm_private.phrase_key(v_source) || ' ',
                         '{only per,just per,at per,for per,from per,of per,to per,only each,just each,only apiece,
                           just apiece,between and,from to,from until,on at,by at,until at,before at,from at}'::text[])) > 0,
                     '\y(only|just|at|for|from|of|to)\s+per\s+[[:alpha:]]+|\y(only|just)\s+(each|apiece)\y'
                     || '|\y(on|by|until|before|from)\s+(at|from|to|until)\s+[0-9]|\ybetween\s+and\y|\yfrom\s+(to|until)\s'),
                    ('currency', strpos(v_source, '$') + strpos(v_source, '€') + strpos(v_source, '£') > 0,
                     '[$€£](\s?[^0-9$€£\s]|\s*$)'),
                    ('percent', strpos(v_source, '%') > 0, '(^|[^0-9%\s])\s*%'),
                    ('punctuation', strpos(v_source, ' .') + strpos(v_source, ' ,') + strpos(v_source, ' ;')
                                    + strpos(v_source, ' :') + strpos(v_source, ' !') + strpos(v_source, ' ?')
                                    + strpos(v_source, ' )') > 0,
                     '\y(on|until|till|by|before|after|within|in|through|thru|from|starting|ends?|between|at|for|of'
                     || '|to|only|just|is|are)[ \t]+[.,;:!?)]')
                 ) as d (kind, wanted, pattern)
            cross join lateral aicrm_private.compliance_spans(v_source, d.pattern, 5) x
            where d.wanted
              -- (per month) after an amount is fine: "$29 (per month)".
              and not (d.kind = 'paren' and substr(v_source, greatest(1, x.span_start - 9), least(x.span_start, 10))
                                            ~ '[0-9][^[:alpha:]]*$')
        loop
            -- A "%" with no number: the span is the sign alone.
            if r.kind = 'percent' then
                r.span_start := r.span_end - 1;
                r.span_text := '%';
            elsif r.kind = 'currency' then
                r.span_end := r.span_start + 1;
                r.span_text := substr(v_source, r.span_start + 1, 1);
            end if;
            v_findings := v_findings || aicrm_private.fluency_finding('dangling_slot', 'major', v_field,
                r.span_start, r.span_end, r.span_text,
                format('"%s": a price, amount or date is missing here.',
                       aicrm_private.compliance_evidence(v_source, r.span_start, r.span_end)),
                'Fill in the missing amount or date from the brief or the profile, or rewrite the sentence without it.');
        end loop;
    end loop;

    -- The profile's own name in lowercase (a CRM export): a profile problem, not the writer's.
    if v_lowercase_profile and v_name_seen then
        v_findings := v_findings || aicrm_private.fluency_finding('name_case', 'minor', 'content', null, null, null,
            format('The customer''s profile writes its name in lowercase ("%s"), as a CRM export had it; no rewrite '
                   'can change the profile.', v_name),
            format('Normalise the name once in the profile (aicrm.upsert_business_profile), e.g. "%s".',
                   aicrm_private.fluency_proper_case(v_name)),
            false);
    end if;

    -- 6. broken_hashtag (social and SMS, where "#" starts a hashtag; a blog's "# " is a heading).
    if v_brief_channel and strpos(v_text, '#') > 0 then
        for r in
            select s.span_start, s.span_end, s.span_text
            from aicrm_private.fluency_spans(v_text,
                     '(?<![^\s(])#[[:alnum:]_]+#[[:alnum:]_#]*'
                     || '|(?<![^\s(])#[[:alnum:]_]*[[:lower:]][[:upper:]]{2}[[:lower:]][[:alnum:]_]*'
                     || '|(?<![^\s(])#[[:alnum:]_]+([-''][[:alnum:]_]+)+'
                     || '|(?<![^\s(])#[ \t]+[[:alnum:]_]+'
                     -- "#Rosas Taqueria #SATX": a hashtag split by a space (a capitalised word left
                     -- between hashtags or at the end of the line); "#Asheville_ Hair".
                     || '|(?<![^\s(])#[[:alnum:]_]+[ \t]+[[:upper:]][[:alnum:]]*(?=[ \t]*(#|\n|$))'
                     || '|(?<![^\s(])#[[:alnum:]_]*_(?![[:alnum:]_])'
                     || '|(?<![^\s(#])#[^\s[:alnum:]_#]', 10) s
        loop
            v_findings := v_findings || aicrm_private.fluency_finding('broken_hashtag', 'major', 'content',
                r.span_start, r.span_end, r.span_text,
                format('"%s" is a broken hashtag: %s.', r.span_text, case
                    when r.span_text ~ '^#[^#]+#' then 'two hashtags run together'
                    when r.span_text ~ '^#\s' then 'a space after "#" leaves an empty hashtag'
                    when r.span_text ~ '\s' then 'a space splits it in two'
                    when r.span_text ~ '_$' then 'it ends in an underscore'
                    when r.span_text ~ '[-'']' then 'a hyphen or apostrophe ends a hashtag there'
                    when r.span_text ~ '^#[^[:alnum:]_]' then '"#" followed by punctuation'
                    else 'a capital letter in the wrong place breaks a word' end),
                'Write each hashtag as one word of letters and digits in CamelCase (#RosasTaqueria), separated by spaces.');
        end loop;
        -- The brand's own hashtags (content_preferences.hashtags, and the name as one word)
        -- written another way: "#SunriseBAKery" or "#SunriseBakeryy" for #SunriseBakery.
        for r in
            select distinct on (h.span_start) h.span_start, h.span_end, h.span_text, o.tag
            from aicrm_private.fluency_spans(v_text, '(?<![^\s(])#[[:alnum:]_]+', 20) as h
            cross join (
                select x.tag
                from jsonb_array_elements_text(case when jsonb_typeof(p_customer #> '{content_preferences,hashtags}') = 'array'
                                                    then p_customer #> '{content_preferences,hashtags}' else '[]' end) as x (tag)
                where x.tag ~ '^#[[:alnum:]_]{4,}$'
                union
                -- The name as one word, each word capitalised and its inner capitals kept
                -- ("BrightPath Tutoring" is #BrightPathTutoring: initcap would lower the P); not
                -- when the profile lists a hashtag of the same letters (the brand's own casing).
                select n.tag
                from (select '#' || string_agg(upper(left(w.w, 1)) || substr(w.w, 2), '' order by w.o) as tag
                      from regexp_split_to_table(replace(replace(v_name, '''', ''), '’', ''), '[^[:alnum:]]+')
                           with ordinality as w (w, o)) as n
                where v_name is not null and v_name <> lower(v_name)
                  and char_length(regexp_replace(v_name, '[^[:alnum:]]+', '', 'g')) >= 4
                  and not exists (select from jsonb_array_elements_text(
                                      case when jsonb_typeof(p_customer #> '{content_preferences,hashtags}') = 'array'
                                           then p_customer #> '{content_preferences,hashtags}' else '[]' end) as x (tag)
                                  where lower(x.tag) = lower(n.tag))
            ) as o
            where h.span_text <> o.tag
              and (lower(h.span_text) = lower(o.tag)
                   or (regexp_replace(lower(h.span_text), '(.)\1+', '\1', 'g') = regexp_replace(lower(o.tag), '(.)\1+', '\1', 'g')
                       and lower(h.span_text) <> lower(o.tag)))
              -- the pattern checks above found it already
              and not jsonb_path_exists(v_findings, '$[*] ? (@.check == "broken_hashtag" && @.span.start == $s)',
                                        jsonb_build_object('s', h.span_start))
              -- the name as one word, in its own case: "#sunrisebakery" is a style, not a typo
              and not (lower(h.span_text) = lower(o.tag) and h.span_text = lower(h.span_text))
            order by h.span_start
        loop
            v_findings := v_findings || aicrm_private.fluency_finding('broken_hashtag', 'major', 'content',
                r.span_start, r.span_end, r.span_text,
                format('"%s" is the brand''s hashtag %s written another way.', r.span_text, r.tag),
                format('Write it as the brand does: %s.', r.tag));
        end loop;
    end if;

    -- 8. filler: stock sentences that say nothing (strong: major each) and clichés (weak: minor
    -- each, major from the third). Their words are looked up first; the patterns run only on a hit.
    for r in
        select k.strong, x.span_start, x.span_end, x.span_text, count(*) over (partition by k.strong) as n
        from (values (true), (false)) k (strong)
        cross join lateral aicrm_private.compliance_spans(v_text, aicrm_private.fluency_filler_pattern(k.strong), 10) x
        where cardinality(aicrm_private.keys_in_words(v_features.words, aicrm_private.fluency_filler_keys(k.strong))) > 0
    loop
        v_findings := v_findings || aicrm_private.fluency_finding('filler',
            case when r.strong or r.n >= 3 then 'major' else 'minor' end, 'content', r.span_start, r.span_end,
            r.span_text,
            format('"%s" is a stock phrase that says nothing about this business.', r.span_text),
            'Replace it with something specific: a product, a fact from the profile or the brief.');
    end loop;

    -- The phrases whose repetition is expected, the taglines and the words that make a sentence specific.
    select coalesce(array_agg(distinct k) filter (where k <> ''), '{}') into v_excluded
    from unnest(v_names || coalesce(aicrm_private.name_forms(v_name), '{}')
                || coalesce((select array_agg(x) from jsonb_array_elements_text(
                       case when jsonb_typeof(p_customer #> '{brand_voice,phrases_to_use}') = 'array'
                            then p_customer #> '{brand_voice,phrases_to_use}' else '[]' end) x), '{}')
                || coalesce((select array_agg(p ->> 'name') from jsonb_array_elements(
                       case when jsonb_typeof(p_customer -> 'products_services') = 'array'
                            then p_customer -> 'products_services' else '[]' end) p), '{}')
                || array[p_instructions ->> 'topic', p_instructions ->> 'cta']) as u (x)
    cross join lateral aicrm_private.phrase_key(u.x) as k;
    -- One string to look phrases up in: " key1 | key2 | ... " (a phrase is in one of them when
    -- strpos finds " phrase ").
    v_excluded_text := ' ' || array_to_string(v_excluded, ' | ') || ' ';
    select coalesce(array_agg(distinct aicrm_private.phrase_key(y.z)), '{}') into v_name_keys
    from unnest(v_names) x
    cross join lateral (values (x), (case when lower(left(x, 4)) = 'the ' then substr(x, 5) else x end)) y (z);
    select coalesce(array_agg(distinct k) filter (where strpos(k, ' ') > 0), '{}') into v_brand_phrases
    from jsonb_array_elements_text(case when jsonb_typeof(p_customer #> '{brand_voice,phrases_to_use}') = 'array'
                                        then p_customer #> '{brand_voice,phrases_to_use}' else '[]' end) x
    cross join lateral aicrm_private.phrase_key(x) as k;
    select coalesce(array_agg(distinct k) filter (where strpos(k, ' ') > 0), '{}') into v_taglines
    from (select x from jsonb_array_elements_text(case when jsonb_typeof(p_customer -> 'unique_selling_points') = 'array'
                                                       then p_customer -> 'unique_selling_points' else '[]' end) x
          union all
          select x from jsonb_array_elements_text(case when jsonb_typeof(p_customer #> '{brand_voice,phrases_to_use}') = 'array'
                                                       then p_customer #> '{brand_voice,phrases_to_use}' else '[]' end) x
          union all
          select p_customer ->> 'tagline') t
    cross join lateral aicrm_private.phrase_key(t.x) as k;
    select coalesce(array_agg(distinct case when right(w, 1) = 's' then left(w, -1) else w end), '{}') into v_content
    from unnest(string_to_array(aicrm_private.phrase_key(concat_ws(' ',
             v_name, p_customer ->> 'business_description', p_customer ->> 'industry_subcategory',
             p_customer #>> '{address,city}', (p_customer -> 'unique_selling_points')::text,
             (p_customer -> 'products_services')::text, p_instructions ->> 'topic', p_instructions ->> 'cta',
             (p_instructions -> 'key_points')::text, (p_instructions -> 'offer')::text,
             (p_instructions -> 'event')::text, (p_instructions -> 'must_include')::text)), ' ')) w
    where char_length(w) >= 3 and translate(w, '0123456789', '') <> '' and w <> all (aicrm_private.fluency_stopwords())
      and w <> all ('{name,description,price,currency,price_note,note,code,valid_until,starts_at,place}'::text[]);

    -- 3.-5. and 8. (padding): what the sentences say, measured in one statement (its facts once).
    -- Few regexes here: PostgreSQL keeps 32 compiled ones, and a scorecard that cycles through
    -- more compiles them again on every draft (string functions cost nothing to keep).
    with s as (
        select f.*, aicrm_private.phrase_key(f.sentence) as sentence_key,
               rtrim(f.sentence, ' "''”’)*_') as trimmed
        from aicrm_private.fluency_sentences(v_text) f
    ), w as materialized (
        select s.sentence_no, s.span_start, t.word, t.n,
               lag(t.word) over (partition by s.sentence_no order by t.n) as previous,
               right(t.word, 1) = 's' and right(t.word, 2) <> 'ss' as ends_s,
               translate(t.word, '0123456789', '') <> t.word as has_digit,
               sw.word is null and translate(t.word, '0123456789', '') <> '' as content
        from s
        cross join lateral unnest(string_to_array(s.sentence_key, ' ')) with ordinality as t (word, n)
        left join unnest(aicrm_private.fluency_stopwords()) as sw (word) on sw.word = t.word
        where s.sentence_key <> ''
    ), v as (
        -- A finite verb: an auxiliary, a contraction, an -s or past form; a base form opening the
        -- sentence or after a subject or "to"; any word after a subject pronoun ("we knead"); a
        -- base form after a plural noun ("children need"); an -s form after a noun or "it".
        select w.sentence_no,
               bool_or(vb.word is not null
                       or bv.word is not null and (w.n = 1 or w.previous in ('to', 'please', 'and', 'or', 'lets', 'dont',
                                                                             'just', 'then', 'simply', 'now', 'so'))
                       or w.previous in ('we', 'you', 'they', 'i', 'he', 'she', 'who') and w.content
                          and right(w.word, 2) <> 'ly' and right(w.word, 3) not in ('ful', 'ous')
                       or w.n > 1 and w.ends_s and ps.word is null and bs.word is not null
                       or bv.word is not null and (right(w.previous, 1) = 's' and right(w.previous, 2) <> 'ss'
                                                   or w.previous in ('children', 'people', 'kids', 'men', 'women'))
                       or w.ends_s and w.previous in ('nothing', 'everything', 'something', 'everyone', 'nobody', 'it',
                                                      'this', 'that', 'which', 'one')) as finite,
               bool_or(char_length(w.word) > 4 and (right(w.word, 2) = 'ed' or right(w.word, 3) = 'ing')
                       and w.word <> all (aicrm_private.fluency_not_verbs())) as participle,
               bool_or(c.word is not null or w.has_digit) as specific,
               count(*) filter (where w.word in ('we', 'you', 'they', 'i', 'he', 'she', 'it', 'there')) as pronouns
        from w
        left join unnest(aicrm_private.fluency_verbs()) as vb (word) on vb.word = w.word
        left join unnest(aicrm_private.fluency_base_verbs()) as bv (word) on bv.word = w.word
        left join unnest(aicrm_private.fluency_base_verbs()) as bs (word) on w.ends_s and bs.word = left(w.word, -1)
        left join unnest(aicrm_private.fluency_stopwords()) as ps (word) on ps.word = w.previous
        left join unnest(v_content) as c (word) on c.word = case when w.ends_s then left(w.word, -1) else w.word end
        group by w.sentence_no
    ), f as materialized (
        select s.sentence_no, s.paragraph_no, s.line_no, s.line_sentences, s.line_kind, s.span_start, s.span_end,
               s.sentence, s.sentence_key, k.word_count,
               split_part(s.sentence_key, ' ', 1) as first_word,
               array_to_string((string_to_array(s.sentence_key, ' '))[1:2], ' ') as first_two,
               case when right(s.trimmed, 1) in ('.', '!', '?', '…') then right(s.trimmed, 1) end as terminator,
               coalesce(v.finite, false) as finite,
               coalesce(v.finite or v.participle, false) as verb,
               -- Specific: a profile or brief word, a number, a proper noun, an address.
               coalesce(v.specific, false) or s.sentence ~ '\s["''(]?[[:upper:]][[:alpha:]]|[0-9@#]|https?:|www\.'
                   as specific,
               coalesce(v.pronouns, 0)::integer as pronouns,
               -- After the first comma, a main clause (a verb, or a subject: "If you need us, call."),
               -- or four words or more ("If you work from home, note the size of ...").
               strpos(s.sentence, ',') > 0
                   and (string_to_array(a.key, ' ') && (aicrm_private.fluency_verbs() || aicrm_private.fluency_base_verbs()
                                                        || '{we,you,they,i,its,theres,done}'::text[])
                        or char_length(a.key) - char_length(replace(a.key, ' ', '')) >= 3) as after_comma_finite,
               -- After the first comma, a main clause for certain: a finite verb, or a subject or an
               -- imperative opening it ("Before the first storm, insulate your pipes."); not a phrase
               -- with a noun that could be a verb ("Especially in spring, with families on the move.").
               strpos(s.sentence, ',') > 0
                   and (string_to_array(a.key, ' ') && (aicrm_private.fluency_verbs() || '{done}'::text[])
                        or split_part(a.key, ' ', 1) = any (aicrm_private.fluency_base_verbs()
                                                             || '{we,you,they,i,its,theres,there,it,this,that}'::text[]))
                   as after_comma_main,
               -- A slogan: two or three comma-separated pairs of content words, with no verb ("Free
               -- quotes, fair prices.", "Real bread, real time."): a tagline, whether or not the
               -- profile has it.
               k.word_count between 4 and 6 and strpos(s.sentence, ',') > 0
                   and cardinality(string_to_array(s.trimmed, ',')) between 2 and 3
                   and not exists (
                       select from unnest(string_to_array(rtrim(s.trimmed, '.!?…'), ',')) as x (part)
                       cross join lateral string_to_array(aicrm_private.phrase_key(x.part), ' ') as p (ws)
                       where cardinality(p.ws) <> 2 or p.ws && aicrm_private.fluency_stopwords()
                          or right(p.ws[1], 2) = 'ly' or right(p.ws[2], 2) = 'ly') as slogan,
               -- All of it a selling point or brand phrase, or a piece of one ("Gentle care." of
               -- "Gentle care for nervous patients").
               k.word_count >= 2 and exists (select from unnest(v_taglines) t (k)
                                             where strpos(' ' || t.k || ' ', ' ' || s.sentence_key || ' ') > 0) as tagline,
               -- Not a continuation (lowercase), a greeting, thanks, a wish, a sign-off, an idiom
               -- written as a sentence ("No.", "Deal!"), a name, nor a line with a number or address.
               left(ltrim(s.sentence, '"''(“'), 1) <> lower(left(ltrim(s.sentence, '"''(“'), 1))
                   and translate(s.sentence, '0123456789@#/', '') = s.sentence
                   and split_part(s.sentence_key, ' ', 1) <> all ('{hi,hello,hey,dear,thanks,cheers,regards,best,sincerely,
                       yours,love,xo,happy,merry,congratulations,congrats,welcome,enjoy,absolutely,indeed,ps,questions,wow,
                       oh,ah,yum,and,but,or,so}'::text[])
                   and s.sentence_key not like all ('{good morning%,good afternoon%,good evening%,thank you%,many thanks%,
                       warm regards%,kind regards%,all the best%,bon appetit%,no problem%,of course%,p s%,see you%,
                       talk soon%,until next time%,stay warm%,stay safe%,stay cool%,stay dry%,while supplies%,
                       while stocks%,as always%,first come%,no appointment%,no catch%,no strings%,walk ins%}'::text[])
                   and s.sentence_key <> all ('{yes,no,nope,sure,not yet,not sure,almost,simple,easy,done,promise,deal,
                       sold,delicious,perfect,limited,free,same day}'::text[])
                   and s.sentence_key <> all (v_name_keys) as checkable
        from s
        left join v using (sentence_no)
        cross join lateral (select case when s.sentence_key = '' then 0
                                        else array_length(string_to_array(s.sentence_key, ' '), 1) end as word_count) k
        cross join lateral (select aicrm_private.phrase_key(substr(s.sentence, strpos(s.sentence, ',') + 1)) as key) a
    ),
    -- Verbless prose sentences (a heading, a list item, a line without a full stop and a question
    -- are not), less greetings, thanks, wishes, sign-offs and the idioms written as a sentence.
    verbless as (
        select f.*,
               -- Runs of short ones in one paragraph: "Calm evenings. Sea air. Small batches."
               case when f.word_count <= 4 then count(*) filter (where f.word_count <= 4)
                                                    over (partition by f.paragraph_no, f.grp) else 1 end as run
        from (select f.*, f.sentence_no - row_number() over (partition by f.paragraph_no, f.word_count <= 4
                                                                 order by f.sentence_no) as grp
              from f
              where f.line_kind = 'prose' and f.terminator in ('.', '!', '…') and not f.finite and f.checkable) f
    ),
    -- 3. repeated_phrase: the same opener (of a sentence, a list item or a capitalised clause:
    -- "Try our ..."), the same 3-word phrase, or a brand phrase, too often.
    repeats as (
        select a.*
        from (select o2.key as phrase, count(*)::integer as n, min(o.o) as nth, 'opener' as kind, (array_agg(o.m[1]
                     order by o.o))[1] as written
              from regexp_matches(v_text, '(?:^|[.!?…;:,][ \t]+|\n[ \t]*(?:[-*•·–+][ \t]+|[0-9]{1,2}[.)][ \t]+)?)'
                                          || '([[:upper:]][[:alpha:]'']*[ \t]+[[:alpha:]''][[:alpha:]''-]*)', 'g')
                   with ordinality as o (m, o)
              cross join lateral aicrm_private.phrase_key(o.m[1]) as o2 (key)
              where strpos(v_excluded_text, ' ' || o2.key || ' ') = 0
              group by o2.key
              -- Openers of small words only ("You can", "No more") count from one more.
              having count(*) >= v_major_at + case when exists (
                         select from unnest(string_to_array(o2.key, ' ')) u (word)
                         where u.word <> all (aicrm_private.fluency_stopwords())) then 0 else 1 end
                  or v_brief_channel and count(*) >= 2 and exists (
                         select from unnest(string_to_array(o2.key, ' ')) u (word)
                         where u.word <> all (aicrm_private.fluency_stopwords()))
              union all
              select t.gram, count(*)::integer, min(t.span_start), 'phrase', null
              from (select w.span_start,
                           w.word || ' ' || lead(w.word) over x || ' ' || lead(w.word, 2) over x as gram,
                           w.content or lead(w.content) over x or lead(w.content, 2) over x as content
                    from w
                    window x as (partition by w.sentence_no order by w.n)) t
              where t.gram is not null and t.content
                and strpos(v_excluded_text, ' ' || t.gram || ' ') = 0
              group by t.gram
              union all
              -- (Spaces doubled, so that two occurrences in a row are both counted.)
              select b.key, (char_length(d.words) - char_length(replace(d.words, ' ' || d.key || ' ', '')))
                            / (char_length(d.key) + 2), 0, 'brand', null
              from unnest(v_brand_phrases) b (key)
              cross join lateral (select replace(v_features.words, ' ', '  ') as words,
                                         replace(b.key, ' ', '  ') as key) d) a
        where a.n >= v_major_at or (v_brief_channel and a.n >= 2 and a.kind <> 'brand')
        order by a.n desc, a.nth
        limit 5
    ),
    -- 8. padding: prose sentences with nothing specific in them (no name, number, product, topic or
    -- key-point word, no proper noun). On the labelled drafts good ones reach 67% and a fluent
    -- how-to blog 88% (advice is rarely about the profile), so only a draft of 10 or more prose
    -- sentences, more than 80% of them generic, is padding: a safety net, not a fine measure.
    padding as (
        select count(*)::integer as total, count(*) filter (where not f.specific)::integer as generic,
               (array_agg(f.sentence order by f.sentence_no) filter (where not f.specific))[1] as example
        from f
        where f.line_kind = 'prose' and f.word_count >= 5
    )
    select coalesce(jsonb_agg(x.finding), '[]'), (select total from padding), (select generic from padding),
           (select count(*) from f)
    into v_sentence_findings, v_total, v_generic, v_sentences
    from (
        select aicrm_private.fluency_finding('repeated_phrase',
                   case when rp.n >= v_major_at then 'major' else 'minor' end, 'content', p.at, p.at + char_length(p.text),
                   p.text,
                   format('%s %s times: "%s".', case rp.kind when 'opener' then 'The same opening words are used'
                                                          when 'brand' then 'The brand phrase is used'
                                                          else 'The same phrase is used' end, rp.n, rp.phrase),
                   format('Vary the wording: use "%s" once or twice at most.', coalesce(rp.written, rp.phrase))) as finding
        from repeats rp
        -- The span: a repeated phrase's first sentence; an opener or brand phrase where it is first written.
        cross join lateral (
            select case when rp.kind = 'phrase' then rp.nth
                        else nullif(strpos(lower(v_text), lower(coalesce(rp.written, rp.phrase))), 0) - 1 end::integer
                       as at,
                   case when rp.kind = 'phrase'
                        then (select f2.span_end - f2.span_start from f f2 where f2.span_start = rp.nth limit 1)
                        else char_length(coalesce(rp.written, rp.phrase)) end::integer as length) p0
        cross join lateral (select p0.at, case when p0.at is not null then substr(v_text, p0.at + 1, p0.length) end
                                              as text) p
        union all
        select aicrm_private.fluency_finding('orphan_tagline', 'major', 'content', b.span_start, b.span_end, b.sentence,
                   case when b.tagline or b.slogan
                        then format('"%s" is a tagline dropped in as a sentence of its own, with no verb.', b.sentence)
                        else format('"%s" is one of %s tagline-like fragments in a row, none with a verb.', b.sentence,
                                    b.run) end,
                   'Work the selling point into a full sentence that says what it means for the reader.')
        from verbless b
        where (b.tagline or b.slogan) and b.line_sentences > 1 or b.run >= 2
        union all
        select aicrm_private.fluency_finding('fragment', 'minor', 'content', b.span_start, b.span_end, b.sentence,
                   format('"%s" is a fragment: it has no verb.', b.sentence),
                   'Join it to the sentence before or after, or give it a verb.')
        from verbless b
        where not ((b.tagline or b.slogan) and b.line_sentences > 1 or b.run >= 2) and not b.verb and b.terminator = '.'
          and b.word_count <= 8 and b.line_sentences > 1
          and b.first_word not in ('if', 'when', 'because', 'although', 'though', 'since', 'while', 'unless', 'whether',
                                   'before', 'after', 'until', 'during', 'especially', 'including', 'which')
        union all
        -- A subordinate clause standing as a sentence: "If you've been putting off a checkup.",
        -- "Before the first big storm."
        select aicrm_private.fluency_finding('fragment', 'major', 'content', f.span_start, f.span_end, f.sentence,
                   format('"%s" is a fragment: it starts with "%s" and has no main clause.', f.sentence, f.first_word),
                   'Finish the sentence (say what follows from it) or join it to the next one.')
        from f
        where f.line_kind in ('prose', 'heading') and f.terminator in ('.', '!') and f.checkable
          and (f.first_word in ('if', 'when', 'because', 'although', 'though', 'since', 'while', 'unless', 'whether',
                                'whenever', 'wherever')
                   and f.finite and f.pronouns <= 1 and not f.after_comma_finite
               or f.first_word in ('before', 'after', 'until', 'during', 'if', 'when', 'because', 'since', 'while',
                                   'especially', 'including', 'which')
                   and not f.verb and f.line_kind = 'prose' and not f.after_comma_main
               or f.first_two in ('even if', 'even though', 'so that', 'as soon') and f.pronouns <= 1
                   and not f.after_comma_finite)
          and f.word_count <= 20
          and f.sentence_key <> all ('{while supplies last,while stocks last,if needed,if possible,if you can,if you like,
              if you wish,if you d like,when needed,when possible,when you re ready,since day one,if not sooner,
              before you know it}'::text[])
        union all
        select aicrm_private.fluency_finding('filler', 'major', 'content', null, null, null,
                   format('%s of %s sentences say nothing specific to the business or the brief (padding), e.g. "%s".',
                          p.generic, p.total, p.example),
                   'Cut the generic sentences; say something concrete about the topic, the products or the offer instead.')
        from padding p
        where p_channel in ('blog', 'web', 'email') and cardinality(v_content) >= 5
          and p.total >= 10 and p.generic > 0.8 * p.total
    ) x;
    v_findings := v_findings || v_sentence_findings;

    -- Most severe first, then by position; at most 5 of a check and 20 in all.
    select coalesce(jsonb_agg(x.finding order by x.rank, x.at), '[]'),
           jsonb_build_object('critical', count(*) filter (where x.rank = 0),
                              'major', count(*) filter (where x.rank = 1),
                              'minor', count(*) filter (where x.rank = 2))
    into v_findings, v_counts
    from (select y.finding, y.rank, y.at
          from (select e.finding,
                       case e.finding ->> 'severity' when 'critical' then 0 when 'major' then 1 else 2 end as rank,
                       coalesce((e.finding #>> '{span,start}')::integer, 2147483647) as at,
                       row_number() over (partition by e.finding ->> 'check'
                                          order by case e.finding ->> 'severity' when 'critical' then 0
                                                        when 'major' then 1 else 2 end, e.n) as nth
                from jsonb_array_elements(v_findings) with ordinality e (finding, n)) y
          where y.nth <= 5
          order by y.rank, y.at
          limit 20) x;
    v_score := greatest(0, 100 - 40 * (v_counts ->> 'critical')::integer - 20 * (v_counts ->> 'major')::integer
                               - 5 * (v_counts ->> 'minor')::integer);
    return jsonb_build_object(
        'score', round(v_score, 1),
        'findings', v_findings,
        'counts', v_counts,
        'sentences', v_sentences,
        'generic_sentences', v_generic,
        'prose_sentences', v_total
    );
end
$$;

grant execute on function aicrm_private.score_fluency(text, text, text, jsonb, jsonb, aicrm_private.draft_features)
to aicrm_app, aicrm_worker;
