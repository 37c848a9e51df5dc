-- Publishing: enqueue_publication puts an approved draft in the outbox.

-- Puts a task's approved draft in the outbox (once: a second approval of the same draft adds
-- nothing). Called by transition_task when a task becomes approved.
create or replace function aicrm_private.enqueue_publication(p_task_id uuid, p_deliverable_id uuid, p_actor text)
returns uuid
language plpgsql
set search_path = ''
as $$
declare
    v_tenant uuid := aicrm_private.require_tenant();
    v_id uuid;
begin
    insert into aicrm.outbox (tenant_id, task_id, deliverable_id, channel, payload)
    select t.tenant_id, t.task_id, d.deliverable_id, t.channel,
           jsonb_build_object(
               'tenant_id', t.tenant_id, 'task_id', t.task_id, 'deliverable_id', d.deliverable_id,
               'version', d.version, 'customer_id', t.customer_id, 'customer_name', c.name,
               'channel', t.channel, 'task_type', t.task_type, 'title', t.title,
               'subject', d.subject, 'content', d.content, 'content_format', d.content_format,
               'approved_by', p_actor, 'approved_at', now(),
               -- The merge tags the text holds, for a receiver that sends it to fill per recipient
               -- (over SMTP aicrm fills them: aicrm.email_messages).
               'merge_tags', to_jsonb(aicrm_private.merge_tags_in(concat_ws(' ', d.subject, d.content))))
           -- An email goes to the task's own recipients when it names some (ai_instructions.recipients,
           -- checked by task.ai_instructions); without them the publisher's configured address.
           || case when t.channel = 'email' and jsonb_typeof(t.ai_instructions -> 'recipients') = 'array'
                   then jsonb_build_object('to', t.ai_instructions -> 'recipients') else '{}'::jsonb end
    from aicrm.project_tasks t
    join aicrm.customers c on c.tenant_id = t.tenant_id and c.customer_id = t.customer_id
    join aicrm.project_deliverables d on d.tenant_id = t.tenant_id and d.task_id = t.task_id
    where t.tenant_id = v_tenant and t.task_id = p_task_id
      and d.deliverable_id = coalesce(p_deliverable_id, (
          select x.deliverable_id from aicrm.project_deliverables x
          where x.tenant_id = v_tenant and x.task_id = p_task_id order by x.version desc limit 1))
    on conflict (tenant_id, deliverable_id) do nothing
    returning outbox_id into v_id;
    -- Idle publishers LISTEN here and claim at once (as workers on aicrm_task_queued). The payload
    -- names nothing: any role may listen.
    if v_id is not null then
        perform pg_notify('aicrm_delivery_queued', '');
    end if;
    return v_id;
end
$$;

revoke execute on function aicrm_private.enqueue_publication(uuid, uuid, text) from public;
