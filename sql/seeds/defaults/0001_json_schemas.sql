-- JSON Schemas every JSONB field and every row is validated against (docs/sql-api.md lists the
-- supported keywords). Idempotent: re-running changes nothing unless a definition changed.
insert into aicrm.json_schemas (schema_name, description, definition) values
('customer.address', 'A postal address.', '{
  "type": "object", "additionalProperties": false,
  "properties": {
    "street": {"type": "string", "maxLength": 200},
    "city": {"type": "string", "maxLength": 100},
    "region": {"type": "string", "maxLength": 100},
    "postal_code": {"type": "string", "maxLength": 20},
    "country": {"type": "string", "pattern": "^[A-Z]{2}$", "description": "an ISO 3166 two-letter country code such as US"}
  }
}'),
('customer.unique_selling_points', 'What sets the business apart, one point per item.', '{
  "type": "array", "maxItems": 12, "uniqueItems": true,
  "items": {"type": "string", "minLength": 3, "maxLength": 300}
}'),
('customer.products_services', 'The products and services the business sells.', '{
  "type": "array", "maxItems": 200,
  "items": {
    "type": "object", "additionalProperties": false, "required": ["name"],
    "properties": {
      "name": {"type": "string", "minLength": 1, "maxLength": 200, "description": "the product or service name"},
      "description": {"type": "string", "maxLength": 2000},
      "category": {"type": "string", "maxLength": 100},
      "price": {"type": "number", "minimum": 0},
      "currency": {"type": "string", "pattern": "^[A-Z]{3}$", "description": "an ISO 4217 code such as USD"},
      "price_note": {"type": "string", "maxLength": 200},
      "featured": {"type": "boolean"},
      "url": {"type": "string", "pattern": "^https?://[^ ]+$", "description": "an http(s) URL"}
    }
  }
}'),
('customer.target_audience', 'Who the business sells to.', '{
  "type": "object", "additionalProperties": false,
  "properties": {
    "summary": {"type": "string", "maxLength": 1000},
    "segments": {"type": "array", "maxItems": 20, "items": {
      "type": "object", "additionalProperties": false, "required": ["name"],
      "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 100, "description": "a segment name"},
        "description": {"type": "string", "maxLength": 1000},
        "age_range": {"type": "string", "pattern": "^[0-9]{1,3}(-[0-9]{1,3}|\\+)$", "description": "an age range such as 25-44 or 65+"},
        "interests": {"type": "array", "maxItems": 30, "items": {"type": "string", "maxLength": 100}}
      }
    }},
    "locations": {"type": "array", "maxItems": 50, "items": {"type": "string", "maxLength": 100}},
    "pain_points": {"type": "array", "maxItems": 30, "items": {"type": "string", "maxLength": 300}},
    "motivations": {"type": "array", "maxItems": 30, "items": {"type": "string", "maxLength": 300}}
  }
}'),
('customer.opening_hours', 'Opening intervals of one day; an empty list means closed.', '{
  "type": "array", "maxItems": 6, "items": {
    "type": "object", "additionalProperties": false, "required": ["open", "close"],
    "properties": {
      "open": {"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$", "description": "a 24-hour time HH:MM"},
      "close": {"type": "string", "pattern": "^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$", "description": "a 24-hour time HH:MM (24:00 for midnight)"}
    }
  }
}'),
('customer.business_hours', 'Weekly opening hours, exceptions and the time zone.', '{
  "type": "object", "additionalProperties": false,
  "properties": {
    "timezone": {"type": "string", "pattern": "^[A-Za-z]+(/[A-Za-z0-9_+-]+)*$", "description": "an IANA time zone such as America/Chicago"},
    "weekly": {"type": "object", "additionalProperties": false, "properties": {
      "mon": {"$ref": "customer.opening_hours"}, "tue": {"$ref": "customer.opening_hours"},
      "wed": {"$ref": "customer.opening_hours"}, "thu": {"$ref": "customer.opening_hours"},
      "fri": {"$ref": "customer.opening_hours"}, "sat": {"$ref": "customer.opening_hours"},
      "sun": {"$ref": "customer.opening_hours"}
    }},
    "exceptions": {"type": "array", "maxItems": 100, "items": {
      "type": "object", "additionalProperties": false, "required": ["date"],
      "properties": {
        "date": {"type": "string", "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$", "description": "a date YYYY-MM-DD"},
        "closed": {"type": "boolean"},
        "hours": {"$ref": "customer.opening_hours"},
        "note": {"type": "string", "maxLength": 200}
      }
    }},
    "notes": {"type": "string", "maxLength": 500}
  }
}'),
('customer.brand_voice', 'How the brand sounds: tone, personality, phrases to use and to avoid.', '{
  "type": "object", "additionalProperties": false,
  "properties": {
    "tone": {"type": "array", "minItems": 1, "maxItems": 5, "uniqueItems": true, "items": {"$ref": "content.tone"}},
    "personality": {"type": "string", "maxLength": 500},
    "formality": {"type": "string", "enum": ["casual", "conversational", "neutral", "formal"]},
    "point_of_view": {"type": "string", "enum": ["first_person_plural", "first_person_singular", "second_person", "third_person"]},
    "phrases_to_use": {"type": "array", "maxItems": 30, "items": {"type": "string", "minLength": 1, "maxLength": 200}},
    "phrases_to_avoid": {"type": "array", "maxItems": 30, "items": {"type": "string", "minLength": 1, "maxLength": 200}},
    "emoji_use": {"type": "string", "enum": ["none", "sparingly", "freely"]},
    "reading_level": {"type": "string", "enum": ["simple", "general", "professional", "technical"]},
    "sample_copy": {"type": "string", "maxLength": 2000},
    "language": {"type": "string", "pattern": "^[a-z]{2}(-[A-Z]{2})?$", "description": "a language tag such as en or en-US"}
  }
}'),
('customer.content_preferences', 'What content the customer wants, where and how often.', '{
  "type": "object", "additionalProperties": false,
  "properties": {
    "channels": {"type": "array", "uniqueItems": true, "items": {"$ref": "content.channel"}},
    "posting_frequency": {"type": "object", "additionalProperties": {"type": "string", "enum": ["daily", "twice_weekly", "weekly", "biweekly", "monthly", "quarterly"]}},
    "content_length": {"type": "string", "enum": ["short", "medium", "long"]},
    "default_cta": {"type": "string", "maxLength": 200},
    "cta_url": {"type": "string", "pattern": "^https?://[^ ]+$", "description": "an http(s) URL"},
    "topics_to_cover": {"type": "array", "maxItems": 50, "items": {"type": "string", "maxLength": 200}},
    "topics_to_avoid": {"type": "array", "maxItems": 50, "items": {"type": "string", "maxLength": 200}},
    "hashtags": {"type": "array", "maxItems": 30, "items": {"type": "string", "pattern": "^#[A-Za-z0-9_]+$", "description": "a hashtag such as #FreshBread"}},
    "signature": {"type": "string", "maxLength": 300},
    "language": {"type": "string", "pattern": "^[a-z]{2}(-[A-Z]{2})?$", "description": "a language tag such as en or en-US"}
  }
}'),
('customer.competitors', 'Competitors, never to be named in content.', '{
  "type": "array", "maxItems": 50, "items": {
    "type": "object", "additionalProperties": false, "required": ["name"],
    "properties": {
      "name": {"type": "string", "minLength": 1, "maxLength": 200, "description": "the competitor''s name"},
      "website": {"type": "string", "pattern": "^https?://[^ ]+$", "description": "an http(s) URL"},
      "notes": {"type": "string", "maxLength": 1000}
    }
  }
}'),
('row.tenants', 'A tenant row.', '{
  "type": "object",
  "properties": {
    "name": {"type": "string", "minLength": 1, "maxLength": 200, "description": "a tenant name"},
    "settings": {"type": "object"}
  }
}'),
('row.customers', 'A customer row with its business context.', '{
  "type": "object",
  "properties": {
    "name": {"type": "string", "minLength": 1, "maxLength": 200, "description": "the business name"},
    "external_id": {"type": ["string", "null"], "minLength": 1, "maxLength": 200},
    "status": {"type": "string", "enum": ["prospect", "active", "paused", "churned", "archived"]},
    "industry_category": {"type": "string"},
    "industry_subcategory": {"type": ["string", "null"]},
    "website": {"type": ["string", "null"], "pattern": "^https?://[^ ]+$", "description": "an http(s) URL"},
    "email": {"type": ["string", "null"], "pattern": "^[^@ ]+@[^@ ]+[.][^@ ]+$", "description": "an email address"},
    "phone": {"type": ["string", "null"], "pattern": "^[+0-9 ().-]{7,25}$", "description": "a phone number"},
    "address": {"$ref": "customer.address"},
    "business_description": {"type": ["string", "null"], "maxLength": 5000},
    "unique_selling_points": {"$ref": "customer.unique_selling_points"},
    "products_services": {"$ref": "customer.products_services"},
    "target_audience": {"$ref": "customer.target_audience"},
    "business_hours": {"$ref": "customer.business_hours"},
    "brand_voice": {"$ref": "customer.brand_voice"},
    "content_preferences": {"$ref": "customer.content_preferences"},
    "competitors": {"$ref": "customer.competitors"}
  }
}'),
('row.customer_contacts', 'A contact person of a customer.', '{
  "type": "object",
  "properties": {
    "first_name": {"type": ["string", "null"], "maxLength": 100},
    "last_name": {"type": ["string", "null"], "maxLength": 100},
    "email": {"type": ["string", "null"], "pattern": "^[^@ ]+@[^@ ]+[.][^@ ]+$", "description": "an email address"},
    "phone": {"type": ["string", "null"], "pattern": "^[+0-9 ().-]{7,25}$", "description": "a phone number"},
    "job_title": {"type": ["string", "null"], "maxLength": 100},
    "consent_source": {"type": ["string", "null"], "maxLength": 200}
  }
}'),
('row.projects', 'A project for a customer.', '{
  "type": "object",
  "properties": {
    "name": {"type": "string", "minLength": 1, "maxLength": 200, "description": "a project name"},
    "description": {"type": ["string", "null"], "maxLength": 5000},
    "status": {"type": "string", "enum": ["planning", "active", "paused", "completed", "archived"]}
  }
}'),
('row.project_tasks', 'A task of a project.', '{
  "type": "object",
  "properties": {
    "title": {"type": "string", "minLength": 1, "maxLength": 300, "description": "a task title"},
    "description": {"type": ["string", "null"], "maxLength": 10000},
    "task_type": {"$ref": "content.output_type"},
    "channel": {"$ref": "content.channel"},
    "status": {"type": "string", "enum": ["todo", "in_progress", "done", "cancelled"]},
    "priority": {"type": "integer", "minimum": 1, "maximum": 5},
    "ai_instructions": {"$ref": "task.ai_instructions"},
    "quality_thresholds": {"$ref": "task.quality_thresholds"}
  }
}'),
('row.project_deliverables', 'A deliverable (a draft version) of a task.', '{
  "type": "object",
  "properties": {
    "version": {"type": "integer", "minimum": 1},
    "title": {"type": ["string", "null"], "maxLength": 300},
    "subject": {"type": ["string", "null"], "maxLength": 300},
    "content": {"type": "string", "minLength": 1, "maxLength": 200000, "description": "the content, at most 200,000 characters"},
    "content_format": {"type": "string", "enum": ["text", "html", "markdown"]},
    "status": {"type": "string", "enum": ["draft", "approved", "rejected", "published"]}
  }
}'),
('row.ai_agents', 'An AI agent of a tenant.', '{
  "type": "object",
  "properties": {
    "name": {"type": "string", "minLength": 1, "maxLength": 100, "description": "an agent name"},
    "agent_role": {"type": "string", "enum": ["strategist", "writer", "editor", "compliance", "publisher", "analyst", "external", "human"]},
    "description": {"type": ["string", "null"], "maxLength": 2000},
    "capabilities": {"type": "array", "maxItems": 50, "items": {"type": "string", "maxLength": 100}},
    "model": {"type": ["string", "null"], "maxLength": 200},
    "model_settings": {"type": "object"},
    "config": {"type": "object"},
    "status": {"type": "string", "enum": ["active", "paused", "retired"]}
  }
}'),
('api.business_profile', 'The fields upsert_business_profile accepts (deep checks by row.customers).', '{
  "type": "object", "additionalProperties": false,
  "properties": {
    "name": {"type": "string"}, "external_id": {"type": ["string", "null"]}, "status": {"type": "string"},
    "industry_category": {"type": "string"}, "industry_subcategory": {"type": ["string", "null"]},
    "website": {"type": ["string", "null"]}, "email": {"type": ["string", "null"]}, "phone": {"type": ["string", "null"]},
    "address": {"type": "object"}, "business_description": {"type": ["string", "null"]},
    "unique_selling_points": {"type": "array", "items": {"type": "string"}}, "products_services": {"type": "array"},
    "target_audience": {"type": "object"}, "business_hours": {"type": "object"},
    "brand_voice": {"type": "object"}, "content_preferences": {"type": "object"}, "competitors": {"type": "array"}
  }
}'),
('api.customer_contact', 'The fields upsert_customer_contact accepts.', '{
  "type": "object", "additionalProperties": false,
  "properties": {
    "contact_id": {"type": "string", "pattern": "^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$", "description": "a contact id (UUID)"},
    "first_name": {"type": ["string", "null"]}, "last_name": {"type": ["string", "null"]},
    "email": {"type": ["string", "null"]}, "phone": {"type": ["string", "null"]}, "job_title": {"type": ["string", "null"]},
    "is_primary": {"type": "boolean"}, "email_opt_in": {"type": "boolean"}, "sms_opt_in": {"type": "boolean"},
    "consent_source": {"type": ["string", "null"]}
  }
}')
on conflict (schema_name) do update
set description = excluded.description, definition = excluded.definition, updated_at = now()
where (json_schemas.description, json_schemas.definition) is distinct from (excluded.description, excluded.definition);

-- Schemas stored before they were compiled (the trigger compiles those written from now on).
update aicrm.json_schemas set definition = definition
where check_path is null and size_limit is null;
