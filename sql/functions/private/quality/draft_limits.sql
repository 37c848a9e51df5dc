-- What a draft must fit, in one place: the scorecard's structure checks (score_structure) judge a
-- draft against it and aicrm.get_draft_brief hands it to the writers, so a writer is told exactly
-- the bounds it is judged by and no writer keeps a copy of them.

-- The bounds for a draft of p_channel with the task's p_instructions: words (the instructions'
-- output_length, else the channel's default), characters (the instructions' max_characters), a
-- call to action required (an email, SMS or social post, unless its purpose is to inform:
-- announcement, newsletter, other; success_criteria.cta_present overrides), an email's subject
-- (15-60 characters best, over 78 a major fault), an SMS's one segment (160 GSM-7 characters, 70
-- in Unicode), a social caption's 2,200 characters and 10 hashtags.
create or replace function aicrm_private.draft_limits(p_channel text, p_instructions jsonb)
returns jsonb
language sql
immutable
parallel safe
set search_path = ''
as $$
    select jsonb_strip_nulls(jsonb_build_object(
        'min_words', coalesce((p_instructions #>> '{output_length,min_words}')::integer,
            case p_channel when 'email' then 50 when 'social' then 5 when 'blog' then 300 when 'web' then 50 else 1 end),
        'max_words', coalesce((p_instructions #>> '{output_length,max_words}')::integer,
            case p_channel when 'email' then 500 when 'social' then 250 when 'blog' then 3000 when 'web' then 1500
                else 60 end),
        'max_characters', (p_instructions #>> '{output_length,max_characters}')::integer,
        'cta_required', coalesce((p_instructions #>> '{success_criteria,cta_present}')::boolean,
            p_channel in ('email', 'sms', 'social')
            and coalesce(p_instructions ->> 'purpose', '') not in ('announcement', 'newsletter', 'other')),
        'subject', case when p_channel = 'email' then jsonb_build_object(
            'required', true, 'min_characters', 15, 'max_characters', 60, 'max_characters_hard', 78) end,
        'sms', case when p_channel = 'sms' then jsonb_build_object(
            'segments', 1, 'max_characters_gsm7', 160, 'max_characters_unicode', 70) end,
        'social', case when p_channel = 'social' then jsonb_build_object(
            'max_characters', 2200, 'max_hashtags', 10, 'best_hashtags', '3-5') end
    ))
$$;

revoke execute on function aicrm_private.draft_limits(text, jsonb) from public;
grant execute on function aicrm_private.draft_limits(text, jsonb) to aicrm_app, aicrm_worker, aicrm_readonly;
