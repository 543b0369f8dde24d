"""Who is calling: Supabase access tokens, the current user and their role."""
