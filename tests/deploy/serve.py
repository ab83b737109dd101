"""moto_server with CloudFormation stubs for the resource types moto lacks: `python serve.py -H HOST -p PORT`."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import moto_stubs  # noqa: E402,F401 - registers the stub models before moto builds its model map
from moto.server import main  # noqa: E402

if __name__ == "__main__":
    main(sys.argv[1:])
