"""Look-up: finding documents by their words (issue 11). See docs/decisions/0006-search-engine.md."""
