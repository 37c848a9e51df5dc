"""Sample data shared by the tests: the bakery most tests work for, drafts of known quality, and the
rest of what more than one test module reads. Plain values, no database: the factories
(tests/factories.py, tests/tasks.py) and the fixtures (tests/conftest.py) put them to use."""

from __future__ import annotations

from typing import Any

# Sunrise Bakery: a full profile, so every sub-score of a scorecard has something to measure.
BAKERY: dict[str, Any] = {
    "name": "Sunrise Bakery",
    "industry_category": "food_beverage",
    "industry_subcategory": "bakery",
    "website": "https://sunrisebakery.example.com",
    "phone": "(503) 555-0142",
    "address": {"street": "12 Baker Street", "city": "Portland", "region": "OR", "postal_code": "97201"},
    "business_description": "A neighbourhood bakery baking sourdough bread, croissants and seasonal pastries "
    "every morning from organic flour.",
    "unique_selling_points": ["Sourdough fermented for 36 hours", "Organic flour from Oregon mills"],
    "products_services": [{"name": "Sourdough loaf"}, {"name": "Butter croissant"}],
    "brand_voice": {
        "tone": ["warm", "friendly"],
        "formality": "conversational",
        "point_of_view": "first_person_plural",
        "emoji_use": "sparingly",
        "phrases_to_use": ["baked fresh every morning", "from our oven to your table"],
        "phrases_to_avoid": ["cheap", "mass-produced"],
        "reading_level": "general",
    },
    "competitors": [{"name": "Golden Loaf"}],
}

# --- email drafts for the bakery ----------------------------------------------------------------------

FOOTER = "\n\nSunrise Bakery, 12 Baker Street, Portland, OR 97201\nUnsubscribe: {{unsubscribe_url}}"
# Passes the default scorecard and rules: approved.
GOOD_EMAIL = (
    "Hi neighbour,\n\n"
    "Our autumn menu is here, baked fresh every morning with organic flour from Oregon mills. "
    "We've added a pumpkin sourdough loaf and a maple butter croissant that our regulars already love.\n\n"
    "Our sourdough still rests for 36 hours before it meets the oven, so every slice is light, "
    "tangy and full of flavour. Bring a friend and try both this week.\n\n"
    "Order ahead at https://sunrisebakery.example.com/order and skip the morning line. "
    "From our oven to your table, thank you for baking with us." + FOOTER
)
SUBJECT = "Our autumn sourdough is here"
WEAK = "Our bread. It is cheap. We sell it in the shop." + FOOTER  # the default rules send it back (retry)
# A rewrite of WEAK that fails other checks (a doubled word), so the rules retry it again: a rewrite
# failing exactly the checks of the draft before it goes to a person (docs/decision-rules.md).
WEAK_OTHER = GOOD_EMAIL.replace("baked fresh", "baked baked fresh")
# A critical violation in ad-hoc scoring (evaluate_content); a submitted draft gets the link from aicrm
# (docs/pipeline.md, "Assembly"): LEAKS_CONTACT is the critical draft the rules escalate.
NO_UNSUBSCRIBE = GOOD_EMAIL.replace(FOOTER, "")
# What `aicrm evaluate` is asked to score: a good email for a thinner profile.
EMAIL = (
    "Hi neighbour,\n\nOur pumpkin sourdough is back, baked fresh every morning with organic flour. "
    "We think you will love it as much as our regulars do.\n\n"
    "Order ahead at https://sunrisebakery.example.com/order and skip the line this weekend. "
    "Thank you for baking with us.\n\n"
    "Sunrise Bakery, 12 Baker Street, Portland, OR 97201\nUnsubscribe: {{unsubscribe_url}}"
)

# An email with merge tags, as aicrm sends it over SMTP: one message per recipient, every tag filled.
MERGE_EMAIL = (
    "Hi {{first_name}},\n\nOur autumn menu is here: pumpkin sourdough and maple croissants.\n\n"
    "Order ahead at https://sunrisebakery.example.com/order.\n\n"
    "Sunrise Bakery, 12 Baker Street, Portland, OR 97201\nUnsubscribe: {{ unsubscribe_url }}"
)
MERGE_SUBJECT = "{{first_name}}, autumn is here"

# --- SMS ----------------------------------------------------------------------------------------------

SMS = "Sunrise Bakery: pumpkin sourdough is back! Order at sunrisebakery.example.com. Reply STOP to opt out."
SMS_INSTRUCTIONS = {"topic": "pumpkin sourdough", "purpose": "promotion", "output_length": {"max_characters": 160}}
LONG_SMS = SMS.replace("is back!", "is back, with maple croissants, cinnamon rolls and rye!").ljust(199, ".") + "!"

# --- what a worker reports ----------------------------------------------------------------------------

META = {"context_version": 3, "provider": "openai", "model": "gpt-4o-mini", "prompt_tokens": 812, "cost_usd": 0.0004}
ERROR = {"kind": "timeout", "message": "the model did not answer in 60 s"}

# --- recipients ---------------------------------------------------------------------------------------

MARIA = "maria@sunrisebakery.example.com"  # the bakery's owner, a contact who opted in to email
# A contact's personal data in an email (once factories.add_maria ran): a critical violation that
# no assembly fixes, so the default rules escalate it.
LEAKS_CONTACT = GOOD_EMAIL.replace("Order ahead at", f"Write to {MARIA} or order ahead at")
WALK_IN = "walk.in@example.org"  # an address no contact has
