-- Synonyms the brief-coverage check (aicrm_private.score_brief) reads: a brief's word is covered by
-- the word itself, its other forms (the english snowball stemmer folds them) or one of its synonyms
-- here ("pre-order" by "order ahead", "winterising" by "frozen"). Global reference data like
-- aicrm.industries (0002): readable by every aicrm role, written only by the owner through the
-- default seed (sql/seeds/defaults/0012_brief_synonyms.sql). Looked up both ways: a pair is stored
-- once and a term is also found as the synonym of its synonym.
--
-- The lexemes are stored, not computed per draft: each side reduced to its words as phrase_key does
-- (lower case, apostrophes dropped, other punctuation as a space) and stemmed by the english text
-- search configuration, sorted and distinct. A side that is only stop words has no lexeme, and is
-- refused: it could never be matched.
create table aicrm.brief_synonyms (
    term text not null,
    synonym text not null,
    term_lexemes text[] generated always as (tsvector_to_array(to_tsvector('english'::regconfig,
        regexp_replace(lower(replace(replace(term, '''', ''), '’', '')), '[^[:alnum:]]+', ' ', 'g')))) stored,
    synonym_lexemes text[] generated always as (tsvector_to_array(to_tsvector('english'::regconfig,
        regexp_replace(lower(replace(replace(synonym, '''', ''), '’', '')), '[^[:alnum:]]+', ' ', 'g')))) stored,
    primary key (term, synonym),
    constraint brief_synonyms_not_itself check (lower(btrim(term)) <> lower(btrim(synonym))),
    constraint brief_synonyms_has_words check (cardinality(term_lexemes) > 0 and cardinality(synonym_lexemes) > 0)
);

-- Both ways: a pair applies when all of one side's lexemes are among the brief's, so also its
-- first (the arrays are sorted); looked up by that one, with equality (an array overlap costs
-- several times more).
create index brief_synonyms_term_first on aicrm.brief_synonyms ((term_lexemes[1]));
create index brief_synonyms_synonym_first on aicrm.brief_synonyms ((synonym_lexemes[1]));

grant select on aicrm.brief_synonyms to aicrm_app, aicrm_worker, aicrm_readonly;
