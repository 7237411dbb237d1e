import pytest

from ansible_collections.stackops.openstack.plugins.module_utils import swift_endpoints as se

PROXY = "http://storage:8080"
ACCOUNT = PROXY + "/v1/AUTH_%(tenant_id)s"
WRONG = "http://192.168.0.5:8080/v1/AUTH_%(tenant_id)s"


def ep(id_, interface, url, enabled=True):
    return {"id": id_, "interface": interface, "url": url, "enabled": enabled}


@pytest.mark.parametrize("url, expected", [
    ("http://storage:8080", "http://storage:8080"),
    ("http://storage:8080/", "http://storage:8080"),
    ("https://swift.example.com", "https://swift.example.com"),
    (" http://10.0.0.20:8080 ", "http://10.0.0.20:8080"),
])
def test_proxy_url_is_normalized(url, expected):
    assert se.normalize_proxy_url(url) == expected


@pytest.mark.parametrize("url, fragment", [
    ("storage:8080", "expected http(s)://host[:port]"),
    ("ftp://storage", "expected http(s)://host[:port]"),
    ("http://", "expected http(s)://host[:port]"),
    ("", "expected http(s)://host[:port]"),
    (None, "expected http(s)://host[:port]"),
    ("http://storage:8080/?x=1", "expected no query or fragment"),
    ("http://storage:99999", "its port is not a number from 1 to 65535"),
])
def test_bad_proxy_urls_say_why(url, fragment):
    with pytest.raises(ValueError) as exc:
        se.normalize_proxy_url(url)
    assert fragment in str(exc.value)
    assert repr(url) in str(exc.value)


def test_default_templates():
    assert se.wanted_urls("object-store", PROXY, se.INTERFACES) == {
        "public": ACCOUNT, "internal": ACCOUNT, "admin": PROXY}
    assert se.wanted_urls("s3", PROXY, ["public"]) == {"public": PROXY}


def test_templates_override_the_defaults_per_interface():
    wanted = se.wanted_urls("s3", PROXY, se.INTERFACES, {"s3": {"public": "https://s3.example.com"}})
    assert wanted == {"public": "https://s3.example.com", "internal": PROXY, "admin": PROXY}


def test_unknown_service_type_needs_templates():
    with pytest.raises(ValueError) as exc:
        se.wanted_urls("image", PROXY, ["public"])
    assert "no URL template for service type image, interface public" in str(exc.value)
    assert se.wanted_urls("image", PROXY, ["public"], {"image": {"public": "{proxy_url}/img"}}) == {
        "public": PROXY + "/img"}


def test_correct_catalog_needs_nothing():
    existing = [ep("a", "public", ACCOUNT), ep("b", "internal", ACCOUNT), ep("c", "admin", PROXY)]
    assert se.plan_endpoints(existing, se.wanted_urls("object-store", PROXY, se.INTERFACES)) == []


def test_wrong_host_is_repaired_in_place():
    existing = [ep("a", "public", WRONG), ep("b", "internal", ACCOUNT), ep("c", "admin", PROXY)]
    actions = se.plan_endpoints(existing, se.wanted_urls("object-store", PROXY, se.INTERFACES))
    assert actions == [{"action": "update", "interface": "public", "id": "a", "url": ACCOUNT, "old_url": WRONG,
                        "old_enabled": True}]


def test_disabled_endpoint_is_enabled():
    existing = [ep("a", "public", ACCOUNT, enabled=False)]
    actions = se.plan_endpoints(existing, {"public": ACCOUNT})
    assert actions == [{"action": "update", "interface": "public", "id": "a", "url": ACCOUNT, "old_url": ACCOUNT,
                        "old_enabled": False}]


def test_missing_interface_is_created():
    existing = [ep("a", "public", ACCOUNT), ep("c", "admin", PROXY)]
    actions = se.plan_endpoints(existing, se.wanted_urls("object-store", PROXY, se.INTERFACES))
    assert actions == [{"action": "create", "interface": "internal", "url": ACCOUNT}]


def test_duplicates_are_deleted_keeping_the_correct_one():
    existing = [ep("a", "public", WRONG), ep("b", "public", ACCOUNT), ep("c", "public", WRONG)]
    actions = se.plan_endpoints(existing, {"public": ACCOUNT})
    assert actions == [{"action": "delete", "interface": "public", "id": "a", "url": WRONG},
                       {"action": "delete", "interface": "public", "id": "c", "url": WRONG}]


def test_duplicates_without_a_correct_one_repair_the_first():
    existing = [ep("a", "public", WRONG), ep("b", "public", WRONG)]
    actions = se.plan_endpoints(existing, {"public": ACCOUNT})
    assert [a["action"] for a in actions] == ["update", "delete"]
    assert actions[0]["id"] == "a" and actions[1]["id"] == "b"


def test_interfaces_not_wanted_are_left_alone():
    existing = [ep("a", "public", WRONG), ep("c", "admin", "http://elsewhere")]
    actions = se.plan_endpoints(existing, {"public": ACCOUNT})
    assert [a["id"] for a in actions] == ["a"]


def test_apply_plan_gives_the_catalog_after():
    existing = [ep("a", "public", WRONG), ep("d", "public", WRONG), ep("c", "admin", PROXY)]
    wanted = se.wanted_urls("object-store", PROXY, se.INTERFACES)
    after = se.apply_plan(existing, se.plan_endpoints(existing, wanted))
    assert after == [ep("a", "public", ACCOUNT), ep(None, "internal", ACCOUNT), ep("c", "admin", PROXY)]
    assert se.plan_endpoints(after, wanted) == []
