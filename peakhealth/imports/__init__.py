"""Text import: a plan written as text becomes a user routine (DOMAIN.md section 15)."""
