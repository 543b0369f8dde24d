"""The exercise catalog (Supabase tables `exercises` and `exercise_variants`), read-only."""
