"""Live connectors shaped exactly like the API reference's examples, and the shapes the real API
may send besides: no key (made in the Merchant Center), fields and enum values newer than this
version, ``null`` where a value is missing. Declarations stay strict; live data must never fail a
run. Seed them into the emulator through its state (:func:`seed`)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from tests.support.emulator import PROJECT, control

EXAMPLES = Path(__file__).parent / "raml_examples"
EXAMPLE_KEY = "connector-key"
"""The key of the reference's ConnectorStaged example (``connector-staged.json``)."""
KEYLESS_ID = "0c4c5f3e-7a8a-4b53-9d0e-keyless00001"
NEW_ENUMS_KEY = "new-enums-connector"
NEW_REGION = "me-central1.gcp"
NEW_INTEGRATION_TYPE = "loyalty"


def example(name: str) -> Any:
    """One of the API reference's example bodies, as published."""
    return json.loads((EXAMPLES / name).read_text(encoding="utf-8"))


def reference_staged() -> dict[str, Any]:
    """``connector/staged.json``: ``noOfDevelopers`` (an older creator field), ``configurations``,
    ``privateCustomers``, no ``isPreviewable``, no ``integrationTypes``."""
    staged: dict[str, Any] = example("connector-staged.json")
    return staged


def keyless() -> dict[str, Any]:
    """The result of ``connector/paged.json`` (``certified``, no ``status``), without a key, as
    a connector made in the Merchant Center may be."""
    connector: dict[str, Any] = copy.deepcopy(example("connector-paged.json")["results"][0])
    connector.pop("key")
    connector["id"] = KEYLESS_ID
    return connector


def newer_than_this_version() -> dict[str, Any]:
    """Fields and values this version does not know, and nulls where values are missing."""
    connector = reference_staged()
    connector.update(
        {
            "id": "0c4c5f3e-7a8a-4b53-9d0e-newenums0001",
            "key": NEW_ENUMS_KEY,
            "description": None,
            "documentationUrl": None,
            "integrationTypes": ["psp", NEW_INTEGRATION_TYPE],
            "supportedRegions": ["europe-west1.gcp", NEW_REGION],
            "privateProjects": None,
            "status": "UnderReview",
            "isPreviewable": "maybe-later",
            "hasChanges": None,
            "alreadyListed": None,
            "certified": True,
            "certificationInfo": {"comments": [{"userId": "u", "datetime": None, "comment": "ok"}]},
            "globalConfiguration": {"standardConfiguration": [], "securedConfiguration": []},
            "apiClient": {"scopes": ["manage_orders"]},
            "publishingReport": {
                "entries": [
                    {"type": "Error", "title": None, "message": None, "createdAt": None},
                    example("ConnectorReportEntry.json"),
                    {"type": "Notice", "title": "A type this version does not know"},
                ]
            },
            "previewableReport": {"entries": None},
        }
    )
    connector["creator"] = {**connector["creator"], "logoUrl": None, "supportUrl": None}
    return connector


def reference_connectors() -> list[dict[str, Any]]:
    """The three above: the example itself, a key-less one, and one newer than this version."""
    return [reference_staged(), keyless(), newer_than_this_version()]


def seed(url: str, connectors: list[dict[str, Any]], project: str = PROJECT) -> None:
    """Put ``connectors`` into the emulator's project as they are (no validation, as stored)."""
    state = control(url, "GET", "state")
    stored = state["projects"].setdefault(project, {"connectors": []})
    stored["connectors"] = [*stored.get("connectors", []), *copy.deepcopy(connectors)]
    control(url, "PUT", "state", state)
