"""`python -m nhilint` runs the command-line interface."""

from nhilint.cli import main

main()
