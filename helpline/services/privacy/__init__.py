"""Personal data: the audit log, subject access exports, erasure and retention (docs/privacy.md)."""
