-- The strategist's offline plan (docs/agents.md, "The strategist: from a project brief to tasks"):
-- a project's brief turned into its content tasks, each with full instructions, through
-- aicrm.create_content_task (which checks every task as it checks any other: this function never
-- writes a task itself).
--
-- p_brief (schema project.brief): goals, audience, channels ({channel: pieces 1-20}), starts_on,
-- ends_on (from starts_on to a year after it), topic, and the optional instruction fields purpose,
-- key_points, offer, event, links, avoid_topics. The plan: for each channel (in the order of
-- content.channel), its N pieces spread evenly over the days of the brief: the days are split into
-- N equal parts and piece n is due at the start of part n (midnight UTC), so the first piece of
-- every channel is due on starts_on. Each task is titled "<channel> <n>/<N>: <topic>" and gets
-- the brief's instruction fields (topic, purpose, audience, key_points, offer, event, links,
-- avoid_topics) as its ai_instructions; the goals go into the plan and the handoffs, not the
-- instructions (the task schema has no field for them).
--
-- Idempotent: each task's idempotency key is project_brief:<project>:<md5 of the brief>:<channel>:
-- <piece>, so the same brief again creates nothing and answers with the same tasks ("created":
-- false), whatever the date; a changed brief creates its own plan's tasks, and the earlier plans'
-- tasks still queued are left as they are and listed as "superseded" (cancel them if they are no
-- longer wanted: nothing is deleted). The time zone is pinned to UTC so that the due dates, and the
-- request that create_content_task compares under a key, do not depend on the caller's session.
--
-- A strategist's own plan (a model's proposal: runner/strategist.py) comes as the brief's `pieces`:
-- [{channel, piece, due_on, title?, topic?, key_points?, cta?, why?}], exactly the pieces the
-- brief's channels count, each due from starts_on to ends_on, its key points chosen among the
-- brief's (a plan chooses among the brief's facts, it adds none), checked before anything is
-- written (aicrm_private.check_brief_pieces in private/tasks/project_brief_pieces.sql, AC001 naming
-- brief.pieces[i].<field>); each task then takes its piece's due date, title and angle (topic,
-- key points, call to action) over the brief's.
--
-- p_strategist_agent_id: an active agent of the tenant with the role strategist; each new task is
-- handed to the role writer (message type handoff.task_planned, thread = the task id), so every
-- task's thread starts with the strategist's handoff.
--
-- Returns {project_id, brief_hash, tasks: [{task_id, channel, piece, due_at, title, created}],
-- superseded: [task ids], plan: [lines in plain words], warnings?: [the tasks' warnings, once each]}.
-- Errors: AC001 naming the field (project_id, brief, brief.<field>, e.g. brief.channels.fax,
-- brief.ends_on, brief.starts_on: in the past when the plan has tasks to create); AC002 project_id
-- (no project of this tenant), strategist_agent_id (no agent of this tenant); AC005
-- strategist_agent_id (not active); AC006 strategist_agent_id (not a strategist); AC003 no tenant.
create or replace function aicrm.create_project_brief(
    p_project_id uuid,
    p_brief jsonb,
    p_strategist_agent_id uuid default null
)
returns jsonb
language plpgsql
set search_path = ''
set timezone to 'UTC'
as $$
declare
    v_tenant uuid := aicrm_private.require_existing_tenant();
    v_project aicrm.projects;
    v_strategist aicrm.ai_agents;
    v_starts date;
    v_ends date;
    v_days integer;
    v_hash text;
    v_prefix text;
    v_instructions jsonb;
    v_goals text;
    v_total integer;
    v_channel record;
    v_piece integer;
    v_day date;
    v_dates text[];
    v_title text;
    v_result jsonb;
    v_tasks jsonb := '[]';
    v_warnings jsonb := '[]';
    v_superseded jsonb;
    v_plan text[] := '{}';
    v_new integer := 0;
    v_proposed jsonb;
begin
    if p_project_id is null then
        raise exception using errcode = 'AC001', column = 'project_id', message = 'project_id: is required';
    end if;
    select * into v_project from aicrm.projects as p where p.tenant_id = v_tenant and p.project_id = p_project_id;
    if not found then
        raise exception using errcode = 'AC002', column = 'project_id',
            message = format('project_id: no project %s in this tenant', p_project_id);
    end if;
    if jsonb_typeof(p_brief) is distinct from 'object' then
        raise exception using errcode = 'AC001', column = 'brief', message = 'brief: must be a JSON object',
            hint = 'goals, audience, channels, starts_on, ends_on, topic (docs/agents.md).';
    end if;
    perform aicrm_private.assert_json_valid('project.brief', p_brief, 'brief');

    -- what the schema cannot say
    if p_brief -> 'channels' = '{}' then
        raise exception using errcode = 'AC001', column = 'brief.channels',
            message = 'brief.channels: at least one channel is required',
            hint = 'Give each channel its number of pieces, such as {"email": 2, "social": 3}.';
    end if;
    begin
        v_starts := (p_brief ->> 'starts_on')::date;
    exception when datetime_field_overflow or invalid_datetime_format then
        raise exception using errcode = 'AC001', column = 'brief.starts_on',
            message = format('brief.starts_on: %s is not a date', p_brief ->> 'starts_on'),
            hint = 'A date such as 2027-03-01.';
    end;
    begin
        v_ends := (p_brief ->> 'ends_on')::date;
    exception when datetime_field_overflow or invalid_datetime_format then
        raise exception using errcode = 'AC001', column = 'brief.ends_on',
            message = format('brief.ends_on: %s is not a date', p_brief ->> 'ends_on'),
            hint = 'A date such as 2027-03-31.';
    end;
    if v_ends < v_starts then
        raise exception using errcode = 'AC001', column = 'brief.ends_on',
            message = format('brief.ends_on: %s is before starts_on (%s)', v_ends, v_starts),
            hint = 'Give an end date from starts_on on.';
    end if;
    if v_ends > v_starts + interval '1 year' then
        raise exception using errcode = 'AC001', column = 'brief.ends_on',
            message = format('brief.ends_on: %s is more than a year after starts_on (%s)', v_ends, v_starts),
            hint = format('At most %s: plan a longer project as several briefs.', (v_starts + interval '1 year')::date);
    end if;

    if p_strategist_agent_id is not null then
        select * into v_strategist from aicrm.ai_agents as a
        where a.tenant_id = v_tenant and a.agent_id = p_strategist_agent_id;
        if not found then
            raise exception using errcode = 'AC002', column = 'strategist_agent_id',
                message = format('strategist_agent_id: no agent %s in this tenant', p_strategist_agent_id);
        end if;
        if v_strategist.agent_role <> 'strategist' then
            raise exception using errcode = 'AC006', column = 'strategist_agent_id',
                message = format('strategist_agent_id: agent %s is a %s, not a strategist', p_strategist_agent_id,
                    v_strategist.agent_role),
                hint = 'Pass an agent with the role strategist, or none.';
        end if;
        if v_strategist.status <> 'active' then
            raise exception using errcode = 'AC005', column = 'strategist_agent_id',
                message = format('strategist_agent_id: agent %s is %s', p_strategist_agent_id, v_strategist.status);
        end if;
    end if;

    if p_brief ? 'pieces' then
        perform aicrm_private.check_brief_pieces(p_brief, v_starts, v_ends);
    end if;

    v_hash := md5(p_brief::text);
    v_prefix := format('project_brief:%s:%s:', p_project_id, v_hash);
    v_days := v_ends - v_starts + 1;
    select jsonb_object_agg(e.key, e.value) into v_instructions
    from jsonb_each(p_brief) as e
    where e.key in ('topic', 'purpose', 'audience', 'key_points', 'offer', 'event', 'links', 'avoid_topics');
    select string_agg(g.value, '; ' order by g.ordinality) into v_goals
    from jsonb_array_elements_text(p_brief -> 'goals') with ordinality as g;
    select sum(e.value::integer) into v_total from jsonb_each(p_brief -> 'channels') as e;

    -- A plan with tasks still to create is checked as a new task would be, naming the brief's
    -- field: its first pieces are due on starts_on, and the offer and event must still be ahead.
    -- A plan created already answers with its tasks whatever the date (as create_content_task does).
    if (select count(*) from aicrm.project_tasks as t
        where t.tenant_id = v_tenant and starts_with(t.idempotency_key, v_prefix)) < v_total then
        if v_starts < current_date then
            raise exception using errcode = 'AC001', column = 'brief.starts_on',
                message = format('brief.starts_on: %s is in the past', v_starts),
                hint = 'The first pieces are due on starts_on: give a date from today on.';
        end if;
        perform aicrm_private.assert_instructions_satisfiable(v_instructions, 'brief');
    end if;

    if v_project.brief is distinct from p_brief then
        update aicrm.projects as p set brief = p_brief, brief_updated_at = now()
        where p.tenant_id = v_tenant and p.project_id = p_project_id;
    end if;

    v_plan := v_plan || format('Project %s: %s, for %s, from %s to %s (%s days).', v_project.name,
        p_brief ->> 'topic', p_brief ->> 'audience', v_starts, v_ends, v_days);
    v_plan := v_plan || ('Goals: ' || v_goals || '.');
    for v_channel in
        select e.key as name, e.value::integer as pieces
        from jsonb_each(p_brief -> 'channels') as e
        join aicrm.json_schemas as s on s.schema_name = 'content.channel'
        cross join lateral (
            select c.ordinality from jsonb_array_elements_text(s.definition -> 'enum') with ordinality as c
            where c.value = e.key
        ) as o
        order by o.ordinality
    loop
        v_dates := '{}';
        for v_piece in 1..v_channel.pieces loop
            select x.value into v_proposed from jsonb_array_elements(coalesce(p_brief -> 'pieces', '[]')) as x
            where x.value ->> 'channel' = v_channel.name and (x.value ->> 'piece')::integer = v_piece;
            v_day := coalesce((v_proposed ->> 'due_on')::date, v_starts + (v_piece - 1) * v_days / v_channel.pieces);
            v_dates := v_dates || v_day::text;
            v_title := left(coalesce(v_proposed ->> 'title',
                format('%s %s/%s: %s', v_channel.name, v_piece, v_channel.pieces, p_brief ->> 'topic')), 300);
            v_result := aicrm.create_content_task(
                p_customer_id => v_project.customer_id,
                p_channel => v_channel.name,
                p_ai_instructions => v_instructions || jsonb_strip_nulls(jsonb_build_object('topic',
                    v_proposed -> 'topic', 'key_points', v_proposed -> 'key_points', 'cta', v_proposed -> 'cta')),
                p_title => v_title,
                p_project_id => p_project_id,
                p_due_at => v_day::timestamptz,
                p_idempotency_key => v_prefix || v_channel.name || ':' || v_piece
            );
            v_tasks := v_tasks || jsonb_build_object('task_id', v_result -> 'task_id', 'channel', v_channel.name,
                'piece', v_piece, 'due_at', v_day::timestamptz, 'title', v_title, 'created', v_result -> 'created');
            v_warnings := v_warnings || coalesce(v_result -> 'warnings', '[]');
            if (v_result ->> 'created')::boolean then
                v_new := v_new + 1;
                if p_strategist_agent_id is not null then
                    perform aicrm.send_agent_message(jsonb_build_object(
                        'kind', 'handoff',
                        'message_type', 'handoff.task_planned',
                        'from_agent_id', p_strategist_agent_id,
                        'to_role', 'writer',
                        'thread_id', v_result -> 'task_id',
                        'idempotency_key', 'task_planned:' || (v_result ->> 'task_id'),
                        'parts', jsonb_build_array(
                            jsonb_build_object('type', 'text', 'text', format(
                                'Planned from the brief of project %s: %s, due %s. Goals: %s.%s', v_project.name,
                                v_title, v_day, v_goals, coalesce(' Why: ' || (v_proposed ->> 'why'), ''))),
                            jsonb_build_object('type', 'data', 'data', jsonb_build_object(
                                'task_id', v_result -> 'task_id', 'project_id', p_project_id,
                                'channel', v_channel.name, 'piece', v_piece))
                        )
                    ));
                end if;
            end if;
        end loop;
        if p_brief ? 'pieces' then
            v_plan := v_plan || format('%s: %s %s as the strategist planned them, due %s.', v_channel.name,
                v_channel.pieces, case when v_channel.pieces = 1 then 'piece' else 'pieces' end,
                array_to_string(v_dates, ', '));
        else
            v_plan := v_plan || format('%s: %s %s, the %s days split into %s equal parts, one due at the start of each: %s.',
                v_channel.name, v_channel.pieces, case when v_channel.pieces = 1 then 'piece' else 'pieces' end, v_days,
                v_channel.pieces, array_to_string(v_dates, ', '));
        end if;
    end loop;
    v_plan := v_plan || ('Each task''s instructions come from the brief: '
        || (select string_agg(k, ', ' order by k) from jsonb_object_keys(v_instructions) as k) || '.');
    v_plan := v_plan || format('%s new %s created, %s already planned from this brief.', v_new,
        case when v_new = 1 then 'task' else 'tasks' end, v_total - v_new);

    select coalesce(jsonb_agg(t.task_id order by t.due_at, t.created_at), '[]') into v_superseded
    from aicrm.project_tasks as t
    where t.tenant_id = v_tenant and t.project_id = p_project_id
      and starts_with(t.idempotency_key, format('project_brief:%s:', p_project_id))
      and not starts_with(t.idempotency_key, v_prefix)
      and t.execution_state = 'queued';
    if jsonb_array_length(v_superseded) > 0 then
        v_plan := v_plan || format(
            '%s queued %s of an earlier brief of this project %s superseded and left as they are: cancel them if they '
            'are no longer wanted.', jsonb_array_length(v_superseded),
            case when jsonb_array_length(v_superseded) = 1 then 'task' else 'tasks' end,
            case when jsonb_array_length(v_superseded) = 1 then 'is' else 'are' end);
    end if;
    if p_strategist_agent_id is not null and v_new > 0 then
        v_plan := v_plan || format('Strategist %s handed each new task to the writers: the first message of its thread.',
            v_strategist.name);
    end if;

    return jsonb_build_object('project_id', p_project_id, 'brief_hash', v_hash, 'tasks', v_tasks,
            'superseded', v_superseded, 'plan', to_jsonb(v_plan))
        || case when jsonb_array_length(v_warnings) > 0 then jsonb_build_object('warnings', (
            select jsonb_agg(distinct w.value) from jsonb_array_elements(v_warnings) as w)) else '{}' end;
end
$$;

revoke execute on function aicrm.create_project_brief(uuid, jsonb, uuid) from public;
grant execute on function aicrm.create_project_brief(uuid, jsonb, uuid) to aicrm_app;
