"""git at both ends of a run: which declaration files changed between two revisions
(:mod:`.changes`, ``--changed-since``), and whether each declared repository has its tag with a
valid ``connect.yaml`` (:mod:`.remote`, ``validate --remote`` and ``apply --remote``); with the
one error type of this side (:mod:`.errors`). gitpython is imported only where git is used.
"""
