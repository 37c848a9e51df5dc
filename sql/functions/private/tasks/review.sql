-- Human review (tasks/review_task.sql): what a person changed, what they should know before
-- approving, why a task waits (the review_queue view), the task of a draft they read.

-- What a person changed in a draft, word by word: the lower-case words (words_of) removed and
-- added, each with how many times, most first. The learning loop reads what people cut and add.
create or replace function aicrm_private.edit_diff(p_before text, p_after text)
returns jsonb
language sql
immutable
parallel safe
set search_path = ''
as $$
    with before as (
        select w, count(*) as n from string_to_table(btrim(aicrm_private.words_of(p_before)), ' ') w
        where w <> '' group by w
    ),
    after as (
        select w, count(*) as n from string_to_table(btrim(aicrm_private.words_of(p_after)), ' ') w
        where w <> '' group by w
    ),
    delta as (
        select coalesce(a.w, b.w) as w, coalesce(a.n, 0) - coalesce(b.n, 0) as n
        from after a full join before b on b.w = a.w
    )
    select jsonb_build_object(
        'removed', coalesce((select jsonb_object_agg(d.w, -d.n order by -d.n desc, d.w)
                             from (select * from delta where n < 0 order by n, w limit 50) d), '{}'),
        'added', coalesce((select jsonb_object_agg(d.w, d.n order by d.n desc, d.w)
                           from (select * from delta where n > 0 order by n desc, w limit 50) d), '{}'),
        'words_before', (select coalesce(sum(n), 0) from before),
        'words_after', (select coalesce(sum(n), 0) from after))
$$;

grant execute on function aicrm_private.edit_diff(text, text) to aicrm_app, aicrm_worker, aicrm_readonly;

-- What a person should know before putting their name on a text: the scorecard's failing checks,
-- worst first, each {severity, dimension, check, detail, ...}: compliance, the content findings
-- (brief, accuracy, fluency, sentiment: with their span and fix), structure, the failed criteria.
-- Compliance violations keep their
-- severity and structure checks theirs, except a text over a limit (more than one SMS segment,
-- more words or characters than the task allows), which is major here: the rules would send such
-- a draft back to the writer with a fix, but a person's approval publishes the text as it is
-- (scored_severity keeps the scorecard's own). A failed criterion (overall_min, sentiment_target,
-- ...) is minor: it says why the draft did not pass; the checks behind it are listed themselves.
-- A draft never scored (null) has no findings. Used by review_queue and review_task alike.
create or replace function aicrm_private.review_findings(p_card jsonb)
returns jsonb
language sql
immutable
parallel safe
set search_path = ''
as $$
    select coalesce(jsonb_agg(f.finding order by f.rank, f.ord), '[]')
    from (
        select jsonb_strip_nulls(jsonb_build_object('severity', v ->> 'severity', 'dimension', 'compliance',
                   'check', v ->> 'rule', 'pack', v ->> 'pack', 'field', v ->> 'field', 'detail', v ->> 'message',
                   'fix', v ->> 'fix')) as finding,
               case v ->> 'severity' when 'critical' then 0 when 'major' then 1 else 2 end as rank,
               x.ord
        from jsonb_array_elements(coalesce(p_card #> '{details,compliance,violations}', '[]')) with ordinality x (v, ord)
        union all
        select jsonb_strip_nulls(jsonb_build_object(
                   'severity', case when o.over_limit then 'major' else c ->> 'severity' end,
                   'scored_severity', case when o.over_limit and c ->> 'severity' <> 'major' then c ->> 'severity' end,
                   'dimension', 'structure', 'check', c ->> 'check', 'detail', c ->> 'detail')),
               case when o.over_limit or c ->> 'severity' = 'major' then 1 else 2 end,
               1000 + x.ord
        from jsonb_array_elements(coalesce(p_card #> '{details,structure,checks}', '[]')) with ordinality x (c, ord)
        cross join lateral (
            -- The length check fails both ways; its "shorten" fix (with word_count) says it is over.
            select c ->> 'check' = 'sms_segments'
                   or (c ->> 'check' = 'length' and jsonb_path_exists(p_card,
                       '$.fixes[*] ? (@.dimension == "structure" && @.code == "shorten" && exists(@.params.word_count))'))
                   as over_limit
        ) o
        where (c ->> 'passed')::boolean is false
        union all
        -- The brief, accuracy, fluency and sentiment findings, with their span and fix.
        select jsonb_strip_nulls(jsonb_build_object('severity', f ->> 'severity', 'dimension', f ->> 'dimension',
                   'check', f ->> 'check', 'field', f ->> 'field', 'detail', f ->> 'message', 'fix', f ->> 'fix',
                   'span', f -> 'span')),
               case f ->> 'severity' when 'critical' then 0 when 'major' then 1 else 2 end,
               500 + x.ord
        from jsonb_array_elements(case when jsonb_typeof(p_card -> 'findings') = 'array' then p_card -> 'findings'
                                       else '[]' end) with ordinality x (f, ord)
        union all
        select jsonb_build_object('severity', 'minor', 'dimension', 'criterion', 'check', k ->> 'criterion',
                   'detail', format('%s, expected %s', k -> 'actual', k -> 'expected')),
               2,
               2000 + x.ord
        from jsonb_array_elements(coalesce(p_card -> 'criteria', '[]')) with ordinality x (k, ord)
        where (k ->> 'passed')::boolean is false
          and k ->> 'criterion' not in ('no_major_violation', 'no_major_structure_issue', 'no_major_content_issue')
    ) f
$$;

revoke execute on function aicrm_private.review_findings(jsonb) from public;
grant execute on function aicrm_private.review_findings(jsonb) to aicrm_app, aicrm_worker, aicrm_readonly;

-- Why a task waits for a person, in plain words (review_queue.reason): what put it there (the
-- worker's error, a failed delivery, a lost lease, a spot check, the rule and its explanation, or who moved it),
-- then whether there is a draft at all, then the failing checks (review_findings), worst first.
-- p_actor, p_reason, p_details: the transition into the state; p_evaluation: the latest draft's
-- success_evaluation; p_version: its version (null: no draft).
create or replace function aicrm_private.waiting_reason(
    p_state text,
    p_actor text,
    p_reason text,
    p_details jsonb,
    p_evaluation jsonb,
    p_findings jsonb,
    p_version integer,
    p_scored boolean
)
returns text
language sql
immutable
parallel safe
set search_path = ''
as $$
    select concat_ws(' ',
        case
            when p_details ? 'spot_check' then 'Spot check: the rules approved it; a person confirms before it is sent.'
            when p_details ? 'error' then format('The worker gave up (%s): %s.', p_reason,
                coalesce(nullif(concat_ws(': ', p_details #>> '{error,kind}', p_details #>> '{error,message}'), ''),
                         p_details ->> 'error'))
            when p_details ? 'outbox_id' then format('Delivery failed (%s)%s.', p_reason,
                coalesce(': ' || nullif(p_details ->> 'response', '{}'), ''))
            when p_actor = 'system' then format('Its worker stopped answering (%s).', p_reason)
            when p_actor = 'rules' and p_evaluation is not null then format('%s by %s: %s',
                case p_state when 'escalated' then 'Escalated' else 'Sent to review' end,
                coalesce(format('the rule "%s"', p_evaluation #>> '{rule,name}'), 'the rules (no rule matched)'),
                coalesce(p_evaluation ->> 'explanation', p_reason))
            else format('%s by %s%s.', case p_state when 'escalated' then 'Escalated' else 'Sent to review' end,
                        p_actor, coalesce(': ' || p_reason, ''))
        end,
        case
            when p_version is null then 'No draft was written.'
            when not p_scored then format('Draft version %s was not scored.', p_version)
        end,
        (select 'Failing: ' || string_agg(format('%s %s %s (%s)', f ->> 'severity', f ->> 'dimension', f ->> 'check',
                                                 f ->> 'detail'), '; ' order by n)
                || case when jsonb_array_length(p_findings) > 5
                        then format('; and %s more', jsonb_array_length(p_findings) - 5) else '' end || '.'
         from jsonb_array_elements(p_findings) with ordinality x (f, n)
         where n <= 5))
$$;

revoke execute on function aicrm_private.waiting_reason(text, text, text, jsonb, jsonb, jsonb, integer, boolean) from public;
grant execute on function aicrm_private.waiting_reason(text, text, text, jsonb, jsonb, jsonb, integer, boolean)
to aicrm_app, aicrm_worker, aicrm_readonly;

-- The task of a draft a person read, checking they read that version (AC002 deliverable_id,
-- AC001/AC005 version): what review_deliverable and review_deliverables name a decision by.
create or replace function aicrm_private.task_of_draft(p_deliverable_id uuid, p_version integer)
returns uuid
language plpgsql
stable
set search_path = ''
as $$
declare
    v_tenant uuid := aicrm_private.require_tenant();
    v_task uuid;
    v_version integer;
begin
    if p_version is null then
        raise exception using errcode = 'AC001', message = 'version: is required',
            hint = 'Pass the version you read (review_queue shows it).', column = 'version';
    end if;
    select d.task_id, d.version into v_task, v_version
    from aicrm.project_deliverables d
    where d.tenant_id = v_tenant and d.deliverable_id = p_deliverable_id;
    if not found then
        raise exception using errcode = 'AC002', message = format('deliverable_id: no deliverable %s in this tenant', p_deliverable_id),
            hint = 'Pass a draft of this tenant (review_queue lists those waiting).', column = 'deliverable_id';
    end if;
    if v_version <> p_version then
        raise exception using errcode = 'AC005',
            message = format('version: you reviewed version %s; this draft is version %s', p_version, v_version),
            hint = 'Read the current draft and decide on it.', column = 'version';
    end if;
    return v_task;
end
$$;

revoke execute on function aicrm_private.task_of_draft(uuid, integer) from public;
