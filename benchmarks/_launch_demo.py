"""Launched by idle_output.py inside a pseudo-terminal: the real app (not headless) against
an in-process sandbox with N conversations and no simulated customers, default poll intervals.

    _launch_demo.py [CONVERSATIONS]
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _fixtures import big_sandbox

from sakari_tui.demo import demo_app

conversations = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
app = demo_app(live=False, sandbox=big_sandbox(conversations))
app.run()
