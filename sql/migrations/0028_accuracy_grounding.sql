-- What the accuracy dimension grounds a draft's claims in that depends only on the customer's
-- profile (aicrm_private.accuracy_grounding: whether the profile is thin, its words, numbers and
-- opening hours, the claims its texts and contact details state, and the claims of its approved
-- examples), derived when the profile or its examples change, like the rest of the scoring
-- profile, instead of for every draft: extracting the profile's claims cost more than the rest of
-- a scorecard (docs/quality.md, "Speed"). Keyed by an md5 of the customer's row as the scorecard
-- reads it: a scorecard given another profile derives it afresh. Null until the default seed
-- 0013_accuracy_grounding.sql (or the next change of the customer) derives it; the scorecard
-- derives it per draft meanwhile.
alter table aicrm.customer_scoring_profiles
add column accuracy_grounding jsonb;

-- The one combined claim pattern and the one combined promise pattern gave way to one pattern per
-- kind of claim and per promise, each run only on a text that can hold it
-- (private/quality/accuracy_claims.sql, accuracy_promises.sql); accuracy_promises gains the
-- column of that test (its result type changes, so it is created again).
drop function if exists aicrm_private.accuracy_claim_pattern();
drop function if exists aicrm_private.accuracy_promise_pattern();
drop function if exists aicrm_private.accuracy_promises();
