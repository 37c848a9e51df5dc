-- Spot checks (docs/learning.md, "Spot checks"; ADR 0021): the setting, the deliverable's draw,
-- holding a rule-approved draft for a person (record_evaluation), the person's verdict
-- (review_task), and the one-sided Clopper-Pearson upper bound of a false-approval rate
-- (aicrm.autonomy_evidence).

-- The tenant's spot_check setting over its default, key by key: a tenant that set only the share
-- keeps the default limit. {share, by, limit}.
create or replace function aicrm_private.spot_check_settings()
returns jsonb
language sql
stable
set search_path = ''
as $$
    select coalesce(d.value, '{}') || coalesce(
        (select s.value from aicrm.ai_decision_settings s
         where s.tenant_id = aicrm_private.require_tenant() and s.setting_key = 'spot_check'), '{}')
    from (select null) as one
    left join aicrm.decision_setting_defaults d on d.setting_key = 'spot_check'
$$;

revoke execute on function aicrm_private.spot_check_settings() from public;
grant execute on function aicrm_private.spot_check_settings() to aicrm_app, aicrm_worker, aicrm_readonly;

-- A deliverable's draw in [0, 1): its id hashed (hashtextextended, seed 0, salted ':spot_check')
-- and folded from the signed 64-bit range. The same deliverable always draws the same value, on
-- every server; a draft is held when its draw is below the share.
create or replace function aicrm_private.spot_check_draw(p_deliverable_id uuid)
returns numeric
language sql
immutable
parallel safe
set search_path = ''
as $$
    select (hashtextextended(p_deliverable_id::text || ':spot_check', 0)::numeric + 9223372036854775808)
           / 18446744073709551616
$$;

revoke execute on function aicrm_private.spot_check_draw(uuid) from public;
grant execute on function aicrm_private.spot_check_draw(uuid) to aicrm_app, aicrm_worker, aicrm_readonly;

-- Called by record_evaluation when the rules approve a task's latest draft in the pipeline: when
-- the deliverable's draw is below the tenant's spot_check.share, the draft is held (a row of
-- aicrm.spot_checks with its segment) and {drawn, share} is returned, and the task goes to review
-- instead of approved; otherwise null and nothing is written. A draft held once is not held again.
create or replace function aicrm_private.hold_for_spot_check(
    p_task aicrm.project_tasks,
    p_deliverable_id uuid,
    p_decision_id uuid
)
returns jsonb
language plpgsql
set search_path = ''
as $$
declare
    v_share numeric := coalesce((aicrm_private.spot_check_settings() ->> 'share')::numeric, 0);
    v_drawn numeric := aicrm_private.spot_check_draw(p_deliverable_id);
begin
    if v_share <= 0 or v_drawn >= v_share then
        return null;
    end if;
    insert into aicrm.spot_checks (tenant_id, deliverable_id, task_id, customer_id, channel, task_type, decision_id,
                                   drawn, share)
    values (p_task.tenant_id, p_deliverable_id, p_task.task_id, p_task.customer_id, p_task.channel, p_task.task_type,
            p_decision_id, v_drawn, v_share)
    on conflict (tenant_id, deliverable_id) do nothing;
    return jsonb_build_object('drawn', round(v_drawn, 6), 'share', v_share);
end
$$;

revoke execute on function aicrm_private.hold_for_spot_check(aicrm.project_tasks, uuid, uuid) from public;

-- Called by review_task: a person's decision on a held draft is its spot check's verdict. Approved
-- as it was: agreement; approved with edits, changes requested or rejected: a false approval (the
-- rules would have sent what a person would not); cancelled: no verdict (the work was dropped, the
-- draft not judged). Only a held draft still without a verdict is marked; returns the verdict, or
-- null when the draft was not held.
create or replace function aicrm_private.record_spot_check_verdict(
    p_deliverable_id uuid,
    p_decision text,
    p_edited boolean,
    p_reviewer text,
    p_review_id uuid
)
returns text
language plpgsql
set search_path = ''
as $$
declare
    v_decision text := case when p_decision = 'approve' and p_edited then 'approve_edited' else p_decision end;
    v_verdict text := case v_decision when 'approve' then 'agreement' when 'cancel' then 'no_verdict'
                      else 'false_approval' end;
begin
    if p_deliverable_id is null then
        return null;
    end if;
    update aicrm.spot_checks s
    set verdict = v_verdict, review_decision = v_decision, review_id = p_review_id, verdict_at = clock_timestamp(),
        reviewer = p_reviewer
    where s.tenant_id = aicrm_private.require_tenant() and s.deliverable_id = p_deliverable_id and s.verdict is null;
    return case when found then v_verdict end;
end
$$;

revoke execute on function aicrm_private.record_spot_check_verdict(uuid, text, boolean, text, uuid) from public;

-- The exact one-sided (1 - alpha) upper confidence bound of a binomial rate with x events in n
-- trials (Clopper-Pearson): the p at which P(X <= x | n, p) = alpha. x = 0: 1 - alpha^(1/n) in
-- closed form; x = n: 1; n = 0: 1 (nothing known). Otherwise by bisection on [x/n, 1] (60 halvings:
-- to double precision), the binomial CDF summed in logs by the pmf's recurrence
-- (pmf(k+1) = pmf(k) (n-k)/(k+1) p/(1-p)), so no gamma function is needed and large n does not
-- underflow. Bad input is refused naming the field (AC001 x, n, alpha).
create or replace function aicrm_private.clopper_pearson_upper(
    p_x integer,
    p_n integer,
    p_alpha double precision default 0.05
)
returns double precision
language plpgsql
immutable
parallel safe
set search_path = ''
as $$
declare
    v_lo double precision;
    v_hi double precision := 1;
    v_p double precision;
    v_log double precision;
    v_logs double precision[];
    v_max double precision;
    v_cdf double precision;
begin
    if p_n is null or p_n < 0 then
        raise exception using errcode = 'AC001', message = format('n: %s is not a number of trials', coalesce(p_n::text, 'null')),
            hint = 'Pass the number of checks, 0 or more.', column = 'n';
    end if;
    if p_x is null or p_x < 0 or p_x > p_n then
        raise exception using errcode = 'AC001',
            message = format('x: %s is not a count between 0 and n (%s)', coalesce(p_x::text, 'null'), p_n),
            hint = 'Pass the number of events among the n trials.', column = 'x';
    end if;
    if p_alpha is null or p_alpha <= 0 or p_alpha >= 1 then
        raise exception using errcode = 'AC001', message = format('alpha: %s is not between 0 and 1', coalesce(p_alpha::text, 'null')),
            hint = 'Pass the error rate, e.g. 0.05 for a 95% bound.', column = 'alpha';
    end if;
    if p_n = 0 or p_x = p_n then
        return 1;
    end if;
    if p_x = 0 then
        return 1 - power(p_alpha, 1.0 / p_n);
    end if;
    v_lo := p_x::double precision / p_n;
    for i in 1..60 loop
        v_p := (v_lo + v_hi) / 2;
        exit when v_p <= v_lo or v_p >= v_hi;  -- as close as double precision gets
        -- log pmf(k) for k = 0..x, then the CDF as their log-sum-exp
        v_log := p_n * ln(1 - v_p);
        v_logs := array[v_log];
        for k in 0..p_x - 1 loop
            v_log := v_log + ln((p_n - k)::double precision / (k + 1)) + ln(v_p) - ln(1 - v_p);
            v_logs := v_logs || v_log;
        end loop;
        -- (PostgreSQL's exp raises on underflow: a term below e^-700 counts as 0)
        select max(l) into v_max from unnest(v_logs) l;
        select case when v_max < -700 then 0
                    else exp(v_max) * sum(case when l - v_max < -700 then 0 else exp(l - v_max) end) end
        into v_cdf from unnest(v_logs) l;
        -- the CDF falls as p rises: above alpha, the bound is higher
        if v_cdf > p_alpha then
            v_lo := v_p;
        else
            v_hi := v_p;
        end if;
    end loop;
    return (v_lo + v_hi) / 2;
end
$$;

revoke execute on function aicrm_private.clopper_pearson_upper(integer, integer, double precision) from public;
grant execute on function aicrm_private.clopper_pearson_upper(integer, integer, double precision)
to aicrm_app, aicrm_worker, aicrm_readonly;
