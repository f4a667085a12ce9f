"""API keys of an organization: create, list, update, delete."""
