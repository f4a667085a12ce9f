"""Webhooks: the merchant's subscriptions, the outbox of events and their signed delivery."""
