"""Reproducible assessment and ranking of e-government (CQĐT) in Gia Lai.

Stages, one module each: configuration (config, catalogue, units) → input and
validation (inputs, province) → scoring per pillar (scoring) → consolidation and
ranking (ranking, pipeline) → rendering (render, charts, formatting).
"""

__version__ = "0.1.0"
