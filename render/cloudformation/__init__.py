"""CloudFormation: one plain template per case (no SAM transform), derived from the same graph as the checks."""
