"""The functional core, pure: no I/O and no library that does any. What users declare
(:mod:`.declarations`, their rules in :mod:`.rules`), live connectors read tolerantly
(:mod:`.live`), update actions (:mod:`.actions`), the diff between the two (:mod:`.diff`), the
plan (:mod:`.plan`) and the planner that makes it (:mod:`.planner`), what apply did
(:mod:`.outcomes`), adoption (:mod:`.adoption`), connect.yaml's rules (:mod:`.connect_spec`),
problems in users' files (:mod:`.problems`), and the shared checks where secrets must not go:
redaction (:mod:`.redaction`) and service URLs (:mod:`.urls`). Deployments have their own
subpackage (:mod:`.deployments`); the JSON Schema of both kinds of document is
:mod:`.declaration_schema`.
"""
