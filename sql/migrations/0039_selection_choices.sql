-- Selection that learns (issue 16, item 4; docs/learning.md, "Selection"; ADR 0019): the template
-- and variant a draft starts from is chosen by a bandit (aicrm_private.choose_template_arm, called by
-- aicrm.get_draft_brief) and every choice is kept here, one row per task attempt: the arm chosen,
-- why, the seed its random draws came from, and every arm's state as the chooser saw it (its
-- posterior, sends, reward, intended share, pause), so a choice can be replayed and audited, and
-- the arms' rewards can be attributed (a delivery's draft version -> the choice of that attempt).

-- arm: '<template_id>:<variant key>' ('<template_id>:' for the template's own text), what the
-- rewards and reviews are grouped by. The template is not a foreign key: a choice outlives it.
create table aicrm.selection_choices (
    tenant_id uuid not null default aicrm_private.current_tenant_id(),
    task_id uuid not null,
    attempt integer not null,
    customer_id uuid not null,
    channel text not null,
    purpose text,
    -- null when rules and pauses left no arm (reason excluded): the writer gets no template
    arm text,
    template_id uuid,
    variant text,
    reason text not null,
    seed text not null,
    -- [{arm, template_id, variant, weight, sends, reward, alpha, beta, probability, paused, why}]
    arms jsonb not null,
    -- the random draws: {floor, coin, cold, rounds: [{arm: draw, ...}, ...], best_share, value_remaining}
    draws jsonb not null default '{}',
    -- the selection rules that pinned or excluded arms: [{rule_id, name, pin | exclude}]
    rules jsonb not null default '[]',
    created_at timestamptz not null default clock_timestamp(),
    constraint selection_choices_pkey primary key (tenant_id, task_id, attempt),
    constraint selection_choices_task_fkey foreign key (tenant_id, task_id)
    references aicrm.project_tasks (tenant_id, task_id) on delete cascade,
    constraint selection_choices_reason_check check (
        reason in ('pinned', 'excluded', 'floor', 'cold', 'bandit', 'stopped')
    ),
    constraint selection_choices_attempt_check check (attempt >= 1),
    constraint selection_choices_arms_check check (jsonb_typeof(arms) = 'array')
);

create index selection_choices_customer on aicrm.selection_choices (tenant_id, customer_id, channel, created_at);

alter table aicrm.selection_choices enable row level security;
alter table aicrm.selection_choices force row level security;
create policy selection_choices_all_own on aicrm.selection_choices
using (tenant_id = (select aicrm_private.current_tenant_id()))
with check (tenant_id = (select aicrm_private.current_tenant_id()));

-- Written by the chooser only (SECURITY DEFINER: whoever reads the brief first records the
-- choice); read by every role.
grant select on aicrm.selection_choices to aicrm_app, aicrm_worker, aicrm_readonly;
