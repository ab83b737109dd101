"""Best-practice rules over the architecture graph (the rule engine arrives with the checks issue)."""
