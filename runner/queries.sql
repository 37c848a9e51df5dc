-- The SQL the application sends, one named block each (read by runner/named_queries.py; the
-- administrator's statements are in admin.sql). Each is normally one call of an aicrm SQL function;
-- the logic lives in sql/functions/.

-- name: set_tenant
select set_config('aicrm.tenant_id', %(tenant_id)s, true);

-- name: create_tenant
select aicrm.create_tenant(p_name => %(name)s) as tenant_id;

-- name: tenant_exists
select exists (select from aicrm.tenants where tenant_id = %(tenant_id)s::uuid) as found;

-- name: import_customers
select aicrm.import_customers(
    p_rows => %(rows)s, p_mapping => %(mapping)s, p_dry_run => %(dry_run)s, p_import_id => %(import_id)s
) as report;

-- name: evaluate_content
select aicrm.evaluate_content(
    p_content => %(content)s, p_channel => %(channel)s, p_subject => %(subject)s,
    p_customer_id => %(customer_id)s, p_instructions => %(instructions)s,
    p_text_metrics => %(text_metrics)s, p_content_format => %(content_format)s
) as scorecard;

-- name: get_embedding_config
select provider, model, dimensions, updated_at from aicrm.embedding_config;

-- name: set_embedding_config
select provider, model, dimensions, previous_provider, previous_model
from aicrm.set_embedding_config(p_provider => %(provider)s, p_model => %(model)s);

-- name: tenants_with_pending_embeddings
select tenant_id, pending from aicrm_private.tenants_with_pending_embeddings(p_full => %(full)s);

-- name: count_examples_to_embed
select aicrm.count_examples_to_embed(p_full => %(full)s) as pending;

-- name: list_examples_to_embed
select example_id, embedding_text, text_md5
from aicrm.list_examples_to_embed(p_limit => %(limit)s, p_after_id => %(after)s, p_full => %(full)s);

-- name: record_example_embeddings
select aicrm.record_example_embeddings(
    p_model => %(model)s, p_example_ids => %(keys)s::uuid[], p_text_md5s => %(text_md5s)s::text[],
    p_embeddings => %(embeddings)s::extensions.halfvec[]
) as embedded;

-- name: reembed_examples_hashing
select embedded, last_example_id
from aicrm.reembed_examples_hashing(p_limit => %(limit)s, p_after_id => %(after)s, p_full => %(full)s);

-- name: count_library_examples_to_embed
select aicrm_private.count_library_examples_to_embed(p_full => %(full)s) as pending;

-- name: list_library_examples_to_embed
select library_key, embedding_text, text_md5
from aicrm_private.list_library_examples_to_embed(p_limit => %(limit)s, p_after_key => %(after)s, p_full => %(full)s);

-- name: record_library_example_embeddings
select aicrm_private.record_library_example_embeddings(
    p_model => %(model)s, p_library_keys => %(keys)s::text[], p_text_md5s => %(text_md5s)s::text[],
    p_embeddings => %(embeddings)s::extensions.halfvec[]
) as embedded;

-- name: reembed_library_hashing
select aicrm_private.reembed_library_hashing(p_full => %(full)s) as embedded;

-- name: create_content_task
select aicrm.create_content_task(
    p_customer_id => aicrm.resolve_customer_id(%(customer)s), p_channel => %(channel)s,
    p_ai_instructions => %(instructions)s,
    p_title => %(title)s, p_project_id => %(project_id)s, p_priority => %(priority)s, p_due_at => %(due_at)s,
    p_quality_thresholds => %(thresholds)s, p_idempotency_key => %(idempotency_key)s
) as result;

-- name: listen_task_queued
listen aicrm_task_queued;

-- name: claim_next_task
select aicrm.claim_next_task(p_worker_id => %(worker_id)s, p_lease_seconds => %(lease_seconds)s) as claim;

-- name: get_task_context
select aicrm.get_customer_context_for_ai(
    p_customer_id => %(customer_id)s, p_context_version => null, p_channel => %(channel)s,
    p_purpose => %(purpose)s, p_topic => %(topic)s
) as context;

-- name: get_draft_brief
select aicrm.get_draft_brief(p_task_id => %(task_id)s, p_include_context => %(include_context)s) as brief;

-- name: start_generating
select aicrm.start_generating(p_task_id => %(task_id)s, p_lease_token => %(lease_token)s) as transition;

-- name: heartbeat
select aicrm.heartbeat(
    p_task_id => %(task_id)s, p_lease_token => %(lease_token)s, p_lease_seconds => %(lease_seconds)s
) as lease_until;

-- name: submit_draft
select aicrm.submit_draft(
    p_task_id => %(task_id)s, p_lease_token => %(lease_token)s, p_content => %(content)s, p_subject => %(subject)s,
    p_content_format => %(content_format)s, p_meta => %(meta)s, p_idempotency_key => %(idempotency_key)s
) as draft;

-- name: record_draft_evaluation
select aicrm.record_evaluation(
    p_deliverable_id => %(deliverable_id)s, p_text_metrics => %(text_metrics)s, p_lease_token => %(lease_token)s
) as result;

-- name: fail_task
select aicrm.fail_task(
    p_task_id => %(task_id)s, p_lease_token => %(lease_token)s, p_error => %(error)s, p_retryable => %(retryable)s
) as result;

-- name: release_task
select aicrm.release_task(p_task_id => %(task_id)s, p_lease_token => %(lease_token)s, p_reason => %(reason)s) as result;

-- name: set_application_name
select set_config('application_name', %(name)s, false);

-- name: listen_delivery_queued
listen aicrm_delivery_queued;

-- name: claim_next_delivery
select aicrm.claim_next_delivery_v2(
    p_worker_id => %(worker_id)s, p_lease_seconds => %(lease_seconds)s, p_channels => %(channels)s::text[]
) as claim;

-- name: record_delivery
select aicrm.record_delivery(
    p_outbox_id => %(outbox_id)s, p_lease_token => %(lease_token)s, p_delivered => %(delivered)s,
    p_transport => %(transport)s, p_target => %(target)s, p_response => %(response)s, p_retryable => %(retryable)s
) as result;

-- name: release_delivery
select aicrm.release_delivery(
    p_outbox_id => %(outbox_id)s, p_lease_token => %(lease_token)s, p_reason => %(reason)s
) as result;

-- name: review_queue
select task_id, execution_state, deliverable_id, version, priority, waiting_since, customer_name, channel, title,
       subject, content, content_format, quality_score, rule_name, explanation, summary, attempts, failures, reason,
       findings, error
from aicrm.review_queue
limit %(limit)s;

-- name: review_task
select aicrm.review_task(
    p_task_id => %(task_id)s, p_version => %(version)s, p_decision => %(decision)s,
    p_edited_content => %(edited_content)s, p_edited_subject => %(edited_subject)s, p_reason => %(reason)s,
    p_reviewer => %(reviewer)s, p_text_metrics => %(text_metrics)s, p_confirm_findings => %(confirm_findings)s
) as result;

-- name: email_messages
select aicrm.email_messages(
    p_outbox_id => %(outbox_id)s, p_lease_token => %(lease_token)s,
    p_unsubscribe_url => %(unsubscribe_url)s, p_default_to => %(default_to)s::text[]
) as messages;

-- name: record_unsubscribe
select aicrm.record_unsubscribe(p_token => %(token)s) as result;

-- name: due_job_ticks
select job_name, tick, missed_ticks from aicrm.due_job_ticks(p_now => %(now)s);

-- name: run_scheduled_job
select aicrm.run_scheduled_job(p_name => %(name)s, p_tick => %(tick)s, p_runner => %(runner)s) as result;

-- name: listen_dashboard
listen aicrm_dashboard;

-- name: find_customer
select coalesce(
    (select (array_agg(c.customer_id))[1] from aicrm.customers as c
     where lower(c.name) = lower(btrim(%(customer)s)) having count(*) = 1),
    aicrm.resolve_customer_id(p_customer => %(customer)s)
) as customer_id;

-- name: operations_dashboard
select customer_id, customer_name, channel, draft, queued, working, awaiting_review, input_required, escalated,
       approved, publishing, delivered, measured, rejected, cancelled, waiting_for_people, approved_per_hour, approved_per_day, created_24h,
       outcomes_7d, auto_approval_rate, review_rate, rejection_rate, escalation_rate, evaluated_7d, retry_rate,
       failure_rate, avg_quality_7d, avg_quality_prior_7d, quality_trend, time_to_content_p50, time_to_content_p95,
       target_review_rate, autonomy_gap, cost_usd_24h, cost_usd_7d
from aicrm.ai_operations_dashboard
where %(customer_id)s::uuid is null or customer_id = %(customer_id)s::uuid
order by customer_name, channel;

-- name: waiting_tasks
select task_id, execution_state, priority, waiting_since, age, customer_id, customer_name, channel, title, reason,
       count(*) over () as total
from aicrm.review_queue
where %(customer_id)s::uuid is null or customer_id = %(customer_id)s::uuid
-- oldest first; or the queue's own order (escalated first, then by priority, then the oldest)
order by case when %(escalated_first)s then execution_state <> 'escalated' end,
         case when %(escalated_first)s then priority end, waiting_since, task_id
limit %(limit)s;

-- name: scheduler_last_runs
select j.name as job_name, j.schedule, j.enabled, r.tick, r.started_at, r.ended_at, r.status, r.rows_affected,
       r.error, r.runner
from aicrm.scheduled_jobs as j
left join lateral (
    select x.tick, x.started_at, x.ended_at, x.status, x.rows_affected, x.error, x.runner
    from aicrm.job_runs as x
    where x.job_name = j.name
    order by x.tick desc
    limit 1
) as r on true
order by r.started_at desc nulls last, j.name;

-- name: alerts_installed
select to_regclass('aicrm.ai_alerts') is not null as installed;

-- name: ai_alerts
select alert_id, rule_key, rule_name, state, severity, customer_id, customer_name, channel, message, value, threshold,
       opened_at, acknowledged_by, acknowledged_at, assigned_to
from aicrm.ai_alerts
order by severity = 'alert' desc, state = 'acknowledged', opened_at, alert_id
limit %(limit)s;

-- name: acknowledge_alert
select aicrm.acknowledge_alert(p_alert_id => %(alert_id)s, p_note => %(note)s, p_by => %(by)s) as result;

-- name: resolve_alert
select aicrm.resolve_alert(p_alert_id => %(alert_id)s, p_note => %(note)s, p_by => %(by)s) as result;

-- name: claim_alert_notification
select aicrm.claim_alert_notification(p_worker_id => %(worker)s, p_lease_seconds => 60) as result;

-- name: record_alert_notification
select aicrm.record_alert_notification(
    p_notification_id => %(notification)s, p_lease_token => %(token)s, p_delivered => %(delivered)s,
    p_error => %(error)s
) as result;

-- name: listen_agent_message
listen aicrm_agent_message;

-- name: listen_alert_notification
listen aicrm_alert_notification;

-- name: agent_message_line
select message_id, kind, message_type, from_role, to_role, to_agent_id, thread_id
from aicrm.ai_agent_messages
where message_id = %(message_id)s::uuid;

-- The MCP server's reads and calls (runner/mcp_server.py) besides the worker's ones above; each
-- answers one JSON value, the SQL's own.

-- name: mcp_find_agent
select agent_id from aicrm.ai_agents where name = %(name)s;

-- name: mcp_list_tasks
select coalesce(jsonb_agg(to_jsonb(t) order by t.priority, t.created_at), '[]'::jsonb) as tasks
from (
    select task_id, title, channel, task_type, execution_state, customer_id, priority, due_at, created_at
    from aicrm.project_tasks
    where %(state)s::text is null or execution_state = %(state)s::text
    order by priority, created_at
    limit %(limit)s
) as t;

-- name: mcp_find_similar_content
select coalesce(jsonb_agg(to_jsonb(s) - 'ordinality' order by s.ordinality), '[]'::jsonb) as results
from aicrm.find_similar_content(p_query => %(query)s, p_k => %(k)s, p_filters => %(filters)s) with ordinality as s;

-- name: mcp_decision_rules
select coalesce(jsonb_agg(to_jsonb(r) - 'ordinality' order by r.ordinality), '[]'::jsonb) as rules
from aicrm.get_decision_rules(
    p_category => %(category)s, p_customer_id => %(customer_id)s, p_channel => %(channel)s,
    p_task_type => %(task_type)s
) with ordinality as r;

-- name: mcp_test_rule
select aicrm.test_rule(p_condition => %(condition)s, p_context => %(context)s) as result;

-- name: mcp_send_message
select aicrm.send_agent_message(p_message => %(message)s) as message;

-- name: mcp_read_inbox
select coalesce(jsonb_agg(m.message order by m.n), '[]'::jsonb) as messages
from aicrm.read_agent_inbox(
    p_agent_id => %(agent_id)s, p_limit => %(limit)s, p_visibility_seconds => %(visibility_seconds)s
) with ordinality as m (message, n);

-- name: mcp_ack_message
select aicrm.ack_agent_message(p_message_id => %(message_id)s, p_claim_token => %(claim_token)s) as message;

-- name: mcp_message_type
select message_type from aicrm.ai_agent_messages where message_id = %(message_id)s;

-- name: mcp_respond_to_request
select aicrm.respond_to_request(p_request_id => %(request_id)s, p_value => %(value)s, p_by => %(by)s) as answer;

-- name: mcp_record_feedback
select aicrm.record_content_feedback(
    p_deliverable_id => %(deliverable_id)s, p_feedback => %(feedback)s, p_by => %(by)s
) as feedback;

-- name: record_delivery_metrics
select aicrm.record_delivery_metrics(
    p_delivery_id => %(delivery_id)s, p_metrics => %(metrics)s, p_idempotency_key => %(key)s
) as answer;

-- name: create_project_brief
select aicrm.create_project_brief(
    p_project_id => %(project_id)s, p_brief => %(brief)s, p_strategist_agent_id => %(strategist)s
) as plan;

-- name: project_name
select name from aicrm.projects where project_id = %(project_id)s;
