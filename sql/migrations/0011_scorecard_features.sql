-- What a scorecard measures of a draft once and hands to each of its parts (compliance, structure,
-- brand alignment) instead of each part measuring it again: the draft reduced to its words (for
-- phrase lookups), its word count and where its call to action starts. See
-- aicrm_private.draft_features_of (sql/functions/quality/compliance.sql) and docs/quality.md.
create type aicrm_private.draft_features as (
    words text,
    word_count integer,
    cta_start integer
);

grant usage on type aicrm_private.draft_features to aicrm_app, aicrm_worker;

-- The parts gain the features as a last argument; the versions they replace are dropped here,
-- before the function files re-create them.
drop function if exists aicrm_private.check_compliance(text, text, text, uuid, jsonb);
drop function if exists aicrm_private.score_structure(text, text, text, jsonb);
drop function if exists aicrm_private.score_brand(text, text, jsonb, jsonb, jsonb);
