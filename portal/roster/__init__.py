"""The unit leader's roster: the unit's liaisons, and the orders they hand over when they leave."""
