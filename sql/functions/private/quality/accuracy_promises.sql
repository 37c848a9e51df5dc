-- The process promises and unstated credentials the accuracy dimension looks for (docs/quality.md,
-- "accuracy"): each a pattern (case-insensitive, no capturing groups), what it promises in plain
-- words, and the words whose presence in the customer's profile or the brief (as phrase_key words)
-- grounds it, and needs: LIKE patterns one of which a text in lower case must match for the pattern
-- to be run on it at all (a superset of what the pattern matches: most drafts promise few of them,
-- and each pattern run costs a pass over the draft, compiling it when PostgreSQL's cache of 32
-- regexes has dropped it). Curated: add a row when a draft invents a promise none of them catches.
-- Built-ins only, no SET (private/quality/phrases.sql, at the top).
create or replace function aicrm_private.accuracy_promises()
returns table (n integer, promise text, pattern text, ground_keys text[], needs text[])
language sql
immutable
parallel safe
rows 29
as $$
    select (row_number() over ())::integer, p.promise, p.pattern, p.ground_keys, p.needs
    from (values
        ('inspecting first', '\mwe(?:''ll|\s+will)?\s+(?:always\s+|first\s+)?inspect\M|\minspect(?:ion)?\s+first\M',
         '{inspect,inspects,inspection,inspections}'::text[],
         array['%inspect%']),
        ('explaining the work first', '\mwe(?:''ll|\s+will)?\s+(?:always\s+|first\s+|carefully\s+)?explain\M|\m(?:inspect|look)\s+(?:\w+\s+)?first\s+and\s+explain\M',
         '{explain,explains,explaining,explained,explanation}',
         array['%explain%']),
        ('a written estimate', '\mwritten\s+(?:estimate|quote)s?\M', '{written estimate,written estimates,written quote,written quotes}',
         array['%written%']),
        ('something free', '\m(?:free|complimentary)\s+(?:[a-z]+\s+)?(?:estimate|quote|inspection|assessment|consultation|consult|evaluation|trial|delivery|shipping|check-?up|exam|diagnostic|second\s+opinion|check|lesson|class|session|visit|parking|upgrade|night|month|gift)s?\M',
         '{}',
         array['%free%', '%complimentary%']),
        ('something free of charge', '\mfree\s+of\s+charge\M|\mat\s+no\s+(?:extra\s+)?(?:charge|cost)\M|\mno\s+extra\s+charge\M|\m(?:lesson|class|session|visit|consultation|estimate|inspection|month|night)\s+(?:is|are)\s+(?:free|on\s+us)\M',
         '{}',
         array['%free%', '%charge%', '%cost%', '%on us%']),
        ('a reminder', '\mwe(?:''ll|\s+will)\s+(?:also\s+)?(?:send\s+(?:you\s+)?(?:a\s+)?)?remind|\mreminder\s+(?:text|call|email)s?\M',
         '{remind,reminds,reminder,reminders}',
         array['%remind%']),
        ('a reply within a set time', '\m(?:call|text|email|get\s+back\s+to|respond\s+to|reply\s+to)\s+(?:you\s+)?(?:back\s+)?within\M|\mrespond\s+within\M|\mwithin\s+(?:the|an|one|the\s+next)\s+hour\M|\mwithin\s+(?:\d+|two|three|four|five|ten|fifteen|twenty|thirty|forty-five|sixty|ninety)\s+(?:minutes|hours|business\s+days)\M',
         '{within}',
         array['%within%']),
        ('a credit or refund', '\mservice\s+credits?\M|\mrefunds?\s+automatically\M|\mautomatic(?:ally)?\s+(?:refund|credit)', '{credit,credits,refund,refunds}',
         array['%credit%', '%refund%']),
        ('contacting the customer', '\mwe(?:''ll|\s+will)\s+(?:also\s+)?(?:text|call|email|notify|message|ring)\s+you\M|\mwe(?:''ll|\s+will)\s+(?:also\s+)?send\s+you\s+(?:a|an)\s+(?:[a-z]+\s+)?(?:photo|picture|update|report|certificate|reminder|video|free|monthly|weekly|written|personal)\M', '{we will text,we will call,we will email,we text,we call,notify}',
         array['%we''ll%', '%we will%']),
        ('same-day service', '\msame[\s-]day\s+(?:service|appointments?|delivery|repairs?|response|installs?|installation|turnaround|visits?|results|fixes|crowns?)\M|\msame\s+day\s+you\s+(?:call|book|order)\M',
         '{same day}',
         array['%same%day%']),
        ('next-day service', '\mnext[\s-]day\s+(?:service|appointments?|delivery|repairs?|response|installs?|installation|turnaround|visits?|shipping)\M',
         '{next day}',
         array['%next%day%']),
        ('upfront or flat-rate pricing', '\m(?:upfront|up-front|flat[\s-]rate|transparent)\s+pric(?:e|es|ing)\M|\mno\s+hidden\s+(?:fees|costs|charges)\M',
         '{upfront,up front,flat rate,hidden fees,transparent pricing}',
         array['%pric%', '%hidden%']),
        ('a refund or satisfaction guarantee', '\mmoney[\s-]back\M|\m(?:100%|full)\s+(?:satisfaction|refund)\M|\msatisfaction\s+guarantee',
         '{money back,refund,satisfaction}',
         array['%money%back%', '%satisfaction%', '%refund%']),
        ('a warranty', '\mwarrant(?:y|ies|ied)\M|\mlifetime\s+guarantee', '{warranty,warranties,warrantied}',
         array['%warrant%', '%lifetime%']),
        ('no obligation', '\mno[\s-]obligation\M', '{no obligation}',
         array['%obligation%']),
        ('being licensed, bonded or insured', '\mlicensed\M|\mbonded\M|\m(?:fully\s+)?insured\M',
         '{licensed,insured,bonded}',
         array['%licensed%', '%bonded%', '%insured%']),
        ('a certification', '\m(?:board[\s-])?certified\M|\maccredited\M', '{certified,certification,accredited}',
         array['%certified%', '%accredited%']),
        ('who owns the business', '\m(?:family|locally|veteran|woman|women)[\s-](?:owned|run|operated)\M',
         '{family owned,locally owned,veteran owned,woman owned,women owned,family run,family operated,family}',
         array['%owned%', '%run%', '%operated%']),
        ('service while the customer waits', '\mwe(?:''ll|\s+will|\s+can)?\s+(?:[a-z'']+\s+){1,6}while\s+you\s+wait\M',
         '{while you wait}',
         array['%while you wait%']),
        ('walk-ins without an appointment', '\mwalk[\s-]ins?\s+(?:welcome|accepted|only)\M|\mno\s+appointment\s+(?:needed|necessary|required)\M',
         '{walk in,walk ins}',
         array['%walk%', '%appointment%']),
        ('delivery', '\mwe(?:''ll|\s+will)?\s+deliver\M|\mdelivery\s+(?:is\s+)?(?:available|included)\M|\mwe\s+ship\M|\mcurbside\M',
         '{deliver,delivers,delivery,ship,shipping,curbside}',
         array['%deliver%', '%ship%', '%curbside%']),
        ('cleaning up after the work', '\mwe(?:''ll|\s+will)?\s+(?:always\s+)?clean\s+up\M', '{clean up,cleanup,clean}',
         array['%clean%']),
        ('price matching', '\mprice[\s-]match', '{price match,price matching}',
         array['%price%match%']),
        ('financing', '\mfinancing\M|\m0%\s+(?:apr|interest)\M|\minterest[\s-]free\M', '{financing,finance,interest free}',
         array['%financing%', '%0\%%', '%interest%']),
        ('accepting insurance', '\m(?:accept|take)s?\s+(?:most\s+|all\s+major\s+)?insurance|\min[\s-]network\M', '{insurance,in network}',
         array['%insurance%', '%network%']),
        ('no contracts or free cancellation', '\mfree\s+cancellation\M|\mcancel\s+any\s*time\M|\mno\s+(?:long-term\s+)?(?:contracts?|commitment|cancellation\s+fees?)\M',
         '{cancel,cancellation,contract,contracts,commitment}',
         array['%cancel%', '%contract%', '%commitment%']),
        ('no upselling', '\mwe\s+never\s+(?:upsell|up-sell|push)\M|\mno\s+(?:upsell|up-sell)(?:ing)?\M', '{upsell,upselling}',
         array['%upsell%', '%up-sell%', '%push%']),
        ('an ingredient or material claim', '\mgluten[\s-]free\M|\mdairy[\s-]free\M|\mnut[\s-]free\M|\mvegan\M|\mall[\s-]natural\M|\mnon[\s-]toxic\M|\meco[\s-]friendly\M|\mpet[\s-]safe\M|\mchemical[\s-]free\M',
         '{gluten free,dairy free,nut free,vegan,natural,non toxic,eco friendly,pet safe,chemical free}',
         array['%free%', '%vegan%', '%natural%', '%toxic%', '%friendly%', '%safe%']),
        ('organic or local sourcing', '\m(?:certified\s+)?organic\M|\mlocally[\s-]sourced\M', '{organic,locally sourced,local}',
         array['%organic%', '%sourced%']),
        ('painless treatment', '\mpain[\s-]free\M|\mpainless\M', '{pain free,painless}',
         array['%pain%'])
    ) as p (promise, pattern, ground_keys, needs)
$$;

grant execute on function aicrm_private.accuracy_promises() to aicrm_app, aicrm_worker;

-- A named product or service as a writer invents one: two to five capitalised words ending in a
-- word that names an offering ("Winter Pipe Protection Plan"), or a name marked ™/®. Case-sensitive.
create or replace function aicrm_private.accuracy_product_pattern()
returns text
language sql
immutable
parallel safe
-- No SET (private/quality/phrases.sql, at the top).
as $$
    select '((?<![[:alnum:]''])(?:(?:[A-Z][a-z'']+|[A-Z]{2,})[ -]){1,4}'
        || '(?:Package|Plan|Special|Combo|Bundle|Box|Platter|Pass|Membership|Program|Programme|Workshop|Kit|Tasting'
        || '|Treatment|Facial|Massage|Peel|Detail|Tune-Up|Tune-up|Checkup|Check-Up|Inspection|Loaf|Latte|Tour'
        || '|Camp|Subscription|Club|Blend|Roast|Collection|Edition|Makeover|Protection|Guarantee|Warranty'
        || '|Bootcamp)(?![[:alnum:]])'
        || '|(?<![[:alnum:]])[A-Z][[:alnum:]''-]*(?: [A-Z][[:alnum:]''-]*){0,3} ?[™®])'
$$;

grant execute on function aicrm_private.accuracy_product_pattern() to aicrm_app, aicrm_worker;
