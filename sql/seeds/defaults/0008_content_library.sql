-- The deployment-wide content library (aicrm.library_templates, aicrm.library_examples): templates
-- for 8 industries x 6 purposes x 3 channels and annotated good and bad examples that AI agents start
-- from. All copy is our own; the businesses in the examples are fictional. Idempotent.

insert into aicrm.library_templates (library_key, name, industry_category, purpose, channel, subject, body, guidelines, variants) values
('tpl.food_beverage.welcome.email', 'Bakery & restaurant — welcome email', 'food_beverage', 'welcome', 'email',
 'Welcome to {{business_name}}, {{first_name}}',
 'Hi {{first_name}},

Thanks for joining us at {{business_name}}. We''re really glad you''re here.

A little about us: {{business_description}} Everything starts in our own kitchen, and {{unique_selling_point}}.

Not sure where to begin? Start with the {{featured_product}}. It''s the one our regulars order again and again.

Order ahead for pickup at {{cta_url}}, or come by {{address}}. We''re open {{business_hours}}.

See you soon,
{{signature}}

—
{{business_name}} · {{address}}
You''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}',
 'Keep it warm and short (120-180 words): thank them, say what makes the kitchen different and point to one signature item rather than the whole menu. If the business has a welcome offer, put it in the subject and first line with its terms. Always say how to order and when you are open.',
 '[{"key": "b", "subject": "{{first_name}}, here''s what to order first", "body": "Hi {{first_name}},\n\nWelcome to {{business_name}}! The short version of who we are: {{brand_phrase}}.\n\nOur regulars'' first pick is the {{featured_product}}, and it''s a good place to start. You''ll also find {{products_services}}.\n\nOrder ahead at {{cta_url}} and skip the line, or call {{phone}} for larger orders.\n\n{{signature}}\n\n—\n{{business_name}} · {{address}}\nYou''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}"}]'),
('tpl.food_beverage.welcome.social', 'Bakery & restaurant — welcome social post', 'food_beverage', 'welcome', 'social',
 null,
 'Hello, {{city}}! We''re {{business_name}}. {{business_description}}

First time here? Start with the {{featured_product}} and tell us what you think.

Come by {{address}} and say hi. We''re open {{business_hours}}, or order ahead at {{cta_url}}.

{{hashtags}}',
 'Pair it with a photo of the counter, the team or a signature dish; keep it under 80 words and friendly. Use 3-5 local and food hashtags, not a wall of them.',
 '[]'),
('tpl.food_beverage.welcome.sms', 'Bakery & restaurant — welcome SMS', 'food_beverage', 'welcome', 'sms',
 null,
 '{{business_name}}: Welcome to our text club! You''ll hear about specials first. Order ahead: {{cta_url}} Reply STOP to opt out.',
 'Confirm the sign-up and set expectations: what you will text about and how often. One link, no more than one offer, under 160 characters.',
 '[]'),
('tpl.food_beverage.promotion.email', 'Bakery & restaurant — promotion email', 'food_beverage', 'promotion', 'email',
 'This week at {{business_name}}: {{featured_product}}',
 'Hi {{first_name}},

This week we''re putting the spotlight on our {{featured_product}}, and we''d love for you to try it.

Why it''s worth the trip: {{unique_selling_point}}. We make a limited batch each day, so earlier is better.

Order ahead at {{cta_url}} and we''ll have it ready for you, or come by {{address}} during {{business_hours}}.

Enjoy,
{{signature}}

—
{{business_name}} · {{address}}
You''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}',
 'Name the offer precisely (item, price or discount, end date) in the subject and first two sentences, and state any limits (while it lasts, pickup only). Use concrete, appetizing words instead of superlatives, and keep to one offer per email.',
 '[{"key": "b", "subject": "{{first_name}}, save room for the {{featured_product}}", "body": "Hi {{first_name}},\n\nFair warning: once you''ve tried our {{featured_product}}, it''s hard to go back.\n\nIt''s on special this week, made the way we make everything: {{unique_selling_point}}.\n\nClaim yours before the week is out. Order ahead at {{cta_url}} or call {{phone}}.\n\n{{signature}}\n\n—\n{{business_name}} · {{address}}\nYou''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}"}]'),
('tpl.food_beverage.promotion.social', 'Bakery & restaurant — promotion social post', 'food_beverage', 'promotion', 'social',
 null,
 'It''s here: our {{featured_product}}, fresh from the kitchen this week.

The secret: {{unique_selling_point}}. You can taste it.

Get yours before it sells out. Order ahead at {{cta_url}} or drop by {{address}}.

{{hashtags}}',
 'Lead with the dish and a mouth-watering photo; put the offer and its end date in the first line. Under 60 words, one link, 3-5 hashtags.',
 '[]'),
('tpl.food_beverage.promotion.sms', 'Bakery & restaurant — promotion SMS', 'food_beverage', 'promotion', 'sms',
 null,
 '{{business_name}}: {{featured_product}} is on special this week while it lasts. Order ahead: {{cta_url}} Reply STOP to opt out.',
 'One offer, its end date and one link. No all-caps or stacked exclamation marks; send at a sensible hour, ideally before lunch or dinner decisions are made.',
 '[]'),
('tpl.food_beverage.newsletter.email', 'Bakery & restaurant — newsletter email', 'food_beverage', 'newsletter', 'email',
 'What''s cooking at {{business_name}} this month',
 'Hi {{first_name}},

Here''s your monthly catch-up from our kitchen.

New on the menu: the {{featured_product}} leads this season''s lineup, alongside the favorites you already know.

Behind the counter: {{unique_selling_point}}. It takes a little longer, and we think you can tell.

Good to know: we''re open {{business_hours}} at {{address}}. For catering and large orders, call {{phone}} at least two days ahead.

Visit {{website}} for the full menu, or order ahead at {{cta_url}}.

Until next month,
{{signature}}

—
{{business_name}} · {{address}}
You''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}',
 'Three short sections at most: what is new on the menu, one behind-the-scenes story, practical news (hours, holidays). Make it feel personal and useful rather than a sales pitch, and end with one clear ordering link.',
 '[{"key": "b", "subject": "New this season at {{business_name}}", "body": "Hi {{first_name}},\n\nThree quick things from {{business_name}} this month.\n\n1. The {{featured_product}} is back on the menu.\n2. Our holiday and seasonal hours: {{business_hours}}.\n3. Catering for {{target_audience}}: call {{phone}} to plan your order.\n\nOrder ahead at {{cta_url}} and skip the line.\n\n{{signature}}\n\n—\n{{business_name}} · {{address}}\nYou''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}"}]'),
('tpl.food_beverage.newsletter.social', 'Bakery & restaurant — newsletter social post', 'food_beverage', 'newsletter', 'social',
 null,
 'Kitchen notes from {{business_name}} this month:

New on the menu: {{featured_product}}.
How we make it: {{unique_selling_point}}.
Hours: {{business_hours}}.

Visit {{website}} for the full menu and tell us in the comments what we should bring back next.

{{hashtags}}',
 'Think digest, not advert: two or three short lines of news with a photo carousel. Invite comments with a question to start a conversation.',
 '[]'),
('tpl.food_beverage.newsletter.sms', 'Bakery & restaurant — newsletter SMS', 'food_beverage', 'newsletter', 'sms',
 null,
 '{{business_name}}: Our new seasonal menu starts this week, with {{featured_product}}. Discover it: {{cta_url}} Reply STOP to opt out.',
 'Texts are for news that matters this week (a new menu, changed hours); do not send a monthly digest by SMS. Keep it to one line of news and one link.',
 '[]'),
('tpl.food_beverage.re_engagement.email', 'Bakery & restaurant — re-engagement email', 'food_beverage', 're_engagement', 'email',
 'We''ve missed you at {{business_name}}, {{first_name}}',
 'Hi {{first_name}},

It''s been a while since we''ve seen you, and the kitchen has been busy.

Since your last visit we''ve added the {{featured_product}} to the menu. Some things haven''t changed: {{unique_selling_point}}.

We''d love to welcome you back. Order ahead at {{cta_url}}, or come by {{address}}. We''re open {{business_hours}}.

If you''d rather hear from us less often, you can change that with the link below.

Hope to see you soon,
{{signature}}

—
{{business_name}} · {{address}}
You''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}',
 'Acknowledge the gap warmly without guilt-tripping, show one concrete thing that is new and make coming back easy. A modest come-back offer works if the business has one; make leaving the list just as easy.',
 '[{"key": "b", "subject": "{{first_name}}, a lot has changed on our menu", "body": "Hi {{first_name}},\n\nWe noticed you haven''t stopped by {{business_name}} in a while, so here''s what you''ve missed: the {{featured_product}}, which has quickly become a regular''s favorite.\n\nCome by and try it. We''re at {{address}}, open {{business_hours}}, or order ahead at {{cta_url}}.\n\n{{signature}}\n\n—\n{{business_name}} · {{address}}\nYou''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}"}]'),
('tpl.food_beverage.re_engagement.social', 'Bakery & restaurant — re-engagement social post', 'food_beverage', 're_engagement', 'social',
 null,
 'Haven''t been in for a while? Here''s what you''ve missed at {{business_name}}: the {{featured_product}} is new on the menu, and {{unique_selling_point}}, same as always.

Come by and say hello. We''re at {{address}}, open {{business_hours}}.

{{hashtags}}',
 'Speak to lapsed regulars without singling anyone out: show what is new since the last season. Friendly and light, under 70 words, with a photo of the new item.',
 '[]'),
('tpl.food_beverage.re_engagement.sms', 'Bakery & restaurant — re-engagement SMS', 'food_beverage', 're_engagement', 'sms',
 null,
 '{{business_name}}: We miss you! The {{featured_product}} is new since your last visit. Order ahead: {{cta_url}} Reply STOP to opt out.',
 'Send only to people who opted in and have not ordered in a while; one friendly line, one reason to return, one link. Do not send more than one win-back text a month.',
 '[]'),
('tpl.food_beverage.event.email', 'Bakery & restaurant — event invitation email', 'food_beverage', 'event', 'email',
 'You''re invited: a tasting evening at {{business_name}}',
 'Hi {{first_name}},

We''re opening our doors for an evening of tastings, and we''d love you to join us.

Expect samples from our kitchen, including the {{featured_product}}, the chance to meet the people who make it, and a few things we''re testing for next season.

Where: {{address}}
Date, time and menu: {{cta_url}}

Spots are limited so we can keep it relaxed. RSVP at {{cta_url}} or call {{phone}}.

See you there,
{{signature}}

—
{{business_name}} · {{address}}
You''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}',
 'Put the date, time and place in the first lines, say what guests will taste or do, and state whether it is free or ticketed. Mention capacity honestly and ask for an RSVP by a date; note allergy information if food is served.',
 '[{"key": "b", "subject": "Join us for a tasting night, {{first_name}}", "body": "Hi {{first_name}},\n\nOne evening, a few small plates and the team behind {{business_name}}. Come taste the {{featured_product}} and what we''re cooking up for next season.\n\nWe''re keeping numbers small. Reserve your spot at {{cta_url}}.\n\n{{signature}}\n\n—\n{{business_name}} · {{address}}\nYou''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}"}]'),
('tpl.food_beverage.event.social', 'Bakery & restaurant — event invitation social post', 'food_beverage', 'event', 'social',
 null,
 'Save the date! We''re hosting a tasting night at {{business_name}}: samples of our {{featured_product}}, a peek at next season''s menu and good company.

Spots are limited. RSVP at {{cta_url}}.

{{address}}

{{hashtags}}',
 'Use an eye-catching image with the date on it, and put date, time and place in the first two lines. Repost a reminder a day or two before the event.',
 '[]'),
('tpl.food_beverage.event.sms', 'Bakery & restaurant — event invitation SMS', 'food_beverage', 'event', 'sms',
 null,
 '{{business_name}}: You''re invited to our tasting night! Spots are limited. RSVP: {{cta_url}} Reply STOP to opt out.',
 'Send an invitation once and a reminder the day before at most. Include the date in the text if space allows, and one RSVP link.',
 '[]'),
('tpl.food_beverage.review_request.email', 'Bakery & restaurant — review request email', 'food_beverage', 'review_request', 'email',
 'How was your visit to {{business_name}}?',
 'Hi {{first_name}},

Thank you for choosing {{business_name}}. We hope everything was just how you like it.

If you have a minute, would you share what you thought? Honest reviews help people in {{city}} find us, and they help us keep improving.

Click here to leave a short review: {{cta_url}}

And if something wasn''t right, reply to this email and we''ll make it right.

Thank you,
{{signature}}

—
{{business_name}} · {{address}}
You''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}',
 'Ask within a day or two of the visit and keep it under 100 words. Ask for an honest review, never offer a reward for a positive one and do not ask only happy customers (review platforms forbid both); give unhappy guests a direct way to reach you.',
 '[{"key": "b", "subject": "{{first_name}}, did we get it right?", "body": "Hi {{first_name}},\n\nThanks for visiting {{business_name}}. We''d love to hear how it went, good or bad.\n\nTap here to share a quick review: {{cta_url}}. It takes about a minute and means a lot to a small kitchen like ours.\n\n{{signature}}\n\n—\n{{business_name}} · {{address}}\nYou''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}"}]'),
('tpl.food_beverage.review_request.social', 'Bakery & restaurant — review request social post', 'food_beverage', 'review_request', 'social',
 null,
 'Thank you, {{city}}! Every review helps a small kitchen like ours.

Enjoyed a visit to {{business_name}} recently? Tap here to leave an honest review: {{cta_url}}

We read every single one.

{{hashtags}}',
 'Thank the community first, then ask. Share a favorite recent review (with permission) to show what you mean; never offer anything in return for reviews.',
 '[]'),
('tpl.food_beverage.review_request.sms', 'Bakery & restaurant — review request SMS', 'food_beverage', 'review_request', 'sms',
 null,
 '{{business_name}}: Thanks for visiting! Would you share a quick review? Tap here: {{cta_url}} Reply STOP to opt out.',
 'Send within 24 hours of the visit, once only. Ask for an honest review, with no incentive, and keep it to one link.',
 '[]'),
('tpl.health_wellness.welcome.email', 'Dental & health practice — welcome email', 'health_wellness', 'welcome', 'email',
 'Welcome to {{business_name}}, {{first_name}}',
 'Hi {{first_name}},

Welcome to {{business_name}}. We''re glad you''ve chosen us for your care.

Here''s what to expect at your first visit:
- Please arrive 10 minutes early, or fill in your new-patient forms online beforehand.
- Bring a photo ID, your insurance card and a list of any medications you take.
- We''ll take time to talk through your history and any questions before anything else.

What sets our practice apart: {{unique_selling_point}}. We want every visit to feel calm and unhurried.

Book your first appointment at {{cta_url}} or call us at {{phone}}. We''re open {{business_hours}}.

Warm regards,
{{signature}}

—
{{business_name}} · {{address}}
You''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}',
 'Reassuring and practical: what to bring, how long the first visit takes, how to reach the front desk. Describe the care offered, never promise outcomes (no "pain-free", no "guaranteed results"), and never include personal health details in a marketing email.',
 '[{"key": "b", "subject": "Your first visit at {{business_name}}: what to know", "body": "Hi {{first_name}},\n\nThank you for choosing {{business_name}}. Our team is here to make your care simple and comfortable.\n\nBefore your visit, you can complete your forms online so you spend less time in the waiting room. If you have questions about insurance or payment, call us at {{phone}}; we''re happy to help.\n\nSchedule your first visit at {{cta_url}}.\n\n{{signature}}\n\n—\n{{business_name}} · {{address}}\nYou''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}"}]'),
('tpl.health_wellness.welcome.social', 'Dental & health practice — welcome social post', 'health_wellness', 'welcome', 'social',
 null,
 'Welcome to all the new patients who joined the {{business_name}} family this month!

{{business_description}} Our team takes the time to listen, explain your options and answer every question.

New to {{city}} or looking for a new practice? Book a visit at {{cta_url}} or call {{phone}}.

{{hashtags}}',
 'Friendly and professional; a team photo works well. Never name, tag or picture patients without written consent, and avoid outcome claims.',
 '[]'),
('tpl.health_wellness.welcome.sms', 'Dental & health practice — welcome SMS', 'health_wellness', 'welcome', 'sms',
 null,
 '{{business_name}}: Welcome! Start your new-patient forms here: {{cta_url}} Questions? Call {{phone}}. Reply STOP to opt out.',
 'Practical and brief: one task (forms, directions) and a phone number. Never include diagnosis, treatment or other health details in a text.',
 '[]'),
('tpl.health_wellness.promotion.email', 'Dental & health practice — promotion email', 'health_wellness', 'promotion', 'email',
 'New patients: a simpler first visit at {{business_name}}',
 'Hi {{first_name}},

If you''ve been putting off a checkup, this is a good moment to book it.

This month, {{business_name}} is welcoming new patients with {{featured_product}}. Why patients choose us: {{unique_selling_point}}.

What''s included, who it''s for and the terms are all on our website: {{cta_url}}. Most insurance plans are accepted; our front desk can check yours before your visit.

Schedule your visit online or call {{phone}}.

Warm regards,
{{signature}}

—
{{business_name}} · {{address}}
You''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}',
 'State the offer with its full terms (what is included, who qualifies, expiry, insurance exclusions) and keep the tone calm rather than salesy. No "guaranteed results", no "pain-free" or before/after promises; results vary from patient to patient.',
 '[{"key": "b", "subject": "{{first_name}}, this month''s offer at {{business_name}}", "body": "Hi {{first_name}},\n\nFor a limited time, {{business_name}} is offering {{featured_product}} for new and returning patients.\n\nOur team will walk you through everything beforehand, so you know exactly what to expect and what it costs. Terms and availability: {{cta_url}}.\n\nBook a time that suits you online or call {{phone}}.\n\n{{signature}}\n\n—\n{{business_name}} · {{address}}\nYou''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}"}]'),
('tpl.health_wellness.promotion.social', 'Dental & health practice — promotion social post', 'health_wellness', 'promotion', 'social',
 null,
 'This month at {{business_name}}: {{featured_product}}.

Why patients choose us: {{unique_selling_point}}. Our team will explain every step and every cost before we begin.

Book your appointment at {{cta_url}}. Terms apply; details on our website.

{{hashtags}}',
 'Calm, clear and factual: the offer, who it is for and where the terms are. No before/after photos without consent, no outcome guarantees and no "cure" or "pain-free" language.',
 '[]'),
('tpl.health_wellness.promotion.sms', 'Dental & health practice — promotion SMS', 'health_wellness', 'promotion', 'sms',
 null,
 '{{business_name}}: {{featured_product}} this month for new patients. Book at {{cta_url}} or call {{phone}}. Reply STOP to opt out.',
 'One offer, a link to the terms and a phone number. Keep health claims out entirely; an SMS has no room for the nuance they need.',
 '[]'),
('tpl.health_wellness.newsletter.email', 'Dental & health practice — newsletter email', 'health_wellness', 'newsletter', 'email',
 'Your health notes from {{business_name}}',
 'Hi {{first_name}},

Here''s this month''s update from the team at {{business_name}}.

Health tip of the month: small daily habits matter more than occasional big efforts. Our team shares a simple routine you can start this week on our blog.

Practice news: we now offer {{featured_product}}, and our hours are {{business_hours}}.

Ask us anything: if a topic is on your mind, reply to this email and we may cover it next month.

This newsletter is general information, not medical advice. For questions about your own health, please talk to your provider.

Book your next visit at {{cta_url}} or call {{phone}}.

Take care,
{{signature}}

—
{{business_name}} · {{address}}
You''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}',
 'Educational first: one practical tip, one piece of practice news, one invitation to book. Keep tips general with a "not medical advice" note, avoid fear-based messaging and never make claims that a treatment cures or heals a condition.',
 '[{"key": "b", "subject": "One small habit for healthier days", "body": "Hi {{first_name}},\n\nOne habit, five minutes a day: this month our team explains a simple routine that supports your long-term health, and why consistency matters more than perfection.\n\nAlso new at {{business_name}}: {{featured_product}}.\n\nGeneral information only, not medical advice. Schedule your next visit at {{cta_url}}.\n\n{{signature}}\n\n—\n{{business_name}} · {{address}}\nYou''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}"}]'),
('tpl.health_wellness.newsletter.social', 'Dental & health practice — newsletter social post', 'health_wellness', 'newsletter', 'social',
 null,
 'Tip of the month from the {{business_name}} team: the best routine is the one you actually keep. Start small and stay consistent.

Practice news: we now offer {{featured_product}}.

Questions? Call us at {{phone}} or book a visit at {{cta_url}}.

{{hashtags}}',
 'One friendly, general tip plus one piece of practice news. Keep it educational, not diagnostic, and do not answer individual medical questions in the comments; invite people to call instead.',
 '[]'),
('tpl.health_wellness.newsletter.sms', 'Dental & health practice — newsletter SMS', 'health_wellness', 'newsletter', 'sms',
 null,
 '{{business_name}}: New this month: {{featured_product}}. Our updated hours: {{business_hours}}. Learn more: {{cta_url}} Reply STOP to opt out.',
 'Use texts for practical practice news only (new service, hours, closures). Keep health advice for email or the website.',
 '[]'),
('tpl.health_wellness.re_engagement.email', 'Dental & health practice — re-engagement email', 'health_wellness', 're_engagement', 'email',
 'It''s been a while, {{first_name}}: time for a checkup?',
 'Hi {{first_name}},

Our records show it''s been a while since your last visit to {{business_name}}, so we wanted to check in.

Regular checkups help catch small issues early, when they''re usually simpler to take care of. If anything has changed with your insurance or contact details, we can update it when you book.

Schedule your next visit at {{cta_url}} or call {{phone}}. We''re open {{business_hours}}.

We look forward to seeing you,
{{signature}}

—
{{business_name}} · {{address}}
You''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}',
 'A gentle, caring reminder: no shaming, no alarming health warnings and no references to specific past treatments (privacy). Make booking one click and mention that insurance details can be updated.',
 '[{"key": "b", "subject": "{{first_name}}, we have openings this month", "body": "Hi {{first_name}},\n\nIt''s been some time since we''ve seen you at {{business_name}}, and we have appointment times open this month, including early mornings.\n\nBook the time that suits you at {{cta_url}}, or call {{phone}} and we''ll find one together.\n\n{{signature}}\n\n—\n{{business_name}} · {{address}}\nYou''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}"}]'),
('tpl.health_wellness.re_engagement.social', 'Dental & health practice — re-engagement social post', 'health_wellness', 're_engagement', 'social',
 null,
 'When was your last checkup? If you can''t remember, it might be time.

{{business_name}} has openings this month, including early appointments. Book online at {{cta_url}} or call {{phone}}.

{{hashtags}}',
 'Address the audience generally, never a specific patient. A friendly nudge with a clear booking path; avoid scare tactics.',
 '[]'),
('tpl.health_wellness.re_engagement.sms', 'Dental & health practice — re-engagement SMS', 'health_wellness', 're_engagement', 'sms',
 null,
 '{{business_name}}: It''s been a while since your last visit. Book your checkup: {{cta_url}} or call {{phone}}. Reply STOP to opt out.',
 'A neutral reminder only: do not mention the reason for past visits or any condition in a text. One link, one phone number.',
 '[]'),
('tpl.health_wellness.event.email', 'Dental & health practice — event invitation email', 'health_wellness', 'event', 'email',
 'Join us: community open house at {{business_name}}',
 'Hi {{first_name}},

We''re opening our doors to the community, and you''re invited.

Meet our team, tour the practice and ask questions in a relaxed setting. We''ll also introduce {{featured_product}} and share practical tips for the whole family.

Where: {{address}}
Date and time: {{cta_url}}

The event is free and open to everyone. RSVP at {{cta_url}} so we can plan for you, or call {{phone}}.

See you there,
{{signature}}

—
{{business_name}} · {{address}}
You''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}',
 'Date, time, place and cost up front; say clearly what the event is (information, tour, Q&A) and is not. If screenings are offered, describe them plainly without promising findings, and mention accessibility and parking.',
 '[{"key": "b", "subject": "You''re invited to meet the {{business_name}} team", "body": "Hi {{first_name}},\n\nCome meet the people behind {{business_name}} at our community open house: a relaxed chance to look around, ask questions and learn about {{featured_product}}.\n\nIt''s free and all are welcome. RSVP at {{cta_url}}.\n\n{{signature}}\n\n—\n{{business_name}} · {{address}}\nYou''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}"}]'),
('tpl.health_wellness.event.social', 'Dental & health practice — event invitation social post', 'health_wellness', 'event', 'social',
 null,
 'You''re invited! {{business_name}} is hosting a community open house.

Meet our team, tour the practice and bring your questions. Free and open to everyone.

RSVP at {{cta_url}}.
{{address}}

{{hashtags}}',
 'Put date and time on the image and in the first line. Ask for consent before posting photos taken at the event.',
 '[]'),
('tpl.health_wellness.event.sms', 'Dental & health practice — event invitation SMS', 'health_wellness', 'event', 'sms',
 null,
 '{{business_name}}: Join us for our free community open house! Details and RSVP: {{cta_url}} Reply STOP to opt out.',
 'One invitation and at most one reminder. Include the date if space allows.',
 '[]'),
('tpl.health_wellness.review_request.email', 'Dental & health practice — review request email', 'health_wellness', 'review_request', 'email',
 'How was your visit to {{business_name}}?',
 'Hi {{first_name}},

Thank you for visiting {{business_name}}. We hope you felt well looked after.

Would you share a few words about your experience? Reviews help others in {{city}} find a practice they can trust.

Click here to leave a review: {{cta_url}}

Please don''t include personal health details in a public review. If anything about your visit fell short, call us at {{phone}}; we''d like to hear about it directly.

With thanks,
{{signature}}

—
{{business_name}} · {{address}}
You''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}',
 'Short and sincere; ask every patient, not only happy ones, and offer nothing in return. Remind them not to share health details publicly, and never confirm that someone is a patient when replying to reviews.',
 '[{"key": "b", "subject": "{{first_name}}, a quick favor?", "body": "Hi {{first_name}},\n\nThanks for choosing {{business_name}}. If you have a minute, we''d be grateful for an honest review of your visit.\n\nTap here to share your experience: {{cta_url}}\n\n{{signature}}\n\n—\n{{business_name}} · {{address}}\nYou''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}"}]'),
('tpl.health_wellness.review_request.social', 'Dental & health practice — review request social post', 'health_wellness', 'review_request', 'social',
 null,
 'Thank you to everyone who has shared a review of {{business_name}}. Your words help neighbors find care they can trust.

Visited us recently? Tap here to leave an honest review: {{cta_url}}

{{hashtags}}',
 'Thank reviewers in general terms only. Never reply to a review in a way that confirms someone is a patient or discusses their care.',
 '[]'),
('tpl.health_wellness.review_request.sms', 'Dental & health practice — review request SMS', 'health_wellness', 'review_request', 'sms',
 null,
 '{{business_name}}: Thank you for your visit! Would you share a quick review? Tap here: {{cta_url}} Reply STOP to opt out.',
 'One ask, one link, no incentive. Never mention the treatment received.',
 '[]'),
('tpl.fitness.welcome.email', 'Gym & fitness studio — welcome email', 'fitness', 'welcome', 'email',
 'Welcome to {{business_name}}, {{first_name}}!',
 'Hi {{first_name}},

Welcome to {{business_name}}! You''ve taken the hardest step: showing up.

Here''s how to make your first week count:
- Book an intro session so a coach can show you around and learn your goals.
- Try two or three different classes before you settle on a routine.
- Bring water and a towel, and tell your coach about any injuries.

What makes us different: {{unique_selling_point}}. Our coaches make sure nobody is ever left guessing.

Book your intro session at {{cta_url}}. Questions? Call {{phone}}.

See you on the floor,
{{signature}}

—
{{business_name}} · {{address}}
You''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}',
 'Energetic but welcoming, never intimidating: a simple first-week plan beats a list of rules. Do not promise weight loss or specific results, and invite members to mention injuries or health conditions to a coach.',
 '[{"key": "b", "subject": "{{first_name}}, your first week at {{business_name}}", "body": "Hi {{first_name}},\n\nYou''re in! Your first week is about finding what you enjoy, not about going all out.\n\nStart with an intro session with one of our coaches, then try {{featured_product}}. Everyone starts somewhere, and our members are a friendly bunch.\n\nSchedule your intro session at {{cta_url}}.\n\n{{signature}}\n\n—\n{{business_name}} · {{address}}\nYou''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}"}]'),
('tpl.fitness.welcome.social', 'Gym & fitness studio — welcome social post', 'fitness', 'welcome', 'social',
 null,
 'Big welcome to everyone who joined {{business_name}} this month!

New here? Your first step is an intro session: a coach shows you around, learns your goals and builds a plan with you.

Book yours at {{cta_url}}.

{{hashtags}}',
 'Celebrate new members as a group (tag individuals only with their consent). Upbeat, inclusive and about belonging, not body transformation.',
 '[]'),
('tpl.fitness.welcome.sms', 'Gym & fitness studio — welcome SMS', 'fitness', 'welcome', 'sms',
 null,
 '{{business_name}}: Welcome! Book your free intro session with a coach: {{cta_url}} Reply STOP to opt out.',
 'One next step (book the intro session) and one link. Only call something free if it is.',
 '[]'),
('tpl.fitness.promotion.email', 'Gym & fitness studio — promotion email', 'fitness', 'promotion', 'email',
 'Your next step at {{business_name}}: {{featured_product}}',
 'Hi {{first_name}},

Ready to build a routine that sticks? For a limited time, {{business_name}} is offering {{featured_product}}.

Here''s what you get: coached sessions, a plan that fits your schedule and a community that shows up for each other. What sets us apart: {{unique_selling_point}}.

Full details and terms are at {{cta_url}}.

Claim your spot online or stop by the front desk at {{address}}.

Let''s go,
{{signature}}

—
{{business_name}} · {{address}}
You''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}',
 'Lead with the offer and its terms (price, length, cancellation, end date). Motivate with consistency, energy and community; never promise weight loss, a body shape or a timeframe for results.',
 '[{"key": "b", "subject": "{{first_name}}, ready for a fresh start?", "body": "Hi {{first_name}},\n\nNew season, new routine. This month {{business_name}} is offering {{featured_product}}, with coaching to help you start strong and stay consistent.\n\nSpots are limited by class size. Join today at {{cta_url}}.\n\n{{signature}}\n\n—\n{{business_name}} · {{address}}\nYou''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}"}]'),
('tpl.fitness.promotion.social', 'Gym & fitness studio — promotion social post', 'fitness', 'promotion', 'social',
 null,
 'New month, new routine. This month at {{business_name}}: {{featured_product}}.

Coached classes, a plan that fits your week and a crew that cheers you on.

Claim your spot at {{cta_url}}. Terms on our website.

{{hashtags}}',
 'Show real members training (with consent) rather than idealized bodies. State terms or link to them; avoid "guaranteed results" and before/after framing.',
 '[]'),
('tpl.fitness.promotion.sms', 'Gym & fitness studio — promotion SMS', 'fitness', 'promotion', 'sms',
 null,
 '{{business_name}}: {{featured_product}} this month only. Claim your spot: {{cta_url}} Reply STOP to opt out.',
 'Offer, deadline, link. No body-image language and no pressure tactics.',
 '[]'),
('tpl.fitness.newsletter.email', 'Gym & fitness studio — newsletter email', 'fitness', 'newsletter', 'email',
 'New classes and a coach''s tip at {{business_name}}',
 'Hi {{first_name}},

Here''s what''s happening at {{business_name}} this month.

Coach''s tip: progress comes from showing up consistently, not from one huge session. Aim for a pace you can keep for weeks, and rest days count too.

On the schedule: we''ve added {{featured_product}}. Check the timetable and save your spot early; popular classes fill up.

Community: a huge thank you to everyone who came to last month''s events. You make this place what it is.

Book your classes at {{cta_url}}.

Keep moving,
{{signature}}

—
{{business_name}} · {{address}}
You''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}',
 'Mix one practical training tip, schedule news and a community moment. Keep tips general and safe ("check with your doctor before starting a new program"), and avoid diet or weight-loss claims.',
 '[{"key": "b", "subject": "Coach''s tip and new classes at {{business_name}}", "body": "Hi {{first_name}},\n\nQuick update from {{business_name}}:\n\n- New on the timetable: {{featured_product}}.\n- Coach''s tip: warm up for five minutes before every session; your joints will thank you.\n- Opening hours: {{business_hours}}.\n\nReserve your spot in class at {{cta_url}}.\n\n{{signature}}\n\n—\n{{business_name}} · {{address}}\nYou''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}"}]'),
('tpl.fitness.newsletter.social', 'Gym & fitness studio — newsletter social post', 'fitness', 'newsletter', 'social',
 null,
 'Coach''s tip of the week: consistency beats intensity. Three good sessions a week, every week, adds up.

New on the {{business_name}} timetable: {{featured_product}}.

Book your class at {{cta_url}}.

{{hashtags}}',
 'One tip and one piece of news, with a short video or photo from class. Keep advice general and safe.',
 '[]'),
('tpl.fitness.newsletter.sms', 'Gym & fitness studio — newsletter SMS', 'fitness', 'newsletter', 'sms',
 null,
 '{{business_name}}: New on the timetable: {{featured_product}}. Book your spot: {{cta_url}} Reply STOP to opt out.',
 'Only schedule news that matters this week (new class, changed hours, closures). One link.',
 '[]'),
('tpl.fitness.re_engagement.email', 'Gym & fitness studio — re-engagement email', 'fitness', 're_engagement', 'email',
 'We saved your spot, {{first_name}}',
 'Hi {{first_name}},

We haven''t seen you at {{business_name}} for a while, and that''s OK. Life gets busy.

Whenever you''re ready, coming back is easy. Start with a class you already know, or try {{featured_product}}, which is new since your last visit. Our coaches will help you ease back in at your own pace.

Book a class at {{cta_url}}, or reply to this email if you''d like help finding a time that works.

Hope to see you soon,
{{signature}}

—
{{business_name}} · {{address}}
You''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}',
 'Supportive, zero guilt: no shaming about missed sessions or bodies. Make the first step back small and specific, and mention membership options (pause, change) if the business offers them.',
 '[{"key": "b", "subject": "{{first_name}}, ease back in this week", "body": "Hi {{first_name}},\n\nNo pressure, just an open door: {{business_name}} has new classes on the timetable, including {{featured_product}}.\n\nPick one session this week and see how it feels. Book at {{cta_url}}.\n\n{{signature}}\n\n—\n{{business_name}} · {{address}}\nYou''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}"}]'),
('tpl.fitness.re_engagement.social', 'Gym & fitness studio — re-engagement social post', 'fitness', 're_engagement', 'social',
 null,
 'Been away for a while? Your spot at {{business_name}} is still here.

Start with one class this week. Our coaches will meet you where you are.

Book at {{cta_url}}.

{{hashtags}}',
 'Speak to anyone who has fallen out of the habit, never to a named person. Encouraging, never guilt-inducing.',
 '[]'),
('tpl.fitness.re_engagement.sms', 'Gym & fitness studio — re-engagement SMS', 'fitness', 're_engagement', 'sms',
 null,
 '{{business_name}}: We miss you! Ease back in with one class this week. Book: {{cta_url}} Reply STOP to opt out.',
 'Warm and short; no body-image language. At most one win-back text a month.',
 '[]'),
('tpl.fitness.event.email', 'Gym & fitness studio — event invitation email', 'fitness', 'event', 'email',
 'You''re invited: a community workout at {{business_name}}',
 'Hi {{first_name}},

Bring a friend and join us for a community workout at {{business_name}}.

It''s open to every level: our coaches will offer easier and harder options for each exercise, and there''ll be time afterwards to meet other members and the team.

Where: {{address}}
Date, time and what to bring: {{cta_url}}

Spots are limited. RSVP at {{cta_url}} or call {{phone}}.

See you there,
{{signature}}

—
{{business_name}} · {{address}}
You''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}',
 'Date, time, place, level and what to bring, in the first lines. Make it clear that beginners are welcome and state whether guests need to sign a waiver.',
 '[{"key": "b", "subject": "{{first_name}}, bring a friend to our community workout", "body": "Hi {{first_name}},\n\nOur next community workout is coming up, and guests are welcome. Every exercise has options for every level.\n\nSave your spots at {{cta_url}}.\n\n{{signature}}\n\n—\n{{business_name}} · {{address}}\nYou''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}"}]'),
('tpl.fitness.event.social', 'Gym & fitness studio — event invitation social post', 'fitness', 'event', 'social',
 null,
 'Community workout at {{business_name}}! All levels welcome, and friends train free.

Coaches on hand, options for every exercise and a post-workout hangout.

RSVP at {{cta_url}}.

{{hashtags}}',
 'Energetic visuals of real members; date and time on the image. Emphasize inclusivity and fun over intensity.',
 '[]'),
('tpl.fitness.event.sms', 'Gym & fitness studio — event invitation SMS', 'fitness', 'event', 'sms',
 null,
 '{{business_name}}: Join our community workout, all levels welcome. RSVP: {{cta_url}} Reply STOP to opt out.',
 'Invite once, remind the day before at most. Include the date if space allows.',
 '[]'),
('tpl.fitness.review_request.email', 'Gym & fitness studio — review request email', 'fitness', 'review_request', 'email',
 'How''s your training going, {{first_name}}?',
 'Hi {{first_name}},

Thanks for training with us at {{business_name}}. We''d love to know how it''s going.

Would you leave an honest review? It helps people who are nervous about starting find a place that feels welcoming.

Click here to write your review: {{cta_url}}

If something isn''t working for you, reply to this email and talk to us directly. We want to fix it.

Thanks for being part of the crew,
{{signature}}

—
{{business_name}} · {{address}}
You''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}',
 'Ask after a few weeks of membership, not on day one. Ask everyone for an honest review with no reward; invite problems to be raised directly.',
 '[{"key": "b", "subject": "{{first_name}}, got a minute for us?", "body": "Hi {{first_name}},\n\nYour feedback shapes our classes. Click here to share a quick, honest review of {{business_name}}: {{cta_url}}\n\nThank you for showing up,\n{{signature}}\n\n—\n{{business_name}} · {{address}}\nYou''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}"}]'),
('tpl.fitness.review_request.social', 'Gym & fitness studio — review request social post', 'fitness', 'review_request', 'social',
 null,
 'Your stories keep us going! Training with {{business_name}}? Tap here to leave an honest review: {{cta_url}}

Thank you, team.

{{hashtags}}',
 'Thank members, then ask. Never trade perks for reviews.',
 '[]'),
('tpl.fitness.review_request.sms', 'Gym & fitness studio — review request SMS', 'fitness', 'review_request', 'sms',
 null,
 '{{business_name}}: Thanks for training with us! Tap here to review us: {{cta_url}} Reply STOP to opt out.',
 'One ask, one link, no incentive.',
 '[]'),
('tpl.home_services.welcome.email', 'Home services — welcome email', 'home_services', 'welcome', 'email',
 'Thanks for choosing {{business_name}}, {{first_name}}',
 'Hi {{first_name}},

Thanks for choosing {{business_name}}. We know letting someone into your home takes trust, and we take that seriously.

What you can expect from us:
- A clear, written estimate before any work starts.
- A technician who arrives in the booked window and calls ahead if anything changes.
- A tidy job site when we leave.

What sets us apart: {{unique_selling_point}}. Save our number, {{phone}}, so you have it when you need it.

Schedule your service at {{cta_url}} or call us during {{business_hours}}.

Talk soon,
{{signature}}

—
{{business_name}} · {{address}}
You''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}',
 'Trustworthy and plain-spoken: explain how the first visit works, how pricing is agreed and how to reach you in an emergency. Only mention licences, insurance or warranties the business actually holds.',
 '[{"key": "b", "subject": "Save our number, {{first_name}}", "body": "Hi {{first_name}},\n\nWelcome to {{business_name}}. When something in your home needs fixing, you shouldn''t have to search for a number you trust.\n\nOurs is {{phone}}. We offer {{products_services}}, with upfront pricing before any work begins.\n\nBook your first visit at {{cta_url}}.\n\n{{signature}}\n\n—\n{{business_name}} · {{address}}\nYou''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}"}]'),
('tpl.home_services.welcome.social', 'Home services — welcome social post', 'home_services', 'welcome', 'social',
 null,
 'New in {{city}}? Meet {{business_name}}. {{business_description}}

Upfront pricing, on-time arrivals and a clean job site: that''s the deal.

Call {{phone}} or book online at {{cta_url}}.

{{hashtags}}',
 'Introduce the real team and vans; faces build trust. Keep it local (neighborhoods served) and free of fear-based messaging.',
 '[]'),
('tpl.home_services.welcome.sms', 'Home services — welcome SMS', 'home_services', 'welcome', 'sms',
 null,
 '{{business_name}}: Thanks for choosing us! Save this number for service. Book online: {{cta_url}} Reply STOP to opt out.',
 'Confirm the relationship, give the one link or number they need. No promotions in the first text.',
 '[]'),
('tpl.home_services.promotion.email', 'Home services — promotion email', 'home_services', 'promotion', 'email',
 'Seasonal special from {{business_name}}: {{featured_product}}',
 'Hi {{first_name}},

Before the season turns, now is a good time to get ahead of small problems.

This month, {{business_name}} is offering {{featured_product}}. It''s the easiest way to catch wear early, before it becomes an emergency call.

Why homeowners choose us: {{unique_selling_point}}. Terms and what''s included: {{cta_url}}.

Book your appointment online or call {{phone}}. Appointments fill up quickly as the weather changes.

Thanks,
{{signature}}

—
{{business_name}} · {{address}}
You''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}',
 'Tie the offer to the season (heating before winter, AC before summer, gutters in autumn) and state price, scope and expiry plainly. Avoid scare tactics and unverifiable "lowest price" or "guaranteed" claims.',
 '[{"key": "b", "subject": "{{first_name}}, get ahead of the season", "body": "Hi {{first_name}},\n\nA little maintenance now saves a lot of hassle later. For a limited time, {{business_name}} is offering {{featured_product}}.\n\nSchedule your visit at {{cta_url}} or call {{phone}}.\n\n{{signature}}\n\n—\n{{business_name}} · {{address}}\nYou''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}"}]'),
('tpl.home_services.promotion.social', 'Home services — promotion social post', 'home_services', 'promotion', 'social',
 null,
 'Seasonal special: {{featured_product}} from {{business_name}}.

A quick check now can prevent a bigger repair later. Upfront pricing, no surprises.

Book at {{cta_url}} or call {{phone}}.

{{hashtags}}',
 'Lead with the season and the offer, then one line on why it matters. Show your technicians at work, not stock photos of disasters.',
 '[]'),
('tpl.home_services.promotion.sms', 'Home services — promotion SMS', 'home_services', 'promotion', 'sms',
 null,
 '{{business_name}}: {{featured_product}} this month. Book your visit: {{cta_url}} Reply STOP to opt out.',
 'Offer and deadline in plain words, one link. No alarmist language.',
 '[]'),
('tpl.home_services.newsletter.email', 'Home services — newsletter email', 'home_services', 'newsletter', 'email',
 'Your seasonal home checklist from {{business_name}}',
 'Hi {{first_name}},

The season is changing, and a few quick checks now can save you a costly repair later. Here''s our checklist:

1. Test your smoke and carbon monoxide detectors.
2. Check for drips under sinks and around your water heater.
3. Replace or clean air filters.
4. Clear gutters and downspouts before the heavy rain.

Anything on the list you''d rather not tackle yourself? We offer {{products_services}}.

Schedule a visit at {{cta_url}} or call {{phone}}.

Stay comfortable,
{{signature}}

—
{{business_name}} · {{address}}
You''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}',
 'Useful first: a short, seasonal checklist people can act on themselves, then a soft offer of help. Keep safety advice accurate, and tell readers to call a professional for gas, electrical or structural issues.',
 '[{"key": "b", "subject": "5 minutes, 4 checks: your home this season", "body": "Hi {{first_name}},\n\nFour checks that take five minutes and can prevent the most common seasonal repairs: detectors, drips, filters and gutters.\n\nThe full checklist is on our website. Need a hand? Book a visit with {{business_name}} at {{cta_url}}.\n\n{{signature}}\n\n—\n{{business_name}} · {{address}}\nYou''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}"}]'),
('tpl.home_services.newsletter.social', 'Home services — newsletter social post', 'home_services', 'newsletter', 'social',
 null,
 'Quick home check for the season, from the {{business_name}} team:

- Test smoke and CO detectors
- Look for drips under sinks
- Swap the air filter

Save this post for later. Need help? Book at {{cta_url}}.

{{hashtags}}',
 'Saveable, practical tips in a short list or carousel. One soft call to action at the end.',
 '[]'),
('tpl.home_services.newsletter.sms', 'Home services — newsletter SMS', 'home_services', 'newsletter', 'sms',
 null,
 '{{business_name}} tip: test your smoke detectors and swap the air filter this week. Need help? Call {{phone}}. Reply STOP to opt out.',
 'A single useful tip and a way to get help. Do not send tips more than monthly by text.',
 '[]'),
('tpl.home_services.re_engagement.email', 'Home services — re-engagement email', 'home_services', 're_engagement', 'email',
 '{{first_name}}, is your home due for a check?',
 'Hi {{first_name}},

It''s been a while since {{business_name}} was last out to your home, so we wanted to check in.

Most systems in the home run best with a check about once a year. A quick visit now can catch wear before it turns into an urgent repair.

Schedule a visit at {{cta_url}} or call {{phone}}. We''re available {{business_hours}}.

Thanks for trusting us,
{{signature}}

—
{{business_name}} · {{address}}
You''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}',
 'Frame it as a maintenance reminder based on time since the last visit, not as a warning. Keep the tone neighborly and give a single booking path.',
 '[{"key": "b", "subject": "Time for your annual check, {{first_name}}?", "body": "Hi {{first_name}},\n\nYour last visit from {{business_name}} was a while ago. Book your annual check at {{cta_url}} and we''ll make sure everything''s running as it should.\n\n{{signature}}\n\n—\n{{business_name}} · {{address}}\nYou''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}"}]'),
('tpl.home_services.re_engagement.social', 'Home services — re-engagement social post', 'home_services', 're_engagement', 'social',
 null,
 'When did someone last check your heating, plumbing or wiring? If it''s been over a year, it''s worth a look.

{{business_name}} has openings this month. Book at {{cta_url}} or call {{phone}}.

{{hashtags}}',
 'A friendly reminder to the whole audience, not to past customers by name. Practical, no fear.',
 '[]'),
('tpl.home_services.re_engagement.sms', 'Home services — re-engagement SMS', 'home_services', 're_engagement', 'sms',
 null,
 '{{business_name}}: It''s been about a year since your last service. Book a check: {{cta_url}} Reply STOP to opt out.',
 'Factual reminder with one link; send only when the time since the last job is actually known.',
 '[]'),
('tpl.home_services.event.email', 'Home services — event invitation email', 'home_services', 'event', 'email',
 'Free home maintenance workshop at {{business_name}}',
 'Hi {{first_name}},

Want to learn the small fixes that save you a call-out? Join us for a free, hands-on home maintenance workshop.

Our technicians will show you how to shut off your water, reset a tripped breaker, bleed a radiator and spot the early signs of a leak. Bring your questions.

Where: {{address}}
Date, time and sign-up: {{cta_url}}

Places are limited so everyone gets hands-on time. Reserve your place at {{cta_url}} or call {{phone}}.

See you there,
{{signature}}

—
{{business_name}} · {{address}}
You''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}',
 'Sell the skills people will learn, not the company. Date, time, place and cost up front; keep safety in mind and never suggest DIY gas or electrical work beyond basic resets.',
 '[{"key": "b", "subject": "{{first_name}}, learn the fixes that save a call-out", "body": "Hi {{first_name}},\n\nShutting off your water, resetting a breaker, spotting a leak early: learn all three at our free workshop, led by {{business_name}} technicians.\n\nRegister at {{cta_url}}.\n\n{{signature}}\n\n—\n{{business_name}} · {{address}}\nYou''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}"}]'),
('tpl.home_services.event.social', 'Home services — event invitation social post', 'home_services', 'event', 'social',
 null,
 'Free workshop: home maintenance basics with the {{business_name}} team!

Learn to shut off your water, reset a breaker and spot a leak early.

Register at {{cta_url}}.

{{hashtags}}',
 'Practical, friendly invitation with date and place on the graphic. Great to repost as a short video clip afterwards.',
 '[]'),
('tpl.home_services.event.sms', 'Home services — event invitation SMS', 'home_services', 'event', 'sms',
 null,
 '{{business_name}}: Join our free home maintenance workshop. Register: {{cta_url}} Reply STOP to opt out.',
 'One invitation, one reminder at most, date included if space allows.',
 '[]'),
('tpl.home_services.review_request.email', 'Home services — review request email', 'home_services', 'review_request', 'email',
 'How did we do, {{first_name}}?',
 'Hi {{first_name}},

Thanks for having {{business_name}} in your home. We hope the job went smoothly.

Would you take a minute to share an honest review? It helps your neighbors in {{city}} find a team they can trust.

Click here to leave your review: {{cta_url}}

If anything about the job isn''t right, call us at {{phone}} and we''ll come back and look at it.

Thank you,
{{signature}}

—
{{business_name}} · {{address}}
You''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}',
 'Send the day after the job is finished, to every customer. Ask for an honest review, no incentives, and give a direct line for follow-up issues.',
 '[{"key": "b", "subject": "{{first_name}}, a minute for a quick review?", "body": "Hi {{first_name}},\n\nThanks again for choosing {{business_name}}. An honest review takes a minute and means a lot to a local business like ours.\n\nTap here to share yours: {{cta_url}}\n\n{{signature}}\n\n—\n{{business_name}} · {{address}}\nYou''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}"}]'),
('tpl.home_services.review_request.social', 'Home services — review request social post', 'home_services', 'review_request', 'social',
 null,
 'Thank you to every homeowner who has trusted {{business_name}} this year!

Had us out recently? Tap here to leave an honest review: {{cta_url}}

{{hashtags}}',
 'Thank customers broadly; never show a customer''s home or address without permission.',
 '[]'),
('tpl.home_services.review_request.sms', 'Home services — review request SMS', 'home_services', 'review_request', 'sms',
 null,
 '{{business_name}}: Thanks for having us out! Tap here to leave a quick review: {{cta_url}} Reply STOP to opt out.',
 'One ask after the job is done, no incentives.',
 '[]'),
('tpl.automotive.welcome.email', 'Auto service & dealership — welcome email', 'automotive', 'welcome', 'email',
 'Welcome to {{business_name}}, {{first_name}}',
 'Hi {{first_name}},

Thanks for choosing {{business_name}} to look after your vehicle.

Here''s how we work:
- We inspect first and explain what we find, in plain language.
- You get a written estimate and approve it before we start any work.
- We''ll remind you when routine service is coming up, so nothing sneaks up on you.

What sets us apart: {{unique_selling_point}}. We offer {{products_services}}.

Book your next service at {{cta_url}} or call {{phone}}. We''re open {{business_hours}} at {{address}}.

Drive safe,
{{signature}}

—
{{business_name}} · {{address}}
You''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}',
 'Confident and straightforward: explain how estimates and approvals work and how reminders will arrive. Only mention warranties or certifications the shop actually has, and avoid jargon.',
 '[{"key": "b", "subject": "How we look after your car, {{first_name}}", "body": "Hi {{first_name}},\n\nWelcome to {{business_name}}. Our promise is simple: we explain what your car needs, show you the estimate and only start once you say yes.\n\nSchedule your first visit at {{cta_url}} or call {{phone}}.\n\n{{signature}}\n\n—\n{{business_name}} · {{address}}\nYou''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}"}]'),
('tpl.automotive.welcome.social', 'Auto service & dealership — welcome social post', 'automotive', 'welcome', 'social',
 null,
 'New to {{city}} or just looking for a shop you can trust? Meet {{business_name}}.

{{business_description}} We explain every repair before we start, with written estimates and no surprises.

Book online at {{cta_url}} or call {{phone}}.

{{hashtags}}',
 'Show the bays and the team; trust is visual. Mention the services and makes you work on, and keep it free of hype.',
 '[]'),
('tpl.automotive.welcome.sms', 'Auto service & dealership — welcome SMS', 'automotive', 'welcome', 'sms',
 null,
 '{{business_name}}: Thanks for choosing us! We''ll text service reminders. Book anytime: {{cta_url}} Reply STOP to opt out.',
 'Set expectations (reminders, not spam) and give the booking link.',
 '[]'),
('tpl.automotive.promotion.email', 'Auto service & dealership — promotion email', 'automotive', 'promotion', 'email',
 '{{featured_product}} this month at {{business_name}}',
 'Hi {{first_name}},

Is your car ready for the season ahead? This month, {{business_name}} is offering {{featured_product}}.

It''s a good time to check the things that matter most for safe driving: tires, brakes, battery and fluids. We''ll tell you what needs attention now and what can wait.

Why drivers choose us: {{unique_selling_point}}. Price, what''s included and terms: {{cta_url}}.

Book your appointment online or call {{phone}}.

See you soon,
{{signature}}

—
{{business_name}} · {{address}}
You''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}',
 'Put the price, what is included and the expiry up front. Dealerships advertising financing or lease deals must show the required terms (APR, term, down payment); never claim "guaranteed approval".',
 '[{"key": "b", "subject": "{{first_name}}, a seasonal check for your car", "body": "Hi {{first_name}},\n\nTires, brakes, battery, fluids: our seasonal check covers the essentials, and this month it comes with {{featured_product}}.\n\nSchedule your visit at {{cta_url}}.\n\n{{signature}}\n\n—\n{{business_name}} · {{address}}\nYou''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}"}]'),
('tpl.automotive.promotion.social', 'Auto service & dealership — promotion social post', 'automotive', 'promotion', 'social',
 null,
 'Season-ready special at {{business_name}}: {{featured_product}}.

Tires, brakes, battery and fluids checked, with a clear report on what needs attention.

Book at {{cta_url}} or call {{phone}}. Terms on our website.

{{hashtags}}',
 'Clear offer, clear price, clear terms. Real photos from the shop; no "lowest price in town" unless it can be substantiated.',
 '[]'),
('tpl.automotive.promotion.sms', 'Auto service & dealership — promotion SMS', 'automotive', 'promotion', 'sms',
 null,
 '{{business_name}}: {{featured_product}} this month. Book your slot: {{cta_url}} Reply STOP to opt out.',
 'Offer and deadline only; no financing claims in a text, the required disclosures will not fit.',
 '[]'),
('tpl.automotive.newsletter.email', 'Auto service & dealership — newsletter email', 'automotive', 'newsletter', 'email',
 'Car care notes from {{business_name}}',
 'Hi {{first_name}},

Here''s this month''s car care update from {{business_name}}.

Tip of the month: check your tire pressure once a month when the tires are cold. The right pressure is on a sticker inside the driver''s door, not on the tire itself.

Shop news: we now offer {{featured_product}}, and our hours are {{business_hours}}.

Good to know: if a warning light comes on, don''t ignore it. Call {{phone}} and we''ll tell you whether it can wait.

Book your next service at {{cta_url}}.

Drive safe,
{{signature}}

—
{{business_name}} · {{address}}
You''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}',
 'One genuinely useful maintenance tip, one piece of shop news and an easy way to book. Keep safety advice accurate and avoid alarmist language.',
 '[{"key": "b", "subject": "One 2-minute check that saves fuel, {{first_name}}", "body": "Hi {{first_name}},\n\nCorrect tire pressure helps with fuel economy, braking and tire life, and it takes two minutes to check. Look for the sticker inside the driver''s door for the right number.\n\nAlso new at {{business_name}}: {{featured_product}}. Book at {{cta_url}}.\n\n{{signature}}\n\n—\n{{business_name}} · {{address}}\nYou''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}"}]'),
('tpl.automotive.newsletter.social', 'Auto service & dealership — newsletter social post', 'automotive', 'newsletter', 'social',
 null,
 'Two-minute car care tip: check your tire pressure monthly, when the tires are cold. The right number is on the sticker inside the driver''s door.

New at {{business_name}}: {{featured_product}}.

Book your service at {{cta_url}}.

{{hashtags}}',
 'Short, saveable tips work best, ideally with a quick how-to photo or video. One tip per post.',
 '[]'),
('tpl.automotive.newsletter.sms', 'Auto service & dealership — newsletter SMS', 'automotive', 'newsletter', 'sms',
 null,
 '{{business_name}}: New at the shop: {{featured_product}}. Learn more: {{cta_url}} Reply STOP to opt out.',
 'Only news worth a text: a new service, changed hours, holiday closures.',
 '[]'),
('tpl.automotive.re_engagement.email', 'Auto service & dealership — re-engagement email', 'automotive', 're_engagement', 'email',
 '{{first_name}}, your car may be due for service',
 'Hi {{first_name}},

It''s been a while since your last visit to {{business_name}}, and most vehicles are due for routine service every six months or so, depending on mileage and your owner''s manual.

A quick inspection now can spot wear on brakes, tires and fluids before it becomes an expensive repair.

Book your service at {{cta_url}} or call {{phone}}. We''re open {{business_hours}}.

Thanks,
{{signature}}

—
{{business_name}} · {{address}}
You''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}',
 'Base the reminder on time or mileage since the last visit, refer to the owner''s manual and keep it helpful rather than alarming. One booking link.',
 '[{"key": "b", "subject": "Time for a check-up, {{first_name}}?", "body": "Hi {{first_name}},\n\nWe haven''t seen your car at {{business_name}} in a while. Schedule a quick service check at {{cta_url}}; we''ll tell you what needs doing now and what can wait.\n\n{{signature}}\n\n—\n{{business_name}} · {{address}}\nYou''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}"}]'),
('tpl.automotive.re_engagement.social', 'Auto service & dealership — re-engagement social post', 'automotive', 're_engagement', 'social',
 null,
 'When was your car''s last service? If you can''t remember, it''s probably time.

{{business_name}} has openings this week. Book at {{cta_url}} or call {{phone}}.

{{hashtags}}',
 'A friendly general reminder; no fear about breakdowns.',
 '[]'),
('tpl.automotive.re_engagement.sms', 'Auto service & dealership — re-engagement SMS', 'automotive', 're_engagement', 'sms',
 null,
 '{{business_name}}: Your car may be due for service. Book a quick check: {{cta_url}} Reply STOP to opt out.',
 'Factual reminder; only say "due" when records or mileage support it.',
 '[]'),
('tpl.automotive.event.email', 'Auto service & dealership — event invitation email', 'automotive', 'event', 'email',
 'You''re invited: car care clinic at {{business_name}}',
 'Hi {{first_name}},

Join us for a free car care clinic at {{business_name}}.

Our technicians will show you how to check your oil, tire tread and pressure, and what your dashboard warning lights mean. Bring your questions and your car; we''ll do a quick free visual check while you''re here.

Where: {{address}}
Date, time and sign-up: {{cta_url}}

Reserve your spot at {{cta_url}} or call {{phone}}.

See you there,
{{signature}}

—
{{business_name}} · {{address}}
You''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}',
 'Date, time, place and what attendees will learn, up front. For dealership events (test drives, launches) state the requirements (license, age) and avoid pressure tactics.',
 '[{"key": "b", "subject": "Learn the basics at our free car care clinic", "body": "Hi {{first_name}},\n\nOil, tires, warning lights: learn the essentials from {{business_name}} technicians at our free car care clinic.\n\nRegister at {{cta_url}}.\n\n{{signature}}\n\n—\n{{business_name}} · {{address}}\nYou''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}"}]'),
('tpl.automotive.event.social', 'Auto service & dealership — event invitation social post', 'automotive', 'event', 'social',
 null,
 'Free car care clinic at {{business_name}}!

Learn to check your oil, tires and warning lights with our technicians.

Reserve your spot at {{cta_url}}.

{{hashtags}}',
 'Date and time on the graphic; repost a reminder the day before. Good fit for a short video.',
 '[]'),
('tpl.automotive.event.sms', 'Auto service & dealership — event invitation SMS', 'automotive', 'event', 'sms',
 null,
 '{{business_name}}: Join our free car care clinic! Reserve your spot: {{cta_url}} Reply STOP to opt out.',
 'One invitation and one reminder at most.',
 '[]'),
('tpl.automotive.review_request.email', 'Auto service & dealership — review request email', 'automotive', 'review_request', 'email',
 'How did we do with your car, {{first_name}}?',
 'Hi {{first_name}},

Thanks for bringing your car to {{business_name}}. We hope everything is running smoothly.

Would you share an honest review of your visit? It helps other drivers in {{city}} find a shop they can trust.

Click here to leave a review: {{cta_url}}

If something isn''t right with the work, call us at {{phone}} and we''ll take another look.

Thanks,
{{signature}}

—
{{business_name}} · {{address}}
You''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}',
 'Send a day or two after pickup, to every customer. No discount or reward for reviews; make it easy to report a problem directly.',
 '[{"key": "b", "subject": "{{first_name}}, one minute for a review?", "body": "Hi {{first_name}},\n\nThanks for choosing {{business_name}}. Got a minute? Tap here to share an honest review: {{cta_url}}\n\n{{signature}}\n\n—\n{{business_name}} · {{address}}\nYou''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}"}]'),
('tpl.automotive.review_request.social', 'Auto service & dealership — review request social post', 'automotive', 'review_request', 'social',
 null,
 'Thanks to every driver who trusted {{business_name}} this month!

Been in recently? Tap here to leave an honest review: {{cta_url}}

{{hashtags}}',
 'Thank customers broadly and ask honestly; never incentivize reviews.',
 '[]'),
('tpl.automotive.review_request.sms', 'Auto service & dealership — review request SMS', 'automotive', 'review_request', 'sms',
 null,
 '{{business_name}}: Thanks for your visit! How did we do? Tap here to review us: {{cta_url}} Reply STOP to opt out.',
 'One ask after pickup, one link, no incentive.',
 '[]'),
('tpl.retail.welcome.email', 'Retail shop — welcome email', 'retail', 'welcome', 'email',
 'Welcome to {{business_name}}, {{first_name}}!',
 'Hi {{first_name}},

Welcome to {{business_name}}! We''re so glad you found us.

{{business_description}} Every item on our shelves is chosen by our team, and {{unique_selling_point}}.

As a subscriber, you''ll be first to hear about new arrivals, in-store events and members-only offers, about twice a month.

Right now, our favorite pick is the {{featured_product}}. Shop it online at {{cta_url}} or visit us at {{address}}, open {{business_hours}}.

Happy browsing,
{{signature}}

—
{{business_name}} · {{address}}
You''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}',
 'Friendly and enthusiastic: say what makes the shop different, what subscribers will get and how often, and point to one hero product. If there is a welcome discount, put the code and terms in the first lines.',
 '[{"key": "b", "subject": "{{first_name}}, here''s our team''s favorite right now", "body": "Hi {{first_name}},\n\nThanks for joining {{business_name}}! Our team''s pick of the moment is the {{featured_product}}, and we think you''ll love it.\n\nYou''ll find it in store at {{address}} and online. Shop now at {{cta_url}}.\n\n{{signature}}\n\n—\n{{business_name}} · {{address}}\nYou''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}"}]'),
('tpl.retail.welcome.social', 'Retail shop — welcome social post', 'retail', 'welcome', 'social',
 null,
 'Hello and welcome to all our new followers! We''re {{business_name}}, an independent shop in {{city}}. {{business_description}}

Staff pick of the week: {{featured_product}}.

Visit us at {{address}} or shop online at {{cta_url}}.

{{hashtags}}',
 'Show the shop floor and the people behind it. Warm and personal, under 70 words, with 3-5 hashtags.',
 '[]'),
('tpl.retail.welcome.sms', 'Retail shop — welcome SMS', 'retail', 'welcome', 'sms',
 null,
 '{{business_name}}: Welcome! You''ll be first to hear about new arrivals and offers. Shop now: {{cta_url}} Reply STOP to opt out.',
 'Confirm the sign-up, say what you will text about, give one link. Put any welcome code right here if there is one.',
 '[]'),
('tpl.retail.promotion.email', 'Retail shop — promotion email', 'retail', 'promotion', 'email',
 'Now on: {{featured_product}} at {{business_name}}',
 'Hi {{first_name}},

Good news: our {{featured_product}} is on offer for a limited time.

It''s one of our most-loved picks, and {{unique_selling_point}}. Stock is limited, so if you''ve had your eye on it, now is the time.

Shop the offer online at {{cta_url}} or visit us at {{address}}. Offer terms and end date are on our website.

Happy shopping,
{{signature}}

—
{{business_name}} · {{address}}
You''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}',
 'State the discount, what it applies to, the end date and exclusions. Only compare with a "was" price the item was genuinely sold at, and use real deadlines; fake urgency erodes trust and can break consumer protection rules.',
 '[{"key": "b", "subject": "{{first_name}}, this one won''t last long", "body": "Hi {{first_name}},\n\nThe {{featured_product}} is on offer at {{business_name}} for a short time only.\n\nGrab yours online at {{cta_url}} or in store at {{address}}. Terms on our website.\n\n{{signature}}\n\n—\n{{business_name}} · {{address}}\nYou''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}"}]'),
('tpl.retail.promotion.social', 'Retail shop — promotion social post', 'retail', 'promotion', 'social',
 null,
 'On offer now at {{business_name}}: {{featured_product}}!

One of our customers'' favorites, for a limited time only.

Shop at {{cta_url}} or visit us at {{address}}. Terms apply.

{{hashtags}}',
 'A bright product photo, the offer and its end date in the first line. Genuine deadlines only.',
 '[]'),
('tpl.retail.promotion.sms', 'Retail shop — promotion SMS', 'retail', 'promotion', 'sms',
 null,
 '{{business_name}}: {{featured_product}} is on offer this week only. Shop now: {{cta_url}} Reply STOP to opt out.',
 'One offer with its real end date, one link, no all-caps.',
 '[]'),
('tpl.retail.newsletter.email', 'Retail shop — newsletter email', 'retail', 'newsletter', 'email',
 'New arrivals and staff picks at {{business_name}}',
 'Hi {{first_name}},

Here''s what''s new at {{business_name}} this month.

Just arrived: {{featured_product}}, plus a fresh batch of favorites back in stock.

Staff pick: ask anyone on our team what they''re loving this month and you''ll get a different answer. That''s the fun of a shop run by people who care about what they sell.

In store: we''re open {{business_hours}} at {{address}}. Need a gift idea? Call {{phone}} and we''ll put something together for you.

Shop the new arrivals at {{cta_url}}.

See you soon,
{{signature}}

—
{{business_name}} · {{address}}
You''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}',
 'Curate rather than list: a few new arrivals, a staff pick with a reason and one piece of shop news. Personal and chatty, with one clear shopping link.',
 '[{"key": "b", "subject": "{{first_name}}, fresh in this month", "body": "Hi {{first_name}},\n\nNew on the shelves at {{business_name}}: {{featured_product}}, and a few favorites back in stock.\n\nDiscover the new arrivals at {{cta_url}}.\n\n{{signature}}\n\n—\n{{business_name}} · {{address}}\nYou''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}"}]'),
('tpl.retail.newsletter.social', 'Retail shop — newsletter social post', 'retail', 'newsletter', 'social',
 null,
 'Fresh in at {{business_name}} this month: {{featured_product}}.

Plus some old favorites back on the shelves. Which one are you taking home?

Shop in store or online at {{cta_url}}.

{{hashtags}}',
 'A carousel of new arrivals with a question to invite comments. Keep it short and visual.',
 '[]'),
('tpl.retail.newsletter.sms', 'Retail shop — newsletter SMS', 'retail', 'newsletter', 'sms',
 null,
 '{{business_name}}: New arrivals are in, including {{featured_product}}. Shop now: {{cta_url}} Reply STOP to opt out.',
 'Only for genuinely new stock or store news; at most a few texts a month.',
 '[]'),
('tpl.retail.re_engagement.email', 'Retail shop — re-engagement email', 'retail', 're_engagement', 'email',
 'We''ve missed you at {{business_name}}, {{first_name}}',
 'Hi {{first_name}},

It''s been a while since your last visit, and a lot has changed on our shelves.

New since you were last in: {{featured_product}}, along with plenty of new finds from the makers and brands you know us for.

Come by {{address}} and take a look, or shop online at {{cta_url}}. We''re open {{business_hours}}.

Hope to see you soon,
{{signature}}

—
{{business_name}} · {{address}}
You''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}',
 'Warm, not needy: show what is new since their last visit. A small come-back offer can help if the business has one; make unsubscribing just as easy.',
 '[{"key": "b", "subject": "{{first_name}}, a lot has changed since your last visit", "body": "Hi {{first_name}},\n\nOur shelves look quite different since you last stopped by {{business_name}}. Discover what''s new at {{cta_url}}, or come in and browse at {{address}}.\n\n{{signature}}\n\n—\n{{business_name}} · {{address}}\nYou''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}"}]'),
('tpl.retail.re_engagement.social', 'Retail shop — re-engagement social post', 'retail', 're_engagement', 'social',
 null,
 'Haven''t popped in for a while? Here''s what you''ve missed at {{business_name}}: {{featured_product}} and a shop full of new finds.

Come by {{address}} and say hello.

{{hashtags}}',
 'Speak to the whole audience; show the newest displays. Light and friendly.',
 '[]'),
('tpl.retail.re_engagement.sms', 'Retail shop — re-engagement SMS', 'retail', 're_engagement', 'sms',
 null,
 '{{business_name}}: We miss you! Lots of new arrivals since your last visit. Shop now: {{cta_url}} Reply STOP to opt out.',
 'One friendly nudge a month at most, with one link.',
 '[]'),
('tpl.retail.event.email', 'Retail shop — event invitation email', 'retail', 'event', 'email',
 'You''re invited to an evening at {{business_name}}',
 'Hi {{first_name}},

Join us for an evening in store at {{business_name}}: a relaxed night of browsing, refreshments and a first look at {{featured_product}}.

Meet the team, get personal recommendations and enjoy the shop after hours with fellow regulars.

Where: {{address}}
Date, time and RSVP: {{cta_url}}

Space is limited. RSVP at {{cta_url}} or call {{phone}}.

See you there,
{{signature}}

—
{{business_name}} · {{address}}
You''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}',
 'Date, time, place and what will happen, in the first lines; say whether it is free and if there are event-only offers, with their terms. Great for signings, workshops, launches and late-night shopping.',
 '[{"key": "b", "subject": "{{first_name}}, join us after hours", "body": "Hi {{first_name}},\n\nOne evening only: the shop after hours, refreshments and a first look at {{featured_product}}.\n\nRSVP at {{cta_url}}.\n\n{{signature}}\n\n—\n{{business_name}} · {{address}}\nYou''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}"}]'),
('tpl.retail.event.social', 'Retail shop — event invitation social post', 'retail', 'event', 'social',
 null,
 'You''re invited! An evening at {{business_name}}: browsing, refreshments and a first look at {{featured_product}}.

Space is limited. RSVP at {{cta_url}}.

{{address}}

{{hashtags}}',
 'An inviting image with the date on it; post again the day before as a reminder.',
 '[]'),
('tpl.retail.event.sms', 'Retail shop — event invitation SMS', 'retail', 'event', 'sms',
 null,
 '{{business_name}}: You''re invited to our in-store evening! RSVP: {{cta_url}} Reply STOP to opt out.',
 'One invitation, one reminder at most; include the date if space allows.',
 '[]'),
('tpl.retail.review_request.email', 'Retail shop — review request email', 'retail', 'review_request', 'email',
 'How are you enjoying your purchase, {{first_name}}?',
 'Hi {{first_name}},

Thank you for shopping at {{business_name}}. We hope you''re enjoying your purchase.

Would you share an honest review? It helps other shoppers and tells us what to stock next.

Click here to leave your review: {{cta_url}}

If anything wasn''t right with your order, reply to this email and we''ll sort it out.

Thanks so much,
{{signature}}

—
{{business_name}} · {{address}}
You''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}',
 'Send after the customer has had time to use the product. Ask everyone for an honest review, never offer discounts for positive ones, and offer a quick fix for problems.',
 '[{"key": "b", "subject": "{{first_name}}, what did you think?", "body": "Hi {{first_name}},\n\nWe''d love to know what you think of your recent purchase from {{business_name}}. Tap here to share an honest review: {{cta_url}}\n\n{{signature}}\n\n—\n{{business_name}} · {{address}}\nYou''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}"}]'),
('tpl.retail.review_request.social', 'Retail shop — review request social post', 'retail', 'review_request', 'social',
 null,
 'Your reviews help small shops like ours thrive. Thank you!

Shopped with {{business_name}} recently? Tap here to leave an honest review: {{cta_url}}

{{hashtags}}',
 'Thank first, then ask; share a recent review (with permission). No incentives.',
 '[]'),
('tpl.retail.review_request.sms', 'Retail shop — review request SMS', 'retail', 'review_request', 'sms',
 null,
 '{{business_name}}: Thanks for shopping with us! Tap here to leave a quick review: {{cta_url}} Reply STOP to opt out.',
 'One ask a few days after purchase, no incentive.',
 '[]'),
('tpl.professional_services.welcome.email', 'Professional services — welcome email', 'professional_services', 'welcome', 'email',
 'Welcome to {{business_name}}, {{first_name}}',
 'Dear {{first_name}},

Thank you for choosing {{business_name}}. We look forward to working with you.

Here is what happens next:
1. Your advisor will contact you within two business days to schedule an introductory meeting.
2. Before that meeting, please gather any documents listed in your client portal.
3. Together we will agree the scope of work, timeline and fees in writing before anything begins.

What sets us apart: {{unique_selling_point}}. If you have questions in the meantime, call {{phone}} or email {{email}}.

Schedule your introductory meeting at {{cta_url}}.

Kind regards,
{{signature}}

—
{{business_name}} · {{address}}
You''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}',
 'Professional and reassuring: set out the next steps, the documents needed and who the client''s contact is. Confirm that scope and fees are agreed in writing, and never promise outcomes (refund sizes, case results, returns).',
 '[{"key": "b", "subject": "Your next steps with {{business_name}}", "body": "Dear {{first_name}},\n\nWelcome to {{business_name}}. To get started, please book a short introductory meeting so we can understand your situation and agree how we can help.\n\nBook a time that suits you at {{cta_url}}, or call {{phone}}.\n\nKind regards,\n{{signature}}\n\n—\n{{business_name}} · {{address}}\nYou''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}"}]'),
('tpl.professional_services.welcome.social', 'Professional services — welcome social post', 'professional_services', 'welcome', 'social',
 null,
 'We are {{business_name}}, serving {{target_audience}} in {{city}}. {{business_description}}

Our approach: clear advice, transparent fees and a named advisor you can reach.

Schedule an introductory call at {{cta_url}}.

{{hashtags}}',
 'Measured and credible; introduce the team and their qualifications. No testimonials about outcomes unless the profession''s rules allow them, and no promises of results.',
 '[]'),
('tpl.professional_services.welcome.sms', 'Professional services — welcome SMS', 'professional_services', 'welcome', 'sms',
 null,
 '{{business_name}}: Welcome aboard. Schedule your introductory meeting here: {{cta_url}} Reply STOP to opt out.',
 'Purely practical: one next step. Never include account, case or financial details in a text.',
 '[]'),
('tpl.professional_services.promotion.email', 'Professional services — promotion email', 'professional_services', 'promotion', 'email',
 'Book your {{featured_product}} with {{business_name}}',
 'Dear {{first_name}},

Deadlines have a way of arriving sooner than expected. To help you prepare, {{business_name}} is offering {{featured_product}} this season.

In a single meeting we will review your situation, identify what needs attention and set out the options, with a clear quote for any further work.

Why clients choose us: {{unique_selling_point}}. Appointments are limited during busy periods, so we recommend booking early.

Book your appointment at {{cta_url}} or call {{phone}}.

Kind regards,
{{signature}}

—
{{business_name}} · {{address}}
You''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}',
 'Lead with the client''s problem (a deadline, a decision), then the offer with its fee and scope. No guaranteed refunds, outcomes or returns; financial promotions must state that investments carry risk, and legal services may need an "attorney advertising" label.',
 '[{"key": "b", "subject": "{{first_name}}, beat the seasonal rush", "body": "Dear {{first_name}},\n\nOur calendar fills quickly as deadlines approach. Reserve your {{featured_product}} with {{business_name}} now and avoid the last-minute rush.\n\nSchedule at {{cta_url}}.\n\nKind regards,\n{{signature}}\n\n—\n{{business_name}} · {{address}}\nYou''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}"}]'),
('tpl.professional_services.promotion.social', 'Professional services — promotion social post', 'professional_services', 'promotion', 'social',
 null,
 'Deadline season is coming. {{business_name}} is offering {{featured_product}} to help you prepare early.

One meeting, a clear picture of where you stand and a written quote for any further work.

Book at {{cta_url}}.

{{hashtags}}',
 'Calm and factual; focus on preparation and clarity, not fear. No outcome promises and no "risk-free" language.',
 '[]'),
('tpl.professional_services.promotion.sms', 'Professional services — promotion SMS', 'professional_services', 'promotion', 'sms',
 null,
 '{{business_name}}: {{featured_product}} appointments are open for the season. Book early: {{cta_url}} Reply STOP to opt out.',
 'One message about availability; no figures, promises or personal financial details.',
 '[]'),
('tpl.professional_services.newsletter.email', 'Professional services — newsletter email', 'professional_services', 'newsletter', 'email',
 'Key updates for your planning from {{business_name}}',
 'Dear {{first_name}},

Here is this month''s briefing from {{business_name}}.

What''s changed: a summary of recent rule changes and deadlines that may affect {{target_audience}}, in plain language.

What to do now: three practical steps you can take this month to stay organized and avoid last-minute surprises.

From our team: we now offer {{featured_product}}.

This newsletter provides general information, not advice for your specific situation. Please contact us before acting on it.

Schedule a review with your advisor at {{cta_url}} or call {{phone}}.

Kind regards,
{{signature}}

—
{{business_name}} · {{address}}
You''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}',
 'Authoritative and plain-English: what changed, who it affects, what to do. Include a "general information, not advice" disclaimer, cite official sources for rule changes and never present forecasts as certainties.',
 '[{"key": "b", "subject": "{{first_name}}, 3 things to do before the next deadline", "body": "Dear {{first_name}},\n\nThree practical steps for this month, plus a short summary of the latest changes for {{target_audience}}. The full briefing is on our website.\n\nGeneral information only, not advice for your situation. Book a review at {{cta_url}}.\n\nKind regards,\n{{signature}}\n\n—\n{{business_name}} · {{address}}\nYou''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}"}]'),
('tpl.professional_services.newsletter.social', 'Professional services — newsletter social post', 'professional_services', 'newsletter', 'social',
 null,
 'This month''s briefing from {{business_name}}: what''s changed for {{target_audience}}, and three steps to take before the next deadline.

General information, not individual advice. Find out more at {{website}}, or book a call at {{cta_url}} to discuss your situation.

{{hashtags}}',
 'Summarize one useful insight in two or three sentences and link to the full piece. Always note that it is general information.',
 '[]'),
('tpl.professional_services.newsletter.sms', 'Professional services — newsletter SMS', 'professional_services', 'newsletter', 'sms',
 null,
 '{{business_name}}: Reminder: an important filing deadline is coming up. Questions? Call {{phone}}. Reply STOP to opt out.',
 'Texts only for time-critical reminders (deadlines, office closures), never for analysis or advice.',
 '[]'),
('tpl.professional_services.re_engagement.email', 'Professional services — re-engagement email', 'professional_services', 're_engagement', 'email',
 'Time for your annual review, {{first_name}}?',
 'Dear {{first_name}},

It has been a while since we last spoke, and a lot can change in a year: income, family, business plans and the rules that apply to them.

An annual review with {{business_name}} is a simple way to make sure your arrangements still fit your situation. We will look at what has changed and whether any action is worth considering.

Schedule your review at {{cta_url}} or call {{phone}}.

Kind regards,
{{signature}}

—
{{business_name}} · {{address}}
You''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}',
 'Respectful and low-pressure: explain why a check-in is useful now. Do not reference confidential client details in the email, and do not imply the client is at risk if they do not act.',
 '[{"key": "b", "subject": "{{first_name}}, has anything changed this year?", "body": "Dear {{first_name}},\n\nNew job, new business, new property? If your circumstances have changed, it may be worth a quick review with {{business_name}}.\n\nBook a time at {{cta_url}}.\n\nKind regards,\n{{signature}}\n\n—\n{{business_name}} · {{address}}\nYou''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}"}]'),
('tpl.professional_services.re_engagement.social', 'Professional services — re-engagement social post', 'professional_services', 're_engagement', 'social',
 null,
 'Has your situation changed this year? A new job, business or property can change what makes sense for you.

{{business_name}} offers annual reviews for new and existing clients. Book at {{cta_url}}.

{{hashtags}}',
 'General prompt to the audience, never referencing individual clients. Calm, professional tone.',
 '[]'),
('tpl.professional_services.re_engagement.sms', 'Professional services — re-engagement SMS', 'professional_services', 're_engagement', 'sms',
 null,
 '{{business_name}}: It''s been a while! Book your annual review: {{cta_url}} Reply STOP to opt out.',
 'A polite nudge only; no confidential details.',
 '[]'),
('tpl.professional_services.event.email', 'Professional services — event invitation email', 'professional_services', 'event', 'email',
 'Invitation: {{business_name}} briefing for {{target_audience}}',
 'Dear {{first_name}},

You are invited to a free briefing hosted by {{business_name}}.

In 45 minutes, our team will cover the changes that matter most this year for {{target_audience}}, common mistakes we see and the questions to ask before making a decision. There will be time for questions at the end.

Format: in person at {{address}} or online
Date, time and registration: {{cta_url}}

Places are limited. Register at {{cta_url}} or call {{phone}}.

Kind regards,
{{signature}}

—
{{business_name}} · {{address}}
You''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}',
 'Make the value concrete (what attendees will learn, who presents, how long). Educational, not a sales pitch; if financial topics are covered, note that content is general and that investments carry risk.',
 '[{"key": "b", "subject": "Join our free briefing, {{first_name}}", "body": "Dear {{first_name}},\n\nIn 45 minutes, learn what has changed this year for {{target_audience}} and the questions to ask before your next decision. Hosted by the {{business_name}} team.\n\nRegister at {{cta_url}}.\n\nKind regards,\n{{signature}}\n\n—\n{{business_name}} · {{address}}\nYou''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}"}]'),
('tpl.professional_services.event.social', 'Professional services — event invitation social post', 'professional_services', 'event', 'social',
 null,
 'Free briefing for {{target_audience}}: what has changed this year and what to ask before your next decision.

Hosted by the {{business_name}} team, in person and online.

Register at {{cta_url}}.

{{hashtags}}',
 'Speaker, topic, date and format up front. Professional imagery; no hype.',
 '[]'),
('tpl.professional_services.event.sms', 'Professional services — event invitation SMS', 'professional_services', 'event', 'sms',
 null,
 '{{business_name}}: Join our free briefing for {{target_audience}}. Register: {{cta_url}} Reply STOP to opt out.',
 'Invitation and one reminder at most.',
 '[]'),
('tpl.professional_services.review_request.email', 'Professional services — review request email', 'professional_services', 'review_request', 'email',
 'How was your experience with {{business_name}}?',
 'Dear {{first_name}},

Thank you for trusting {{business_name}}. We hope our work has been helpful.

Would you be willing to share a short review of your experience working with us? Reviews help others decide who to trust with important matters.

Click here to leave a review: {{cta_url}}

Please don''t include confidential details in a public review. If there is anything we could have done better, reply to this email; your feedback goes directly to the partners.

Kind regards,
{{signature}}

—
{{business_name}} · {{address}}
You''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}',
 'Courteous and brief; ask every client, never reward reviews. Check the profession''s rules on testimonials first (financial advisers and lawyers face specific ones) and remind clients not to share confidential details.',
 '[{"key": "b", "subject": "{{first_name}}, would you share your feedback?", "body": "Dear {{first_name}},\n\nYour feedback helps us improve and helps others find the right advisor. Click here to share a short review of {{business_name}}: {{cta_url}}\n\nKind regards,\n{{signature}}\n\n—\n{{business_name}} · {{address}}\nYou''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}"}]'),
('tpl.professional_services.review_request.social', 'Professional services — review request social post', 'professional_services', 'review_request', 'social',
 null,
 'Thank you to the clients who have shared their experience of working with {{business_name}}.

Worked with us recently? Click here to leave a review: {{cta_url}}

{{hashtags}}',
 'Thank clients in general terms; never disclose who is a client or share outcomes.',
 '[]'),
('tpl.professional_services.review_request.sms', 'Professional services — review request SMS', 'professional_services', 'review_request', 'sms',
 null,
 '{{business_name}}: Thank you for working with us. Tap here to share a short review: {{cta_url}} Reply STOP to opt out.',
 'One polite ask with no incentive; no case or account details.',
 '[]'),
('tpl.real_estate.welcome.email', 'Real estate — welcome email', 'real_estate', 'welcome', 'email',
 'Welcome to {{business_name}}, {{first_name}}',
 'Hi {{first_name}},

Thank you for getting in touch with {{business_name}}. Whether you''re buying, selling or just starting to explore, we''re here to help you move at your own pace.

Here''s what you can expect from us:
- New listings that match what you''re looking for, as soon as they come up.
- Honest local market insight for {{city}}, without the sales pressure.
- A straight answer to every question, including the awkward ones.

Why clients work with us: {{unique_selling_point}}.

Book a no-obligation consultation at {{cta_url}} or call {{phone}}.

Warm regards,
{{signature}}

—
{{business_name}} · {{address}}
You''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}',
 'Warm and professional: say what the subscriber will receive and how often, and offer a consultation without pressure. Never promise a sale price, a sale date or future appreciation, and follow fair housing rules in every description.',
 '[{"key": "b", "subject": "{{first_name}}, let''s find your next move", "body": "Hi {{first_name}},\n\nWelcome to {{business_name}}. Tell us what matters most in your next home (location, space, budget) and we''ll do the searching.\n\nSchedule a quick call at {{cta_url}}.\n\nWarm regards,\n{{signature}}\n\n—\n{{business_name}} · {{address}}\nYou''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}"}]'),
('tpl.real_estate.welcome.social', 'Real estate — welcome social post', 'real_estate', 'welcome', 'social',
 null,
 'Welcome to everyone who has joined us this month! We''re {{business_name}}, helping people buy, sell and rent in {{city}}. {{business_description}}

Thinking about a move? Book a no-obligation chat at {{cta_url}}.

{{hashtags}}',
 'Friendly and local: the team, the neighborhoods you know. Describe properties and areas, never the kind of people who should live there.',
 '[]'),
('tpl.real_estate.welcome.sms', 'Real estate — welcome SMS', 'real_estate', 'welcome', 'sms',
 null,
 '{{business_name}}: Thanks for reaching out! Book a no-obligation consultation: {{cta_url}} Reply STOP to opt out.',
 'One next step and one link. Real estate leads often come from portals; text only people who gave consent.',
 '[]'),
('tpl.real_estate.promotion.email', 'Real estate — promotion email', 'real_estate', 'promotion', 'email',
 'What is your home worth in today''s market, {{first_name}}?',
 'Hi {{first_name}},

Curious what your home might sell for right now? {{business_name}} is offering {{featured_product}} to homeowners in {{city}}.

We''ll look at recent sales nearby, current demand and your home''s features, and give you a realistic price range with the reasoning behind it. There''s no obligation to list with us.

Why sellers choose us: {{unique_selling_point}}.

Request your valuation at {{cta_url}} or call {{phone}}.

Warm regards,
{{signature}}

—
{{business_name}} · {{address}}
You''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}',
 'Be precise about what is offered (a market appraisal, not a formal valuation, unless it is one) and that there is no obligation. Never promise a sale price, timeframe or investment return.',
 '[{"key": "b", "subject": "{{first_name}}, a realistic price range for your home", "body": "Hi {{first_name}},\n\nThinking about selling, or just curious? Get {{featured_product}} from {{business_name}}, based on recent sales near you. No obligation.\n\nRequest yours at {{cta_url}}.\n\n{{signature}}\n\n—\n{{business_name}} · {{address}}\nYou''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}"}]'),
('tpl.real_estate.promotion.social', 'Real estate — promotion social post', 'real_estate', 'promotion', 'social',
 null,
 'Wondering what your home is worth in today''s {{city}} market?

{{business_name}} offers {{featured_product}}: a realistic price range based on recent local sales. No obligation.

Request yours at {{cta_url}}.

{{hashtags}}',
 'Clear offer, no pressure and no price promises. Include the licensed brokerage name where local rules require it.',
 '[]'),
('tpl.real_estate.promotion.sms', 'Real estate — promotion SMS', 'real_estate', 'promotion', 'sms',
 null,
 '{{business_name}}: Curious what your home is worth? Get {{featured_product}}, no obligation: {{cta_url}} Reply STOP to opt out.',
 'Factual and brief; no price predictions in a text.',
 '[]'),
('tpl.real_estate.newsletter.email', 'Real estate — newsletter email', 'real_estate', 'newsletter', 'email',
 'Your {{city}} market update from {{business_name}}',
 'Hi {{first_name}},

Here''s what''s happening in the {{city}} property market this month.

The numbers: how many homes sold, how long they took and how prices compared with asking, drawn from local sales data.

What it means for you: if you''re buying, what to expect in negotiations; if you''re selling, how to price and present your home.

Featured: {{featured_product}}.

Past trends don''t predict future prices, and every home is different. Schedule a call at {{cta_url}} or call {{phone}} for a view on your own situation.

Warm regards,
{{signature}}

—
{{business_name}} · {{address}}
You''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}',
 'Data first, with the source and period named; then what it means for buyers and sellers. Avoid predictions presented as certainties, and describe listings by property features, never by who should live there.',
 '[{"key": "b", "subject": "{{first_name}}, 3 numbers that explain the {{city}} market", "body": "Hi {{first_name}},\n\nSales, days on market and price against asking: three numbers that tell you how the {{city}} market moved this month. The full update is on our website.\n\nWant to talk about your plans? Book a call at {{cta_url}}.\n\n{{signature}}\n\n—\n{{business_name}} · {{address}}\nYou''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}"}]'),
('tpl.real_estate.newsletter.social', 'Real estate — newsletter social post', 'real_estate', 'newsletter', 'social',
 null,
 '{{city}} market snapshot from {{business_name}}: homes sold, average days on market and how prices compared with asking this month.

Full update and what it means for buyers and sellers at {{website}}. Book a chat at {{cta_url}}.

{{hashtags}}',
 'One chart or three numbers with a source; no hype or predictions.',
 '[]'),
('tpl.real_estate.newsletter.sms', 'Real estate — newsletter SMS', 'real_estate', 'newsletter', 'sms',
 null,
 '{{business_name}}: New listing just in: {{featured_product}}. Book a viewing: {{cta_url}} Reply STOP to opt out.',
 'Texts are for time-sensitive news (new listings that match the subscriber''s search, open houses), not market analysis.',
 '[]'),
('tpl.real_estate.re_engagement.email', 'Real estate — re-engagement email', 'real_estate', 're_engagement', 'email',
 'Still thinking about a move, {{first_name}}?',
 'Hi {{first_name}},

It''s been a little while since we last spoke, so we wanted to check in.

Plans change, and that''s completely fine. If you''re still thinking about buying or selling, the {{city}} market has shifted since we last talked, and we''d be happy to walk you through what that means for you.

If the timing isn''t right, no problem at all; you can update how often you hear from us below.

Book a quick catch-up at {{cta_url}} or call {{phone}}.

Warm regards,
{{signature}}

—
{{business_name}} · {{address}}
You''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}',
 'Low-pressure and respectful of changed plans; offer fresh value (a market update, new listings). Make it easy to pause or unsubscribe.',
 '[{"key": "b", "subject": "{{first_name}}, the market has changed since we spoke", "body": "Hi {{first_name}},\n\nA lot has moved in the {{city}} market since we last talked. Still thinking about a move? Book a 15-minute catch-up with {{business_name}} at {{cta_url}}.\n\n{{signature}}\n\n—\n{{business_name}} · {{address}}\nYou''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}"}]'),
('tpl.real_estate.re_engagement.social', 'Real estate — re-engagement social post', 'real_estate', 're_engagement', 'social',
 null,
 'Put your move on hold this year? You''re not alone. The {{city}} market has shifted, and it may be worth another look.

Book a no-pressure chat with {{business_name}} at {{cta_url}}.

{{hashtags}}',
 'Empathetic, general and without pressure or predictions.',
 '[]'),
('tpl.real_estate.re_engagement.sms', 'Real estate — re-engagement SMS', 'real_estate', 're_engagement', 'sms',
 null,
 '{{business_name}}: Still thinking about a move? Book a quick catch-up: {{cta_url}} Reply STOP to opt out.',
 'One friendly nudge; respect a no.',
 '[]'),
('tpl.real_estate.event.email', 'Real estate — event invitation email', 'real_estate', 'event', 'email',
 'Open house this weekend: {{featured_product}}',
 'Hi {{first_name}},

You''re invited to our open house for {{featured_product}}.

Come and see the home in person, walk the neighborhood and ask our agents anything about the property, the area or the buying process.

Address, photos and times: {{cta_url}}

No appointment needed, but registering helps us keep it unhurried. Register at {{cta_url}} or call {{phone}}.

See you there,
{{signature}}

—
{{business_name}} · {{address}}
You''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}',
 'Date, times and the listing''s key facts up front (beds, baths, standout features). Describe the property, never the ideal buyer, and include the brokerage name as local rules require.',
 '[{"key": "b", "subject": "Come see {{featured_product}} this weekend", "body": "Hi {{first_name}},\n\nOpen house this weekend: {{featured_product}}. Walk through, ask questions and get a feel for the neighborhood.\n\nRegister at {{cta_url}}.\n\n{{signature}}\n\n—\n{{business_name}} · {{address}}\nYou''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}"}]'),
('tpl.real_estate.event.social', 'Real estate — event invitation social post', 'real_estate', 'event', 'social',
 null,
 'Open house this weekend: {{featured_product}}!

Walk through, meet the {{business_name}} team and ask us anything about the home and the area.

Register at {{cta_url}}.

{{hashtags}}',
 'Lead with the best photo; beds, baths and times in the first lines. Fair housing: features, not people.',
 '[]'),
('tpl.real_estate.event.sms', 'Real estate — event invitation SMS', 'real_estate', 'event', 'sms',
 null,
 '{{business_name}}: Open house this weekend: {{featured_product}}. Register: {{cta_url}} Reply STOP to opt out.',
 'Send to opted-in contacts whose search matches the property.',
 '[]'),
('tpl.real_estate.review_request.email', 'Real estate — review request email', 'real_estate', 'review_request', 'email',
 'How was your experience with {{business_name}}, {{first_name}}?',
 'Hi {{first_name}},

Congratulations again on your move, and thank you for trusting {{business_name}} along the way.

Would you share a short review of your experience? It helps other buyers and sellers in {{city}} choose the right people for one of the biggest decisions they''ll make.

Click here to leave a review: {{cta_url}}

If anything could have gone better, reply to this email; we read every response.

Warm regards,
{{signature}}

—
{{business_name}} · {{address}}
You''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}',
 'Send a week or two after closing or move-in, once settled. Ask every client for an honest review, with no reward, and keep it short.',
 '[{"key": "b", "subject": "{{first_name}}, a quick favor after your move?", "body": "Hi {{first_name}},\n\nWe hope you''re settling in well. Got a minute? Tap here to share an honest review of working with {{business_name}}: {{cta_url}}\n\n{{signature}}\n\n—\n{{business_name}} · {{address}}\nYou''re receiving this because you''re on the {{business_name}} email list. Unsubscribe: {{unsubscribe_url}}"}]'),
('tpl.real_estate.review_request.social', 'Real estate — review request social post', 'real_estate', 'review_request', 'social',
 null,
 'Thank you to all our clients who''ve moved this year. It was a privilege to be part of it.

Worked with {{business_name}}? Tap here to leave a review: {{cta_url}}

{{hashtags}}',
 'Thank clients broadly; only show "sold" photos or client names with permission.',
 '[]'),
('tpl.real_estate.review_request.sms', 'Real estate — review request SMS', 'real_estate', 'review_request', 'sms',
 null,
 '{{business_name}}: Hope you''re settling in! Tap here to review your move: {{cta_url}} Reply STOP to opt out.',
 'One ask after move-in, no incentive.',
 '[]')
on conflict (library_key) do update
set name = excluded.name, industry_category = excluded.industry_category, purpose = excluded.purpose,
    channel = excluded.channel, subject = excluded.subject, body = excluded.body, guidelines = excluded.guidelines,
    variants = excluded.variants
where (library_templates.name, library_templates.industry_category, library_templates.purpose,
       library_templates.channel, library_templates.subject, library_templates.body, library_templates.guidelines,
       library_templates.variants)
    is distinct from (excluded.name, excluded.industry_category, excluded.purpose, excluded.channel,
                      excluded.subject, excluded.body, excluded.guidelines, excluded.variants);

insert into aicrm.library_examples (library_key, industry_category, purpose, channel, subject, content, polarity, annotations, effectiveness) values
('ex.food_beverage.1', 'food_beverage', 'welcome', 'email',
 'Welcome to Hearth & Crumb, Maya',
 'Hi Maya,

Thanks for joining the Hearth & Crumb list. We''re a small neighborhood bakery on Mill Street, and we start at 4 a.m. every day so the first loaves are out of the oven when the doors open at 7.

If you''re new to us, start with the country sourdough. It''s a two-day ferment made with flour from a mill two counties over, and it''s what most of our regulars come in for. Our cardamom buns sell out by 10 on Saturdays, so come early.

Order ahead for pickup at https://hearthandcrumb.example.com/order, or come by and say hello. We''re open Tuesday to Sunday, 7 a.m. to 3 p.m.

See you soon,
Ana and the Hearth & Crumb team

—
Hearth & Crumb Bakery · 214 Mill Street, Riverton
You''re receiving this because you joined our email list. Unsubscribe: https://hearthandcrumb.example.com/unsubscribe',
 'positive',
 '[{"aspect": "specificity", "note": "Concrete details (4 a.m. start, two-day ferment, buns gone by 10 on Saturdays) make the bakery feel real and give a reason to visit early."}, {"aspect": "personalisation", "note": "Greets by first name and recommends one place to start instead of listing the whole menu."}, {"aspect": "cta", "note": "One clear next step with a full ordering link, backed up by opening hours for walk-ins."}, {"aspect": "compliance", "note": "Footer carries the postal address and an unsubscribe link."}]',
 88),
('ex.food_beverage.2', 'food_beverage', 'promotion', 'sms',
 null,
 'Hearth & Crumb: Pumpkin loaves are back Fri-Sun only, $9 each. Order ahead: https://hcb.example.com/pumpkin Reply STOP to opt out.',
 'positive',
 '[{"aspect": "length", "note": "Fits in a single SMS segment with plain characters only."}, {"aspect": "specificity", "note": "Product, days and price in one line: nothing left to guess."}, {"aspect": "compliance", "note": "Identifies the sender first and ends with opt-out instructions."}]',
 84),
('ex.food_beverage.3', 'food_beverage', 'newsletter', 'email',
 'October at Osteria Lucca: truffles and the chef''s table',
 'Hi Daniel,

Here''s what''s new at Osteria Lucca this month.

White truffle season is here. From October 10, Chef Marco is shaving truffles over fresh tajarin at the table, while supplies last.

The chef''s table is back: six seats at the kitchen pass, Thursday to Saturday, with a five-course tasting menu at $85 per person.

A change to our hours: we now open for lunch on Sundays, 12 to 3 p.m.

Reserve a table at https://osterialucca.example.com/reserve or call 555-0148. Chef''s table seats go quickly, so book early if you have a date in mind.

Buon appetito,
Giulia and the Osteria Lucca team

—
Osteria Lucca · 51 Canal Street, Riverton
You''re receiving this because you subscribed to our newsletter. Unsubscribe: https://osterialucca.example.com/unsubscribe',
 'positive',
 '[{"aspect": "structure", "note": "Three short news items (seasonal dish, chef''s table, hours), each a short paragraph, easy to scan."}, {"aspect": "specificity", "note": "Dates, seats, days and price are stated, so readers can decide right away."}, {"aspect": "cta", "note": "Reservation link and phone number, with an honest reason to book early."}, {"aspect": "compliance", "note": "Postal address and unsubscribe link in the footer."}]',
 86),
('ex.food_beverage.4', 'food_beverage', 're_engagement', 'sms',
 null,
 'Osteria Lucca: It''s been a while, Sam! Our fall menu is here, with pumpkin ravioli. Book a table: https://lucca.example.com/book Reply STOP to opt out.',
 'positive',
 '[{"aspect": "personalisation", "note": "First name and a light, friendly acknowledgement of the gap without guilt."}, {"aspect": "specificity", "note": "One concrete reason to come back (a named new dish)."}, {"aspect": "compliance", "note": "Sender named up front and opt-out at the end, all within 160 characters."}]',
 79),
('ex.food_beverage.5', 'food_beverage', 'event', 'social',
 null,
 'Learn to bake the loaf you love.

Our head baker Ana is hosting a hands-on sourdough workshop on Saturday, November 16, from 2 to 5 p.m. You''ll mix and shape your own dough, learn how to keep a starter alive and take home a jar of ours.

$65 per person, 10 spots only, all equipment provided.

Book your spot at https://hearthandcrumb.example.com/workshop

#RivertonEats #Sourdough #BakingClass #ShopLocal',
 'positive',
 '[{"aspect": "specificity", "note": "Date, time, price, capacity and what participants take home are all in the post."}, {"aspect": "tone", "note": "Warm and inviting, led by a person (the head baker) rather than the brand."}, {"aspect": "cta", "note": "Direct booking link; four relevant hashtags rather than a wall of them."}]',
 85),
('ex.food_beverage.6', 'food_beverage', 'review_request', 'sms',
 null,
 'Osteria Lucca: Grazie for dining with us last night! Would you tell others how it went? Tap here to review: https://lucca.example.com/r Reply STOP to opt out.',
 'positive',
 '[{"aspect": "tone", "note": "Gracious and brief; asks for an honest review without incentives or pressure."}, {"aspect": "cta", "note": "One short link, sent the day after the visit while it is fresh."}, {"aspect": "compliance", "note": "Opt-out included and no reward offered for a positive review."}]',
 81),
('ex.food_beverage.7', 'food_beverage', 'promotion', 'social',
 null,
 'Tuesday is pasta night at Osteria Lucca.

Any fresh pasta from the menu with a glass of house wine for $24, every Tuesday in November. Our pick: the pappardelle with slow-cooked beef ragu.

Book your table at https://osterialucca.example.com/reserve or walk in from 5 p.m.

#RivertonEats #PastaNight #OsteriaLucca',
 'positive',
 '[{"aspect": "specificity", "note": "Clear deal (price, what''s included, which nights, how long it runs) in the first lines."}, {"aspect": "tone", "note": "Appetizing and relaxed, with a staff recommendation instead of superlatives."}, {"aspect": "cta", "note": "Booking link plus a walk-in option."}]',
 83),
('ex.food_beverage.8', 'food_beverage', 'event', 'email',
 'Join us for a Piedmont wine dinner on Nov 7',
 'Hi Rachel,

On Thursday, November 7, we''re hosting a Piedmont wine dinner, and we''d love for you to join us.

Chef Marco has built a four-course menu around wines from a small family estate near Alba, and the winemaker, Elena, will be with us to talk through each glass. Expect hand-cut tajarin, braised veal cheek and a hazelnut torta to finish.

When: Thursday, November 7, 7 p.m.
Where: Osteria Lucca, 51 Canal Street
Price: $110 per person, wine pairings included

We''re keeping it to 24 guests. Reserve your seats at https://osterialucca.example.com/wine-dinner or call 555-0148. Please let us know about any allergies when you book.

A presto,
Giulia and the Osteria Lucca team

—
Osteria Lucca · 51 Canal Street, Riverton
You''re receiving this because you subscribed to our newsletter. Unsubscribe: https://osterialucca.example.com/unsubscribe',
 'positive',
 '[{"aspect": "structure", "note": "Date, place and price are set out on their own lines, right after a short enticing description."}, {"aspect": "specificity", "note": "Named dishes, the winemaker attending and a real capacity limit create genuine interest."}, {"aspect": "cta", "note": "Reservation link and phone, with a thoughtful prompt about allergies."}, {"aspect": "compliance", "note": "Address and unsubscribe link in the footer."}]',
 87),
('ex.food_beverage.9', 'food_beverage', 'welcome', 'sms',
 null,
 'Hearth & Crumb: Welcome to our text club, Jo! Expect 2-3 texts a month about new bakes. Order ahead: https://hcb.example.com/order Reply STOP to opt out.',
 'positive',
 '[{"aspect": "personalisation", "note": "Welcomes by name and sets clear expectations about how often texts arrive."}, {"aspect": "length", "note": "One segment, plain characters."}, {"aspect": "compliance", "note": "Sender identified and opt-out instructions included."}]',
 80),
('ex.food_beverage.10', 'food_beverage', 'promotion', 'sms',
 null,
 'HUGE SALE!!!! BEST PIZZA IN TOWN!!! 50% OFF EVERYTHING TODAY ONLY!!! COME NOW BEFORE ITS GONE!!!!',
 'negative',
 '[{"aspect": "tone", "note": "All caps and stacked exclamation marks read as spam and damage the brand."}, {"aspect": "compliance", "note": "No sender name and no opt-out instructions: the two basics every marketing text needs."}, {"aspect": "specificity", "note": "''Best pizza in town'' is an unsupported claim, and the offer has no terms, location or hours."}, {"aspect": "cta", "note": "''Come now'' gives no link, address or way to order."}]',
 12),
('ex.food_beverage.11', 'food_beverage', 'newsletter', 'email',
 'Newsletter',
 'Dear Valued Customer,

We are writing to let you know that we have many great products and services available. Our restaurant is committed to quality, excellence and customer satisfaction, which is our top priority.

We have lots of delicious items on our menu and we are always working hard to improve. We hope to see you soon.

Thank you for your business.

Sincerely,
Management',
 'negative',
 '[{"aspect": "personalisation", "note": "''Dear Valued Customer'' and a ''Management'' sign-off are impersonal and interchangeable."}, {"aspect": "specificity", "note": "Not one dish, date, price or piece of news: nothing a reader could act on."}, {"aspect": "cta", "note": "No call to action, no link and no booking details."}, {"aspect": "compliance", "note": "No postal address and no unsubscribe link in a marketing email."}]',
 20),
('ex.food_beverage.12', 'food_beverage', 'event', 'sms',
 null,
 'Hi from all of us at Hearth & Crumb Bakery!!! We are so excited to tell you that this Sunday we will be hosting our very first Fall Brunch Party in the back garden from 10am until 2pm with live acoustic music, a hot cider bar, a kids'' corner with cookie decorating, a raffle for local charities, plus brand new seasonal pastries including apple cardamom danishes and maple pecan scones, and of course all of our classic breads and cakes will be available too. Tickets are $25 for adults and $10 for kids and include one drink. We can''t wait to see you all there, it''s going to be such a fun day!!!',
 'negative',
 '[{"aspect": "length", "note": "Over 550 characters: four or more SMS segments, and the key facts are buried."}, {"aspect": "compliance", "note": "No opt-out instructions."}, {"aspect": "cta", "note": "No link or way to buy a ticket; the message just ends."}, {"aspect": "structure", "note": "Date, time and price are lost in one run-on sentence; an SMS needs one line and one link."}]',
 22),
('ex.health_wellness.1', 'health_wellness', 'welcome', 'email',
 'Welcome to Brightside, Laura: your first visit',
 'Hi Laura,

Welcome to Brightside Family Dental. We''re glad you''ve chosen us, and we''re looking forward to meeting you on Tuesday.

Your first visit takes about an hour. Here''s what to expect:
- We''ll start with a conversation about your dental history and anything that''s worrying you.
- Dr. Patel will do a full exam and any X-rays you need, and explain what she sees as she goes.
- Before you leave, we''ll talk through your options and costs. Nothing happens without your say-so.

Please bring your photo ID and insurance card. You can save time by completing your forms online before you arrive.

If you feel anxious about dental visits, tell us. We''ll go at your pace and do everything we can to keep you comfortable.

Complete your forms at https://brightsidedental.example.com/forms or call us at 555-0131 with any questions.

See you soon,
The Brightside team

—
Brightside Family Dental · 1420 Maple Avenue, Suite 200, Fairview
You''re receiving this because you registered as a patient. Unsubscribe: https://brightsidedental.example.com/unsubscribe',
 'positive',
 '[{"aspect": "tone", "note": "Reassuring and practical; acknowledges dental anxiety without making promises about pain."}, {"aspect": "structure", "note": "A short list of what happens at the first visit answers the questions new patients actually have."}, {"aspect": "compliance", "note": "Uses ''do everything we can to keep you comfortable'' instead of a ''pain-free'' claim; footer has address and unsubscribe."}, {"aspect": "cta", "note": "One clear task (complete forms) with a link and a phone number."}]',
 90),
('ex.health_wellness.2', 'health_wellness', 'promotion', 'email',
 'New evening appointments at Northgate Physio',
 'Hi Marcus,

If long days at a desk leave your neck and shoulders stiff, our new evening appointments might help you fit care into your week.

From March 4, Northgate Physiotherapy is open until 8 p.m. on Mondays and Wednesdays. To mark the change, new patients can book a 45-minute movement assessment for $60 (usually $95) until March 31.

In your assessment, a physiotherapist will look at how you move, talk about your daily routine and suggest a plan that may help. Everyone is different, so we''ll be honest about what to expect in your case.

Book your assessment at https://northgatephysio.example.com/book or call 555-0177. Most extended health plans cover physiotherapy; check yours before booking.

Take care,
The Northgate Physiotherapy team

—
Northgate Physiotherapy · 77 Northgate Drive, Fairview
You''re receiving this because you subscribed to updates from Northgate Physiotherapy. Unsubscribe: https://northgatephysio.example.com/unsubscribe',
 'positive',
 '[{"aspect": "compliance", "note": "Careful wording (''may help'', ''everyone is different'') instead of promising to fix pain."}, {"aspect": "specificity", "note": "New hours, price, usual price and end date are all stated plainly."}, {"aspect": "personalisation", "note": "Speaks to a recognizable situation (desk work) without assuming a diagnosis."}, {"aspect": "cta", "note": "Booking link and phone number, with a helpful note on insurance coverage."}]',
 84),
('ex.health_wellness.3', 'health_wellness', 'newsletter', 'email',
 'Three small habits for healthier gums',
 'Hi Priya,

Here''s your April update from Brightside Family Dental.

Three small habits for healthier gums
1. Brush for two full minutes, twice a day. Most of us stop at about 45 seconds.
2. Clean between your teeth once a day, with floss or small interdental brushes.
3. Swap your toothbrush or brush head every three months, or sooner if the bristles splay.

Practice news
We''ve welcomed Dr. Alvarez to the team, and we now offer Saturday morning appointments twice a month.

This newsletter is general information, not dental advice for you personally. If you have a specific concern, ask us at your next visit.

Book your next checkup at https://brightsidedental.example.com/book or call 555-0131.

Take care,
The Brightside team

—
Brightside Family Dental · 1420 Maple Avenue, Suite 200, Fairview
You''re receiving this because you''re a Brightside patient. Unsubscribe: https://brightsidedental.example.com/unsubscribe',
 'positive',
 '[{"aspect": "structure", "note": "Clear sections with a numbered list of habits readers can act on today."}, {"aspect": "compliance", "note": "Educational tips with a ''not personal advice'' note and no outcome claims."}, {"aspect": "cta", "note": "Ends with a simple booking link and phone number."}]',
 85),
('ex.health_wellness.4', 'health_wellness', 're_engagement', 'sms',
 null,
 'Brightside Family Dental: Hi Chris, it''s been a year since your last checkup. Book: https://bsd.example.com/book or call 555-0131. Reply STOP to opt out.',
 'positive',
 '[{"aspect": "compliance", "note": "Neutral recall reminder: no treatment details or health information in the text, and opt-out included."}, {"aspect": "tone", "note": "Factual and friendly, with no fear-based warnings."}, {"aspect": "cta", "note": "Two easy ways to book in a single segment."}]',
 80),
('ex.health_wellness.5', 'health_wellness', 'event', 'social',
 null,
 'Spend your days at a desk? Join us for a free posture and movement workshop at Northgate Physiotherapy.

Thursday, May 16, 6:30 to 7:30 p.m. Our physiotherapists will share simple stretches and workstation tips you can use the next day, with time for questions.

Free, but spaces are limited to 20. Register at https://northgatephysio.example.com/workshop

#FairviewEvents #Physiotherapy #DeskLife',
 'positive',
 '[{"aspect": "specificity", "note": "Audience, date, time, capacity and what attendees will learn are all clear."}, {"aspect": "compliance", "note": "Offers practical tips, not promises to fix back or neck problems."}, {"aspect": "cta", "note": "One registration link and a short set of relevant hashtags."}]',
 82),
('ex.health_wellness.6', 'health_wellness', 'review_request', 'sms',
 null,
 'Brightside Family Dental: Thanks for visiting today, Laura! Would you share an honest review? Tap here: https://bsd.example.com/review Reply STOP to opt out.',
 'positive',
 '[{"aspect": "tone", "note": "Grateful and brief; asks for an honest review with no incentive."}, {"aspect": "compliance", "note": "Mentions no treatment details and includes the opt-out."}, {"aspect": "cta", "note": "Single short link, sent the same day."}]',
 81),
('ex.health_wellness.7', 'health_wellness', 'promotion', 'social',
 null,
 'Thinking about a brighter smile before the summer?

This June, Brightside Family Dental is offering in-office whitening for $299 (usually $399) for existing patients. We''ll check that whitening is right for you first, and explain what results to expect: every smile is different.

Book a consultation at https://brightsidedental.example.com/whitening

#FairviewDentist #SmileBright',
 'positive',
 '[{"aspect": "compliance", "note": "Sets honest expectations (''every smile is different'') and checks suitability first, with no guaranteed results."}, {"aspect": "specificity", "note": "Price, usual price, eligibility and month are stated."}, {"aspect": "cta", "note": "Books a consultation rather than pushing the treatment directly."}]',
 80),
('ex.health_wellness.8', 'health_wellness', 'welcome', 'sms',
 null,
 'Northgate Physio: Welcome, Dana! Start your intake form before Thursday: https://ngp.example.com/intake Questions? Call 555-0177. Reply STOP to opt out.',
 'positive',
 '[{"aspect": "cta", "note": "One practical task with a deadline and a link, plus a number for questions."}, {"aspect": "compliance", "note": "No health details in the text; opt-out included."}, {"aspect": "length", "note": "Fits in a single SMS segment."}]',
 78),
('ex.health_wellness.9', 'health_wellness', 'review_request', 'email',
 'How was your care at Northgate, Tom?',
 'Hi Tom,

Thank you for choosing Northgate Physiotherapy over the last few weeks. We hope you''re moving more comfortably.

Would you take a minute to share an honest review of your experience? Reviews help people in Fairview find care they can trust, and they help our team keep improving.

Click here to leave your review: https://northgatephysio.example.com/review

Please keep personal health details out of public reviews. And if anything about your care fell short, reply to this email or call 555-0177; we''d really like to hear about it.

With thanks,
The Northgate Physiotherapy team

—
Northgate Physiotherapy · 77 Northgate Drive, Fairview
You''re receiving this because you''re a Northgate Physiotherapy patient. Unsubscribe: https://northgatephysio.example.com/unsubscribe',
 'positive',
 '[{"aspect": "tone", "note": "Warm and sincere, with no pressure for a positive rating."}, {"aspect": "compliance", "note": "Reminds the patient not to post health details; footer has address and unsubscribe."}, {"aspect": "cta", "note": "A single review link, plus a private channel for complaints."}]',
 83),
('ex.health_wellness.10', 'health_wellness', 'promotion', 'email',
 'CURE your gum disease TODAY!!!',
 'Hi there,

Tired of living with gum disease? Our revolutionary laser treatment CURES gum disease in just one visit, with GUARANTEED RESULTS!

It''s completely pain-free, so there''s no reason to wait. Thousands of happy patients can''t be wrong.

Book now at https://brightsidedental.example.com/laser before this amazing offer disappears!

The Brightside team

—
Brightside Family Dental · 1420 Maple Avenue, Suite 200, Fairview
Unsubscribe: https://brightsidedental.example.com/unsubscribe',
 'negative',
 '[{"aspect": "compliance", "note": "''Cures'', ''guaranteed results'' and ''pain-free'' are regulated health claims a dental practice must not make."}, {"aspect": "specificity", "note": "''Thousands of happy patients'' is unsubstantiated, and the offer has no price or terms."}, {"aspect": "tone", "note": "Hype and capitals undermine the trust a health provider depends on."}, {"aspect": "personalisation", "note": "''Hi there'' with no name, sent to everyone regardless of their dental needs."}]',
 15),
('ex.health_wellness.11', 'health_wellness', 'event', 'social',
 null,
 'Huge congratulations to Maria Gonzalez, who finally finished her root canal treatment with Dr. Patel today! Maria was SO nervous when she first came in, but look at that smile now. So proud of you, Maria!',
 'negative',
 '[{"aspect": "compliance", "note": "Names a patient and discloses her treatment: a serious privacy breach without written consent."}, {"aspect": "cta", "note": "No call to action or reason for the audience to do anything."}, {"aspect": "tone", "note": "Well-meant, but it exposes a patient''s anxiety and health information publicly."}]',
 10),
('ex.health_wellness.12', 'health_wellness', 're_engagement', 'sms',
 null,
 'Brightside Dental: Untreated plaque can lead to gum disease, tooth loss and even heart problems. Don''t wait until it''s too late! It has been 14 months since your last cleaning and your X-rays showed early signs of decay on two molars. Our schedule is filling up fast so call us right away at 555-0131 to book before it''s too late.',
 'negative',
 '[{"aspect": "tone", "note": "Fear-based scare tactics (''before it''s too late'', heart problems) instead of a friendly reminder."}, {"aspect": "compliance", "note": "Discloses personal health information by text and has no opt-out instructions."}, {"aspect": "length", "note": "Well over 160 characters: three segments for a message that needs one."}]',
 18),
('ex.fitness.1', 'fitness', 'welcome', 'email',
 'Welcome to Ironbark, Jordan: your first week',
 'Hi Jordan,

Welcome to Ironbark Strength Club! Signing up is the hardest part, and you''ve done it.

Here''s a simple plan for your first week:
- Book your free intro session. Coach Leah will show you around, learn your goals and go through the basic lifts with you.
- Try two classes. Foundations (Mon/Wed 6 p.m.) is built for new members; Strength 101 on Saturday mornings is the friendliest in the house.
- Tell us about old injuries. Every movement has a scaled option, and your coach can only adapt what they know about.

Bring water, a towel and shoes with a flat sole. Lockers are free; just bring a padlock.

Book your intro session at https://ironbark.example.com/intro or reply to this email with any questions.

See you on the floor,
Leah and the Ironbark coaches

—
Ironbark Strength Club · 300 Foundry Lane, Millbrook
You''re receiving this because you joined Ironbark Strength Club. Unsubscribe: https://ironbark.example.com/unsubscribe',
 'positive',
 '[{"aspect": "structure", "note": "A three-step first-week plan turns a nervous first visit into clear, doable steps."}, {"aspect": "specificity", "note": "Named coach, class times and practical kit notes answer real beginner questions."}, {"aspect": "tone", "note": "Encouraging and inclusive; no weight-loss or body-transformation promises."}, {"aspect": "compliance", "note": "Footer with postal address and unsubscribe link."}]',
 89),
('ex.fitness.2', 'fitness', 'promotion', 'sms',
 null,
 'Stillwater Yoga: New student special, 3 weeks of unlimited classes for $49, through Jan 31. Start here: https://swy.example.com/new Reply STOP to opt out.',
 'positive',
 '[{"aspect": "specificity", "note": "Offer, price and deadline in one line."}, {"aspect": "tone", "note": "Calm and inviting, with no body-image language or pressure."}, {"aspect": "compliance", "note": "Sender named and opt-out included; one segment."}]',
 83),
('ex.fitness.3', 'fitness', 'newsletter', 'email',
 'New slow flow class and a tip for tight hamstrings',
 'Hi Sofia,

Here''s what''s happening at Stillwater Yoga this month.

New on the timetable: a slow flow class on Tuesdays at 7:30 p.m., designed to help you wind down after work. All levels are welcome, and props are provided.

Teacher spotlight: meet Hannah, who has been teaching yin and restorative yoga for eight years. Her favorite cue? "Find the version of the pose that feels kind today."

A tip from the studio: if your hamstrings feel tight in forward folds, bend your knees generously. It keeps the length in your spine, and the pose still works.

Reserve your spot in Tuesday''s slow flow at https://stillwateryoga.example.com/schedule.

See you on the mat,
The Stillwater team

—
Stillwater Yoga · 19 Elm Street, Millbrook
You''re receiving this because you subscribed to Stillwater Yoga updates. Unsubscribe: https://stillwateryoga.example.com/unsubscribe',
 'positive',
 '[{"aspect": "structure", "note": "Three short sections (new class, teacher spotlight, a practical tip) make it easy to read."}, {"aspect": "tone", "note": "Gentle and welcoming, matching a yoga studio''s voice."}, {"aspect": "cta", "note": "Ends with a specific booking action for the new class."}, {"aspect": "compliance", "note": "Postal address and unsubscribe link in the footer."}]',
 86),
('ex.fitness.4', 'fitness', 're_engagement', 'email',
 'Your spot is still here, Priya',
 'Hi Priya,

We haven''t seen you at Ironbark for a few weeks, and that''s completely OK. Work, family and life in general don''t always leave room for training.

When you''re ready, coming back is easy. Pick one class this week, tell your coach you''ve had a break and they''ll scale the session so it feels good, not punishing. Foundations on Monday at 6 p.m. is a great place to restart.

If now isn''t the right time, you can pause your membership for up to two months at no cost. Just reply to this email.

Book a class at https://ironbark.example.com/schedule whenever you''re ready.

We''re here when you are,
Leah and the Ironbark coaches

—
Ironbark Strength Club · 300 Foundry Lane, Millbrook
You''re receiving this because you''re an Ironbark member. Unsubscribe: https://ironbark.example.com/unsubscribe',
 'positive',
 '[{"aspect": "tone", "note": "Zero guilt: acknowledges that life gets busy and makes the first step back small."}, {"aspect": "personalisation", "note": "Speaks to a returning member directly and suggests a specific class to restart with."}, {"aspect": "specificity", "note": "Offers a real alternative (a free membership pause) instead of pressure."}, {"aspect": "cta", "note": "Clear booking link with no deadline pressure."}]',
 84),
('ex.fitness.5', 'fitness', 'event', 'social',
 null,
 'Community deadlift day at Ironbark!

Saturday, March 8, 10 a.m. to 1 p.m. Members and first-timers welcome: our coaches will teach the lift from scratch and help everyone find a weight that feels right. Every lift raises $1 for Millbrook Food Bank.

Free to join. RSVP at https://ironbark.example.com/deadlift-day

#MillbrookFitness #StrengthTraining #CommunityWorkout',
 'positive',
 '[{"aspect": "specificity", "note": "Date, time, who it''s for and the charity tie-in are all clear."}, {"aspect": "tone", "note": "Energetic but inclusive: coached from scratch, weights that feel right."}, {"aspect": "cta", "note": "Single RSVP link and three relevant hashtags."}]',
 84),
('ex.fitness.6', 'fitness', 'review_request', 'sms',
 null,
 'Stillwater Yoga: Thanks for practicing with us, Amy! Would you share an honest review? Tap here: https://swy.example.com/review Reply STOP to opt out.',
 'positive',
 '[{"aspect": "tone", "note": "Warm thanks before the ask; no incentive or pressure for a positive rating."}, {"aspect": "cta", "note": "One short link."}, {"aspect": "compliance", "note": "Sender and opt-out included within one segment."}]',
 79),
('ex.fitness.7', 'fitness', 'promotion', 'social',
 null,
 'Bring a friend week at Ironbark Strength Club!

February 10 to 16, every member can bring a friend to any class, free. New to lifting? Your friend gets the same coaching you do, with scaled options for every movement.

Tag the friend you''d train with, then book their spot at https://ironbark.example.com/friend

#MillbrookFitness #TrainTogether',
 'positive',
 '[{"aspect": "specificity", "note": "Dates and what''s included are clear; ''free'' is true here."}, {"aspect": "cta", "note": "Asks for a tag (engagement) and gives a booking link (conversion)."}, {"aspect": "tone", "note": "Social and fun, about training together rather than body image."}]',
 81),
('ex.fitness.8', 'fitness', 'event', 'email',
 'Restorative yoga and sound, Sunday April 13',
 'Hi Noah,

Join us for a Sunday afternoon of restorative yoga and live sound at Stillwater Yoga.

Hannah will guide a slow, supported practice using bolsters and blankets, followed by 30 minutes of relaxation with singing bowls played by local musician Ray Okoye. No experience needed; if you can lie down, you can do this.

When: Sunday, April 13, 3 to 5 p.m.
Where: Stillwater Yoga, 19 Elm Street
Price: $40, or $30 for members

We keep this workshop to 16 mats so there''s plenty of space. Reserve your mat at https://stillwateryoga.example.com/workshops.

See you there,
The Stillwater team

—
Stillwater Yoga · 19 Elm Street, Millbrook
You''re receiving this because you subscribed to Stillwater Yoga updates. Unsubscribe: https://stillwateryoga.example.com/unsubscribe',
 'positive',
 '[{"aspect": "specificity", "note": "Teacher, musician, date, time, prices and capacity are all included."}, {"aspect": "tone", "note": "Calm and reassuring for beginners (''if you can lie down, you can do this'')."}, {"aspect": "structure", "note": "Key details set out on separate lines for quick scanning."}, {"aspect": "cta", "note": "A clear reservation link with an honest capacity limit."}]',
 85),
('ex.fitness.9', 'fitness', 'welcome', 'social',
 null,
 'A warm welcome to the 14 new students who joined Stillwater Yoga this month!

Nervous about your first class? Arrive 10 minutes early, grab a mat and blocks from the shelf, and let your teacher know it''s your first time. We''ll take it from there.

New here? Book your first class at https://stillwateryoga.example.com/new

#MillbrookYoga #YogaForEveryone',
 'positive',
 '[{"aspect": "specificity", "note": "Practical first-class tips address the most common worry."}, {"aspect": "tone", "note": "Welcoming to beginners without singling anyone out."}, {"aspect": "cta", "note": "One booking link for newcomers."}]',
 80),
('ex.fitness.10', 'fitness', 'promotion', 'social',
 null,
 'LOSE 20 LBS IN 30 DAYS, GUARANTEED!!! Our miracle fat-burning bootcamp melts belly fat FAST. No excuses, no results = no life! Summer bodies are made NOW. DM us!!!',
 'negative',
 '[{"aspect": "compliance", "note": "''Guaranteed'' weight loss and ''miracle'' fat-burning are unsubstantiated health claims."}, {"aspect": "tone", "note": "Shaming, shouty copy (''no excuses'', ''summer bodies'') alienates most potential members."}, {"aspect": "specificity", "note": "No price, schedule, location or who the program suits."}, {"aspect": "cta", "note": "''DM us'' with no link or booking path."}]',
 10),
('ex.fitness.11', 'fitness', 're_engagement', 'sms',
 null,
 'Ironbark: Summer''s coming and those holiday pounds aren''t going anywhere on their own. Don''t be the one hiding at the beach! Get back in here.',
 'negative',
 '[{"aspect": "tone", "note": "Body-shaming and guilt drive people away and reflect badly on the gym."}, {"aspect": "compliance", "note": "No opt-out instructions."}, {"aspect": "cta", "note": "No link, class or time: ''get back in here'' isn''t a usable next step."}]',
 15),
('ex.fitness.12', 'fitness', 'newsletter', 'email',
 'Update',
 'Hello members,

This month we have been very busy at the gym. There are lots of classes on the timetable and our coaches are working hard. Fitness is important for everyone and we believe in a healthy lifestyle.

Remember to stay hydrated and keep up the good work.

Thanks,
The Gym',
 'negative',
 '[{"aspect": "specificity", "note": "No class names, dates, times or news: nothing readers can act on."}, {"aspect": "cta", "note": "No call to action or link."}, {"aspect": "compliance", "note": "No postal address or unsubscribe link."}, {"aspect": "personalisation", "note": "Generic greeting and a sign-off that doesn''t even name the gym."}]',
 25),
('ex.home_services.1', 'home_services', 'welcome', 'email',
 'Thanks for choosing Blue Heron, Karen',
 'Hi Karen,

Thanks for choosing Blue Heron Plumbing & Heating. We know it takes trust to let someone into your home, and we don''t take that lightly.

Here''s how we work:
- You''ll get a text with your technician''s name and photo when they''re on the way.
- We quote a flat price before we start, so the number you approve is the number you pay.
- We wear shoe covers, protect your floors and clean up before we leave.

Save our number, 555-0192, somewhere handy. For a burst pipe or a no-heat emergency, we answer around the clock.

Book your first service at https://blueheron.example.com/book, or call us Monday to Friday, 7 a.m. to 6 p.m.

Thanks again,
Mike Alvarez, owner

—
Blue Heron Plumbing & Heating · 2150 Industrial Parkway, Unit 4, Cedar Falls
You''re receiving this because you signed up at blueheron.example.com. Unsubscribe: https://blueheron.example.com/unsubscribe',
 'positive',
 '[{"aspect": "specificity", "note": "Flat-rate pricing, technician photo texts and shoe covers are concrete trust signals, not slogans."}, {"aspect": "tone", "note": "Plain-spoken and personal, signed by the owner."}, {"aspect": "cta", "note": "Booking link plus the emergency number, with hours stated."}, {"aspect": "compliance", "note": "Footer has the postal address and unsubscribe link."}]',
 88),
('ex.home_services.2', 'home_services', 'promotion', 'sms',
 null,
 'Blue Heron Plumbing & Heating: Furnace tune-up $89 (reg. $129) through Oct 31. Book your visit: https://bhph.example.com/tuneup Reply STOP to opt out.',
 'positive',
 '[{"aspect": "specificity", "note": "Service, sale price, regular price and deadline in one line."}, {"aspect": "tone", "note": "Calm and factual; no scare tactics about breakdowns."}, {"aspect": "compliance", "note": "Sender and opt-out included, one segment."}]',
 84),
('ex.home_services.3', 'home_services', 'newsletter', 'email',
 'Your fall lawn checklist from Greenline',
 'Hi Ben,

Fall is the best time to set your lawn up for next spring. Here''s our checklist for the next six weeks:

1. Keep mowing until growth stops, lowering the blade a notch for the last two cuts.
2. Rake or mulch fallen leaves weekly, so they don''t smother the grass.
3. Aerate and overseed thin patches while the soil is still warm.
4. Apply a fall fertilizer before the first hard frost.

Prefer to leave it to us? Our fall cleanup package covers leaf removal, a final mow and gutter clearing, from $180 for most Cedar Falls yards.

Book your fall cleanup at https://greenlinelawn.example.com/fall or call 555-0123.

Happy raking,
The Greenline team

—
Greenline Lawn & Garden · 88 Orchard Road, Cedar Falls
You''re receiving this because you subscribed to Greenline''s seasonal tips. Unsubscribe: https://greenlinelawn.example.com/unsubscribe',
 'positive',
 '[{"aspect": "structure", "note": "A numbered, seasonal checklist people can act on themselves, followed by a soft offer."}, {"aspect": "specificity", "note": "Clear steps and a ''from'' price for the package."}, {"aspect": "cta", "note": "Booking link and phone number at the end."}, {"aspect": "compliance", "note": "Footer with postal address and unsubscribe link."}]',
 86),
('ex.home_services.4', 'home_services', 're_engagement', 'sms',
 null,
 'Blue Heron Plumbing & Heating: Hi Paul, your water heater is due for its yearly flush. Book: https://bhph.example.com/book Reply STOP to opt out.',
 'positive',
 '[{"aspect": "personalisation", "note": "Refers to the actual service and timing from the customer''s history."}, {"aspect": "tone", "note": "A helpful maintenance reminder, not a warning."}, {"aspect": "compliance", "note": "Sender and opt-out included, under 160 characters."}]',
 80),
('ex.home_services.5', 'home_services', 'event', 'social',
 null,
 'Free spring planting workshop at Greenline!

Saturday, April 5, 10 to 11:30 a.m., at our garden yard on Orchard Road. Our crew will show you how to prep beds, choose plants that thrive in local clay soil and set up simple drip irrigation. Coffee and kids'' seed-planting corner included.

Register at https://greenlinelawn.example.com/workshop (30 spots).

#CedarFalls #SpringGardening #Gardening',
 'positive',
 '[{"aspect": "specificity", "note": "Date, time, place, topics and capacity are all there."}, {"aspect": "tone", "note": "Helpful and community-minded: value first, selling second."}, {"aspect": "cta", "note": "Registration link with an honest limit."}]',
 83),
('ex.home_services.6', 'home_services', 'review_request', 'sms',
 null,
 'Greenline Lawn & Garden: Thanks for having us out today, Lisa! Tap here to leave a quick review: https://glg.example.com/review Reply STOP to opt out.',
 'positive',
 '[{"aspect": "tone", "note": "Friendly and sent the same day, while the job is fresh."}, {"aspect": "cta", "note": "One short review link; no incentive offered."}, {"aspect": "compliance", "note": "Opt-out instructions included."}]',
 80),
('ex.home_services.7', 'home_services', 'promotion', 'social',
 null,
 'Thin, patchy lawn after the summer heat?

September is aeration and overseeding month at Greenline. Core aeration plus overseeding with a drought-tolerant seed blend is $149 for yards up to 5,000 sq ft, booked by September 30.

Book your spot at https://greenlinelawn.example.com/aeration or call 555-0123.

#CedarFalls #LawnCare',
 'positive',
 '[{"aspect": "specificity", "note": "Problem, service, price, size limit and deadline are all clear."}, {"aspect": "cta", "note": "Booking link and phone number."}, {"aspect": "tone", "note": "Practical and seasonal, no hype."}]',
 81),
('ex.home_services.8', 'home_services', 'review_request', 'email',
 'How did Carlos do, Angela?',
 'Hi Angela,

Thanks for having Carlos from Blue Heron out to replace your kitchen faucet on Tuesday. We hope everything''s working just as it should.

If you have a minute, would you share an honest review of the visit? Reviews help your neighbors in Cedar Falls find a plumber they can trust, and Carlos reads every one.

Click here to leave a review: https://blueheron.example.com/review

If anything isn''t right, call us at 555-0192 and we''ll come back and take a look.

Thanks,
Mike Alvarez, owner

—
Blue Heron Plumbing & Heating · 2150 Industrial Parkway, Unit 4, Cedar Falls
You''re receiving this because you''re a Blue Heron customer. Unsubscribe: https://blueheron.example.com/unsubscribe',
 'positive',
 '[{"aspect": "personalisation", "note": "Names the technician, the job and the day, so it clearly isn''t a mass mailing."}, {"aspect": "tone", "note": "Warm and honest; asks for a review without steering the rating."}, {"aspect": "cta", "note": "One review link plus a direct line if something is wrong."}, {"aspect": "compliance", "note": "Address and unsubscribe in the footer."}]',
 85),
('ex.home_services.9', 'home_services', 'newsletter', 'social',
 null,
 'Freezing nights are coming. Three ways to protect your pipes:

1. Disconnect garden hoses and shut off outdoor taps from inside.
2. Let a cold tap drip on the coldest nights.
3. Open cabinet doors under sinks on outside walls.

Save this post. If a pipe does freeze, call Blue Heron at 555-0192, day or night.

#CedarFalls #HomeTips #WinterReady',
 'positive',
 '[{"aspect": "structure", "note": "A short numbered list that''s easy to save and share."}, {"aspect": "specificity", "note": "Practical, accurate steps rather than fear-based warnings."}, {"aspect": "cta", "note": "''Save this post'' drives engagement; the phone number is there when it''s needed."}]',
 82),
('ex.home_services.10', 'home_services', 'promotion', 'sms',
 null,
 'URGENT!!! YOUR PIPES COULD BURST TONIGHT!!! DON''T WAIT UNTIL YOUR HOUSE FLOODS. CALL NOW BEFORE IT''S TOO LATE!!!',
 'negative',
 '[{"aspect": "tone", "note": "Fear-mongering in capitals feels like a scam and erodes trust."}, {"aspect": "compliance", "note": "No sender name and no opt-out instructions."}, {"aspect": "cta", "note": "''Call now'' without a number or link is not actionable."}, {"aspect": "specificity", "note": "No service, price or reason the reader''s pipes are at risk."}]',
 12),
('ex.home_services.11', 'home_services', 'promotion', 'social',
 null,
 'Cheapest plumber in the state, 100% guaranteed! We''re risk-free and we fix everything, every time, no questions asked. Why go anywhere else? Best plumbers in the country!!!',
 'negative',
 '[{"aspect": "compliance", "note": "''100% guaranteed'', ''risk-free'' and ''cheapest in the state'' are claims the business can''t substantiate."}, {"aspect": "specificity", "note": "No service, price, area or terms."}, {"aspect": "cta", "note": "No booking link or phone number."}]',
 18),
('ex.home_services.12', 'home_services', 'welcome', 'email',
 'Welcome',
 'Hello,

Welcome to our company. We provide quality home services at affordable prices. Our team is professional and experienced and we are committed to customer satisfaction.

Please contact us if you need anything.

Regards',
 'negative',
 '[{"aspect": "specificity", "note": "Could be any company: no name, services, area or what happens next."}, {"aspect": "cta", "note": "''Contact us if you need anything'' without a number or link is not a call to action."}, {"aspect": "compliance", "note": "No postal address and no unsubscribe link."}, {"aspect": "personalisation", "note": "No first name and no signature from a real person."}]',
 28),
('ex.automotive.1', 'automotive', 'welcome', 'email',
 'Welcome to Castle Rock Auto Care, Dana',
 'Hi Dana,

Thanks for bringing your car to Castle Rock Auto Care. We''re an independent, family-run shop, and we''ve been fixing cars on Quarry Road since 1998.

Here''s what you can count on from us:
- We inspect first and show you what we find, with photos sent to your phone.
- You approve a written estimate before any work begins. No surprise charges.
- We''ll remind you when your next oil change or inspection is coming up.

Need a ride while your car is with us? Our shuttle covers anywhere within five miles.

Book your next service at https://castlerockauto.example.com/book or call 555-0158. We''re open Monday to Friday 7:30 a.m. to 6 p.m., and Saturdays 8 a.m. to noon.

Drive safe,
Tony and the Castle Rock team

—
Castle Rock Auto Care · 845 Quarry Road, Ashford
You''re receiving this because you''re a Castle Rock customer. Unsubscribe: https://castlerockauto.example.com/unsubscribe',
 'positive',
 '[{"aspect": "specificity", "note": "Photo inspections, written estimates and a shuttle radius are concrete reasons to trust the shop."}, {"aspect": "tone", "note": "Confident and straightforward, from a named owner."}, {"aspect": "cta", "note": "Booking link, phone number and opening hours."}, {"aspect": "compliance", "note": "Postal address and unsubscribe link in the footer."}]',
 87),
('ex.automotive.2', 'automotive', 'promotion', 'sms',
 null,
 'Castle Rock Auto Care: Winter check $39.95: battery, tires, brakes and wipers, through Dec 15. Book: https://cra.example.com/winter Reply STOP to opt out.',
 'positive',
 '[{"aspect": "specificity", "note": "Price, what''s included and the deadline, all in one segment."}, {"aspect": "cta", "note": "Short booking link."}, {"aspect": "compliance", "note": "Sender name and opt-out included."}]',
 83),
('ex.automotive.3', 'automotive', 'newsletter', 'email',
 'Two quick checks before winter driving',
 'Hi Marcus,

Here''s your November car care update from Castle Rock.

Check your tread with a quarter
Slide a quarter into your tire''s tread, Washington''s head first. If you can see the top of his head, your tread is getting shallow and it''s time to think about new tires before winter.

What your dashboard lights mean
Yellow or amber lights usually mean "check soon"; red means "stop when it''s safe". If a light comes on and you''re not sure, call us and we''ll tell you whether it can wait.

Shop news
We''ve added a second alignment machine, so same-day alignments are now available most weekdays.

Book your winter check at https://castlerockauto.example.com/book or call 555-0158.

Drive safe,
Tony and the Castle Rock team

—
Castle Rock Auto Care · 845 Quarry Road, Ashford
You''re receiving this because you subscribed to Castle Rock''s car care tips. Unsubscribe: https://castlerockauto.example.com/unsubscribe',
 'positive',
 '[{"aspect": "structure", "note": "Short headed sections: two genuinely useful tips and one piece of shop news."}, {"aspect": "specificity", "note": "The quarter test is practical and memorable; the warning-light advice is accurate and calm."}, {"aspect": "cta", "note": "Seasonal booking prompt at the end."}, {"aspect": "compliance", "note": "Footer with address and unsubscribe."}]',
 86),
('ex.automotive.4', 'automotive', 're_engagement', 'sms',
 null,
 'Castle Rock Auto Care: Hi Dana, your car is due for its 30,000-mile service. Book a time: https://cra.example.com/book Reply STOP to opt out.',
 'positive',
 '[{"aspect": "personalisation", "note": "Based on the customer''s actual mileage and service history, not a blanket blast."}, {"aspect": "tone", "note": "Factual and helpful, with no scare tactics."}, {"aspect": "compliance", "note": "Sender and opt-out included in a single segment."}]',
 81),
('ex.automotive.5', 'automotive', 'event', 'social',
 null,
 'Electric test drive weekend at Lakeside Motors!

Saturday and Sunday, May 17-18, 10 a.m. to 4 p.m. Take a 20-minute drive in any of our electric and hybrid models, ask our product specialists about charging at home and on the road, and see a home charger install demo.

Bring your driver''s license. No appointment needed, but booking a slot skips the wait: https://lakesidemotors.example.com/ev-weekend

#Ashford #ElectricVehicles #TestDrive',
 'positive',
 '[{"aspect": "specificity", "note": "Dates, hours, drive length and what to bring are all stated."}, {"aspect": "tone", "note": "Informative rather than pushy; focuses on answering questions about charging."}, {"aspect": "cta", "note": "Booking link with a clear benefit (skip the wait)."}]',
 82),
('ex.automotive.6', 'automotive', 'review_request', 'sms',
 null,
 'Castle Rock Auto Care: Thanks for coming in today, Sam! Tap here to tell us how we did: https://cra.example.com/review Reply STOP to opt out.',
 'positive',
 '[{"aspect": "tone", "note": "Brief and friendly, sent the same day."}, {"aspect": "cta", "note": "One link; asks for honest feedback with no incentive."}, {"aspect": "compliance", "note": "Opt-out included."}]',
 80),
('ex.automotive.7', 'automotive', 'promotion', 'email',
 '$80 off winter tires until Nov 30',
 'Hi Elena,

Winter tires make a real difference to braking and grip on cold, icy roads, and this month the Lakeside Motors service center is making the switch easier.

Until November 30, get $80 off any set of four winter tires, with mounting and balancing included. Already have winter tires? We''ll swap and store your summer set for $60.

Our service advisors can tell you which tires suit your car and how you drive, and we''ll check your brakes and battery while the car is on the lift.

Book your tire appointment at https://lakesidemotors.example.com/service or call 555-0186. Saturday slots go first.

Thanks,
The Lakeside Motors service team

—
Lakeside Motors · 1200 Lakeshore Boulevard, Ashford
You''re receiving this because you''re a Lakeside Motors service customer. Unsubscribe: https://lakesidemotors.example.com/unsubscribe',
 'positive',
 '[{"aspect": "specificity", "note": "Offer amount, what''s included, the alternative and the end date are clear."}, {"aspect": "tone", "note": "Safety benefit stated plainly, without fear."}, {"aspect": "cta", "note": "Booking link and phone number with an honest nudge about Saturday demand."}, {"aspect": "compliance", "note": "Address and unsubscribe in the footer."}]',
 84),
('ex.automotive.8', 'automotive', 'event', 'email',
 'Free car care clinic for new drivers, Mar 22',
 'Hi Rob,

Got a new driver in the family? Bring them to our free car care clinic for new drivers.

In one hour, our technicians will show them how to check oil and tire pressure, change a wiper blade, jump-start a battery safely and what each dashboard warning light means. They''ll leave with a glovebox checklist and more confidence on the road.

When: Saturday, March 22, 10 to 11 a.m.
Where: Castle Rock Auto Care, 845 Quarry Road
Cost: free, parents welcome

We have room for 15 drivers. Reserve a spot at https://castlerockauto.example.com/clinic or call 555-0158.

Tony and the Castle Rock team

—
Castle Rock Auto Care · 845 Quarry Road, Ashford
You''re receiving this because you''re a Castle Rock customer. Unsubscribe: https://castlerockauto.example.com/unsubscribe',
 'positive',
 '[{"aspect": "specificity", "note": "Audience, skills covered, date, time, cost and capacity are all stated."}, {"aspect": "structure", "note": "Logistics set out line by line under a short, benefit-led description."}, {"aspect": "cta", "note": "Reservation link and phone number."}, {"aspect": "compliance", "note": "Footer with address and unsubscribe."}]',
 85),
('ex.automotive.9', 'automotive', 'review_request', 'email',
 'How was buying your new car, Grace?',
 'Hi Grace,

Congratulations on your new car, and thank you for choosing Lakeside Motors. We hope the first week behind the wheel has been a good one.

Would you share an honest review of your buying experience? It helps other drivers in Ashford decide where to shop, and it tells our team what to keep doing and what to improve.

Click here to leave a review: https://lakesidemotors.example.com/review

Questions about your car''s features or your first service? Call Jamie, your sales advisor, at 555-0186.

Thanks again,
The Lakeside Motors team

—
Lakeside Motors · 1200 Lakeshore Boulevard, Ashford
You''re receiving this because you purchased a vehicle from Lakeside Motors. Unsubscribe: https://lakesidemotors.example.com/unsubscribe',
 'positive',
 '[{"aspect": "personalisation", "note": "Sent a week after purchase and names the customer''s sales advisor."}, {"aspect": "tone", "note": "Congratulatory and sincere; asks for honesty, not five stars."}, {"aspect": "cta", "note": "One review link plus a helpful contact for follow-up questions."}]',
 82),
('ex.automotive.10', 'automotive', 'promotion', 'social',
 null,
 'GUARANTEED APPROVAL!!! Bad credit? No credit? NO PROBLEM! $0 down, drive home TODAY in the car of your dreams!!! Lowest prices in the state, we beat ANY deal!!!',
 'negative',
 '[{"aspect": "compliance", "note": "''Guaranteed approval'' and ''$0 down'' without the required financing disclosures (APR, term, conditions) break advertising rules for credit."}, {"aspect": "tone", "note": "Shouty, high-pressure copy that reads as a bait-and-switch."}, {"aspect": "specificity", "note": "''Lowest prices in the state'' and ''beat any deal'' are unsubstantiated."}, {"aspect": "cta", "note": "No link, number or address."}]',
 12),
('ex.automotive.11', 'automotive', 'review_request', 'sms',
 null,
 'Castle Rock: Leave us a 5-star review on Google and get $10 off your next oil change! Only 5-star reviews qualify.',
 'negative',
 '[{"aspect": "compliance", "note": "Paying for reviews and asking only for five stars breaks review platform rules and consumer protection guidance."}, {"aspect": "tone", "note": "Turns a request for honest feedback into a transaction, which makes every review look bought."}, {"aspect": "cta", "note": "No review link and no opt-out instructions, so it is neither actionable nor compliant."}]',
 18),
('ex.automotive.12', 'automotive', 'promotion', 'sms',
 null,
 'Hello valued customer, this is a friendly reminder from the service department that we are currently running a number of special offers on oil changes, tire rotations, brake inspections, alignment checks, battery replacements, cabin air filters and much more, so please feel free to give us a call or stop in at your convenience during our normal business hours to learn more about all of the savings available this month. Reply STOP to opt out.',
 'negative',
 '[{"aspect": "length", "note": "Around 440 characters: three SMS segments for a message with no clear point."}, {"aspect": "specificity", "note": "Lists services but no actual offer, price or deadline."}, {"aspect": "compliance", "note": "Never says which business is texting."}, {"aspect": "cta", "note": "''Give us a call or stop in'' with no number, link or address."}]',
 25),
('ex.retail.1', 'retail', 'welcome', 'email',
 'Welcome to Paper Lantern Books, Olivia',
 'Hi Olivia,

Welcome to Paper Lantern Books! We''re an independent bookshop on Market Street, with about 9,000 books chosen one by one by our five booksellers.

Here''s what you''ll get from us, about twice a month:
- Staff picks, with an honest line on who each book is for.
- First word on author events, which often fill up within days.
- Subscriber-only offers a few times a year.

Not sure what to read next? Reply to this email with the last book you loved, and one of us will send you three suggestions. Really.

Visit us at the shop, open every day 10 a.m. to 7 p.m., or shop online at https://paperlanternbooks.example.com.

Happy reading,
Nora and the Paper Lantern booksellers

—
Paper Lantern Books · 63 Market Street, Oldbridge
You''re receiving this because you joined our mailing list. Unsubscribe: https://paperlanternbooks.example.com/unsubscribe',
 'positive',
 '[{"aspect": "personalisation", "note": "The ''reply with your last favorite book'' offer creates a genuine one-to-one conversation."}, {"aspect": "specificity", "note": "Sets expectations (what arrives, how often) and gives real details about the shop."}, {"aspect": "cta", "note": "Reply, visit or shop online: each path is clear and easy."}, {"aspect": "compliance", "note": "Footer with postal address and unsubscribe link."}]',
 90),
('ex.retail.2', 'retail', 'promotion', 'sms',
 null,
 'Fern & Foxglove: Mother''s Day bouquets from $45. Pre-order by May 8 for free local delivery: https://ffx.example.com/mom Reply STOP to opt out.',
 'positive',
 '[{"aspect": "specificity", "note": "Occasion, starting price, deadline and delivery terms in one segment."}, {"aspect": "cta", "note": "Pre-order link with a clear reason to act before the deadline."}, {"aspect": "compliance", "note": "Sender and opt-out included."}]',
 85),
('ex.retail.3', 'retail', 'newsletter', 'email',
 'This month''s staff picks from Paper Lantern',
 'Hi Sam,

Here are this month''s staff picks from Paper Lantern Books.

Nora''s pick: The Lighthouse Ledger by M. R. Okafor. A quiet, gripping novel about a keeper''s daughter who finds her father''s logbooks. For anyone who loved a slow-burn mystery with a big heart.

Theo''s pick: Small Machines, a graphic memoir about growing up in a repair shop. Funny, sad and beautifully drawn.

For younger readers: The Owl Who Counted Stars, a bedtime picture book that our Saturday story-time crowd asks for every week.

Shop news: our reading room is now open until 9 p.m. on Thursdays, with free tea.

Reserve any of these at https://paperlanternbooks.example.com/picks and we''ll hold them at the counter for a week.

Happy reading,
The Paper Lantern booksellers

—
Paper Lantern Books · 63 Market Street, Oldbridge
You''re receiving this because you subscribed to our newsletter. Unsubscribe: https://paperlanternbooks.example.com/unsubscribe',
 'positive',
 '[{"aspect": "specificity", "note": "Each pick has a named bookseller and a one-line reason for who it suits."}, {"aspect": "tone", "note": "Personal and enthusiastic, like talking to a bookseller at the counter."}, {"aspect": "cta", "note": "A convenient ''reserve and hold'' option rather than a hard sell."}, {"aspect": "compliance", "note": "Postal address and unsubscribe in the footer."}]',
 87),
('ex.retail.4', 'retail', 're_engagement', 'email',
 'Something new at Fern & Foxglove, Megan',
 'Hi Megan,

It''s been a while since your last visit to Fern & Foxglove, and the shop has changed with the seasons.

This autumn we''ve started a flower subscription: a seasonal, hand-tied bouquet delivered every two weeks, from $35 a delivery, with no minimum term. We''ve also brought in dried flower wreaths from a farm just outside Oldbridge.

Come by the shop to see what''s in this week, or start a subscription at https://fernandfoxglove.example.com/subscribe.

If you''d rather hear from us less often, you can update your preferences with the link below.

Warmly,
Isla at Fern & Foxglove

—
Fern & Foxglove Florist · 12 Church Lane, Oldbridge
You''re receiving this because you''ve shopped with Fern & Foxglove. Unsubscribe or manage your preferences: https://fernandfoxglove.example.com/preferences',
 'positive',
 '[{"aspect": "tone", "note": "Warm and unpushy; gives a reason to return instead of guilt."}, {"aspect": "specificity", "note": "A genuinely new product with price and terms (''no minimum term'')."}, {"aspect": "cta", "note": "Visit or subscribe, with an easy way to hear from the shop less often."}, {"aspect": "compliance", "note": "Address and unsubscribe/preferences link in the footer."}]',
 82),
('ex.retail.5', 'retail', 'event', 'social',
 null,
 'Author evening at Paper Lantern!

M. R. Okafor joins us on Thursday, October 9 at 7 p.m. to read from The Lighthouse Ledger and talk about writing coastal mysteries. Signed copies available on the night.

Free entry, but seats are limited to 60. Reserve yours at https://paperlanternbooks.example.com/events

#Oldbridge #AuthorEvent #IndieBookshop',
 'positive',
 '[{"aspect": "specificity", "note": "Author, book, date, time, capacity and what happens on the night."}, {"aspect": "cta", "note": "Reservation link with an honest capacity limit."}, {"aspect": "tone", "note": "Enthusiastic without hype; three relevant hashtags."}]',
 84),
('ex.retail.6', 'retail', 'review_request', 'sms',
 null,
 'Paper Lantern Books: Thanks for your order, Ella! Enjoying it? Tap here to share an honest review: https://plb.example.com/review Reply STOP to opt out.',
 'positive',
 '[{"aspect": "tone", "note": "Friendly and brief; asks for honesty, not five stars."}, {"aspect": "cta", "note": "One link."}, {"aspect": "compliance", "note": "Sender and opt-out included."}]',
 79),
('ex.retail.7', 'retail', 'promotion', 'social',
 null,
 'Peonies are here, and they never stay long.

Our first peony bunches of the season arrived this morning from a grower in the valley: blush, coral and deep red. $28 a bunch of five stems, while they last (usually about two weeks).

Pre-order yours at https://fernandfoxglove.example.com/peonies or pop into 12 Church Lane.

#Oldbridge #Peonies #FloristLife',
 'positive',
 '[{"aspect": "specificity", "note": "Real scarcity (a short season) explained honestly, with price and stem count."}, {"aspect": "tone", "note": "Sensory and delightful, suited to a florist."}, {"aspect": "cta", "note": "Pre-order link plus a walk-in option."}]',
 83),
('ex.retail.8', 'retail', 'event', 'email',
 'Make your own winter wreath, Dec 3',
 'Hi Ruth,

Join us at Fern & Foxglove for a wreath-making evening, just in time for the holidays.

Isla will guide you step by step as you build a fresh winter wreath from spruce, eucalyptus, dried oranges and pine cones. All materials, tools and a glass of mulled cider are included, and you''ll take your wreath home.

When: Wednesday, December 3, 6:30 to 8:30 p.m.
Where: Fern & Foxglove, 12 Church Lane
Price: $75 per person

Places are limited to 12 so everyone gets help. Book your place at https://fernandfoxglove.example.com/wreath or call 555-0114.

Warmly,
Isla at Fern & Foxglove

—
Fern & Foxglove Florist · 12 Church Lane, Oldbridge
You''re receiving this because you subscribed to Fern & Foxglove updates. Unsubscribe: https://fernandfoxglove.example.com/unsubscribe',
 'positive',
 '[{"aspect": "specificity", "note": "Materials, what''s included, date, time, price and capacity are all listed."}, {"aspect": "structure", "note": "A short, vivid description followed by scannable logistics."}, {"aspect": "cta", "note": "Booking link and phone number."}, {"aspect": "compliance", "note": "Address and unsubscribe in the footer."}]',
 86),
('ex.retail.9', 'retail', 'welcome', 'sms',
 null,
 'Fern & Foxglove: Welcome, Jess! Expect a text when seasonal flowers land, about twice a month. Shop now: https://ffx.example.com Reply STOP to opt out.',
 'positive',
 '[{"aspect": "personalisation", "note": "Welcomes by name."}, {"aspect": "specificity", "note": "Sets expectations about what will be texted and how often."}, {"aspect": "compliance", "note": "Sender identified and opt-out included in one segment."}]',
 78),
('ex.retail.10', 'retail', 'promotion', 'email',
 '!!!! LAST CHANCE !!!!',
 'LAST CHANCE EVER!!!

90% OFF EVERYTHING!!! ENDS IN 1 HOUR!!! THIS WILL NEVER HAPPEN AGAIN!!!

DON''T MISS OUT, SHOP NOW BEFORE IT''S ALL GONE!!!

Paper Lantern Books',
 'negative',
 '[{"aspect": "tone", "note": "All caps and false urgency (''never again'', ''ends in 1 hour'') look like spam and damage trust."}, {"aspect": "specificity", "note": "No link, no terms and a discount the shop almost certainly can''t honor on everything."}, {"aspect": "compliance", "note": "No postal address or unsubscribe link; fake urgency can breach consumer protection rules."}, {"aspect": "length", "note": "Too thin for an email: under 30 words with nothing to read."}]',
 15),
('ex.retail.11', 'retail', 'review_request', 'email',
 'Leave us 5 stars, get 20% off',
 'Hi Kate,

Thanks for your recent order! If you loved it, please leave us a 5-star review on Google and we''ll send you a 20% off code for your next order.

If you weren''t happy, please don''t post a review. Just reply to this email instead and we''ll sort it out privately.

Thanks,
Fern & Foxglove

—
Fern & Foxglove Florist · 12 Church Lane, Oldbridge
Unsubscribe: https://fernandfoxglove.example.com/unsubscribe',
 'negative',
 '[{"aspect": "compliance", "note": "Offers a reward for five-star reviews and steers unhappy customers away from posting (review gating), which review platforms and consumer law prohibit."}, {"aspect": "cta", "note": "No review link, so even the ask is hard to act on."}, {"aspect": "tone", "note": "Transactional; it tells customers their honest opinion only counts if it''s positive."}]',
 18),
('ex.retail.12', 'retail', 'newsletter', 'social',
 null,
 'New stuff in store!!!

#books #bookstore #reading #read #bookworm #booklover #bookstagram #instabooks #novel #fiction #nonfiction #shoplocal #smallbusiness #indie #new #newbooks #love #happy #instagood #photooftheday #follow #like #weekend #fun #cozy',
 'negative',
 '[{"aspect": "specificity", "note": "''New stuff'' says nothing: no titles, authors or reasons to visit."}, {"aspect": "structure", "note": "25 generic hashtags bury a three-word message and look like spam; 3-5 relevant ones work better."}, {"aspect": "cta", "note": "No call to action, link or shop details."}]',
 22),
('ex.professional_services.1', 'professional_services', 'welcome', 'email',
 'Welcome to Whitaker & Lowe: your next steps',
 'Dear Ms. Chen,

Thank you for choosing Whitaker & Lowe CPAs. We''re pleased to be working with you and Chen Design Studio.

Here is what happens next:
1. Your engagement letter, setting out the scope of our work and our fees, is in your client portal for signature.
2. Once it''s signed, please upload last year''s business return, your year-to-date profit and loss statement and your payroll reports.
3. Your accountant, David Lowe, will then book a 45-minute kickoff call to review your bookkeeping setup and upcoming deadlines.

You can reach David directly at 555-0163 or david@whitakerlowe.example.com. Please don''t send tax documents by email; the portal keeps them secure.

Start by signing your engagement letter at https://whitakerlowe.example.com/portal.

Kind regards,
Helen Whitaker, CPA
Managing Partner

—
Whitaker & Lowe CPAs · 400 Commerce Street, Suite 310, Brookfield
You''re receiving this because you''re a client of Whitaker & Lowe. Unsubscribe from marketing emails: https://whitakerlowe.example.com/unsubscribe',
 'positive',
 '[{"aspect": "structure", "note": "Numbered next steps remove uncertainty at the start of the relationship."}, {"aspect": "compliance", "note": "Scope and fees agreed in writing; sensitive documents kept out of email."}, {"aspect": "personalisation", "note": "Names the client''s business and their dedicated accountant."}, {"aspect": "cta", "note": "One clear first action with a link."}]',
 89),
('ex.professional_services.2', 'professional_services', 'promotion', 'email',
 'Early-bird tax appointments: book by Feb 28',
 'Dear Mr. Okafor,

Tax season is six weeks away. If you''d like to avoid the March rush, we''re now booking early-bird preparation appointments for returning individual clients.

Book by February 28 and you''ll get:
- A one-hour appointment with your usual accountant, in person or by video.
- Your return filed within 10 business days of receiving all documents.
- 10% off our standard individual preparation fee.

Your personalized document checklist will be in your portal once you book, so you know exactly what to bring.

Please note that the size of any refund depends on your circumstances; we''ll explain your position clearly before we file.

Schedule your early-bird appointment at https://whitakerlowe.example.com/book or call 555-0163.

Kind regards,
David Lowe, CPA

—
Whitaker & Lowe CPAs · 400 Commerce Street, Suite 310, Brookfield
You''re receiving this because you''re a client of Whitaker & Lowe. Unsubscribe: https://whitakerlowe.example.com/unsubscribe',
 'positive',
 '[{"aspect": "specificity", "note": "Deadline, what''s included, turnaround time and discount are spelled out."}, {"aspect": "compliance", "note": "Explicitly avoids promising a refund amount."}, {"aspect": "tone", "note": "Professional and helpful; urgency comes from the real calendar, not pressure."}, {"aspect": "cta", "note": "Booking link and phone number."}]',
 85),
('ex.professional_services.3', 'professional_services', 'newsletter', 'email',
 'Your quarterly letter from Meridian',
 'Dear Robert,

Here is your quarterly letter from Meridian Financial Planning.

What happened this quarter
Markets moved up and down with interest-rate news. Diversified portfolios like the ones we build are designed to ride out this kind of movement, which is why we encourage clients to stick to their plan rather than react to headlines.

What you might consider now
- Check that your emergency fund covers three to six months of expenses.
- If you''re over 50, you may be able to make additional catch-up contributions to your retirement accounts this year.
- Review your beneficiaries after any major life change.

This letter is general information, not personal advice. Investing involves risk, including the possible loss of principal, and past performance does not predict future results.

Schedule your annual review at https://meridianplanning.example.com/review or call 555-0166.

Kind regards,
Claire Ng, CFP
Meridian Financial Planning

—
Meridian Financial Planning · 25 Bridge Street, Brookfield
You''re receiving this because you''re a Meridian client. Unsubscribe: https://meridianplanning.example.com/unsubscribe',
 'positive',
 '[{"aspect": "compliance", "note": "Clear risk and ''not personal advice'' disclosures; no predictions or promised returns."}, {"aspect": "structure", "note": "Two headed sections: context, then practical steps."}, {"aspect": "tone", "note": "Calm and measured, discouraging reactive decisions."}, {"aspect": "cta", "note": "Invites an annual review through a link or phone call."}]',
 84),
('ex.professional_services.4', 'professional_services', 're_engagement', 'sms',
 null,
 'Whitaker & Lowe CPAs: Hi Mark, tax season opens soon. Book your return appointment early: https://wlcpa.example.com/book Reply STOP to opt out.',
 'positive',
 '[{"aspect": "personalisation", "note": "Uses the client''s name and their returning-client relationship."}, {"aspect": "compliance", "note": "No financial details in the text; opt-out included."}, {"aspect": "cta", "note": "Single booking link in one segment."}]',
 79),
('ex.professional_services.5', 'professional_services', 'event', 'social',
 null,
 'Free seminar: Planning for retirement in your 50s.

Tuesday, September 23, 6:30 to 8 p.m., Brookfield Public Library, Room B. Claire Ng, CFP, will cover how retirement accounts work, when to think about Social Security and the questions to ask any adviser. Educational only: no products are sold.

Register at https://meridianplanning.example.com/seminar (40 seats).

#Brookfield #RetirementPlanning #FinancialLiteracy',
 'positive',
 '[{"aspect": "compliance", "note": "Clearly educational, with no return promises and no sales pitch."}, {"aspect": "specificity", "note": "Topic, speaker and credentials, date, time, venue and capacity."}, {"aspect": "cta", "note": "Registration link."}]',
 81),
('ex.professional_services.6', 'professional_services', 'review_request', 'email',
 'Would you share your experience, Alicia?',
 'Dear Alicia,

Thank you for trusting Whitaker & Lowe with your business taxes this year. It was a pleasure working with you.

Would you be willing to share a short review of your experience? A few honest sentences help other business owners in Brookfield choose an accountant with confidence.

Click here to leave a review: https://whitakerlowe.example.com/review

Please don''t include any financial details in a public review. If there''s anything we could have done better, reply to this email; it comes straight to me.

Kind regards,
Helen Whitaker, CPA
Managing Partner

—
Whitaker & Lowe CPAs · 400 Commerce Street, Suite 310, Brookfield
You''re receiving this because you''re a client of Whitaker & Lowe. Unsubscribe: https://whitakerlowe.example.com/unsubscribe',
 'positive',
 '[{"aspect": "tone", "note": "Courteous and personal, from the managing partner."}, {"aspect": "compliance", "note": "Reminds the client to keep financial details out of public reviews; no incentive."}, {"aspect": "cta", "note": "One review link and a private route for feedback."}]',
 83),
('ex.professional_services.7', 'professional_services', 'promotion', 'social',
 null,
 'Running a small business and doing the books at midnight?

Whitaker & Lowe''s monthly bookkeeping package for businesses with up to 10 employees covers reconciliations, payroll filings and a monthly one-page report, from $350 a month. Fixed fee, agreed in writing.

Book a free 20-minute consultation at https://whitakerlowe.example.com/bookkeeping

#SmallBusiness #Brookfield #Bookkeeping',
 'positive',
 '[{"aspect": "specificity", "note": "Who it''s for, what''s included and the starting price are stated."}, {"aspect": "tone", "note": "Relatable opening line, then plain professional detail."}, {"aspect": "cta", "note": "Low-commitment consultation link."}]',
 80),
('ex.professional_services.8', 'professional_services', 'event', 'email',
 'Webinar: Social Security, when to claim',
 'Dear Linda,

You''re invited to a free webinar from Meridian Financial Planning: "Social Security: when to claim".

In 45 minutes, Claire Ng, CFP, will explain how claiming age affects your benefit, how spousal benefits work and the common mistakes we see. There will be 15 minutes for questions at the end.

When: Wednesday, October 15, 12 to 1 p.m. (online)
Cost: free

This webinar is educational and general; it isn''t personal advice, and no products will be sold.

Register at https://meridianplanning.example.com/webinar. A recording will be sent to everyone who registers.

Kind regards,
The Meridian Financial Planning team

—
Meridian Financial Planning · 25 Bridge Street, Brookfield
You''re receiving this because you subscribed to Meridian''s updates. Unsubscribe: https://meridianplanning.example.com/unsubscribe',
 'positive',
 '[{"aspect": "specificity", "note": "Topic, speaker, length, date and format are clear."}, {"aspect": "compliance", "note": "States that it is general education and not a sales event."}, {"aspect": "cta", "note": "Registration link with a useful extra (the recording)."}, {"aspect": "structure", "note": "Short description, then logistics on separate lines."}]',
 83),
('ex.professional_services.9', 'professional_services', 'welcome', 'sms',
 null,
 'Meridian Financial Planning: Welcome, Tom! Your intro meeting with Claire is Tue 10am. Questions? Call 555-0166. Reply STOP to opt out.',
 'positive',
 '[{"aspect": "specificity", "note": "Confirms who, when and how to reach the office."}, {"aspect": "compliance", "note": "No financial information in the text; opt-out included."}, {"aspect": "cta", "note": "A clear next step if anything needs changing."}]',
 78),
('ex.professional_services.10', 'professional_services', 'promotion', 'email',
 'GUARANTEED 12% returns, risk-free!',
 'Dear Investor,

Our Growth Plus strategy offers GUARANTEED RETURNS of 12% a year. It''s a completely risk-free investment: you simply can''t lose.

While others worry about the markets, our clients are doubling their money. Spaces are extremely limited, so act now to secure your place before this opportunity closes.

Reply YES to get started.

Meridian Financial Planning

—
Meridian Financial Planning · 25 Bridge Street, Brookfield
Unsubscribe: https://meridianplanning.example.com/unsubscribe',
 'negative',
 '[{"aspect": "compliance", "note": "''Guaranteed returns'', ''risk-free investment'' and ''can''t lose'' are prohibited financial promotion claims."}, {"aspect": "tone", "note": "High-pressure scarcity (''act now'', ''extremely limited'') is inappropriate for financial advice."}, {"aspect": "specificity", "note": "No description of the strategy, its costs or its risks."}, {"aspect": "personalisation", "note": "''Dear Investor'' to everyone, regardless of their situation or suitability."}]',
 8),
('ex.professional_services.11', 'professional_services', 'newsletter', 'email',
 'Insights',
 'Dear Client,

In the current dynamic macro-fiscal environment, stakeholders must proactively leverage synergistic, holistic tax-optimization paradigms to future-proof their value-creation frameworks going forward.

Our best-in-class, end-to-end solutions empower forward-thinking organizations to unlock bandwidth across the full compliance lifecycle.

Regards,
Whitaker & Lowe

—
Whitaker & Lowe CPAs · 400 Commerce Street, Suite 310, Brookfield
Unsubscribe: https://whitakerlowe.example.com/unsubscribe',
 'negative',
 '[{"aspect": "tone", "note": "Buzzword-heavy jargon that says nothing; clients need plain English."}, {"aspect": "specificity", "note": "No actual rule change, deadline or step to take."}, {"aspect": "cta", "note": "No call to action or way to get help."}]',
 20),
('ex.professional_services.12', 'professional_services', 'promotion', 'sms',
 null,
 'ACT NOW!!! IRS deadline is coming and you could face HUGE PENALTIES. Call 555-0199 TODAY before it''s too late!!!',
 'negative',
 '[{"aspect": "tone", "note": "Fear and capitals resemble common tax scams and damage credibility."}, {"aspect": "compliance", "note": "No business name and no opt-out instructions."}, {"aspect": "specificity", "note": "No deadline date or explanation of who is affected."}]',
 14),
('ex.real_estate.1', 'real_estate', 'welcome', 'email',
 'Welcome to Keystone, Jamal: your home search',
 'Hi Jamal,

Thanks for reaching out to Keystone Realty Group. Buying your first home is a big step, and we''re glad to help you take it at your own pace.

Here''s what happens next:
- I''ll set up a saved search for two- and three-bedroom homes in Westfield and Ridgemont under $420,000, as you mentioned. You''ll get new matches the day they list.
- When you''re ready, we''ll meet for 30 minutes to talk about budget, timing and what to expect from pre-approval to closing.
- No pressure and no obligation: ask me anything, including the questions you think are too basic.

Book a time for our first chat at https://keystonerealty.example.com/meet or call me at 555-0175.

Warm regards,
Priya Raman
Keystone Realty Group

—
Keystone Realty Group · 900 Main Street, Westfield
You''re receiving this because you contacted Keystone Realty Group. Unsubscribe: https://keystonerealty.example.com/unsubscribe',
 'positive',
 '[{"aspect": "personalisation", "note": "Reflects the buyer''s actual criteria (areas, bedrooms, budget) back to them."}, {"aspect": "tone", "note": "Warm and low-pressure, ideal for a first-time buyer."}, {"aspect": "cta", "note": "Books a short, no-obligation meeting."}, {"aspect": "compliance", "note": "Describes homes by features and price, not by who should live there; footer complete."}]',
 88),
('ex.real_estate.2', 'real_estate', 'promotion', 'sms',
 null,
 'Keystone Realty: Curious what your Ridgemont home is worth? Get a free market appraisal, no obligation: https://kry.example.com/value Reply STOP to opt out.',
 'positive',
 '[{"aspect": "specificity", "note": "Local, clear offer with ''no obligation'' stated."}, {"aspect": "compliance", "note": "No price promises; sender and opt-out included."}, {"aspect": "cta", "note": "Single link in one segment."}]',
 81),
('ex.real_estate.3', 'real_estate', 'newsletter', 'email',
 'Westfield market update: September',
 'Hi Ellen,

Here''s your Westfield market update for September.

The numbers
- 64 homes sold, up from 51 in August.
- Median days on market: 23, compared with 31 a year ago.
- Homes sold for 98.5% of asking price on average.
(Source: Westfield County MLS, September 1-30.)

What it means
For buyers, well-priced homes are moving faster, so getting pre-approved before you start viewing matters. For sellers, pricing realistically from day one still beats starting high and reducing later.

Every home and every street is different, and past trends don''t predict future prices. If you''d like to talk about what this means for you, I''m happy to help.

Book a 20-minute call at https://keystonerealty.example.com/meet.

Warm regards,
Priya Raman
Keystone Realty Group

—
Keystone Realty Group · 900 Main Street, Westfield
You''re receiving this because you subscribed to Keystone''s market updates. Unsubscribe: https://keystonerealty.example.com/unsubscribe',
 'positive',
 '[{"aspect": "specificity", "note": "Real numbers with a named source and period."}, {"aspect": "compliance", "note": "Explicitly avoids predictions (''past trends don''t predict future prices'')."}, {"aspect": "structure", "note": "Numbers first, then what they mean for buyers and sellers."}, {"aspect": "cta", "note": "Low-pressure call booking."}]',
 86),
('ex.real_estate.4', 'real_estate', 're_engagement', 'email',
 'Still thinking about a move, Daniel?',
 'Hi Daniel,

It''s been about six months since we last talked about your move, so I wanted to check in.

Plans change, and that''s completely fine. If you''re still thinking about selling, the market in Ridgemont has shifted since spring: homes like yours are taking about a week less to sell, and buyer interest in three-bedroom homes with yards has stayed steady.

Book a short catch-up at https://keystonerealty.example.com/meet if you''d like an updated view of where your home might sit today. No obligation, and if the timing still isn''t right, I understand.

Warm regards,
Priya Raman
Keystone Realty Group

—
Keystone Realty Group · 900 Main Street, Westfield
You''re receiving this because you contacted Keystone Realty Group. Unsubscribe or manage your preferences: https://keystonerealty.example.com/preferences',
 'positive',
 '[{"aspect": "tone", "note": "Respectful of changed plans; no pressure."}, {"aspect": "personalisation", "note": "Refers to the previous conversation and the client''s type of home."}, {"aspect": "specificity", "note": "Offers fresh, relevant market context as the reason to reconnect."}, {"aspect": "cta", "note": "Single catch-up link, with an easy way to hear less."}]',
 82),
('ex.real_estate.5', 'real_estate', 'event', 'social',
 null,
 'Open house this Sunday: 42 Willow Lane, Westfield.

Three bedrooms, two baths and a renovated kitchen with a walk-in pantry, on a quiet cul-de-sac a short walk from Westfield Park. Listed at $389,000.

Sunday, June 8, 1 to 3 p.m. Drop by, or book a private viewing at https://keystonerealty.example.com/42-willow

Keystone Realty Group

#WestfieldHomes #OpenHouse #JustListed',
 'positive',
 '[{"aspect": "compliance", "note": "Describes the property and location, never the ideal buyer, in line with fair housing rules; brokerage named."}, {"aspect": "specificity", "note": "Address, key features, price, date and time."}, {"aspect": "cta", "note": "Drop-by or book a private viewing."}]',
 84),
('ex.real_estate.6', 'real_estate', 'review_request', 'sms',
 null,
 'Keystone Realty: Congrats on the new home, Ana! Got a minute? Tap here to review your experience: https://kry.example.com/review Reply STOP to opt out.',
 'positive',
 '[{"aspect": "tone", "note": "Congratulatory and brief, sent after move-in."}, {"aspect": "cta", "note": "One link; no incentive."}, {"aspect": "compliance", "note": "Sender and opt-out included."}]',
 80),
('ex.real_estate.7', 'real_estate', 'promotion', 'social',
 null,
 'Just listed: 18 Birch Court, Ridgemont.

A 1920s craftsman with original oak floors, a wraparound porch, three bedrooms, a finished basement and a detached garage. Offered at $455,000.

Book a viewing at https://keystonerealty.example.com/18-birch or call Priya at 555-0175.

Keystone Realty Group

#RidgemontHomes #JustListed #CraftsmanHome',
 'positive',
 '[{"aspect": "specificity", "note": "Era, standout features and price give buyers what they need to decide whether to view."}, {"aspect": "compliance", "note": "Features only, with no statements about who the home suits; brokerage named."}, {"aspect": "cta", "note": "Viewing link and the agent''s phone number."}]',
 82),
('ex.real_estate.8', 'real_estate', 'event', 'email',
 'First-time buyer evening, Thursday Feb 20',
 'Hi Chloe,

Thinking about buying your first home in the next year? Join us for a free first-time buyer evening at Keystone Realty Group.

In 90 minutes, Priya Raman and mortgage adviser Luis Ortega will walk through:
- How pre-approval works and what lenders look at.
- The real costs beyond the deposit: inspections, closing costs and moving.
- How offers work in today''s Westfield market.

When: Thursday, February 20, 6:30 to 8 p.m.
Where: Keystone Realty Group, 900 Main Street
Cost: free, light refreshments provided

Rates and eligibility depend on your circumstances; Luis will explain the options, not make promises. Register at https://keystonerealty.example.com/first-home.

Warm regards,
The Keystone Realty team

—
Keystone Realty Group · 900 Main Street, Westfield
You''re receiving this because you subscribed to Keystone''s updates. Unsubscribe: https://keystonerealty.example.com/unsubscribe',
 'positive',
 '[{"aspect": "structure", "note": "Agenda as a short list, then logistics on separate lines."}, {"aspect": "compliance", "note": "Makes clear rates and eligibility vary; no mortgage promises."}, {"aspect": "specificity", "note": "Speakers, topics, date, time, place and cost."}, {"aspect": "cta", "note": "Registration link."}]',
 85),
('ex.real_estate.9', 'real_estate', 'welcome', 'sms',
 null,
 'Oakridge Property Management: Welcome to 14 Pine Street, Leah! Get started in your resident portal: https://opm.example.com/portal Reply STOP to opt out.',
 'positive',
 '[{"aspect": "personalisation", "note": "Names the resident and their new building."}, {"aspect": "cta", "note": "One useful next step (the portal)."}, {"aspect": "compliance", "note": "Sender and opt-out included in one segment."}]',
 77),
('ex.real_estate.10', 'real_estate', 'promotion', 'email',
 'GUARANTEED SALE IN 30 DAYS!!!',
 'Dear Homeowner,

Sell with Keystone and your home is GUARANTEED TO SELL IN 30 DAYS at top dollar!

Westfield is the safest investment in the state, with guaranteed appreciation of 10% every year. Buying or selling with us is completely risk-free.

Call us today!

Keystone Realty Group',
 'negative',
 '[{"aspect": "compliance", "note": "Guaranteed sale times, ''safest investment'' and ''guaranteed appreciation'' are claims no agent can make or substantiate."}, {"aspect": "specificity", "note": "No evidence, data or terms behind any of the claims."}, {"aspect": "cta", "note": "''Call us today'' with no phone number or link, and the email has no postal address or unsubscribe link."}]',
 10),
('ex.real_estate.11', 'real_estate', 'event', 'social',
 null,
 'Open house Saturday! This 2-bed condo is perfect for young professionals. Quiet adult building, not really suited to families with kids. Great church community nearby!',
 'negative',
 '[{"aspect": "compliance", "note": "Describes who should live there (age, familial status, religion), which fair housing rules prohibit in property advertising."}, {"aspect": "specificity", "note": "No address, price, time or property features."}, {"aspect": "cta", "note": "No link or way to book a viewing."}]',
 8),
('ex.real_estate.12', 'real_estate', 're_engagement', 'sms',
 null,
 'Hey!! Still looking?? LOTS of homes available right now!!! Call me',
 'negative',
 '[{"aspect": "compliance", "note": "No sender name and no opt-out instructions."}, {"aspect": "specificity", "note": "No area, price range or listing: nothing tailored to the recipient''s search."}, {"aspect": "cta", "note": "''Call me'' without a name or number."}]',
 20)
on conflict (library_key) do update
set industry_category = excluded.industry_category, purpose = excluded.purpose, channel = excluded.channel,
    subject = excluded.subject, content = excluded.content, polarity = excluded.polarity,
    annotations = excluded.annotations, effectiveness = excluded.effectiveness
where (library_examples.industry_category, library_examples.purpose, library_examples.channel,
       library_examples.subject, library_examples.content, library_examples.polarity, library_examples.annotations,
       library_examples.effectiveness)
    is distinct from (excluded.industry_category, excluded.purpose, excluded.channel, excluded.subject,
                      excluded.content, excluded.polarity, excluded.annotations, excluded.effectiveness);
