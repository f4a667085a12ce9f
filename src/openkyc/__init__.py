"""openkyc: a self-hostable KYC service that speaks Rebilly's KYC API."""

__version__ = "0.1.0"
