-- A draft's sentences, for the fluency dimension (score_fluency.sql).

-- The sentences of a text with their 0-based [start, end) offsets, their line and paragraph: a
-- sentence ends at ., !, ? or … followed by white space (so "$4.50", "example.com" and "e.g.x"
-- stay inside one) or at the end of its line (a heading, a list item, a sign-off is a sentence of
-- its own line); a blank line starts a new paragraph. line_kind: 'list' (the line opens with -, *,
-- • or "1."), 'heading' (opens with "# ", or is one sentence not ending with . ! ? …: a title, a
-- label, "Warm regards,"), else 'prose' (a line of several sentences is prose whatever ends it: a
-- social post's hashtags). One regex pass over the whole text (its matches and the pieces between
-- them give the offsets, as compliance_spans does); the rest is string functions, not regexes
-- (PostgreSQL keeps few compiled regexes: see score_fluency).
create or replace function aicrm_private.fluency_sentences(p_text text)
returns table (
    sentence_no integer, paragraph_no integer, line_no integer, line_position integer, line_sentences integer,
    line_kind text, span_start integer, span_end integer, sentence text
)
language sql
immutable
parallel safe
rows 40
-- No SET: pure and called per draft (private/quality/phrases.sql, at the top).
as $$
    with m as (
        select r.m[1] as sentence, r.o::integer as n
        from regexp_matches(coalesce(p_text, ''),
                            '([^\s.!?…](?:[^.!?…\n]|[.!?…](?=[^\s.!?…"''”’)]))*[.!?…]*["''”’)]*)', 'g')
             with ordinality as r (m, o)
    ), p as (
        select x.piece, x.n::integer as n
        from unnest(regexp_split_to_array(coalesce(p_text, ''),
                                          '([^\s.!?…](?:[^.!?…\n]|[.!?…](?=[^\s.!?…"''”’)]))*[.!?…]*["''”’)]*)'))
             with ordinality as x (piece, n)
    ), s as (
        -- Each sentence with the text before it (p.piece): where it starts, how many line breaks and
        -- blank lines came before it.
        select m.n, m.sentence,
               (sum(char_length(p.piece)) over w + coalesce(sum(char_length(m.sentence)) over w_before, 0))::integer
                   as span_start,
               (1 + sum(char_length(p.piece) - char_length(replace(p.piece, E'\n', ''))) over w)::integer as line_no,
               (1 + count(*) filter (where strpos(replace(replace(replace(p.piece, ' ', ''), E'\t', ''), E'\r', ''),
                                                  E'\n\n') > 0 and m.n > 1) over w)::integer as paragraph_no
        from m
        join p using (n)
        window w as (order by m.n), w_before as (order by m.n rows between unbounded preceding and 1 preceding)
    ), l as (
        select s.*, count(*) over (partition by s.line_no) as line_sentences,
               row_number() over (partition by s.line_no order by s.n) as line_position,
               t.lines[s.line_no] as line
        from s
        cross join (select string_to_array(coalesce(p_text, ''), E'\n') as lines) t
    )
    select l.n, l.paragraph_no, l.line_no, l.line_position::integer, l.line_sentences::integer,
           case when left(k.start, 2) in ('- ', '* ', '• ', '· ', '– ', '+ ')
                     or left(k.start, 1) between '0' and '9' and l.line ~ '^\s*[0-9]{1,2}[.)]\s' then 'list'
                when left(k.start, 1) = '#' and ltrim(ltrim(l.line, E' \t'), '#') like ' %' then 'heading'
                when l.line_sentences = 1 and right(rtrim(l.line, E' \t\r"''”’)*_'), 1) not in ('.', '!', '?', '…')
                     then 'heading'
                else 'prose' end,
           l.span_start, l.span_start + char_length(l.sentence), l.sentence
    from l
    cross join lateral (select left(ltrim(l.line, E' \t'), 3) as start) k
    order by l.n
$$;

grant execute on function aicrm_private.fluency_sentences(text) to aicrm_app, aicrm_worker;
