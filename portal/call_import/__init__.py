"""Importing calls exported by the telephone system; links 形成工单 calls to orders by number."""
