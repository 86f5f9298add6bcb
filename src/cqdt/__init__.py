"""Reproducible assessment and ranking of e-government (CQĐT) in Gia Lai.

Stages, one module each: configuration (config, catalogue, units) → input and
validation (inputs, province) → scoring per pillar (scoring) → consolidation and
ranking (ranking, pipeline) → rendering (fragments shown by the notebooks; render,
scorecards, pdf and report for the assembled report). `dependencies` records what
each build step reads, for make; `timing`, where its time goes, for make bench.
"""

from . import timing as _timing
from .dependencies import start_in_kernel as _journal_in_kernel

__version__ = "0.1.0"

_journal_in_kernel()  # a kernel of a build step: what it reads and its moments go to its journal
_timing.mark("import cqdt")
