"""`pip install .` gives a working portal outside the checkout: templates, static files and migrations ship.

Builds the wheel from a copy of the checkout (no build isolation: the test venv has setuptools), checks
that every source, template, static and migration file is inside, then installs it into a fresh venv in
a temporary folder and runs `flask db upgrade`, `users create-admin`, a login and a static file there.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ["portal", "templates", "static", "migrations", "setup.py", "pyproject.toml", "wsgi.py", "README.md"]
DATA = {"templates": "portal/templates", "static": "portal/static", "migrations": "portal/migrations"}


def _expected_files() -> set[str]:
    wanted = {"wsgi.py"}
    for top, inside in [("portal", "portal"), *DATA.items()]:
        for path in (ROOT / top).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                wanted.add(f"{inside}/{path.relative_to(ROOT / top).as_posix()}")
    return wanted


def _build_wheel(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    src.mkdir()
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(source, src / name)
    out = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--wheel-dir", str(out), str(src)], check=True, capture_output=True, cwd=tmp_path)
    (wheel,) = out.glob("portal12345-*.whl")
    return wheel


def _run(cmd: list[str], env: dict, cwd: Path, stdin: str | None = None) -> str:
    done = subprocess.run(cmd, env=env, cwd=cwd, input=stdin, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{cmd}: {done.stdout}\n{done.stderr}"
    return done.stdout


def test_the_wheel_ships_everything_and_runs_outside_the_checkout(tmp_path):
    wheel = _build_wheel(tmp_path)
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = _expected_files() - names
    assert not missing, f"not in the wheel: {sorted(missing)[:20]}"
    assert "portal/migrations/versions/215b39df4673_initial_schema.py" in names
    assert not [n for n in names if "__pycache__" in n or n.startswith(("tests/", "benchmarks/"))]

    # A fresh venv; the dependencies come from the test venv (appended after the venv's own site-packages,
    # so the installed portal, not the checkout's editable one, is imported).
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                     os.environ.copy(), tmp_path).strip())
    deps = [p for p in sys.path if p.endswith("site-packages")]
    (site / "zz_test_deps.pth").write_text("\n".join(deps) + "\n")
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps", str(wheel)],
         os.environ.copy(), tmp_path)

    work = tmp_path / "site"
    work.mkdir()
    env = {"PATH": os.environ["PATH"], "HOME": str(work), "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1",
           "DATABASE_URL": f"sqlite:///{work / 'portal.sqlite3'}", "PORTAL_INSTANCE": str(work / "instance"),
           "SECRET_KEY": "a-test-secret-key-for-the-installed-wheel"}
    flask = [str(python), "-m", "flask", "--app", "wsgi"]
    where = _run([str(python), "-c", "import portal, wsgi; print(portal.__file__); print(wsgi.__file__)"], env, work)
    assert str(ROOT) not in where and str(site) in where
    _run([*flask, "db", "upgrade"], env, work)
    created = _run([*flask, "users", "create-admin", "zhangwei"], env, work, stdin="Zhongxin2026\n")
    assert "已创建管理员“zhangwei”" in created
    htmx = next((ROOT / "static").glob("vendor/htmx-*/htmx.min.js")).relative_to(ROOT / "static").as_posix()
    check = f"""
from wsgi import app
app.config['WTF_CSRF_ENABLED'] = False
c = app.test_client()
assert c.get('/healthz').json['status'] == 'ok'
r = c.post('/login', data={{'username': 'zhangwei', 'password': 'Zhongxin2026'}})
assert r.status_code in (302, 303) and '/login/second-factor' in r.location, (r.status_code, r.location)
# An administrator enrols a second factor at the first login (pyotp from the installed dependencies).
assert '两步验证' in c.get('/login/second-factor').text
with c.session_transaction() as sess:
    secret = sess['_second_factor_pending']['secret']
import pyotp
enrolled = c.post('/login/second-factor', data={{'code': pyotp.TOTP(secret).now()}})
assert enrolled.status_code == 200 and '恢复码' in enrolled.text, enrolled.status_code
page = c.get('/')
assert page.status_code == 200 and '12345' in page.text, page.status_code
assert c.get('/static/{htmx}').status_code == 200
print('ok')
"""
    assert _run([str(python), "-c", check], env, work).strip() == "ok"
