"""Small pieces every public (no sign-in) page shares: finding a venue by its slug with
the request charged to the public rate limits."""
