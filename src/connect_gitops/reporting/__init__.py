"""Rendering of plans, apply results, drift and problems; it renders what it is given.

``text`` for humans (terminal / CI log), ``json`` for machines, ``markdown`` for PR comments,
step summaries and drift issues, ``github`` for workflow commands and files. Nothing here
fetches or writes anything: the CLI decides where the strings go.
"""
