-- A task's thread (docs/agents.md, "A task's thread"): the pipeline's own functions record each
-- handoff of a task between the roles (writer -> editor -> compliance -> publisher, and a person
-- when the rules or a failure ask for one) in the task's thread, as the move that makes it happens.
-- aicrm_private.transition_task calls record_task_handoff for every move, so every path that
-- moves a task (the worker, the rules, a person's review, the publisher, an SQL client) is
-- recorded by one function, and no step is done twice: the record names the step's work, it does
-- not redo it.
--
-- The work itself waits in the pipeline's queues (the task queue, the review queue, the delivery
-- outbox), under their own leases; a pipeline handoff is the record of who handed what to whom, so
-- it is written acknowledged (by the step that took the work on), is never handed out by
-- read_agent_inbox, never expires and does not NOTIFY (a notifying commit takes a database-wide
-- lock: every worker's commits would queue behind each other). get_thread reads it with the
-- agents' own messages of the thread.

-- One message of the pipeline, recorded as done: p_kind handoff or notification, p_type its
-- message type (its data part follows the type's schema: tests/sql/agents/test_task_handoffs.py
-- checks it against aicrm.json_schemas), from and to a role, a text part, a data part and, when
-- p_deliverable_id is given, an artifact part naming the draft with p_relation (produced, consumed);
-- to p_to_agent_id instead of the role when one is given (a route to one agent).
drop function if exists aicrm_private.record_pipeline_message(uuid, uuid, text, text, text, text, text, jsonb, uuid, text);
create or replace function aicrm_private.record_pipeline_message(
    p_tenant uuid,
    p_thread_id uuid,
    p_kind text,
    p_type text,
    p_from_role text,
    p_to_role text,
    p_text text,
    p_data jsonb,
    p_deliverable_id uuid,
    p_relation text,
    p_to_agent_id uuid default null
)
returns void
language sql
set search_path = ''
as $$
    insert into aicrm.ai_agent_messages (
        tenant_id, message_id, kind, message_type, from_role, to_role, to_agent_id, thread_id, correlation_id,
        parts, status, visible_at, expires_at, acknowledged_at
    )
    select
        p_tenant, m.id, p_kind, p_type, p_from_role, case when p_to_agent_id is null then p_to_role end,
        p_to_agent_id, p_thread_id, m.id,
        jsonb_build_array(
            jsonb_build_object('type', 'text', 'text', p_text),
            jsonb_build_object('type', 'data', 'data', jsonb_strip_nulls(p_data))
        ) || case when p_deliverable_id is null then '[]'::jsonb else jsonb_build_array(jsonb_build_object(
            'type', 'artifact', 'deliverable_id', p_deliverable_id, 'relation', p_relation)) end,
        'acknowledged', m.at, m.at, m.at
    from (select gen_random_uuid() as id, clock_timestamp() as at) as m
$$;

revoke execute on function aicrm_private.record_pipeline_message(
    uuid, uuid, text, text, text, text, text, jsonb, uuid, text, uuid
) from public;

-- The role whose step a task leaves when it leaves p_state (who hands it on).
create or replace function aicrm_private.task_state_role(p_state text)
returns text
language sql
immutable
set search_path = ''
as $$
    select case
        when p_state in ('draft', 'queued', 'gathering_context', 'generating') then 'writer'
        when p_state in ('evaluating', 'input_required') then 'compliance'
        when p_state in ('approved', 'publishing', 'delivered', 'measured') then 'publisher'
        else 'human'
    end
$$;

revoke execute on function aicrm_private.task_state_role(text) from public;

-- Records the handoff the move p_from -> p_to of task p_task_id makes (transition_task's caller
-- already changed the task; p_details are the move's details). The moves and their records:
--   queued -> gathering_context   a writer took the task: the handoffs waiting for the writers in
--                                 its thread (the strategist's handoff.task_planned) are
--                                 acknowledged; nothing new
--   generating -> evaluating      writer -> editor, handoff.draft_ready (the version written), then
--                                 editor -> compliance, handoff.draft_ready (what assembly added:
--                                 the system-owned parts, submit_draft's aicrm_private.assemble_draft)
--   evaluating -> approved        compliance -> publisher, handoff.draft_ready, decision publish
--   evaluating -> generating      compliance -> writer, handoff.changes_requested with the fixes
--   evaluating -> awaiting_review compliance -> human, handoff.review_requested
--   * -> escalated                the step's role -> human, handoff.review_requested (escalated)
--   awaiting_review/escalated -> approved: human -> publisher, handoff.draft_ready, decision publish
--   awaiting_review/escalated -> queued:   human -> writer, handoff.changes_requested (the reason)
--   * -> rejected                 the deciding role -> writer, notification.task_closed
--   publishing -> delivered       publisher -> analyst, notification.delivered
-- input_required's requests and their answers are messages of their own (request_task_input,
-- respond_to_request); a release, a claim of the outbox and a cancellation record nothing.
create or replace function aicrm_private.record_task_handoff(
    p_tenant uuid, p_task_id uuid, p_from text, p_to text, p_actor text, p_reason text, p_details jsonb
)
returns void
language plpgsql
set search_path = ''
as $$
declare
    v_deliverable aicrm.project_deliverables;
    v_from_role text := aicrm_private.task_state_role(p_from);
    v_added text;
    v_summary text := left(p_reason, 2000);
    v_route jsonb;
begin
    if p_to = 'gathering_context' then
        update aicrm.ai_agent_messages as m
        set status = 'acknowledged', acknowledged_at = clock_timestamp(), claim_token = null
        where m.tenant_id = p_tenant and m.thread_id = p_task_id and m.kind = 'handoff'
          and m.status in ('pending', 'delivered')
          and (m.to_role = 'writer' or m.to_agent_id in (
              select a.agent_id from aicrm.ai_agents as a where a.tenant_id = p_tenant and a.agent_role = 'writer'));
        return;
    end if;
    if p_to not in ('evaluating', 'approved', 'generating', 'awaiting_review', 'escalated', 'queued', 'rejected',
                    'delivered')
       or p_to = 'queued' and p_from not in ('awaiting_review', 'escalated')
       or p_to = 'generating' and p_from <> 'evaluating'
       or p_to = 'awaiting_review' and p_from <> 'evaluating' then
        return;
    end if;
    -- the draft the move is about: the one it names, else the task's latest
    select d.* into v_deliverable
    from aicrm.project_deliverables as d
    where d.tenant_id = p_tenant and d.task_id = p_task_id
    order by d.deliverable_id = coalesce((p_details ->> 'approved_deliverable_id')::uuid,
                                         (p_details ->> 'deliverable_id')::uuid) is true desc,
             d.version desc
    limit 1;

    if p_to = 'evaluating' then
        perform aicrm_private.record_pipeline_message(p_tenant, p_task_id, 'handoff', 'handoff.draft_ready',
            'writer', 'editor',
            format('Version %s written%s.', v_deliverable.version,
                coalesce(' by ' || (v_deliverable.provenance ->> 'model')
                    || coalesce(' (' || (v_deliverable.provenance ->> 'provider') || ')', ''), '')),
            jsonb_build_object('task_id', p_task_id, 'version', v_deliverable.version),
            v_deliverable.deliverable_id, 'produced');
        select string_agg(replace(p ->> 'part', '_', ' '), ', ' order by o) into v_added
        from jsonb_array_elements(coalesce(v_deliverable.provenance -> 'system_parts', '[]')) with ordinality as x (p, o);
        v_summary := case when v_added is null then format('Version %s needs none of the system-owned parts.',
                                                           v_deliverable.version)
            else format('Version %s assembled: added %s.', v_deliverable.version, v_added) end
            || case when v_deliverable.provenance -> 'system_part_gaps' is not null
                    and v_deliverable.provenance -> 'system_part_gaps' <> '[]'
                then format(' The profile could not supply: %s.', (
                    select string_agg(coalesce(g ->> 'part', g #>> '{}'), ', ')
                    from jsonb_array_elements(v_deliverable.provenance -> 'system_part_gaps') as g))
                else '' end;
        perform aicrm_private.record_pipeline_message(p_tenant, p_task_id, 'handoff', 'handoff.draft_ready',
            'editor', 'compliance', v_summary,
            jsonb_build_object('task_id', p_task_id, 'version', v_deliverable.version, 'summary', v_summary),
            v_deliverable.deliverable_id, 'consumed');
    elsif p_to = 'approved' then
        perform aicrm_private.record_pipeline_message(p_tenant, p_task_id, 'handoff', 'handoff.draft_ready',
            case when p_from = 'evaluating' then 'compliance' else 'human' end, 'publisher',
            case when p_from = 'evaluating' then format('Version %s approved: %s', v_deliverable.version, v_summary)
                else format('Version %s approved by %s%s', v_deliverable.version, p_actor,
                    coalesce(': ' || nullif(v_summary, 'approve'), '.')) end,
            jsonb_build_object('task_id', p_task_id, 'version', v_deliverable.version, 'decision', 'publish',
                'summary', v_summary, 'score', v_deliverable.quality_score),
            v_deliverable.deliverable_id, 'consumed');
    elsif p_to in ('generating', 'queued') then
        perform aicrm_private.record_pipeline_message(p_tenant, p_task_id, 'handoff', 'handoff.changes_requested',
            case when p_from = 'evaluating' then 'compliance' else 'human' end, 'writer',
            format('Version %s needs changes: %s', v_deliverable.version, coalesce(v_summary, 'see the fixes')),
            jsonb_build_object('task_id', p_task_id, 'version', v_deliverable.version, 'decision', 'request_changes',
                'summary', v_summary,
                -- the rules' fixes ({code, params, ...}); a person's changes are in the review
                'fixes', case when p_from = 'evaluating' then v_deliverable.content_quality -> 'fixes' end,
                'review_id', p_details -> 'review_id'),
            v_deliverable.deliverable_id, 'consumed');
    elsif p_to in ('awaiting_review', 'escalated') then
        -- to whom the tenant's routing rules send it (routing.sql), kept on the task
        v_route := aicrm_private.route_and_mark_task(p_tenant, p_task_id, 'review', 'human',
            jsonb_build_object('state', p_to, 'score', v_deliverable.quality_score, 'summary', v_summary));
        perform aicrm_private.record_pipeline_message(p_tenant, p_task_id, 'handoff', 'handoff.review_requested',
            v_from_role, v_route ->> 'to_role',
            format('%s: %s', case p_to when 'escalated' then 'Escalated' else 'For review' end,
                coalesce(v_summary, p_to)),
            jsonb_build_object('task_id', p_task_id, 'version', v_deliverable.version, 'state', p_to,
                'summary', v_summary, 'score', v_deliverable.quality_score, 'routed_by', v_route -> 'rule'),
            v_deliverable.deliverable_id, 'consumed', (v_route ->> 'to_agent_id')::uuid);
    elsif p_to = 'rejected' then
        perform aicrm_private.record_pipeline_message(p_tenant, p_task_id, 'notification', 'notification.task_closed',
            v_from_role, 'writer', format('Rejected: %s', coalesce(v_summary, 'rejected')),
            jsonb_build_object('task_id', p_task_id, 'version', v_deliverable.version, 'state', p_to,
                'summary', v_summary),
            v_deliverable.deliverable_id, 'consumed');
    elsif p_to = 'delivered' then
        perform aicrm_private.record_pipeline_message(p_tenant, p_task_id, 'notification', 'notification.delivered',
            'publisher', 'analyst', format('Version %s %s.', v_deliverable.version, coalesce(v_summary, 'delivered')),
            jsonb_build_object('task_id', p_task_id, 'version', v_deliverable.version,
                'outbox_id', p_details -> 'outbox_id', 'summary', v_summary),
            v_deliverable.deliverable_id, 'consumed');
    end if;
end
$$;

revoke execute on function aicrm_private.record_task_handoff(uuid, uuid, text, text, text, text, jsonb) from public;
