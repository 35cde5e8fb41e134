"""``python -m connect_gitops``: the same CLI as the ``connect-gitops`` script."""

from connect_gitops.cli import main

main(prog_name="connect-gitops")
