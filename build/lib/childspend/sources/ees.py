"""Conventions shared by DfE's Explore Education Statistics (EES) tidy files."""

# geographic_level -> the pipeline's area_level
LEVELS = {"National": "england", "Regional": "region", "Local authority": "la"}
