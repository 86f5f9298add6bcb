import sys

from .cli import main

if __name__ == "__main__":  # importable: the build's warm process imports what a step runs (cqdt.kernels)
    sys.exit(main())
