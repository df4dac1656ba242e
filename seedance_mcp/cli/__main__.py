"""`python -m seedance_mcp.cli`: the same as `seedance`."""

from .app import run

run()
