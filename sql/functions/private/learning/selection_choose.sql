-- The template/variant bandit's choice (docs/learning.md, "Selection"; ADR 0019), which
-- aicrm.get_draft_brief hands the writer: once per task attempt, recorded in
-- aicrm.selection_choices; a second read of the same attempt's brief returns the recorded choice.

-- The arm for attempt p_attempt of task p_task_id of the call's tenant, among p_templates (the
-- context's templates: get_customer_context_for_ai -> 'templates') of the task's channel and of
-- p_purpose when given. An arm is a template's variant (the template's own text when it carries no
-- rendered variants). In order:
--   1. selection rules in scope (category selection, condition true on {task, customer}): the first
--      pin keeps only the arms it names, every exclude removes the arms it names;
--   2. an arm people keep rejecting is paused (selection_arm_state), unless a rule pins it;
--   3. one arm left: it (reason pinned, excluded, or stopped when there was only one);
--   4. the floor: with probability K*floor an arm is drawn uniformly (no arm is starved);
--   5. cold: while an arm the weights give traffic to has fewer than min_sends sends, the
--      template's weights as before (an arm without a weight, another template's own text, is
--      explored by the floor meanwhile and enters the bandit with its pooled prior);
--   6. stopped: when stop_confidence sure that no arm beats the best by more than stop_min_gain
--      (relative, Monte Carlo over the posteriors), the best;
--   7. bandit: top-two Thompson sampling: draw from every posterior; with probability top_two_beta
--      take the leader, else draw again until another arm leads (64 rounds at most) and take it.
-- Every number comes from the seed "<setting seed>:<task>:<attempt>" (selection_random.sql). Each
-- arm's intended share (floor + (1 - K*floor) * its share under step 5, 6 or 7) is recorded for
-- the sample-ratio check. SECURITY DEFINER: only the chooser writes aicrm.selection_choices, and a
-- read-only caller's reading of the brief records its choice too; it reads and writes the call's
-- tenant only (forced RLS and the tenant checked first).
-- Returns {arm, template_id, variant, reason, seed, probability, why, attempt}; arm and template_id
-- null when no arm is left (reason excluded) or none fits (then nothing is recorded).
-- Errors: AC001 task_id (null), attempt (null or < 1), templates (not an array); AC002 task_id.
create or replace function aicrm_private.choose_template_arm(
    p_task_id uuid, p_attempt integer, p_purpose text, p_templates jsonb
)
returns jsonb
language plpgsql
volatile
security definer
set search_path = ''
as $$
declare
    c_max_rounds constant integer := 64;
    v_tenant uuid := aicrm_private.require_tenant();
    v_task aicrm.project_tasks;
    v_customer aicrm.customers;
    v_row aicrm.selection_choices;
    v_set jsonb := aicrm_private.selection_settings(v_tenant);
    v_seed text;
    v_arms jsonb;
    v_rule record;
    v_data jsonb;
    v_pin jsonb;
    v_rules jsonb := '[]';
    v_excludes jsonb := '[]';
    v_e_arm text[];
    v_e_alpha double precision[];
    v_e_beta double precision[];
    v_e_weight double precision[];
    v_q double precision[];
    v_pi double precision[];
    v_th double precision[];
    v_k integer;
    v_floor double precision;
    v_cold boolean;
    v_stopped boolean := false;
    v_best integer;
    v_remaining double precision;
    v_top_two double precision := (v_set ->> 'top_two_beta')::double precision;
    v_sims integer := (v_set ->> 'simulations')::integer;
    v_u double precision;
    v_pick integer;
    v_first integer;
    v_lead integer;
    v_reason text;
    v_why text;
    v_draws jsonb := '{}';
    v_rounds jsonb := '[]';
    v_sum double precision;
    v_removed boolean;
begin
    if p_task_id is null then
        raise exception using errcode = 'AC001', column = 'task_id', message = 'task_id: is required';
    end if;
    if p_attempt is null or p_attempt < 1 then
        raise exception using errcode = 'AC001', column = 'attempt',
            message = format('attempt: must be 1 or more (got %s)', coalesce(p_attempt::text, 'null'));
    end if;
    if p_templates is not null and jsonb_typeof(p_templates) <> 'array' then
        raise exception using errcode = 'AC001', column = 'templates',
            message = format('templates: must be an array (got %s)', jsonb_typeof(p_templates));
    end if;
    select * into v_task from aicrm.project_tasks as t where t.tenant_id = v_tenant and t.task_id = p_task_id;
    if not found then
        raise exception using errcode = 'AC002', column = 'task_id',
            message = format('task_id: no task %s in this tenant', p_task_id);
    end if;

    select * into v_row from aicrm.selection_choices as c
    where c.tenant_id = v_tenant and c.task_id = p_task_id and c.attempt = p_attempt;
    if not found then
        select * into v_customer from aicrm.customers as c
        where c.tenant_id = v_tenant and c.customer_id = v_task.customer_id;
        v_seed := format('%s:%s:%s', coalesce(v_set ->> 'seed', ''), p_task_id, p_attempt);

        -- The arms: the templates of the channel (and purpose), the best (the one with rendered
        -- variants, else the first) first; its variants carry the cold weights (as before the bandit:
        -- a variant's weight, 1 when it has none), the other templates' own texts none.
        with t as (
            select t.value as tpl, row_number() over (
                       order by jsonb_array_length(coalesce(t.value -> 'rendered_variants', '[]')) > 0 desc,
                                t.ordinality) as rank
            from jsonb_array_elements(coalesce(p_templates, '[]')) with ordinality as t
            where t.value ->> 'channel' = v_task.channel
              and (p_purpose is null or t.value ->> 'purpose' = p_purpose)
        ),
        a as (
            select t.rank, v.ordinality as ord, t.tpl ->> 'template_id' as template_id, v.value ->> 'variant' as variant,
                   case when jsonb_typeof(v.value -> 'weight') = 'number'
                        then greatest((v.value ->> 'weight')::double precision, 0) else 1 end as weight
            from t
            cross join jsonb_array_elements(t.tpl -> 'rendered_variants') with ordinality as v
            where jsonb_typeof(t.tpl -> 'rendered_variants') = 'array'
            union all
            select t.rank, 0, t.tpl ->> 'template_id', null, 1
            from t
            where jsonb_array_length(coalesce(t.tpl -> 'rendered_variants', '[]')) = 0
        )
        select jsonb_agg(jsonb_build_object('arm', a.template_id || ':' || coalesce(a.variant, ''),
                   'template_id', a.template_id, 'variant', a.variant,
                   'weight', case when a.rank = 1 then a.weight else 0 end) order by a.rank, a.ord)
        into v_arms
        from a;
        if v_arms is null then
            return null;
        end if;

        -- Each arm's state: sends, reward, prior and posterior, reviews and a pause.
        select jsonb_agg(a.item || jsonb_build_object('sends', s.sends, 'reward', s.reward,
                   'prior_alpha', s.prior_alpha, 'prior_beta', s.prior_beta, 'alpha', s.alpha, 'beta', s.beta,
                   'reviews', s.reviews, 'rejections', s.rejections, 'paused', s.paused)
                   || jsonb_strip_nulls(jsonb_build_object('why', s.paused_why)) order by a.ord)
        into v_arms
        from jsonb_array_elements(v_arms) with ordinality as a (item, ord)
        inner join aicrm_private.selection_arm_state(v_tenant, v_task.customer_id, v_task.channel, v_arms, v_set) as s
            on s.arm = a.item ->> 'arm';

        -- Selection rules: the first pin that names an arm, every exclude.
        v_data := jsonb_build_object(
            'task', jsonb_build_object('task_id', v_task.task_id, 'channel', v_task.channel,
                'task_type', v_task.task_type, 'purpose', p_purpose, 'attempt', p_attempt, 'title', v_task.title),
            'customer', jsonb_build_object('customer_id', v_customer.customer_id,
                'industry_category', v_customer.industry_category,
                'industry_subcategory', v_customer.industry_subcategory));
        for v_rule in
            select r.rule_id, r.name, r.condition, r.action
            from aicrm.get_decision_rules('selection', v_task.customer_id, v_task.channel, v_task.task_type) as r
        loop
            continue when not aicrm_private.jl_truthy(aicrm.jsonlogic_apply(v_rule.condition, v_data));
            if v_rule.action #> '{params,pin}' is not null then
                if v_pin is null and exists (select from jsonb_array_elements(v_arms) as a
                                             where aicrm_private.selection_arm_matches(a.value, v_rule.action #> '{params,pin}')) then
                    v_pin := v_rule.action #> '{params,pin}';
                    v_rules := v_rules || jsonb_build_object('rule_id', v_rule.rule_id, 'name', v_rule.name, 'pin', v_pin);
                end if;
            else
                v_excludes := v_excludes || (v_rule.action #> '{params,exclude}');
                v_rules := v_rules || jsonb_build_object('rule_id', v_rule.rule_id, 'name', v_rule.name,
                    'exclude', v_rule.action #> '{params,exclude}');
            end if;
        end loop;
        select jsonb_agg(case
                   when v_pin is not null and not aicrm_private.selection_arm_matches(a.item, v_pin)
                       then a.item || '{"eligible": false, "why": "not pinned"}'
                   when exists (select from jsonb_array_elements(v_excludes) as x
                                where aicrm_private.selection_arm_matches(a.item, x.value))
                       then a.item || '{"eligible": false, "why": "excluded by a selection rule"}'
                   when (a.item ->> 'paused')::boolean and v_pin is null
                       then a.item || '{"eligible": false}'
                   else a.item || '{"eligible": true}' end order by a.ord)
        into v_arms
        from jsonb_array_elements(v_arms) with ordinality as a (item, ord);
        v_removed := exists (select from jsonb_array_elements(v_arms) as a where not (a.value ->> 'eligible')::boolean);

        select array_agg(a.value ->> 'arm' order by a.ord), array_agg((a.value ->> 'alpha')::double precision order by a.ord),
               array_agg((a.value ->> 'beta')::double precision order by a.ord),
               array_agg((a.value ->> 'weight')::double precision order by a.ord),
               -- cold while an arm the weights give traffic to (every arm when none has a weight) has
               -- fewer than min_sends: an arm without a weight starts from its prior instead
               bool_or((a.value ->> 'sends')::bigint < (v_set ->> 'min_sends')::bigint
                       and (a.value ->> 'weight')::double precision > 0)
               or (sum((a.value ->> 'weight')::double precision) = 0
                   and bool_or((a.value ->> 'sends')::bigint < (v_set ->> 'min_sends')::bigint))
        into v_e_arm, v_e_alpha, v_e_beta, v_e_weight, v_cold
        from jsonb_array_elements(v_arms) with ordinality as a (value, ord)
        where (a.value ->> 'eligible')::boolean;
        v_k := coalesce(cardinality(v_e_arm), 0);

        if v_k = 0 then
            v_reason := 'excluded';
            v_why := 'every arm is excluded by a selection rule or paused: no template';
        elsif v_k = 1 then
            v_pick := 1;
            v_q := array[1];
            v_floor := 0;
            v_reason := case when v_pin is not null then 'pinned' when v_removed then 'excluded' else 'stopped' end;
            v_why := case v_reason
                when 'pinned' then format('pinned by the selection rule %s', v_rules #>> '{0,name}')
                when 'excluded' then 'the only arm the selection rules and pauses left'
                else 'the only arm: nothing to explore' end;
        else
            v_floor := least((v_set ->> 'floor')::double precision, 1.0 / v_k);
            if v_cold then
                v_sum := (select sum(w) from unnest(v_e_weight) as w);
                v_q := (select array_agg(case when v_sum > 0 then w / v_sum else 1.0 / v_k end order by o)
                        from unnest(v_e_weight) with ordinality as x (w, o));
            else
                -- Monte Carlo over the posteriors: each arm's chance to be best, and the gain left.
                with e as (
                    select x.alpha, x.beta, x.i from unnest(v_e_alpha, v_e_beta) with ordinality as x (alpha, beta, i)
                ),
                d as materialized (
                    select g.m, e.i, aicrm_private.seeded_beta(e.alpha, e.beta, v_seed || ':mc:' || g.m || ':' || e.i) as th
                    from generate_series(1, v_sims) as g (m)
                    cross join e
                ),
                w as (
                    select d.m, (array_agg(d.i order by d.th desc, d.i))[1] as winner, max(d.th) as top
                    from d
                    group by d.m
                ),
                pi as (
                    select e.i, count(w.m)::double precision / v_sims as share
                    from e
                    left join w on w.winner = e.i
                    group by e.i
                ),
                best as (select pi.i from pi order by pi.share desc, pi.i limit 1)
                select (select array_agg(pi.share order by pi.i) from pi), (select best.i from best),
                       (select percentile_cont((v_set ->> 'stop_confidence')::double precision)
                                   within group (order by (w.top - d.th) / nullif(d.th, 0))
                        from w
                        inner join d on d.m = w.m
                        inner join best on d.i = best.i)
                into v_pi, v_best, v_remaining;
                v_draws := jsonb_build_object('best_share', to_jsonb(v_pi), 'value_remaining', v_remaining);
                if v_remaining <= (v_set ->> 'stop_min_gain')::double precision then
                    v_stopped := true;
                    v_q := (select array_agg(case when o = v_best then 1.0 else 0.0 end order by o)
                            from generate_series(1, v_k) as o);
                else
                    -- top-two: the leader with top_two_beta, else the leader of a draw another arm leads
                    v_q := (select array_agg(p.share * (v_top_two + (1 - v_top_two) * coalesce(
                                (select sum(o.share / (1 - o.share)) from unnest(v_pi) with ordinality as o (share, j)
                                 where o.j <> p.i and o.share < 1), 0)) order by p.i)
                            from unnest(v_pi) with ordinality as p (share, i));
                    v_sum := (select sum(x) from unnest(v_q) as x);
                    v_q := (select array_agg(x / v_sum order by o) from unnest(v_q) with ordinality as y (x, o));
                end if;
            end if;

            v_u := aicrm_private.seeded_uniform(v_seed, 0);
            v_draws := v_draws || jsonb_build_object('floor', v_u, 'floor_share', v_k * v_floor);
            if v_u < v_k * v_floor then
                v_pick := least(v_k, 1 + floor(aicrm_private.seeded_uniform(v_seed, 1) * v_k)::integer);
                v_reason := 'floor';
                v_why := format('the floor: every one of the %s arms gets at least %s%% of the choices', v_k,
                                round((v_floor * 100)::numeric, 2));
            elsif v_cold then
                v_u := aicrm_private.seeded_uniform(v_seed, 3);
                v_draws := v_draws || jsonb_build_object('cold', v_u);
                select x.o into v_pick
                from (select o, sum(q) over (order by o) as upto from unnest(v_q) with ordinality as y (q, o)) as x
                where x.upto > v_u
                order by x.o
                limit 1;
                v_pick := coalesce(v_pick, v_k);
                v_reason := 'cold';
                v_why := format('cold start: an arm has fewer than %s sends, so the template''s weights decide',
                                v_set ->> 'min_sends');
            elsif v_stopped then
                v_pick := v_best;
                v_reason := 'stopped';
                v_why := format('stopped exploring: %s%% sure no arm beats the best by more than %s%%',
                                round(((v_set ->> 'stop_confidence')::numeric) * 100, 1),
                                round(((v_set ->> 'stop_min_gain')::numeric) * 100, 2));
            else
                v_u := aicrm_private.seeded_uniform(v_seed, 2);
                v_draws := v_draws || jsonb_build_object('coin', v_u);
                for v_r in 1 .. c_max_rounds loop
                    v_th := (select array_agg(aicrm_private.seeded_beta(x.alpha, x.beta, v_seed || ':r' || v_r || ':' || x.i)
                                              order by x.i)
                             from unnest(v_e_alpha, v_e_beta) with ordinality as x (alpha, beta, i));
                    v_rounds := v_rounds || jsonb_build_array(to_jsonb(v_th));
                    v_lead := (select x.i from unnest(v_th) with ordinality as x (th, i) order by x.th desc, x.i limit 1);
                    if v_r = 1 then
                        v_first := v_lead;
                        if v_u < v_top_two then
                            v_pick := v_lead;
                            exit;
                        end if;
                    elsif v_lead <> v_first then
                        v_pick := v_lead;
                        exit;
                    end if;
                end loop;
                v_pick := coalesce(v_pick, v_first);
                v_draws := v_draws || jsonb_build_object('rounds', v_rounds);
                v_reason := 'bandit';
                v_why := case when jsonb_array_length(v_rounds) = 1
                              then 'top-two Thompson sampling: the leader of the draw'
                              else format('top-two Thompson sampling: the challenger (the leader of draw %s)',
                                          jsonb_array_length(v_rounds)) end;
            end if;
        end if;

        -- Each arm's intended share (0 for an arm not eligible), for the sample-ratio check.
        select jsonb_agg(a.value || jsonb_build_object('probability', coalesce(
                   (select v_floor + (1 - v_k * v_floor) * v_q[e.o]
                    from unnest(v_e_arm) with ordinality as e (arm, o) where e.arm = a.value ->> 'arm'), 0))
                   order by a.ord)
        into v_arms
        from jsonb_array_elements(v_arms) with ordinality as a (value, ord);

        insert into aicrm.selection_choices as c (tenant_id, task_id, attempt, customer_id, channel, purpose, arm,
            template_id, variant, reason, seed, arms, draws, rules)
        select v_tenant, p_task_id, p_attempt, v_task.customer_id, v_task.channel, p_purpose, v_e_arm[v_pick],
               (a.value ->> 'template_id')::uuid, a.value ->> 'variant', v_reason, v_seed, v_arms,
               v_draws || jsonb_build_object('why', v_why), v_rules
        from (select null) as one
        left join jsonb_array_elements(v_arms) as a on a.value ->> 'arm' = v_e_arm[v_pick]
        on conflict on constraint selection_choices_pkey do nothing;
        select * into v_row from aicrm.selection_choices as c
        where c.tenant_id = v_tenant and c.task_id = p_task_id and c.attempt = p_attempt;
    end if;

    return jsonb_build_object('arm', v_row.arm, 'template_id', v_row.template_id, 'variant', v_row.variant,
        'reason', v_row.reason, 'seed', v_row.seed, 'attempt', v_row.attempt, 'why', v_row.draws ->> 'why',
        'probability', (select (a.value ->> 'probability')::double precision
                        from jsonb_array_elements(v_row.arms) as a where a.value ->> 'arm' = v_row.arm));
end
$$;

-- Arm p_arm ({template_id, variant}) is named by p_spec ({template_id[, variant]}: a variant key,
-- null for the template's own text, absent for every arm of the template).
create or replace function aicrm_private.selection_arm_matches(p_arm jsonb, p_spec jsonb)
returns boolean
language sql
immutable
set search_path = ''
as $$
    select p_arm ->> 'template_id' = p_spec ->> 'template_id'
        and (not p_spec ? 'variant' or (p_arm ->> 'variant') is not distinct from (p_spec ->> 'variant'))
$$;

revoke execute on function aicrm_private.choose_template_arm(uuid, integer, text, jsonb) from public;
grant execute on function aicrm_private.choose_template_arm(uuid, integer, text, jsonb),
    aicrm_private.selection_arm_matches(jsonb, jsonb)
to aicrm_app, aicrm_worker, aicrm_readonly;
