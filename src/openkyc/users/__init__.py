"""The people of an organization: admins, reviewers and viewers who sign in to act."""
