"""``python -m connect_gitops``: the same CLI as the ``connect-gitops`` script."""

from connect_gitops.cli import run

run()
