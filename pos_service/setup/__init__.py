"""First run: the setup code, the first venue and its owner; and the admin of venues."""
