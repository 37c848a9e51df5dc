-- The default rules of "retry only what a rewrite can fix" (docs/decision-rules.md; the defaults
-- are sql/seeds/defaults/0005_decision_defaults.sql) for the tenants that exist:
--   "Send what no rewrite can fix to a person" and "Stop retrying when a rewrite changed nothing"
--   are added where a tenant has no rule of that name;
--   "Retry a major violation" becomes "Retry a finding a rewrite can fix" (a critical or major
--   finding of any part, not only compliance) where its condition is still the old default's; a
--   tenant that changed it keeps its own.
-- The deployment-wide defaults drop the old name (the seed adds the new ones).
delete from aicrm.decision_rule_defaults
where name = 'Retry a major violation';

do $$
declare
    v_tenant uuid;
begin
    for v_tenant in select t.tenant_id from aicrm.tenants t loop
        perform set_config('aicrm.tenant_id', v_tenant::text, true);
        update aicrm.ai_decision_rules r
        set name = 'Retry a finding a rewrite can fix',
            description = 'A critical or major finding a rewrite can fix (off the brief, an ungrounded fact, a fluency or '
                || 'compliance problem) while attempts remain: rewrite with the fixes.',
            condition = '{"and": [{"or": [{">": [{"var": ["quality.fixable", 0]}, 0]}, {">": [{"var": ["quality.violations.major", 0]}, 0]}]}, {"<": [{"var": ["task.attempts", 1]}, {"var": "settings.max_attempts"}]}]}'::jsonb,
            action = '{"type": "retry", "params": {"apply_fixes": true, "reason": "fixable finding"}}'::jsonb
        where r.tenant_id = v_tenant and r.name = 'Retry a major violation'
          and r.condition = '{"and": [{">": [{"var": ["quality.violations.major", 0]}, 0]}, {"<": [{"var": ["task.attempts", 1]}, {"var": "settings.max_attempts"}]}]}'::jsonb
          and not exists (select from aicrm.ai_decision_rules x
                          where x.tenant_id = v_tenant and x.name = 'Retry a finding a rewrite can fix');
        insert into aicrm.ai_decision_rules (tenant_id, name, description, category, priority, condition, action)
        select v_tenant, n.name, n.description, 'escalation', n.priority, n.condition, n.action
        from (values
            ('Send what no rewrite can fix to a person',
             'A critical or major finding a rewrite cannot fix (the brief and the customer''s profile disagree on a fact): '
             || 'a person settles it; no retries. Profile gaps have their own rule.',
             7, '{">": [{"var": ["quality.unfixable", 0]}, 0]}'::jsonb,
             '{"type": "escalate", "params": {"reason": "unfixable", "queue": "account_manager"}}'::jsonb),
            ('Stop retrying when a rewrite changed nothing',
             'The draft fails exactly the checks the task''s previous draft failed: another rewrite would cost an attempt '
             || 'for nothing, so a person looks.',
             30, '{"==": [{"var": ["quality.failures_unchanged", false]}, true]}'::jsonb,
             '{"type": "review", "params": {"reason": "rewrite changed nothing"}}'::jsonb)
        ) as n (name, description, priority, condition, action)
        where not exists (select from aicrm.ai_decision_rules r where r.tenant_id = v_tenant and r.name = n.name);
    end loop;
    perform set_config('aicrm.tenant_id', '', true);
end
$$;
