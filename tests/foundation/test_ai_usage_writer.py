"""AI usage is recorded one way: private.record_ai_usage is the only statement that writes app.ai_usage
(jobs call it as the owner; the sidecar through private.record_my_ai_usage, for the caller)."""

from __future__ import annotations

import re

from core.db.migrator import PROJECT_ROOT

WRITER = "supabase/functions_sql/ai/record_ai_usage.sql"
WRITE = re.compile(r"\b(?:insert\s+into|update|delete\s+from)\s+app\.ai_usage\b", re.IGNORECASE)


def test_only_the_private_function_writes_ai_usage() -> None:
    writers = set()
    for folder in ("supabase", "core", "jobs", "sidecar", "fluentpro", "localapi", "seeds"):
        for path in (PROJECT_ROOT / folder).rglob("*"):
            scanned = path.suffix in (".sql", ".py") and "node_modules" not in path.parts
            if scanned and WRITE.search(path.read_text(encoding="utf-8")):
                writers.add(path.relative_to(PROJECT_ROOT).as_posix())
    assert writers == {WRITER}
