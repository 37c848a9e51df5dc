-- The learning loop's feedback job (docs/learning.md, "Feedback"): added when missing, like the
-- other default jobs (0014_scheduled_jobs.sql): an operator's changes survive the next migrate.
select aicrm.set_scheduled_job(
    p_name => d.name, p_schedule => d.schedule, p_function_name => d.function_name, p_description => d.description
)
from (
    values
    ('process-ai-feedback', '*/15 * * * *', 'aicrm.process_ai_feedback_job',
        'Scores measured deliveries (effectiveness) and reviewed drafts (human feedback) into aicrm.ai_content_feedback; promotes examples.')
) as d (name, schedule, function_name, description)
where not exists (
    select from aicrm.scheduled_jobs as j
    where j.name = d.name
);
