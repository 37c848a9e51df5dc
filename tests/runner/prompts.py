"""Reading the prompts the model writer and the judge send: the per-request nonce their system message
names, and the data blocks of a user message by label."""

from __future__ import annotations

import re


def nonce_of(system: str) -> str:
    match = re.search(r"<<<DATA ([0-9a-f]{16}) name>>>", system)
    assert match, system
    return match.group(1)


def blocks(user: str, nonce: str) -> dict[str, str]:
    found = re.findall(rf"<<<DATA {nonce} ([a-z0-9' ]+)>>>\n(.*?)\n<<<END DATA {nonce}>>>", user, re.DOTALL)
    return dict(found)
