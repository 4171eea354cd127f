"""Auth0's Authentication API, as the native-app wrappers and the token exchange use it.

One httpx client (made in the lifespan) with a timeout; a failure to reach Auth0 is 503, an
unexpected answer 502, and Auth0's own refusals become our codes (invalid credentials, taken email).
"""

from __future__ import annotations

import logging
from typing import Any

import httpx

from core.settings import Auth0Settings
from sidecar.errors import ProblemError, UpstreamUnavailable

log = logging.getLogger("sidecar.auth.auth0")
PASSWORD_REALM = "http://auth0.com/oauth/grant-type/password-realm"  # noqa: S105 (a grant name)
LOGIN_SCOPE = "openid profile email offline_access"
FORWARDED_FOR = "auth0-forwarded-for"


class Auth0Client:
    def __init__(self, http: httpx.AsyncClient, settings: Auth0Settings) -> None:
        self.http = http
        self.settings = settings

    async def fetch_jwks(self) -> dict[str, Any]:
        """The tenant's key set (the JWKS cache calls this; errors propagate as exceptions)."""
        response = await self.http.get(self.settings.jwks_url, timeout=self.settings.http_timeout_seconds)
        response.raise_for_status()
        document = response.json()
        if not isinstance(document, dict):
            raise ValueError("the JWKS is not a JSON object")
        return document

    async def signup(self, email: str, password: str, full_name: str) -> dict[str, Any]:
        body = {
            "client_id": self._client_id(),
            "email": email,
            "password": password,
            "connection": self.settings.realm,
            "name": full_name,
        }
        status, answer = await self._post("/dbconnections/signup", body)
        if status == 200:
            return answer
        code = str(answer.get("code") or answer.get("error") or "")
        if code in ("invalid_signup", "user_exists", "username_exists"):
            raise ProblemError(
                "auth.email_taken", "An account with this email already exists.", 409, details={"field": "email"}
            )
        if code in ("invalid_password", "password_strength_error", "password_dictionary_error"):
            raise ProblemError(
                "auth.weak_password",
                "The identity provider refused this password.",
                422,
                details={"errors": [{"field": "password", "rule": code, "message": str(answer)}]},
            )
        raise self._unexpected("signup", status, answer)

    async def login(self, email: str, password: str, *, client_address: str | None = None) -> dict[str, Any]:
        # Auth0 counts failed logins per user and address; from a server it sees only the server's
        # address unless told the user's. It trusts this header from confidential clients only (with
        # "Trust Token Endpoint IP Header" on the application), so it is sent only with our secret.
        headers = {FORWARDED_FOR: client_address} if client_address and self.settings.client_secret else None
        status, answer = await self._post(
            "/oauth/token",
            self._grant(
                grant_type=PASSWORD_REALM,
                username=email,
                password=password,
                realm=self.settings.realm,
                audience=self.settings.audience,
                scope=LOGIN_SCOPE,
            ),
            headers=headers,
        )
        if status == 200 and answer.get("access_token"):
            return answer
        if status in (401, 403) and answer.get("error") == "invalid_grant":  # access_denied: our client is refused
            raise ProblemError("auth.invalid_credentials", "Wrong email or password.", 401)
        if status == 429 or answer.get("error") == "too_many_attempts":
            raise ProblemError("auth.too_many_attempts", "Too many attempts; try again later.", 429)
        raise self._unexpected("login", status, answer)

    async def refresh(self, refresh_token: str) -> dict[str, Any]:
        status, answer = await self._post(
            "/oauth/token",
            self._grant(
                grant_type="refresh_token",
                refresh_token=refresh_token,
            ),
        )
        if status == 200 and answer.get("access_token"):
            return answer
        if status in (400, 401, 403) and answer.get("error") == "invalid_grant":
            raise ProblemError("auth.invalid_refresh_token", "The refresh token is not valid; sign in again.", 401)
        raise self._unexpected("refresh", status, answer)

    async def revoke(self, refresh_token: str) -> None:
        status, answer = await self._post("/oauth/revoke", self._grant(token=refresh_token))
        if status != 200:
            raise self._unexpected("revoke", status, answer)

    async def userinfo(self, access_token: str) -> dict[str, Any]:
        try:
            response = await self.http.get(
                self.settings.base_url + "/userinfo",
                headers={"Authorization": f"Bearer {access_token}"},
                timeout=self.settings.http_timeout_seconds,
            )
        except httpx.HTTPError as exc:
            raise UpstreamUnavailable("auth.upstream_unavailable", "Auth0 cannot be reached.") from exc
        if response.status_code != 200:
            raise self._unexpected("userinfo", response.status_code, {})
        data = response.json()
        return data if isinstance(data, dict) else {}

    # -- plumbing -------------------------------------------------------------------------------
    def _client_id(self) -> str:
        if not self.settings.client_id:
            raise ProblemError("auth.not_configured", "Sign-up and login are not configured (AUTH0_CLIENT_ID).", 503)
        return self.settings.client_id

    def _grant(self, **fields: str) -> dict[str, Any]:
        body: dict[str, Any] = {"client_id": self._client_id(), **fields}
        if self.settings.client_secret:
            body["client_secret"] = self.settings.client_secret
        return body

    async def _post(
        self, path: str, body: dict[str, Any], headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, Any]]:
        try:
            response = await self.http.post(
                self.settings.base_url + path, json=body, headers=headers, timeout=self.settings.http_timeout_seconds
            )
        except httpx.HTTPError as exc:
            raise UpstreamUnavailable("auth.upstream_unavailable", "Auth0 cannot be reached.") from exc
        if response.status_code >= 500:
            raise UpstreamUnavailable("auth.upstream_unavailable", "Auth0 is failing; try again later.")
        try:
            answer = response.json()
        except ValueError:
            answer = {}
        return response.status_code, answer if isinstance(answer, dict) else {}

    @staticmethod
    def _unexpected(what: str, status: int, answer: dict[str, Any]) -> ProblemError:
        log.warning("unexpected Auth0 answer", extra={"call": what, "status": status, "error": answer.get("error")})
        return ProblemError("auth.upstream_error", "Auth0 gave an unexpected answer.", 502)
