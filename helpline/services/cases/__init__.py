"""Cases: follow-ups across contacts with business-hours SLAs."""
