-- The rules and thresholds every new tenant starts with (aicrm.install_default_decision_rules).
-- Send a profile gap or what no rewrite can fix to a person; escalate on a critical compliance
-- violation or repeated failure; stop retrying when a rewrite changed nothing; retry while a
-- finding a rewrite can fix or a quality below the threshold remains; approve when quality and
-- confidence clear their thresholds with no major finding; anything else goes to a human (the
-- engine's fallback).
insert into aicrm.decision_setting_defaults (setting_key, value, description) values
('approve_min_quality', '75', 'Lowest overall quality (0-100) a draft may be approved with.'),
('approve_min_confidence', '0.7', 'Lowest confidence (0-1) in the scorecard for approval without a human.'),
('max_attempts', '3', 'Drafts written for one task before retries stop.'),
('escalate_after_failures', '3', 'Failed attempts (errors, timeouts) after which a task is escalated.'),
('stuck_after_minutes', '{"gathering_context": 15, "generating": 30, "evaluating": 15}',
 'Minutes a worker may hold a task in each state under a live lease before detect-stuck-tasks sends it to a person.'),
('metrics_window_hours', '{"email": 168, "social": 168, "sms": 48, "blog": 720, "web": 720}',
 'Hours after its delivery that a delivery''s results are counted before close-metrics-windows moves its task to measured.'),
('target_review_rate', '0.15',
 'The share of tasks people should see (sent to review or escalated); aicrm.ai_operations_dashboard shows the gap.')
on conflict (setting_key) do update set value = excluded.value, description = excluded.description
where (decision_setting_defaults.value, decision_setting_defaults.description)
    is distinct from (excluded.value, excluded.description);

insert into aicrm.decision_rule_defaults (name, description, category, priority, condition, action) values
('Send a profile gap to a person',
 'A part only the customer''s profile can supply is missing (no street for the postal address, no contact details): no rewrite can fix it, so the account manager is asked for it and the task waits for the answer (input_required); no retries.',
 'escalation', 5,
 '{"!!": [{"var": ["quality.profile_gaps", []]}]}',
 '{"type": "request_input", "params": {"reason": "profile_gap", "role": "human"}}'),
('Send what no rewrite can fix to a person',
 'A critical or major finding a rewrite cannot fix (the brief and the customer''s profile disagree on a fact): a person settles it; no retries. Profile gaps have their own rule.',
 'escalation', 7,
 '{">": [{"var": ["quality.unfixable", 0]}, 0]}',
 '{"type": "escalate", "params": {"reason": "unfixable", "queue": "account_manager"}}'),
('Escalate a critical compliance violation',
 'A critical violation (a regulated claim, personal data, a missing unsubscribe) is never retried blindly.',
 'escalation', 10,
 '{">": [{"var": ["quality.violations.critical", 0]}, 0]}',
 '{"type": "escalate", "params": {"reason": "critical compliance violation", "queue": "compliance"}}'),
('Escalate repeated failure',
 'The task failed (errors, timeouts) as often as settings.escalate_after_failures allows.',
 'escalation', 20,
 '{">=": [{"var": ["task.failures", 0]}, {"var": "settings.escalate_after_failures"}]}',
 '{"type": "escalate", "params": {"reason": "repeated failure"}}'),
('Stop retrying when a rewrite changed nothing',
 'The draft fails exactly the checks the task''s previous draft failed: another rewrite would cost an attempt for nothing, so a person looks.',
 'escalation', 30,
 '{"==": [{"var": ["quality.failures_unchanged", false]}, true]}',
 '{"type": "review", "params": {"reason": "rewrite changed nothing"}}'),
('Retry a finding a rewrite can fix',
 'A critical or major finding a rewrite can fix (off the brief, an ungrounded fact, a fluency or compliance problem) while attempts remain: rewrite with the fixes.',
 'retry', 10,
 '{"and": [{"or": [{">": [{"var": ["quality.fixable", 0]}, 0]}, {">": [{"var": ["quality.violations.major", 0]}, 0]}]}, {"<": [{"var": ["task.attempts", 1]}, {"var": "settings.max_attempts"}]}]}',
 '{"type": "retry", "params": {"apply_fixes": true, "reason": "fixable finding"}}'),
('Retry below the quality threshold',
 'A scored draft under settings.approve_min_quality, or failing its task''s own thresholds, while attempts remain: rewrite with the fixes.',
 'retry', 20,
 '{"and": [{"!": {"missing": ["quality.overall"]}}, {"or": [{"<": [{"var": "quality.overall"}, {"var": "settings.approve_min_quality"}]}, {"===": [{"var": "quality.passed"}, false]}]}, {"<": [{"var": ["task.attempts", 1]}, {"var": "settings.max_attempts"}]}]}',
 '{"type": "retry", "params": {"apply_fixes": true, "reason": "quality below threshold"}}'),
('Approve when quality and confidence clear their thresholds',
 'Overall quality and confidence at or above the settings, no major or critical violation, and the task''s own thresholds met.',
 'approval', 10,
 '{"and": [{">=": [{"var": "quality.overall"}, {"var": "settings.approve_min_quality"}]}, {">=": [{"var": "quality.confidence"}, {"var": "settings.approve_min_confidence"}]}, {"==": [{"var": ["quality.violations.major", 0]}, 0]}, {"==": [{"var": ["quality.violations.critical", 0]}, 0]}, {"!==": [{"var": "quality.passed"}, false]}]}',
 '{"type": "approve", "params": {}}')
on conflict (name) do update
set description = excluded.description, category = excluded.category, priority = excluded.priority,
    condition = excluded.condition, action = excluded.action
where (decision_rule_defaults.description, decision_rule_defaults.category, decision_rule_defaults.priority,
       decision_rule_defaults.condition, decision_rule_defaults.action)
    is distinct from (excluded.description, excluded.category, excluded.priority, excluded.condition, excluded.action);
