"""Whether a write whose answer was lost landed, judged from the deployment read again.

Only a saved plan needs it (a fresh run plans again instead): the plan says what the write
would set, and the live deployment shows it or not.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from connect_gitops.core.deployments.live import Deployment
from connect_gitops.core.plan import Change, FieldChange


def draft_landed(draft: Mapping[str, Any], live: Deployment) -> bool:
    """Saved mode, after an unknown create: is ``live`` the deployment the draft describes?"""
    connector = draft.get("connector") or {}
    return (
        live.deployment_type == draft.get("type")
        and live.deployedRegion in (None, draft.get("region"))
        and all(
            connector.get(name) is None or getattr(live.connector, name) == connector[name]
            for name in ("key", "id")
        )
    )


def fields_landed(change: Change, live: Deployment) -> bool:
    """Saved mode, after an unknown redeploy: does ``live`` show every standard value the plan
    sets? (A redeploy that only rotates secrets shows nothing: the version must do.)"""
    return all(_shows(field, live) for field in change.fields)


def _shows(field: FieldChange, live: Deployment) -> bool:
    parts = field.path.split(".")
    if parts[0] == "configurations" and len(parts) == 4:
        application = live.application(parts[1])
        return application is not None and bool(application.standard().get(parts[3]) == field.after)
    if parts[0] == "globalConfiguration" and len(parts) == 3:
        values = live.globalConfiguration.standard() if live.globalConfiguration else {}
        return bool(values.get(parts[2]) == field.after)
    if parts[0] == "configurations" and parts[-1] == "schedule":
        application = live.application(parts[1])
        return application is not None and bool(application.schedule == field.after)
    if field.path == "connector.version":
        return bool(field.after == "latest" or live.connector.version == field.after)
    return True
