"""``python -m lineage.bench``: the same as ``sagemaker-lineage bench``."""

from __future__ import annotations

import sys

from lineage.cli import main

if __name__ == "__main__":
    sys.exit(main(["bench", *sys.argv[1:]]))
