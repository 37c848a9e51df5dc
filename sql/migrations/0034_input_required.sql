-- A task can wait for what only a person (or another agent) can give (docs/agents.md, "Asking for
-- what is missing"): when the rules' action is request_input (the default for a profile gap),
-- record_evaluation sends a request to the role that knows (the account manager: human) and the
-- task waits in input_required; aicrm.respond_to_request answers it, completes the customer's
-- profile and hands the task back to the pipeline; a request nobody answers before it expires
-- escalates the task (aicrm.expire_agent_messages).
-- Not needs_human: nobody reviews the draft (aicrm.review_queue and review_task are for decisions
-- on drafts); the person answers the request in the role's inbox. The dashboard counts the state.
insert into aicrm.task_states (state, description, terminal, leased, needs_human) values
('input_required', 'Waiting for an answer only a person (or another agent) can give: a request is out.', false, false, false);

insert into aicrm.task_state_transition_rules (from_state, to_state, via, description) values
('evaluating', 'input_required', 'record_evaluation', 'the rules asked for what only a person knows'),
('input_required', 'queued', 'respond_to_request', 'the answer came: written again with it'),
('input_required', 'escalated', 'expire_agent_messages', 'the request went unanswered'),
('input_required', 'cancelled', null, 'cancelled while waiting for an answer');
