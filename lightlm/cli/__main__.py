"""`python -m lightlm.cli ...`, the same as the `lightlm` command."""

from lightlm.cli import main

main()
