"""Shipping a case: its handler artifacts (`package`) and its stack (`stack`), over the template the
CloudFormation renderer emits and its public handler-code functions."""
