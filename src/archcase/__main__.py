"""`python -m archcase`."""

from .cli import main

raise SystemExit(main())
