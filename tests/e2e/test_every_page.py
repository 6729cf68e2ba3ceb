"""Every main page of every role, on a desk (1366×768) and a phone (390×844): nothing wider than the
screen, no title one character per line, and no serious or critical axe-core violation."""
from __future__ import annotations

import re

import pytest

from tests.e2e.pages import SIZES, axe_violations, layout_problems, logged_in, main_pages

ROLES = ["admin", "anquan", "shenji", "zhongxin", "huawu", "hanbin_leader", "hanbin"]
# The security administrator and the auditor have few pages (三权分立): home and their own.
FEW_PAGES = {"anquan", "shenji"}


def _extra_pages(page, base_url) -> list[str]:
    """Beyond the navigation: the first order of the user's list, and the first KB campaign's matrix."""
    extra = []
    for path in ("/orders/mine", "/orders/queues"):
        page.goto(base_url + path)
        link = page.locator('[data-testid="order-row"] a').first
        if page.url.endswith(path) and link.count():
            extra.append(link.get_attribute("href"))
            break
    page.goto(base_url + "/knowledge/campaigns")
    hrefs = page.eval_on_selector_all("main a", "els => els.map(e => e.getAttribute('href'))")
    extra += [h for h in hrefs if h and re.fullmatch(r"/knowledge/campaigns/\d+", h)][:1]
    return extra


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("username", ROLES)
def test_every_main_page_fits_and_passes_axe(browser, base_url, username, size):
    with logged_in(browser, base_url, username, size) as page:
        own = ["/account/second-factor"] + (["/admin/security/policy"] if username == "anquan" else [])
        paths = list(dict.fromkeys(main_pages(page) + _extra_pages(page, base_url) + own))
        assert len(paths) >= (2 if username in FEW_PAGES else 4)
        problems = {}
        for path in paths:
            page.goto(base_url + path)
            page.wait_for_load_state("networkidle")
            found = layout_problems(page) + axe_violations(page)
            if found:
                problems[path] = found
        assert problems == {}


def test_the_checks_find_what_they_look_for(browser, base_url):
    """The layout and axe checks fail on a page that has the faults (so a pass above means something)."""
    context = browser.new_context(viewport=SIZES["phone"], locale="zh-CN")
    page = context.new_page()
    try:
        page.goto(f"{base_url}/login")
        page.evaluate("""() => {
          const main = document.querySelector('main');
          main.insertAdjacentHTML('beforeend',
            '<p style="color:#bbb;background:#fff">低对比度的文字</p>' +
            '<div style="width:600px;height:10px"></div>' +
            '<table><tr><td style="width:10px">一个字一行的标题</td></tr></table>');
          document.body.insertAdjacentHTML('afterbegin',
            '<nav><a href="#" style="display:inline-block;width:40px">修改密码</a></nav>');
        }""")
        problems = layout_problems(page)
        assert any("wide" in p for p in problems) and any("one character per line" in p for p in problems)
        assert any("nav: 修改密码" in p for p in problems)
        assert any(v.startswith("color-contrast") for v in axe_violations(page))
    finally:
        context.close()
