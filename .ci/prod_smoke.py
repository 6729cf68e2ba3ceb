"""The steps of .ci/prod-smoke that talk to the portal: `data` (documented CLI commands on a fresh
database) and `web` (a browser's requests through nginx over TLS). Prints what each step answered."""
from __future__ import annotations

import http.client
import os
import re
import ssl
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parent.parent
WORK = Path(os.environ["SMOKE_WORK"])
ADMIN_PASSWORD = "Zhongxin2026"
NOW = datetime.now(ZoneInfo("Asia/Shanghai")).replace(tzinfo=None, second=0, microsecond=0)


def fail(message: str) -> None:
    print(f"FAILED: {message}", file=sys.stderr)
    sys.exit(1)


# --- data: the documented commands on a fresh database ---------------------------------------------

def flask(*args: str, stdin: str | None = None, expect: int = 0) -> str:
    cmd = [str(REPO / ".venv/bin/flask"), "--app", "wsgi", *args]
    if os.geteuid() == 0 and os.environ.get("SMOKE_APP_USER") == "nobody":
        cmd = ["runuser", "-u", "nobody", "--", *cmd]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run(cmd, cwd=WORK, env=env, input=stdin, capture_output=True, text=True, timeout=300)
    shown = " ".join(["flask --app wsgi", *args]) + (" < (password on stdin)" if stdin else "")
    print(f"$ {shown}\n  exit {done.returncode}")
    for line in (done.stdout + done.stderr).splitlines():
        if not line.startswith(("INFO ", "INFO  [alembic")):
            print(f"  {line}")
    if done.returncode != expect:
        fail(f"{shown} exited {done.returncode}, expected {expect}")
    return done.stdout


def t(delta_hours: float) -> str:
    at = NOW - timedelta(hours=delta_hours)
    return f"{at.year}/{at.month}/{at.day} {at.hour}:{at.minute:02d}"


def data() -> None:
    flask("users", "create-admin", "admin", "--name", "中心管理员", stdin=ADMIN_PASSWORD + "\n")
    (WORK / "units.csv").write_bytes("\r\n".join([
        "单位全称,简称,分组,排序,别名",
        "安康市汉滨区人民政府,汉滨区政府,区县政府,1,汉滨区",
        "安康市人力资源和社会保障局,市人社局,市直部门,14,人社局",
        "安康市生态环境局,市环保局,市直部门,20,",
    ]).encode("gbk"))
    flask("units", "import", str(WORK / "units.csv"))
    (WORK / "subjects.csv").write_bytes("\ufeff".encode() + "\r\n".join([
        "一级分类,二级分类,排序", "城乡建设,市容环境,1", "城乡建设,道路建设,2", "生态环境,噪音扰民,1",
        "社会保障,社保卡,1",
    ]).encode("utf-8"))
    flask("subjects", "import", str(WORK / "subjects.csv"))
    day = NOW.strftime("%Y%m%d")
    rows = [
        f"{day}01,{t(30)},咨询,养老金发放时间,退休职工询问养老金每月发放日期,社会保障/养老保险,,,,市人社局,{t(29)},,{t(5)},已电话答复发放日期",
        f"{day}02,{t(3)},求助,社保卡补办,社保卡丢失如何补办,社会保障/社保卡,王女士,13800001111,汉滨区育才路,市人社局,{t(2)},,,",
        f"{day}03,{t(2.5)},投诉,夜间施工噪音,工地夜间施工影响休息,生态环境/噪音扰民,,,,汉滨区,{t(2)},,,",
        f"{day}04,{t(2)},咨询,异地就医备案,异地就医如何备案,医疗保障/异地就医,,,,人社局,{t(1.5)},,,",
        f"{day}05,{t(1)},建议,增设公交线路,建议增设公交线路,城乡建设/道路建设,,,,,,,,",
        f"{day}06,{t(0.5)},咨询,养老保险转移,跨省转移养老保险关系,社会保障/养老保险,,,,市人社局,{t(0.4)},,,",
    ]
    header = "工单编号,受理时间,诉求类型,标题,诉求内容,事项分类,来电人,联系电话,地址,承办单位,派单时间,紧急程度,办结时间,办理结果"
    (WORK / "orders.csv").write_bytes("\r\n".join([header, *rows]).encode("gbk"))
    flask("orders", "import", str(WORK / "orders.csv"), expect=1)
    flask("orders", "import", str(WORK / "orders.csv"), "--create-subjects")


# --- web: through nginx ----------------------------------------------------------------------------

class Browser:
    """Cookies, CSRF tokens and a fixed client address (loopback 127.0.0.x) over TLS to nginx."""

    def __init__(self, source: str):
        url = urlsplit(os.environ["SMOKE_URL"])
        self.base, self.host, self.port, self.source = os.environ["SMOKE_URL"], url.hostname, url.port, source
        self.context = ssl.create_default_context(cafile=os.environ["SMOKE_CA"])
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, dict, str]:
        conn = http.client.HTTPSConnection(self.host, self.port, context=self.context,
                                           source_address=(self.source, 0), timeout=60)
        headers = {"Referer": self.base + path}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        text = resp.read().decode("utf-8", "replace")
        for name, value in resp.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        conn.close()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, text

    def get(self, path: str, expect: int = 200) -> str:
        status, _h, text = self.request("GET", path)
        if status != expect:
            fail(f"GET {path} from {self.source}: {status}, expected {expect}")
        return text

    def token(self, page: str) -> str:
        found = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"',
                          self.get(page))
        if not found:
            fail(f"no CSRF token on {page}")
        return found.group(1) or found.group(2)

    def post(self, path: str, form: dict, token_from: str) -> tuple[int, dict, str]:
        return self.request("POST", path, {**form, "csrf_token": self.token(token_from)})

    def login(self, username: str, password: str) -> tuple[int, dict, str]:
        return self.post("/login", {"username": username, "password": password}, "/login")


def step(text: str) -> None:
    print(f"-- {text}")


def web() -> None:
    admin = Browser("127.0.0.1")
    health = admin.get("/healthz")
    step(f"GET /healthz through nginx: {health.strip()}")
    static = re.search(r'src="(/static/vendor/htmx[^"]+)"', admin.get("/login"))
    admin.get(static.group(1))
    step(f"static file served by nginx: {static.group(1)}")
    status, headers, _ = admin.login("admin", ADMIN_PASSWORD)
    if status not in (302, 303) or "/login/second-factor" not in headers.get("location", ""):
        fail(f"admin login answered {status} → {headers.get('location')}")
    # The first login of an administrator enrols the second factor (docs/deployment.md).
    import pyotp

    secret = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', admin.get("/login/second-factor"))
    if not secret:
        fail("no second-factor secret shown at the administrator's first login")
    status, _h, page = admin.post("/login/second-factor", {"code": pyotp.TOTP(secret.group(1).replace(" ", "")).now()},
                                  "/login/second-factor")
    if status != 200 or "恢复码" not in page:
        fail(f"second-factor enrolment answered {status}")
    step(f"admin logs in and enrols the second factor: {status}, recovery codes shown once")
    form_page = admin.get("/admin/users/new")
    unit = re.search(r'<option value="(\d+)">市人社局</option>', form_page)
    status, _h, page = admin.post("/admin/users/new", {"username": "renshe_lili", "name": "李丽", "mobile": "13912345678",
                                                       "role": "liaison", "unit_id": unit.group(1)}, "/admin/users/new")
    password = re.search(r'data-testid="temp-password">([^<]+)<', page)
    if status != 200 or not password:
        fail(f"creating the liaison answered {status}")
    step("admin adds liaison renshe_lili of 市人社局: temporary password shown once")

    liaison = Browser("127.0.0.2")
    status, headers, _ = liaison.login("renshe_lili", password.group(1))
    step(f"liaison logs in with it: {status} → {headers.get('location')}")
    status, headers, _ = liaison.post("/password", {"current": password.group(1), "new": "Renshe2026ok",
                                                    "confirm": "Renshe2026ok"}, "/password")
    if status not in (302, 303):
        fail(f"password change answered {status}")
    step(f"liaison sets a new password: {status}")
    mine = liaison.get("/orders/mine")
    ids = list(dict.fromkeys(re.findall(r'href="/orders/(\d+)"', mine)))
    if not ids:
        fail("the liaison sees no order")
    order = f"/orders/{ids[0]}"
    page = liaison.get(order)
    number = re.search(r"\b(\d{10})\b", page).group(1)
    version = re.search(r'name="version" (?:type="hidden" )?value="(\d+)"', page).group(1)
    status, _h, _ = liaison.post(f"{order}/act/sign", {"version": version}, order)
    if status >= 400:
        fail(f"sign answered {status}")
    step(f"liaison signs order {number}: {status}")
    page = liaison.get(order)
    version = re.search(r'name="version" (?:type="hidden" )?value="(\d+)"', page).group(1)
    status, _h, _ = liaison.post(f"{order}/act/reply", {
        "version": version, "result": "已电话联系群众，告知补办社保卡的材料和地点，群众表示满意。", "contact_way": "电话",
        "contacted_at": NOW.strftime("%Y-%m-%dT%H:%M"), "resolved": "1"}, order)
    if status >= 400:
        fail(f"reply answered {status}")
    page = liaison.get(order)
    if "待审核" not in page:
        fail("the replied order is not 待审核")
    step(f"liaison replies: {status}; the order now reads 待审核")

    # The login limit (5 per minute per client) is counted in Redis, so it holds although nginx sends
    # the attempts to both instances in turn; another client address is not limited (ProxyFix).
    attacker = Browser("127.0.0.3")
    token = attacker.token("/login")  # one page, then only POSTs: nginx alternates them between the instances
    codes = [attacker.request("POST", "/login", {"username": "admin", "password": "wrong-password-1",
                                                 "csrf_token": token})[0] for _ in range(6)]
    step(f"6 wrong logins from 127.0.0.3: {codes}")
    if codes != [200, 200, 200, 200, 200, 429]:
        fail("the login limit did not hold across both instances")
    # Another username: after 5 failures "admin" itself is locked for 15 minutes (per-username lockout,
    # counted in the database), which would hide what this step checks: the per-address limit.
    other = Browser("127.0.0.4").login("someone-else", "wrong-password-1")[0]
    step(f"1 wrong login from 127.0.0.4: {other} (each client has its own limit)")
    if other != 200:
        fail("another client address was limited too")

    time.sleep(1)  # gunicorn flushes its access log lines
    served = []
    for log in os.environ["SMOKE_APP_LOGS"].split():
        lines = Path(log).read_text().splitlines()
        served.append((len(lines), sum('127.0.0.3 "POST /login' in line for line in lines)))
    step(f"requests served per instance (all, wrong logins of 127.0.0.3): {served}")
    if any(total == 0 or attempts == 0 for total, attempts in served):
        fail("one instance served no request, or all the wrong logins went to one instance")


if __name__ == "__main__":
    {"data": data, "web": web}[sys.argv[1]]()
