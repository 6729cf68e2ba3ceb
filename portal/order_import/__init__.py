"""Import work orders from CSV or XLSX (issue 3, "Data in and out"): the CLI and an upload page for admins."""
