"""The interactive page (negsim ui): Solara over the package's public objects."""
