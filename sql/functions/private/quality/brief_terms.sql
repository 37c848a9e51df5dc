-- The brief-coverage check's helpers (score_brief.sql): a brief's item (its topic, a key point, the
-- offer, the event's place, a topic to avoid) taken apart into what a draft must say — its dates,
-- numbers, codes and content words (stemmed) — and the patterns that find a date or a time in a
-- draft written in any usual form.
--
-- No SET: pure and called per item of a brief (private/quality/phrases.sql, at the top); every name
-- is schema-qualified.

-- An item of a brief, taken apart:
--   dates       month * 100 + day of each date it names ("December 20", "20th of Dec", "12/20",
--               "2027-12-20")
--   numbers     the other numbers, as digits ("1,500" is 1500, "7:00" and "$20.00" are 7 and 20)
--   codes       codes to quote as they are: a capitalised word with a digit (PIE10), or the word
--               after "code"
--   norm        the rest reduced to its words (phrase_key), numbers left out
--   lexemes     its content words' english stems (sorted, each once): stop words, contractions,
--               the units around numbers (percent, pm, ...) and the stems of p_ignore left out.
-- Fast for the common item (no digit): one to_tsvector of its words. Regexes run on lower case
-- (a case-insensitive regex costs several times more) and only when a digit is there to match.
create or replace function aicrm_private.brief_item_parts(
    p_text text,
    p_ignore text[],
    out dates integer[],
    out numbers text[],
    out codes text[],
    out norm text,
    out lexemes text[]
)
language plpgsql
immutable
parallel safe
-- No SET (see the top of this file).
as $$
declare
    v_text text := coalesce(p_text, '');
    v_tokens text[];
    v_one text;
    v_day integer;
    v_month integer;
    v_noise text[] := '{percent,per,cent,pm,dollar,usd,us,eur,gbp,pound,euro,etc,st,nd,rd,th,arent,cant,didnt,doesnt,'
                      'dont,here,hes,how,id,ill,im,isnt,ive,let,shes,that,there,theyr,wasnt,wed,werent,weve,what,wont,'
                      'youd,youll,your,youv}'::text[] || coalesce(p_ignore, '{}');
    v_date_at integer := -1;  -- the token a date ended at (a year right after it is the date's)
    v_month_words constant text[] := '{january,jan,february,feb,march,mar,april,apr,may,june,jun,july,jul,august,aug,'
                                     'september,sept,sep,october,oct,november,nov,december,dec}';
    v_months constant integer[] := '{1,1,2,2,3,3,4,4,5,6,6,7,7,8,8,9,9,9,10,10,11,11,12,12}';
    v_number_words constant text[] := '{two,three,four,five,six,seven,eight,nine,ten,eleven,twelve}';
begin
    dates := '{}';
    numbers := '{}';
    codes := '{}';
    -- Codes: PIE10, or the word after "code" (SAVE, WELCOME15).
    if v_text ~ '[A-Z][A-Z0-9]*[0-9]' then
        codes := array(select m[1] from regexp_matches(v_text, '\m[A-Z][A-Z0-9]*[0-9][A-Z0-9]*\M', 'g') as r (m)
                       where char_length(m[1]) >= 3);
    end if;
    if strpos(lower(v_text), 'code') > 0 then
        codes := codes || array(
            select regexp_replace(m[1], '^[Cc]ode:?\s+"?', '')
            from regexp_matches(v_text, '\m[Cc]ode:?\s+"?[A-Z0-9][A-Za-z0-9]{2,}', 'g') as r (m));
    end if;
    if cardinality(codes) > 1 then
        codes := array(select distinct c from unnest(codes) as c);
    end if;
    foreach v_one in array codes loop
        v_text := replace(v_text, v_one, ' ');
    end loop;
    if strpos(translate(v_text, '0123456789', '##########'), '#') > 0 then
        -- Dates and numbers from the item's tokens, with simple expressions (a regex reporting its
        -- matches costs several times more on a short text): "1,500" is 1500, "7:00" is 7.
        v_text := regexp_replace(lower(v_text), '([0-9])(?:,(?=[0-9]{3}(?![0-9]))|[.:]00(?![0-9]))', '\1', 'g');
        v_tokens := string_to_array(btrim(regexp_replace(v_text, '[^a-z0-9/-]+', ' ', 'g')), ' ');
        for i in 1 .. cardinality(v_tokens) loop
            v_one := v_tokens[i];
            continue when v_one !~ '^[0-9]' or (i = v_date_at + 1 and v_one ~ '^(19|20)[0-9]{2}$');
            v_month := null;
            v_day := null;
            if v_one ~ '^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}$' then
                v_month := split_part(v_one, '-', 2)::integer;
                v_day := split_part(v_one, '-', 3)::integer;
            elsif v_one ~ '^[0-9]{1,2}/[0-9]{1,2}(/[0-9]{2,4})?$' then
                v_month := split_part(v_one, '/', 1)::integer;
                v_day := split_part(v_one, '/', 2)::integer;
            elsif v_one ~ '^[0-9]{1,2}(st|nd|rd|th)?$' then
                -- A month before it ("December 20", "Dec the 20th") or after it ("20 December",
                -- "20th of Dec").
                v_month := coalesce(
                    v_months[array_position(v_month_words, v_tokens[i - 1])],
                    case when v_tokens[i - 1] = 'the' then v_months[array_position(v_month_words, v_tokens[i - 2])] end,
                    v_months[array_position(v_month_words, v_tokens[i + 1])],
                    case when v_tokens[i + 1] = 'of' then v_months[array_position(v_month_words, v_tokens[i + 2])] end);
                v_day := substring(v_one from '^[0-9]+')::integer;
            end if;
            if v_month between 1 and 12 and v_day between 1 and 31 then
                dates := dates || (v_month * 100 + v_day);
                v_date_at := case when v_tokens[i + 1] = any(v_month_words) then i + 1
                                  when v_tokens[i + 1] = 'of' and v_tokens[i + 2] = any(v_month_words) then i + 2
                                  else i end;
            else
                numbers := numbers || string_to_array(btrim(translate(v_one, 'abcdefghijklmnopqrstuvwxyz/-',
                                                                      '                            ')), ' ');
            end if;
        end loop;
        numbers := array_remove(numbers, '');
        -- The words without the numbers ("20th" leaves "th", "7am" leaves "am": units, stop words)
        -- nor, with a date, the months.
        v_text := translate(v_text, '0123456789', '          ');
        if cardinality(dates) > 0 then
            v_noise := v_noise || '{januari,februari,march,april,may,june,juli,august,septemb,octob,novemb,decemb,jan,feb,'
                                  'mar,apr,jun,jul,aug,sep,sept,oct,nov,dec}'::text[];
        end if;
    end if;
    norm := aicrm_private.phrase_key(v_text);
    -- A count in words is a number too ("all six salsas"; "one" is too often not a count).
    if norm ~ '\m(two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\M' then
        v_tokens := string_to_array(norm, ' ');
        for i in 1 .. cardinality(v_tokens) loop
            v_day := array_position(v_number_words, v_tokens[i]);
            if v_day is not null then
                numbers := numbers || (v_day + 1)::text;
            end if;
        end loop;
        v_noise := v_noise || '{two,three,four,five,six,seven,eight,nine,ten,eleven,twelv}'::text[];
    end if;
    lexemes := tsvector_to_array(ts_delete(to_tsvector('english', norm), v_noise));
end
$$;

grant execute on function aicrm_private.brief_item_parts(text, text[]) to aicrm_app, aicrm_worker;

-- A date (p_month, p_day) in any usual form, as a regex over a text reduced to its words
-- (words_of: lower case, punctuation as spaces): "December 20", "Dec. 20th", "Saturday, December
-- 20", "20 December", "the 20th of December", a day in a list or range after its month ("December
-- 19, 20 and 21", "Dec 18-20"), "12/20" or "20/12" (with or without the year), "2027-12-20".
create or replace function aicrm_private.brief_date_pattern(p_month integer, p_day integer)
returns text
language sql
immutable
parallel safe
-- No SET (see the top of this file).
as $$
    select format(
        ' (?:%1$s) (?:the )?(?:[0-9]{1,2}(?:st|nd|rd|th)? (?:(?:to|and|or|through|until|till) )?){0,3}'
        || '0?%2$s(?:st|nd|rd|th)? '
        || '| 0?%2$s(?:st|nd|rd|th)? (?:(?:to|and|or) [0-9]{1,2}(?:st|nd|rd|th)? ){0,3}(?:of )?(?:%1$s) '
        || '| 0?%3$s 0?%2$s | 0?%2$s 0?%3$s ',
        (array['january|jan', 'february|feb', 'march|mar', 'april|apr', 'may', 'june|jun', 'july|jul',
               'august|aug', 'september|sept|sep', 'october|oct', 'november|nov', 'december|dec'])[p_month],
        p_day, p_month)
$$;

grant execute on function aicrm_private.brief_date_pattern(integer, integer) to aicrm_app, aicrm_worker;

-- A time of day (24-hour p_hour, p_minute) in any usual form, as a regex over a text reduced to its
-- words: "4 pm", "4pm", "4:00 p.m.", "16:00", "4:00", "4-6pm", "noon" for 12:00.
create or replace function aicrm_private.brief_time_pattern(p_hour integer, p_minute integer)
returns text
language sql
immutable
parallel safe
-- No SET (see the top of this file).
as $$
    select format(
        ' %1$s%2$s ?(?:%3$sm|%3$s m) '
        || '| %1$s%2$s (?:to )?[0-9]{1,2}(?: [0-9]{2})? ?(?:[ap]m|[ap] m) '
        || '| 0?%4$s %5$s | %1$s %5$s %6$s',
        case when p_hour % 12 = 0 then 12 else p_hour % 12 end,
        case when p_minute = 0 then '(?: 00)?' else ' ' || lpad(p_minute::text, 2, '0') end,
        case when p_hour < 12 then 'a' else 'p' end,
        p_hour, lpad(p_minute::text, 2, '0'),
        case when p_hour = 12 and p_minute = 0 then '| noon | midday ' else '' end)
$$;

grant execute on function aicrm_private.brief_time_pattern(integer, integer) to aicrm_app, aicrm_worker;

-- One finding of the brief dimension, in the scorecard's shape (the contract in docs/quality.md);
-- a missing part has no span. Every brief finding is fixable: a rewrite can add or drop a point.
create or replace function aicrm_private.brief_finding(
    p_check text, p_severity text, p_field text, p_start integer, p_end integer, p_span text,
    p_message text, p_fix text
)
returns jsonb
language sql
immutable
parallel safe
-- No SET (see the top of this file).
as $$
    select jsonb_build_object(
        'dimension', 'brief', 'check', p_check, 'severity', p_severity, 'field', p_field,
        'span', case when p_start is not null
                     then jsonb_build_object('start', p_start, 'end', p_end, 'text', p_span) end,
        'message', p_message, 'fix', p_fix, 'fixable', true)
$$;

grant execute on function aicrm_private.brief_finding(text, text, text, integer, integer, text, text, text)
to aicrm_app, aicrm_worker;

-- Whether a text reduced to its words (words_of) names the date (p_month, p_day) in any usual form
-- (brief_date_pattern). On the words, not the text: a case-sensitive pattern over plain words runs
-- several times faster than a case-insensitive one over punctuation.
create or replace function aicrm_private.brief_date_in(p_words text, p_month integer, p_day integer)
returns boolean
language plpgsql
immutable
parallel safe
-- No SET (see the top of this file). PL/pgSQL, not SQL: called from PL/pgSQL with variables, an SQL
-- function is run, not inlined, at several times the cost.
as $$
begin
    return strpos(p_words, p_day::text) > 0 and p_words ~ aicrm_private.brief_date_pattern(p_month, p_day);
end
$$;

grant execute on function aicrm_private.brief_date_in(text, integer, integer) to aicrm_app, aicrm_worker;
