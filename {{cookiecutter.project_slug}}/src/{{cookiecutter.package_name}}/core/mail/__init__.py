"""Outgoing email: messages rendered from the package's templates, sent after the response."""
