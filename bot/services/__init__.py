"""Use cases. Each function owns its transaction and raises named domain errors."""
