"""Service credentials: host-bound credentials webhooks authenticate with."""
