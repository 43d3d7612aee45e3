"""`python -m build.bench`: runs the benchmark (build.bench.measure)."""

import sys

from build.bench import measure

if __name__ == "__main__":
    sys.exit(measure.main())
