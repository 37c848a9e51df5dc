-- Escalations in human review (docs/pipeline.md, "Human review"): a person decides on every task
-- waiting for one, escalated ones included, through aicrm.review_task; review_deliverable (the
-- first signature) delegates to it.

-- The review transitions are made by review_task now (review_deliverable calls it). A person may
-- approve an escalated task: its draft, or their own text (scored first, like every edit).
update aicrm.task_state_transition_rules
set via = 'review_task'
where from_state = 'awaiting_review' and via = 'review_deliverable';

insert into aicrm.task_state_transition_rules (from_state, to_state, via, description) values
('escalated', 'approved', 'review_task', 'a person approved (the draft, or their own edit)');

-- A decision on an escalated task that failed before any draft names no draft; a decision may
-- cancel the task; the state it was taken from; the findings (critical or major) the person
-- confirmed when approving a text that has them.
alter table aicrm.deliverable_reviews
alter column deliverable_id drop not null,
alter column version drop not null,
add column from_state text not null default 'awaiting_review',
add column confirmed_findings jsonb,
drop constraint deliverable_reviews_decision_check,
add constraint deliverable_reviews_decision_check
check (decision in ('approve', 'reject', 'request_changes', 'cancel')),
add constraint deliverable_reviews_draft_check check ((deliverable_id is null) = (version is null)),
add constraint deliverable_reviews_from_state_check check (from_state in ('awaiting_review', 'escalated')),
add constraint deliverable_reviews_confirmed_findings_check
check (confirmed_findings is null or jsonb_typeof(confirmed_findings) = 'array');

-- Every row so far was a decision on a draft in review; new rows name their state.
alter table aicrm.deliverable_reviews alter column from_state drop default;
