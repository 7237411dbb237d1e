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


@pytest.mark.parametrize("url", [
    "http://swift:Pa55w0rd@storage:8080",
    "http://Pa55w0rd@storage:8080",
    "https://swift:Pa55w0rd@storage",
    # unencoded '/' or '@' in the password: urlsplit sees a different host, or a port
    "http://swift:Pa/55w0rd@storage:8080",
    "http://swift:Pa@55w0rd@storage:8080",
    # a credential together with another fault must not be echoed by that fault's message
    "http://swift:Pa55w0rd@storage:99999",
    "http://swift:Pa55w0rd@storage:8080/?x=1",
    "ftp://swift:Pa55w0rd@storage",
    "http://swift:Pa55w0rd @storage:8080",
])
def test_proxy_url_with_credentials_is_refused_without_echoing_them(url):
    with pytest.raises(ValueError) as exc:
        se.normalize_proxy_url(url)
    msg = str(exc.value)
    assert msg.startswith("proxy_url contains '@': a URL with credentials (user:password@host) would publish them "
                          "in the Keystone catalog, which every user can read; expected http(s)://host[:port]")
    assert "Pa55w0rd" not in msg and "55w0rd" not in msg and "swift:" not in msg


@pytest.mark.parametrize("url, fragment", [
    # urlsplit drops tab, CR and LF: without this check the URL published would not be the one checked
    ("http://stor\nage:8080", "it contains a blank or a control character"),
    ("http://storage:8080/\r\nx", "it contains a blank or a control character"),
    ("http://stor\tage:8080", "it contains a blank or a control character"),
    ("http://storage:8080/swift proxy", "it contains a blank or a control character"),
    ("http://[::1:8080", "not a valid URL (Invalid IPv6 URL)"),
    ("http://storage:8080#top", "expected no query or fragment"),
])
def test_proxy_url_with_blanks_or_broken_syntax_is_refused(url, fragment):
    with pytest.raises(ValueError) as exc:
        se.normalize_proxy_url(url)
    assert fragment in str(exc.value)
    assert repr(url) in str(exc.value)


@pytest.mark.parametrize("templates, fragment", [
    (["{proxy_url}"], "url_templates is a list, expected a dict of service type to {interface: URL}"),
    ({"object_store": {"public": "{proxy_url}"}},
     "url_templates has the service type 'object_store', expected one of the types of services: object-store, s3"),
    ({"s3": "https://s3.example.com"}, "url_templates.s3 is a str, expected a dict of interface"),
    ({"s3": {"Public": "https://s3.example.com"}},
     "url_templates.s3 has the interface 'Public', expected one of public, internal, admin"),
    ({"s3": {"public": 8080}}, "url_templates.s3.public is a int, expected a URL template string"),
    ({"s3": {"public": None}}, "url_templates.s3.public is a NoneType, expected a URL template string"),
    ({"s3": {"public": ["https://s3.example.com"]}}, "url_templates.s3.public is a list"),
])
def test_url_templates_of_the_wrong_shape_are_refused(templates, fragment):
    with pytest.raises(ValueError) as exc:
        se.check_url_templates(templates, ["object-store", "s3"])
    assert fragment in str(exc.value)


def test_url_templates_of_the_right_shape_pass():
    se.check_url_templates({}, ["object-store", "s3"])
    se.check_url_templates(None, ["object-store", "s3"])
    se.check_url_templates({"s3": {"public": "https://s3.example.com"}, "object-store": {}}, ["object-store", "s3"])


@pytest.mark.parametrize("template, fragment", [
    ("s3.example.com", "url_templates.s3.public is 's3.example.com', expected an http(s) URL such as"),
    ("{proxy}/s3", "url_templates.s3.public is '{proxy}/s3', expected an http(s) URL"),
    ("", "url_templates.s3.public is '', expected an http(s) URL"),
    ("{proxy_url}/s3 ", "url_templates.s3.public is 'http://storage:8080/s3 ', it contains a blank"),
    ("{proxy_url}/\r\ns3", "it contains a blank or a control character"),
    ("https://s3.example.com:0x50", "url_templates.s3.public is 'https://s3.example.com:0x50', its port is not"),
    ("{proxy_url}?region=x", "expected no query or fragment"),
])
def test_url_templates_must_give_urls(template, fragment):
    with pytest.raises(ValueError) as exc:
        se.wanted_urls("s3", PROXY, ["public"], {"s3": {"public": template}})
    assert fragment in str(exc.value)


def test_url_template_with_credentials_is_refused_without_echoing_them():
    with pytest.raises(ValueError) as exc:
        se.wanted_urls("s3", PROXY, se.INTERFACES, {"s3": {"public": "https://ec2:S3cr3tKey@s3.example.com"}})
    assert str(exc.value).startswith("url_templates.s3.public contains '@': a URL with credentials")
    assert "S3cr3tKey" not in str(exc.value)


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


@pytest.mark.parametrize("url", [ACCOUNT, WRONG], ids=["right-url", "wrong-url"])
def test_disabled_endpoint_is_left_alone_by_default(url):
    # an operator disabled it: neither enabled, repaired, deleted nor replaced by a new one
    existing = [ep("a", "public", url, enabled=False)]
    assert se.plan_endpoints(existing, {"public": ACCOUNT}) == []
    assert se.disabled_endpoints(existing, {"public": ACCOUNT}) == [dict(existing[0], only=True)]
    assert se.apply_plan(existing, []) == existing


@pytest.mark.parametrize("url, old_url", [(ACCOUNT, ACCOUNT), (WRONG, WRONG)], ids=["right-url", "wrong-url"])
def test_disabled_endpoint_is_enabled_only_when_asked(url, old_url):
    existing = [ep("a", "public", url, enabled=False)]
    actions = se.plan_endpoints(existing, {"public": ACCOUNT}, enable_disabled=True)
    assert actions == [{"action": "update", "interface": "public", "id": "a", "url": ACCOUNT, "old_url": old_url,
                        "old_enabled": False, "enable": True}]
    assert se.apply_plan(existing, actions) == [ep("a", "public", ACCOUNT)]


def test_disabled_duplicate_beside_an_enabled_endpoint_stays():
    existing = [ep("a", "public", WRONG), ep("b", "public", WRONG, enabled=False), ep("c", "admin", PROXY)]
    wanted = {"public": ACCOUNT, "admin": PROXY}
    actions = se.plan_endpoints(existing, wanted)
    # the enabled one is repaired; the disabled one is neither deleted nor touched
    assert actions == [{"action": "update", "interface": "public", "id": "a", "url": ACCOUNT, "old_url": WRONG,
                        "old_enabled": True}]
    assert se.disabled_endpoints(existing, wanted) == [dict(existing[1], only=False)]
    assert se.apply_plan(existing, actions) == [ep("b", "public", WRONG, enabled=False), ep("a", "public", ACCOUNT),
                                                ep("c", "admin", PROXY)]
    # asked to, the disabled duplicate goes
    assert [(a["action"], a["id"]) for a in se.plan_endpoints(existing, wanted, enable_disabled=True)] == [
        ("update", "a"), ("delete", "b")]


def test_disabled_endpoints_of_interfaces_not_wanted_are_not_reported():
    existing = [ep("a", "public", ACCOUNT), ep("c", "admin", PROXY, enabled=False)]
    assert se.disabled_endpoints(existing, {"public": ACCOUNT}) == []
    assert se.plan_endpoints(existing, {"public": ACCOUNT}) == []


def test_missing_enabled_flag_counts_as_enabled():
    existing = [{"id": "a", "interface": "public", "url": WRONG}]
    assert se.plan_endpoints(existing, {"public": ACCOUNT})[0]["id"] == "a"
    assert se.disabled_endpoints(existing, {"public": ACCOUNT}) == []


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


def test_apply_plan_uses_the_id_of_a_created_endpoint():
    after = se.apply_plan([], [{"action": "create", "interface": "public", "url": ACCOUNT, "id": "new1"}])
    assert after == [ep("new1", "public", ACCOUNT)]


@pytest.mark.parametrize("action, text", [
    ({"action": "create", "interface": "public", "url": ACCOUNT}, "create swift public endpoint " + ACCOUNT),
    ({"action": "create", "interface": "public", "url": ACCOUNT, "id": "n1"},
     "create swift public endpoint %s (id n1)" % ACCOUNT),
    ({"action": "update", "interface": "admin", "id": "a", "url": PROXY, "old_url": WRONG, "old_enabled": True},
     "update swift admin endpoint a from %s to %s" % (WRONG, PROXY)),
    ({"action": "update", "interface": "admin", "id": "a", "url": PROXY, "old_url": PROXY, "old_enabled": False,
      "enable": True}, "update swift admin endpoint a from %s to %s and enable it" % (PROXY, PROXY)),
    ({"action": "delete", "interface": "public", "id": "d", "url": WRONG},
     "delete duplicate swift public endpoint d (%s)" % WRONG),
])
def test_describe_action(action, text):
    assert se.describe_action("swift", action) == text
