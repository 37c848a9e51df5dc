-- JSON Schemas of a task's structured AI instructions and quality thresholds, and of the text
-- metrics the runner hands to record_evaluation; the quality weights setting. Idempotent.
-- The instructions' output type, tone and purpose are the shared vocabularies
-- (0000_vocabulary_schemas.sql), the lists the templates, find_similar_content and the brand voice
-- use. Their $ref are resolved here, when the schema is seeded (every migrate), not left to the
-- validator: the scorecard validates a task's instructions for every draft, and only a schema
-- without $ref compiles to the fast SQL/JSON path (docs/quality.md).
select aicrm_private.upsert_schema_with_vocabularies(
    'task.ai_instructions',
    'What the AI is asked to write and how it is judged (docs/quality.md).',
    '{
  "type": "object", "additionalProperties": false,
  "properties": {
    "output_type": {"$ref": "content.output_type"},
    "output_format": {"enum": ["text", "html", "markdown"]},
    "output_length": {
      "type": "object", "additionalProperties": false,
      "properties": {
        "min_words": {"type": "integer", "minimum": 0, "maximum": 20000, "description": "a word count 0-20000"},
        "max_words": {"type": "integer", "minimum": 1, "maximum": 20000, "description": "a word count 1-20000"},
        "max_characters": {"type": "integer", "minimum": 1, "maximum": 200000, "description": "a character count"}
      }
    },
    "must_include": {"type": "array", "maxItems": 30, "items": {"type": "string", "minLength": 1, "maxLength": 200}},
    "must_not_include": {"type": "array", "maxItems": 50, "items": {"type": "string", "minLength": 1, "maxLength": 200}},
    "context_sources": {"type": "array", "maxItems": 30, "items": {"type": "string", "maxLength": 100}},
    "success_criteria": {
      "type": "object", "additionalProperties": false,
      "properties": {
        "readability_score_min": {"type": "number", "minimum": 0, "maximum": 100, "description": "a Flesch reading ease 0-100"},
        "grade_level_max": {"type": "number", "minimum": 1, "maximum": 20, "description": "a Flesch-Kincaid grade 1-20"},
        "sentiment_target": {"enum": ["positive", "neutral", "negative"]},
        "cta_present": {"type": "boolean"}
      }
    },
    "audience": {"type": "string", "maxLength": 1000},
    "tone_override": {"type": "array", "maxItems": 5, "items": {"$ref": "content.tone"}},
    "language": {"type": "string", "pattern": "^[a-z]{2}(-[A-Z]{2})?$", "description": "a language tag such as en or en-US"},
    "topic": {"type": "string", "maxLength": 500},
    "purpose": {"$ref": "content.purpose"},
    "cta": {"type": "string", "maxLength": 200},
    "key_points": {"type": "array", "maxItems": 10, "items": {
      "type": "string", "minLength": 1, "maxLength": 300,
      "description": "a fact or message the draft must convey, such as 15% off tune-ups booked before March 31"
    }},
    "offer": {
      "type": "object", "additionalProperties": false, "required": ["description"],
      "properties": {
        "description": {"type": "string", "minLength": 1, "maxLength": 300, "description": "what is offered, such as 15% off tune-ups"},
        "code": {"type": "string", "minLength": 1, "maxLength": 50, "description": "a code to quote, such as TUNE15"},
        "valid_until": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "description": "a date such as 2027-03-31"}
      }
    },
    "event": {
      "type": "object", "additionalProperties": false, "required": ["name", "starts_at"],
      "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 200, "description": "what the event is called"},
        "starts_at": {"type": "string", "maxLength": 40,
          "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2})?(Z|[+-][0-9]{2}(:?[0-9]{2})?)?)?$",
          "description": "a date or date and time such as 2027-05-14T18:00"},
        "place": {"type": "string", "minLength": 1, "maxLength": 300, "description": "where, such as the shop at 12 Mill Lane"}
      }
    },
    "links": {
      "type": "object", "additionalProperties": false,
      "properties": {
        "cta_url": {"type": "string", "maxLength": 2000, "pattern": "^https?://[^ ]+\\.[^ ]+$", "description": "an http(s) URL"},
        "review_url": {"type": "string", "maxLength": 2000, "pattern": "^https?://[^ ]+\\.[^ ]+$", "description": "an http(s) URL"},
        "booking_url": {"type": "string", "maxLength": 2000, "pattern": "^https?://[^ ]+\\.[^ ]+$", "description": "an http(s) URL"}
      }
    },
    "avoid_topics": {"type": "array", "maxItems": 20, "items": {"type": "string", "minLength": 1, "maxLength": 200}},
    "recipients": {"type": "array", "minItems": 1, "maxItems": 50, "items": {
      "type": "string", "maxLength": 254, "pattern": "^[A-Za-z0-9._%+''-]+@[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)+$",
      "description": "an email address such as owner@example.com"
    }}
  }
}'
);

insert into aicrm.json_schemas (schema_name, description, definition) values
('task.quality_thresholds', 'Minimum scores (0-100) a draft of the task must reach to pass.', '{
  "type": "object", "additionalProperties": false,
  "properties": {
    "overall_min": {"type": "number", "minimum": 0, "maximum": 100, "description": "a score 0-100"},
    "readability_min": {"type": "number", "minimum": 0, "maximum": 100, "description": "a score 0-100"},
    "sentiment_min": {"type": "number", "minimum": 0, "maximum": 100, "description": "a score 0-100"},
    "brand_alignment_min": {"type": "number", "minimum": 0, "maximum": 100, "description": "a score 0-100"},
    "compliance_min": {"type": "number", "minimum": 0, "maximum": 100, "description": "a score 0-100"},
    "structure_min": {"type": "number", "minimum": 0, "maximum": 100, "description": "a score 0-100"},
    "brief_min": {"type": "number", "minimum": 0, "maximum": 100, "description": "a score 0-100"},
    "accuracy_min": {"type": "number", "minimum": 0, "maximum": 100, "description": "a score 0-100"},
    "fluency_min": {"type": "number", "minimum": 0, "maximum": 100, "description": "a score 0-100"}
  }
}'),
('quality.text_metrics', 'What the runner measures of a draft (runner/scoring.py).', '{
  "type": "object",
  "properties": {
    "word_count": {"type": "integer", "minimum": 0},
    "sentence_count": {"type": "integer", "minimum": 0},
    "readability": {
      "type": "object",
      "properties": {
        "flesch_reading_ease": {"type": "number"},
        "flesch_kincaid_grade": {"type": "number"},
        "gunning_fog": {"type": "number"}
      }
    },
    "sentiment": {
      "type": "object", "required": ["compound", "label"],
      "properties": {
        "compound": {"type": "number", "minimum": -1, "maximum": 1, "description": "a VADER compound -1..1"},
        "label": {"type": "string", "enum": ["positive", "neutral", "negative"]},
        "most_negative": {"type": "number", "minimum": -1, "maximum": 1},
        "most_positive": {"type": "number", "minimum": -1, "maximum": 1}
      }
    },
    "llm_judge": {
      "type": "object", "required": ["grades", "overall", "verdict"],
      "description": "the optional model judge''s grades (runner/providers/judge.py)",
      "properties": {
        "model": {"type": "string", "maxLength": 200},
        "grades": {
          "type": "object", "required": ["brief", "accuracy", "fluency", "tone"],
          "properties": {
            "brief": {"type": "number", "minimum": 0, "maximum": 100, "description": "a grade 0-100"},
            "accuracy": {"type": "number", "minimum": 0, "maximum": 100, "description": "a grade 0-100"},
            "fluency": {"type": "number", "minimum": 0, "maximum": 100, "description": "a grade 0-100"},
            "tone": {"type": "number", "minimum": 0, "maximum": 100, "description": "a grade 0-100"}
          }
        },
        "overall": {"type": "number", "minimum": 0, "maximum": 100, "description": "a grade 0-100"},
        "verdict": {"enum": ["approve", "revise"]},
        "reasons": {"type": "array", "maxItems": 20, "items": {"type": "string", "maxLength": 1000}},
        "issues": {"type": "array", "maxItems": 20, "items": {
          "type": "object", "required": ["dimension", "problem"],
          "properties": {
            "dimension": {"enum": ["brief", "accuracy", "fluency", "tone"]},
            "quote": {"type": "string", "maxLength": 1000},
            "problem": {"type": "string", "maxLength": 1000}
          }
        }}
      }
    }
  }
}')
on conflict (schema_name) do update
set description = excluded.description, definition = excluded.definition, updated_at = now()
where (json_schemas.description, json_schemas.definition) is distinct from (excluded.description, excluded.definition);

insert into aicrm.decision_setting_defaults (setting_key, value, description) values
('quality_weights', '{"readability": 0.10, "sentiment": 0.10, "brand_alignment": 0.15, "compliance": 0.20, "structure": 0.15, "brief": 0.15, "accuracy": 0.10, "fluency": 0.05}',
 'Weights of the sub-scores in the overall quality score (normalised to sum to 1).')
on conflict (setting_key) do update set value = excluded.value, description = excluded.description
where (decision_setting_defaults.value, decision_setting_defaults.description)
    is distinct from (excluded.value, excluded.description);
