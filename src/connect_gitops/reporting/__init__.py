"""Every renderer; each renders what it is given and fetches or writes nothing (the CLI decides
where the strings go): plans, apply results and drift as ``text`` for humans, ``json`` for
machines and ``markdown`` for comments and step summaries (built from :mod:`.markup`, with the
deployment tables in :mod:`.markdown_deployments`; :mod:`.documents` renders JSON and Markdown
on first use), GitHub workflow commands (:mod:`.github`), problems in users' files
(:mod:`.problems`), export's report (:mod:`.export`), internal errors without secrets
(:mod:`.errors`), and apply's progress display (:mod:`.progress`).
"""
