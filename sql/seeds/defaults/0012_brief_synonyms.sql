-- Synonyms for the brief-coverage check (aicrm.brief_synonyms, migration 0026; read by
-- aicrm_private.score_brief): words a brief and a good draft say differently. Other forms of a word
-- need no row (the english stemmer folds "pies" to "pie", "booking" to "book"); each pair is looked
-- up both ways, so it is listed once. British and American spellings the stemmer does not fold are
-- pairs too. Idempotent: this list is the table (a pair dropped here is deleted on the next migrate).
with pairs (term, synonym) as (
    values
    -- ordering ahead, buying, booking
    ('pre-order', 'order ahead'), ('pre-order', 'preorder'), ('pre-order', 'reserve'), ('preorder', 'order ahead'),
    ('order', 'buy'), ('buy', 'purchase'), ('order', 'purchase'),
    ('book', 'appointment'), ('book', 'reserve'), ('booking', 'reservation'), ('book', 'schedule'),
    ('appointment', 'visit'), ('appointment', 'slot'), ('appointment', 'session'),
    ('visit', 'come in'), ('visit', 'stop by'), ('visit', 'drop by'), ('visit', 'pop in'), ('visit', 'come by'),
    ('visit', 'stay'), ('visit', 'trip'), ('visit', 'experience'),
    ('rsvp', 'reserve'), ('rsvp', 'register'), ('register', 'sign up'), ('registration', 'sign up'),
    ('enrol', 'sign up'), ('subscribe', 'sign up'), ('join', 'sign up'),
    ('pickup', 'pick up'), ('pickup', 'collect'), ('pick up', 'collect'), ('collection', 'pick up'),
    ('delivery', 'deliver'), ('shipping', 'delivery'),
    -- offers
    ('discount', 'save'), ('discount', 'sale'), ('discount', 'percent'), ('discount', 'deal'),
    ('discount', 'reduced'), ('offer', 'deal'), ('offer', 'special'), ('deal', 'special'), ('sale', 'deal'),
    ('free', 'complimentary'), ('free', 'no charge'), ('free', 'on the house'), ('free', 'no cost'),
    ('gift', 'present'), ('gift card', 'voucher'), ('price', 'cost'), ('affordable', 'budget'),
    ('trial', 'try'), ('refer', 'referral'), ('refer', 'friend'),
    -- seasons and holidays
    ('holiday', 'christmas'), ('holiday', 'festive'), ('holiday', 'xmas'), ('holiday', 'new year'),
    ('holiday', 'thanksgiving'), ('holiday', 'hanukkah'), ('christmas', 'festive'),
    ('christmas', 'xmas'), ('holiday', 'seasonal'), ('autumn', 'fall'), ('weekend', 'saturday'),
    ('weekend', 'sunday'), ('anniversary', 'birthday'),
    -- winter and the home
    ('winterising', 'winterizing'), ('winterise', 'winterize'), ('winterising', 'winter'),
    ('winterising', 'frozen'), ('winterising', 'freeze'), ('winterising', 'frost'), ('winterising', 'cold weather'),
    ('frost', 'freeze'), ('frost', 'frozen'), ('frozen', 'freeze'), ('cold snap', 'freeze'),
    ('pipe', 'pipework'), ('burst', 'leak'), ('leak', 'drip'), ('plumber', 'plumbing'),
    ('insulate', 'lag'), ('insulate', 'wrap'), ('tap', 'faucet'), ('tap', 'spigot'), ('stop valve', 'stopcock'),
    ('stop valve', 'shut-off valve'), ('stop valve', 'shutoff valve'), ('boiler', 'heating'), ('furnace', 'heating'),
    ('heating', 'hvac'), ('air conditioning', 'ac'), ('air conditioning', 'cooling'),
    ('emergency', 'urgent'), ('emergency', '24/7'), ('repair', 'fix'), ('quote', 'estimate'),
    ('inspection', 'check'), ('inspect', 'check'), ('renovation', 'remodel'), ('renovation', 'refurbish'),
    ('home', 'house'), ('home', 'property'), ('listing', 'home'),
    -- care, health, beauty, cars
    ('tune-up', 'service'), ('tune-up', 'maintenance'), ('tune-up', 'tuneup'), ('tune-up', 'check-up'),
    ('checkup', 'check-up'), ('checkup', 'exam'), ('checkup', 'examination'), ('cleaning', 'hygiene'),
    ('dentist', 'dental'), ('teeth', 'dental'), ('teeth', 'tooth'), ('smile', 'teeth'),
    ('oil change', 'service'), ('tyre', 'tire'), ('car', 'vehicle'), ('auto', 'car'),
    ('haircut', 'cut'), ('haircut', 'trim'), ('hair', 'style'), ('salon', 'stylist'), ('manicure', 'nails'),
    ('workout', 'training'), ('workout', 'fitness'), ('workout', 'exercise'), ('gym', 'fitness'),
    ('class', 'session'), ('class', 'lesson'), ('class', 'workshop'), ('course', 'class'),
    ('workshop', 'session'), ('tutor', 'lesson'), ('kids', 'children'), ('kid', 'child'),
    ('pet', 'dog'), ('pet', 'cat'),
    -- food and drink
    ('bread', 'loaf'), ('loaf', 'loaves'), ('coffee', 'espresso'), ('coffee', 'latte'), ('menu', 'dish'),
    ('tasting', 'taste'), ('tasting', 'sample'), ('meal', 'dinner'), ('meal', 'lunch'), ('brunch', 'breakfast'),
    -- events and news
    ('event', 'evening'), ('party', 'celebration'), ('launch', 'new'), ('launch', 'introduce'),
    ('open house', 'event'), ('reopen', 're-open'), ('hours', 'open'), ('hours', 'times'),
    ('hours', 'schedule'), ('closed', 'close'), ('welcome', 'hello'), ('welcome', 'glad'), ('welcome', 'joined'),
    ('member', 'membership'), ('club', 'membership'), ('newsletter', 'update'), ('news', 'update'),
    ('miss', 'back'), ('review', 'feedback'), ('review', 'rate'), ('review', 'rating'), ('review', 'stars'),
    ('feedback', 'thoughts'), ('thank', 'grateful'), ('thank', 'appreciate'), ('donate', 'donation'),
    ('donate', 'give'), ('volunteer', 'help'), ('fundraiser', 'fundraising'),
    -- British and American spellings the stemmer keeps apart
    ('colour', 'color'), ('favourite', 'favorite'), ('flavour', 'flavor'), ('neighbour', 'neighbor'),
    ('centre', 'center'), ('organise', 'organize'), ('personalised', 'personalized'), ('customise', 'customize'),
    ('cosy', 'cozy'), ('jewellery', 'jewelry'), ('programme', 'program'), ('catalogue', 'catalog'),
    ('theatre', 'theater'), ('grey', 'gray'), ('mum', 'mom'), ('licence', 'license'), ('practise', 'practice'),
    ('enrolment', 'enrollment'), ('travelling', 'traveling'), ('cancelled', 'canceled'),
    -- days, and what a brief to avoid a topic tends to say of it
    ('monday', 'mon'), ('tuesday', 'tue'), ('tuesday', 'tues'), ('wednesday', 'wed'), ('thursday', 'thu'),
    ('thursday', 'thurs'), ('friday', 'fri'), ('saturday', 'sat'), ('sunday', 'sun'),
    ('staff', 'employees'), ('staff', 'bakers'), ('staff', 'cooks'),
    ('staff change', 'hire'), ('staff change', 'new team member'), ('staff shortage', 'smaller team'),
    ('weight loss', 'lose weight'), ('weight loss', 'lose pounds'),
    ('prediction', 'expect'), ('prediction', 'forecast'), ('interest rate', 'mortgage rate'), ('stall', 'booth'),
    -- numbers as words
    ('one', '1'), ('two', '2'), ('three', '3'), ('four', '4'), ('five', '5'), ('six', '6'), ('seven', '7'),
    ('eight', '8'), ('nine', '9'), ('ten', '10'), ('eleven', '11'), ('twelve', '12'), ('first', '1st'),
    ('second', '2nd'), ('third', '3rd'), ('half', '50'), ('dozen', '12')
),

stale as (
    delete from aicrm.brief_synonyms as s
    where not exists (
        select from pairs as p
        where p.term = s.term and p.synonym = s.synonym
    )
)

insert into aicrm.brief_synonyms (term, synonym)
select p.term, p.synonym from pairs as p
on conflict (term, synonym) do nothing;
