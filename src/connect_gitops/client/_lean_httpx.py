"""Keep ``import httpx`` to the library, without httpx's own command line.

``httpx/__init__`` imports ``httpx._main``, which loads rich, pygments and click at import time
(~0.1 s, a sixth of a 1,000-connector plan's budget) for a command line we never call. A
stand-in module, installed before httpx is first imported, makes httpx fall back to its stub
``main``, exactly as it does when those extras are not installed. Imported first by the client
package; has no effect when httpx was already imported.
"""

import sys
import types

if "httpx" not in sys.modules:
    sys.modules.setdefault("httpx._main", types.ModuleType("httpx._main"))
