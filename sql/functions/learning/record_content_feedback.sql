-- Feedback on a draft (docs/agents.md, "Feedback on a draft"; migration 0036): an outside agent's
-- or a person's judgement of a deliverable, kept for the learning loop. It decides nothing: the
-- task and the deliverable are left as they are (an agent cannot approve its own draft by rating
-- it; approving is review_task's, a person's).
--   p_deliverable_id: a deliverable of the tenant (any version, in any state);
--   p_feedback: {source: agent | reviewer, agent_id?, rating? (1-5), comment? (1-4,000
--     characters, not blank), tags? (at most 20 distinct lower-case tags), payload? (an
--     object, at most 16 KiB)}, schema api.content_feedback; a rating or a comment at least;
--     agent_id (a tenant's agent) only for source agent;
--   p_by: the author (else the JWT's subject, else the role).
-- Idempotent by its key, the deliverable, source and author: the same feedback again changes
-- nothing (created false, changed false); other feedback of the same author replaces it (changed
-- true; the audit log keeps what it was). A refused call writes nothing. Errors: AC001 naming the
-- field (deliverable_id, feedback, feedback.<field> such as feedback.rating, feedback.tags[2],
-- feedback.payload, by); AC002 deliverable_id, feedback.agent_id; AC003. Returns the row with
-- created and changed.
create or replace function aicrm.record_content_feedback(
    p_deliverable_id uuid, p_feedback jsonb, p_by text default null
)
returns jsonb
language plpgsql
security definer
set search_path = ''
as $$
declare
    v_tenant uuid := aicrm_private.require_tenant();
    v_by text := aicrm_private.alert_actor(p_by);
    v_task uuid;
    v_source text;
    v_agent uuid;
    v_rating smallint;
    v_comment text;
    v_tags text[];
    v_payload jsonb;
    v_row aicrm.ai_content_feedback;
begin
    if p_deliverable_id is null then
        raise exception using errcode = 'AC001', column = 'deliverable_id', message = 'deliverable_id: is required';
    end if;
    if jsonb_typeof(p_feedback) is distinct from 'object' then
        raise exception using errcode = 'AC001', column = 'feedback', message = 'feedback: must be a JSON object',
            hint = 'For example {"source": "agent", "rating": 4, "comment": "Warm, but the offer comes late."}.';
    end if;
    perform aicrm_private.assert_json_valid('api.content_feedback', p_feedback, 'feedback');
    v_source := p_feedback ->> 'source';
    v_agent := (p_feedback ->> 'agent_id')::uuid;
    v_rating := (p_feedback ->> 'rating')::numeric::smallint;  -- 4.0 is a whole number too
    v_comment := p_feedback ->> 'comment';
    v_payload := coalesce(p_feedback -> 'payload', '{}');
    select coalesce(array_agg(t.value order by t.ordinality), '{}') into v_tags
    from jsonb_array_elements_text(coalesce(p_feedback -> 'tags', '[]')) with ordinality as t;
    if v_comment !~ '[^[:space:]]' then
        raise exception using errcode = 'AC001', column = 'feedback.comment', message = 'feedback.comment: is blank';
    end if;
    if v_rating is null and v_comment is null then
        raise exception using errcode = 'AC001', column = 'feedback', message = 'feedback: give a rating or a comment',
            hint = 'rating: 1 (poor) to 5 (excellent); comment: what to keep or change.';
    end if;
    if octet_length(v_payload::text) > 16384 then
        raise exception using errcode = 'AC001', column = 'feedback.payload', message = 'feedback.payload: over 16 KiB';
    end if;
    if v_agent is not null and v_source <> 'agent' then
        raise exception using errcode = 'AC001', column = 'feedback.agent_id',
            message = 'feedback.agent_id: only an agent''s feedback (source agent) names an agent';
    end if;
    if char_length(v_by) > 200 then
        raise exception using errcode = 'AC001', column = 'by', message = 'by: over 200 characters';
    end if;
    select d.task_id into v_task from aicrm.project_deliverables as d
    where d.tenant_id = v_tenant and d.deliverable_id = p_deliverable_id;
    if not found then
        raise exception using errcode = 'AC002', column = 'deliverable_id',
            message = format('deliverable_id: no deliverable %s in this tenant', p_deliverable_id);
    end if;
    if v_agent is not null and not exists (
        select from aicrm.ai_agents as a where a.tenant_id = v_tenant and a.agent_id = v_agent
    ) then
        raise exception using errcode = 'AC002', column = 'feedback.agent_id',
            message = format('feedback.agent_id: no agent %s in this tenant', v_agent);
    end if;

    -- one call per key at a time: the first inserts, the others find its row
    perform pg_advisory_xact_lock(hashtextextended(
        format('%s:content_feedback:%s:%s:%s', v_tenant, p_deliverable_id, v_source, v_by), 0));
    select * into v_row from aicrm.ai_content_feedback as f
    where f.tenant_id = v_tenant and f.deliverable_id = p_deliverable_id and f.source = v_source
      and f.created_by = v_by;
    if not found then
        insert into aicrm.ai_content_feedback (
            tenant_id, deliverable_id, task_id, source, agent_id, rating, comment, tags, payload, created_by
        ) values (v_tenant, p_deliverable_id, v_task, v_source, v_agent, v_rating, v_comment, v_tags, v_payload, v_by)
        returning * into v_row;
        return to_jsonb(v_row) || jsonb_build_object('created', true, 'changed', true);
    end if;
    if (v_row.agent_id, v_row.rating, v_row.comment, v_row.tags, v_row.payload)
       is not distinct from (v_agent, v_rating, v_comment, v_tags, v_payload) then
        return to_jsonb(v_row) || jsonb_build_object('created', false, 'changed', false);
    end if;
    update aicrm.ai_content_feedback as f
    set agent_id = v_agent, rating = v_rating, comment = v_comment, tags = v_tags, payload = v_payload
    where f.tenant_id = v_tenant and f.feedback_id = v_row.feedback_id
    returning * into v_row;
    return to_jsonb(v_row) || jsonb_build_object('created', false, 'changed', true);
end
$$;

revoke execute on function aicrm.record_content_feedback(uuid, jsonb, text) from public;
grant execute on function aicrm.record_content_feedback(uuid, jsonb, text) to aicrm_app, aicrm_worker;
