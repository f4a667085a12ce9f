"""Work that changes several domains, in the order it happens.

A flow calls the domains' services (never their repositories) inside the caller's
transaction. It sits above every domain it calls and below HTTP: routes, jobs and commands
call flows; no domain imports one."""
