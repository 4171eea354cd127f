"""AI features' shared infrastructure (used by the sidecar and by the jobs).

settings.py   OPENAI_* settings; unset key = not configured (503 / jobs wait)
client.py     the one OpenAI SDK setup: chat_json (structured output, validated), chat_stream, embed
retry.py      bounded retries honouring Retry-After; breaker.py the circuit breaker
errors.py     AIError and its codes (docs/error_codes.md, area `ai`)
plan.py       the learning-plan schema and its validation; enrichment.py the custom-role proposal
prompts.py    every prompt; runtime.py the per-process client, usage recording, jobs waiting for AI
"""
