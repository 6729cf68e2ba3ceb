"""系统设置 (admin only): time limits per kind and urgency, and holiday arrangements for later years."""
