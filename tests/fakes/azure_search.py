"""A local fake of the Azure AI Search REST API, for the real azure-search-documents client.

Speaks what our code uses: create/update, get and delete an index (`/indexes('name')`), index
documents (`/docs/search.index`: upload, merge, mergeOrUpload, delete), search
(`/docs/search.post.search`: full text over the searchable fields, vector queries by cosine, a tag
scoring profile with its parameter, select, top, skip) and count (`/docs/$count`). Checks the
`api-key` header. `fake.down = True` answers 503 to everything (Azure outage); `fake.requests`
records (method, path, body). Runs in a thread, like the other fakes.
"""

from __future__ import annotations

import json
import math
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

API_KEY = "azure-search-test-key"
_INDEX = re.compile(r"^/indexes\('([^']+)'\)(/docs/(search\.index|search\.post\.search|\$count))?$")


@dataclass
class FakeAzureSearch:
    indexes: dict[str, dict[str, Any]] = field(default_factory=dict)
    documents: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    requests: list[tuple[str, str, Any]] = field(default_factory=list)
    down: bool = False
    url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def key_field(self, index: str) -> str:
        return next(f["name"] for f in self.indexes[index]["fields"] if f.get("key"))

    def searchable(self, index: str) -> list[str]:
        return [f["name"] for f in self.indexes[index]["fields"] if f.get("searchable") and "Single" not in f["type"]]

    def index_documents(self, index: str, actions: list[dict[str, Any]]) -> list[dict[str, Any]]:
        key, docs, results = self.key_field(index), self.documents.setdefault(index, {}), []
        for action in actions:
            kind = action.pop("@search.action", "upload")
            doc_id = str(action[key])
            if kind == "delete":
                docs.pop(doc_id, None)
            elif kind in ("merge", "mergeOrUpload") and doc_id in docs:
                docs[doc_id] = {**docs[doc_id], **action}
            elif kind == "merge":
                results.append({"key": doc_id, "status": False, "errorMessage": "not found", "statusCode": 404})
                continue
            else:
                docs[doc_id] = action
            results.append({"key": doc_id, "status": True, "errorMessage": None, "statusCode": 200})
        return results

    def search(self, index: str, body: dict[str, Any]) -> list[dict[str, Any]]:
        words = set(re.findall(r"\w+", (body.get("search") or "").lower()))
        everything = (body.get("search") or "*").strip() == "*"
        weights = {"title": 3.0, "alternate_titles": 2.0}
        scored = []
        for doc in self.documents.get(index, {}).values():
            score = 1.0 if everything else 0.0
            for name in self.searchable(index):
                value = doc.get(name) or []
                text = " ".join(value) if isinstance(value, list) else str(value)
                score += weights.get(name, 1.0) * len(words & set(re.findall(r"\w+", text.lower())))
            for vq in body.get("vectorQueries") or []:
                vector = doc.get(vq["fields"])
                if vector:
                    score += 2.0 * max(0.0, cosine(vq["vector"], vector))
            profile = body.get("scoringProfile")
            for parameter in body.get("scoringParameters") or []:
                name, _, tag = parameter.partition("-")
                if profile and name == "industry" and tag in (doc.get("industries") or []):
                    score *= 2.0
            if score > 0:
                scored.append((score, doc))
        scored.sort(key=lambda pair: -pair[0])
        skip, top = int(body.get("skip") or 0), int(body.get("top") or 50)
        select = [s.strip() for s in body["select"].split(",")] if body.get("select") else None
        return [
            {"@search.score": score, **{k: v for k, v in doc.items() if select is None or k in select}}
            for score, doc in scored[skip : skip + top]
        ]


def cosine(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=False))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return dot / norm if norm else 0.0


class _Handler(BaseHTTPRequestHandler):
    fake: FakeAzureSearch

    def log_message(self, *_args: Any) -> None:
        pass

    def _reply(self, status: int, body: Any = None) -> None:
        raw = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; odata.metadata=minimal")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def _error(self, status: int, code: str, message: str) -> None:
        self._reply(status, {"error": {"code": code, "message": message}})

    def _handle(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length)) if length else None
        path = unquote(urlsplit(self.path).path)
        fake = self.fake
        with fake.lock:
            fake.requests.append((method, path, body))
            if fake.down:
                return self._error(503, "ServiceUnavailable", "The service is down (fake outage).")
            if self.headers.get("api-key") != API_KEY:
                return self._error(403, "Forbidden", "Invalid api-key.")
            match = _INDEX.match(path)
            if match is None:
                return self._error(404, "NotFound", f"No route {method} {path}")
            index, operation = match.group(1), match.group(3)
            if operation is None:
                if method == "PUT":
                    created = index not in fake.indexes
                    fake.indexes[index] = {**(body or {}), "name": index, "@odata.etag": '"1"'}
                    return self._reply(201 if created else 200, fake.indexes[index])
                if index not in fake.indexes:
                    return self._error(404, "ResourceNotFound", f"No index {index}")
                if method == "GET":
                    return self._reply(200, fake.indexes[index])
                if method == "DELETE":
                    fake.indexes.pop(index)
                    fake.documents.pop(index, None)
                    return self._reply(204)
            if index not in fake.indexes:
                return self._error(404, "ResourceNotFound", f"No index {index}")
            if operation == "search.index" and method == "POST":
                return self._reply(200, {"value": fake.index_documents(index, (body or {}).get("value", []))})
            if operation == "search.post.search" and method == "POST":
                return self._reply(200, {"value": fake.search(index, body or {})})
            if operation == "$count" and method == "GET":
                return self._reply(200, len(fake.documents.get(index, {})))
            return self._error(405, "MethodNotAllowed", f"{method} {path}")

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_DELETE(self) -> None:
        self._handle("DELETE")


@contextmanager
def running_fake_azure_search() -> Iterator[FakeAzureSearch]:
    """Start the fake on a free loopback port; `fake.url` is the service endpoint."""
    fake = FakeAzureSearch()
    server = ThreadingHTTPServer(("127.0.0.1", 0), type("Handler", (_Handler,), {"fake": fake}))
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), name="fake-azure-search", daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
