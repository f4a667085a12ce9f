"""HTTP plumbing shared by every domain's routes: the app, errors, auth, collections."""
