"""Tags: labels for customers and KYC documents, unique per organization whatever the case."""
