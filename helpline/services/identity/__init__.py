"""Organizations, users, API keys and customers (who is who)."""
