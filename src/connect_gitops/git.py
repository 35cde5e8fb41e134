"""git at both ends of the pipeline: which declarations changed, and do their repositories hold.

``changed_declaration_files`` narrows a run to the files a push or pull request touched
(``--changed-since``); ``check_remotes`` verifies each declared repository tag and its
connect.yaml (``validate --remote``). The two jobs live in :mod:`connect_gitops.git_changes` and
:mod:`connect_gitops.git_remote`; this module is the one place the rest of the code imports.
"""

from __future__ import annotations

from connect_gitops.core.connect_spec import ConnectApplication
from connect_gitops.git_changes import (
    ZERO_REV,
    ChangeSet,
    DeletedFile,
    changed_declaration_files,
    resolve_auto_rev,
)
from connect_gitops.git_errors import GitError
from connect_gitops.git_remote import (
    RemoteCheck,
    RemoteResult,
    check_remotes,
    redact,
    url_refusal,
)

__all__ = [
    "ZERO_REV",
    "ChangeSet",
    "ConnectApplication",
    "DeletedFile",
    "GitError",
    "RemoteCheck",
    "RemoteResult",
    "changed_declaration_files",
    "check_remotes",
    "redact",
    "resolve_auto_rev",
    "url_refusal",
]
