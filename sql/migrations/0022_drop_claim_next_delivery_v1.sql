-- claim_next_delivery(worker_id, lease_seconds), the signature from before channels, was kept while
-- callers moved to claim_next_delivery_v2 (STYLE.md: a signature never changes in place); the
-- runner and the tests call v2 only, so the first signature goes. v2 with p_channels null is the
-- same claim.
drop function if exists aicrm.claim_next_delivery(text, integer);
