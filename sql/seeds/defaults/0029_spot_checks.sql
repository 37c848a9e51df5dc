-- Spot checks (docs/learning.md, "Spot checks"; ADR 0021): the decision setting spot_check, whose
-- shape is in decision.settings (seed 0004). share: the part of the drafts the rules approve that a
-- person confirms before it is sent (0 by default: a tenant turns it on); by: how the sample is
-- drawn (segment: every customer x channel x task type gets the share, by a draw from each
-- deliverable's id); limit: the false-approval rate a segment's 95% upper bound must stay at or
-- below (aicrm.autonomy_evidence). A tenant's value replaces the whole object; a key it leaves out
-- keeps its default (aicrm_private.spot_check_settings).
insert into aicrm.decision_setting_defaults (setting_key, value, description) values
('spot_check', '{"share": 0, "by": "segment", "limit": 0.02}',
 'Spot checks (docs/learning.md, "Spot checks"): the share 0-1 of rule-approved drafts held for a person before sending (0: none), drawn per deliverable within each segment, and the false-approval limit 0-1 the segment''s 95% Clopper-Pearson upper bound is held to.')
on conflict (setting_key) do update set value = excluded.value, description = excluded.description
where (decision_setting_defaults.value, decision_setting_defaults.description)
    is distinct from (excluded.value, excluded.description);
