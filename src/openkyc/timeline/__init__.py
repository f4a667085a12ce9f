"""The customer timeline: the audit trail of everything done to a customer's KYC."""
