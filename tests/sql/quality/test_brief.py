"""The scorecard's brief dimension (aicrm_private.score_brief): the topic, every key point, the
purpose's parts (links, event date and place, offer terms, code and end date, a welcome's next
step) and the topics to avoid, matched by word (stemmed, with the synonyms of aicrm.brief_synonyms),
with numbers and dates in any usual form; issue 14's quoted faults; good drafts with no major
finding; the synonyms table as global reference data."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg.types.json import Jsonb

from tests.helpers import act_as, sql_error

Conn = psycopg.Connection[Any]
SEED = Path(__file__).resolve().parents[3] / "sql" / "seeds" / "defaults" / "0012_brief_synonyms.sql"

PIES = {
    "purpose": "promotion",
    "topic": "holiday pre-orders for pies and stollen",
    "key_points": ["Pre-order by December 20", "Pick up December 23 or 24"],
    "offer": {"description": "10% off pre-orders of three pies or more", "code": "PIE10", "valid_until": "2027-12-20"},
    "links": {"cta_url": "https://sunrise.example/preorder"},
    "avoid_topics": ["the sourdough loaf"],
}
PIES_GOOD = (
    "Pre-order your pie or stollen for the holidays! Order by Dec 20th and collect it on December 23 or 24, "
    "warm from the oven. Take 10% off when you order three pies or more with code PIE10, until December 20. "
    "Reserve yours at https://sunrise.example/preorder."
)
# Issue 14: the pies-and-stollen brief answered with the sourdough loaf.
PIES_SOURDOUGH = (
    "Our sourdough loaf is back for the holidays! Fermented for 36 hours, with a crackling crust. "
    "Pre-order yours today at https://sunrise.example/preorder and pick it up fresh."
)
PIPES = {"purpose": "other", "topic": "winterising your pipes"}
# Issue 14: a "winterising your pipes" blog and SMS that never mention pipes.
PIPES_BLOG = (
    "# Get your home ready for winter\n\nWinter is coming, and a little preparation goes a long way. Check your "
    "gutters, service the boiler and seal the draughts around your windows and doors. A cosy home is a "
    "cheaper home to run.\n\nBook a winter check at https://plumber.example/book."
)
PIPES_SMS = "Harbor Plumbing: winter is here! Book your boiler service before the cold snap: plumber.example/book"


def brief(
    db: Conn, tenant: str, text: str, instructions: dict[str, Any], subject: str | None = None, channel: str = "email"
) -> dict[str, Any]:
    with act_as(db, tenant):
        row = db.execute(
            "select aicrm_private.score_brief(%s, %s, %s, null, %s)", (text, subject, channel, Jsonb(instructions))
        ).fetchone()
    assert row is not None
    return dict(row[0])


def checks(card: dict[str, Any], severity: str | None = None) -> list[str]:
    return [f["check"] for f in card["findings"] if severity is None or f["severity"] == severity]


def majors(card: dict[str, Any]) -> list[str]:
    return [f["check"] for f in card["findings"] if f["severity"] in ("major", "critical")]


def finding(card: dict[str, Any], check: str) -> dict[str, Any]:
    return next(f for f in card["findings"] if f["check"] == check)


# --- no brief -----------------------------------------------------------------------------------


@pytest.mark.parametrize("instructions", [{}, {"purpose": "promotion"}, {"output_length": {"max_words": 80}}])
def test_no_brief_scores_100_with_no_findings(db: Conn, tenant: str, instructions: dict[str, Any]) -> None:
    card = brief(db, tenant, "Anything at all.", instructions)
    assert (card["score"], card["findings"]) == (100, [])


# --- issue 14's quoted faults -------------------------------------------------------------------


def test_the_pies_and_stollen_email_that_promotes_the_sourdough_loaf_is_off_topic(db: Conn, tenant: str) -> None:
    card = brief(db, tenant, PIES_SOURDOUGH, PIES, subject="Holiday pies and stollen")
    assert "off_topic" in majors(card)
    off = finding(card, "off_topic")
    assert "pies" in off["message"]
    assert "stollen" in off["message"]
    assert (off["fixable"], off["span"], off["dimension"]) == (True, None, "brief")
    avoid = finding(card, "avoid_topic_mentioned")
    assert (avoid["severity"], avoid["field"], avoid["span"]["text"]) == ("major", "content", "sourdough loaf")
    assert PIES_SOURDOUGH[avoid["span"]["start"] : avoid["span"]["end"]] == "sourdough loaf"
    assert checks(card).count("key_point_missing") == 2
    assert {"offer_terms_missing", "offer_code_missing", "offer_end_date_missing"} <= set(majors(card))
    assert card["score"] == 0


def test_the_pies_and_stollen_email_that_answers_its_brief_has_no_finding(db: Conn, tenant: str) -> None:
    card = brief(db, tenant, PIES_GOOD, PIES, subject="Holiday pies and stollen")
    assert card["findings"] == []
    assert card["score"] == 100
    assert all(c["covered"] for c in card["coverage"] if c["kind"] != "avoid_topic")


@pytest.mark.parametrize(("text", "channel"), [(PIPES_BLOG, "blog"), (PIPES_SMS, "sms")])
def test_a_winterising_your_pipes_piece_that_never_mentions_pipes_is_off_topic(
    db: Conn, tenant: str, text: str, channel: str
) -> None:
    card = brief(db, tenant, text, PIPES, channel=channel)
    assert majors(card) == ["off_topic"]
    assert "pipes" in finding(card, "off_topic")["message"]


@pytest.mark.parametrize(
    "text",
    [
        "Winterize the pipes before the first frost: wrap the outdoor ones in foam.",
        "Frozen pipes burst. Lag the ones in the loft and know where your stopcock is.",
        "Winterizing your pipes takes an afternoon and saves a flood.",
        "Before the cold weather: insulate any pipe that runs along an outside wall.",
    ],
)
def test_winterising_your_pipes_is_covered_in_other_words(db: Conn, tenant: str, text: str) -> None:
    card = brief(db, tenant, text, PIPES, channel="social")
    assert majors(card) == [], card["findings"]


def test_the_topic_only_in_the_subject_is_off_topic(db: Conn, tenant: str) -> None:
    card = brief(
        db, tenant, "Our new brake special is here: book a brake check today.", PIPES, subject="Winterising your pipes"
    )
    assert "off_topic" in majors(card)


def test_a_topic_carried_by_its_key_points_is_only_partly_covered(db: Conn, tenant: str) -> None:
    instructions = {"topic": "new patients", "key_points": ["Bring your insurance card", "Book online"]}
    card = brief(
        db, tenant, "Welcome! Bring your insurance card to your first visit, and book online any time.", instructions
    )
    assert majors(card) == []
    assert checks(card, "minor") == ["topic_partly_covered"]


# --- key points ---------------------------------------------------------------------------------


def test_a_missing_key_point_is_major_and_named(db: Conn, tenant: str) -> None:
    instructions = {
        "topic": "spring tune-ups",
        "key_points": ["Free safety inspection with every tune-up", "Open Saturdays"],
    }
    card = brief(db, tenant, "Spring is here: book your tune-up today. We are open Saturdays from 8.", instructions)
    assert majors(card) == ["key_point_missing"]
    missing = finding(card, "key_point_missing")
    assert "Free safety inspection with every tune-up" in missing["message"]
    assert missing["fixable"] is True


@pytest.mark.parametrize(
    "text",
    [
        "Take 15% off tune-ups booked before March 31.",
        "Take 15 percent off tune-ups booked before 31 March.",
        "Tune-ups are 15 per cent off when booked by 3/31.",
        "Book a tune-up by the 31st of March and save 15%.",
    ],
)
def test_numbers_and_dates_of_a_key_point_match_in_any_usual_form(db: Conn, tenant: str, text: str) -> None:
    card = brief(db, tenant, text, {"key_points": ["15% off tune-ups booked before March 31"]})
    assert majors(card) == [], card["findings"]


@pytest.mark.parametrize(
    ("text", "missing"),
    [
        ("Take 10% off tune-ups booked before March 31.", "15"),
        ("Take 15% off tune-ups booked before April 30.", "March 31"),
        ("Take 15% off tune-ups booked this month.", "March 31"),
    ],
)
def test_a_key_point_with_a_wrong_or_missing_number_or_date_is_missing(
    db: Conn, tenant: str, text: str, missing: str
) -> None:
    card = brief(db, tenant, text, {"key_points": ["15% off tune-ups booked before March 31"]})
    assert majors(card) == ["key_point_missing"]
    assert missing in finding(card, "key_point_missing")["message"]


def test_a_code_in_a_key_point_is_quoted_as_it_is(db: Conn, tenant: str) -> None:
    instructions = {"key_points": ["Use code SPRING15 at checkout"]}
    assert majors(brief(db, tenant, "Use code SPRING15 at checkout.", instructions)) == []
    assert majors(brief(db, tenant, "Use a code at checkout to save.", instructions)) == ["key_point_missing"]


def test_a_count_in_words_or_digits_is_the_same_number(db: Conn, tenant: str) -> None:
    instructions = {"key_points": ["Three pies for $36"]}
    assert majors(brief(db, tenant, "Any 3 pies for $36.", instructions)) == []
    assert majors(brief(db, tenant, "Any three pies for $36.", instructions)) == []
    assert majors(brief(db, tenant, "Any two pies for $36.", instructions)) == ["key_point_missing"]


def test_a_count_is_not_conveyed_by_a_time_of_day(db: Conn, tenant: str) -> None:
    # "all six salsas" is a count: "at 6 pm" does not say it; a point that gives times matches times.
    instructions = {"key_points": ["Taste all six of Rosa's salsas"]}
    card = brief(db, tenant, "Our salsa tasting is Friday at 6 pm: taste Rosa's salsas on the patio.", instructions)
    assert majors(card) == ["key_point_missing"]
    assert "6" in finding(card, "key_point_missing")["message"]
    assert majors(brief(db, tenant, "Friday at 6 pm: taste all 6 of Rosa's salsas.", instructions)) == []
    hours = {"key_points": ["Check-in 3 to 8 pm, check-out by 11 am"]}
    assert majors(brief(db, tenant, "Check-in is from 3 pm to 8 pm. Check-out is by 11 am.", hours)) == []


def test_a_key_point_is_not_conveyed_by_its_common_verb_alone(db: Conn, tenant: str) -> None:
    instructions = {"key_points": ["Meet the tutors"]}
    card = brief(db, tenant, "Bring your questions and the kids along. We'd love to meet you.", instructions)
    assert majors(card) == ["key_point_missing"]
    assert "tutors" in finding(card, "key_point_missing")["message"]
    assert majors(brief(db, tenant, "Come and meet our tutors on Saturday.", instructions)) == []
    # Its numbers carry a point too: half its words and every number is partly covered, a minor finding.
    offer = {"offer": {"description": "$40 off for students who enroll by February 20"}}
    assert checks(brief(db, tenant, "Take $40 off when you enroll by February 20.", offer)) == [
        "offer_terms_partly_covered"
    ]


def test_a_key_point_whose_words_never_meet_is_not_conveyed(db: Conn, tenant: str) -> None:
    """Its words scattered over the draft (each said of something else) do not say the point: at least
    two of them must meet in one sentence."""
    instructions = {"key_points": ["We call you with a price before any repair"]}
    scattered = (
        "Book online or call us at (208) 555-0147. Our warranty covers every repair for 12 months. "
        "A few of our prices: oil change $69, diagnostic $95."
    )
    card = brief(db, tenant, scattered, instructions)
    assert majors(card) == ["key_point_missing"]
    assert "never two in one sentence" in finding(card, "key_point_missing")["message"]
    said = "Before any repair, we call you with the price. Book online or call us at (208) 555-0147."
    assert majors(brief(db, tenant, said, instructions)) == []
    # Two sentences of one point are fine when each has two of its words ("Don't click. Forward to ...").
    phishing = {"key_points": ["Don't click; forward to help@northgateit.example.com"]}
    text = "Fake password emails are going around. Don't click. Forward to help@northgateit.example.com"
    assert majors(brief(db, tenant, text, phishing)) == []


def test_a_price_in_the_body_covers_a_topics_price(db: Conn, tenant: str) -> None:
    instructions = {"topic": "security training group price"}
    card = brief(db, tenant, "Security training for 10+ staff is $20 a user until March 31.", instructions)
    assert majors(card) == []
    assert checks(brief(db, tenant, "Security training for 10+ staff, book now.", instructions)) == ["off_topic"]


# --- the purpose's parts ------------------------------------------------------------------------


def test_a_review_request_without_its_review_link_is_major(db: Conn, tenant: str) -> None:
    instructions = {"purpose": "review_request", "topic": "how was your visit",
                    "links": {"review_url": "https://g.page/r/sunrise/review"}}  # fmt: skip
    missing = brief(db, tenant, "Thanks for stopping by! Would you leave us a quick review?", instructions)
    assert majors(missing) == ["review_link_missing"]
    assert "https://g.page/r/sunrise/review" in finding(missing, "review_link_missing")["message"]
    # Any scheme, "www." or trailing slash, any case.
    present = brief(db, tenant, "Thanks for your visit! Review us at G.PAGE/r/sunrise/review/ please.", instructions)
    assert majors(present) == []


@pytest.mark.parametrize(("key", "check"), [("cta_url", "cta_link_missing"), ("booking_url", "booking_link_missing")])
def test_a_link_the_brief_gives_must_be_in_the_draft(db: Conn, tenant: str, key: str, check: str) -> None:
    instructions = {"links": {key: "https://studio.example/book"}}
    assert majors(brief(db, tenant, "Book your class online today.", instructions)) == [check]
    assert majors(brief(db, tenant, "Book your class at https://studio.example/book today.", instructions)) == []


EVENT = {
    "purpose": "event",
    "topic": "the stollen tasting",
    "event": {"name": "Stollen tasting", "starts_at": "2027-05-14T16:00", "place": "the shop, 12 Mill Lane"},
}


@pytest.mark.parametrize("when", ["Friday, May 14 at 4 pm", "May 14th, 4pm", "14 May at 16:00", "5/14, 4:00 p.m."])
def test_an_event_date_and_time_in_any_usual_form(db: Conn, tenant: str, when: str) -> None:
    card = brief(db, tenant, f"Join our stollen tasting on {when} at the shop on Mill Lane.", EVENT)
    assert card["findings"] == [], card["findings"]


def test_an_event_without_its_date_place_or_time(db: Conn, tenant: str) -> None:
    card = brief(db, tenant, "Join our stollen tasting this Friday! Everyone is welcome.", EVENT)
    assert sorted(checks(card, "major")) == ["event_date_missing", "event_place_missing"]
    assert checks(card, "minor") == ["event_time_missing"]
    assert "May 14" in finding(card, "event_date_missing")["message"]


def test_the_postal_address_aicrm_adds_does_not_give_the_events_place(db: Conn, tenant: str) -> None:
    instructions = {**EVENT, "event": {**EVENT["event"], "place": "Sunrise Bakery, 12 Mill Lane"}}
    customer = {"name": "Sunrise Bakery", "address": {"street": "12 Mill Lane", "city": "Portland"}}
    footer = "\n\nSunrise Bakery · 12 Mill Lane, Portland.\nUnsubscribe or manage your preferences: {{unsubscribe_url}}"
    text = "Join our stollen tasting on Friday, May 14 at 4 pm. See you there, the Sunrise Bakery team" + footer
    with act_as(db, tenant):
        row = db.execute(
            "select aicrm_private.score_brief(%s, null, 'email', %s, %s)", (text, Jsonb(customer), Jsonb(instructions))
        ).fetchone()
        assert row is not None
        assert majors(row[0]) == ["event_place_missing"]
        placed = text.replace("at 4 pm.", "at 4 pm at the shop, 12 Mill Lane.")
        row = db.execute(
            "select aicrm_private.score_brief(%s, null, 'email', %s, %s)",
            (placed, Jsonb(customer), Jsonb(instructions)),
        ).fetchone()
        assert row is not None
        assert majors(row[0]) == []


def test_an_offer_needs_its_terms_code_and_end_date(db: Conn, tenant: str) -> None:
    instructions = {"purpose": "promotion", "offer": {"description": "15% off tune-ups", "code": "TUNE15",
                                                      "valid_until": "2027-03-31"}}  # fmt: skip
    for text in ("15% off any tune-up with code TUNE15, until March 31.", "Tune-ups 15% off (code TUNE15), ends 3/31."):
        assert majors(brief(db, tenant, text, instructions)) == [], text
    card = brief(db, tenant, "Book a tune-up this spring.", instructions)
    assert sorted(majors(card)) == ["offer_code_missing", "offer_end_date_missing", "offer_terms_missing"]


def test_an_offer_ending_with_its_month_may_say_the_month(db: Conn, tenant: str) -> None:
    instructions = {"offer": {"description": "third night free", "valid_until": "2027-01-31"}}
    assert majors(brief(db, tenant, "Your third night is free on stays in January.", instructions)) == []
    assert majors(brief(db, tenant, "Your third night is free for a limited time.", instructions)) == [
        "offer_end_date_missing"
    ]


def test_a_date_only_in_the_subject_is_missing_from_the_body(db: Conn, tenant: str) -> None:
    card = brief(db, tenant, "Join our stollen tasting at the shop on Mill Lane!", EVENT, subject="May 14, 4 pm")
    assert "event_date_missing" in majors(card)


def test_a_welcome_says_what_happens_next(db: Conn, tenant: str) -> None:
    instructions = {"purpose": "welcome", "topic": "welcome to the bread club"}
    bare = brief(db, tenant, "Welcome to the bread club. We are so glad you joined us.", instructions)
    assert checks(bare) == ["welcome_next_step_missing"]
    assert bare["findings"][0]["severity"] == "minor"
    assert bare["score"] == 95
    nxt = brief(db, tenant, "Welcome to the bread club! You'll get a fresh loaf every Friday.", instructions)
    assert nxt["findings"] == []


# --- topics to avoid ----------------------------------------------------------------------------


def test_an_avoided_topic_is_major_with_its_span(db: Conn, tenant: str) -> None:
    text = "From March 5 we open on Sundays. We are short of staff, so mornings may be slow."
    instructions = {"topic": "our new Sunday hours", "avoid_topics": ["staff shortages"]}
    clean = brief(db, tenant, "From March 5 we open on Sundays, 8 am to 2 pm.", instructions)
    assert majors(clean) == []
    card = brief(db, tenant, text.replace("short of staff", "dealing with staff shortages"), instructions)
    avoid = finding(card, "avoid_topic_mentioned")
    assert avoid["severity"] == "major"
    assert avoid["span"]["text"] == "staff shortages"


def test_hiring_is_a_staff_change_to_avoid(db: Conn, tenant: str) -> None:
    instructions = {"topic": "Friday and Saturday evenings", "avoid_topics": ["staff changes"]}
    text = "From March 5 we stay open until 9 pm on Fridays and Saturdays, thanks to the two new cooks we hired."
    avoid = finding(brief(db, tenant, text, instructions), "avoid_topic_mentioned")
    assert avoid["span"]["text"] == "cooks we hired"
    clean = "From March 5 we stay open until 9 pm on Fridays and Saturdays. Bring the family!"
    assert majors(brief(db, tenant, clean, instructions)) == []


def test_findings_are_ordered_most_severe_first(db: Conn, tenant: str) -> None:
    instructions = {"purpose": "welcome", "topic": "welcome to the bread club", "avoid_topics": ["price rises"],
                    "links": {"cta_url": "https://sunrise.example/club"}}  # fmt: skip
    card = brief(db, tenant, "Hello and welcome. Our price rises are small this year.", instructions)
    severities = [f["severity"] for f in card["findings"]]
    assert severities == sorted(severities, key=lambda s: s != "major")
    assert card["score"] == 100 - 20 * severities.count("major") - 5 * severities.count("minor")


# --- good drafts --------------------------------------------------------------------------------

GOOD: list[tuple[str, str, dict[str, Any], str | None]] = [
    (
        "email",
        "Hi neighbour, pre-orders for holiday pies and stollen are open until December 20! Pick up on "
        "December 23 or 24. Three pies or more are 10% off with code PIE10 until Dec 20: "
        "https://sunrise.example/preorder",
        PIES,
        "Holiday pies",
    ),
    (
        "sms",
        "Sunrise Bakery: holiday pie & stollen pre-orders open till 12/20, pickup 12/23 or 12/24. 10% off 3+ pies, "
        "code PIE10: sunrise.example/preorder",
        PIES,
        None,
    ),
    (
        "blog",
        "# Winterising your pipes\n\nInsulate outdoor taps before the first frost and make sure you know where "
        "your stop valve is. Book a check at https://plumber.example/book.",
        {
            "topic": "winterising your pipes",
            "key_points": ["Insulate outdoor taps before the first frost", "Know where your stop valve is"],
            "links": {"booking_url": "https://plumber.example/book"},
        },
        None,
    ),
    (
        "email",
        "Welcome to the bread club! A fresh loaf waits for you every Friday from 7 am. You can pause or cancel "
        "any week from your account: https://sunrise.example/account",
        {
            "purpose": "welcome",
            "topic": "welcome to the bread club",
            "key_points": ["A fresh loaf every Friday from 7 am", "Pause or cancel any week from your account"],
            "links": {"cta_url": "https://sunrise.example/account"},
        },
        "Welcome!",
    ),
    (
        "email",
        "This March at the bakery: rye is back on Tuesdays, we now open Sundays 7 am to 3 pm, and Ana has "
        "joined us as our new baker. Come say hello!",
        {
            "purpose": "newsletter",
            "topic": "what is new at the bakery in March",
            "key_points": [
                "Rye is back on Tuesdays",
                "New opening hours: 7 am to 3 pm on Sundays",
                "Meet Ana, our new baker",
            ],
        },
        "March news",
    ),
    (
        "social",
        "We miss you at the studio! Two new evening classes on Wednesdays, and your next class is free until "
        "April 30. Book at https://studio.example/book #yoga",
        {
            "purpose": "re_engagement",
            "topic": "we miss you at the studio",
            "key_points": ["Two new evening classes on Wednesdays"],
            "offer": {"description": "your next class free", "valid_until": "2027-04-30"},
            "links": {"booking_url": "https://studio.example/book"},
        },
        None,
    ),
    (
        "email",
        "Join us for the Stollen tasting on Sunday, December 12 at 4 pm at the shop, 12 Mill Lane. It's free "
        "and there's no booking needed.",
        {
            "purpose": "event",
            "topic": "the stollen tasting",
            "event": {"name": "Stollen tasting", "starts_at": "2027-12-12T16:00", "place": "the shop, 12 Mill Lane"},
            "key_points": ["Free, no booking needed"],
        },
        "Stollen tasting",
    ),
    (
        "sms",
        "Thanks for visiting Sunrise Bakery! How was it? Leave a quick review: https://g.page/r/sunrise/review",
        {
            "purpose": "review_request",
            "topic": "how was your visit",
            "links": {"review_url": "https://g.page/r/sunrise/review"},
        },
        None,
    ),
    (
        "social",
        "Big news: from March 5 we open Sundays 8am-2pm! Same bread, one more day to get it. #bakery",
        {
            "purpose": "announcement",
            "topic": "our new Sunday hours",
            "key_points": ["From March 5 we open Sundays 8 am to 2 pm"],
            "avoid_topics": ["staff shortages"],
        },
        None,
    ),
    (
        "email",
        "Spring is tune-up season. Book before March 31 and take 15% off any tune-up with code TUNE15: "
        "https://auto.example/book. We check brakes, tyres and fluids on every visit.",
        {
            "purpose": "promotion",
            "topic": "spring tune-ups",
            "key_points": ["15% off tune-ups booked before March 31"],
            "offer": {"description": "15% off tune-ups", "code": "TUNE15", "valid_until": "2027-03-31"},
            "links": {"booking_url": "https://auto.example/book"},
        },
        "15% off spring tune-ups",
    ),
    (
        "web",
        "Your first dental checkup with us\n\nNew to Bright Smile? Book your first visit online or call us. Bring "
        "your insurance card and a list of medicines. We explain every step before we start.",
        {
            "purpose": "welcome",
            "topic": "new patients",
            "key_points": [
                "Book online or call to schedule your first visit",
                "Bring your insurance card and a list of medicines",
            ],
        },
        None,
    ),
    (
        "blog",
        "## Three ways to make reading at home easier\n\n1. Read together for 15 minutes a day.\n2. Let your child "
        "choose the book.\n3. Talk about the story instead of quizzing.",
        {
            "topic": "three ways to make reading at home easier",
            "key_points": [
                "Read together for 15 minutes a day",
                "Let your child choose the book",
                "Talk about the story, don't quiz",
            ],
        },
        None,
    ),
    (
        "sms",
        "Northgate IT: fake password-expiry emails are going around. Don't click. Forward them to "
        "help@northgate.example.com",
        {
            "purpose": "announcement",
            "topic": "phishing warning",
            "key_points": [
                "Fake 'password expiry' emails are going around",
                "Don't click; forward to help@northgate.example.com",
            ],
        },
        None,
    ),
    (
        "social",
        "Meet Biscuit! This three-year-old beagle mix is good with kids (not yet with cats). Adoption fee $175: "
        "https://paws.example.org/adopt",
        {
            "topic": "meet Biscuit, our adoptable dog of the week",
            "key_points": [
                "Biscuit is a three-year-old beagle mix",
                "Good with kids, not yet with cats",
                "Adoption fee $175",
            ],
            "links": {"cta_url": "https://paws.example.org/adopt"},
        },
        None,
    ),
    (
        "email",
        "Our autumn colour menu is here: balayage from $180, with a free consultation before every colour "
        "service. Book at https://salon.example/book.",
        {
            "purpose": "promotion",
            "topic": "autumn color",
            "key_points": ["Balayage from $180", "Free consultation before every color service"],
            "links": {"booking_url": "https://salon.example/book"},
            "avoid_topics": ["hair loss"],
        },
        "Autumn colour",
    ),
    (
        "web",
        "Closing day, step by step\n\nA few days before, review your closing documents. On the day, do a final "
        "walk-through, then bring photo ID and your closing funds.",
        {
            "topic": "what to expect on closing day",
            "key_points": [
                "Review your closing documents a few days before",
                "Do a final walk-through",
                "Bring photo ID and your closing funds",
            ],
        },
        None,
    ),
]


@pytest.mark.parametrize(("channel", "text", "instructions", "subject"), GOOD)
def test_good_drafts_get_no_major_finding(
    db: Conn, tenant: str, channel: str, text: str, instructions: dict[str, Any], subject: str | None
) -> None:
    card = brief(db, tenant, text, instructions, subject=subject, channel=channel)
    assert majors(card) == [], card["findings"]
    assert all(f["fixable"] is True and f["dimension"] == "brief" for f in card["findings"])


# --- never raises -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["", "🎉🎉🎉 pies 🥧 and stollen", "<p>Pies &amp; <b>stollen</b></p> {{first_name}}", "pies " * 40000,
     "x" * 200000, "2027-13-45 99/99 december 99 0/0 code"],
)  # fmt: skip
def test_any_text_the_scorecard_accepts_is_scored(db: Conn, tenant: str, text: str) -> None:
    card = brief(db, tenant, text, PIES, subject=None)
    assert 0 <= card["score"] <= 100
    assert len(card["findings"]) <= 20


def test_as_the_worker_too(db: Conn, tenant: str) -> None:
    with act_as(db, tenant, "aicrm_worker"):
        row = db.execute(
            "select aicrm_private.score_brief(%s, null, 'sms', null, %s)", (PIPES_SMS, Jsonb(PIPES))
        ).fetchone()
    assert row is not None
    assert [f["check"] for f in row[0]["findings"]] == ["off_topic"]


# --- the synonyms -------------------------------------------------------------------------------


def test_synonyms_are_looked_up_both_ways(db: Conn, tenant: str) -> None:
    row = db.execute(
        "select count(*) from aicrm.brief_synonyms where term = 'pre-order' and synonym = 'order ahead'"
    ).fetchone()
    assert row == (1,)
    # One row, both directions: the brief says one, the draft the other.
    assert majors(brief(db, tenant, "Order ahead for Friday.", {"topic": "pre-orders"})) == []
    assert majors(brief(db, tenant, "Pre-order for Friday.", {"topic": "order ahead"})) == []


def test_the_synonyms_are_global_reference_data_every_role_reads_and_none_writes(db: Conn, tenant: str) -> None:
    assert db.execute(
        "select exists (select from pg_attribute where attrelid = 'aicrm.brief_synonyms'::regclass "
        "and attname = 'tenant_id')"
    ).fetchone() == (False,)
    for role in ("aicrm_app", "aicrm_worker", "aicrm_readonly"):
        with act_as(db, tenant, role):
            row = db.execute("select count(*) >= 100 from aicrm.brief_synonyms").fetchone()
        assert row == (True,), role
    with act_as(db, tenant):
        err = sql_error(db, "insert into aicrm.brief_synonyms (term, synonym) values ('cake', 'gateau')")
    assert err.diag.sqlstate == "42501"


def test_a_synonym_that_is_only_stop_words_is_refused(db: Conn) -> None:
    err = sql_error(db, "insert into aicrm.brief_synonyms (term, synonym) values ('discount', 'off')")
    assert err.diag.sqlstate == "23514"
    assert err.diag.constraint_name == "brief_synonyms_has_words"


def test_the_seed_is_idempotent_and_is_the_table(db: Conn) -> None:
    before = db.execute("select count(*) from aicrm.brief_synonyms").fetchone()
    db.execute("insert into aicrm.brief_synonyms (term, synonym) values ('stale', 'old pair')")
    db.execute(SEED.read_text())
    db.execute(SEED.read_text())
    assert db.execute("select count(*) from aicrm.brief_synonyms").fetchone() == before
    assert db.execute("select count(*) from aicrm.brief_synonyms where term = 'stale'").fetchone() == (0,)
