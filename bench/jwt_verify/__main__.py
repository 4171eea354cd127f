"""`python -m bench.jwt_verify`: CPU time of one Auth0 token verification, ours against PyJWT's.

sidecar/auth/upstream.py checks the compact JWS itself rather than calling PyJWT's decode, for speed.
This measures what that saves on each token exchange: the same Auth0-shaped RS256 token verified by
`Auth0Verifier.verify` (JWKS cache lookup by kid included) and by `jwt.decode` given the public key
already built and chosen (PyJWT's most favourable case: no header read, no JWKS lookup), with the same
checks (issuer, audience, required claims, leeway). Rounds of each alternate, so load on the machine
falls on both alike; the median round is reported. The signature check itself (cryptography's RSA
verify, the same call in both) is measured too, as the floor neither can go below.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

import jwt
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from bench.report import Figure, emit
from sidecar.auth.jwks import JwksCache
from sidecar.auth.upstream import Auth0Verifier

ISSUER = "https://tenant.example.com/"
AUDIENCE = "https://api.fluentpro.bench"
KID = "bench-key"
ROUNDS = 15
PER_ROUND = int(os.environ.get("BENCH_JWT_PER_ROUND", "400"))


def auth0_token(key: rsa.RSAPrivateKey) -> str:
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "sub": "auth0|6553f0c1d2e3f4a5b6c7d8e9",
        "aud": [AUDIENCE, ISSUER + "userinfo"],
        "iat": now,
        "exp": now + 86_400,
        "scope": "openid profile email offline_access",
        "azp": "bench-client-id-0123456789abcdef",
        "https://fluentpro.app/email": "bench.user@example.com",
        "https://fluentpro.app/email_verified": True,
        "https://fluentpro.app/name": "Bench User",
    }
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": KID, "typ": "JWT"})


async def per_call_us(call: Callable[[], Awaitable[Any]]) -> float:
    started = time.process_time()
    for _ in range(PER_ROUND):
        await call()
    return (time.process_time() - started) / PER_ROUND * 1e6


async def main() -> None:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = private.public_key()
    token = auth0_token(private)
    jwk = jwt.algorithms.RSAAlgorithm.to_jwk(public, as_dict=True) | {"kid": KID, "use": "sig", "alg": "RS256"}

    async def fetch() -> dict[str, Any]:
        return {"keys": [jwk]}

    verifier = Auth0Verifier(JwksCache(fetch), issuer=ISSUER, audience=AUDIENCE, leeway=30)
    signing_input, _, signature = token.rpartition(".")
    raw_signature = jwt.utils.base64url_decode(signature)

    async def ours() -> Any:
        return await verifier.verify(token)

    async def pyjwt() -> Any:
        return jwt.decode(
            token,
            key=public,
            algorithms=["RS256"],
            audience=AUDIENCE,
            issuer=ISSUER,
            leeway=30,
            options={"require": ["iss", "aud", "exp", "iat", "sub"]},
        )

    async def rsa_only() -> None:
        public.verify(raw_signature, signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())

    assert (await ours())["sub"] == (await pyjwt())["sub"]  # both accept it, and the cache is warm
    rounds: dict[str, list[float]] = {"ours": [], "pyjwt": [], "rsa": []}
    for _ in range(ROUNDS):
        rounds["ours"].append(await per_call_us(ours))
        rounds["pyjwt"].append(await per_call_us(pyjwt))
        rounds["rsa"].append(await per_call_us(rsa_only))
    ours_us, pyjwt_us, rsa_us = (statistics.median(rounds[name]) for name in ("ours", "pyjwt", "rsa"))
    print(f"saved per exchange: {pyjwt_us - ours_us:.1f} us of CPU ({pyjwt_us:.1f} -> {ours_us:.1f})")
    emit(
        "Auth0 token verification, CPU per token (median of rounds; baseline: PyJWT with a pre-built key)",
        [
            Figure(
                "jwt_verify",
                "Auth0Verifier.verify",
                ours_us,
                "us",
                baseline=pyjwt_us,
                goal="ratio < 1",
                met=ours_us < pyjwt_us,
            ),
            Figure("jwt_verify", "saved per exchange", pyjwt_us - ours_us, "us"),
            Figure("jwt_verify", "RSA verify alone (both's floor)", rsa_us, "us", baseline=pyjwt_us),
        ],
    )


if __name__ == "__main__":
    asyncio.run(main())
