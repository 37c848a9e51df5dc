-- Creating work for the pipeline (docs/pipeline.md): one task with its structured instructions,
-- queued at once. Everything a later step relies on is checked here, so a task is refused when it
-- is written rather than escalated by the worker: the instructions against task.ai_instructions
-- (whose channel, purpose, tone and output type are the vocabularies the templates,
-- find_similar_content and the scorecard read, docs/ai-instructions.md), what no schema can say
-- (a minimum above its maximum, a term both required and forbidden), the due date; the row itself
-- is validated on write (row.project_tasks: channel, priority, thresholds).
-- What no schema can say: private/tasks/assert_instructions_satisfiable.sql.

-- p_idempotency_key: the same key with the same request returns the task it created
-- ("created": false), unchecked: a file run again days later finds its tasks even when their due
-- date has passed; with a different request it is refused (AC005). Without a project the
-- customer's "Content" project is used, created the first time. p_due_at may not be before
-- today (the session's time zone: a date alone is midnight, so today is allowed).
-- The result has "warnings" (field: problem) when the task is created but may not be what was
-- meant: a customer that is not active or a prospect, instructions without a topic (the writers
-- do not read the title), a review request without the link to review at, an event purpose
-- without the event. A result rather than RAISE WARNING: PostgREST and most drivers drop
-- notices, and a file of tasks would fill the server log.
create or replace function aicrm.create_content_task(
    p_customer_id uuid,
    p_channel text,
    p_ai_instructions jsonb default '{}',
    p_title text default null,
    p_project_id uuid default null,
    p_priority integer default 3,
    p_due_at timestamptz default null,
    p_quality_thresholds jsonb default '{}',
    p_idempotency_key text default null,
    -- The default is evaluated in the caller's query: the calling role, not this function's owner.
    p_actor text default current_user
)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_tenant uuid := aicrm_private.require_existing_tenant();
    v_instructions jsonb := coalesce(p_ai_instructions, '{}');
    v_customer record;
    v_warnings jsonb := '[]';
    v_project uuid := p_project_id;
    v_hash text;
    v_existing record;
    v_task uuid;
    v_type text;
begin
    if p_customer_id is null then
        raise exception using errcode = 'AC001', message = 'customer_id: is required',
            hint = 'Pass the id of a customer of this tenant.', column = 'customer_id';
    end if;
    if p_idempotency_key is not null and (btrim(p_idempotency_key) = '' or char_length(p_idempotency_key) > 200) then
        raise exception using errcode = 'AC001', message = 'idempotency_key: must be 1-200 characters',
            hint = 'Use a key unique to this request, e.g. the id of the line or event it comes from.',
            column = 'idempotency_key';
    end if;
    v_hash := md5(jsonb_build_object('customer_id', p_customer_id, 'channel', p_channel, 'ai_instructions', v_instructions,
        'title', p_title, 'project_id', p_project_id, 'priority', p_priority, 'due_at', p_due_at,
        'quality_thresholds', coalesce(p_quality_thresholds, '{}'))::text);
    if p_idempotency_key is not null then
        select t.task_id, t.request_hash, t.execution_state into v_existing
        from aicrm.project_tasks t
        where t.tenant_id = v_tenant and t.idempotency_key = p_idempotency_key;
        if found then
            if v_existing.request_hash is distinct from v_hash then
                raise exception using errcode = 'AC005',
                    message = format('idempotency_key: %s was used for a different task (%s)', p_idempotency_key,
                                     v_existing.task_id),
                    hint = 'Use a new key for a new request.', column = 'idempotency_key';
            end if;
            return jsonb_build_object('task_id', v_existing.task_id, 'created', false,
                                      'execution_state', v_existing.execution_state);
        end if;
    end if;

    select c.name, c.status into v_customer
    from aicrm.customers c where c.tenant_id = v_tenant and c.customer_id = p_customer_id;
    if not found then
        raise exception using errcode = 'AC002', message = format('customer_id: no customer %s in this tenant', p_customer_id),
            hint = 'Pass the id of a customer of this tenant (aicrm.resolve_customer_id finds it by external id).',
            column = 'customer_id';
    end if;
    if p_channel is null then
        raise exception using errcode = 'AC001', message = 'channel: is required',
            hint = format('One of %s.', (select s.definition -> 'enum' from aicrm.json_schemas s
                                        where s.schema_name = 'content.channel')),
            column = 'channel';
    end if;
    perform aicrm_private.assert_json_valid('content.channel', to_jsonb(p_channel), 'channel');
    if p_due_at < date_trunc('day', now()) then
        raise exception using errcode = 'AC001', message = format('due_at: %s is in the past', p_due_at),
            hint = 'Give a due date from today on, or none.', column = 'due_at';
    end if;
    perform aicrm_private.assert_json_valid('task.ai_instructions', v_instructions, 'ai_instructions');
    perform aicrm_private.assert_instructions_satisfiable(v_instructions, 'ai_instructions');
    if v_customer.status not in ('active', 'prospect') then
        v_warnings := v_warnings || to_jsonb(format(
            'customer_id: %s is %s; the task was created, cancel it if the content is no longer wanted',
            v_customer.name, v_customer.status));
    end if;
    if nullif(btrim(v_instructions ->> 'topic'), '') is null then
        v_warnings := v_warnings || to_jsonb(
            'ai_instructions.topic: none given, and the writers do not read the title: say what to write about'::text);
    end if;
    -- What a purpose's draft needs and only the brief can give (docs/ai-instructions.md).
    if v_instructions ->> 'purpose' = 'review_request' and v_instructions #>> '{links,review_url}' is null then
        v_warnings := v_warnings || to_jsonb(
            'ai_instructions.links.review_url: none given, and a review request needs the link to review at'::text);
    elsif v_instructions ->> 'purpose' = 'event' and v_instructions -> 'event' is null then
        v_warnings := v_warnings || to_jsonb(
            'ai_instructions.event: none given, and an invitation needs the event''s name and date'::text);
    end if;
    if v_project is null then
        select p.project_id into v_project
        from aicrm.projects p
        where p.tenant_id = v_tenant and p.customer_id = p_customer_id and p.name = 'Content'
        order by p.created_at limit 1;
        if not found then
            insert into aicrm.projects (tenant_id, customer_id, name, description)
            values (v_tenant, p_customer_id, 'Content', 'Content tasks created for the pipeline.')
            returning project_id into v_project;
        end if;
    elsif not exists (select from aicrm.projects p
                      where p.tenant_id = v_tenant and p.project_id = v_project and p.customer_id = p_customer_id) then
        raise exception using errcode = 'AC002',
            message = format('project_id: no project %s of this customer', v_project),
            hint = 'Pass a project of the same customer, or none.', column = 'project_id';
    end if;
    v_type := coalesce(v_instructions ->> 'output_type', case p_channel
        when 'email' then 'email' when 'sms' then 'sms' when 'social' then 'social_post'
        when 'blog' then 'blog_post' when 'web' then 'landing_page' end, 'email');

    begin
        insert into aicrm.project_tasks (
            tenant_id, project_id, customer_id, title, task_type, channel, priority, due_at, ai_instructions,
            quality_thresholds, idempotency_key, request_hash)
        values (
            v_tenant, v_project, p_customer_id,
            coalesce(nullif(btrim(p_title), ''), left(format('%s for %s%s', replace(v_type, '_', ' '), v_customer.name,
                coalesce(': ' || (v_instructions ->> 'topic'), '')), 300)),
            v_type, p_channel, p_priority, p_due_at, v_instructions, coalesce(p_quality_thresholds, '{}'),
            p_idempotency_key, v_hash)
        returning task_id into v_task;
    exception when unique_violation then
        -- The same key, created by a concurrent call since the check above: answer as that call did.
        if p_idempotency_key is null then
            raise;
        end if;
        return aicrm.create_content_task(p_customer_id, p_channel, p_ai_instructions, p_title, p_project_id, p_priority,
            p_due_at, p_quality_thresholds, p_idempotency_key, p_actor);
    end;
    perform aicrm_private.transition_task(v_task, 'queued', coalesce(nullif(btrim(p_actor), ''), session_user::text),
        'created', 'draft', jsonb_build_object('idempotency_key', p_idempotency_key), null);
    return jsonb_build_object('task_id', v_task, 'created', true, 'execution_state', 'queued')
        || case when jsonb_array_length(v_warnings) > 0 then jsonb_build_object('warnings', v_warnings) else '{}' end;
end
$$;

revoke execute on function aicrm.create_content_task(uuid, text, jsonb, text, uuid, integer, timestamptz, jsonb, text, text)
from public;
grant execute on function aicrm.create_content_task(uuid, text, jsonb, text, uuid, integer, timestamptz, jsonb, text, text)
to aicrm_app;
