-- The demo tenant "Northwind Marketing", an agency with four customers in four industries, a
-- project and tasks. Idempotent: fixed ids and external ids, upserts that change nothing twice.
-- Runs as aicrm_owner, which row-level security treats like anyone else: set the tenant first.
select set_config('aicrm.tenant_id', '00000000-0000-4000-8000-00000000de00', true);

insert into aicrm.tenants (tenant_id, name, settings)
values ('00000000-0000-4000-8000-00000000de00', 'Northwind Marketing (demo)', '{"demo": true}')
on conflict (tenant_id) do nothing;

select aicrm.install_default_decision_rules();
select aicrm.install_content_library();

select aicrm.upsert_business_profile(p_profile => '{
  "external_id": "demo-bakery",
  "name": "Sunrise Bakery",
  "industry_category": "food_beverage",
  "industry_subcategory": "bakery",
  "website": "https://sunrisebakery.example.com",
  "email": "hello@sunrisebakery.example.com",
  "phone": "+1 512-555-0142",
  "address": {"street": "1208 South Congress Ave", "city": "Austin", "region": "TX", "postal_code": "78704", "country": "US"},
  "business_description": "A family-owned neighbourhood bakery baking sourdough, pastries and celebration cakes from scratch every morning since 2009, with flour milled in Texas.",
  "unique_selling_points": ["Naturally leavened sourdough fermented for 36 hours", "Everything baked on site before 6 am", "Custom celebration cakes with 48-hour turnaround", "Gluten-free range baked in a dedicated oven"],
  "products_services": [
    {"name": "Country sourdough loaf", "category": "bread", "price": 9.5, "currency": "USD", "featured": true},
    {"name": "Almond croissant", "category": "pastry", "price": 4.75, "currency": "USD"},
    {"name": "Celebration cake", "category": "cakes", "price_note": "from $45, serves 12", "description": "Layer cakes made to order with seasonal fruit."},
    {"name": "Gluten-free banana bread", "category": "gluten_free", "price": 12, "currency": "USD"}
  ],
  "target_audience": {
    "summary": "Local families and young professionals within three miles who value fresh, real ingredients.",
    "segments": [
      {"name": "Weekend families", "age_range": "30-50", "interests": ["brunch", "kids birthdays", "farmers markets"]},
      {"name": "Morning commuters", "age_range": "22-40", "interests": ["coffee", "quick breakfast"]}
    ],
    "locations": ["South Austin", "Travis Heights", "Bouldin Creek"],
    "pain_points": ["supermarket bread tastes stale", "no time to order cakes weeks ahead"],
    "motivations": ["treating family", "supporting local business"]
  },
  "business_hours": {
    "timezone": "America/Chicago",
    "weekly": {
      "mon": [], "tue": [{"open": "06:30", "close": "15:00"}], "wed": [{"open": "06:30", "close": "15:00"}],
      "thu": [{"open": "06:30", "close": "15:00"}], "fri": [{"open": "06:30", "close": "17:00"}],
      "sat": [{"open": "07:00", "close": "17:00"}], "sun": [{"open": "07:00", "close": "13:00"}]
    },
    "exceptions": [{"date": "2026-12-25", "closed": true, "note": "Christmas Day"}]
  },
  "brand_voice": {
    "tone": ["warm", "friendly", "playful"],
    "personality": "The neighbour who always has something fresh out of the oven and remembers your name.",
    "formality": "conversational",
    "point_of_view": "first_person_plural",
    "phrases_to_use": ["fresh from our oven", "baked this morning", "see you at the counter"],
    "phrases_to_avoid": ["cheap", "mass-produced", "best in the world"],
    "emoji_use": "sparingly",
    "reading_level": "simple",
    "language": "en-US"
  },
  "content_preferences": {
    "channels": ["email", "social", "sms"],
    "posting_frequency": {"email": "weekly", "social": "twice_weekly", "sms": "monthly"},
    "content_length": "short",
    "default_cta": "Pre-order for pickup",
    "cta_url": "https://sunrisebakery.example.com/order",
    "topics_to_cover": ["seasonal specials", "behind the scenes at 4 am", "cake orders"],
    "topics_to_avoid": ["diet culture", "competitor pricing"],
    "hashtags": ["#SunriseBakery", "#AustinEats"],
    "signature": "Maria and the Sunrise Bakery team"
  },
  "competitors": [{"name": "Crumb & Co", "website": "https://crumbandco.example.com"}, {"name": "Big Box Bakery Aisle"}]
}');

select aicrm.upsert_business_profile(p_profile => '{
  "external_id": "demo-dental",
  "name": "Brightsmile Family Dental",
  "industry_category": "health_wellness",
  "industry_subcategory": "dental",
  "website": "https://brightsmile.example.com",
  "email": "frontdesk@brightsmile.example.com",
  "phone": "+1 503-555-0187",
  "address": {"street": "4410 NE Fremont St", "city": "Portland", "region": "OR", "postal_code": "97213", "country": "US"},
  "business_description": "A family dental practice offering preventive care, fillings, crowns and Invisalign for patients of every age, with evening appointments and a team known for putting nervous patients at ease.",
  "unique_selling_points": ["Evening appointments until 7 pm twice a week", "Gentle care for anxious patients, including sedation options", "Most PPO insurance plans accepted", "Kids under 12 get their own play corner and a prize drawer"],
  "products_services": [
    {"name": "Check-up and cleaning", "category": "preventive", "description": "Exam, cleaning and X-rays as needed."},
    {"name": "Invisalign clear aligners", "category": "orthodontics", "featured": true},
    {"name": "Teeth whitening", "category": "cosmetic", "price": 299, "currency": "USD"},
    {"name": "Emergency visit", "category": "urgent", "description": "Same-day appointments for pain or broken teeth."}
  ],
  "target_audience": {
    "summary": "Families and working adults in Northeast Portland who want a friendly, trustworthy dentist close to home.",
    "segments": [
      {"name": "Parents of young children", "age_range": "28-45", "interests": ["family health", "school schedules"]},
      {"name": "Busy professionals", "age_range": "25-55", "interests": ["convenience", "cosmetic dentistry"]}
    ],
    "locations": ["Northeast Portland", "Hollywood District", "Beaumont-Wilshire"],
    "pain_points": ["dental anxiety", "hard to find after-work appointments"],
    "motivations": ["healthy kids", "confident smile"]
  },
  "business_hours": {
    "timezone": "America/Los_Angeles",
    "weekly": {
      "mon": [{"open": "08:00", "close": "17:00"}], "tue": [{"open": "08:00", "close": "19:00"}],
      "wed": [{"open": "08:00", "close": "17:00"}], "thu": [{"open": "08:00", "close": "19:00"}],
      "fri": [{"open": "08:00", "close": "14:00"}], "sat": [], "sun": []
    }
  },
  "brand_voice": {
    "tone": ["reassuring", "caring", "professional"],
    "personality": "A calm, kind clinician who explains things plainly and never lectures.",
    "formality": "neutral",
    "point_of_view": "first_person_plural",
    "phrases_to_use": ["gentle care", "your comfort comes first", "book online in a minute"],
    "phrases_to_avoid": ["pain-free", "guaranteed results", "cheap dentist"],
    "emoji_use": "none",
    "reading_level": "general",
    "language": "en-US"
  },
  "content_preferences": {
    "channels": ["email", "sms", "blog"],
    "posting_frequency": {"email": "monthly", "sms": "monthly", "blog": "monthly"},
    "content_length": "medium",
    "default_cta": "Book your visit online",
    "cta_url": "https://brightsmile.example.com/book",
    "topics_to_cover": ["preventive care tips", "kids dental health", "insurance benefits before year end"],
    "topics_to_avoid": ["medical claims", "before/after photos without consent"],
    "signature": "Dr. Priya Raman and the Brightsmile team"
  },
  "competitors": [{"name": "Pearl District Dental Group"}, {"name": "SmileDirect Express"}]
}');

select aicrm.upsert_business_profile(p_profile => '{
  "external_id": "demo-gym",
  "name": "Ironworks Fitness",
  "industry_category": "fitness",
  "industry_subcategory": "gym",
  "website": "https://ironworksfit.example.com",
  "email": "team@ironworksfit.example.com",
  "phone": "+1 720-555-0119",
  "address": {"street": "2901 Walnut St", "city": "Denver", "region": "CO", "postal_code": "80205", "country": "US"},
  "business_description": "An independent strength and conditioning gym in RiNo with coached small-group classes, open gym access and a beginner programme that takes people from first lift to confident in eight weeks.",
  "unique_selling_points": ["Every class coached by a certified strength coach", "Classes capped at 12 people", "Eight-week Foundations programme for complete beginners", "Open 5 am to 10 pm, seven days a week"],
  "products_services": [
    {"name": "Unlimited membership", "category": "membership", "price": 149, "currency": "USD", "price_note": "per month"},
    {"name": "Foundations programme", "category": "programme", "price": 199, "currency": "USD", "featured": true},
    {"name": "Personal training, 10 sessions", "category": "coaching", "price": 650, "currency": "USD"}
  ],
  "target_audience": {
    "summary": "Adults in central Denver who want to get strong with expert coaching rather than a crowded big-box gym.",
    "segments": [
      {"name": "New lifters", "age_range": "25-45", "interests": ["getting started", "community"]},
      {"name": "Experienced athletes", "age_range": "20-40", "interests": ["powerlifting", "performance"]}
    ],
    "locations": ["RiNo", "Five Points", "Cole"],
    "pain_points": ["intimidated by weights", "crowded gyms with no guidance"],
    "motivations": ["feeling strong", "accountability"]
  },
  "business_hours": {
    "timezone": "America/Denver",
    "weekly": {
      "mon": [{"open": "05:00", "close": "22:00"}], "tue": [{"open": "05:00", "close": "22:00"}],
      "wed": [{"open": "05:00", "close": "22:00"}], "thu": [{"open": "05:00", "close": "22:00"}],
      "fri": [{"open": "05:00", "close": "22:00"}], "sat": [{"open": "05:00", "close": "22:00"}],
      "sun": [{"open": "05:00", "close": "22:00"}]
    }
  },
  "brand_voice": {
    "tone": ["energetic", "inspiring", "approachable"],
    "personality": "A coach who believes in you before you do, and keeps it real.",
    "formality": "casual",
    "point_of_view": "second_person",
    "phrases_to_use": ["strong looks different on everyone", "your first class is on us"],
    "phrases_to_avoid": ["no pain no gain", "beach body", "lose weight fast"],
    "emoji_use": "sparingly",
    "reading_level": "simple",
    "language": "en-US"
  },
  "content_preferences": {
    "channels": ["social", "email"],
    "posting_frequency": {"social": "daily", "email": "weekly"},
    "content_length": "short",
    "default_cta": "Claim your free first class",
    "cta_url": "https://ironworksfit.example.com/free-class",
    "topics_to_cover": ["member wins", "coach tips", "Foundations start dates"],
    "topics_to_avoid": ["weight-loss promises", "supplement endorsements"],
    "hashtags": ["#IronworksFit", "#DenverFitness"]
  },
  "competitors": [{"name": "MegaGym 24"}, {"name": "Peak Performance Club"}]
}');

select aicrm.upsert_business_profile(p_profile => '{
  "external_id": "demo-plumbing",
  "name": "Summit Plumbing & Heating",
  "industry_category": "home_services",
  "industry_subcategory": "plumbing",
  "website": "https://summitplumbing.example.com",
  "email": "service@summitplumbing.example.com",
  "phone": "+1 303-555-0163",
  "address": {"street": "77 Industrial Way", "city": "Lakewood", "region": "CO", "postal_code": "80215", "country": "US"},
  "business_description": "Licensed plumbers and heating technicians serving the west Denver suburbs for 25 years: repairs, water heaters, boiler and furnace service, and 24/7 emergency call-outs with upfront prices.",
  "unique_selling_points": ["24/7 emergency call-outs with a two-hour arrival window", "Upfront flat-rate pricing before any work starts", "Licensed, insured and background-checked technicians"],
  "products_services": [
    {"name": "Water heater replacement", "category": "installation", "featured": true},
    {"name": "Drain cleaning", "category": "repair", "price": 189, "currency": "USD"},
    {"name": "Furnace tune-up", "category": "maintenance", "price": 129, "currency": "USD"}
  ],
  "target_audience": {
    "summary": "Homeowners in Lakewood, Golden and Wheat Ridge who want reliable tradespeople and no surprises on the bill.",
    "locations": ["Lakewood", "Golden", "Wheat Ridge"],
    "pain_points": ["no hot water", "contractors who never show up", "surprise charges"],
    "motivations": ["peace of mind", "a warm house in winter"]
  },
  "business_hours": {
    "timezone": "America/Denver",
    "weekly": {
      "mon": [{"open": "07:00", "close": "18:00"}], "tue": [{"open": "07:00", "close": "18:00"}],
      "wed": [{"open": "07:00", "close": "18:00"}], "thu": [{"open": "07:00", "close": "18:00"}],
      "fri": [{"open": "07:00", "close": "18:00"}], "sat": [{"open": "08:00", "close": "12:00"}], "sun": []
    },
    "notes": "Emergency line answered 24/7."
  },
  "brand_voice": {
    "tone": ["trustworthy", "approachable"],
    "formality": "conversational",
    "point_of_view": "first_person_plural",
    "phrases_to_use": ["upfront pricing", "on time, every time"],
    "phrases_to_avoid": ["cheapest in town", "lifetime guarantee"],
    "emoji_use": "none",
    "reading_level": "simple"
  },
  "content_preferences": {
    "channels": ["email", "sms"],
    "posting_frequency": {"email": "monthly", "sms": "quarterly"},
    "content_length": "short",
    "default_cta": "Book a technician",
    "cta_url": "https://summitplumbing.example.com/book"
  },
  "competitors": [{"name": "Rapid Rooter Denver"}]
}');

select aicrm.upsert_customer_contact(c.customer_id, k.contact)
from aicrm.customers as c
inner join (values
    ('demo-bakery', '{"first_name": "Maria", "last_name": "Delgado", "email": "maria@sunrisebakery.example.com", "job_title": "Owner", "is_primary": true, "email_opt_in": true, "sms_opt_in": true, "consent_source": "signed agency agreement"}'::jsonb),
    ('demo-dental', '{"first_name": "Priya", "last_name": "Raman", "email": "priya@brightsmile.example.com", "job_title": "Practice owner", "is_primary": true, "email_opt_in": true, "consent_source": "signed agency agreement"}'::jsonb),
    ('demo-dental', '{"first_name": "Tom", "last_name": "Okafor", "email": "tom@brightsmile.example.com", "job_title": "Office manager", "email_opt_in": true}'::jsonb),
    ('demo-gym', '{"first_name": "Jordan", "last_name": "Reyes", "email": "jordan@ironworksfit.example.com", "job_title": "Head coach", "is_primary": true, "email_opt_in": true, "sms_opt_in": true}'::jsonb),
    ('demo-plumbing', '{"first_name": "Dave", "last_name": "Kowalski", "email": "dave@summitplumbing.example.com", "phone": "+1 303-555-0164", "job_title": "General manager", "is_primary": true}'::jsonb)
) as k (external_id, contact) on c.external_id = k.external_id;

insert into aicrm.projects (tenant_id, project_id, customer_id, name, description, status, starts_on, due_on)
select
    '00000000-0000-4000-8000-00000000de00' as tenant_id, p.project_id::uuid as project_id, c.customer_id, p.name,
    p.description, 'active' as status, p.starts_on::date as starts_on, p.due_on::date as due_on
from (values
    ('00000000-0000-4000-8000-0000000d0001', 'demo-bakery', 'Holiday season 2026',
     'Weekly emails, social posts and an SMS reminder for holiday pre-orders.', '2026-11-15', '2026-12-31'),
    ('00000000-0000-4000-8000-0000000d0002', 'demo-dental', 'Year-end insurance reminder',
     'Remind patients to use their dental benefits before they reset on January 1.', '2026-11-01', '2026-12-20'),
    ('00000000-0000-4000-8000-0000000d0003', 'demo-gym', 'January Foundations intake',
     'Fill the January Foundations programme with new lifters.', '2026-12-01', '2027-01-15')
) as p (project_id, external_id, name, description, starts_on, due_on)
inner join aicrm.customers as c on p.external_id = c.external_id
on conflict (tenant_id, project_id) do nothing;

-- Five draft tasks (not queued: `select aicrm.transition_task_state(task_id, 'queued', 'me')` queues
-- one), each with instructions create_content_task would accept: the writers read the
-- instructions, not the title. A task seeded before they had instructions gets them; instructions
-- changed since are kept.
insert into aicrm.project_tasks (
    tenant_id, task_id, project_id, customer_id, title, description, task_type, channel, priority, due_at, ai_instructions
)
select
    '00000000-0000-4000-8000-00000000de00' as tenant_id, t.task_id::uuid as task_id, p.project_id, p.customer_id,
    t.title, t.description, t.task_type, t.channel, t.priority, t.due_at::timestamptz as due_at,
    t.ai_instructions::jsonb as ai_instructions
from (values
    ('00000000-0000-4000-8000-0000000d1001', '00000000-0000-4000-8000-0000000d0001', 'Holiday pre-order email',
     'Announce holiday cake and bread pre-orders; pickup dates Dec 22 to 24.', 'email', 'email', 2, '2026-12-01 09:00-06',
     '{"output_type": "email", "purpose": "promotion",
       "topic": "holiday cake and bread pre-orders are open, pickup December 22 to 24",
       "audience": "weekend families and regulars", "cta": "Pre-order your holiday cake",
       "output_length": {"min_words": 80, "max_words": 220},
       "success_criteria": {"cta_present": true, "sentiment_target": "positive"}}'),
    ('00000000-0000-4000-8000-0000000d1002', '00000000-0000-4000-8000-0000000d0001', 'Behind-the-scenes Instagram post',
     'A 4 am baking shift post introducing the holiday stollen.', 'social_post', 'social', 3, '2026-12-03 09:00-06',
     '{"output_type": "social_post", "purpose": "promotion",
       "topic": "behind the scenes at 4 am: the holiday stollen comes out of the oven",
       "audience": "followers who love fresh bread", "output_length": {"max_words": 80}}'),
    ('00000000-0000-4000-8000-0000000d1003', '00000000-0000-4000-8000-0000000d0001', 'Pre-order deadline SMS',
     'Short reminder that holiday pre-orders close on Dec 18.', 'sms', 'sms', 2, '2026-12-16 09:00-06',
     '{"output_type": "sms", "purpose": "promotion", "topic": "holiday pre-orders close on December 18",
       "cta": "Pre-order now", "output_length": {"max_characters": 160}}'),
    ('00000000-0000-4000-8000-0000000d1004', '00000000-0000-4000-8000-0000000d0002', 'Use your benefits email',
     'Explain that unused dental benefits reset on January 1 and invite patients to book.', 'email', 'email', 1,
     '2026-11-30 09:00-08',
     '{"output_type": "email", "purpose": "promotion",
       "topic": "use your dental benefits before they reset on January 1",
       "audience": "patients who have not used this year''s benefits", "cta": "Book your check-up",
       "output_length": {"min_words": 80, "max_words": 200}, "success_criteria": {"cta_present": true}}'),
    ('00000000-0000-4000-8000-0000000d1005', '00000000-0000-4000-8000-0000000d0003', 'Foundations launch post',
     'Introduce the January Foundations programme for beginners.', 'social_post', 'social', 3, '2026-12-05 09:00-07',
     '{"output_type": "social_post", "purpose": "promotion",
       "topic": "the January Foundations programme for complete beginners",
       "audience": "complete beginners", "cta": "Save your spot in Foundations", "output_length": {"max_words": 80}}')
) as t (task_id, project_id, title, description, task_type, channel, priority, due_at, ai_instructions)
inner join aicrm.projects as p on p.project_id = t.project_id::uuid
on conflict (tenant_id, task_id) do update set ai_instructions = excluded.ai_instructions
where project_tasks.ai_instructions = '{}';

insert into aicrm.ai_agents (tenant_id, agent_id, name, agent_role, description, capabilities, model)
values
    ('00000000-0000-4000-8000-00000000de00', '00000000-0000-4000-8000-0000000da001', 'Writer', 'writer',
     'Drafts emails, social posts and SMS from the customer context.', '["email", "social_post", "sms"]', 'template'),
    ('00000000-0000-4000-8000-00000000de00', '00000000-0000-4000-8000-0000000da002', 'Compliance', 'compliance',
     'Checks drafts against compliance packs before approval.', '["compliance_review"]', null)
on conflict (tenant_id, agent_id) do nothing;
