"""审计日志 pages: admins search and export the audit log (portal.audit records it)."""
