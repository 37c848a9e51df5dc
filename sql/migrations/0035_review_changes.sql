-- A person's requested changes as edits a writer can act on (docs/pipeline.md, "Requested
-- changes"; aicrm.request_changes): besides the free-text reason, a review that asks for changes
-- keeps the structured edits (add a key point, remove a phrase or line, shorten to N words, change
-- the call to action, use or avoid a phrase), which aicrm.get_draft_brief hands the next draft's
-- writer. Schema review.changes (seeds/defaults/0021_review_changes.sql).
alter table aicrm.deliverable_reviews
add column changes jsonb,
add constraint deliverable_reviews_changes_check check (
    changes is null or (jsonb_typeof(changes) = 'array' and decision = 'request_changes')
);
