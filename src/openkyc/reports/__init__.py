"""KYC reports: figures over an organization's documents and requests in a period."""
