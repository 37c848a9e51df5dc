-- The scheduled job detect-stuck-tasks (docs/operations.md, "Stuck tasks"; seeded every five
-- minutes): sends every tenant's tasks held too long under a live lease to a person, at most 500
-- a run (aicrm_private.escalate_stuck_tasks says how). Returns how many. A deployment's job, run
-- by pg_cron or `aicrm scheduler` as the owner; no tenant role may call it.
create or replace function aicrm.detect_stuck_tasks()
returns bigint
language sql
security definer
set search_path = ''
as $$
    select aicrm_private.escalate_stuck_tasks(500)
$$;

revoke execute on function aicrm.detect_stuck_tasks() from public;
