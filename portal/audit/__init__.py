"""Audit log (审计日志): who did or tried what, when, from where, on which object, with which result.

Append-only: the portal has no route that edits or deletes a row, the ORM refuses it, and a database
trigger refuses UPDATE and any DELETE of a row younger than RETENTION_DAYS (`flask audit prune` removes
only older ones). Admins search and export it at 审计日志.
"""
