"""Reference solutions (drop-in replacements for katas/) and the gallery of typical mistakes."""
