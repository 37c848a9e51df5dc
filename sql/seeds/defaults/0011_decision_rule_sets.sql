-- Compiled decision rule sets are derived from the rules, the settings, their defaults (0005) and the
-- compiler, any of which a migrate may change: every migrate empties them, and each tenant's next
-- decision compiles its set again (aicrm_private.decision_rule_set).
delete from aicrm_private.decision_rule_sets;
