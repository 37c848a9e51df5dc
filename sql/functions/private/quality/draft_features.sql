-- What every part of a scorecard reads from a draft, measured once, and the call-to-action pattern
-- that compliance (the CTA element) and structure (where it is) share.

-- A call to action: a sentence (or line) that opens with an imperative verb ("Book", "Order now",
-- "Reply YES"), an ask inside a sentence ("call us at", "reply to this email", "leave us a
-- review"), or a link (written out or marked up). Shared by compliance (the CTA element) and structure (where it is).
create or replace function aicrm_private.content_cta_pattern()
returns text
language sql
immutable
parallel safe
-- No SET: pure and called per draft (private/quality/phrases.sql, at the top).
as $$
    select '(^|[.!?:;]\s+|\n)\s*[^[:alnum:]\s]{0,3}\s*((please|just|simply|so|then|now|or|and)\s+)?'
        || '(book|order|call|visit|shop|reserve|sign\s+up|register|claim|get|buy|schedule|join|learn\s+more'
        || '|contact\s+us|reply|come\s+(in|by|see|visit|try|join)|stop\s+(by|in)|try|grab|discover|start|save'
        || '|download|rsvp|click|tap|find\s+out|don[''’]t\s+miss|drop\s+by|swing\s+by|pre-?order|enroll|subscribe'
        || '|request|apply|ask|check\s+out|email\s+us|text\s+us|message\s+us|dm\s+us|give\s+us\s+a\s+(call|ring)'
        || '|let\s+us\s+know|head\s+(over|to|down|in)|pick\s+up|treat\s+yourself|explore|browse|follow|vote|donate'
        || '|enter|pop\s+in|secure|lock\s+in|upgrade|bring|tell\s+us|talk\s+to|speak\s+(to|with)|chat\s+with'
        || '|leave\s+(us\s+)?a\s+review|refer)(?![[:alnum:]_])'
        -- mid-sentence asks a reader acts on, and a written-out link or address
        || '|\m(call|text|email|message)\s+us\s+(at|on)\M|\mreply\s+to\s+this\s+(email|message|text)\M'
        || '|\mleave\s+(us\s+)?(one|a\s+(quick\s+|short\s+)?review)\M|\mreview\s+us\M|\morder\s+ahead\M'
        || '|\mhttps?://[^\s)]+|\mwww\.[^\s)]+'
        || '|\[[^]\n]+\]\([^)\s]+\)|<a\s[^>]*href'
$$;

grant execute on function aicrm_private.content_cta_pattern() to aicrm_app, aicrm_worker;

-- What every part of a scorecard needs from the draft, measured once: its words with the subject's
-- (words_of, for phrase lookups), its word count (a word starts with a letter or digit and may go
-- on with apostrophes and hyphens: "don't" and "light-cured" are one word each; the count is the
-- regex count of '[[:alnum:]][[:alnum:]''’-]*', derived from the words without a second pass of
-- a match per word) and the 0-based offset of its first call to action (null: none).
create or replace function aicrm_private.draft_features_of(p_text text, p_subject text)
returns aicrm_private.draft_features
language plpgsql
immutable
parallel safe
-- No SET: pure and called per draft (private/quality/phrases.sql, at the top).
as $$
declare
    v_body text := aicrm_private.phrase_key(p_text);
    v_subject text := aicrm_private.phrase_key(p_subject);
    v_features aicrm_private.draft_features;
begin
    v_features.words := ' ' || concat_ws(' ', nullif(v_body, ''), nullif(v_subject, '')) || ' ';
    -- The words are the body's words_of tokens, less one "and" per "&", less one per hyphen that
    -- joins two of them into one word; a text with ‘ or ʼ (words_of joins at them, a word does
    -- not) is counted by the regex itself.
    v_features.word_count := case
        when strpos(p_text, '‘') + strpos(p_text, 'ʼ') > 0 then regexp_count(p_text, '[[:alnum:]][[:alnum:]''’-]*')
        when v_body = '' then 0
        else char_length(v_body) - char_length(replace(v_body, ' ', '')) + 1
             - (char_length(p_text) - char_length(replace(p_text, '&', '')))
             - regexp_count(p_text, '[[:alnum:]][''’]*-[-''’]*(?=[[:alnum:]])') end;
    v_features.cta_start := nullif(regexp_instr(p_text, aicrm_private.content_cta_pattern(), 1, 1, 0, 'i'), 0) - 1;
    return v_features;
end
$$;

grant execute on function aicrm_private.draft_features_of(text, text) to aicrm_app, aicrm_worker;
