"""Working-day calendar (official Chinese holidays and 调休) and the order deadlines built on it."""
