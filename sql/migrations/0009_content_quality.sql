-- The quality scorecard: structured instructions and thresholds on tasks (the pipeline extends
-- them), and the scorecard, its overall score and the decision taken on it on each deliverable.
-- The scorecard is computed by aicrm_private.score_content (sql/functions/quality/).

alter table aicrm.project_tasks
add column ai_instructions jsonb not null default '{}',
add column quality_thresholds jsonb not null default '{}';

alter table aicrm.project_deliverables
add column content_quality jsonb,
add column quality_score numeric(5, 1),
add column quality_passed boolean,
add column evaluated_at timestamptz,
add column success_evaluation jsonb;

-- Dashboards list a tenant's drafts by score ("the weakest drafts this week").
create index project_deliverables_quality_idx on aicrm.project_deliverables (tenant_id, quality_score)
where quality_score is not null;

-- check_compliance gains the task's own must_include / must_not_include terms (p_terms); the
-- four-argument version it replaces is dropped here, before the function files re-create it.
drop function if exists aicrm_private.check_compliance(text, text, text, uuid);

-- Scorecards and decisions are written only by record_evaluation (SECURITY DEFINER): no role may
-- insert or update them by hand, so a draft cannot be given a score or an approval it did not earn.
revoke insert, update on aicrm.project_deliverables from aicrm_app;
grant insert (tenant_id, deliverable_id, task_id, version, title, subject, content, content_format, status, created_by)
on aicrm.project_deliverables to aicrm_app;
grant update (title, subject, content, content_format, status, updated_at) on aicrm.project_deliverables to aicrm_app;
