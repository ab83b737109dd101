"""Check reports as text, JSON, SARIF 2.1.0 and JUnit XML."""

from . import json_report, junit, sarif, text

FORMATS = {"text": text.render, "json": json_report.render, "sarif": sarif.render, "junit": junit.render}
