-- Selection that learns (docs/learning.md, "Selection"; ADR 0019): what a selection rule's action
-- pins or excludes, and the bandit's default settings (the decision setting `selection`, whose
-- shape is in decision.settings, seed 0004). A rule of category selection is checked against
-- decision.selection_action when saved (private/rules/rule_triggers.sql), one of pin or exclude.
insert into aicrm.json_schemas (schema_name, description, definition) values
('decision.selection_arm', 'An arm of the template bandit a selection rule names: a template, and one of its variants.', '{
  "type": "object", "additionalProperties": false, "required": ["template_id"],
  "properties": {
    "template_id": {"type": "string", "pattern": "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
                    "description": "a template of aicrm.content_templates (UUID)"},
    "variant": {"type": ["string", "null"], "minLength": 1, "maxLength": 100,
                "description": "a variant key; null for the template''s own text; absent for every arm of the template"}
  }
}'),
('decision.selection_action', 'What a selection rule does: pin the choice to arms, or exclude arms.', '{
  "type": "object", "additionalProperties": false, "required": ["type", "params"],
  "properties": {
    "type": {"type": "string", "enum": ["select"], "description": "select (the action of a selection rule)"},
    "params": {
      "type": "object", "additionalProperties": false,
      "properties": {
        "pin": {"$ref": "decision.selection_arm"},
        "exclude": {"type": "array", "minItems": 1, "maxItems": 50, "items": {"$ref": "decision.selection_arm"},
                    "description": "1-50 arms"},
        "reason": {"type": "string", "minLength": 1, "maxLength": 500, "description": "why, 1-500 characters"}
      }
    }
  }
}')
on conflict (schema_name) do update
set description = excluded.description, definition = excluded.definition, updated_at = now()
where (json_schemas.description, json_schemas.definition) is distinct from (excluded.description, excluded.definition);

insert into aicrm.decision_setting_defaults (setting_key, value, description) values
('selection', '{"top_two_beta": 0.5, "floor": 0.01, "min_sends": 100, "prior_strength": 50, "prior_mean": 0.02,
  "min_reviews": 5, "max_rejection_rate": 0.5, "stop_confidence": 0.95, "stop_min_gain": 0.01,
  "simulations": 100, "srm_period_days": 7, "srm_p_value": 0.001, "srm_min_deliveries": 30, "seed": ""}',
 'The template bandit (docs/learning.md, "Selection"): top-two probability, the floor per arm, sends before reweighting, the prior''s strength (in sends) and base rate, the guardrail (reviews and rejection rate), the stop rule (confidence and gain), Monte Carlo draws, the sample-ratio check (period, p-value, deliveries) and the seed''s salt.')
on conflict (setting_key) do update set value = excluded.value, description = excluded.description
where (decision_setting_defaults.value, decision_setting_defaults.description)
    is distinct from (excluded.value, excluded.description);
