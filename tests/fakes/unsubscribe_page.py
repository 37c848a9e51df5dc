"""An unsubscribe page on 127.0.0.1, in a thread, doing what docs/pipeline.md asks of one: a GET of
the link (a recipient clicking it) and RFC 8058's one-click POST (a mailbox provider's button:
`List-Unsubscribe=One-Click` in a form body) both call aicrm.record_unsubscribe(token) as aicrm_app
with no tenant set. 200 with record_unsubscribe's answer as JSON; 400 when the token is refused.

    with UnsubscribePage(db_url) as page:
        ...  # AICRM_PUBLISH_UNSUBSCRIBE_URL=page.url
        assert page.answers[0]["recorded"]"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import psycopg

from tests.fakes.serving import LocalServer, QuietHandler


@dataclass
class Visit:
    method: str
    path: str
    body: str
    status: int
    answer: dict[str, Any]


@dataclass
class UnsubscribePage(LocalServer):
    db_url: str  # an administrator URL; each request switches to aicrm_app for its own transaction
    visits: list[Visit] = field(default_factory=list)
    url: str = ""

    @property
    def answers(self) -> list[dict[str, Any]]:
        return [v.answer for v in self.visits if v.status == 200]

    def record(self, token: str) -> tuple[int, dict[str, Any]]:
        with psycopg.connect(self.db_url) as conn:
            conn.execute("set local role aicrm_app")
            try:
                row = conn.execute("select aicrm.record_unsubscribe(%s)", (token,)).fetchone()
            except psycopg.Error as exc:
                return 400, {"sqlstate": exc.sqlstate, "field": exc.diag.column_name}
            conn.commit()
        assert row is not None
        return 200, dict(row[0])

    def start(self) -> UnsubscribePage:
        self.url = f"http://127.0.0.1:{self.serve(ThreadingHTTPServer(('127.0.0.1', 0), _handler(self)))}/unsubscribe"
        return self


def _handler(page: UnsubscribePage) -> type[BaseHTTPRequestHandler]:
    class Handler(QuietHandler):
        def _answer(self, method: str, body: str) -> None:
            query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
            token = (query.get("token") or [""])[0]
            one_click = method == "POST" and urllib.parse.parse_qs(body).get("List-Unsubscribe") == ["One-Click"]
            if method == "POST" and not one_click:
                status, answer = 400, {"error": "not a one-click unsubscribe"}
            else:
                status, answer = page.record(token)
            page.visits.append(Visit(method, self.path, body, status, answer))
            self.send_json(status, answer)

        def do_GET(self) -> None:
            self._answer("GET", "")

        def do_POST(self) -> None:
            self._answer("POST", self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode())

    return Handler
