-- JSON Schemas of decision rules, their actions and the tenant's decision settings.
insert into aicrm.json_schemas (schema_name, description, definition) values
('decision.action', 'What a rule does when its condition holds.', '{
  "type": "object", "additionalProperties": false, "required": ["type"],
  "properties": {
    "type": {"type": "string", "enum": ["approve", "review", "reject", "retry", "escalate", "request_input", "route", "select"],
             "description": "approve, review, reject, retry, escalate, request_input, route or select"},
    "params": {"type": "object", "description": "parameters of the action, e.g. {\"reason\": \"...\"}"}
  }
}'),
('decision.settings', 'Thresholds the decision rules read as settings.*.', '{
  "type": "object", "additionalProperties": false,
  "properties": {
    "approve_min_quality": {"type": "number", "minimum": 0, "maximum": 100, "description": "a quality score 0-100"},
    "approve_min_confidence": {"type": "number", "minimum": 0, "maximum": 1, "description": "a confidence 0-1"},
    "max_attempts": {"type": "integer", "minimum": 1, "maximum": 10, "description": "attempts 1-10"},
    "escalate_after_failures": {"type": "integer", "minimum": 1, "maximum": 20, "description": "failures 1-20"},
    "target_review_rate": {"type": "number", "minimum": 0, "maximum": 1, "description": "a share 0-1"},
    "stuck_after_minutes": {
      "type": "object", "additionalProperties": false,
      "properties": {
        "gathering_context": {"type": "integer", "minimum": 1, "maximum": 10080, "description": "minutes 1-10080"},
        "generating": {"type": "integer", "minimum": 1, "maximum": 10080, "description": "minutes 1-10080"},
        "evaluating": {"type": "integer", "minimum": 1, "maximum": 10080, "description": "minutes 1-10080"}
      }
    },
    "metrics_window_hours": {
      "type": "object", "additionalProperties": false,
      "properties": {
        "email": {"type": "integer", "minimum": 1, "maximum": 8760, "description": "hours 1-8760"},
        "social": {"type": "integer", "minimum": 1, "maximum": 8760, "description": "hours 1-8760"},
        "sms": {"type": "integer", "minimum": 1, "maximum": 8760, "description": "hours 1-8760"},
        "blog": {"type": "integer", "minimum": 1, "maximum": 8760, "description": "hours 1-8760"},
        "web": {"type": "integer", "minimum": 1, "maximum": 8760, "description": "hours 1-8760"}
      }
    },
    "quality_weights": {
      "type": "object", "additionalProperties": false,
      "properties": {
        "readability": {"type": "number", "minimum": 0, "maximum": 10, "description": "a weight 0-10"},
        "sentiment": {"type": "number", "minimum": 0, "maximum": 10, "description": "a weight 0-10"},
        "brand_alignment": {"type": "number", "minimum": 0, "maximum": 10, "description": "a weight 0-10"},
        "compliance": {"type": "number", "minimum": 0, "maximum": 10, "description": "a weight 0-10"},
        "structure": {"type": "number", "minimum": 0, "maximum": 10, "description": "a weight 0-10"},
        "brief": {"type": "number", "minimum": 0, "maximum": 10, "description": "a weight 0-10"},
        "accuracy": {"type": "number", "minimum": 0, "maximum": 10, "description": "a weight 0-10"},
        "fluency": {"type": "number", "minimum": 0, "maximum": 10, "description": "a weight 0-10"}
      }
    },
    "selection": {
      "type": "object", "additionalProperties": false,
      "properties": {
        "top_two_beta": {"type": "number", "minimum": 0, "maximum": 1, "description": "a probability 0-1"},
        "floor": {"type": "number", "minimum": 0, "maximum": 0.5, "description": "a share 0-0.5"},
        "min_sends": {"type": "integer", "minimum": 0, "maximum": 1000000000, "description": "sends 0-1000000000"},
        "prior_strength": {"type": "number", "minimum": 1, "maximum": 1000000, "description": "sends 1-1000000"},
        "prior_mean": {"type": "number", "minimum": 0.0001, "maximum": 0.9999, "description": "a rate 0.0001-0.9999"},
        "min_reviews": {"type": "integer", "minimum": 1, "maximum": 100000, "description": "reviews 1-100000"},
        "max_rejection_rate": {"type": "number", "minimum": 0, "maximum": 1, "description": "a share 0-1"},
        "stop_confidence": {"type": "number", "minimum": 0.5, "maximum": 0.999, "description": "a probability 0.5-0.999"},
        "stop_min_gain": {"type": "number", "minimum": 0, "maximum": 1, "description": "a relative gain 0-1"},
        "simulations": {"type": "integer", "minimum": 10, "maximum": 10000, "description": "draws 10-10000"},
        "srm_period_days": {"type": "integer", "minimum": 1, "maximum": 366, "description": "days 1-366"},
        "srm_p_value": {"type": "number", "minimum": 0, "maximum": 0.5, "description": "a p-value 0-0.5"},
        "srm_min_deliveries": {"type": "integer", "minimum": 1, "maximum": 1000000000, "description": "deliveries 1-1000000000"},
        "seed": {"type": "string", "maxLength": 100, "description": "any text up to 100 characters"}
      }
    },
    "spot_check": {
      "type": "object", "additionalProperties": false,
      "properties": {
        "share": {"type": "number", "minimum": 0, "maximum": 1, "description": "a share 0-1"},
        "by": {"type": "string", "enum": ["segment"], "description": "segment"},
        "limit": {"type": "number", "minimum": 0, "maximum": 1, "description": "a rate 0-1"}
      }
    }
  }
}'),
('row.ai_decision_rules', 'A decision rule.', '{
  "type": "object",
  "properties": {
    "name": {"type": "string", "minLength": 1, "maxLength": 200, "description": "a rule name"},
    "description": {"type": ["string", "null"], "maxLength": 2000},
    "category": {"type": "string", "enum": ["escalation", "retry", "approval", "selection", "routing"]},
    "priority": {"type": "integer", "minimum": 0, "maximum": 100000, "description": "0-100000, lowest first"},
    "action": {"$ref": "decision.action"},
    "channel": {"type": ["string", "null"], "enum": ["email", "social", "sms", "blog", "web", null]},
    "task_type": {"type": ["string", "null"], "enum": ["email", "newsletter", "social_post", "blog_post", "sms", "landing_page", "ad_copy", null]}
  }
}'),
('api.decision_rule', 'The fields upsert_decision_rule accepts.', '{
  "type": "object", "additionalProperties": false,
  "properties": {
    "name": {"type": "string"}, "description": {"type": ["string", "null"]}, "category": {"type": "string"},
    "priority": {"type": "integer"},
    "condition": {"type": ["object", "array", "string", "number", "boolean"],
                  "description": "a JSON Logic rule (null is not a condition)"},
    "action": {"type": "object"},
    "customer_id": {"type": ["string", "null"], "pattern": "^[0-9a-fA-F-]{36}$", "description": "a customer id (UUID)"},
    "channel": {"type": ["string", "null"]}, "task_type": {"type": ["string", "null"]}, "active": {"type": "boolean"}
  }
}')
on conflict (schema_name) do update
set description = excluded.description, definition = excluded.definition, updated_at = now()
where (json_schemas.description, json_schemas.definition) is distinct from (excluded.description, excluded.definition);
