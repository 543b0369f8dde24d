"""The equipment a user has, and substitutes of a variant they can do with it."""
