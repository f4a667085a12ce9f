"""An organization's KYC settings: how documents are scored, minimum ages, gatherer design."""
