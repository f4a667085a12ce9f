"""Organizations: the tenants. Created on first start or by an operator."""
