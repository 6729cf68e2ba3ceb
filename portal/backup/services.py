"""Consistent backups of a live database, and their restore.

SQLite: the online backup API copies one consistent snapshot, committed transactions still in the
-wal file included (a plain file copy misses them), while other processes keep writing. The copy is
written beside the target and renamed into place, so FILE is never half written.
PostgreSQL: `pg_dump -Fc` and `pg_restore`; host, user, password and database go to them through
the PG* environment variables, never on the command line (where `ps` would show the password).
"""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import URL, make_url


class BackupError(Exception):
    """A backup or restore that could not be done; the message is Chinese, for the operator."""


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("内存数据库无法备份。")
    return Path(url.database)


def _pg_env(url: URL) -> dict[str, str]:
    env = {**os.environ, "PGDATABASE": url.database or ""}
    for key, value in (("PGHOST", url.host), ("PGPORT", url.port), ("PGUSER", url.username),
                       ("PGPASSWORD", url.password)):
        if value is not None:
            env[key] = str(value)
    return env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"找不到 {name}，请安装 PostgreSQL 客户端（Debian：apt-get install postgresql-client）。")
    return path


def _run(cmd: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"{Path(cmd[0]).name} 失败：{done.stderr.strip() or done.stdout.strip()}")


def backup(database_url: str, out: Path) -> str:
    """Write a consistent backup of the database to `out`; return what was done (Chinese)."""
    url = make_url(database_url)
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.part")
    try:
        if url.get_backend_name() == "sqlite":
            source_path = _sqlite_path(url)
            if not source_path.exists():
                raise BackupError(f"数据库文件 {source_path} 不存在。")
            tmp.unlink(missing_ok=True)
            source = sqlite3.connect(source_path, timeout=30)
            target = sqlite3.connect(tmp)
            try:
                source.backup(target)  # one step: a single consistent snapshot
                target.execute("PRAGMA journal_mode=DELETE")  # the backup is one self-contained file
                if target.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                    raise BackupError("备份文件完整性检查未通过。")
            finally:
                target.close()
                source.close()
        elif url.get_backend_name() == "postgresql":
            _run([_tool("pg_dump"), "--format=custom", "--file", str(tmp)], _pg_env(url))
        else:
            raise BackupError(f"不支持备份 {url.get_backend_name()} 数据库。")
        os.chmod(tmp, 0o600)
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return f"已备份数据库到 {out}（{out.stat().st_size:,} 字节）。"


def restore(database_url: str, source: Path) -> str:
    """Replace the database's contents with the backup `source` (the portal must be stopped)."""
    url = make_url(database_url)
    if not source.is_file():
        raise BackupError(f"备份文件 {source} 不存在。")
    if url.get_backend_name() == "sqlite":
        target_path = _sqlite_path(url)
        backup_db = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            if backup_db.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError("备份文件已损坏（完整性检查未通过），未做任何更改。")
            target_path.parent.mkdir(parents=True, exist_ok=True)
            target = sqlite3.connect(target_path, timeout=30)
            try:
                # The backup API writes through SQLite itself, so the live file's WAL stays consistent.
                backup_db.backup(target)
            finally:
                target.close()
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"无法读取备份文件：{exc}") from exc
        finally:
            backup_db.close()
    elif url.get_backend_name() == "postgresql":
        _run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
              "--exit-on-error", "--dbname", url.database or "", str(source)], _pg_env(url))
    else:
        raise BackupError(f"不支持恢复 {url.get_backend_name()} 数据库。")
    return f"已从 {source} 恢复数据库。"
