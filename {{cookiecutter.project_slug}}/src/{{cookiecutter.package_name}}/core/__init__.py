"""Cross-cutting infrastructure: settings, database, security, errors, logging."""
