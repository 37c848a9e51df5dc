-- Attaches the row triggers. Repeatable (CREATE OR REPLACE TRIGGER), applied after every
-- function file. Order by name: _100 validate, _200 prepare, _500 touch, _800 snapshot, _850 scoring
-- profile, _900 audit.

create or replace trigger _100_validate before insert or update on aicrm.tenants
for each row execute function aicrm_private.tg_validate_row();
create or replace trigger _500_touch before update on aicrm.tenants
for each row execute function aicrm_private.tg_touch_updated_at();
create or replace trigger _900_audit after insert or update or delete on aicrm.tenants
for each row execute function aicrm_private.tg_audit('tenant_id');

create or replace trigger _100_validate before insert or update on aicrm.customers
for each row execute function aicrm_private.tg_validate_row();
create or replace trigger _200_prepare before insert or update on aicrm.customers
for each row execute function aicrm_private.tg_customers__prepare();
create or replace trigger _500_touch before update on aicrm.customers
for each row execute function aicrm_private.tg_touch_updated_at();
create or replace trigger _800_snapshot after insert or update on aicrm.customers
for each row execute function aicrm_private.tg_customers__snapshot_context();
create or replace trigger _900_audit after insert or update or delete on aicrm.customers
for each row execute function aicrm_private.tg_audit('customer_id');
create or replace trigger _850_scoring_profile after insert or update on aicrm.customers
for each row execute function aicrm_private.tg_refresh_scoring_profile();

create or replace trigger _100_validate before insert or update on aicrm.customer_contacts
for each row execute function aicrm_private.tg_validate_row();
create or replace trigger _500_touch before update on aicrm.customer_contacts
for each row execute function aicrm_private.tg_touch_updated_at();
create or replace trigger _900_audit after insert or update or delete on aicrm.customer_contacts
for each row execute function aicrm_private.tg_audit('contact_id');
create or replace trigger _850_scoring_profile after insert or update or delete on aicrm.customer_contacts
for each row execute function aicrm_private.tg_refresh_scoring_profile();

create or replace trigger _100_validate before insert or update on aicrm.projects
for each row execute function aicrm_private.tg_validate_row();
create or replace trigger _500_touch before update on aicrm.projects
for each row execute function aicrm_private.tg_touch_updated_at();
create or replace trigger _900_audit after insert or update or delete on aicrm.projects
for each row execute function aicrm_private.tg_audit('project_id');

create or replace trigger _100_validate before insert or update on aicrm.project_tasks
for each row execute function aicrm_private.tg_validate_row();
create or replace trigger _500_touch before update on aicrm.project_tasks
for each row execute function aicrm_private.tg_touch_updated_at();
create or replace trigger _900_audit after insert or update or delete on aicrm.project_tasks
for each row execute function aicrm_private.tg_audit('task_id');

create or replace trigger _100_validate before insert or update on aicrm.project_deliverables
for each row execute function aicrm_private.tg_validate_row();
create or replace trigger _500_touch before update on aicrm.project_deliverables
for each row execute function aicrm_private.tg_touch_updated_at();
create or replace trigger _900_audit after insert or update or delete on aicrm.project_deliverables
for each row execute function aicrm_private.tg_audit('deliverable_id');

create or replace trigger _100_validate before insert or update on aicrm.ai_agents
for each row execute function aicrm_private.tg_validate_row();
create or replace trigger _500_touch before update on aicrm.ai_agents
for each row execute function aicrm_private.tg_touch_updated_at();
create or replace trigger _900_audit after insert or update or delete on aicrm.ai_agents
for each row execute function aicrm_private.tg_audit('agent_id');

create or replace trigger _100_validate before insert or update on aicrm.ai_decision_rules
for each row execute function aicrm_private.tg_validate_row();
create or replace trigger _200_prepare before insert or update on aicrm.ai_decision_rules
for each row execute function aicrm_private.tg_ai_decision_rules__prepare();
create or replace trigger _500_touch before update on aicrm.ai_decision_rules
for each row execute function aicrm_private.tg_touch_updated_at();
create or replace trigger _800_history after insert or update or delete on aicrm.ai_decision_rules
for each row execute function aicrm_private.tg_ai_decision_rules__history();
create or replace trigger _900_audit after insert or update or delete on aicrm.ai_decision_rules
for each row execute function aicrm_private.tg_audit('rule_id');
create or replace trigger _700_rule_set after insert or update or delete on aicrm.ai_decision_rules
for each row execute function aicrm_private.tg_decision_rule_sets__invalidate();

create or replace trigger _100_validate before insert or update on aicrm.ai_decision_settings
for each row execute function aicrm_private.tg_ai_decision_settings__validate();
create or replace trigger _900_audit after insert or update or delete on aicrm.ai_decision_settings
for each row execute function aicrm_private.tg_audit('setting_key');
create or replace trigger _700_rule_set after insert or update or delete on aicrm.ai_decision_settings
for each row execute function aicrm_private.tg_decision_rule_sets__invalidate();

create or replace trigger _100_validate before insert or update on aicrm.content_templates
for each row execute function aicrm_private.tg_validate_row();
create or replace trigger _200_prepare before insert or update on aicrm.content_templates
for each row execute function aicrm_private.tg_content_templates__prepare();
create or replace trigger _500_touch before update on aicrm.content_templates
for each row execute function aicrm_private.tg_touch_updated_at();
create or replace trigger _900_audit after insert or update or delete on aicrm.content_templates
for each row execute function aicrm_private.tg_audit('template_id');

create or replace trigger _100_validate before insert or update on aicrm.content_examples
for each row execute function aicrm_private.tg_validate_row();
create or replace trigger _200_embed before insert or update on aicrm.content_examples
for each row execute function aicrm_private.tg_content_examples__embed();
create or replace trigger _500_touch before update on aicrm.content_examples
for each row execute function aicrm_private.tg_touch_updated_at();
create or replace trigger _900_audit after insert or update or delete on aicrm.content_examples
for each row execute function aicrm_private.tg_audit('example_id');
create or replace trigger _850_scoring_profile after insert or update or delete on aicrm.content_examples
for each row execute function aicrm_private.tg_refresh_scoring_profile();

-- An unsubscribe is audited like any change to a customer's data.
create or replace trigger _900_audit after insert or update or delete on aicrm.email_suppressions
for each row execute function aicrm_private.tg_audit('email_key');

-- Global reference data: a JSON Schema is compiled to its SQL/JSON path when written.
create or replace trigger _200_compile before insert or update of definition on aicrm.json_schemas
for each row execute function aicrm_private.tg_json_schemas__compile();

-- The operations dashboard's events (migration 0030, private/tasks/task_stats.sql).
create or replace trigger _700_task_stats
after insert or delete or update of execution_state, customer_id, channel, failures on aicrm.project_tasks
for each row execute function aicrm_private.tg_task_stats_tasks();
create or replace trigger _700_task_stats after insert or update of quality_score on aicrm.project_deliverables
for each row execute function aicrm_private.tg_task_stats_deliverables();

-- Feedback on a draft (migration 0036): the same author's new feedback replaces the row, so the
-- audit log keeps what it said before.
create or replace trigger _500_touch before update on aicrm.ai_content_feedback
for each row execute function aicrm_private.tg_touch_updated_at();
create or replace trigger _900_audit after insert or update or delete on aicrm.ai_content_feedback
for each row execute function aicrm_private.tg_audit('feedback_id');

-- The learning loop's feedback (migration 0038): a row gets its deliverable's embedding (hashing).
create or replace trigger _200_embed before insert on aicrm.ai_content_feedback
for each row execute function aicrm_private.tg_ai_content_feedback__embed();

-- A promotion and its reversal are audited (migration 0038).
create or replace trigger _900_audit after insert or update or delete on aicrm.learning_promotions
for each row execute function aicrm_private.tg_audit('promotion_id');
