"""The fenced code blocks of a Markdown guide, and the one Node module its runnable JavaScript makes.

A ```js block whose info string has title="..." is runnable; ```js illustration is shown, not run.
The runnable ones are joined in order into one ES module (top-level await, imports hoisted), each
preceded by a line that prints its title, so a failure names the snippet it happened in.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

FENCE = re.compile(r"^```(?P<lang>[\w-]*)(?P<info>.*)$")
TITLE = re.compile(r'title="(?P<title>[^"]+)"')


@dataclass(frozen=True)
class Block:
    lang: str
    info: str
    code: str
    line: int  # of the opening fence, 1-based

    @property
    def title(self) -> str | None:
        found = TITLE.search(self.info)
        return found["title"] if found else None

    @property
    def runnable(self) -> bool:
        return self.lang == "js" and self.title is not None

    @property
    def illustration(self) -> bool:
        return self.lang == "js" and "illustration" in self.info.split()


def code_blocks(markdown: str) -> list[Block]:
    blocks: list[Block] = []
    opened: tuple[str, str, int] | None = None
    body: list[str] = []
    for number, line in enumerate(markdown.splitlines(), start=1):
        if opened is None:
            if found := FENCE.match(line):
                opened, body = (found["lang"], found["info"].strip(), number), []
        elif line.strip() == "```":
            blocks.append(Block(opened[0], opened[1], "\n".join(body), opened[2]))
            opened = None
        else:
            body.append(line)
    if opened is not None:
        raise ValueError(f"the code block opened on line {opened[2]} is never closed")
    return blocks


def module_of(blocks: list[Block], config: dict[str, str]) -> str:
    """One ES module: `config` first, then each runnable snippet after a line announcing it."""
    parts = [f"const config = {json.dumps(config)}"]
    runnable = [block for block in blocks if block.runnable]
    for index, block in enumerate(runnable, start=1):
        marker = {"snippet": index, "title": block.title, "line": block.line}
        parts.append(f"console.log({json.dumps(json.dumps(marker))})\n{block.code}")
    parts.append(f"console.log({json.dumps(json.dumps({'snippets_run': len(runnable)}))})")
    parts.append("process.exit(0) // the clients' timers (heartbeats) would otherwise keep Node alive")
    return "\n\n".join(parts) + "\n"
