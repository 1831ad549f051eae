"""Reusable `Depends` providers, exported as `Annotated` aliases for handlers."""
