"""Test doubles that exercise the real call path: a local OpenAI-compatible server.

The scripted ``synthetic`` model lives with the providers in ``backfire.llm``.
"""

from ._fake_openai import FakeOpenAIProcess, FakeOpenAIServer

__all__ = ["FakeOpenAIProcess", "FakeOpenAIServer"]
