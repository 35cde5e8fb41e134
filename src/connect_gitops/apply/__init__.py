"""The runs behind ``plan``, ``apply`` and ``drift``: what a run selects and loads, the live
connectors it reads, the plan it makes, and, for apply, the executor that writes with optimistic
versions, absorbs conflicts and unknown outcomes, and then waits for previews and publishes.
It returns data for the reporters and prints nothing.
"""
