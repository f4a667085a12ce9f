"""Attachments: a merchant's files linked to a customer or to the organization itself."""
