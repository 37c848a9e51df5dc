-- Publishing, continued (docs/pipeline.md, "The publisher"): a publisher claims only the channels it
-- can deliver (aicrm.claim_next_delivery_v2), and gives back what it cannot finish
-- (aicrm.release_delivery). The NOTIFY on aicrm_delivery_queued and the recipients in an email's
-- payload are function changes (sql/functions/pipeline/publishing.sql); the instructions'
-- recipients field is a default seed (task.ai_instructions, sql/seeds/defaults/0007_quality_schemas.sql).

-- A publisher with SMTP alone claims email only: the pending rows of its channels by age, without
-- walking past the rows of channels it leaves to others (outbox_pending_idx still serves a claim
-- of every channel).
create index outbox_pending_channel_idx on aicrm.outbox (channel, available_at) where status = 'pending';

-- A release is an attempt's end like a delivery or a failure, so it is a row of aicrm.deliveries
-- (who held it, when, why: response.reason); nothing was sent, so it names no transport.
alter table aicrm.deliveries
alter column transport drop not null,
drop constraint deliveries_status_check,
add constraint deliveries_status_check check (status in ('delivered', 'failed', 'released')),
add constraint deliveries_transport_required check (transport is not null or status = 'released');
