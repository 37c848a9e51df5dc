-- The learning loop's feedback (docs/learning.md, "Feedback"; ADR 0018): what the job
-- process-ai-feedback computes per deliverable. The job itself: learning/process_ai_feedback.sql.

-- The constants of the loop, in one place (docs/learning.md, "Feedback", and ADR 0018 say why):
--   prior_rate_clicks, prior_rate_opens: the rate a channel is assumed to have before any data (the
--     industry's own rate is shrunk toward it with a prior worth default_prior_sends sends);
--   default_prior_sends: a deliverable's prior strength m (in sends) when its industry has fewer
--     than moments_min_deliveries measured deliveries to estimate it from; min_prior_sends,
--     max_prior_sends: the bounds of an estimated m;
--   heavy_edit_ratio: from this share of words changed, an edit is heavy (a negative example);
--   promote_lift, promote_min_trials: a top performer's lift and audience (a positive example).
create or replace function aicrm_private.learning_constants()
returns jsonb
language sql
immutable
set search_path = ''
as $$
    select jsonb_build_object(
        'prior_rate_clicks', 0.02, 'prior_rate_opens', 0.20, 'default_prior_sends', 200,
        'moments_min_deliveries', 5, 'min_prior_sends', 20, 'max_prior_sends', 2000,
        'heavy_edit_ratio', 0.3, 'promote_lift', 1.25, 'promote_min_trials', 100)
$$;

-- What a sent draft was like, for "what worked": its measures (word_count, subject_chars, cta_start,
-- send_hour and send_weekday in UTC) and the yes/no features what_worked compares
-- (learning_feature_names): question_in_subject, emoji, personalised (an email merge tag such as
-- {{first_name}}), cta_early (the first call to action in the first third of the text), short_body
-- (at most 120 words), short_subject (at most 40 characters), morning_send (before 12:00 UTC),
-- weekend_send. Word count and call to action are the scorecard's (draft_features_of).
create or replace function aicrm_private.learning_features(p_subject text, p_content text, p_sent_at timestamptz)
returns jsonb
language plpgsql
immutable
set search_path = ''
as $$
declare
    v_f aicrm_private.draft_features := aicrm_private.draft_features_of(coalesce(p_content, ''), coalesce(p_subject, ''));
    v_text text := coalesce(p_subject, '') || ' ' || coalesce(p_content, '');
    v_hour integer := extract(hour from p_sent_at at time zone 'UTC')::integer;
    v_dow integer := extract(dow from p_sent_at at time zone 'UTC')::integer;
begin
    return jsonb_build_object(
        'word_count', v_f.word_count,
        'subject_chars', char_length(p_subject),
        'cta_start', v_f.cta_start,
        'send_hour', v_hour,
        'send_weekday', v_dow,
        'question_in_subject', coalesce(p_subject, '') like '%?%',
        'emoji', v_text ~ '[\U0001F300-\U0001FAFF\u2600-\u27BF\U0001F000-\U0001F2FF]',
        'personalised', v_text ~ '\{\{\s*[A-Za-z_][A-Za-z0-9_.]*\s*\}\}',
        'cta_early', v_f.cta_start is not null and v_f.cta_start * 3 < greatest(char_length(p_content), 1),
        'short_body', v_f.word_count <= 120,
        'short_subject', p_subject is not null and char_length(p_subject) <= 40,
        'morning_send', v_hour < 12,
        'weekend_send', v_dow in (0, 6));
end
$$;

-- The yes/no features of learning_features, which aicrm.what_worked compares.
create or replace function aicrm_private.learning_feature_names()
returns text[]
language sql
immutable
set search_path = ''
as $$
    select array['question_in_subject', 'emoji', 'personalised', 'cta_early', 'short_body', 'short_subject',
                 'morning_send', 'weekend_send']
$$;

-- How much of a text a person changed: the words (words_of, lower case) removed plus the words
-- added, over the words of both texts; 0 the same words, 1 none in common. Word order is not
-- counted (a moved sentence is no edit): cheap on texts of any length, and what people change in
-- a marketing draft is mostly what it says.
create or replace function aicrm_private.edit_ratio(p_before text, p_after text)
returns numeric
language plpgsql
immutable
parallel safe
set search_path = ''
as $$
begin
    -- plpgsql: aicrm_private.words_of (private/quality/) is created after private/learning/.
    return (
        with before as (
            select w, count(*) as n from string_to_table(btrim(aicrm_private.words_of(p_before)), ' ') w
            where w <> '' group by w
        ),
        after as (
            select w, count(*) as n from string_to_table(btrim(aicrm_private.words_of(p_after)), ' ') w
            where w <> '' group by w
        )
        select round(coalesce(sum(abs(coalesce(a.n, 0) - coalesce(b.n, 0)))::numeric
                              / nullif(sum(coalesce(a.n, 0) + coalesce(b.n, 0)), 0), 0), 4)
        from after a full join before b on b.w = a.w);
end
$$;

-- BEFORE INSERT on ai_content_feedback: with the hashing embedder, the row gets the embedding of its
-- deliverable's subject and text (example_embedding_text, as content examples have it), so feedback
-- is found by what the draft said. With a runner embedder (openai, minilm) it stays empty.
create or replace function aicrm_private.tg_ai_content_feedback__embed()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
    v_config aicrm.embedding_config;
begin
    if new.embedding is not null then
        return new;
    end if;
    select * into v_config from aicrm.embedding_config;
    if v_config.provider = 'hashing' then
        select aicrm_private.embed_hashing(aicrm_private.example_embedding_text(d.subject, d.content))
        into new.embedding
        from aicrm.project_deliverables as d
        where d.tenant_id = new.tenant_id and d.deliverable_id = new.deliverable_id;
        new.embedding_model := v_config.model;
        new.embedded_at := clock_timestamp();
    end if;
    return new;
end
$$;

-- What a delivery row is computed from, as process_ai_feedback compares it: its counters (the
-- earlier deliveries it is compared with are fixed once they are measured; their late outcomes
-- rewrite their own rows, not this one's: docs/learning.md).
create or replace function aicrm_private.delivery_inputs_hash(
    p_sent bigint, p_delivered bigint, p_opens bigint, p_clicks bigint, p_conversions bigint,
    p_revenue numeric, p_unsubscribes bigint, p_complaints bigint
)
returns text
language sql
immutable
set search_path = ''
as $$
    select md5(concat_ws(':', p_sent, p_delivered, p_opens, p_clicks, p_conversions, p_revenue, p_unsubscribes,
                         p_complaints))
$$;

-- What a review row is computed from: the deliverable's reviews, its text, what was finally sent or
-- approved (and its text), and its ratings.
create or replace function aicrm_private.review_inputs_hash(p_deliverable_id uuid)
returns text
language sql
stable
set search_path = ''
as $$
    select md5(concat_ws(':',
        (select string_agg(concat_ws('/', r.review_id, r.decision, r.approved_deliverable_id), ',' order by r.review_id)
         from aicrm.deliverable_reviews as r
         where r.tenant_id = d.tenant_id and r.deliverable_id = d.deliverable_id),
        d.updated_at,
        (select string_agg(concat_ws('/', o.deliverable_id, f.updated_at), ',' order by o.deliverable_id)
         from aicrm.outbox as o
         join aicrm.project_deliverables as f on f.tenant_id = o.tenant_id and f.deliverable_id = o.deliverable_id
         where o.tenant_id = d.tenant_id and o.task_id = d.task_id),
        (select string_agg(concat_ws('/', a.deliverable_id, a.updated_at), ',' order by a.deliverable_id)
         from aicrm.deliverable_reviews as r
         join aicrm.project_deliverables as a on a.tenant_id = r.tenant_id and a.deliverable_id = r.approved_deliverable_id
         where r.tenant_id = d.tenant_id and r.deliverable_id = d.deliverable_id),
        (select string_agg(concat_ws('/', f.source, f.created_by, f.rating, f.updated_at), ',' order by f.source, f.created_by)
         from aicrm.ai_content_feedback as f
         where f.tenant_id = d.tenant_id and f.deliverable_id = d.deliverable_id and f.source in ('agent', 'reviewer')
           and f.rating is not null)))
    from aicrm.project_deliverables as d
    where d.tenant_id = aicrm_private.current_tenant_id() and d.deliverable_id = p_deliverable_id
$$;

-- The delivery source of one measured delivery (docs/learning.md, "Effectiveness"; ADR 0018): the
-- fields of its ai_content_feedback row, computed from its counters and from the tenant's earlier
-- measured deliveries of the same channel (delivered before it): so the score does not depend on
-- when or in what order the job runs. The call's tenant (RLS).
--   basis: clicks (recipients who clicked or converted: greatest(clicks, conversions), both unique
--     recipients) unless the channel has never had a click or a conversion in the tenant and this
--     delivery has opens: then opens, flagged (opens_fallback);
--   trials: delivered (else sent, at least successes); successes: the basis' count;
--   prior: the industry's pooled rate of earlier deliveries, shrunk toward the channel's default
--     rate (a prior worth default_prior_sends sends); its strength m, in sends, estimated from the
--     spread of the industry's per-delivery rates by the method of moments (at least
--     moments_min_deliveries of them; else default_prior_sends), within [min, max]_prior_sends;
--   posterior_rate = (successes + m * prior) / (trials + m);
--   baseline_rate: the customer's earlier deliveries of the channel, pooled and shrunk the same way;
--   effectiveness = posterior_rate / baseline_rate (1 = the customer's usual on this channel).
create or replace function aicrm_private.delivery_effectiveness(p_delivery_id uuid)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
    v_tenant uuid := aicrm_private.require_tenant();
    v_c jsonb := aicrm_private.learning_constants();
    v_d record;
    v_basis text;
    v_n bigint;
    v_k bigint;
    v_default numeric;
    v_ind record;
    v_cust record;
    v_p0 numeric;
    v_m numeric;
    v_between numeric;
    v_post numeric;
    v_base numeric;
begin
    select m.*, d.deliverable_id, d.created_at as sent_at, t.customer_id, c.industry_category,
           p.subject, p.content
    into v_d
    from aicrm.delivery_metrics as m
    join aicrm.deliveries as d on d.tenant_id = m.tenant_id and d.delivery_id = m.delivery_id
    join aicrm.project_tasks as t on t.tenant_id = m.tenant_id and t.task_id = m.task_id
    join aicrm.customers as c on c.tenant_id = t.tenant_id and c.customer_id = t.customer_id
    join aicrm.project_deliverables as p on p.tenant_id = d.tenant_id and p.deliverable_id = d.deliverable_id
    where m.tenant_id = v_tenant and m.delivery_id = p_delivery_id;
    if not found then
        return null;
    end if;
    -- opens only where the channel has nothing better: no click nor conversion ever, here or before
    v_basis := case
        when v_d.clicks + v_d.conversions = 0 and v_d.opens > 0 and not exists (
            select from aicrm.delivery_metrics as e
            join aicrm.deliveries as x on x.tenant_id = e.tenant_id and x.delivery_id = e.delivery_id
            where e.tenant_id = v_tenant and e.channel = v_d.channel and x.created_at <= v_d.sent_at
              and e.clicks + e.conversions > 0) then 'opens'
        else 'clicks' end;
    v_k := case v_basis when 'clicks' then greatest(v_d.clicks, v_d.conversions) else v_d.opens end;
    v_n := greatest(case when v_d.delivered > 0 then v_d.delivered else v_d.sent end, v_k);
    v_default := (v_c ->> case v_basis when 'clicks' then 'prior_rate_clicks' else 'prior_rate_opens' end)::numeric;

    -- the industry's earlier measured deliveries of the channel: pooled rate and the spread of rates
    with earlier as (
        select case v_basis when 'clicks' then greatest(e.clicks, e.conversions) else e.opens end as k,
               greatest(case when e.delivered > 0 then e.delivered else e.sent end,
                        case v_basis when 'clicks' then greatest(e.clicks, e.conversions) else e.opens end) as n,
               t.customer_id, c.industry_category
        from aicrm.delivery_metrics as e
        join aicrm.deliveries as x on x.tenant_id = e.tenant_id and x.delivery_id = e.delivery_id
        join aicrm.project_tasks as t on t.tenant_id = e.tenant_id and t.task_id = e.task_id
        join aicrm.customers as c on c.tenant_id = t.tenant_id and c.customer_id = t.customer_id
        where e.tenant_id = v_tenant and e.channel = v_d.channel and e.measured_at is not null
          and x.created_at < v_d.sent_at and e.delivery_id <> p_delivery_id
    )
    select count(*) filter (where e.n > 0) as deliveries,
           coalesce(sum(e.k), 0) as k, coalesce(sum(e.n), 0) as n,
           -- the weighted variance of per-delivery rates and the mean binomial part of it
           sum(e.n * power(e.k::numeric / e.n, 2)) filter (where e.n > 0) as sum_n_r2,
           avg(1.0 / e.n) filter (where e.n > 0) as mean_inv_n
    into v_ind
    from earlier as e
    where e.industry_category = v_d.industry_category;

    v_p0 := (v_ind.k + (v_c ->> 'default_prior_sends')::numeric * v_default)
            / (v_ind.n + (v_c ->> 'default_prior_sends')::numeric);
    v_m := (v_c ->> 'default_prior_sends')::numeric;
    if v_ind.deliveries >= (v_c ->> 'moments_min_deliveries')::integer and v_ind.n > 0 then
        -- method of moments: the spread of rates beyond what binomial noise explains is the prior's
        -- variance p(1-p)/(m+1); none beyond it: the deliveries are alike (the strongest prior)
        v_between := v_ind.sum_n_r2 / v_ind.n - power(v_ind.k::numeric / v_ind.n, 2)
                     - v_p0 * (1 - v_p0) * v_ind.mean_inv_n;
        v_m := case when v_between <= 0 then (v_c ->> 'max_prior_sends')::numeric
                    else v_p0 * (1 - v_p0) / v_between - 1 end;
        v_m := least(greatest(v_m, (v_c ->> 'min_prior_sends')::numeric), (v_c ->> 'max_prior_sends')::numeric);
    end if;

    -- the customer's own earlier deliveries of the channel: its baseline, shrunk the same way
    select coalesce(sum(case v_basis when 'clicks' then greatest(e.clicks, e.conversions) else e.opens end), 0) as k,
           coalesce(sum(greatest(case when e.delivered > 0 then e.delivered else e.sent end,
                                 case v_basis when 'clicks' then greatest(e.clicks, e.conversions) else e.opens end)), 0) as n,
           count(*) as deliveries
    into v_cust
    from aicrm.delivery_metrics as e
    join aicrm.deliveries as x on x.tenant_id = e.tenant_id and x.delivery_id = e.delivery_id
    join aicrm.project_tasks as t on t.tenant_id = e.tenant_id and t.task_id = e.task_id
    where e.tenant_id = v_tenant and e.channel = v_d.channel and e.measured_at is not null
      and t.customer_id = v_d.customer_id and x.created_at < v_d.sent_at and e.delivery_id <> p_delivery_id;

    v_post := (v_k + v_m * v_p0) / (v_n + v_m);
    v_base := (v_cust.k + v_m * v_p0) / (v_cust.n + v_m);
    return jsonb_build_object(
        'deliverable_id', v_d.deliverable_id, 'task_id', v_d.task_id,
        'basis', v_basis, 'trials', v_n, 'successes', v_k,
        'effectiveness', case when v_n > 0 then round(v_post / v_base, 4) end,
        'payload', jsonb_build_object(
            'delivery_id', p_delivery_id, 'customer_id', v_d.customer_id, 'industry', v_d.industry_category,
            'channel', v_d.channel, 'sent_at', v_d.sent_at,
            'counters', jsonb_build_object('sent', v_d.sent, 'delivered', v_d.delivered, 'opens', v_d.opens,
                                           'clicks', v_d.clicks, 'conversions', v_d.conversions,
                                           'revenue', v_d.revenue, 'unsubscribes', v_d.unsubscribes,
                                           'complaints', v_d.complaints),
            'opens_fallback', v_basis = 'opens',
            'observed_rate', case when v_n > 0 then round(v_k::numeric / v_n, 6) end,
            'posterior_rate', round(v_post, 6), 'baseline_rate', round(v_base, 6),
            'prior_rate', round(v_p0, 6), 'prior_sends', round(v_m, 1),
            'industry_deliveries', v_ind.deliveries, 'customer_deliveries', v_cust.deliveries,
            'features', aicrm_private.learning_features(v_d.subject, v_d.content, v_d.sent_at)),
        'inputs_hash', aicrm_private.delivery_inputs_hash(v_d.sent, v_d.delivered, v_d.opens, v_d.clicks,
                                                          v_d.conversions, v_d.revenue, v_d.unsubscribes,
                                                          v_d.complaints));
end
$$;

-- The review source of one reviewed deliverable (docs/learning.md, "Human feedback"): what people
-- made of it. decision and reason: its latest review's; final_deliverable_id: what was finally
-- sent (the task's outbox row) or, without one, approved (the approval's edit or the draft itself);
-- edit_ratio (aicrm_private.edit_ratio) between the draft and that, heavy from heavy_edit_ratio;
-- edit_kinds: the structured changes people asked for on it (aicrm.request_changes: add_key_point,
-- remove, shorten, change_cta, use_phrase, avoid_phrase) and what the final text shows
-- (shortened, lengthened, subject_changed, cta_changed, reworded); ratings: the agents' and
-- reviewers' ratings of it (record_content_feedback). Null when it was never reviewed.
create or replace function aicrm_private.review_feedback(p_deliverable_id uuid)
returns jsonb
language plpgsql
stable
set search_path = ''
as $$
declare
    v_tenant uuid := aicrm_private.require_tenant();
    v_c jsonb := aicrm_private.learning_constants();
    v_draft aicrm.project_deliverables;
    v_last aicrm.deliverable_reviews;
    v_final aicrm.project_deliverables;
    v_ratio numeric;
    v_kinds text[] := '{}';
    v_asked text[];
    v_ratings jsonb;
    v_reviews jsonb;
    v_before aicrm_private.draft_features;
    v_after aicrm_private.draft_features;
    v_cta_before text;
    v_cta_after text;
begin
    select * into v_draft from aicrm.project_deliverables as d
    where d.tenant_id = v_tenant and d.deliverable_id = p_deliverable_id;
    select * into v_last from aicrm.deliverable_reviews as r
    where r.tenant_id = v_tenant and r.deliverable_id = p_deliverable_id
    order by r.created_at desc, r.review_id desc limit 1;
    if v_draft.deliverable_id is null or v_last.review_id is null then
        return null;
    end if;
    select coalesce(jsonb_agg(jsonb_build_object('review_id', r.review_id, 'decision', r.decision,
                                                 'reviewer', r.reviewer, 'edited', r.edited)
                              order by r.created_at, r.review_id), '[]')
    into v_reviews
    from aicrm.deliverable_reviews as r
    where r.tenant_id = v_tenant and r.deliverable_id = p_deliverable_id;
    -- what was finally sent, else what this review approved
    select d.* into v_final
    from aicrm.outbox as o
    join aicrm.project_deliverables as d on d.tenant_id = o.tenant_id and d.deliverable_id = o.deliverable_id
    where o.tenant_id = v_tenant and o.task_id = v_draft.task_id
    order by o.created_at desc limit 1;
    if v_final.deliverable_id is null and v_last.decision = 'approve' then
        select d.* into v_final from aicrm.project_deliverables as d
        where d.tenant_id = v_tenant and d.deliverable_id = coalesce(v_last.approved_deliverable_id, p_deliverable_id);
    end if;
    -- the structured changes people asked for on this draft
    select coalesce(array_agg(distinct c.value ->> 'type' order by c.value ->> 'type'), '{}') into v_asked
    from aicrm.deliverable_reviews as r
    cross join lateral jsonb_array_elements(coalesce(r.changes, '[]')) as c
    where r.tenant_id = v_tenant and r.deliverable_id = p_deliverable_id;
    if v_final.deliverable_id is not null then
        v_ratio := aicrm_private.edit_ratio(
            concat_ws(E'\n', v_draft.subject, v_draft.content), concat_ws(E'\n', v_final.subject, v_final.content));
        v_before := aicrm_private.draft_features_of(v_draft.content, coalesce(v_draft.subject, ''));
        v_after := aicrm_private.draft_features_of(v_final.content, coalesce(v_final.subject, ''));
        if v_after.word_count < 0.85 * v_before.word_count then
            v_kinds := v_kinds || 'shortened'::text;
        elsif v_after.word_count > 1.15 * v_before.word_count then
            v_kinds := v_kinds || 'lengthened'::text;
        end if;
        if v_draft.subject is distinct from v_final.subject then
            v_kinds := v_kinds || 'subject_changed'::text;
        end if;
        v_cta_before := lower(substring(v_draft.content from coalesce(v_before.cta_start, 0) + 1 for 80));
        v_cta_after := lower(substring(v_final.content from coalesce(v_after.cta_start, 0) + 1 for 80));
        if (v_before.cta_start is null) <> (v_after.cta_start is null)
           or (v_before.cta_start is not null
               and split_part(v_cta_before, E'\n', 1) is distinct from split_part(v_cta_after, E'\n', 1)) then
            v_kinds := v_kinds || 'cta_changed'::text;
        end if;
        if v_ratio > 0 and cardinality(v_kinds) = 0 then
            v_kinds := v_kinds || 'reworded'::text;
        end if;
    end if;
    select jsonb_build_object('count', count(*), 'mean', round(avg(f.rating), 2),
                              'ratings', coalesce(jsonb_agg(jsonb_build_object('source', f.source, 'by', f.created_by,
                                                                               'rating', f.rating)
                                                            order by f.created_by, f.source), '[]'))
    into v_ratings
    from aicrm.ai_content_feedback as f
    where f.tenant_id = v_tenant and f.deliverable_id = p_deliverable_id
      and f.source in ('agent', 'reviewer') and f.rating is not null;
    return jsonb_build_object(
        'deliverable_id', p_deliverable_id, 'task_id', v_draft.task_id,
        'comment', left(nullif(btrim(v_last.reason), ''), 4000),
        'payload', jsonb_build_object(
            'decision', v_last.decision, 'reviewer', v_last.reviewer, 'reviews', v_reviews,
            'final_deliverable_id', v_final.deliverable_id,
            'edit_ratio', v_ratio,
            'heavy_edit', coalesce(v_ratio >= (v_c ->> 'heavy_edit_ratio')::numeric, false),
            'edit_kinds', to_jsonb(v_asked || v_kinds), 'asked_changes', to_jsonb(v_asked),
            'ratings', v_ratings),
        'inputs_hash', aicrm_private.review_inputs_hash(p_deliverable_id));
end
$$;

-- Makes a deliverable a content example (source feedback) of p_polarity with p_reason, recorded in
-- aicrm.learning_promotions; nothing when it was promoted with that polarity before (reversed or
-- not: a reversal sticks). The example's effectiveness (0-100) is 50 x its lift, at most 100 (50 =
-- the customer's usual). Returns the promotion's id, or null when there was one already.
create or replace function aicrm_private.promote_deliverable(
    p_deliverable_id uuid, p_polarity text, p_reason text, p_evidence jsonb, p_by text
)
returns uuid
language plpgsql
set search_path = ''
as $$
declare
    v_tenant uuid := aicrm_private.require_tenant();
    v_d record;
    v_example uuid;
    v_promotion uuid;
    v_purpose text;
begin
    if exists (select from aicrm.learning_promotions as p
               where p.tenant_id = v_tenant and p.deliverable_id = p_deliverable_id and p.polarity = p_polarity) then
        return null;
    end if;
    select d.subject, d.content, t.channel, t.customer_id, t.ai_instructions ->> 'purpose' as purpose,
           c.industry_category
    into v_d
    from aicrm.project_deliverables as d
    join aicrm.project_tasks as t on t.tenant_id = d.tenant_id and t.task_id = d.task_id
    join aicrm.customers as c on c.tenant_id = t.tenant_id and c.customer_id = t.customer_id
    where d.tenant_id = v_tenant and d.deliverable_id = p_deliverable_id;
    v_purpose := case when v_d.purpose in ('welcome', 'promotion', 'newsletter', 're_engagement', 'event',
                                          'review_request', 'announcement') then v_d.purpose else 'other' end;
    insert into aicrm.content_examples (tenant_id, customer_id, industry_category, purpose, channel, subject, content,
                                        polarity, annotations, effectiveness, source)
    values (v_tenant, v_d.customer_id, v_d.industry_category, v_purpose, v_d.channel, left(v_d.subject, 300),
            left(v_d.content, 50000), p_polarity,
            jsonb_build_array(jsonb_build_object('aspect', 'other', 'note', left(p_reason, 500))),
            case when p_evidence ? 'effectiveness'
                 then least(100, round(50 * (p_evidence ->> 'effectiveness')::numeric, 2)) end,
            'feedback')
    returning example_id into v_example;
    insert into aicrm.learning_promotions (tenant_id, deliverable_id, example_id, polarity, reason, evidence, promoted_by)
    values (v_tenant, p_deliverable_id, v_example, p_polarity, left(p_reason, 2000), coalesce(p_evidence, '{}'), p_by)
    returning promotion_id into v_promotion;
    return v_promotion;
end
$$;

grant execute on function aicrm_private.learning_feature_names() to aicrm_app, aicrm_worker, aicrm_readonly;
grant execute on function aicrm_private.learning_features(text, text, timestamptz) to aicrm_app, aicrm_worker, aicrm_readonly;
grant execute on function aicrm_private.edit_ratio(text, text) to aicrm_app, aicrm_worker, aicrm_readonly;
