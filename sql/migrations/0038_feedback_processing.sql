-- The learning loop's feedback (issue 16, items 2 and 3; docs/learning.md, "Feedback" and "What
-- worked"; ADR 0018). aicrm.process_ai_feedback (the scheduled job process-ai-feedback) adds two
-- sources of its own to aicrm.ai_content_feedback, one row per deliverable and source:
--   delivery: a measured deliverable's effectiveness, from clicks and conversions (opens only as a
--     flagged fall-back), against the customer's and channel's baseline, shrunk toward the
--     industry's (empirical-Bayes beta-binomial), with the draft's features what_worked reads;
--   review: what people made of a draft: the review's outcome, the edit distance to what was
--     finally approved or sent and what kind of edit, the reviewers' ratings.
-- Every row carries an embedding of the deliverable's text (the hashing embedder's, in SQL), so the
-- loop can find feedback on drafts like a new one. aicrm.learning_promotions records each draft
-- the loop (or a person) made a positive or negative example, reversibly.

alter table aicrm.ai_content_feedback
drop constraint ai_content_feedback_source_check,
drop constraint ai_content_feedback_something_check,
add constraint ai_content_feedback_source_check check (source in ('agent', 'reviewer', 'delivery', 'review')),
-- an agent's or a person's feedback says something; the job's sources measure it
add constraint ai_content_feedback_something_check check (
    rating is not null or comment is not null or source in ('delivery', 'review')
),
-- delivery: the lift over the customer's and channel's baseline (1 = as usual); what the bandit reads
add column effectiveness numeric(10, 4),
-- delivery: what the score counts: clicks (clicks or conversions) or opens (the fall-back)
add column basis text,
-- delivery: the audience (delivered, else sent) and how many of it acted (the basis' count)
add column trials bigint,
add column successes bigint,
-- the job's inputs when it wrote the row (md5): the same inputs again change nothing
add column inputs_hash text,
add column embedding extensions.halfvec(384),
add column embedding_model text,
add column embedded_at timestamptz,
add constraint ai_content_feedback_basis_check check (basis in ('clicks', 'opens')),
add constraint ai_content_feedback_measured_check check (
    (source = 'delivery') = (basis is not null and trials is not null and successes is not null)
    and successes between 0 and trials
),
add constraint ai_content_feedback_effectiveness_check check (effectiveness >= 0);

-- One row per deliverable and source for the job's own sources (an agent's and a person's stay one
-- per author: ai_content_feedback_key).
create unique index ai_content_feedback_job_key on aicrm.ai_content_feedback (tenant_id, deliverable_id, source)
where source in ('delivery', 'review');

-- What the job still has to embed, found without a scan.
create index ai_content_feedback_pending_idx on aicrm.ai_content_feedback (tenant_id, feedback_id)
where embedding is null;

-- What the job looks up per reviewed deliverable: its reviews, and its task's outbox row.
create index deliverable_reviews_deliverable_idx on aicrm.deliverable_reviews (tenant_id, deliverable_id, created_at);
create index outbox_task_idx on aicrm.outbox (tenant_id, task_id);

-- A draft made an example by the learning loop (or by a person): the example it became
-- (aicrm.content_examples, source feedback), why, and its reversal. One promotion per deliverable
-- and polarity: a reversed one stays recorded and is not made again by the job.
create table aicrm.learning_promotions (
    tenant_id uuid not null default aicrm_private.current_tenant_id(),
    promotion_id uuid not null default gen_random_uuid(),
    deliverable_id uuid not null,
    -- the example it became; null once reversed (the example is deleted)
    example_id uuid,
    polarity text not null,
    -- why: top performer (its lift), rejected (the reviewer's reason), heavily edited (how much, what)
    reason text not null,
    evidence jsonb not null default '{}',
    promoted_by text not null,
    promoted_at timestamptz not null default clock_timestamp(),
    reversed_at timestamptz,
    reversed_by text,
    reversal_reason text,
    constraint learning_promotions_pkey primary key (tenant_id, promotion_id),
    constraint learning_promotions_key unique (tenant_id, deliverable_id, polarity),
    -- deferred: a customer deleted takes its deliverables (and so their promotions) and its examples
    -- (and so the promotions' example_id) in one statement; the promotion nulled by the one and
    -- deleted by the other must not be checked in between
    constraint learning_promotions_deliverable_fkey foreign key (tenant_id, deliverable_id)
    references aicrm.project_deliverables (tenant_id, deliverable_id) on delete cascade
    deferrable initially deferred,
    constraint learning_promotions_example_fkey foreign key (tenant_id, example_id)
    references aicrm.content_examples (tenant_id, example_id) on delete set null (example_id),
    constraint learning_promotions_polarity_check check (polarity in ('positive', 'negative')),
    constraint learning_promotions_reason_check check (char_length(reason) between 1 and 2000),
    constraint learning_promotions_reversal_check check (
        (reversed_at is null) = (reversed_by is null) and (reversed_at is null) = (reversal_reason is null)
    )
);

alter table aicrm.learning_promotions enable row level security;
alter table aicrm.learning_promotions force row level security;
create policy learning_promotions_all_own on aicrm.learning_promotions
using (tenant_id = (select aicrm_private.current_tenant_id()))
with check (tenant_id = (select aicrm_private.current_tenant_id()));

-- Written through process_ai_feedback, promote_example and reverse_promotion only; read by every role.
grant select on aicrm.learning_promotions to aicrm_app, aicrm_worker, aicrm_readonly;
