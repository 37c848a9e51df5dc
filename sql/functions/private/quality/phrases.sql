-- Phrases found in a text by their words, not by a regex per phrase (see phrases_found). Used by
-- compliance (names, streets, terms), brand alignment (brand phrases, products) and relevance;
-- keys_in_words and phrases_of_keys_in_words look up the keys a scoring profile stores.
--
-- Helpers marked "No SET" carry no SET search_path: they are pure, run with their caller's rights
-- and are called many times per draft. A SET costs a few microseconds a call and keeps an SQL
-- function from being inlined into its caller (together about 45 µs a scorecard). Every name in
-- them is schema-qualified, and the SECURITY DEFINER functions that reach them pin search_path to
-- '' for everything they call (docs/architecture.md).

-- A text reduced to its words, as phrases_found compares them.
create or replace function aicrm_private.phrase_key(p_phrase text)
returns text
language sql
immutable
parallel safe
-- No SET (see the top of this file).
as $$
    select btrim(regexp_replace(
        -- replace, not translate: on a whole draft translate costs twice as much as these four.
        lower(replace(replace(replace(replace(replace(coalesce(p_phrase, ''), '&', ' and '), '''', ''), '’', ''),
                              '‘', ''), 'ʼ', '')),
        '[^[:alnum:]]+', ' ', 'g'))
$$;

-- Curly apostrophes as straight ones, one character for one (offsets stay those of the text).
create or replace function aicrm_private.straight_apostrophes(p_text text)
returns text
language sql
immutable
parallel safe
-- No SET (see the top of this file).
as $$
    select replace(replace(replace(p_text, '’', ''''), '‘', ''''), 'ʼ', '''')
$$;

-- A business name and its short form without the legal form (Inc, LLC, ...), as phrases.
create or replace function aicrm_private.name_forms(p_name text)
returns text[]
language sql
immutable
parallel safe
set search_path = ''
as $$
    select array_remove(array[n.full_name, case when v.short <> n.full_name and v.short <> ''
                                                 and right(v.short, 1) <> '&' and lower(v.short) not like '% and'
                                            then v.short end], null)
    from (select btrim(rtrim(btrim(p_name), '.')) as full_name) n
    cross join lateral (
        select rtrim(btrim(regexp_replace(n.full_name,
            '[,\s]+(inc|llc|l\.l\.c|ltd|limited|co|corp|corporation|gmbh|plc|pllc|llp)\.?$', '', 'i')), '.,') as short
    ) v
    where nullif(btrim(p_name), '') is not null
$$;

-- A text as the words phrases are looked for in: " word word ... " (see phrase_key).
create or replace function aicrm_private.words_of(p_text text)
returns text
language sql
immutable
parallel safe
-- No SET (see the top of this file).
as $$
    select ' ' || aicrm_private.phrase_key(p_text) || ' '
$$;

-- Which of the phrases occur in words_of(text), as whole words: both reduced to their words
-- (lower case, "&" read as "and", apostrophes dropped, other punctuation and white space as one
-- space) and compared with strpos. No regex per phrase: PostgreSQL caches few compiled regexes and
-- each pass of one over a draft costs tens of microseconds, while a scorecard looks for many phrases
-- (brand phrases, products, names, streets, terms). Callers reduce the text once.
create or replace function aicrm_private.phrases_in_words(p_words text, p_phrases text[])
returns text[]
language plpgsql
immutable
parallel safe
-- No SET (see the top of this file).
as $$
declare
    v_phrase text;
    v_key text;
    v_found text[] := '{}';
begin
    foreach v_phrase in array coalesce(p_phrases, '{}') loop
        v_key := aicrm_private.phrase_key(v_phrase);
        if v_key <> '' and strpos(p_words, ' ' || v_key || ' ') > 0 and not v_phrase = any (v_found) then
            v_found := v_found || v_phrase;
        end if;
    end loop;
    return v_found;
end
$$;

-- The same for a text not reduced yet.
create or replace function aicrm_private.phrases_found(p_text text, p_phrases text[])
returns text[]
language sql
immutable
parallel safe
set search_path = ''
as $$
    select aicrm_private.phrases_in_words(aicrm_private.words_of(p_text), p_phrases)
$$;

grant execute on function aicrm_private.phrases_found(text, text[]), aicrm_private.phrase_key(text),
    aicrm_private.straight_apostrophes(text),
    aicrm_private.name_forms(text), aicrm_private.words_of(text), aicrm_private.phrases_in_words(text, text[])
to aicrm_app, aicrm_worker;

-- Which of the keys (phrase_key of each phrase) occur in words_of(text) as whole words: their
-- 1-based positions in p_keys, in order.
create or replace function aicrm_private.keys_in_words(p_words text, p_keys text[])
returns integer[]
language plpgsql
immutable
parallel safe
-- No SET (see the top of this file).
as $$
declare
    v_found integer[] := '{}';
begin
    for i in 1 .. coalesce(cardinality(p_keys), 0) loop
        if p_keys[i] <> '' and strpos(p_words, ' ' || p_keys[i] || ' ') > 0 then
            v_found := v_found || i;
        end if;
    end loop;
    return v_found;
end
$$;

grant execute on function aicrm_private.keys_in_words(text, text[]) to aicrm_app, aicrm_worker;

-- The phrases whose keys occur in words_of(text) as whole words, each once, in order
-- (p_phrases[i] is the phrase of p_keys[i]).
create or replace function aicrm_private.phrases_of_keys_in_words(p_words text, p_phrases text[], p_keys text[])
returns text[]
language plpgsql
immutable
parallel safe
-- No SET (see the top of this file).
as $$
declare
    v_found text[] := '{}';
begin
    for i in 1 .. coalesce(cardinality(p_keys), 0) loop
        if p_keys[i] <> '' and strpos(p_words, ' ' || p_keys[i] || ' ') > 0 and not p_phrases[i] = any (v_found) then
            v_found := v_found || p_phrases[i];
        end if;
    end loop;
    return v_found;
end
$$;

grant execute on function aicrm_private.phrases_of_keys_in_words(text, text[], text[]) to aicrm_app, aicrm_worker;

-- get_draft_brief (callable by aicrm_readonly) names the element a must_include term is by its key.
grant execute on function aicrm_private.phrase_key(text) to aicrm_readonly;
