"""The runs behind ``plan``, ``apply`` and ``drift``: what a run selects and loads
(:mod:`.scope`), the live connectors it reads and the plan it makes (:mod:`.runs`), a saved plan
applied exactly (:mod:`.saved`), the clients per target (:mod:`.connections`), and the executor
that writes with optimistic versions, absorbs conflicts and unknown outcomes (:mod:`.executor`,
:mod:`.writes`) and then waits for previews and publishes (:mod:`.lifecycle`,
:mod:`.waiting`). It returns data for the reporters and prints nothing.
"""

from typing import Final

WAIT_TIMEOUT: Final = 1800.0
"""Seconds apply waits for each preview, publish or running publish (``--timeout``): 30
minutes, the official CLI's preview limit."""
