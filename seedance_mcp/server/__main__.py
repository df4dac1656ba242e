"""`python -m seedance_mcp.server`: the same as `seedance-mcp`."""

from .app import main

main()
