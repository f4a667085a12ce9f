"""The back office: the pages where an organization's people work through the review queue,
look at customers, requests and figures, and (admins) manage settings. Server-rendered from
the same services the API uses."""
