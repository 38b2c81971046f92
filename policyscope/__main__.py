"""``python -m policyscope``: the same command line as the ``policyscope`` script."""

from policyscope.ui.cli import main

main()
