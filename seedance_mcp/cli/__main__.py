"""`python -m seedance_mcp.cli`: the same as `seedance`."""

from .app import main

raise SystemExit(main())
