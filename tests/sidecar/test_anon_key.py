"""The API keys: with the development secret, exactly the Supabase CLI's local keys; with an ES256 key,
signed by it; with neither, a clear refusal."""

from __future__ import annotations

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from core.anon_key import anon_key, service_role_key
from core.settings import DEV_JWT_SECRET, SettingsError, TokenSettings
from tests.sidecar.conftest import ES256_KEY, ES256_PEM

# What `supabase status` prints for a local project (Supabase CLI, legacy JWT keys).
CLI_ANON_KEY = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJleHAiOjE5ODM4MTI5OTZ9"
    ".CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0"
)
CLI_SERVICE_ROLE_KEY = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZpY2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0"
    ".EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU"
)


def test_the_development_secret_gives_the_supabase_cli_keys() -> None:
    tokens = TokenSettings(issuer="fluentpro-sidecar", secret=DEV_JWT_SECRET)
    assert anon_key(tokens) == CLI_ANON_KEY
    assert service_role_key(tokens) == CLI_SERVICE_ROLE_KEY


def test_another_secret_signs_other_keys_with_the_same_claims() -> None:
    secret = "another-local-secret-of-at-least-32-characters"
    key = anon_key(TokenSettings(issuer="fluentpro-sidecar", secret=secret))
    assert key != CLI_ANON_KEY
    claims = jwt.decode(key, secret, algorithms=["HS256"])
    assert claims == {"iss": "supabase-demo", "role": "anon", "exp": 1_983_812_996}


def test_an_es256_key_signs_them_with_its_kid() -> None:
    tokens = TokenSettings(issuer="fluentpro-sidecar", private_key_pem=ES256_PEM, kid="local-key")
    key = service_role_key(tokens)
    assert jwt.get_unverified_header(key) == {"alg": "ES256", "kid": "local-key", "typ": "JWT"}
    assert jwt.decode(key, ES256_KEY.public_key(), algorithms=["ES256"])["role"] == "service_role"
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(key, ec.generate_private_key(ec.SECP256R1()).public_key(), algorithms=["ES256"])


def test_without_a_secret_or_key_it_says_which_variable_to_set() -> None:
    with pytest.raises(SettingsError, match="SUPABASE_JWT_SECRET"):
        anon_key(TokenSettings(issuer="fluentpro-sidecar"))
