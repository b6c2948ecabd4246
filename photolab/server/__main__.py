"""The server child of ``photolab serve`` (started by ``photolab.server.supervisor``; not for direct use)."""

import sys

from photolab.server.supervisor import child_main

sys.exit(child_main())
