"""Stop `make test` with a one-line instruction when no Chromium is available for browser tests."""

import os
import shutil
import sys

path = os.environ.get("CHROMIUM") or "/usr/bin/chromium"
if not (os.path.isfile(path) and os.access(path, os.X_OK)) and not shutil.which(path):
    sys.exit(
        f"Chromium not found at {path}: run `sudo apt-get install -y chromium`, "
        "or set CHROMIUM=/path/to/chromium-or-chrome, then run `make test` again."
    )
