"""The 19 update actions of connect-api.md section 4, applied to a working copy.

Each handler validates its fields and changes the copy, or raises `ApiError`; the caller stores
the copy only when every action of the request succeeded (all or none). As the RAML says, every
field of an action is required unless marked optional, and a field an action does not have is
refused (a misspelt `creatorLogoUrl` must not silently clear the logo).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from connect_gitops.emulator import validation
from connect_gitops.emulator.context import Context
from connect_gitops.emulator.errors import JsonObject, connect_error, invalid_json
from connect_gitops.emulator.repos import RepositoryCheck
from connect_gitops.emulator.store import timestamp

Handler = Callable[[JsonObject, JsonObject, JsonObject, Context, str], None]

CREATOR_ACTIONS = {
    "setCreatorName": ("creatorName", "name"),
    "setCreatorTitle": ("creatorTitle", "title"),
    "setCreatorCompany": ("creatorCompany", "company"),
    "setCreatorSupportUrl": ("creatorSupportUrl", "supportUrl"),
    "setCreatorLogo": ("logoUrl", "logoUrl"),
}
OPTIONAL_TEXT_ACTIONS = {
    "setDescription": "description",
    "setDocumentationUrl": "documentationUrl",
}


FIELDS: dict[str, frozenset[str]] = {
    "setName": frozenset({"name"}),
    "setDescription": frozenset({"description"}),
    "setDocumentationUrl": frozenset({"documentationUrl"}),
    "setRepository": frozenset({"url", "tag"}),
    "setSupportedRegions": frozenset({"regions"}),
    "setIntegrationTypes": frozenset({"integrationTypes"}),
    **{name: frozenset({field}) for name, (field, _) in CREATOR_ACTIONS.items()},
    "setCreatorEmail": frozenset({"creatorEmail"}),
    "setCreatorNoOfContributors": frozenset({"creatorNoOfContributors"}),
    "addPrivateProject": frozenset({"privateProject"}),
    "removePrivateProject": frozenset({"privateProject"}),
    "updatePreviewable": frozenset(),
    "publish": frozenset({"certification"}),
    "unlist": frozenset(),
    "addCertificationComment": frozenset({"comment"}),
}
"""The fields each action takes besides `action`."""


def refuse_invalid_repository(check: RepositoryCheck, context: Context) -> None:
    """With `validateRepositoryOnWrite`, repository problems refuse the write itself."""
    if context.settings.validateRepositoryOnWrite and check.problems:
        first = check.problems[0]
        raise connect_error(first.code, first.message)


def _set_name(
    connector: JsonObject, action: JsonObject, meta: JsonObject, context: Context, path: str
) -> None:
    connector["name"] = validation.text(action, "name", f"{path}.name")


def _optional_text(field: str) -> Handler:
    def handler(
        connector: JsonObject, action: JsonObject, meta: JsonObject, context: Context, path: str
    ) -> None:
        # The field is required; an explicit null removes the value. The RAML gives no way to
        # remove an optional value and the real API's answer to null is unknown: lenient here.
        validation.present(action, field, f"{path}.{field}")
        value = validation.text(action, field, f"{path}.{field}", required=False)
        if value is None:
            connector.pop(field, None)
        else:
            connector[field] = value

    return handler


def _creator_text(field: str, target: str) -> Handler:
    def handler(
        connector: JsonObject, action: JsonObject, meta: JsonObject, context: Context, path: str
    ) -> None:
        # Required, null removes (as `_optional_text`).
        validation.present(action, field, f"{path}.{field}")
        value = validation.text(action, field, f"{path}.{field}", required=False)
        if value is None:
            connector["creator"].pop(target, None)
        else:
            connector["creator"][target] = value

    return handler


def _set_creator_email(
    connector: JsonObject, action: JsonObject, meta: JsonObject, context: Context, path: str
) -> None:
    connector["creator"]["email"] = validation.email(
        action.get("creatorEmail"), f"{path}.creatorEmail"
    )


def _set_contributors(
    connector: JsonObject, action: JsonObject, meta: JsonObject, context: Context, path: str
) -> None:
    connector["creator"]["noOfContributors"] = validation.contributors(
        action.get("creatorNoOfContributors"), f"{path}.creatorNoOfContributors"
    )


def _set_repository(
    connector: JsonObject, action: JsonObject, meta: JsonObject, context: Context, path: str
) -> None:
    # The RAML requires `url`, but the official CLI sends a tag alone and the real API's answer
    # is unknown: a missing url keeps the current one (lenient on purpose; null is refused).
    url = action.get("url", connector["repository"]["url"])
    repository = validation.repository(url, action.get("tag"), path)
    if repository == connector["repository"]:
        return
    check = context.check_repository(**repository)
    refuse_invalid_repository(check, context)
    connector["repository"] = repository
    check.apply_to(connector)
    if context.settings.resetPreviewOnRepositoryChange:
        connector["isPreviewable"] = "none"
        connector.pop("previewableReport", None)
        meta.pop("previewDueAt", None)


def _set_regions(
    connector: JsonObject, action: JsonObject, meta: JsonObject, context: Context, path: str
) -> None:
    connector["supportedRegions"] = validation.regions(
        action.get("regions"), f"{path}.regions", at_least_one=True
    )


def _set_integration_types(
    connector: JsonObject, action: JsonObject, meta: JsonObject, context: Context, path: str
) -> None:
    connector["integrationTypes"] = validation.integration_types(
        action.get("integrationTypes"), f"{path}.integrationTypes"
    )


def _private_project(adding: bool) -> Handler:
    def handler(
        connector: JsonObject, action: JsonObject, meta: JsonObject, context: Context, path: str
    ) -> None:
        project = validation.project(action.get("privateProject"), f"{path}.privateProject")
        if not connector["private"]:
            raise connect_error(
                "ConnectorStagedNotPrivate",
                f"Connector '{connector['id']}' is public: private projects cannot be changed.",
            )
        projects: list[str] = connector["privateProjects"]
        if adding and project not in projects:
            projects.append(project)
        if not adding and project in projects:
            projects.remove(project)

    return handler


def _update_previewable(
    connector: JsonObject, action: JsonObject, meta: JsonObject, context: Context, path: str
) -> None:
    if connector["isPreviewable"] == "pending":
        raise connect_error(
            "ConnectorStagedPreviewRequestUnderProcess",
            f"A preview request for connector '{connector['id']}' is already being processed.",
        )
    connector["isPreviewable"] = "pending"
    connector.pop("previewableReport", None)
    meta["previewDueAt"] = context.now + context.settings.previewSeconds


def _publish(
    connector: JsonObject, action: JsonObject, meta: JsonObject, context: Context, path: str
) -> None:
    validation.present(action, "certification", f"{path}.certification")
    certification = action["certification"]
    if not isinstance(certification, bool):
        raise validation.wrong(f"{path}.certification", certification, "true or false")
    if certification and connector["status"] in ("ReadyForCertification", "InCertification"):
        raise connect_error(
            "ConnectorStagedInCertification",
            f"Connector '{connector['id']}' is already in certification.",
        )
    if certification and not connector["private"] and not connector["hasChanges"]:
        raise connect_error(
            "ConnectorAlreadyCertified", f"Connector '{connector['id']}' is already certified."
        )
    connector["status"] = "Processing"
    connector.pop("publishingReport", None)
    meta.pop("inCertificationDueAt", None)
    meta.pop("certifiedDueAt", None)
    meta["certification"] = certification
    meta["publishDueAt"] = context.now + context.settings.publishSeconds


def _unlist(
    connector: JsonObject, action: JsonObject, meta: JsonObject, context: Context, path: str
) -> None:
    connector["alreadyListed"] = False


def _add_comment(
    connector: JsonObject, action: JsonObject, meta: JsonObject, context: Context, path: str
) -> None:
    comment = validation.text(action, "comment", f"{path}.comment")
    info = connector.setdefault("certificationInfo", {"comments": []})
    info["comments"].append(
        {"userId": "emulator-user", "datetime": timestamp(context.now), "comment": comment}
    )


HANDLERS: dict[str, Handler] = {
    "setName": _set_name,
    **{name: _optional_text(field) for name, field in OPTIONAL_TEXT_ACTIONS.items()},
    "setRepository": _set_repository,
    "setSupportedRegions": _set_regions,
    "setIntegrationTypes": _set_integration_types,
    **{name: _creator_text(field, target) for name, (field, target) in CREATOR_ACTIONS.items()},
    "setCreatorEmail": _set_creator_email,
    "setCreatorNoOfContributors": _set_contributors,
    "addPrivateProject": _private_project(adding=True),
    "removePrivateProject": _private_project(adding=False),
    "updatePreviewable": _update_previewable,
    "publish": _publish,
    "unlist": _unlist,
    "addCertificationComment": _add_comment,
}


def apply(connector: JsonObject, meta: JsonObject, actions: Any, context: Context) -> None:
    """Apply the actions in order to the working copies; the first failure raises."""
    if not isinstance(actions, list):
        raise invalid_json(
            "actions: Missing required value" if actions is None else "actions: expected a list"
        )
    for index, action in enumerate(actions):
        path = f"actions[{index}]"
        if not isinstance(action, dict):
            raise invalid_json(f"{path}: expected an object")
        name = action.get("action")
        handler = HANDLERS.get(name) if isinstance(name, str) else None
        if handler is None:
            raise invalid_json(f"{path}.action: Unknown update action {name!r}")
        validation.known_fields(action, FIELDS[str(name)] | {"action"}, f"{path}.")
        handler(connector, action, meta, context, path)
