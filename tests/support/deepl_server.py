"""A DeepL-compatible HTTP server for tests (stdlib ``http.server`` in a thread on 127.0.0.1).

Implements what the ``deepl`` library (1.32) calls for text translation: ``/v2/translate`` (JSON
or form body), ``/v2/usage``, ``/v2/glossaries`` and ``/v3/glossaries`` (create, get, list,
replace a dictionary, delete). The translation is deterministic: ``EN(<text>)``, with glossary
terms replaced by their English first, so tests can assert that a glossary was applied.

Every request is recorded (:class:`RecordedRequest`: method, path, headers, raw body bytes,
parsed params). Failures are injected with :meth:`FakeDeepLServer.fail` (a status code, ``times``
times, optionally only for a path prefix), :meth:`drop_connections` (close the socket without an
answer) and ``delay_s`` (sleep before answering).
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

MAX_BODY_BYTES = 128 * 1024


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    params: dict[str, Any]

    @property
    def texts(self) -> list[str]:
        text = self.params.get("text", [])
        return [text] if isinstance(text, str) else list(text)


@dataclass
class _Failure:
    status: int
    times: int
    path_prefix: str
    body: dict[str, Any] = field(default_factory=dict)


class FakeDeepLServer:
    """Start with :meth:`start` (or use as a context manager); ``url`` is the server URL."""

    def __init__(self, *, auth_key: str = "test-key:fx", character_limit: int = 500_000) -> None:
        self.auth_key = auth_key
        self.character_count = 0
        self.character_limit = character_limit
        self.requests: list[RecordedRequest] = []
        self.glossaries: dict[str, dict[str, Any]] = {}
        self.delay_s = 0.0
        self._failures: list[_Failure] = []
        self._drops = 0
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ---- lifecycle

    def start(self) -> FakeDeepLServer:
        server = self

        class Handler(_Handler):
            fake = server

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> FakeDeepLServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._httpd is not None, "server not started"
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    # ---- failure switches

    def fail(self, status: int, *, times: int = 1_000_000, path_prefix: str = "/") -> None:
        """Answer the next ``times`` requests under ``path_prefix`` with ``status``."""
        with self._lock:
            self._failures.append(_Failure(status, times, path_prefix))

    def drop_connections(self, times: int = 1_000_000) -> None:
        """Close the next ``times`` connections without answering."""
        with self._lock:
            self._drops = times

    def reset_failures(self) -> None:
        with self._lock:
            self._failures.clear()
            self._drops = 0
            self.delay_s = 0.0

    # ---- views of what was received

    def translate_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path == "/v2/translate"]

    def glossary_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if "/glossaries" in r.path]

    # ---- request handling (called from the handler thread)

    def _take_failure(self, path: str) -> int | None:
        with self._lock:
            for failure in self._failures:
                if failure.times > 0 and path.startswith(failure.path_prefix):
                    failure.times -= 1
                    return failure.status
        return None

    def _take_drop(self) -> bool:
        with self._lock:
            if self._drops > 0:
                self._drops -= 1
                return True
        return False

    def handle(self, method: str, path: str, params: dict[str, Any], auth: str) -> tuple[int, Any]:
        if auth != f"DeepL-Auth-Key {self.auth_key}":
            return 403, {"message": "Wrong auth key"}
        status = self._take_failure(path)
        if status is not None:
            return status, {"message": f"injected {status}"}
        if path == "/v2/usage" and method == "GET":
            return 200, {
                "character_count": self.character_count,
                "character_limit": self.character_limit,
            }
        if path == "/v2/translate" and method == "POST":
            return self._translate(params)
        if path.startswith("/v3/glossaries") or path.startswith("/v2/glossaries"):
            return self._glossaries(method, path, params)
        return 404, {"message": "Not found"}

    def _translate(self, params: dict[str, Any]) -> tuple[int, Any]:
        texts = params.get("text")
        if isinstance(texts, str):
            texts = [texts]
        if not texts:
            return 400, {"message": "Parameter 'text' not specified."}
        if len(texts) > 50:
            return 413, {"message": "Too many texts"}
        if str(params.get("target_lang", "")).upper() not in ("EN-US", "EN-GB"):
            return 400, {"message": "Value for 'target_lang' not supported."}
        entries: dict[str, str] = {}
        glossary_id = params.get("glossary_id")
        if glossary_id:
            glossary = self.glossaries.get(glossary_id)
            if glossary is None:
                return 400, {"message": "Invalid glossary_id"}
            entries = glossary["entries"]
        translations = []
        billed = 0
        for text in texts:
            out = text
            for source in sorted(entries, key=len, reverse=True):
                out = out.replace(source, entries[source])
            billed += len(text)
            translations.append(
                {
                    "detected_source_language": "JA",
                    "text": f"EN({out})",
                    "billed_characters": len(text),
                }
            )
        with self._lock:
            if self.character_count + billed > self.character_limit:
                return 456, {"message": "Quota Exceeded"}
            self.character_count += billed
        return 200, {"translations": translations}

    def _glossaries(self, method: str, path: str, params: dict[str, Any]) -> tuple[int, Any]:
        parts = [p for p in path.split("/") if p]  # v3, glossaries, [id], [dictionaries]
        version = parts[0]
        glossary_id = parts[2] if len(parts) > 2 else None
        if glossary_id is None and method == "POST":
            return self._create_glossary(version, params)
        if glossary_id is None and method == "GET":
            return 200, {"glossaries": [self._info(version, g) for g in self.glossaries.values()]}
        glossary = self.glossaries.get(glossary_id or "")
        if glossary is None:
            return 404, {"message": "Glossary not found"}
        if method == "GET":
            return 200, self._info(version, glossary)
        if method == "DELETE":
            del self.glossaries[glossary["glossary_id"]]
            return 204, None
        if method == "PUT" and len(parts) > 3 and parts[3] == "dictionaries":
            glossary["entries"] = _parse_tsv(params.get("entries", ""))
            glossary["source_lang"] = params.get("source_lang", "JA")
            glossary["target_lang"] = params.get("target_lang", "EN")
            return 200, self._dictionary_info(glossary)
        return 400, {"message": "Unsupported glossary operation"}

    def _create_glossary(self, version: str, params: dict[str, Any]) -> tuple[int, Any]:
        if version == "v3":
            dictionaries = params.get("dictionaries") or []
            if len(dictionaries) != 1:
                return 400, {"message": "Expected one dictionary"}
            dictionary = dictionaries[0]
        else:
            dictionary = params
        glossary = {
            "glossary_id": str(uuid.uuid4()),
            "name": params.get("name", ""),
            "source_lang": dictionary.get("source_lang", "JA"),
            "target_lang": dictionary.get("target_lang", "EN"),
            "entries": _parse_tsv(dictionary.get("entries", "")),
            "creation_time": "2024-01-01T00:00:00.000000Z",
        }
        self.glossaries[glossary["glossary_id"]] = glossary
        return 201, self._info(version, glossary)

    @staticmethod
    def _dictionary_info(glossary: dict[str, Any]) -> dict[str, Any]:
        return {
            "source_lang": str(glossary["source_lang"]).lower(),
            "target_lang": str(glossary["target_lang"]).lower(),
            "entry_count": len(glossary["entries"]),
        }

    def _info(self, version: str, glossary: dict[str, Any]) -> dict[str, Any]:
        base = {
            "glossary_id": glossary["glossary_id"],
            "name": glossary["name"],
            "creation_time": glossary["creation_time"],
        }
        if version == "v3":
            base["dictionaries"] = [self._dictionary_info(glossary)]
        else:
            base.update(self._dictionary_info(glossary), ready=True)
        return base


def _parse_tsv(text: str) -> dict[str, str]:
    entries = {}
    for line in str(text).splitlines():
        if "\t" in line:
            source, target = line.split("\t", 1)
            entries[source] = target
    return entries


class _Handler(BaseHTTPRequestHandler):
    fake: FakeDeepLServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        return

    def _dispatch(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        split = urlsplit(self.path)
        params: dict[str, Any] = {}
        content_type = self.headers.get("Content-Type", "")
        if body and "application/json" in content_type:
            params = json.loads(body.decode("utf-8"))
        elif body:
            form = parse_qs(body.decode("utf-8"), keep_blank_values=True)
            params = {k: (v if k == "text" or len(v) > 1 else v[0]) for k, v in form.items()}
        for key, values in parse_qs(split.query).items():
            params.setdefault(key, values[0])
        self.fake.requests.append(
            RecordedRequest(method, split.path, dict(self.headers.items()), body, params)
        )
        if self.fake._take_drop():
            self.close_connection = True
            self.connection.close()
            return
        if self.fake.delay_s:
            time.sleep(self.fake.delay_s)
        if len(body) > MAX_BODY_BYTES:
            status, payload = 413, {"message": "Request Entity Too Large"}
        else:
            status, payload = self.fake.handle(
                method, split.path, params, self.headers.get("Authorization", "")
            )
        data = b"" if payload is None else json.dumps(payload).encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        self._dispatch("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._dispatch("POST")

    def do_PUT(self) -> None:  # noqa: N802
        self._dispatch("PUT")

    def do_PATCH(self) -> None:  # noqa: N802
        self._dispatch("PATCH")

    def do_DELETE(self) -> None:  # noqa: N802
        self._dispatch("DELETE")
