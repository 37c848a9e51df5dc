-- Expires agent messages past their expiry (DESIGN §7, §8): scheduled every 5 minutes as job
-- `expire-agent-messages` (the default seeds) so the schedule is in place before the messages are.
-- A no-op returning 0 until the agents issue adds aicrm.ai_agent_messages; that issue replaces this
-- body (same signature), and the job needs no change. Returns the messages expired.
create or replace function aicrm.expire_agent_messages()
returns bigint
language sql
volatile
set search_path = ''
as $$
    select 0::bigint
$$;
