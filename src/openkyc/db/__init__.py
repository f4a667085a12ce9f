"""Database plumbing: models, migrations, sessions, ids and collection queries."""
