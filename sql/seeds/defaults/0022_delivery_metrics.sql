-- What aicrm.record_delivery_metrics and aicrm.record_delivery_events accept (docs/learning.md,
-- "Outcomes in"): a delivery's cumulative counters, and one event in the normal form. The
-- functions check what a schema cannot say (a counter going backwards or past sent, one of
-- delivery_id or outbox_id, one of recipient or recipient_hash, a time that parses).
insert into aicrm.json_schemas (schema_name, description, definition) values
('delivery.metrics', 'A delivery''s cumulative counters (unique recipients; revenue a sum).', '{
  "type": "object", "additionalProperties": false,
  "properties": {
    "sent": {"type": "integer", "minimum": 0, "maximum": 1000000000000, "description": "recipients sent to"},
    "delivered": {"type": "integer", "minimum": 0, "maximum": 1000000000000, "description": "recipients delivered to, at most sent"},
    "opens": {"type": "integer", "minimum": 0, "maximum": 1000000000000, "description": "unique openers, at most sent"},
    "clicks": {"type": "integer", "minimum": 0, "maximum": 1000000000000, "description": "unique clickers, at most sent"},
    "conversions": {"type": "integer", "minimum": 0, "maximum": 1000000000000, "description": "recipients who converted, at most sent"},
    "revenue": {"type": "number", "minimum": 0, "maximum": 100000000000000, "description": "the conversions'' revenue, a sum"},
    "unsubscribes": {"type": "integer", "minimum": 0, "maximum": 1000000000000, "description": "at most sent"},
    "complaints": {"type": "integer", "minimum": 0, "maximum": 1000000000000, "description": "at most sent"},
    "bounces": {"type": "integer", "minimum": 0, "maximum": 1000000000000, "description": "at most sent"},
    "replies": {"type": "integer", "minimum": 0, "maximum": 1000000000000, "description": "unique repliers, at most sent"}
  }
}'),
('delivery.event', 'One recipient''s event about one delivery, in the normal form.', '{
  "type": "object", "additionalProperties": false, "required": ["event", "occurred_at", "provider", "provider_event_id"],
  "properties": {
    "delivery_id": {"type": "string", "pattern": "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
                    "description": "the delivery (aicrm.deliveries), or give outbox_id"},
    "outbox_id": {"type": "string", "pattern": "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
                  "description": "the outbox row the publisher sent (X-Aicrm-Outbox-Id, aicrm_outbox_id)"},
    "event": {"type": "string",
              "enum": ["delivered", "open", "click", "conversion", "unsubscribe", "complaint", "bounce", "reply"],
              "description": "delivered, open, click, conversion, unsubscribe, complaint, bounce or reply"},
    "recipient": {"type": "string", "minLength": 3, "maxLength": 320, "description": "the address (kept hashed only)"},
    "recipient_hash": {"type": "string", "pattern": "^[0-9a-fA-F]{64}$", "description": "a sha256 in hex"},
    "occurred_at": {"type": "string", "minLength": 1, "maxLength": 64, "description": "an ISO 8601 time"},
    "provider": {"type": "string", "pattern": "^[a-z0-9_-]{1,50}$", "description": "e.g. sendgrid, mailgun, postmark, import"},
    "provider_event_id": {"type": "string", "minLength": 1, "maxLength": 500, "description": "the provider''s id of the event"},
    "url": {"type": ["string", "null"], "maxLength": 2000, "description": "the link clicked"},
    "revenue": {"type": ["number", "null"], "minimum": 0, "maximum": 100000000000000, "description": "a conversion''s revenue"},
    "raw": {"type": "object", "description": "what else the provider said, without addresses"}
  }
}')
on conflict (schema_name) do update
set description = excluded.description, definition = excluded.definition, updated_at = now()
where (json_schemas.description, json_schemas.definition) is distinct from (excluded.description, excluded.definition);
