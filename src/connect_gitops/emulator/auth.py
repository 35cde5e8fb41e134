"""The token endpoint and bearer-token checks (connect-api.md section 1).

Tokens are random strings kept only as hashes; the project of a token is the suffix of its
requested scopes. Any client id and secret are accepted unless the state defines clients.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from connect_gitops.emulator import rules
from connect_gitops.emulator.errors import ApiError, JsonObject, insufficient_scope, invalid_token
from connect_gitops.emulator.store import State, digest


def _oauth_error(status: int, code: str, description: str) -> ApiError:
    return ApiError(
        status,
        code,
        description,
        top_level={"error": code, "error_description": description},
    )


def _basic_credentials(authorization: str | None) -> tuple[str, str]:
    if authorization is None or not authorization.lower().startswith("basic "):
        raise _oauth_error(
            401,
            "invalid_client",
            "Please provide valid client credentials using HTTP Basic Authentication.",
        )
    try:
        decoded = base64.b64decode(authorization[6:].strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise _oauth_error(
            401, "invalid_client", "Malformed HTTP Basic Authentication header."
        ) from None
    client_id, separator, secret = decoded.partition(":")
    if not separator or not client_id:
        raise _oauth_error(401, "invalid_client", "Malformed HTTP Basic Authentication header.")
    return client_id, secret


def _scopes(requested: str | None, allowed: list[str] | None) -> tuple[list[str], str]:
    """The granted scopes, each with its project suffix, and that project."""
    words = requested.split() if requested else list(allowed or ["manage_project"])
    projects = {word.partition(":")[2] for word in words if ":" in word}
    if len(projects) > 1:
        raise _oauth_error(400, "invalid_scope", "Scopes must all be for the same project.")
    project = projects.pop() if projects else rules.DEFAULT_PROJECT
    if not rules.PROJECT_KEY.fullmatch(project):
        raise _oauth_error(400, "invalid_scope", f"Invalid project key '{project}' in the scope.")
    granted: list[str] = []
    for word in words:
        name = word.partition(":")[0]
        if name not in rules.SCOPES:
            raise _oauth_error(400, "invalid_scope", f"Invalid scope '{name}'.")
        scope = f"{name}:{project}"
        if allowed is not None and scope not in allowed and name not in allowed:
            raise _oauth_error(
                400, "invalid_scope", f"Scope '{scope}' is not granted to this client."
            )
        granted.append(scope)
    return granted, project


def issue_token(
    state: State, authorization: str | None, params: Mapping[str, str], now: float
) -> JsonObject:
    """POST /oauth/token: client credentials, form body or query; returns the token response."""
    client_id, secret = _basic_credentials(authorization)
    allowed: list[str] | None = None
    if state.clients:
        client = next((c for c in state.clients if c["clientId"] == client_id), None)
        if client is None or not secrets.compare_digest(
            client["clientSecretSha256"], digest(secret)
        ):
            raise _oauth_error(
                401,
                "invalid_client",
                "Please provide valid client credentials using HTTP Basic Authentication.",
            )
        allowed = list(client["scopes"])
    if params.get("grant_type") != "client_credentials":
        raise _oauth_error(400, "unsupported_grant_type", "Use grant_type=client_credentials.")
    granted, project = _scopes(params.get("scope"), allowed)
    token = secrets.token_urlsafe(32)
    lifetime = state.settings.tokenLifetimeSeconds
    state.tokens[digest(token)] = {
        "clientId": client_id,
        "project": project,
        "scopes": granted,
        "expiresAt": now + lifetime,
    }
    return {
        "access_token": token,
        "token_type": "Bearer",
        "expires_in": lifetime,
        "scope": " ".join(granted),
    }


@dataclass(frozen=True)
class Grant:
    """What a valid bearer token allows: its project and its scope names (without suffix)."""

    project: str
    scopes: frozenset[str]

    def allows(self, scopes: frozenset[str]) -> bool:
        return bool(self.scopes & scopes)


def authorize(
    state: State, authorization: str | None, *, needed: frozenset[str], missing: str, now: float
) -> Grant:
    """The grant of a bearer token; 401 for a bad token, 403 (naming `missing`) when the token
    has none of the `needed` scopes."""
    if authorization is None or not authorization.lower().startswith("bearer "):
        raise invalid_token()
    record = state.tokens.get(digest(authorization[7:].strip()))
    if record is None or record["expiresAt"] <= now:
        raise invalid_token()
    grant = Grant(
        str(record["project"]),
        frozenset(scope.partition(":")[0] for scope in record["scopes"]),
    )
    if not grant.allows(needed):
        raise insufficient_scope(missing)
    return grant


def forget_expired(state: State, now: float) -> None:
    """Drop expired tokens so the state file does not grow without bound."""
    for token_hash in [h for h, r in state.tokens.items() if r["expiresAt"] <= now]:
        del state.tokens[token_hash]
