-- Agent messages (docs/agents.md): what aicrm.send_agent_message accepts (api.agent_message), the
-- parts of a message, and one JSON Schema per message type for its data part, named
-- agent_message.<kind>.<name>. A new message type is a new schema here.
insert into aicrm.json_schemas (schema_name, description, definition) values
('api.agent_message', 'The fields send_agent_message accepts.', '{
  "type": "object", "additionalProperties": false, "required": ["kind", "message_type", "parts"],
  "properties": {
    "kind": {"type": "string", "enum": ["handoff", "request", "response", "notification"]},
    "message_type": {"type": "string", "pattern": "^[a-z]+\\.[a-z][a-z0-9_]{0,62}$", "description": "a message type such as request.missing_profile_field"},
    "from_agent_id": {"type": ["string", "null"], "pattern": "^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$", "description": "an agent id (UUID)"},
    "from_role": {"type": ["string", "null"], "maxLength": 40},
    "to_agent_id": {"type": ["string", "null"], "pattern": "^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$", "description": "an agent id (UUID)"},
    "to_role": {"type": ["string", "null"], "maxLength": 40},
    "thread_id": {"type": ["string", "null"], "pattern": "^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$", "description": "a thread id (UUID)"},
    "reply_to": {"type": ["string", "null"], "pattern": "^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$", "description": "a message id (UUID)"},
    "correlation_id": {"type": ["string", "null"], "pattern": "^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$", "description": "a correlation id (UUID)"},
    "parts": {"$ref": "agent_message.parts"},
    "priority": {"type": "integer", "minimum": 1, "maximum": 5, "description": "1 (urgent) to 5"},
    "expires_in_seconds": {"type": "integer", "minimum": 60, "maximum": 2592000, "description": "a minute to 30 days"},
    "idempotency_key": {"type": ["string", "null"], "minLength": 1, "maxLength": 200}
  }
}'),
('agent_message.parts', 'The parts of an agent message: text, data (the message type''s schema), artifacts (a deliverable it produced or consumed).', '{
  "type": "array", "minItems": 1, "maxItems": 20, "description": "1-20 parts",
  "items": {
    "type": "object", "additionalProperties": false, "required": ["type"],
    "properties": {
      "type": {"type": "string", "enum": ["text", "data", "artifact"]},
      "text": {"type": "string", "minLength": 1, "maxLength": 50000, "description": "text, at most 50,000 characters"},
      "data": {"type": "object"},
      "deliverable_id": {"type": "string", "pattern": "^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$", "description": "a deliverable id (UUID)"},
      "relation": {"type": "string", "enum": ["produced", "consumed"]}
    }
  }
}'),
('agent_message.handoff.draft_ready', 'A draft handed on: to an editor, to compliance, to the publisher.', '{
  "type": "object", "additionalProperties": false, "required": ["task_id"],
  "properties": {
    "task_id": {"type": "string", "pattern": "^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$", "description": "a task id (UUID)"},
    "version": {"type": "integer", "minimum": 1},
    "summary": {"type": "string", "maxLength": 2000},
    "decision": {"type": "string", "enum": ["approve", "request_changes", "reject", "publish"]},
    "score": {"type": "number", "minimum": 0, "maximum": 100, "description": "the draft''s quality score"}
  }
}'),
('agent_message.handoff.changes_requested', 'A draft sent back to the writers: the rules'' fixes ({code, params, message}) or a person''s review.', '{
  "type": "object", "additionalProperties": false, "required": ["task_id"],
  "properties": {
    "task_id": {"type": "string", "pattern": "^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$", "description": "a task id (UUID)"},
    "version": {"type": "integer", "minimum": 1, "description": "the version sent back"},
    "summary": {"type": "string", "maxLength": 2000},
    "decision": {"type": "string", "enum": ["request_changes"]},
    "fixes": {"type": "array", "items": {"type": "object"}, "description": "the scorecard''s fixes"},
    "review_id": {"type": "string", "pattern": "^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$", "description": "the review that asked for the changes (UUID)"}
  }
}'),
('agent_message.handoff.review_requested', 'A task handed to a person: for review, or escalated.', '{
  "type": "object", "additionalProperties": false, "required": ["task_id", "state"],
  "properties": {
    "task_id": {"type": "string", "pattern": "^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$", "description": "a task id (UUID)"},
    "version": {"type": "integer", "minimum": 1, "description": "the draft to review"},
    "state": {"type": "string", "enum": ["awaiting_review", "escalated"]},
    "summary": {"type": "string", "maxLength": 2000},
    "score": {"type": "number", "minimum": 0, "maximum": 100, "description": "the draft''s quality score"}
  }
}'),
('agent_message.notification.task_closed', 'A task ended without being published (rejected).', '{
  "type": "object", "additionalProperties": false, "required": ["task_id", "state"],
  "properties": {
    "task_id": {"type": "string", "pattern": "^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$", "description": "a task id (UUID)"},
    "version": {"type": "integer", "minimum": 1},
    "state": {"type": "string", "enum": ["rejected", "cancelled"]},
    "summary": {"type": "string", "maxLength": 2000}
  }
}'),
('agent_message.notification.delivered', 'A draft delivered by the publisher; its results will follow.', '{
  "type": "object", "additionalProperties": false, "required": ["task_id"],
  "properties": {
    "task_id": {"type": "string", "pattern": "^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$", "description": "a task id (UUID)"},
    "version": {"type": "integer", "minimum": 1},
    "outbox_id": {"type": "string", "pattern": "^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$", "description": "the outbox row delivered (UUID)"},
    "summary": {"type": "string", "maxLength": 2000}
  }
}'),
('agent_message.request.missing_profile_field', 'An agent asks for a field of a customer''s profile it lacks.', '{
  "type": "object", "additionalProperties": false, "required": ["field", "question", "customer_id"],
  "properties": {
    "field": {"type": "string", "pattern": "^[a-z][a-z0-9_.]{0,99}$", "description": "a profile field such as target_audience"},
    "question": {"type": "string", "minLength": 3, "maxLength": 2000, "description": "the question to ask"},
    "customer_id": {"type": "string", "pattern": "^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$", "description": "a customer id (UUID)"},
    "task_id": {"type": "string", "pattern": "^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$", "description": "the task waiting for the answer (UUID)"},
    "profile_gap": {"type": "string", "maxLength": 200, "description": "the scorecard''s profile gap the request is for, e.g. address.street"}
  }
}'),
('agent_message.response.missing_profile_field', 'The answer: the field''s value.', '{
  "type": "object", "additionalProperties": false, "required": ["field", "value"],
  "properties": {
    "field": {"type": "string", "pattern": "^[a-z][a-z0-9_.]{0,99}$", "description": "the profile field asked for"},
    "value": {"description": "the field''s value"}
  }
}'),
('agent_message.notification.info', 'Something worth knowing; no answer expected.', '{
  "type": "object", "additionalProperties": false,
  "properties": {
    "message": {"type": "string", "maxLength": 2000},
    "level": {"type": "string", "enum": ["info", "warning"]}
  }
}')
on conflict (schema_name) do update
set description = excluded.description, definition = excluded.definition, updated_at = now()
where (json_schemas.description, json_schemas.definition) is distinct from (excluded.description, excluded.definition);

-- The strategist's handoff of a task it planned from a project brief (aicrm.create_project_brief),
-- the first message of the task's thread. The channel is the shared vocabulary, copied in.
select aicrm_private.upsert_schema_with_vocabularies(
    'agent_message.handoff.task_planned',
    'A task the strategist planned from a project brief, handed to the writers.',
    '{
  "type": "object", "additionalProperties": false, "required": ["task_id", "project_id", "channel", "piece"],
  "properties": {
    "task_id": {"type": "string", "pattern": "^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$", "description": "a task id (UUID)"},
    "project_id": {"type": "string", "pattern": "^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$", "description": "a project id (UUID)"},
    "channel": {"$ref": "content.channel"},
    "piece": {"type": "integer", "minimum": 1, "maximum": 20, "description": "the number of the piece in its channel, 1-20"}
  }
}'
);

-- The message partitions of this month and the next two (the job expire-agent-messages keeps
-- creating them ahead).
select aicrm_private.ensure_agent_message_partitions(2);

-- The job's description written before the agents' messages existed.
update aicrm.scheduled_jobs
set description = 'Dead-letters agent messages past their expiry or claimed too often; creates the message partitions ahead.'
where name = 'expire-agent-messages'
  and description = 'Expires agent messages past their expiry (a no-op until the agents issue lands).';
