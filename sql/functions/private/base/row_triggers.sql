-- Generic row triggers, attached to tables in sql/functions/triggers.sql.

-- Validates the whole row against the stored schema "row.<table>" so that any SQL client, not
-- just our API, gets the same checks and the same error naming the column (and JSON path).
create or replace function aicrm_private.tg_validate_row()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
    perform aicrm_private.assert_json_valid('row.' || tg_table_name, to_jsonb(new));
    return new;
end
$$;

create or replace function aicrm_private.tg_touch_updated_at()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
    new.updated_at := now();
    return new;
end
$$;

-- Append-only audit: one row per insert, update (changed columns only) and delete. Runs as the
-- owner so that no application role needs (or has) INSERT on audit_log.
-- tg_argv[0] names the row's id column.
create or replace function aicrm_private.tg_audit()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_new jsonb := case when tg_op <> 'DELETE' then to_jsonb(new) end;
    v_old jsonb := case when tg_op <> 'INSERT' then to_jsonb(old) end;
    v_row jsonb := coalesce(v_new, v_old);
    v_changes jsonb;
    v_claims jsonb := nullif(current_setting('request.jwt.claims', true), '')::jsonb;
begin
    if tg_op = 'UPDATE' then
        select jsonb_object_agg(n.key, jsonb_build_object('old', v_old -> n.key, 'new', n.value))
        into v_changes
        from jsonb_each(v_new) n
        where n.value is distinct from v_old -> n.key and n.key not in ('updated_at', 'context_updated_at');
        -- A heartbeat only moves a task's lease_until: bookkeeping, not a change worth a row (every
        -- state change is in task_state_transitions and audited with its lease anyway).
        -- Nor is an agent's heartbeat (read_agent_inbox stamps it on every read).
        if v_changes is null or (tg_table_name = 'project_tasks' and v_changes - 'lease_until' = '{}'::jsonb)
           or (tg_table_name = 'ai_agents' and v_changes - 'last_heartbeat_at' = '{}'::jsonb) then
            return null;
        end if;
    else
        v_changes := coalesce(v_new, v_old);
    end if;
    insert into aicrm.audit_log (tenant_id, table_name, operation, row_key, changes, actor_role, actor_sub)
    values (
        (v_row ->> 'tenant_id')::uuid,
        tg_table_name,
        lower(tg_op),
        jsonb_build_object(tg_argv[0], v_row -> tg_argv[0]),
        v_changes,
        -- current_user is the owner here; the caller's role is in the "role" setting (SET ROLE,
        -- PostgREST) or is the login itself.
        coalesce(nullif(current_setting('role'), 'none'), session_user),
        v_claims ->> 'sub'
    );
    return null;
end
$$;
