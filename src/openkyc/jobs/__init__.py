"""Background work: periodic tasks now, the durable job queue with the analyser."""
