"""Deployments, the client's side of Connect, pure like the rest of the core: what users declare
(:mod:`.declarations`), deployments and connector facts read tolerantly (:mod:`.live`), the
planner (:mod:`.planner`) with its inputs (:mod:`.inputs`), the differences between declared and
live values (:mod:`.diff`), the checks against the connector's configurations (:mod:`.checks`),
and the request bodies with secured values merged in only at apply time (:mod:`.wire`).
"""
