"""sakari-tui: a terminal client for the Sakari SMS platform."""

__version__ = "0.1.0"
