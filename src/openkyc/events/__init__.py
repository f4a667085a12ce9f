"""Events: what happened, written to the outbox in the transaction that made it happen."""
