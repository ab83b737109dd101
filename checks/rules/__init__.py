"""The rule library, one module per area. `checks.catalogue` lists the modules explicitly."""
