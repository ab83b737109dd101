"""The bundled cases, as YAML data. `BUNDLED` is the folder that holds them once installed."""

from pathlib import Path

BUNDLED = Path(__file__).resolve().parent
