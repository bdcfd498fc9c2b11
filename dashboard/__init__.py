"""The Dash dashboard (a later issue)."""
