"""The sign-in and sign-out routes' own checks (issue 11): where the browser may be sent back to, what the
page is told, and which address the throttle and the audit see."""
import pytest

from heatmap.routes import client_address, safe_next, with_notice


def test_after_sign_in_the_browser_comes_back_to_the_same_page_with_its_query():
    assert safe_next("/map?per=2026-5&lang=en") == "/map?per=2026-5&lang=en"
    assert safe_next("/") == "/"


@pytest.mark.parametrize("outside", ["https://evil.example/", "//evil.example/x", "evil", "/\\evil.example",
                                     "javascript:alert(1)", None, ""])
def test_it_is_never_sent_to_another_site(outside):
    assert safe_next(outside) == "/"


def test_the_page_is_told_why_and_the_notice_is_replaced_not_repeated():
    assert with_notice("/map?per=2026-5", "failed") == "/map?per=2026-5&signin=failed"
    assert with_notice("/map?per=2026-5&signin=failed", "locked") == "/map?per=2026-5&signin=locked"
    assert with_notice("/map?signin=failed&lang=en", None) == "/map?lang=en"


def test_the_client_is_the_peer_unless_a_trusted_proxy_forwards(monkeypatch):
    monkeypatch.delenv("HEATMAP_TRUST_PROXY", raising=False)
    assert client_address("::ffff:10.1.2.3", "203.0.113.9") == "10.1.2.3"
    monkeypatch.setenv("HEATMAP_TRUST_PROXY", "1")
    assert client_address("10.1.2.3", "203.0.113.9, 10.1.2.3") == "203.0.113.9"
    assert client_address(None) == "unknown"
