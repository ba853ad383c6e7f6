"""ACD use cases: the live routing engines, contact commands, routing configuration."""
