import gc
import os
import sys

from .cli import BATCH_GC_THRESHOLDS, main


def run() -> int:
    """The command's exit status, once every file it wrote is closed and its output flushed."""
    try:
        return main()
    except SystemExit as stop:  # argparse: help shown, or a command line that is not valid
        if stop.code is None or isinstance(stop.code, int):
            return stop.code or 0
        print(stop.code, file=sys.stderr)
        return 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()


if __name__ == "__main__":  # importable: the build's warm process imports what a step runs (cqdt.kernels)
    gc.set_threshold(*BATCH_GC_THRESHOLDS)
    # Without tearing the interpreter down: unloading its 1.500 modules (pandas, nbconvert,
    # Playwright…) took half a second after the last file was written, on every build step.
    os._exit(run())
