"""`python -m runner` is the `aicrm` command."""

from runner.cli import main

main()
