-- The accuracy dimension's readers (score_accuracy.sql): every checkable claim of a text, found by
-- one small pattern per kind of claim, run only on a text that can hold that kind. Built-ins only
-- (these files sort before phrases.sql): no SET, pure, called per draft
-- (private/quality/phrases.sql, at the top).

-- Every match of p_pattern (which must wrap the whole match in its first group) with its 0-based
-- [start, end) offsets and all its groups: one regexp_matches pass; each match is the first
-- occurrence of its text from the end of the match before it. (A split pass with the same pattern
-- would give the offsets too, but PostgreSQL compiles and caches a pattern used without its groups
-- apart: every pattern would be compiled twice.)
create or replace function aicrm_private.accuracy_matches(p_text text, p_pattern text, p_flags text)
returns table (n bigint, span_start integer, span_end integer, groups text[])
language plpgsql
immutable
parallel safe
rows 5
-- No SET (see the top of this file).
as $$
declare
    v_pos integer := 0;  -- where the next match can start
    r record;
begin
    for r in select x.m, x.o from regexp_matches(coalesce(p_text, ''), p_pattern, p_flags || 'g') with ordinality as x (m, o) loop
        if char_length(r.m[1]) > 0 then
            n := r.o;
            span_start := v_pos + strpos(substr(p_text, v_pos + 1), r.m[1]) - 1;
            span_end := span_start + char_length(r.m[1]);
            groups := r.m;
            v_pos := span_end;
            return next;
        end if;
    end loop;
end
$$;

grant execute on function aicrm_private.accuracy_matches(text, text, text) to aicrm_app, aicrm_worker;

-- A number as written ("12", "1,200", "twenty", "a dozen") as numeric; null when it is none.
create or replace function aicrm_private.accuracy_number(p_word text)
returns numeric
language sql
immutable
parallel safe
-- No SET (see the top of this file).
as $$
    select case lower(btrim(p_word))
        when 'one' then 1 when 'two' then 2 when 'three' then 3 when 'four' then 4 when 'five' then 5
        when 'six' then 6 when 'seven' then 7 when 'eight' then 8 when 'nine' then 9 when 'ten' then 10
        when 'eleven' then 11 when 'twelve' then 12 when 'fourteen' then 14 when 'fifteen' then 15
        when 'eighteen' then 18 when 'twenty' then 20 when 'thirty' then 30 when 'forty' then 40
        when 'forty-five' then 45 when 'fifty' then 50 when 'sixty' then 60 when 'seventy' then 70
        when 'ninety' then 90 when 'hundred' then 100 when 'a dozen' then 12 when 'half' then 0.5
        else case when translate(p_word, '0123456789,.+ ', '') = '' and p_word ~ '[0-9]'
                  then trim_scale(nullif(translate(p_word, ',+ ', ''), '')::numeric) end end
$$;

grant execute on function aicrm_private.accuracy_number(text) to aicrm_app, aicrm_worker;

-- Minutes of the day of a clock time (h, optional mm, optional am/pm): one value, or two when
-- nothing says morning or evening ("7:30", "open until 9": 7:30 or 19:30). Midnight is 0.
create or replace function aicrm_private.accuracy_minutes(p_hour text, p_minute text, p_ampm text)
returns text[]
language sql
immutable
parallel safe
-- No SET (see the top of this file).
as $$
    select case
        when h > 24 or mm > 59 then '{}'::text[]
        when lower(left(p_ampm, 1)) = 'a' then array[(((h % 12) * 60 + mm) % 1440)::text]
        when lower(left(p_ampm, 1)) = 'p' then array[(((h % 12 + 12) * 60 + mm) % 1440)::text]
        when h >= 13 or h = 0 or left(p_hour, 1) = '0' then array[((h * 60 + mm) % 1440)::text]
        when h = 12 then array[(720 + mm)::text, mm::text]
        else array[(h * 60 + mm)::text, ((h + 12) * 60 + mm)::text] end
    from (select p_hour::integer as h, coalesce(nullif(p_minute, '')::integer, 0) as mm) x
$$;

grant execute on function aicrm_private.accuracy_minutes(text, text, text) to aicrm_app, aicrm_worker;

-- The kinds of checkable claim, one pattern each (group 1 the whole match; the comment before each
-- gives its groups as accuracy_claims numbers them: a kind's groups follow first_group). One pattern
-- per kind, not one of them all: PostgreSQL compiles one pattern of 24 alternatives in about 23 ms and
-- runs it over an email in about 6 ms, its parts together in about 5 ms and 1 ms, and a kind whose
-- cheap test fails on a text is not run at all: a text needs min_digits digits and, when needs is
-- set, one of its LIKE patterns in lower case (a superset of what the pattern can match).
create or replace function aicrm_private.accuracy_claim_kinds()
returns table (first_group integer, min_digits integer, needs text[], pattern text)
language sql
immutable
parallel safe
rows 24
-- No SET (see the top of this file).
as $$
    select k.first_group, k.min_digits, k.needs, k.pattern
    from (values
        -- 2 email
        (2, 0, array['%@%'],
         '([a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+)'),
        -- 3 url: with a scheme or www., or a bare host on a common top-level domain
        (3, 0, array['%://%', '%www.%', '%.co%', '%.org%', '%.net%', '%.io%', '%.us%', '%.ca%', '%.uk%', '%.biz%', '%.info%', '%.app%', '%.shop%', '%.store%', '%.online%', '%.site%', '%.dev%'],
         '((?:https?://|www\.)[^\s<>()\[\]"'']*[^\s<>()\[\]"''.,;:!?]'
         || '|(?<![@\w.-])[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:com|org|net|io|co|us|ca|uk|biz|info|app|shop|store|online|site|dev)(?![\w-])(?:/[^\s<>()\[\]"'']*[^\s<>()\[\]"''.,;:!?])?)'),
        -- 4 iso date: 5 year, 6 month, 7 day
        (4, 8, array['%-%'],
         '((\d{4})-(\d{2})-(\d{2}))'),
        -- 8 date "Saturday, May 14, 2027": 9 weekday, 10 month, 11 day, 12 year
        (8, 1, array['%jan%', '%feb%', '%mar%', '%apr%', '%may%', '%jun%', '%jul%', '%aug%', '%sep%', '%oct%', '%nov%', '%dec%'],
         '((?:(monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues|tue|wed|thurs|thur|thu|fri|sat|sun)\.?,?\s+(?:the\s+)?)?'
         || '(january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\M\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?![\d:])(?:,?\s+(\d{4}))?)'),
        -- 13 date "14 May": 14 weekday, 15 day, 16 month, 17 year
        (13, 1, array['%jan%', '%feb%', '%mar%', '%apr%', '%may%', '%jun%', '%jul%', '%aug%', '%sep%', '%oct%', '%nov%', '%dec%'],
         '((?:(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\.?,?\s+(?:the\s+)?)?(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?'
         || '(january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\M\.?(?:,?\s+(\d{4}))?)'),
        -- 18 always open
        (18, 0, array['%24%7%', '%clock%'],
         '(24\s*/\s*7|around[\s-]the[\s-]clock)'),
        -- 19 numeric date "5/14": 20 month, 21 day, 22 year
        (19, 2, array['%/%'],
         '((?<![\d/.])(\d{1,2})/(\d{1,2})(?:/(\d{4}|\d{2}))?(?![\d/]))'),
        -- 23 time range "7am-7pm": 24 h, 25 mm, 26 am/pm, 27 h, 28 mm, 29 am/pm
        (23, 2, array['%am%', '%pm%', '%a.m%', '%p.m%'],
         '((\d{1,2})(?::(\d{2}))?\s*(a\.m\.|p\.m\.|a\.?m|p\.?m)?\s*(?:-|–|—|to|until|till|til)\s*(\d{1,2})(?::(\d{2}))?\s*(a\.m\.|p\.m\.|a\.?m|p\.?m)(?![a-z]))'),
        -- 30 time "7:30pm": 31 h, 32 mm, 33 am/pm
        (30, 1, array['%am%', '%pm%', '%a.m%', '%p.m%'],
         '((\d{1,2})(?::(\d{2}))?\s*(a\.m\.|p\.m\.|a\.?m|p\.?m)(?![a-z]))'),
        -- 34 time "19:00": 35 h, 36 mm
        (34, 3, array['%:%'],
         '((?<![\d:.$])([01]?\d|2[0-4]):([0-5]\d)(?![\d:]))'),
        -- 37 "open until 9": 38 h
        (37, 1, array['%open%', '%clos%', '%until%', '%till%'],
         '((?:open|opens|close|closes|closing|until|till)\s+(?:at\s+)?(\d{1,2})(?![\d:/%]|[.,]\d|\s*(?:a\.?m|p\.?m))'
         || '(?=\s*(?:[.,;:!?)\n]|$|\s(?:on|every|each|daily|nightly|tonight|today|this|and|or|mon|tue|wed|thu|fri|sat|sun|weekdays|weekends)\M)))'),
        -- 39 "until noon": 40 noon or midnight
        (39, 0, array['%noon%', '%midnight%'],
         '((?:until|till|open|opens|to|from|at|-|–)\s*(noon|midnight)\M)'),
        -- 41 percent: 42 number
        (41, 1, array['%\%%', '%percent%', '%per cent%'],
         '((\d+(?:\.\d+)?)\s*(?:%|percent\M|per\s+cent\M))'),
        -- 43 price "$12.50": 44 symbol, 45 whole, 46 cents, 47 k
        (43, 1, array['%$%', '%€%', '%£%'],
         '(([$€£])\s?(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?(?!\d)(\s*k\M)?)'),
        -- 48 price "12 dollars": 49 number
        (48, 1, array['%dollar%', '%buck%', '%usd%', '%eur%'],
         '((\d+(?:\.\d{1,2})?)\s*(?:dollars|bucks|usd|euros?|eur)\M)'),
        -- 50 founding year "since 2009": 51 lead, 52 year
        (50, 4, array['%since%', '%founded%', '%established%', '%est.%', '%opened%', '%serving%'],
         '((since|founded\s+in|established\s+in|established|est\.|opened\s+in|opened\s+(?:our|its)\s+doors\s+in|in\s+business\s+since|around\s+since|serving\s+(?:[a-z,''&-]+\s+){1,6}since)\s+((?:19|20)\d\d)(?!\d))'),
        -- 53 year: 54 year
        (53, 4, array['%19%', '%20%'],
         '((?<![\w/$.,:-])((?:19|20)\d\d)(?![\d%]|s\M|,\d))'),
        -- 55 duration "36-hour", "48 hours": 56 number, 57 unit, 58 per day / per week
        (55, 0, array['%min%', '%hour%', '%hr%', '%day%', '%week%', '%month%', '%year%'],
         '((\d+(?:\.\d+)?|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fourteen|fifteen|eighteen|twenty|thirty|forty|forty-five|fifty|sixty|seventy|ninety|hundred)(?:\s*\+)?[\s-]+'
         || '(minute|min|hour|hr|day|week|month|year)s?\M(?:[\s-]+long)?(\s+(?:a|per)\s+(?:day|week))?)'),
        -- 59 count "over 500 customers": 60 qualifier, 61 number, 62 noun
        (59, 0, array['%0%', '%1%', '%2%', '%3%', '%4%', '%5%', '%6%', '%7%', '%8%', '%9%', '%two%', '%three%', '%four%', '%five%', '%six%', '%seven%', '%eight%', '%nine%', '%ten%', '%eleven%', '%twelve%', '%fifteen%', '%twenty%', '%thirty%', '%forty%', '%fifty%', '%hundred%', '%thousand%', '%dozen%'],
         '((?:(over|more\s+than|nearly|almost|about|around|upwards\s+of)\s+)?(\d[\d,]*\+?|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|hundred|hundreds|thousands|a\s+dozen|dozens)\s+(?:of\s+)?'
         || '(?:(?:happy|satisfied|local|loyal|repeat|returning|trained|experienced|expert|different|unique|seasonal|signature|certified|licensed|five-star|5-star)\s+)?'
         || '([a-z]+(?:\s+items)?)\M)'),
        -- 63 rating "5-star": 64 number
        (63, 0, array['%star%'],
         '((\d(?:\.\d)?|five|four)[\s-]stars?\M)'),
        -- 65 ordinal "our 2nd location": 66 ordinal, 67 noun
        (65, 0, array['%location%', '%store%', '%shop%', '%branch%', '%anniversary%', '%birthday%', '%generation%'],
         '((\d+(?:st|nd|rd|th)|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|fifteenth|twentieth|twenty-fifth|fiftieth)\s+(location|store|shop|branch|anniversary|birthday|generation))'),
        -- 68 guarantee or superlative
        (68, 0, array['%best%', '%fastest%', '%cheapest%', '%friendliest%', '%lowest%', '%voted%', '%rated%', '%#%', '%no.%', '%number%', '%award%', '%trusted%', '%unbeatable%', '%world%', '%more than any%', '%guarantee%'],
         '((?:voted\s+)?(?:the\s+)?(?:best|fastest|cheapest|friendliest|lowest\s+prices?)\s+(?:[a-z''-]+\s+){0,3}in\s+(?:town|the\s+(?:city|area|region|state|country|world|county|valley|neighbou?rhood|bay|metro)|[a-z]+)\M'
         || '|voted\s+(?:the\s+)?best|best[\s-]rated|top[\s-]rated|highest[\s-]rated|(?<![\w&#])#\s?1\M|\mno\.\s?1\M|\mnumber\s+(?:one|1)\M(?!\s+(?:priority|goal|rule|question|tip|mistake|reason|thing))'
         || '|\maward[\s-]winning\M|\mmost\s+trusted\M|\munbeatable\M|\mworld[\s-]class\M|\mworld[\s-]famous\M'
         || '|\mmore\s+than\s+any\s+other\M|\mbest[\s-]sell(?:ing|ers?)\M|\mbestsell(?:ing|ers?)\M|\mguarantee(?:s|d)?\M)'),
        -- 69 phone
        (69, 7, null,
         '((?<![\w/.+-])(?:\+?1[\s.-]?)?(?:\(\d{3}\)|\d{3})[\s.-]?\d{3}[\s.-]?\d{4}(?!\d)|(?<![\w/.+-])\+\d{1,3}(?:[\s.-]?\d{1,4}){2,5}(?!\d)|(?<![\w/.+(-])\d{3}[.-]\d{4}(?![\d.-]))'),
        -- 70 count "more than 2,000 (notices)": 71 number
        (70, 2, array['%over%', '%more than%', '%nearly%', '%almost%', '%upwards%'],
         '((?:over|more\s+than|nearly|almost|upwards\s+of)\s+(\d{1,3}(?:,\d{3})+|\d{2,})\+?(?=\s+[a-z])(?!\s+(?:years?|months?|weeks?|days?|hours?|minutes?|percent)\M))'),
        -- 72 frequency "every quarter", "twice a month", "daily": 73 lead, 74 unit, 75 adverb
        -- (Not "per hour" or "hourly": after a price, a rate.)
        (72, 0, array['%every%', '%each%', '%once%', '%twice%', '%daily%', '%nightly%', '%weekly%', '%monthly%', '%quarterly%',
                      '%annually%', '%yearly%'],
         '((every|each|once\s+a|twice\s+a|once\s+per|twice\s+per)\s+(hour|day|night|week|fortnight|month|quarter|year)\M'
         || '|\m(daily|nightly|weekly|fortnightly|biweekly|monthly|quarterly|annually|yearly)\M)')
    ) as k (first_group, min_digits, needs, pattern)
$$;

grant execute on function aicrm_private.accuracy_claim_kinds() to aicrm_app, aicrm_worker;

-- The nouns a count claims something of ("over 500 customers", "twelve flavours"), as the count
-- kind's last group has them (lower case).
create or replace function aicrm_private.accuracy_count_nouns()
returns text[]
language sql
immutable
parallel safe
-- No SET (see the top of this file).
as $$
    select '{customer,customers,client,clients,families,family,people,guest,guests,patient,patients,home,homes,'
        'household,households,businesses,location,locations,store,stores,shop,shops,branch,branches,member,members,'
        'student,students,review,reviews,award,awards,employee,employees,technician,technicians,techs,staff,stylist,'
        'stylists,barber,barbers,varieties,variety,flavor,flavors,flavour,flavours,kinds,types,generation,generations,'
        'project,projects,jobs,installation,installations,vehicles,pets,animals,dogs,cats,adoptions,notices,weddings,'
        'seats,rooms,chairs,trucks,vans,experts,specialists,dentists,doctors,therapists,instructors,trainers,chefs,'
        'bakers,dishes,recipes,cities,towns,states,countries,sizes,breads,loaves,pastries,cakes,pies,beers,wines,'
        'classes,courses,menu items}'::text[]
$$;

grant execute on function aicrm_private.accuracy_count_nouns() to aicrm_app, aicrm_worker;

-- The claims' matches in a text, as one pattern of every kind would find them, left to right: where
-- two overlap, the one that starts first, then the longer, then the kind listed first. groups is
-- numbered as accuracy_claims reads it (a kind's groups from its first_group on).
create or replace function aicrm_private.accuracy_claim_matches(p_text text)
returns table (span_start integer, span_end integer, groups text[])
language plpgsql
immutable
parallel safe
rows 10
-- No SET (see the top of this file).
as $$
declare
    v_l text := lower(coalesce(p_text, ''));
    v_digits integer := char_length(v_l) - char_length(translate(v_l, '0123456789', ''));
    v_end integer := 0;
    r record;
begin
    for r in
        select k.first_group, m.span_start, m.span_end, m.groups
        from aicrm_private.accuracy_claim_kinds() k
        cross join lateral aicrm_private.accuracy_matches(p_text, k.pattern, 'i') m
        where v_digits >= k.min_digits and (k.needs is null or v_l like any (k.needs))
        order by m.span_start, m.span_end desc, k.first_group
    loop
        if r.span_start >= v_end
           and (r.first_group <> 59 or lower(r.groups[4]) = any (aicrm_private.accuracy_count_nouns())) then
            span_start := r.span_start;
            span_end := r.span_end;
            groups := array[r.groups[1]] || array_fill(null::text, array[r.first_group - 2]) || r.groups;
            v_end := r.span_end;
            return next;
        end if;
    end loop;
end
$$;

grant execute on function aicrm_private.accuracy_claim_matches(text) to aicrm_app, aicrm_worker;

-- The claims of a text: kind, span, normalised values (any one of them may match the grounding:
-- "7:30" is 450 or 1170 minutes) and an extra (a date's year and weekday "2027 sat", a count's
-- noun, a founding year's lead word). Kinds: email, url (host), phone (last 10 digits), date
-- (MM-DD), time (minutes of the day), percent, price, year, founding_year, duration (minutes),
-- open_days ("7 days a week"), always_open ("24/7"), count, rating, ordinal, superlative,
-- frequency (its period in hours).
create or replace function aicrm_private.accuracy_claims(p_text text)
returns table (kind text, span_start integer, span_end integer, span_text text, vals text[], extra text)
language sql
immutable
parallel safe
rows 10
-- No SET (see the top of this file).
as $$
    select c.kind, x.span_start, x.span_end, g[1], c.vals, c.extra
    from aicrm_private.accuracy_claim_matches(p_text) x
    cross join lateral (select x.groups as g) gg
    cross join lateral (
        select month_of.m9, month_of.m16
        from (select
            array_position('{jan,feb,mar,apr,may,jun,jul,aug,sep,oct,nov,dec}'::text[], lower(left(g[10], 3))) as m9,
            array_position('{jan,feb,mar,apr,may,jun,jul,aug,sep,oct,nov,dec}'::text[], lower(left(g[16], 3))) as m16
        ) month_of
    ) mo
    cross join lateral (
        select case
            when g[2] is not null then 'email'
            when g[3] is not null then 'url'
            when g[4] is not null or g[8] is not null or g[13] is not null or g[19] is not null then 'date'
            when g[18] is not null then 'always_open'
            when g[23] is not null or g[30] is not null or g[34] is not null or g[37] is not null or g[39] is not null
                then 'time'
            when g[41] is not null then 'percent'
            when g[43] is not null or g[48] is not null then 'price'
            when g[50] is not null then 'founding_year'
            when g[53] is not null then 'year'
            when g[55] is not null and g[58] is not null and lower(g[57]) = 'day' and g[58] ~* 'week' then 'open_days'
            when g[55] is not null and g[58] is not null and lower(g[57]) in ('hour', 'hr') and g[58] ~* 'day'
                 and aicrm_private.accuracy_number(g[56]) = 24 then 'always_open'
            when g[55] is not null then 'duration'
            when g[59] is not null then 'count'
            when g[63] is not null then 'rating'
            when g[65] is not null then 'ordinal'
            when g[68] is not null then 'superlative'
            when g[69] is not null then 'phone'
            when g[70] is not null then 'count'
            when g[72] is not null then 'frequency'
        end as kind,
        case
            when g[2] is not null then array[lower(g[2])]
            when g[3] is not null then array[rtrim(split_part(split_part(regexp_replace(lower(g[3]), '^(https?://)?(www\.)?', ''),
                                                                '/', 1), '?', 1), '.')]
            when g[4] is not null then case when g[6]::integer between 1 and 12 and g[7]::integer between 1 and 31
                                            then array[g[6] || '-' || g[7]] end
            when g[8] is not null then case when g[11]::integer between 1 and 31
                                            then array[lpad(mo.m9::text, 2, '0') || '-' || lpad(g[11], 2, '0')] end
            when g[13] is not null then case when g[15]::integer between 1 and 31
                                             then array[lpad(mo.m16::text, 2, '0') || '-' || lpad(g[15], 2, '0')] end
            when g[19] is not null then case
                when g[20]::integer between 1 and 12 and g[21]::integer between 1 and 31
                     -- a fraction (1/2, 3/4) is no date
                     and not (g[22] is null and g[20]::integer < g[21]::integer and g[21]::integer <= 8)
                then array[lpad(g[20], 2, '0') || '-' || lpad(g[21], 2, '0')] end
            when g[18] is not null then array['24/7']
            when g[23] is not null then
                -- "7-11am": the first time is in the same half of the day as the second unless it is later
                aicrm_private.accuracy_minutes(g[24], g[25], coalesce(g[26], case
                    when (g[24]::integer <= g[27]::integer and g[27]::integer <> 12) or g[24]::integer = 12 then g[29]
                    when lower(left(g[29], 1)) = 'p' then 'am' else 'pm' end))
                || aicrm_private.accuracy_minutes(g[27], g[28], g[29])
            when g[30] is not null then aicrm_private.accuracy_minutes(g[31], g[32], g[33])
            when g[34] is not null then aicrm_private.accuracy_minutes(g[35], g[36], null)
            when g[37] is not null then aicrm_private.accuracy_minutes(g[38], null, null)
            when g[39] is not null then array[case when lower(g[40]) = 'noon' then '720' else '0' end]
            when g[41] is not null then array[trim_scale(g[42]::numeric)::text]
            when g[43] is not null then array[trim_scale((replace(g[45], ',', '') || coalesce('.' || g[46], ''))::numeric
                                                        * case when g[47] is not null then 1000 else 1 end)::text]
            when g[48] is not null then array[trim_scale(g[49]::numeric)::text]
            when g[50] is not null then array[g[52]]
            when g[53] is not null then array[g[54]]
            when g[55] is not null and g[58] is not null and lower(g[57]) = 'day' and g[58] ~* 'week'
                then array[aicrm_private.accuracy_number(g[56])::text]
            when g[55] is not null and g[58] is not null and lower(g[57]) in ('hour', 'hr') and g[58] ~* 'day'
                 and aicrm_private.accuracy_number(g[56]) = 24 then array['24/7']
            when g[55] is not null then array[trim_scale(aicrm_private.accuracy_number(g[56]) * case lower(g[57])
                when 'minute' then 1 when 'min' then 1 when 'hour' then 60 when 'hr' then 60 when 'day' then 1440
                when 'week' then 10080 when 'month' then 43200 else 525600 end)::text]
            when g[59] is not null then array[coalesce(aicrm_private.accuracy_number(g[61])::text,
                                                       lower(regexp_replace(g[61], '\s+', ' ', 'g')))]
            when g[63] is not null then array[coalesce(aicrm_private.accuracy_number(g[64]), 0)::text]
            when g[65] is not null then array[coalesce(aicrm_private.accuracy_number(
                nullif(regexp_replace(g[66], '\D', '', 'g'), '')), array_position(
                '{first,second,third,fourth,fifth,sixth,seventh,eighth,ninth,tenth}'::text[], lower(g[66])))::text]
            when g[68] is not null then array[lower(regexp_replace(g[68], '[^[:alnum:]#]+', ' ', 'g'))]
            when g[69] is not null then array[right(regexp_replace(g[69], '\D', '', 'g'), 10)]
            when g[70] is not null then array[replace(g[71], ',', '')]
            -- A frequency as its period in hours ("twice a month" is 360).
            when g[72] is not null then array[trim_scale(case lower(coalesce(g[74], g[75]))
                when 'hour' then 1 when 'day' then 24 when 'daily' then 24 when 'night' then 24
                when 'nightly' then 24 when 'week' then 168 when 'weekly' then 168 when 'fortnight' then 336
                when 'fortnightly' then 336 when 'biweekly' then 336 when 'month' then 720 when 'monthly' then 720
                when 'quarter' then 2190 when 'quarterly' then 2190 else 8760 end
                / case when lower(g[73]) like 'twice%' then 2.0 else 1 end)::text]
        end as vals,
        case
            when g[4] is not null then g[5]
            when g[8] is not null then concat_ws(' ', g[12], lower(left(g[9], 3)))
            when g[13] is not null then concat_ws(' ', g[17], lower(left(g[14], 3)))
            when g[19] is not null then case when char_length(g[22]) = 2 then '20' || g[22] else g[22] end
            when g[50] is not null then lower(split_part(g[51], ' ', 1))
            when g[59] is not null then lower(g[62]) || case when g[60] is not null then ' +' else '' end
            when g[70] is not null then '+'
            when g[72] is not null then case when g[75] is not null then 'adverb' else 'phrase' end
            when g[65] is not null then lower(g[67])
            when g[55] is not null then lower(g[57])
            when g[23] is not null then 'range ' || cardinality(aicrm_private.accuracy_minutes(g[24], g[25], coalesce(g[26], 'am')))
        end as extra
    ) c
    where c.vals is not null and cardinality(c.vals) > 0
    order by x.span_start
$$;

grant execute on function aicrm_private.accuracy_claims(text) to aicrm_app, aicrm_worker;
