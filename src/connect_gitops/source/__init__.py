"""The declarations side, no network: ``connect-gitops.yaml`` (:mod:`.config`), which files are
declarations and how any file is written (:mod:`.files`), the safe and fast YAML reader
(:mod:`.yamlsafe`, its libyaml path :mod:`.yaml_fast`, and :mod:`.yaml_positions` for the line
and column of a field), the loader that turns a folder into validated declarations or problems
with ``file:line:col`` (:mod:`.loader`), and the messages that tell a YAML author how to fix a
field (:mod:`.messages`). Nothing here talks to an API or to git.
"""
