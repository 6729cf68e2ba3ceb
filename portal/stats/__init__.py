"""统计分析: the one definition of every figure (DOMAIN.md §4), its CLI and dashboards."""
