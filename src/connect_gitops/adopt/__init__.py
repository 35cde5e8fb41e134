"""``export``: adopting live connectors into declarations. The run reads the target's live
connectors and decides which files to write (:mod:`.export`); the round-trip YAML editing that
updates an existing declaration in place, keeping its comments, order and quoting, is apart from
it (:mod:`.yaml_edit`).
"""
