"""Groups: a trainer's named set of their own clients, assigned routines together."""
