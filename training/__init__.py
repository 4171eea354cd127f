"""Offline model training, run by developers (`make train-matcher`), never by the app, the jobs or CI.

Its dependencies (torch, sentence-transformers) are the `train` extra, installed into `.venv-train`
only, so the runtime and the test install stay free of them.
"""
