-- The quality API: evaluate_content scores ad-hoc content (aicrm evaluate) and stores nothing. The
-- scorecard is private/quality/score_content.sql; a draft's evaluation in the pipeline,
-- tasks/record_evaluation.sql.

create or replace function aicrm.evaluate_content(
    p_content text,
    p_channel text,
    p_subject text default null,
    p_customer_id uuid default null,
    p_instructions jsonb default '{}',
    p_text_metrics jsonb default null,
    p_content_format text default 'text'
)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
begin
    return aicrm_private.score_content(p_content, p_subject, p_channel, p_customer_id, p_instructions, '{}',
                                       p_text_metrics, p_content_format);
end
$$;

grant execute on function aicrm.evaluate_content(text, text, text, uuid, jsonb, jsonb, text) to aicrm_app, aicrm_worker;
