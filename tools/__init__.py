"""Tools the project's developers run (not part of the package that scores a year)."""
