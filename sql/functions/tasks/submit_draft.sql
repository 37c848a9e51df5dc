-- The worker API (docs/pipeline.md, "Workers"): submit_draft stores the task's next draft. Fenced by the
-- lease's token like every write back (aicrm_private.lease_of, private/tasks/lease.sql).
-- SECURITY DEFINER: the worker role has no write privilege on tasks or deliverables.

-- Stores the next version of the task's draft with what produced it (p_meta: context version,
-- template, examples, rules version, provider, model, tokens, cost, latency) and moves the task
-- generating -> evaluating. p_idempotency_key: a repeat of a call that was answered (a worker
-- retrying after a lost answer) returns the draft that call created ("created": false), whatever
-- the task's state, and writes nothing; the same key with another draft is refused.
-- The draft is assembled before it is stored (aicrm_private.assemble_draft): the system-owned parts
-- the compliance packs require (unsubscribe footer, postal address, SMS opt-out, sender) are added
-- from the customer's profile; the stored content is the assembled one, meta.system_parts lists what
-- aicrm added ([{part, text}]) and meta.system_part_gaps what the profile could not supply. Returns
-- the stored content, which the worker measures (what is scored is what is stored).
create or replace function aicrm.submit_draft(
    p_task_id uuid,
    p_lease_token uuid,
    p_content text,
    p_subject text default null,
    p_content_format text default 'text',
    p_meta jsonb default '{}',
    p_idempotency_key text default null
)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_tenant uuid := aicrm_private.require_tenant();
    v_task aicrm.project_tasks;
    v_existing record;
    v_assembled jsonb;
    v_id uuid;
    v_version integer;
begin
    if p_idempotency_key is not null and (btrim(p_idempotency_key) = '' or char_length(p_idempotency_key) > 200) then
        raise exception using errcode = 'AC001', message = 'idempotency_key: must be 1-200 characters',
            hint = 'Use a key unique to this draft, e.g. the task id and attempt.', column = 'idempotency_key';
    end if;
    if jsonb_typeof(p_meta) is distinct from 'object' or octet_length(p_meta::text) > 65536 then
        raise exception using errcode = 'AC001', message = 'meta: must be a JSON object of at most 64 KiB',
            hint = 'Pass what produced the draft: {"context_version": 3, "model": "...", "prompt_tokens": 812, ...}.',
            column = 'meta';
    end if;

    if p_idempotency_key is not null then
        -- The task's lock first, so that a concurrent repeat waits for this call and finds its draft.
        select * into v_task from aicrm.project_tasks as t
        where t.tenant_id = v_tenant and t.task_id = p_task_id for update;
        select d.deliverable_id, d.version, d.subject, d.content, d.provenance into v_existing
        from aicrm.project_deliverables as d
        where d.tenant_id = v_tenant and d.task_id = p_task_id and d.idempotency_key = p_idempotency_key;
        if found then
            -- The same draft is the same writer's text, stored assembled (or as written, before assembly).
            v_assembled := aicrm_private.assemble_draft(v_task.customer_id, v_task.channel, p_content, p_content_format);
            if v_existing.subject is distinct from p_subject
               or v_existing.content not in (p_content, v_assembled ->> 'content') then
                raise exception using errcode = 'AC005',
                    message = format('idempotency_key: %s was used for another draft (version %s)', p_idempotency_key,
                                     v_existing.version),
                    hint = 'Use a new key for a new draft.', column = 'idempotency_key';
            end if;
            return jsonb_build_object('deliverable_id', v_existing.deliverable_id, 'version', v_existing.version,
                                      'created', false, 'content', v_existing.content,
                                      'system_parts', coalesce(v_existing.provenance -> 'system_parts', '[]'));
        end if;
    end if;

    v_task := aicrm_private.lease_of(p_task_id, p_lease_token);
    if v_task.execution_state <> 'generating' then
        raise exception using errcode = 'AC005',
            message = format('execution_state: task %s is %s; a draft is submitted while generating', p_task_id,
                             v_task.execution_state),
            hint = 'After reading the context, call aicrm.start_generating.',
            column = 'execution_state';
    end if;
    v_assembled := aicrm_private.assemble_draft(v_task.customer_id, v_task.channel, p_content, p_content_format);
    select coalesce(max(d.version), 0) + 1 into v_version
    from aicrm.project_deliverables as d
    where d.tenant_id = v_tenant and d.task_id = p_task_id;
    -- The row trigger validates the draft (content, subject, content_format), naming the field.
    insert into aicrm.project_deliverables (
        tenant_id, task_id, version, subject, content, content_format, created_by, idempotency_key, provenance)
    values (
        v_tenant, p_task_id, v_version, p_subject, v_assembled ->> 'content', p_content_format, v_task.lease_holder,
        p_idempotency_key, p_meta || jsonb_build_object('system_parts', v_assembled -> 'added')
            || case when v_assembled -> 'gaps' = '[]' then '{}'
                    else jsonb_build_object('system_part_gaps', v_assembled -> 'gaps') end)
    returning deliverable_id into v_id;
    perform aicrm_private.transition_task(p_task_id, 'evaluating', v_task.lease_holder, 'draft submitted', 'generating',
        jsonb_build_object('deliverable_id', v_id, 'version', v_version), 'submit_draft');
    return jsonb_build_object('deliverable_id', v_id, 'version', v_version, 'created', true,
                              'content', v_assembled ->> 'content', 'system_parts', v_assembled -> 'added');
end
$$;

revoke execute on function aicrm.submit_draft(uuid, uuid, text, text, text, jsonb, text) from public;
grant execute on function aicrm.submit_draft(uuid, uuid, text, text, text, jsonb, text) to aicrm_worker;
